import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

/// The five-star pages as a browser uses them: forms that keep what was typed and name the
/// field on a 422, refused steps shown as a message, refusals of rights as 403, the public
/// complaint form (303/422/409/429), rating years, scheme versions, the 市场主体评 import page
/// and the year's star ledger.
@Suite(.serialized) struct RatingPageTests {
    let api = RatingWorkflowTests()

    @Test func r3_assessmentFormExplainsTheFifthStarAndKeepsWhatWasTyped() async throws {
        try await withTestApp { t in
            let b = try await t.login("zhibu")
            let b01 = try await t.org("ZR-B01")
            let list = try await b.get("/ratings")
            #expect(list.body.string.contains("开始2026年度报星"))
            // the list's body is kept per user (ShellPage): each session's forms still carry that session's CSRF token
            let other = try await t.login("zhibu")
            let again = try await other.get("/ratings")
            for (page, token) in [(list, b.csrf), (again, other.csrf)] {
                #expect(!page.body.string.contains(ShellPage.csrfMarker))
                #expect(page.body.string.components(separatedBy: "value=\"\(token)\"").count - 1 == 2, "the log-out form and the open-rating form")
            }
            #expect(b.csrf != other.csrf)
            let opened = try await b.post("/ratings/open", ["branchId": b01.idString, "year": "2026"])
            #expect(opened.status == .seeOther)
            let path = try #require(opened.location)
            let page = try await b.get(path)
            #expect(page.body.string.contains("平台判断：✔ 符合"), "computed criteria are pre-filled")
            // asking for the fifth star alone is refused with R-3's reason, and the typed answer stays
            let bad = try await b.post(path + "/assess", ["star_strong": "1", "text_strong.term": "按期换届", "do": "submit"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("支部过硬星"))
            #expect(bad.body.string.contains("按期换届"))
            let r = try #require(try await RatingModel.query(on: t.db).filter(\.$branchID == b01.id!).filter(\.$year == 2026).first())
            #expect(r.stage == "draft")
            // saving a draft is fine with nothing requested yet
            #expect(try await b.post(path + "/assess", ["do": "save"]).status == .seeOther)
            #expect(try await b.get(path).body.string.contains("已保存"))
        }
    }

    @Test func r4_reviewPageShowsARefusedStepAndSendsOutsidersTo403() async throws {
        try await withTestApp { t in
            let id = try await api.apply(t, secretary: "zhibu", branch: "ZR-B01", stars: Array(Star.firstFour).sorted())
            // the party group is not next: a refusal of rights goes to the error page
            let dz = try await t.login("dangzu")
            try await dz.get("/ratings/\(id)")
            #expect(try await dz.post("/ratings/\(id)/decide", ["keep_political": "1"]).status == .forbidden)
            // the organ committee's worklist has it; its page shows the review form
            let jg = try await t.login("jiguan")
            #expect(try await jg.get("/ratings").body.string.contains("办公室党支部"))
            let page = try await jg.get("/ratings/\(id)")
            #expect(page.body.string.contains("机关党委提出建议"))
            // a return without a reason is refused on the page, nothing changes
            let noReason = try await jg.post("/ratings/\(id)/decide", ["do": "return", "reason": " "])
            #expect(noReason.status == .seeOther)
            #expect(try await jg.get("/ratings/\(id)").body.string.contains("退回须说明理由"))
            #expect(try await RatingModel.find(UUID(uuidString: id), on: t.db)?.stage == "submitted")
            // a stale version (someone else decided meanwhile) is a message, not an error page
            let stale = try await jg.post("/ratings/\(id)/decide", ["keep_political": "1", "keep_business": "1", "keep_service": "1", "keep_integrity": "1", "version": "1"])
            #expect(stale.status == .seeOther)
            #expect(try await jg.get("/ratings/\(id)").body.string.contains("已被他人处理"))
            // the proposal itself
            #expect(try await jg.post("/ratings/\(id)/decide", ["keep_political": "1", "keep_business": "1", "keep_service": "1", "keep_integrity": "1", "comment": "同意"]).status == .seeOther)
            #expect(try await RatingModel.find(UUID(uuidString: id), on: t.db)?.stage == "unitProposed")
            // another unit's officer may not even read it
            let zx = try await t.login("zhongxin")
            #expect(try await zx.get("/ratings/\(id)").status == .forbidden)
        }
    }

    @Test func r5_publicComplaintFormAnswers303_422_409And429() async throws {
        try await withTestApp { t in
            let (gongwei, jiguan, dangzu) = (try await t.token("gongwei"), try await t.token("jiguan"), try await t.token("dangzu"))
            let four = Array(Star.firstFour)
            let id = try await api.apply(t, secretary: "zhibu", branch: "ZR-B01", stars: four.sorted())
            _ = try await api.decide(t, jiguan, id, four)
            _ = try await api.decide(t, dangzu, id, four)
            _ = try await api.decide(t, gongwei, id, four)
            let gw = try await t.org("JZ-SZGW")
            let created = try await t.api(.POST, "/api/v1/notices", token: gongwei, raw: try RatingWorkflowTests.json(
                ["title": "2026年度四星党支部候选对象公示", "orgId": gw.idString, "year": 2026, "startDate": "2026-11-23"]))
            let nid = try #require(try created.json()["id"] as? String)
            let visitor = t.browser()
            // before the notice starts: the page shows it, a complaint is refused (409)
            let before = try await visitor.get("/public/notices/\(nid)")
            #expect(before.status == .ok)
            #expect(before.body.string.contains("办公室党支部"))
            #expect(!before.body.string.contains("complaint-form"), "no form before the notice starts")
            try await visitor.get("/login")   // a session and its form token, as a stale open tab would have
            let early = try await visitor.post("/public/notices/\(nid)", ["ratingId": id, "contact": "13900000000", "body": "反映一个具体问题，请核查。"])
            #expect(early.status == .conflict)
            t.app.clock = .fixed(Day(iso: "2026-11-24")!)
            // missing contact and too short a text: 422 naming both, typed text kept
            let bad = try await visitor.post("/public/notices/\(nid)", ["ratingId": id, "contact": "", "body": "短"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("联系方式不能为空"))
            #expect(bad.body.string.contains(">短</textarea>"))
            // a valid complaint without a name: filed, then a confirmation page (a refresh files nothing); stored raw, shown escaped
            let ok = try await visitor.post("/public/notices/\(nid)", ["ratingId": id, "contact": "13900000000", "body": "<b>学习记录</b>存在补记情况，请核查。"])
            #expect(ok.status == .seeOther, "post/redirect/get")
            #expect(ok.location == "/public/notices/\(nid)?filed=1#complaint")
            #expect(try await visitor.get("/public/notices/\(nid)?filed=1").body.string.contains("已收到您的问题反映"))
            let stored = try #require(try await ComplaintModel.query(on: t.db).first())
            #expect(stored.body == "<b>学习记录</b>存在补记情况，请核查。" && stored.name == nil)
            let officer = try await t.login("gongwei")
            let shown = try await officer.get("/notices/\(nid)").body.string
            #expect(shown.contains("&lt;b&gt;学习记录") && !shown.contains("<b>学习记录"))
            // 5 attempts per IP per hour, whatever their outcome (409, 422, 303 so far): two more, then the sixth is 429
            for _ in 0..<2 { _ = try await visitor.post("/public/notices/\(nid)", ["ratingId": id, "contact": "13900000000", "body": "补充反映：会议记录不完整。"]) }
            let sixth = try await visitor.post("/public/notices/\(nid)", ["ratingId": id, "contact": "13900000000", "body": "补充反映：会议记录不完整。"])
            #expect(sixth.status == .tooManyRequests)
            #expect(sixth.body.string.contains("每小时最多提交5次"))
            #expect(try await ComplaintModel.query(on: t.db).count() == 3)
        }
    }

    @Test func ratingYearPageOpensAYearOnceAndNamesBadFields() async throws {
        try await withTestApp { t in
            let b = try await t.login("gongwei")
            let page = try await b.get("/ratings/setup")
            #expect(page.status == .ok)
            let gw = try await t.org("JZ-SZGW")
            let scheme = try #require(try await SchemeModel.query(on: t.db).filter(\.$builtin == true).first())
            let bad = try await b.post("/ratings/years", ["orgId": gw.idString, "year": "1999", "schemeId": scheme.idString])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("年度应在2000到2100之间"))
            #expect(try await b.post("/ratings/years", ["orgId": gw.idString, "year": "2027", "schemeId": scheme.idString]).status == .seeOther)
            #expect(try await RoundModel.query(on: t.db).filter(\.$year == 2027).count() == 1)
            let again = try await b.post("/ratings/years", ["orgId": gw.idString, "year": "2027", "schemeId": scheme.idString])
            #expect(again.status == .conflict)
            #expect(again.body.string.contains("2027年度评星已经开启"))
            #expect(try await RoundModel.query(on: t.db).filter(\.$year == 2027).count() == 1)
            // a branch secretary has no set-up page
            #expect(try await (try await t.login("zhibu")).get("/ratings/setup").status == .forbidden)
        }
    }

    @Test func schemePagesCopyAndEditMakeANewVersionAndLeaveBoundYearsAlone() async throws {
        try await withTestApp { t in
            let builtin = try #require(try await SchemeModel.query(on: t.db).filter(\.$builtin == true).first())
            // only an administrator maintains schemes
            let gw = try await t.login("gongwei")
            try await gw.get("/schemes/\(builtin.idString)")
            #expect(try await gw.post("/schemes/\(builtin.idString)/copy", ["name": "某县方案"]).status == .forbidden)
            let admin = try await t.login("admin")
            #expect(try await admin.get("/schemes/\(builtin.idString)/edit").status == .conflict, "the built-in scheme is read-only")
            try await admin.get("/schemes/\(builtin.idString)")
            let noName = try await admin.post("/schemes/\(builtin.idString)/copy", ["name": " "])
            #expect(noName.status == .unprocessableEntity)
            #expect(noName.body.string.contains("方案名称不能为空"))
            let copied = try await admin.post("/schemes/\(builtin.idString)/copy", ["name": "江州市五星支部创建方案"])
            #expect(copied.status == .seeOther)
            let edit = try #require(copied.location)
            let form = try await admin.get(edit)
            #expect(form.body.string.contains("保存为第2版"))
            // the form's own values, with a bad notice period and a number that is not one
            var f = Self.formValues(form.body.string)
            f["noticeWorkingDays"] = "3"
            f["spotCheckSampleSize"] = "abc"
            let bad = try await admin.post(edit, f)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("不少于5个工作日"))
            #expect(bad.body.string.contains("县级抽查数量应为整数"))
            #expect(bad.body.string.contains("value=\"abc\""), "typed value kept")
            // a valid edit: drop the first political criterion, add one, change the sample size
            f["noticeWorkingDays"] = "7"
            f["spotCheckSampleSize"] = "3"
            f["c_political_0_text"] = ""
            let n = RatingScheme.nanyang.criteria(of: .political).count
            f["c_political_\(n)_text"] = "每季度开展一次专题党课"
            let saved = try await admin.post(edit, f)
            #expect(saved.status == .seeOther, "\(saved.body.string.prefix(400))")
            let family = try await SchemeModel.query(on: t.db).filter(\.$name == "江州市五星支部创建方案").sort(\.$version).all()
            #expect(family.map(\.version) == [1, 2])
            let v2 = family[1].scheme, v1 = family[0].scheme
            #expect(v2.chain.noticeWorkingDays == 7 && v2.chain.spotCheckSampleSize == 3)
            #expect(v2.criteria(of: .political).count == n)
            #expect(v2.criteria(of: .political).last?.text == "每季度开展一次专题党课")
            #expect(!v2.criteria(of: .political).contains { $0.key == "political.study" })
            #expect(v1 == RatingScheme.nanyang.renamed("江州市五星支部创建方案"), "version 1 unchanged")
            // computed checks survive the round trip
            #expect(v2.criteria(of: .strong).filter { $0.check != nil }.count == RatingScheme.nanyang.criteria(of: .strong).filter { $0.check != nil }.count)
            // an older version cannot be edited any more
            #expect(try await admin.post(edit, f).status == .conflict)
            // the years bound to the built-in scheme still use it
            #expect(try await RoundModel.query(on: t.db).all().allSatisfy { $0.schemeID == builtin.id })
        }
    }

