import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

/// Party-building brands through the API (DOMAIN §3): a branch's brand from 定名 to 命名 through
/// every role with one return and re-submission (R-9), expert scoring with the same-unit rule
/// and the shortlist (R-10), moderated public comment (R-11), the naming decision (R-12), then a
/// re-review into rectification and, past its deadline, revocation (R-13).
@Suite(.serialized) struct BrandWorkflowTests {
    static func json(_ v: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: v), as: UTF8.self) }

    static func adminCtx(_ t: TestApp) -> Ctx {
        Ctx(db: t.db, user: CurrentUser(id: UUID(), username: "t", displayName: "t", memberID: nil, scope: Scope(grants: [Grant(role: .admin, orgID: "", orgPath: "/")]), credentialStamp: ""),
            actor: .init(id: nil, name: "测试", requestID: nil, ip: nil), now: t.app.clock.now())
    }

    static func expert(_ t: TestApp, _ username: String, _ name: String, at code: String) async throws {
        _ = try await UserService.create(["username": username, "displayName": name, "password": TestApp.password, "role": "expert", "org": code], ctx: adminCtx(t))
    }

    nonisolated(unsafe) static let fullContent: [String: Any] = [
        "name": "规划先锋", "theme": "初心永向党·自然当先锋", "connotation": "以规划引领发展，以服务凝聚人心",
        "philosophy": "党建引领、规划为民", "carriers": "党员先锋岗、规划服务窗口", "longPlan": "三年打造规划服务品牌",
        "yearPlan": "开展规划进社区12次", "achievements": "窗口满意度达到98%",
    ]

    func step(_ t: TestApp, _ tok: String, _ id: String, _ body: [String: Any]) async throws -> TestingHTTPResponse {
        try await t.api(.POST, "/api/v1/brands/\(id)/transitions", token: tok, raw: try Self.json(body))
    }

    func state(_ t: TestApp, _ id: String) async throws -> String {
        try #require(try await BrandModel.find(UUID(uuidString: id)!, on: t.db)).state
    }

    @Test func r9_aBranchBrandFromNamingToRevocationThroughEveryRole() async throws {
        try await withTestApp { t in
            var zhibu = try await t.token("zhibu"), jiguan = try await t.token("jiguan"), gongwei = try await t.token("gongwei")
            let zhibu2 = try await t.token("zhibu2")
            let b01 = try await t.org("ZR-B01")

            // 定名: the branch names its brand; bad input names its fields
            let bad = try await t.api(.POST, "/api/v1/brands", token: zhibu, raw: try Self.json(["orgId": b01.idString, "name": "", "theme": "", "connotation": ""]))
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(bad.errorFields.keys) == ["name", "theme", "connotation"], "\(bad.errorFields)")
            let created = try await t.api(.POST, "/api/v1/brands", token: zhibu, raw: try Self.json(["orgId": b01.idString, "name": "规划先锋", "theme": "初心永向党", "connotation": "以规划引领发展"]))
            #expect(created.status == .created, "\(created.body.string)")
            let id = try #require(try created.json()["id"] as? String)
            #expect(try created.json()["state"] as? String == "draft")
            // out of scope: another branch's secretary neither reads nor moves it
            #expect(try await t.api(.GET, "/api/v1/brands/\(id)", token: zhibu2).status == .forbidden)
            #expect(try await step(t, zhibu2, id, ["action": "cultivate"]).status == .forbidden)
            // out of turn: submitting a draft is a 409, the organ committee does not cultivate a branch's brand (403)
            #expect(try await step(t, zhibu, id, ["action": "submit"]).status == .conflict)
            #expect(try await step(t, jiguan, id, ["action": "cultivate"]).status == .forbidden)
            #expect(try await step(t, zhibu, id, ["action": "cultivate"]).status == .ok)
            #expect(try await step(t, zhibu, id, ["action": "cultivate"]).status == .conflict)
            // an incomplete application is not submitted
            let incomplete = try await step(t, zhibu, id, ["action": "submit"])
            #expect(incomplete.status == .unprocessableEntity && incomplete.errorFields["philosophy"] != nil, "\(incomplete.body.string)")
            var full = Self.fullContent; full["version"] = 1
            let patched = try await t.api(.PATCH, "/api/v1/brands/\(id)", token: zhibu, raw: try Self.json(full))
            #expect(patched.status == .ok, "\(patched.body.string)")
            #expect(try await t.api(.PATCH, "/api/v1/brands/\(id)", token: zhibu, raw: try Self.json(full)).status == .conflict)   // stale version
            #expect(try await step(t, zhibu, id, ["action": "submit"]).status == .ok)
            #expect(try await state(t, id) == "submitted")

            // 申报 passes the organ committee first: the committee may not forward it, the branch may not either
            #expect(try await step(t, gongwei, id, ["action": "forward", "opinion": "同意"]).status == .forbidden)
            #expect(try await step(t, zhibu, id, ["action": "forward", "opinion": "同意"]).status == .forbidden)
            #expect(try await step(t, gongwei, id, ["action": "accept"]).status == .conflict)
            // a return carries its reasons; "other" needs a note
            let noNote = try await step(t, jiguan, id, ["action": "return", "reasons": ["other"]])
            #expect(noNote.status == .unprocessableEntity && noNote.errorFields["note"] != nil)
            let ret = try await step(t, jiguan, id, ["action": "return", "reasons": ["vague", "indistinct"], "note": "请突出规划业务特色"])
            #expect(ret.status == .ok, "\(ret.body.string)")
            #expect(try ret.json()["returned"] as? String == "品牌概念模糊、缺乏特色：请突出规划业务特色")
            // re-submitted after changes
            var again = Self.fullContent; again["connotation"] = "规划引领发展、服务凝聚人心、先锋带动队伍"
            #expect(try await t.api(.PATCH, "/api/v1/brands/\(id)", token: zhibu, raw: try Self.json(again)).status == .ok)
            #expect(try await step(t, zhibu, id, ["action": "submit"]).status == .ok)
            let blank = try await step(t, jiguan, id, ["action": "forward", "opinion": " "])
            #expect(blank.status == .unprocessableEntity && blank.errorFields["opinion"] != nil)
            #expect(try await step(t, jiguan, id, ["action": "forward", "opinion": "品牌定位准确，同意推荐"]).status == .ok)
            #expect(try await state(t, id) == "forwarded")
            // the content is fixed once submitted
            #expect(try await t.api(.PATCH, "/api/v1/brands/\(id)", token: zhibu, raw: try Self.json(Self.fullContent)).status == .conflict)

            // 工委 accepts: preliminary selection with a service-recipient survey
            #expect(try await step(t, jiguan, id, ["action": "accept"]).status == .forbidden)
            let acc = try await step(t, gongwei, id, ["action": "accept"])
            #expect(acc.status == .ok)
            let surveyID = try #require(try acc.json()["surveyId"] as? String)
            let links = try await t.api(.POST, "/api/v1/surveys/\(surveyID)/links", token: gongwei, raw: #"{"count":1}"#)
            #expect(links.status == .created, "\(links.body.string)")
            let linkBody = try JSONSerialization.jsonObject(with: Data(links.body.string.utf8)) as? [[String: Any]] ?? []
            let token = try #require(linkBody.first?["token"] as? String)
            let answered = try await t.api(.POST, "/api/v1/public/surveys/\(token)", raw: #"{"answers":[["5"],["4"],["5"],["0"],[],[]]}"#)
            #expect(answered.status == .created, "\(answered.body.string)")

            // R-10: experts; one of the applicant's own unit is refused
            try await Self.expert(t, "zj_same", "钱同单位", at: "ZR-JGDW")
            try await Self.expert(t, "zj_bdc", "孙外单位", at: "BDC-DW")
            let same = try await t.api(.POST, "/api/v1/brands/\(id)/experts", token: gongwei, raw: #"{"user":"zj_same"}"#)
            #expect(same.status == .unprocessableEntity && same.errorMessage.contains("回避"), "\(same.body.string)")
            #expect(try await t.api(.POST, "/api/v1/brands/\(id)/experts", token: jiguan, raw: #"{"user":"zhuanjia"}"#).status == .forbidden)
            #expect(try await t.api(.POST, "/api/v1/brands/\(id)/experts", token: gongwei, raw: #"{"user":"zhuanjia"}"#).status == .created)
            #expect(try await t.api(.POST, "/api/v1/brands/\(id)/experts", token: gongwei, raw: #"{"user":"zhuanjia"}"#).status == .conflict)
            #expect(try await t.api(.POST, "/api/v1/brands/\(id)/experts", token: gongwei, raw: #"{"user":"zj_bdc"}"#).status == .created)
            let zj = try await t.token("zhuanjia"), zjb = try await t.token("zj_bdc")
            // an expert reads the brand assigned to them, scores it on the five criteria
            #expect(try await t.api(.GET, "/api/v1/brands/\(id)", token: zj).status == .ok)
            let badScore = try await t.api(.PUT, "/api/v1/brands/\(id)/score", token: zj, raw: #"{"scores":{"name":80,"philosophy":101},"comment":""}"#)
            #expect(badScore.status == .unprocessableEntity && Set(badScore.errorFields.keys).isSuperset(of: ["philosophy", "mechanism", "comment"]), "\(badScore.errorFields)")
            #expect(try await t.api(.PUT, "/api/v1/brands/\(id)/score", token: zhibu, raw: #"{"scores":{"name":80,"philosophy":80,"mechanism":80,"carriers":80,"effect":80},"comment":"好"}"#).status == .forbidden)
            // shortlist refused while an expert has not scored
            #expect(try await t.api(.POST, "/api/v1/brands/selection/shortlist", token: gongwei, raw: #"{"year":2026,"quota":1}"#).status == .conflict)
            let s1 = try await t.api(.PUT, "/api/v1/brands/\(id)/score", token: zj, raw: #"{"scores":{"name":90,"philosophy":85,"mechanism":80,"carriers":80,"effect":90},"comment":"特色鲜明"}"#)
            #expect(try s1.status == .ok && s1.json()["total"] as? Double == 85.0, "\(s1.body.string)")   // 13.5+17+16+16+22.5
            #expect(try await t.api(.PUT, "/api/v1/brands/\(id)/score", token: zjb, raw: #"{"scores":{"name":80,"philosophy":80,"mechanism":80,"carriers":80,"effect":80},"comment":"机制完善"}"#).status == .ok)
            let ranking = try await t.api(.GET, "/api/v1/brands/selection?year=2026", token: gongwei)
            let rows = try JSONSerialization.jsonObject(with: Data(ranking.body.string.utf8)) as? [[String: Any]] ?? []
            #expect(rows.count == 1 && rows.first?["mean"] as? Double == 82.5 && rows.first?["satisfaction"] as? Double != nil, "\(ranking.body.string)")
            let short = try await t.api(.POST, "/api/v1/brands/selection/shortlist", token: gongwei, raw: #"{"year":2026,"threshold":80}"#)
            #expect(short.status == .ok, "\(short.body.string)")
            #expect(try await state(t, id) == "review")
            // scoring is over
            #expect(try await t.api(.PUT, "/api/v1/brands/\(id)/score", token: zj, raw: #"{"scores":{"name":90,"philosophy":85,"mechanism":80,"carriers":80,"effect":90},"comment":"再改"}"#).status == .conflict)

            // R-11: public comment, invisible until approved; mutual review by another unit
            let xss = "<img src=x onerror=alert(1)>很好"
            let posted = try await t.api(.POST, "/api/v1/public/brands/\(id)/comments", raw: try Self.json(["rating": 5, "body": xss, "channel": "mobile"]))
            #expect(posted.status == .created, "\(posted.body.string)")
            #expect(try await t.api(.GET, "/api/v1/public/brands/\(id)/comments").body.string == "[]")
            let tooLong = try await t.api(.POST, "/api/v1/public/brands/\(id)/comments", raw: try Self.json(["rating": 6, "body": String(repeating: "长", count: 501)]))
            #expect(Set(tooLong.errorFields.keys) == ["rating", "body"], "\(tooLong.body.string)")
            #expect(try await t.api(.POST, "/api/v1/brands/\(id)/comments", token: jiguan, raw: #"{"rating":5,"body":"本单位自评"}"#).status == .conflict)
            let zhongxin = try await t.token("zhongxin")
            #expect(try await t.api(.POST, "/api/v1/brands/\(id)/comments", token: zhongxin, raw: #"{"rating":4,"body":"值得学习"}"#).status == .created)
            let pending = try await t.api(.GET, "/api/v1/brands/comments/pending", token: gongwei)
            let queue = try JSONSerialization.jsonObject(with: Data(pending.body.string.utf8)) as? [[String: Any]] ?? []
            #expect(queue.count == 2 && Set(queue.compactMap { $0["channel"] as? String }) == ["mobile", "mutual"])
            let cid = try #require(queue.first { $0["channel"] as? String == "mobile" }?["id"] as? String)
            #expect(try await t.api(.POST, "/api/v1/brands/comments/\(cid)/moderate", token: jiguan, raw: #"{"approve":true}"#).status == .forbidden)
            #expect(try await t.api(.POST, "/api/v1/brands/comments/\(cid)/moderate", token: gongwei, raw: #"{"approve":true}"#).status == .ok)
            #expect(try await t.api(.POST, "/api/v1/brands/comments/\(cid)/moderate", token: gongwei, raw: #"{"approve":false}"#).status == .conflict)
            let shown = try await t.api(.GET, "/api/v1/public/brands/\(id)/comments")
            let shownList = try JSONSerialization.jsonObject(with: Data(shown.body.string.utf8)) as? [[String: Any]]
            #expect(shownList?.count == 1 && shownList?.first?["body"] as? String == xss, "\(shown.body.string)")
            #expect(try await t.api(.POST, "/api/v1/brands/\(id)/suggestions", token: gongwei, raw: #"{"text":"建议增加群众参与的载体"}"#).status == .ok)

            // R-12: naming by decision with a well-formed document number
            let badDoc = try await t.api(.POST, "/api/v1/brands/decisions", token: gongwei, raw: try Self.json(["document": "宛自然资党2026-21", "decidedOn": "2026-11-20", "title": "关于命名党建品牌的决定", "brandIds": [id]]))
            #expect(badDoc.status == .unprocessableEntity && badDoc.errorFields["document"] != nil)
            #expect(try await t.api(.POST, "/api/v1/brands/decisions", token: jiguan, raw: try Self.json(["document": "江自然资党〔2026〕21号", "decidedOn": "2026-11-20", "title": "关于命名党建品牌的决定", "brandIds": [id]])).status == .forbidden)
            let named = try await t.api(.POST, "/api/v1/brands/decisions", token: gongwei, raw: try Self.json(["document": "江自然资党〔2026〕21号", "decidedOn": "2026-11-20", "title": "关于命名党建品牌的决定", "brandIds": [id]]))
            #expect(named.status == .created, "\(named.body.string)")
            #expect(try await state(t, id) == "named")
            // naming twice is out of turn
            #expect(try await t.api(.POST, "/api/v1/brands/decisions", token: gongwei, raw: try Self.json(["document": "江自然资党〔2026〕22号", "decidedOn": "2026-11-20", "title": "再次命名", "brandIds": [id]])).status == .conflict)
            // R-14: the year's goals by the brand's own branch
            #expect(try await t.api(.PUT, "/api/v1/brands/\(id)/goals", token: gongwei, raw: #"{"year":2027,"goals":"目标","measures":"措施"}"#).status == .forbidden)
            #expect(try await t.api(.PUT, "/api/v1/brands/\(id)/goals", token: zhibu, raw: #"{"year":2027,"goals":"打造规划服务示范窗口","measures":"每月一次规划进社区"}"#).status == .ok)
            let pair = try await t.api(.POST, "/api/v1/brands/\(id)/pairs", token: gongwei, raw: try Self.json(["orgId": try await t.org("ZR-B07").idString, "goal": "帮助执法监察支队党支部补齐组织生活短板", "startedOn": "2026-11-21"]))
            #expect(pair.status == .created, "\(pair.body.string)")
            let pairID = try #require(try pair.json()["id"] as? String)
            #expect(try await t.api(.POST, "/api/v1/brands/pairs/\(pairID)/activities", token: zhibu, raw: #"{"day":"2026-11-21","title":"联学共建","text":"两支部联合开展主题党日"}"#).status == .created)

            // R-13: next year's re-review orders rectification with a deadline; the ledger gets the problem
            t.app.clock = .fixed(Day(iso: "2027-03-01")!)
            zhibu = try await t.token("zhibu"); gongwei = try await t.token("gongwei"); jiguan = try await t.token("jiguan")
            let rr = ["outcome": "rectify", "comment": "品牌活动开展不经常", "deadline": "2027-04-30"]
            #expect(try await t.api(.POST, "/api/v1/brands/\(id)/reviews", token: zhibu, raw: try Self.json(rr)).status == .forbidden)
            let noDeadline = try await t.api(.POST, "/api/v1/brands/\(id)/reviews", token: gongwei, raw: #"{"outcome":"rectify","comment":"x"}"#)
            #expect(noDeadline.status == .unprocessableEntity && noDeadline.errorFields["deadline"] != nil)
            let rect = try await t.api(.POST, "/api/v1/brands/\(id)/reviews", token: gongwei, raw: try Self.json(rr))
            #expect(rect.status == .ok, "\(rect.body.string)")
            #expect(try await state(t, id) == "rectifying")
            let problem = try #require(try await ProblemModel.query(on: t.db).filter(\.$source == ProblemSource.brand.rawValue).first())
            #expect(problem.sourceID == id && problem.deadline == "2027-04-30")
            // rectifying twice is out of turn
            #expect(try await t.api(.POST, "/api/v1/brands/\(id)/reviews", token: gongwei, raw: try Self.json(rr)).status == .conflict)
            let b = try #require(try await BrandModel.find(UUID(uuidString: id)!, on: t.db))
            #expect(try await BrandFollowUpService.flags(for: [b], today: Day(iso: "2027-04-30")!, on: t.db).first?.proposeRevocation == false)
            #expect(try await BrandFollowUpService.flags(for: [b], today: Day(iso: "2027-05-01")!, on: t.db).first?.proposeRevocation == true)

            // past the deadline: revoked; nothing moves it any more and it leaves the public pages
            t.app.clock = .fixed(Day(iso: "2027-05-05")!)
            gongwei = try await t.token("gongwei")
            let rev = try await t.api(.POST, "/api/v1/brands/\(id)/reviews", token: gongwei, raw: #"{"outcome":"revoke","comment":"逾期未完成整改，取消品牌名称"}"#)
            #expect(rev.status == .ok, "\(rev.body.string)")
            #expect(try await state(t, id) == "revoked")
            #expect(try await t.api(.POST, "/api/v1/brands/\(id)/reviews", token: gongwei, raw: #"{"outcome":"confirm","comment":"x"}"#).status == .conflict)
            #expect(try await step(t, gongwei, id, ["action": "accept"]).status == .conflict)
            #expect(try await t.api(.GET, "/api/v1/public/brands/\(id)/comments").status == .notFound)

            // the archive holds every step in order
            let archive = try await t.api(.GET, "/api/v1/brands/\(id)/archive", token: gongwei)
            let kinds = (try JSONSerialization.jsonObject(with: Data(archive.body.string.utf8)) as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds == ["create", "cultivate", "submit", "return", "submit", "forward", "accept", "expert", "expert", "score", "score", "shortlist",
                              "comment", "suggestion", "name", "goals", "pair", "activity", "rectify", "revoke"], "\(kinds)")
            // every step is in the audit log too (R-2)
            #expect(try await AuditEntryModel.query(on: t.db).filter(\.$entityType == "brand").filter(\.$entityID == id).count() >= 15)
        }
    }

    /// Puts a brand straight into a state (for the checks that do not need the whole path).
    static func brand(_ t: TestApp, code: String, name: String, state: BrandState, namedOn: String? = nil) async throws -> BrandModel {
        let org = try await t.org(code)
        let anc = try await RatingService.ancestors(org.path, on: t.db)
        let unit = BrandService.unit(of: org, ancestors: anc)
        let b = BrandModel()
        b.id = UUID(); b.orgID = org.id!; b.orgPath = org.path; b.orgName = org.name; b.orgType = org.orgType.rawValue; b.unitPath = unit.path; b.unitName = unit.name
        b.name = name; b.theme = "主题"; b.connotation = "内涵"; b.state = state.rawValue; b.year = 2026; b.version = 0; b.createdBy = "测试"; b.namedOn = namedOn
        try await b.create(on: t.db)
        return b
    }

    /// API.md: a workflow step is a POST to an action under its resource. The same R-9 checks
    /// answer there: wrong state 409, wrong person 403, bad input 422 naming the field.
    @Test func r9_r12_eachStepIsAlsoAnActionUnderTheBrand() async throws {
        try await withTestApp { t in
            let zhibu = try await t.token("zhibu"), jiguan = try await t.token("jiguan"), gongwei = try await t.token("gongwei")
            let b = try await Self.brand(t, code: "ZR-B01", name: "窗口先锋", state: .cultivating)
            b.philosophy = "党建引领"; b.carriers = "先锋岗"; b.longPlan = "三年规划"; b.yearPlan = "年度计划"; b.achievements = "成效"
            try await b.save(on: t.db)
            let id = b.idString
            func act(_ tok: String, _ action: String, _ body: String? = nil) async throws -> TestingHTTPResponse {
                try await t.api(.POST, "/api/v1/brands/\(id)/\(action)", token: tok, raw: body)
            }
            #expect(try await act(gongwei, "submit").status == .forbidden)                 // not the owner
            #expect(try await act(zhibu, "accept").status == .conflict)                    // not yet submitted
            let submitted = try await act(zhibu, "submit")                                 // no body at all
            #expect(try submitted.status == .ok && submitted.json()["state"] as? String == "submitted", "\(submitted.body.string)")
            let noOpinion = try await act(jiguan, "forward", #"{"opinion":""}"#)
            #expect(try noOpinion.status == .unprocessableEntity && noOpinion.errorFields["opinion"] != nil, "\(noOpinion.body.string)")
            let badReason = try await act(jiguan, "return", #"{"reasons":["boring"]}"#)
            #expect(try badReason.status == .unprocessableEntity && badReason.errorFields["reasons"] != nil)
            let returned = try await act(jiguan, "return", #"{"reasons":["vague"],"note":"请提炼内涵"}"#)
            #expect(try returned.status == .ok && returned.json()["state"] as? String == "returned")
            #expect(try await act(zhibu, "submit", #"{"version":-1}"#).status == .unprocessableEntity)
            #expect(try await act(zhibu, "submit", #"{"version":99}"#).status == .conflict)   // stale version
            #expect(try await act(zhibu, "submit").status == .ok)
            #expect(try await act(jiguan, "forward", #"{"opinion":"同意报送"}"#).status == .ok)
            #expect(try await act(jiguan, "accept").status == .forbidden)                  // the committee's step
            let accepted = try await act(gongwei, "accept")
            #expect(try accepted.status == .ok && accepted.json()["state"] as? String == "preliminary")

            // POST /brands/{id}/name: only a candidate under review, only by the committee
            let decision = #"{"document":"江自然资党〔2026〕31号","decidedOn":"2026-11-20","title":"关于命名窗口先锋党建品牌的决定"}"#
            #expect(try await act(gongwei, "name", decision).status == .conflict)
            let r = try #require(try await BrandModel.find(b.id!, on: t.db)); r.state = BrandState.review.rawValue
            try await r.save(on: t.db)
            #expect(try await act(jiguan, "name", decision).status == .forbidden)
            let wrongYear = try await act(gongwei, "name", #"{"document":"江自然资党〔2025〕31号","decidedOn":"2026-11-20","title":"决定"}"#)
            #expect(try wrongYear.status == .unprocessableEntity && wrongYear.errorFields["document"] != nil, "\(wrongYear.body.string)")
            let named = try await act(gongwei, "name", decision)
            #expect(try named.status == .ok, "\(named.body.string)")
            #expect(try named.json()["state"] as? String == "named")
            #expect(try named.json()["namedOn"] as? String == "2026-11-20")
            #expect(try await BrandDecisionModel.query(on: t.db).filter(\.$document == "江自然资党〔2026〕31号").count() == 1)
            #expect(try await act(gongwei, "name", decision).status == .unprocessableEntity)   // the 文号 is used
            #expect(try await act(gongwei, "name", decision.replacingOccurrences(of: "31号", with: "32号")).status == .conflict)   // named once
        }
    }

    @Test func r11_theTwentyFirstCommentFromOneAddressWithinAMinuteIsRefused() async throws {
        try await withTestApp { t in
            let b = try await Self.brand(t, code: "ZR-B02", name: "规划惠民", state: .review)
            var statuses: [HTTPStatus] = []
            for i in 0..<21 {
                statuses.append(try await t.api(.POST, "/api/v1/public/brands/\(b.idString)/comments", raw: try Self.json(["rating": 4, "body": "评议\(i)"])).status)
            }
            #expect(statuses.prefix(20).allSatisfy { $0 == .created }, "\(statuses)")
            #expect(statuses.last == .tooManyRequests)
            #expect(try await BrandCommentModel.query(on: t.db).count() == 20)
            // a brand that is not public takes no comments
            let draft = try await Self.brand(t, code: "ZR-B03", name: "耕保卫士", state: .cultivating)
            #expect(try await t.api(.GET, "/api/v1/public/brands/\(draft.idString)/comments").status == .notFound)
        }
    }

    @Test func r13_aNamedBrandNotReReviewedByTheEndOfTheYearIsFlagged() async throws {
        try await withTestApp { t in
            let b = try await Self.brand(t, code: "ZR-B04", name: "监测之眼", state: .named, namedOn: "2025-06-01")
            let dec = Day(iso: "2026-12-31")!, jan = Day(iso: "2027-01-01")!
            #expect(try await BrandFollowUpService.flags(for: [b], today: dec, on: t.db).first?.overdueYear == nil)
            #expect(try await BrandFollowUpService.flags(for: [b], today: dec, on: t.db).first?.dueThisYear == true)
            #expect(try await BrandFollowUpService.flags(for: [b], today: jan, on: t.db).first?.overdueYear == 2026)
            // a confirming re-review in 2026 clears it
            t.app.clock = .fixed(Day(iso: "2026-12-15")!)
            let gongwei = try await t.token("gongwei")
            #expect(try await t.api(.POST, "/api/v1/brands/\(b.idString)/reviews", token: gongwei, raw: #"{"outcome":"confirm","comment":"品牌特色鲜明，继续确认"}"#).status == .ok)
            #expect(try await BrandFollowUpService.flags(for: [b], today: jan, on: t.db).first?.overdueYear == nil)
        }
    }

    @Test func brandLogoIsAPictureByItsBytesAndServedSafely() async throws {
        try await withTestApp { t in
            let b = try await Self.brand(t, code: "ZR-B01", name: "先锋之光", state: .cultivating)
            let zhibu = try await t.token("zhibu")
            let svg = #"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>"#
            let refused = try await t.api(.PUT, "/api/v1/brands/\(b.idString)/logo", token: zhibu, raw: svg, contentType: HTTPMediaType(type: "image", subType: "png"))
            #expect(refused.status == .unprocessableEntity && refused.errorFields["file"] != nil)
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]) + Data(repeating: 1, count: 64)
            let ok = try await t.app.testing().sendRequest(.PUT, "/api/v1/brands/\(b.idString)/logo", beforeRequest: { req in
                req.headers.bearerAuthorization = BearerAuthorization(token: zhibu)
                req.headers.contentType = HTTPMediaType(type: "image", subType: "png")
                req.body = ByteBuffer(data: png)
            })
            #expect(ok.status == .ok, "\(ok.body.string)")
            let got = try await t.api(.GET, "/api/v1/brands/\(b.idString)/logo", token: zhibu)
            #expect(got.headers.contentType?.description == "image/png" && got.headers.first(name: "X-Content-Type-Options") == "nosniff")
            // not public before it is a candidate
            #expect(try await t.api(.GET, "/api/v1/public/brands/\(b.idString)/logo").status == .notFound)
            let big = Data([0xFF, 0xD8, 0xFF]) + Data(repeating: 0, count: (2 << 20) + 10)
            let tooBig = try await t.app.testing().sendRequest(.PUT, "/api/v1/brands/\(b.idString)/logo", beforeRequest: { req in
                req.headers.bearerAuthorization = BearerAuthorization(token: zhibu)
                req.headers.contentType = HTTPMediaType(type: "image", subType: "jpeg")
                req.body = ByteBuffer(data: big)
            })
            #expect(tooBig.status == .payloadTooLarge)
        }
    }
}
