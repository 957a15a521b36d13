import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

/// The pages of supervision and evaluation: forms keep what was typed and name each error
/// (422), posts redirect (303), refusals are 403, and the survey answers from a phone link.
@Suite(.serialized) struct SupervisionPageTests {
    @Test func r22_anOfficerRecordsAProblemAndTheOverviewListsTheEscalatedOrg() async throws {
        try await withTestApp { t in
            let b = try await t.login("gongwei")
            let b04 = try await t.org("ZR-B04")
            #expect(try await b.get("/problems/new").status == .ok)
            var f = ["org": b04.idString, "source": "spotCheck", "aspect": "political", "description": "学习记录<缺失>", "foundOn": "2026-11-21",
                     "deadline": "2026-11-01", "leader": "", "measures": ""]
            let bad = try await b.post("/problems/new", f)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("整改期限不能早于发现日期") && bad.body.string.contains("责任领导不能为空"))
            #expect(bad.body.string.contains("学习记录&lt;缺失&gt;"))   // kept, escaped
            f["deadline"] = "2026-12-31"; f["leader"] = "孙副局长"
            let ok = try await b.post("/problems/new", f)
            #expect(ok.status == .seeOther)
            let loc = try #require(ok.location)
            #expect(try await b.get(loc).body.string.contains("整改中"))
            // two more aspects at once: 软弱涣散 on the overview and the dashboard
            for a in ["service", "integrity"] {
                _ = try await b.get("/problems/new")
                f["aspect"] = a
                #expect(try await b.post("/problems/new", f).status == .seeOther)
            }
            let hub = try await b.get("/supervision").body.string
            #expect(hub.contains("esc-\(b04.idString)") && hub.contains("3个方面同时存在问题"))
            let home = try await b.get("/").body.string
            #expect(home.contains("id=\"weak-list\"") && home.contains(b04.name))
            // naming the work group
            let assigned = try await b.post("/orgs/\(b04.idString)/escalation", ["assignee": "组长 孙副局长"])
            #expect(assigned.status == .seeOther)
            #expect(try await b.get("/supervision").body.string.contains("组长 孙副局长"))
            // a branch secretary sees the ledger of their branch only, and records nothing
            let z = try await t.login("zhibu")
            #expect(try await z.get("/problems/new").status == .forbidden)
            #expect(try await z.get(loc).status == .forbidden)
            // a member has no supervision pages at all
            #expect(try await (try await t.login("dangyuan")).get("/supervision").status == .forbidden)
        }
    }

    @Test func r23_riskFormAndReviewOnThePage() async throws {
        try await withTestApp { t in
            t.app.clock = .fixed(Day(iso: "2026-03-01")!)
            let b = try await t.login("jiguan")
            let unit = try await t.org("ZR-JGDW")
            _ = try await b.get("/risks/new")
            let bad = try await b.post("/risks/new", ["org": unit.idString, "post": "科长", "process": "规划审批", "description": "违规调整规划条件", "level": "high", "owner": "刘海燕"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("请至少填写事前、事中、事后一项防控措施"))
            let ok = try await b.post("/risks/new", ["org": unit.idString, "post": "科长", "process": "规划审批", "description": "违规调整规划条件", "level": "high",
                                                    "owner": "刘海燕", "during": "双人复核"])
            #expect(ok.status == .seeOther)
            var page = try await b.get("/risks").body.string
            #expect(!page.contains("本年度未复核") && page.contains("规划审批"))   // drawn up this year
            t.app.clock = .fixed(Day(iso: "2027-02-02")!)
            let b2 = try await t.login("jiguan")
            page = try await b2.get("/risks").body.string
            #expect(page.contains("本年度未复核"))
            let r = try #require(try await RiskPointModel.query(on: t.db).first())
            #expect(try await b2.post("/risks/\(r.idString)/review").status == .seeOther)
            page = try await b2.get("/risks").body.string
            #expect(!page.contains("本年度未复核") && page.contains("2027-02-02"))
        }
    }

    @Test func evaluationPageReportsScoresWeightsAndTheAwardsList() async throws {
        try await withTestApp { t in
            let z = try await t.login("zhibu")
            let b01 = try await t.org("ZR-B01")
            #expect(try await z.get("/evaluation").status == .ok)
            let sent = try await z.post("/reports/new", ["org": b01.idString, "year": "2026", "month": "10", "text": "十月开展主题党日"])
            #expect(sent.status == .seeOther)
            #expect(try await z.get("/evaluation").body.string.contains("10月：逾期"))   // sent 21 November, due 5 November
            let g = try await t.login("gongwei")
            _ = try await g.get("/evaluation")
            #expect(try await g.post("/evaluation/quarters", ["org": b01.idString, "year": "2026", "quarter": "3", "score": "92.5"]).status == .seeOther)
            let page = try await g.get("/evaluation").body.string
            #expect(page.contains("92.5") && page.contains("<svg class=\"chart\""))
            // weights that do not add up come back with the reason
            _ = try await g.get("/settings/assessment")
            let w = try await g.post("/settings/assessment", ["reports": "10", "quarters": "50", "rating": "20", "brand": "10", "compliance": "10", "satisfaction": "10", "reportDueDay": "5"])
            #expect(w.status == .unprocessableEntity && w.body.string.contains("各项权重之和应为100，现为110"))
            // the awards list for last year, with its export
            let aw = try await g.get("/awards").body.string
            #expect(aw.contains("2025年度") && aw.contains("不得推荐"))
        }
    }

    @Test func aSurveyIsBuiltPublishedAndAnsweredFromItsLink() async throws {
        try await withTestApp { t in
            let b = try await t.login("jiguan")
            let unit = try await t.org("ZR-JGDW")
            let form = try await b.get("/surveys/new")
            #expect(form.status == .ok && form.body.string.contains("q0_text"))
            // one choice question with a single option: the builder says which and why
            let bad = try await b.post("/surveys/new", ["org": unit.idString, "year": "2026", "title": "满意度", "q0_kind": "single", "q0_text": "是否满意", "q0_options": "是"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("第1题（单选）至少需要两个选项"))
            let ok = try await b.post("/surveys/new", ["org": unit.idString, "year": "2026", "title": "满意度", "q0_kind": "scale", "q0_text": "服务态度", "q0_required": "1",
                                                      "q1_kind": "single", "q1_text": "是否一次办成", "q1_options": "是\n否", "q1_required": "1"])
            #expect(ok.status == .seeOther)
            let loc = try #require(ok.location)
            _ = try await b.get(loc)
            #expect(try await b.post(loc + "/open").status == .seeOther)
            _ = try await b.get(loc)
            #expect(try await b.post(loc + "/links", ["count": "2", "label": "窗口"]).status == .seeOther)
            let page = try await b.get(loc).body.string
            let token = try #require(page.range(of: #"/public/surveys/[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(page[$0]) })
            // the resident's phone: no login
            let r = t.browser()
            let pub = try await r.get(token)
            #expect(pub.status == .ok && pub.body.string.contains("是否一次办成"))
            #expect(try await r.post(token, ["q1": "5", "q2": "0"]).status == .seeOther)
            #expect(try await r.get(token).body.string.contains("您的问卷已提交"))
            // a body of nothing but "=" is a bad form, never a crash
            let odd = try await r.postRaw(token, "=")
            #expect(odd.status.code < 500)
            #expect(try await b.get(loc).body.string.contains("100.0"))
        }
    }
}