    @Test func r6_marketImportPageIsAllOrNothingWithRowErrors() async throws {
        try await withTestApp { t in
            let b = try await t.login("gongwei")
            let form = try await b.get("/ratings/market/import?year=2026")
            #expect(form.body.string.contains("name=\"year\" value=\"2026\""))
            let bad = try await b.upload("/ratings/market/import", filename: "m.csv", data: Data("科室/站所,所属党支部,得分,排名\nA,NOPE,80,1\nB,,abc,2\n".utf8))
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("找不到党支部“NOPE”"))
            #expect(bad.body.string.contains("得分应为0到100之间的数字"))
            #expect(try await MarketScoreModel.query(on: t.db).count() == 0)
            var csv = "科室/站所,所属党支部,得分,排名,参评总数\n"
            for i in 1...40 { csv += "其他单位科室\(i),,\(99 - Double(i) * 0.3),\(i),42\n" }
            csv += "登记窗口,BDC-B01,80,41,42\n档案室,BDC-B05,70.5,42,42\n"
            // the form posts the year beside the file; the upload helper sends only the file, so the year is today's (2026)
            let ok = try await b.upload("/ratings/market/import", filename: "m.csv", data: Data(csv.utf8))
            #expect(ok.status == .ok)
            #expect(ok.body.string.contains("导入成功：共导入 42 行"))
            #expect(ok.body.string.contains("限星1个，一票否决1个"))
            let page = try await b.get("/ratings/market?year=2026").body.string
            #expect(page.contains("一票否决") && page.contains("整改期限 2027-02-19"))
            // a unit officer sees the results but may not import
            let zx = try await t.login("zhongxin")
            #expect(try await zx.get("/ratings/market?year=2026").status == .ok)
            #expect(try await zx.get("/ratings/market/import?year=2026").status == .forbidden)
        }
    }

    @Test func r5_yearLedgerPageListsEveryStarChange() async throws {
        try await withTestApp { t in
            // given a 2025 final rating in the demo, the committee removes a star with a reason
            let final = try #require(try await RatingModel.query(on: t.db).filter(\.$year == 2025).filter(\.$stage == "final").all()
                .first { StarSet(stored: $0.currentStars).contains(.integrity) && !StarSet(stored: $0.currentStars).contains(.strong) })
            let b = try await t.login("gongwei")
            try await b.get("/ratings/\(final.idString)")
            let res = try await b.post("/ratings/\(final.idString)/ledger", ["change": "remove", "star": "integrity", "date": "2025-12-10", "reason": "巡察发现违规问题"])
            #expect(res.status == .seeOther)
            let ledger = try await b.get("/ratings/ledger?year=2025").body.string
            #expect(ledger.contains("巡察发现违规问题"))
            #expect(ledger.contains("减星：清廉高效星"))
            #expect(ledger.contains(final.branchName))
            // a refused change (a reason is required) is a message on the rating page and writes nothing
            try await b.get("/ratings/\(final.idString)")
            #expect(try await b.post("/ratings/\(final.idString)/ledger", ["change": "add", "star": "integrity", "date": "2025-12-11", "reason": ""]).status == .seeOther)
            #expect(try await LedgerEntryModel.query(on: t.db).count() == 1)
        }
    }

    /// Every named input, select and textarea of a rendered form with its current value.
    static func formValues(_ html: String) -> [String: String] {
        var out: [String: String] = [:]
        func attr(_ tag: Substring, _ name: String) -> String? {
            guard let r = tag.range(of: " \(name)=\"") else { return nil }
            let rest = tag[r.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
        func unescape(_ s: String) -> String {
            s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
        }
        var rest = Substring(html)
        while let open = rest.range(of: "<") {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: ">") else { break }
            let tag = rest[..<close]
            if tag.hasPrefix("input"), let name = attr(tag, "name") {
                let type = attr(tag, "type") ?? "text"
                if type == "checkbox" { if tag.contains(" checked") { out[name] = attr(tag, "value") ?? "on" } }
                else if type != "file" && type != "submit" { out[name] = unescape(attr(tag, "value") ?? "") }
            } else if tag.hasPrefix("textarea"), let name = attr(tag, "name") {
                let body = rest[rest.index(after: close)...]
                if let end = body.range(of: "</textarea>") { out[name] = unescape(String(body[..<end.lowerBound])) }
            } else if tag.hasPrefix("select"), let name = attr(tag, "name") {
                let body = rest[rest.index(after: close)...]
                let end = body.range(of: "</select>")?.lowerBound ?? body.endIndex
                let options = body[..<end]
                var chosen: String?
                var first: String?
                var o = options
                while let r = o.range(of: "<option") {
                    o = o[r.upperBound...]
                    guard let c = o.firstIndex(of: ">") else { break }
                    let otag = o[..<c]
                    let v = attr(otag, "value") ?? ""
                    if first == nil { first = v }
                    if otag.contains(" selected") { chosen = v }
                }
                out[name] = chosen ?? first ?? ""
            }
        }
        out["_csrf"] = nil
        return out
    }
}

extension RatingScheme {
    func renamed(_ n: String) -> RatingScheme { var s = self; s.name = n; return s }
}
