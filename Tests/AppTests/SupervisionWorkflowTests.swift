import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

/// Supervision and evaluation through the API and the pages (DOMAIN §7–§8): the problem
/// ledger escalating an org (R-22) and leaving the list on verified closes, the risk register
/// (R-23), 月晒季评年考, surveys answered by link, and award eligibility (R-24).
@Suite(.serialized) struct SupervisionWorkflowTests {
    static func json(_ v: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: v), as: UTF8.self) }
    static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

    func problem(_ t: TestApp, _ tok: String, org: String, aspect: String, found: String, deadline: String, expect: HTTPStatus = .created) async throws -> [String: Any] {
        let o = try await t.org(org)
        let res = try await t.api(.POST, "/api/v1/problems", token: tok, raw: try Self.json([
            "orgId": o.idString, "source": "spotCheck", "aspect": aspect, "description": "第一议题学习记录缺失", "foundOn": found,
            "deadline": deadline, "leader": "孙副局长", "measures": "补齐记录"]))
        #expect(res.status == expect, "\(res.body.string)")
        return try res.json()
    }

    func escalation(_ t: TestApp, _ tok: String, org: String) async throws -> [String: Any]? {
        let o = try await t.org(org)
        let body = try await t.api(.GET, "/api/v1/escalations?all=true", token: tok).body.string
        let list = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] ?? []
        return list.first { $0["orgId"] as? String == o.idString }
    }

    @Test func r22_anOverdueProblemEscalatesToALeaderThenWeakAndLaxAndLeavesOnlyWhenVerified() async throws {
        try await withTestApp { t in
            var gongwei = try await t.token("gongwei"), jiguan = try await t.token("jiguan")
            /// sessions end with the day, so a day later everyone logs in again
            func move(to day: String) async throws {
                t.app.clock = .fixed(Day(iso: day)!)
                gongwei = try await t.token("gongwei"); jiguan = try await t.token("jiguan")
            }
            t.app.clock = .fixed(Day(iso: "2026-11-21")!)
            let p = try await problem(t, gongwei, org: "ZR-B04", aspect: "political", found: "2026-11-21", deadline: "2026-12-31")
            let id = try #require(p["id"] as? String)
            #expect(try await escalation(t, gongwei, org: "ZR-B04")?["level"] as? String == "none")
            // one aspect past its deadline → a party-group leader with 3 months
            try await move(to: "2027-01-02")
            var e = try #require(try await escalation(t, gongwei, org: "ZR-B04"))
            #expect(try e["level"] as? String == "leader" && e["since"] as? String == "2027-01-01" && e["deadline"] as? String == "2027-04-01")
            let assigned = try await t.api(.POST, "/api/v1/orgs/\(try await t.org("ZR-B04").idString)/escalation", token: gongwei, raw: #"{"assignee":"孙副局长"}"#)
            #expect(try assigned.status == .ok && (try assigned.json())["assignee"] as? String == "孙副局长", "\(assigned.body.string)")
            // still unsolved after the 3 months → 软弱涣散 with 6 months
            try await move(to: "2027-04-02")
            e = try #require(try await escalation(t, gongwei, org: "ZR-B04"))
            #expect(try e["level"] as? String == "weak" && e["deadline"] as? String == "2027-10-02")
            #expect(e["assignee"] == nil)   // the work group of the new stage is still to be named
            // the org's own side asks for verification with evidence; the same person may not verify it
            #expect(try await t.api(.POST, "/api/v1/problems/\(id)/steps", token: jiguan, raw: #"{"step":"verify","text":"同意"}"#).status == .conflict)
            let up = try await t.api(.POST, "/api/v1/problems/\(id)/attachments?filename=%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A.pdf", token: jiguan,
                                     raw: String(decoding: Self.pdf, as: UTF8.self), contentType: HTTPMediaType(type: "application", subType: "pdf"))
            #expect(up.status == .created, "\(up.body.string)")
            let asked = try await t.api(.POST, "/api/v1/problems/\(id)/steps", token: jiguan, raw: #"{"step":"rectified","text":"已补齐全年学习记录"}"#)
            #expect(try asked.status == .ok && (try asked.json())["status"] as? String == "rectified", "\(asked.body.string)")
            #expect(try await escalation(t, gongwei, org: "ZR-B04")?["level"] as? String == "weak")   // asking is not leaving
            let own = try await t.api(.POST, "/api/v1/problems/\(id)/steps", token: jiguan, raw: #"{"step":"verify","text":"同意"}"#)
            #expect(try own.status == .forbidden && own.errorMessage.contains("申请人以外"))
            let ok = try await t.api(.POST, "/api/v1/problems/\(id)/steps", token: gongwei, raw: #"{"step":"verify","text":"经查验，同意销号"}"#)
            #expect(try ok.status == .ok && (try ok.json())["status"] as? String == "verified", "\(ok.body.string)")
            // every problem verified → off the list, with the whole history kept
            e = try #require(try await escalation(t, gongwei, org: "ZR-B04"))
            #expect(e["level"] as? String == "none")
            let history = (e["history"] as? [[String: Any]] ?? []).map { $0["level"] as? String ?? "" }
            #expect(history == ["leader", "weak", "none"])
            // a verified problem takes no more steps
            #expect(try await t.api(.POST, "/api/v1/problems/\(id)/steps", token: gongwei, raw: #"{"step":"progress","text":"再补充"}"#).status == .conflict)
        }
    }

    @Test func r22_problemLedgerRefusesBadInputStrangersAndStaleWrites() async throws {
        try await withTestApp { t in
            let gongwei = try await t.token("gongwei"), zhibu = try await t.token("zhibu")
            t.app.clock = .fixed(Day(iso: "2026-11-21")!)
            // 422 with the fields named
            let bad = try await t.api(.POST, "/api/v1/problems", token: gongwei, raw: try Self.json([
                "orgId": try await t.org("ZR-B04").idString, "source": "market_veto", "aspect": "x", "description": "", "foundOn": "2026-11-30", "deadline": "", "leader": ""]))
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(bad.errorFields.keys) == ["source", "aspect", "description", "foundOn", "deadline", "leader"], "\(bad.errorFields)")
            #expect(bad.errorFields["source"]?.contains("自动登记") == true)
            // 400: a body that is not JSON of the right shape, a filter value that is not one
            #expect(try await t.api(.POST, "/api/v1/problems", token: gongwei, raw: #"{"orgId": "#).status == .badRequest)
            let badFilter = try await t.api(.GET, "/api/v1/problems?status=bogus", token: gongwei)
            #expect(badFilter.status == .badRequest, "\(badFilter.body.string)")
            // 403: a branch secretary records no problems, and reads none of another branch
            _ = try await problem(t, zhibu, org: "ZR-B01", aspect: "service", found: "2026-11-01", deadline: "2026-12-31", expect: .forbidden)
            let p = try await problem(t, gongwei, org: "ZR-B04", aspect: "service", found: "2026-11-01", deadline: "2026-12-31")
            let id = try #require(p["id"] as? String)
            #expect(try await t.api(.GET, "/api/v1/problems/\(id)", token: zhibu).status == .forbidden)
            // 409: verifying what was not reported done; verifying without evidence; a stale version
            #expect(try await t.api(.POST, "/api/v1/problems/\(id)/steps", token: gongwei, raw: #"{"step":"verify","text":"同意"}"#).status == .conflict)
            let prog = try await t.api(.POST, "/api/v1/problems/\(id)/steps", token: gongwei, raw: #"{"step":"progress","text":"已约谈支部书记","version":0}"#)
            #expect(try prog.status == .ok && (try prog.json())["version"] as? Int == 1, "\(prog.body.string)")
            let stale = try await t.api(.POST, "/api/v1/problems/\(id)/steps", token: gongwei, raw: #"{"step":"progress","text":"重复提交","version":0}"#)
            #expect(try stale.status == .conflict && stale.errorFields["version"] != nil)
            _ = try await t.api(.POST, "/api/v1/problems/\(id)/steps", token: try await t.token("jiguan"), raw: #"{"step":"rectified","text":"已整改"}"#)
            let noEvidence = try await t.api(.POST, "/api/v1/problems/\(id)/steps", token: gongwei, raw: #"{"step":"verify","text":"同意"}"#)
            #expect(try noEvidence.status == .conflict && noEvidence.errorMessage.contains("佐证"))
            // an empty text says which field
            let empty = try await t.api(.POST, "/api/v1/problems/\(id)/steps", token: gongwei, raw: #"{"step":"reject","text":" "}"#)
            #expect(try empty.status == .unprocessableEntity && empty.errorFields["text"] == "请说明验收不通过的原因")
            // the steps are numbered once each
            #expect(try await ProblemStepModel.query(on: t.db).count() == 2)
            // another branch's secretary may not add evidence
            #expect(try await t.api(.POST, "/api/v1/problems/\(id)/attachments?filename=a.pdf", token: zhibu, raw: String(decoding: Self.pdf, as: UTF8.self)).status == .forbidden)
        }
    }

    @Test func r22_whatEscalationCountsFromStaysAsRecordedAndAUnitDoesNotVerifyItself() async throws {
        try await withTestApp { t in
            t.app.clock = .fixed(Day(iso: "2026-11-21")!)
            let gongwei = try await t.token("gongwei"), jiguan = try await t.token("jiguan")
            let p = try await problem(t, gongwei, org: "ZR-B04", aspect: "political", found: "2026-11-01", deadline: "2026-11-20")
            let id = try #require(p["id"] as? String)
            // the aspect and the day found stay; a deadline already passed cannot be moved away
            let body: [String: Any] = ["aspect": "business", "description": "改", "foundOn": "2026-11-02", "deadline": "2027-03-31", "leader": "孙副局长"]
            let r = try await t.api(.PUT, "/api/v1/problems/\(id)", token: gongwei, raw: try Self.json(body))
            #expect(r.status == .unprocessableEntity)
            #expect(Set(r.errorFields.keys) == ["aspect", "foundOn", "deadline"], "\(r.errorFields)")
            #expect(r.errorFields["deadline"] == "整改期限（2026-11-20）已过，不能再修改")
            // text and leader may be corrected
            let ok = try await t.api(.PUT, "/api/v1/problems/\(id)", token: gongwei, raw: try Self.json(["aspect": "political", "description": "第一议题学习记录缺失（补充）",
                                                                                                       "foundOn": "2026-11-01", "deadline": "2026-11-20", "leader": "李副局长"]))
            #expect(try ok.status == .ok && (try ok.json())["leader"] as? String == "李副局长", "\(ok.body.string)")
            // a problem recorded against the unit itself: its own officer may report progress, not verify
            let own = try await problem(t, gongwei, org: "ZR-JGDW", aspect: "strong", found: "2026-11-01", deadline: "2026-12-31")
            let oid = try #require(own["id"] as? String)
            _ = try await t.api(.POST, "/api/v1/problems/\(oid)/attachments?filename=a.pdf", token: jiguan, raw: String(decoding: Self.pdf, as: UTF8.self),
                                contentType: HTTPMediaType(type: "application", subType: "pdf"))
            #expect(try await t.api(.POST, "/api/v1/problems/\(oid)/steps", token: gongwei, raw: #"{"step":"rectified","text":"已整改"}"#).status == .ok)
            let selfVerify = try await t.api(.POST, "/api/v1/problems/\(oid)/steps", token: jiguan, raw: #"{"step":"verify","text":"同意"}"#)
            #expect(try selfVerify.status == .forbidden && selfVerify.errorMessage.contains("上级党组织"), "\(selfVerify.body.string)")
            // pending verification: the unit's side may not change the evidence, the committee may
            #expect(try await t.api(.POST, "/api/v1/problems/\(oid)/attachments?filename=b.pdf", token: jiguan, raw: String(decoding: Self.pdf, as: UTF8.self),
                                    contentType: HTTPMediaType(type: "application", subType: "pdf")).status == .conflict)
        }
    }

    @Test func r22_aRatingVetoArrivesInTheLedgerLinkedToItsSource() async throws {
        try await withTestApp { t in
            let gongwei = try await t.token("gongwei")
            var csv = "科室/站所,所属党支部,得分,排名,参评总数\n"
            for i in 1...40 { csv += "其他单位科室\(i),,\(99 - Double(i) * 0.3),\(i),42\n" }
            csv += "登记窗口,BDC-B01,80,41,42\n档案室,BDC-B05,70.5,42,42\n"
            #expect(try await t.api(.POST, "/api/v1/ratings/market/import?year=2026", token: gongwei, raw: csv, contentType: .plainText).status == .ok)
            let list = try await t.api(.GET, "/api/v1/problems?source=market_veto", token: gongwei).json()
            let items = list["items"] as? [[String: Any]] ?? []
            #expect(items.count == 1)
            #expect(try items.first?["sourceLabel"] as? String == "市场主体评一票否决" && items.first?["sourceId"] as? String == "2026")
            #expect(try items.first?["aspect"] as? String == "service" && items.first?["status"] as? String == "open")
        }
    }

    @Test func r23_riskRegisterFlagsPointsNotReviewedByTheEndOfJanuary() async throws {
        try await withTestApp { t in
            t.app.clock = .fixed(Day(iso: "2026-01-10")!)
            var jiguan = try await t.token("jiguan"); let zhibu = try await t.token("zhibu")
            let unit = try await t.org("ZR-JGDW")
            let body: [String: Any] = ["orgId": unit.idString, "post": "规划审批科科长", "process": "规划审批", "description": "违规调整容积率",
                                       "level": "high", "before": "集体研究", "owner": "刘海燕"]
            let created = try await t.api(.POST, "/api/v1/risks", token: jiguan, raw: try Self.json(body))
            #expect(created.status == .created, "\(created.body.string)")
            let id = try #require(try created.json()["id"] as? String)
            #expect(try created.json()["reviewFlagged"] as? Bool == false)   // January is still review time
            // no measure at all, no level: 422 with the fields
            var bad = body; bad["before"] = ""; bad["level"] = "severe"
            let r422 = try await t.api(.POST, "/api/v1/risks", token: jiguan, raw: try Self.json(bad))
            #expect(try r422.status == .unprocessableEntity && r422.errorFields["before"] != nil && r422.errorFields["level"] != nil)
            // a branch secretary reads but does not keep the register
            #expect(try await t.api(.POST, "/api/v1/risks", token: zhibu, raw: try Self.json(body)).status == .forbidden)
            // drawing it up was this year's review: not flagged in February; next February it is
            t.app.clock = .fixed(Day(iso: "2026-02-01")!)
            jiguan = try await t.token("jiguan")
            #expect(try await t.api(.GET, "/api/v1/risks/\(id)", token: jiguan).json()["reviewFlagged"] as? Bool == false)
            t.app.clock = .fixed(Day(iso: "2027-02-01")!)
            jiguan = try await t.token("jiguan")
            #expect(try await t.api(.GET, "/api/v1/risks/\(id)", token: jiguan).json()["reviewFlagged"] as? Bool == true)
            #expect(try await t.api(.GET, "/api/v1/risks?flagged=true", token: jiguan).body.string.contains(id))
            let m = try await t.api(.GET, "/api/v1/risks/matrix", token: jiguan).json()
            #expect(try m["flagged"] as? Int == 1 && (m["rows"] as? [[String: Any]])?.first?["high"] as? Int == 1)
            // reviewed: no longer flagged, until the February after
            let rev = try await t.api(.POST, "/api/v1/risks/\(id)/review", token: jiguan, raw: #"{"note":"措施有效"}"#)
            #expect(try rev.status == .ok && (try rev.json())["reviewFlagged"] as? Bool == false)
            #expect(try await t.api(.POST, "/api/v1/risks/\(id)/review", token: jiguan, raw: "{}").status == .conflict)   // once a day
            // stale edit
            var upd = body; upd["version"] = 0
            #expect(try await t.api(.PUT, "/api/v1/risks/\(id)", token: jiguan, raw: try Self.json(upd)).status == .conflict)
        }
    }

    @Test func aSurveyAnsweredTwiceWithTheSameLinkKeepsOneAnswer() async throws {
        try await withTestApp { t in
            let jiguan = try await t.token("jiguan")
            let unit = try await t.org("ZR-JGDW")
            let qs: [[String: Any]] = [["kind": "scale", "text": "服务态度", "options": [], "required": true],
                                       ["kind": "single", "text": "是否一次办成", "options": ["是", "否"], "required": true],
                                       ["kind": "text", "text": "建议", "options": [], "required": false]]
            let created = try await t.api(.POST, "/api/v1/surveys", token: jiguan, raw: try Self.json(["orgId": unit.idString, "year": 2026, "title": "满意度调查", "questions": qs]))
            #expect(created.status == .created, "\(created.body.string)")
            let id = try #require(try created.json()["id"] as? String)
            // links only once published
            #expect(try await t.api(.POST, "/api/v1/surveys/\(id)/links", token: jiguan, raw: #"{"count":2}"#).status == .created)
            let draftLinks = try await t.api(.GET, "/api/v1/surveys/\(id)/links", token: jiguan).body.string
            let draftToken = try #require((try JSONSerialization.jsonObject(with: Data(draftLinks.utf8)) as? [[String: Any]])?.first?["token"] as? String)
            #expect(try await t.api(.GET, "/api/v1/public/surveys/\(draftToken)").status == .notFound)   // a draft is not public
            #expect(try await t.api(.POST, "/api/v1/surveys/\(id)/open", token: jiguan).status == .ok)
            #expect(try await t.api(.PUT, "/api/v1/surveys/\(id)", token: jiguan, raw: try Self.json(["year": 2026, "title": "改", "questions": qs])).status == .conflict)
            // a bad answer names the question; nothing is stored
            let bad = try await t.api(.POST, "/api/v1/public/surveys/\(draftToken)", raw: #"{"answers":[["7"],[]]}"#)
            #expect(try bad.status == .unprocessableEntity && bad.errorFields["q1"] != nil && bad.errorFields["q2"] == "第2题为必答题")
            // answered once: kept; the same link again: refused, still one answer
            #expect(try await t.api(.POST, "/api/v1/public/surveys/\(draftToken)", raw: #"{"answers":[["5"],["0"],["很好"]]}"#).status == .created)
            let again = try await t.api(.POST, "/api/v1/public/surveys/\(draftToken)", raw: #"{"answers":[["1"],["1"],[]]}"#)
            #expect(again.status == .conflict)
            #expect(try await SurveyResponseModel.query(on: t.db).count() == 1)
            #expect(try await t.api(.GET, "/api/v1/public/surveys/\(draftToken)").json()["state"] as? String == "answered")
            // the same through the public page: the form comes back as "already submitted"
            let b = t.browser()
            let page = try await b.get("/public/surveys/\(draftToken)")
            #expect(page.body.string.contains("您的问卷已提交"))
            _ = try await b.post("/public/surveys/\(draftToken)", ["q1": "2", "q2": "1"])
            #expect(try await SurveyResponseModel.query(on: t.db).count() == 1)
            // results: satisfaction 100 from one 5
            let s = try await t.api(.GET, "/api/v1/surveys/\(id)", token: jiguan).json()
            #expect(try s["responses"] as? Int == 1 && s["satisfaction"] as? Double == 100)
            // strangers: an unknown token, a member managing surveys
            #expect(try await t.api(.GET, "/api/v1/public/surveys/nope").status == .notFound)
            #expect(try await t.api(.POST, "/api/v1/surveys/\(id)/close", token: try await t.token("dangyuan")).status == .forbidden)
            #expect(try await t.api(.POST, "/api/v1/surveys/\(id)/close", token: jiguan).status == .ok)
            #expect(try await t.api(.POST, "/api/v1/surveys/\(id)/close", token: jiguan).status == .conflict)
        }
    }

    @Test func aPublicAnswerThroughThePhoneFormCountsEveryTickedOption() async throws {
        try await withTestApp { t in
            let jiguan = try await t.token("jiguan")
            let unit = try await t.org("ZR-JGDW")
            let qs: [[String: Any]] = [["kind": "multiple", "text": "改进方面", "options": ["态度", "效率", "公开"], "required": true],
                                       ["kind": "scale", "text": "总体满意度", "options": [], "required": true]]
            let id = try #require(try await t.api(.POST, "/api/v1/surveys", token: jiguan, raw: try Self.json(["orgId": unit.idString, "year": 2026, "title": "问卷", "questions": qs])).json()["id"] as? String)
            _ = try await t.api(.POST, "/api/v1/surveys/\(id)/open", token: jiguan)
            let links = try await t.api(.POST, "/api/v1/surveys/\(id)/links", token: jiguan, raw: #"{"count":1,"label":"窗口"}"#).body.string
            let token = try #require((try JSONSerialization.jsonObject(with: Data(links.utf8)) as? [[String: Any]])?.first?["token"] as? String)
            let b = t.browser()
            _ = try await b.get("/public/surveys/\(token)")
            // a missing required answer comes back with the question marked
            let missing = try await b.post("/public/surveys/\(token)", ["q1": "0"])
            #expect(try missing.status == .unprocessableEntity && missing.body.string.contains("第2题为必答题"))
            // two boxes ticked: the browser sends q1 twice
            let res = try await b.postRaw("/public/surveys/\(token)", "q1=0&q1=2&q2=4")
            #expect(res.status == .seeOther || res.status == .found, "\(res.status) \(res.body.string.prefix(300))")
            let s = try await t.api(.GET, "/api/v1/surveys/\(id)", token: jiguan).json()
            let results = s["results"] as? [[String: Any]] ?? []
            #expect(results.first?["counts"] as? [Int] == [1, 0, 1])
            #expect(s["satisfaction"] as? Double == 75)
        }
    }

    @Test func monthlyReportsQuarterScoresAndThePublishedRanking() async throws {
        try await withTestApp { t in
            let zhibu = try await t.token("zhibu"), gongwei = try await t.token("gongwei"), jiguan = try await t.token("jiguan")
            t.app.clock = .fixed(Day(iso: "2026-11-03")!)
            let b01 = try await t.org("ZR-B01")
            // 月晒: October on time (before 5 November), December not yet
            let oct = try await t.api(.POST, "/api/v1/reports", token: zhibu, raw: try Self.json(["orgId": b01.idString, "year": 2026, "month": 10, "text": "十月开展主题党日"]))
            #expect(try oct.status == .created && (try oct.json())["state"] as? String == "onTime", "\(oct.body.string)")
            let dec = try await t.api(.POST, "/api/v1/reports", token: zhibu, raw: try Self.json(["orgId": b01.idString, "year": 2026, "month": 12, "text": "x"]))
            #expect(try dec.status == .unprocessableEntity && dec.errorFields["month"] == "不能报送尚未开始的月份")
            // another branch's report: 403
            let b02 = try await t.org("ZR-B02")
            #expect(try await t.api(.POST, "/api/v1/reports", token: zhibu, raw: try Self.json(["orgId": b02.idString, "year": 2026, "month": 10, "text": "x"])).status == .forbidden)
            // a September report sent on 3 November is late, and a correction keeps the first date
            t.app.clock = .fixed(Day(iso: "2026-11-06")!)
            let sep = try await t.api(.POST, "/api/v1/reports", token: zhibu, raw: try Self.json(["orgId": b01.idString, "year": 2026, "month": 9, "text": "九月"]))
            #expect((try sep.json())["state"] as? String == "late")
            let fix = try await t.api(.POST, "/api/v1/reports", token: zhibu, raw: try Self.json(["orgId": b01.idString, "year": 2026, "month": 10, "text": "十月（更正）"]))
            #expect(try (try fix.json())["state"] as? String == "onTime" && (try fix.json())["submittedOn"] as? String == "2026-11-03")
            // 季评: by the supervisors only; 0…100 with one decimal
            #expect(try await t.api(.PUT, "/api/v1/evaluations/quarters", token: zhibu, raw: try Self.json(["orgId": b01.idString, "year": 2026, "quarter": 3, "score": 90])).status == .forbidden)
            let badScore = try await t.api(.PUT, "/api/v1/evaluations/quarters", token: jiguan, raw: try Self.json(["orgId": b01.idString, "year": 2026, "quarter": 3, "score": 101]))
            #expect(try badScore.status == .unprocessableEntity && badScore.errorFields["score"] != nil)
            let negative = try await t.api(.PUT, "/api/v1/evaluations/quarters", token: jiguan, raw: try Self.json(["orgId": b01.idString, "year": 2026, "quarter": 3, "score": 90, "version": -1]))
            #expect(try negative.status == .unprocessableEntity && negative.errorFields["version"] != nil, "\(negative.body.string)")
            #expect(try await QuarterScoreModel.query(on: t.db).count() == 0)
            let q3 = try await t.api(.PUT, "/api/v1/evaluations/quarters", token: jiguan, raw: try Self.json(["orgId": b01.idString, "year": 2026, "quarter": 3, "score": 92.5, "comment": "扎实"]))
            #expect(q3.status == .ok, "\(q3.body.string)")
            #expect(try await t.api(.PUT, "/api/v1/evaluations/quarters", token: jiguan, raw: try Self.json(["orgId": b01.idString, "year": 2026, "quarter": 3, "score": 80, "version": 5])).status == .conflict)
            // 年考: weights must add up to 100 (committee only); the ranking puts B01 first
            let w = try await t.api(.PUT, "/api/v1/settings/assessment", token: gongwei, raw: #"{"reports":10,"quarters":50,"rating":20,"brand":10,"compliance":10,"satisfaction":10,"reportDueDay":5}"#)
            #expect(try w.status == .unprocessableEntity && w.errorFields["weights"] == "各项权重之和应为100，现为110")
            #expect(try await t.api(.PUT, "/api/v1/settings/assessment", token: jiguan, raw: #"{"reports":10,"quarters":40,"rating":20,"brand":10,"compliance":10,"satisfaction":10,"reportDueDay":5}"#).status == .forbidden)
            let a = try await t.api(.GET, "/api/v1/assessment?year=2026", token: gongwei).json()
            let rows = a["rows"] as? [[String: Any]] ?? []
            #expect(rows.first?["orgName"] as? String == b01.name, "\(rows.prefix(2))")
            #expect((rows.first?["parts"] as? [String: Any])?["quarters"] as? Double == 92.5)
            // published: frozen, visible to a member; before that, 404
            #expect(try await t.api(.GET, "/api/v1/assessment/published?year=2026", token: try await t.token("dangyuan")).status == .notFound)
            #expect(try await t.api(.POST, "/api/v1/assessment/publish", token: jiguan, raw: #"{"year":2026}"#).status == .forbidden)
            #expect(try await t.api(.POST, "/api/v1/assessment/publish", token: gongwei, raw: #"{"year":2026}"#).status == .created)
            let pub = try await t.api(.GET, "/api/v1/assessment/published?year=2026", token: try await t.token("dangyuan")).json()
            #expect((pub["rows"] as? [[String: Any]])?.first?["orgName"] as? String == b01.name)
        }
    }

    @Test func r24_theAwardsListGivesEachBranchAndMemberItsReasons() async throws {
        try await withTestApp { t in
            let gongwei = try await t.token("gongwei")
            // 2025 is a finished rating year in the demo (BDC-B04 at 1★)
            let a = try await t.api(.GET, "/api/v1/awards?year=2025", token: gongwei).json()
            let branches = a["branches"] as? [[String: Any]] ?? []
            let oneStar = try await t.org("BDC-B04")
            let low = try #require(branches.first { $0["orgId"] as? String == oneStar.idString })
            #expect(try low["eligible"] as? Bool == false && (low["reasons"] as? [String])?.first?.contains("1星") == true, "\(low)")
            let b01 = try #require(branches.first { $0["orgName"] as? String == "办公室党支部" })
            #expect(try b01["eligible"] as? Bool == true && (b01["priority"] as? [String])?.contains { $0.contains("5星") } == true, "\(b01)")
            // members follow their branch
            let members = a["members"] as? [[String: Any]] ?? []
            let inLow = members.filter { $0["orgId"] as? String == oneStar.idString }
            #expect(try !inLow.isEmpty && inLow.allSatisfy { $0["eligible"] as? Bool == false && ($0["reasons"] as? [String])?.first?.hasPrefix("所在支部") == true })
            // the list the awards committee works from
            let x = try await t.api(.GET, "/api/v1/awards/export.csv?year=2025", token: gongwei)
            #expect(try x.status == .ok && x.body.string.contains("不得推荐") && x.body.string.contains(oneStar.name))
            // a member may not see it
            #expect(try await t.api(.GET, "/api/v1/awards?year=2025", token: try await t.token("dangyuan")).status == .forbidden)
        }
    }
}
