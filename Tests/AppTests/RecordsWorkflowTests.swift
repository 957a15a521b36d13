import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

/// Everyday records through the API (DOMAIN §4–§6): organizational life and its compliance
/// feeding the five-star rating, points with approval, and the resident
/// demand workflow end to end without any login.
@Suite(.serialized) struct RecordsWorkflowTests {
    static func json(_ v: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: v), as: UTF8.self) }

    /// Members of a branch who count at its meetings.
    func members(_ t: TestApp, _ code: String) async throws -> [MemberModel] {
        try await OrgLifeService.eligible(try await t.org(code), on: t.db)
    }

    /// Records one meeting of `types` on `date` with everyone present but the last member (on leave).
    @discardableResult
    func record(_ t: TestApp, _ tok: String, org code: String, date: String, types: [String], expect: HTTPStatus = .created) async throws -> TestingHTTPResponse {
        let org = try await t.org(code)
        let ms = try await members(t, code)
        let body: [String: Any] = ["orgId": org.idString, "date": date, "types": types, "topic": "学习贯彻党的二十届四中全会精神",
                                   "place": "三楼会议室", "host": "王建国", "minutes": "传达学习……",
                                   "attendees": ms.dropLast().map(\.idString), "absentees": [ms.last!.idString: "出差"]]
        let res = try await t.api(.POST, "/api/v1/meetings", token: tok, raw: try Self.json(body))
        #expect(res.status == expect, "\(res.body.string)")
        return res
    }

    func octoberMonth(_ t: TestApp, _ tok: String, _ code: String) async throws -> [String: Any] {
        let org = try await t.org(code)
        let cal = try await t.api(.GET, "/api/v1/orgs/\(org.idString)/compliance?year=2026", token: tok).json()
        return try #require((cal["months"] as? [[String: Any]])?[9])
    }

    @Test func r18_recordingTheSecondStudyTurnsTheMonthCompliant() async throws {
        try await withTestApp { t in
            let tok = try await t.token("zhibu")
            // given October with a committee meeting, a theme day, a general meeting, a lecture and one study
            try await record(t, tok, org: "ZR-B01", date: "2026-10-09", types: ["committeeMeeting", "generalMeeting", "partyLecture"])
            try await record(t, tok, org: "ZR-B01", date: "2026-10-15", types: ["主题党日", "集中学习"])
            var oct = try await octoberMonth(t, tok, "ZR-B01")
            #expect(oct["status"] as? String == "missing")
            // when the second study is recorded
            try await record(t, tok, org: "ZR-B01", date: "2026-10-28", types: ["study"])
            // then October is compliant
            oct = try await octoberMonth(t, tok, "ZR-B01")
            #expect(oct["status"] as? String == "met")
            // and attendance earned points for those present, none for the absent member
            let ms = try await members(t, "ZR-B01")
            #expect(try await PointsService.balance(memberID: ms.first!.id!, year: 2026, on: t.db) == 6)
            #expect(try await PointsService.balance(memberID: ms.last!.id!, year: 2026, on: t.db) == 0)
        }
    }

    @Test func r18_theCalendarFollowsAMeetingMovedToAnotherYearOrDeleted() async throws {
        try await withTestApp { t in
            let tok = try await t.token("zhibu")
            let org = try await t.org("ZR-B01")
            func committee(_ year: Int, _ month: Int) async throws -> Int? {
                let cal = try await t.api(.GET, "/api/v1/orgs/\(org.idString)/compliance?year=\(year)", token: tok).json()
                let m = (cal["months"] as? [[String: Any]])?[month - 1]
                return (m?["rules"] as? [[String: Any]])?.first { $0["key"] as? String == "committee" }?["count"] as? Int
            }
            // given one committee meeting in October 2026
            let made = try await record(t, tok, org: "ZR-B01", date: "2026-10-09", types: ["committeeMeeting"]).json()
            let id = try #require(made["id"] as? String)
            #expect(try await committee(2026, 10) == 1)
            // when it is corrected to October 2025, it counts there and no longer in 2026
            let ms = try await members(t, "ZR-B01")
            let body: [String: Any] = ["orgId": org.idString, "date": "2025-10-09", "types": ["committeeMeeting"], "topic": "研究发展党员",
                                       "attendees": ms.map(\.idString)]
            let moved = try await t.api(.PUT, "/api/v1/meetings/\(id)", token: tok, raw: try Self.json(body))
            #expect(moved.status == .ok, "\(moved.body.string)")
            #expect(try await committee(2026, 10) == 0)
            #expect(try await committee(2025, 10) == 1)
            // and when it is deleted, it counts nowhere
            #expect(try await t.api(.DELETE, "/api/v1/meetings/\(id)", token: tok).status == .noContent)
            #expect(try await committee(2025, 10) == 0)
            #expect(try await MeetingTallies.ofYear(2025, orgIDs: [org.id!], on: t.db).isEmpty)
        }
    }

    @Test func r18_badRecordsAreRefusedWithTheirFields() async throws {
        try await withTestApp { t in
            let tok = try await t.token("zhibu")
            let org = try await t.org("ZR-B01")
            let ms = try await members(t, "ZR-B01")
            let other = try await t.memberOf("ZR-B02")
            // a future date, no type, no topic, an outsider attending, an absentee without a reason
            let res = try await t.api(.POST, "/api/v1/meetings", token: tok, raw: try Self.json([
                "orgId": org.idString, "date": "2026-11-30", "types": [String](), "topic": " ",
                "attendees": [other.idString] + ms.dropLast().map(\.idString)]))
            #expect(res.status == .unprocessableEntity)
            let f = res.errorFields
            #expect(f["date"] != nil && f["types"] != nil && f["topic"] != nil && f["attendees"] != nil)
            #expect(f["reason.\(ms.last!.idString)"]?.contains("缺席原因") == true)
            // a 支委会 involves only those present: nobody else needs an absence reason
            let committee = try await t.api(.POST, "/api/v1/meetings", token: tok, raw: try Self.json([
                "orgId": org.idString, "date": "2026-11-02", "types": ["committeeMeeting"], "topic": "研究发展党员", "attendees": Array(ms.prefix(3)).map(\.idString)]))
            #expect(committee.status == .created, "\(committee.body.string)")
            #expect((try committee.json()["absentees"] as? [Any])?.isEmpty == true)
            try await MeetingModel.query(on: t.db).delete()
            // a missing required field is a 400 naming it
            let bad = try await t.api(.POST, "/api/v1/meetings", token: tok, raw: try Self.json(["orgId": org.idString]))
            #expect(bad.status == .badRequest)
            // another branch's secretary may not record for this branch
            let tok2 = try await t.token("zhibu2")
            try await record(t, tok2, org: "ZR-B01", date: "2026-10-09", types: ["study"], expect: .forbidden)
            // nothing was written
            #expect(try await MeetingModel.query(on: t.db).count() == 0)
        }
    }

    @Test func r18_complianceFeedsTheStrongBranchStarOnceRecordsAreKeptHere() async throws {
        try await withTestApp { t in
            let zhibu = try await t.token("zhibu")
            let gongwei = try await t.token("gongwei")
            // given the committee starts counting from October 2026, and B01 has a full October
            var s = try await t.api(.GET, "/api/v1/settings/records", token: gongwei).json()
            s["orgLifeSince"] = "2026-10-01"
            let saved = try await t.api(.PUT, "/api/v1/settings/records", token: gongwei, raw: try Self.json(s))
            #expect(saved.status == .ok, "\(saved.body.string)")
            try await record(t, zhibu, org: "ZR-B01", date: "2026-10-09", types: ["committeeMeeting", "generalMeeting", "partyLecture", "study"])
            try await record(t, zhibu, org: "ZR-B01", date: "2026-10-15", types: ["themeDay", "study"])
            // B02 records nothing
            func strongSystem(_ code: String, _ tok: String) async throws -> [String: Any] {
                let b = try await t.org(code)
                let open = try await t.api(.POST, "/api/v1/ratings", token: tok, raw: try Self.json(["branchId": b.idString, "year": 2026]))
                #expect(open.status == .created, "\(open.body.string)")
                let answers = try #require(try open.json()["answers"] as? [String: [String: Any]])
                return try #require(answers["strong.system"])
            }
            let b01 = try await strongSystem("ZR-B01", zhibu)
            #expect(b01["computedMet"] as? Bool == true)
            let b02 = try await strongSystem("ZR-B02", try await t.token("zhibu2"))
            #expect(b02["computedMet"] as? Bool == false)
            #expect((b02["computedDetail"] as? String)?.contains("0%") == true)
        }
    }

    @Test func r18_settingsAreTheCommitteesAndValidated() async throws {
        try await withTestApp { t in
            let jiguan = try await t.token("jiguan")
            let gongwei = try await t.token("gongwei")
            var s = try await t.api(.GET, "/api/v1/settings/records", token: jiguan).json()
            // a unit officer may read but not change them
            #expect(try await t.api(.PUT, "/api/v1/settings/records", token: jiguan, raw: try Self.json(s)).status == .forbidden)
            var rules = try #require(s["orgLifeRules"] as? [[String: Any]])
            rules[2]["minCount"] = 0
            s["orgLifeRules"] = rules
            let res = try await t.api(.PUT, "/api/v1/settings/records", token: gongwei, raw: try Self.json(s))
            #expect(res.status == .unprocessableEntity)
            #expect(res.errorFields["rules.2.minCount"] != nil)
            // one study a month is enough once the committee says so
            rules[2]["minCount"] = 1
            s["orgLifeRules"] = rules
            #expect(try await t.api(.PUT, "/api/v1/settings/records", token: gongwei, raw: try Self.json(s)).status == .ok)
            #expect(try await RecordSettings.load(on: t.db).orgLifeRules[2].minCount == 1)
        }
    }

    @Test func r19_awardNeedingApprovalIsDecidedBySomeoneElse() async throws {
        try await withTestApp { t in
            let zhibu = try await t.token("zhibu")
            let jiguan = try await t.token("jiguan")
            let m = try await t.ordinaryMemberOfB01()
            // a branch secretary may propose an award (pending) but not a disciplinary deduction
            let award = try await t.api(.POST, "/api/v1/points", token: zhibu, raw: try Self.json(["memberId": m.idString, "rule": "award", "reason": "获评市级优秀共产党员", "date": "2026-11-02"]))
            #expect(award.status == .created, "\(award.body.string)")
            let id = try #require(try award.json()["id"] as? String)
            #expect(try award.json()["status"] as? String == "pending")
            #expect(try await t.api(.POST, "/api/v1/points", token: zhibu, raw: try Self.json(["memberId": m.idString, "rule": "violation", "reason": "x", "date": "2026-11-02"])).status == .forbidden)
            // automatic rules cannot be entered by hand
            let auto = try await t.api(.POST, "/api/v1/points", token: zhibu, raw: try Self.json(["memberId": m.idString, "rule": "attend", "reason": "x", "date": "2026-11-02"]))
            #expect(auto.status == .unprocessableEntity && auto.errorFields["rule"] != nil)
            // the proposer cannot approve their own entry
            #expect(try await t.api(.POST, "/api/v1/points/\(id)/approve", token: zhibu).status == .conflict)
            #expect(try await PointsService.balance(memberID: m.id!, year: 2026, on: t.db) == 0)
            // the unit officer approves; a second decision is refused
            #expect(try await t.api(.POST, "/api/v1/points/\(id)/approve", token: jiguan).status == .ok)
            #expect(try await t.api(.POST, "/api/v1/points/\(id)/reject", token: jiguan).status == .conflict)
            #expect(try await PointsService.balance(memberID: m.id!, year: 2026, on: t.db) == 10)
            // the ranking counts it for B01
            let ranking = try await t.api(.GET, "/api/v1/points/ranking?year=2026", token: jiguan)
            let rows = try JSONSerialization.jsonObject(with: Data(ranking.body.string.utf8)) as? [[String: Any]] ?? []
            #expect(rows.first?["name"] as? String == "办公室党支部")
            // another branch's secretary cannot see the entry
            #expect(try await t.api(.POST, "/api/v1/points/\(id)/approve", token: try await t.token("zhibu2")).status == .forbidden)
        }
    }

    @Test func r21_residentNeedFromPostToRatingWithoutLogin() async throws {
        try await withTestApp { t in
            let jiguan = try await t.token("jiguan")
            let zhibu = try await t.token("zhibu")
            let dangyuan = try await t.token("dangyuan")
            let jgdw = try await t.org("ZR-JGDW")
            let b01 = try await t.org("ZR-B01")
            let b02 = try await t.org("ZR-B02")
            // given a community registered by the organ committee and paired with 办公室党支部
            let c = try await t.api(.POST, "/api/v1/communities", token: jiguan, raw: try Self.json(["name": "测试社区", "orgId": jgdw.idString, "street": "五里堡街道"]))
            #expect(c.status == .created, "\(c.body.string)")
            let cid = try #require(try c.json()["id"] as? String)
            let p = try await t.api(.POST, "/api/v1/communities/\(cid)/pairings", token: zhibu, raw: try Self.json(["orgId": b01.idString, "signedOn": "2026-03-01", "content": "组织联建、服务共推"]))
            #expect(p.status == .created, "\(p.body.string)")

            // a resident's bad post names every field; a good one answers a tracking code
            let bad = try await t.api(.POST, "/api/v1/public/demands", raw: try Self.json(["communityId": "x", "title": "", "content": "", "name": "", "phone": "abc"]))
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(bad.errorFields.keys) == ["community", "title", "content", "name", "phone"])
            let post = try await t.api(.POST, "/api/v1/public/demands", raw: try Self.json(["communityId": cid, "title": "楼道路灯坏了", "content": "3号楼2单元楼道灯不亮<script>", "name": "张阿姨", "phone": "13800001111"]))
            #expect(post.status == .created, "\(post.body.string)")
            let code = try #require(try post.json()["code"] as? String)
            #expect(code.count == 10)
            let lower = try await t.api(.GET, "/api/v1/public/demands/\(code.lowercased())")
            #expect(lower.status == .ok)
            #expect(try lower.json()["stateLabel"] as? String == "待社区派单")
            #expect(lower.body.string.contains("13800001111") == false)   // the public view carries no contact details

            // rating before it is done is out of turn
            #expect(try await t.api(.POST, "/api/v1/public/demands/\(code)/rate", raw: try Self.json(["stars": 5])).status == .conflict)
            let id = try #require(try await DemandModel.query(on: t.db).filter(\.$code == code).first()).idString

            // before dispatch the need is not the branch's to see; dispatching to an unpaired branch is refused
            #expect(try await t.api(.POST, "/api/v1/demands/\(id)/accept", token: zhibu).status == .forbidden)
            let unpaired = try await t.api(.POST, "/api/v1/demands/\(id)/dispatch", token: jiguan, raw: try Self.json(["unitId": b02.idString]))
            #expect(unpaired.status == .unprocessableEntity && unpaired.errorFields["unit"] != nil)
            // a branch secretary is not the community's dispatcher
            #expect(try await t.api(.POST, "/api/v1/demands/\(id)/dispatch", token: zhibu, raw: try Self.json(["unitId": b01.idString])).status == .forbidden)
            #expect(try await t.api(.POST, "/api/v1/demands/\(id)/dispatch", token: jiguan, raw: try Self.json(["unitId": b01.idString])).status == .ok)
            // another branch may not accept it; B01 hands it back once (with a reason), then it comes again
            #expect(try await t.api(.POST, "/api/v1/demands/\(id)/accept", token: try await t.token("zhibu2")).status == .forbidden)
            #expect(try await t.api(.POST, "/api/v1/demands/\(id)/return", token: zhibu, raw: try Self.json(["reason": " "])).status == .unprocessableEntity)
            #expect(try await t.api(.POST, "/api/v1/demands/\(id)/return", token: zhibu, raw: try Self.json(["reason": "需物业配合，请社区先协调"])).status == .ok)
            #expect(try await t.api(.POST, "/api/v1/demands/\(id)/dispatch", token: jiguan, raw: try Self.json(["unitId": b01.idString])).status == .ok)
            #expect(try await t.api(.POST, "/api/v1/demands/\(id)/accept", token: zhibu).status == .ok)
            #expect(try await t.api(.POST, "/api/v1/demands/\(id)/accept", token: zhibu).status == .conflict)   // out of turn
            // while it waits, a member of the unit sees it without the resident's phone; another community's detail is out of scope
            let seen = try await t.api(.GET, "/api/v1/demands/\(id)", token: dangyuan).json()
            #expect(seen["phone"] as? String == "138****1111")
            #expect(try await t.api(.GET, "/api/v1/demands/\(id)", token: jiguan).json()["phone"] as? String == "13800001111")
            #expect(try await t.api(.GET, "/api/v1/communities/\(cid)", token: try await t.token("zhibu2")).status == .forbidden)
            // a member of B01 claims and finishes it
            let claim = try await t.api(.POST, "/api/v1/demands/\(id)/claim", token: dangyuan, json: [String: String]())
            #expect(claim.status == .ok, "\(claim.body.string)")
            #expect(try claim.json()["memberName"] as? String == "李娜")
            #expect(try await t.api(.POST, "/api/v1/demands/\(id)/claim", token: dangyuan, json: [String: String]()).status == .conflict)
            #expect(try await t.api(.POST, "/api/v1/demands/\(id)/finish", token: dangyuan, raw: try Self.json(["result": "已联系物业更换灯泡"])).status == .ok)

            // the resident rates it with the code, once
            let rated = try await t.api(.POST, "/api/v1/public/demands/\(code)/rate", raw: try Self.json(["stars": 5, "comment": "很及时，谢谢"]))
            #expect(rated.status == .ok, "\(rated.body.string)")
            #expect(try rated.json()["stateLabel"] as? String == "已评价")
            #expect(try await t.api(.POST, "/api/v1/public/demands/\(code)/rate", raw: try Self.json(["stars": 1])).status == .conflict)
            #expect(try await t.api(.GET, "/api/v1/public/demands/ABCDEFGHJK").status == .notFound)

            // every step is on the record and counts as one 为民办实事 for the community
            let detail = try await t.api(.GET, "/api/v1/demands/\(id)", token: jiguan).json()
            let steps = try #require(detail["steps"] as? [[String: Any]])
            #expect(steps.map { $0["action"] as? String ?? "" } == ["群众点单", "社区派单", "退回社区", "社区派单", "部门接单", "党员领单", "办结", "群众评价"])
            #expect(try await DemandService.deedsByCommunity(year: 2026, on: t.db)[UUID(uuidString: cid)!] == 1)
        }
    }

    @Test func r21_postsAreRateLimitedPerAddress() async throws {
        try await withTestApp { t in
            let jgdw = try await t.org("ZR-JGDW")
            let ctx = Ctx(db: t.db, user: CurrentUser(id: UUID(), username: "t", displayName: "t", memberID: nil, scope: Scope(grants: [Grant(role: .admin, orgID: jgdw.idString, orgPath: jgdw.path)]), credentialStamp: ""),
                          actor: .init(id: nil, name: "测试", requestID: nil, ip: nil), now: Date())
            let c = try await CommunityService.create(["name": "限流社区", "org": jgdw.idString], ctx: ctx)
            var statuses: [HTTPStatus] = []
            for i in 0..<11 {
                statuses.append(try await t.api(.POST, "/api/v1/public/demands", raw: try Self.json(["communityId": c.idString, "title": "需求\(i)", "content": "内容", "name": "居民", "phone": "13800001111"])).status)
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == .created })
            #expect(statuses.last == .tooManyRequests)
        }
    }
}
