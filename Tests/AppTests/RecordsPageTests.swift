import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

/// The pages of everyday records: forms keep what was typed and name each error (422),
/// successful posts redirect (303), refusals are 403, and the resident's pages work
/// without any login.
@Suite(.serialized) struct RecordsPageTests {
    @Test func r18_meetingFormNamesTheAbsenteeWithoutAReasonThenRedirectsToTheCalendar() async throws {
        try await withTestApp { t in
            let b = try await t.login("zhibu")
            let b01 = try await t.org("ZR-B01")
            let ms = try await OrgLifeService.eligible(b01, on: t.db)
            let form = try await b.get("/meetings/new?org=\(b01.idString)")
            #expect(form.status == .ok)
            #expect(form.body.string.contains("att.\(ms[0].idString)"))
            var f = ["org": b01.idString, "date": "2026-11-20", "type.study": "1", "topic": "集中学习<b>党章</b>", "minutes": ""]
            for m in ms.dropLast() { f["att.\(m.idString)"] = "1" }
            let bad = try await b.post("/meetings/new", f)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("请填写\(ms.last!.name)的缺席原因"))
            #expect(bad.body.string.contains("集中学习&lt;b&gt;党章&lt;/b&gt;"))   // kept, escaped
            f["reason.\(ms.last!.idString)"] = "病假"
            let ok = try await b.post("/meetings/new", f)
            #expect(ok.status == .seeOther)
            #expect(ok.location == "/orgs/\(b01.idString)/life?year=2026#m11")
            let cal = try await b.get("/orgs/\(b01.idString)/life?year=2026")
            #expect(cal.body.string.contains("集中学习&lt;b&gt;党章&lt;/b&gt;"))
            #expect(cal.body.string.contains("本月1/2"))
            // the overview draws the heat map; a member without officer rights is refused
            #expect(try await b.get("/meetings").body.string.contains("<svg class=\"heatmap\""))
            #expect(try await (try await t.login("dangyuan")).get("/meetings").status == .forbidden)
        }
    }

    @Test func r21_residentPostsAndRatesOnThePublicPagesWithoutLogin() async throws {
        try await withTestApp { t in
            let jgdw = try await t.org("ZR-JGDW")
            let ctx = Ctx(db: t.db, user: CurrentUser(id: UUID(), username: "t", displayName: "t", memberID: nil, scope: Scope(grants: [Grant(role: .admin, orgID: jgdw.idString, orgPath: "/")]), credentialStamp: ""),
                          actor: .init(id: nil, name: "测试", requestID: nil, ip: nil), now: t.app.clock.now())
            let c = try await CommunityService.create(["name": "黄河社区", "org": jgdw.idString], ctx: ctx)
            let resident = t.browser()
            let page = try await resident.get("/public/demands")
            #expect(page.status == .ok && page.body.string.contains("黄河社区"))
            let bad = try await resident.post("/public/demands", ["community": "", "title": "", "content": "", "name": "", "phone": ""])
            #expect(bad.status == .unprocessableEntity)
            for m in ["请选择所在社区", "请用一句话说明需求", "请描述具体需求", "请填写称呼", "请填写联系电话"] { #expect(bad.body.string.contains(m)) }
            let ok = try await resident.post("/public/demands", ["community": c.idString, "title": "<img src=x onerror=alert(1)>", "content": "路灯坏了", "name": "张阿姨", "phone": "13800001111"])
            #expect(ok.status == .seeOther)
            let loc = try #require(ok.location)
            let code = String(loc.dropFirst("/public/demands/".count).prefix(10))
            let track = try await resident.get(loc)
            #expect(track.body.string.contains(code))
            #expect(track.body.string.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(!track.body.string.contains("<img src=x"))
            #expect(!track.body.string.contains("13800001111"))
            // lookup by a wrong code is a 404 page with a message; the right one redirects
            #expect(try await resident.get("/public/demands/track?code=XXXX").status == .notFound)
            #expect(try await resident.get("/public/demands/track?code=\(code.lowercased())").location == "/public/demands/\(code)")
            // rating before it is done: refused (no form is offered; a forged post is 409 with a message)
            let early = try await resident.post("/public/demands/\(code)/rate", ["stars": "5"])
            #expect(early.status == .conflict)
            #expect(early.body.string.contains("未被记录"))
        }
    }

    @Test func settingsPageIsTheCommitteesAndNamesBadFields() async throws {
        try await withTestApp { t in
            let jiguan = try await t.login("jiguan")
            let view = try await jiguan.get("/settings/records")
            #expect(view.status == .ok && view.body.string.contains("设置由工委维护"))
            #expect(try await jiguan.post("/settings/records", ["rules.0.minCount": "1"]).status == .forbidden)
            let gongwei = try await t.login("gongwei")
            _ = try await gongwei.get("/settings/records")
            var f = RecordSettingsPageController.values(RecordSettings())
            f["rules.2.minCount"] = "0"
            f["finish"] = "abc"
            let bad = try await gongwei.post("/settings/records", f)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("办结时限应为整数"))
            f["finish"] = "5"
            let bad2 = try await gongwei.post("/settings/records", f)
            #expect(bad2.body.string.contains("次数应为1到31之间的整数"))
            f["rules.2.minCount"] = "1"
            f["orgLifeSince"] = "2026-01-01"
            #expect(try await gongwei.post("/settings/records", f).status == .seeOther)
            var s = try await RecordSettings.load(on: t.db)
            #expect(s.orgLifeRules[2].minCount == 1 && s.demandLimits.finish == 5 && s.orgLifeSince == "2026-01-01")
            // a custom preset, first mistyped, then saved and offered when assigning a task
            f["presetName"] = "信访件办理"
            f["presetStages"] = "受理登记，1，工作日，全部，决策\n办结，十五，工作日，全部，办结"
            let badPreset = try await gongwei.post("/settings/records", f)
            #expect(badPreset.status == .unprocessableEntity && badPreset.body.string.contains("第2个环节的时限应为1到250之间的整数"))
            f["presetStages"] = "受理登记，1，工作日，全部，决策\n办结，15，工作日，全部，办结\n核实销号，0，不限，全部，销号"
            #expect(try await gongwei.post("/settings/records", f).status == .seeOther)
            s = try await RecordSettings.load(on: t.db)
            #expect(s.presets.map(\.name) == ["信访件办理"])
            #expect(s.presets[0].stages.map(\.amount) == [1, 15, 0])
            #expect(try await gongwei.get("/tasks/new").body.string.contains("信访件办理"))
        }
    }

    @Test func listsTasksServiceAndPointsPagesWorkForTheSecretary() async throws {
        try await withTestApp { t in
            let b = try await t.login("zhibu")
            let b01 = try await t.org("ZR-B01")
            _ = try await b.get("/filings/new")
            // a list: bad, then saved as a draft, then filed
            let bad = try await b.post("/filings/new", ["org": b01.idString, "kind": "duties", "year": "2026", "title": "", "listKind": "org", "items": ""])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("请至少填写一项职责"))
            let ok = try await b.post("/filings/new", ["org": b01.idString, "kind": "duties", "year": "2026", "title": "2026年支部责任清单", "listKind": "org", "items": "落实三会一课\n发展党员"])
            #expect(ok.status == .seeOther)
            let fid = try #require(ok.location?.split(separator: "/").last.map(String.init))
            #expect(try await b.post("/filings/\(fid)/file").status == .seeOther)
            #expect(try await b.get("/filings/\(fid)").body.string.contains("逾期报送"))   // filed on 11-21 for a list due 01-10
            // a task
            let task = try await b.post("/tasks/new", ["org": b01.idString, "title": "整改台账", "source": "党组交办", "ownerName": "王建国", "preset": "13710", "start": "2026-11-20"])
            #expect(task.status == .seeOther)
            let tpage = try await b.get(task.location!)
            #expect(tpage.body.string.contains("3个工作日内首次反馈") && tpage.body.string.contains("2026-11-24"))
            // service hours recorded for a member are confirmed at once; the grid shows them
            let m = try await t.ordinaryMemberOfB01()
            let jgdw = try await t.org("ZR-JGDW")
            _ = try await t.api(.POST, "/api/v1/communities", token: try await t.token("jiguan"), raw: "{\"name\":\"黄河社区\",\"orgId\":\"\(jgdw.idString)\"}")
            let cid = try #require(try await CommunityModel.query(on: t.db).first()).idString
            let svcBad = try await b.post("/service", ["member": m.idString, "community": cid, "date": "2026-11-20", "hours": "abc", "activity": "巡逻"])
            #expect(svcBad.status == .unprocessableEntity && svcBad.body.string.contains("服务时长应为0到24之间的小时数"))
            #expect(try await b.post("/service", ["member": m.idString, "community": cid, "date": "2026-11-20", "hours": "2", "activity": "巡逻"]).status == .seeOther)
            #expect(try await b.get("/service").body.string.contains("h-met"))
            // points: an award that needs approval waits, and the secretary cannot approve it
            #expect(try await b.post("/points", ["member": m.idString, "rule": "award", "reason": "获表彰", "date": "2026-11-20"]).status == .seeOther)
            let pts = try await b.get("/points")
            #expect(pts.body.string.contains("须由他人审核"))
            // exports are spreadsheets of the same scoped lists
            let csv = try await b.get("/tasks/export.csv")
            #expect(csv.status == .ok && csv.body.string.contains("整改台账"))
            #expect(try await b.get("/meetings/compliance/export.xlsx?year=2026").status == .ok)
        }
    }

    @Test func meetingAndTaskFilesAreCheckedByContentAndScoped() async throws {
        try await withTestApp { t in
            let zhibu = try await t.token("zhibu")
            let b01 = try await t.org("ZR-B01")
            let ms = try await OrgLifeService.eligible(b01, on: t.db)
            let m = try await t.api(.POST, "/api/v1/meetings", token: zhibu, raw: String(decoding: try JSONSerialization.data(withJSONObject: [
                "orgId": b01.idString, "date": "2026-11-20", "types": ["study"], "topic": "学习", "attendees": ms.map(\.idString)]), as: UTF8.self))
            let mid = try #require(try m.json()["id"] as? String)
            let b = try await t.login("zhibu")
            _ = try await b.get("/meetings/\(mid)")
            // a text file named .pdf is refused by its content; a real PDF is kept
            let fake = try await b.upload("/meetings/\(mid)/upload", filename: "会议记录.pdf", data: Data("not a pdf".utf8))
            #expect(fake.status == .seeOther)
            #expect(try await AttachmentModel.query(on: t.db).filter(\.$ownerType == "meeting").count() == 0)
            _ = try await b.get("/meetings/\(mid)")
            #expect(try await b.upload("/meetings/\(mid)/upload", filename: "会议记录.pdf", data: RatingWorkflowTests.pdf).status == .seeOther)
            let page = try await b.get("/meetings/\(mid)")
            #expect(page.body.string.contains("会议记录.pdf"))
            let fid = try #require(try await AttachmentModel.query(on: t.db).filter(\.$ownerType == "meeting").first()).idString
            #expect(try await t.api(.GET, "/api/v1/attachments/\(fid)", token: zhibu).status == .ok)
            // another branch cannot read or add
            let zhibu2 = try await t.token("zhibu2")
            #expect(try await t.api(.GET, "/api/v1/attachments/\(fid)", token: zhibu2).status == .forbidden)
            #expect(try await t.api(.POST, "/api/v1/meetings/\(mid)/attachments?filename=x.pdf", token: zhibu2, raw: "%PDF-1.4 x", contentType: .pdf).status == .forbidden)
            // a task's owner adds evidence to her own task
            let liNa = try await t.member("李娜")
            let task = try await t.api(.POST, "/api/v1/tasks", token: zhibu, raw: String(decoding: try JSONSerialization.data(withJSONObject: [
                "orgId": b01.idString, "title": "整理台账", "source": "支委会", "ownerMemberId": liNa.idString, "start": "2026-11-20"]), as: UTF8.self))
            let tid = try #require(try task.json()["id"] as? String)
            let up = try await t.api(.POST, "/api/v1/tasks/\(tid)/attachments?filename=台账.pdf", token: try await t.token("dangyuan"), raw: "%PDF-1.4 evidence", contentType: .pdf)
            #expect(up.status == .created, "\(up.body.string)")
            #expect(try await t.api(.GET, "/api/v1/tasks/\(tid)/attachments", token: zhibu).body.string.contains("台账.pdf"))
        }
    }

    @Test func r20_communityContactConfirmsHoursThroughAOneTimeLink() async throws {
        try await withTestApp { t in
            let jgdw = try await t.org("ZR-JGDW")
            let c = try await t.api(.POST, "/api/v1/communities", token: try await t.token("jiguan"), raw: "{\"name\":\"黄河社区\",\"orgId\":\"\(jgdw.idString)\"}")
            let cid = try #require(try c.json()["id"] as? String)
            let rec = try await t.api(.POST, "/api/v1/service-records", token: try await t.token("dangyuan"),
                                      raw: "{\"communityId\":\"\(cid)\",\"date\":\"2026-11-14\",\"hours\":2,\"activity\":\"治安巡逻\"}")
            // the member never gets the link to her own hours; the branch's officers do, to send on
            #expect(try rec.json()["confirmUrl"] == nil || (try rec.json()["confirmUrl"] as? NSNull) != nil)
            let list = try await t.api(.GET, "/api/v1/service-records?status=pending", token: try await t.token("zhibu")).json()
            let link = try #require(((list["items"] as? [[String: Any]])?.first?["confirmUrl"]) as? String)
            // logged in as the member herself, the link refuses her
            let herself = try await t.login("dangyuan")
            _ = try await herself.get(link)
            #expect(try await herself.post(link, ["decision": "confirm", "contact": "孙书记"]).status == .forbidden)
            // the contact opens it without logging in, must give a name, then confirms
            let contact = t.browser()
            let page = try await contact.get(link)
            #expect(page.status == .ok && page.body.string.contains("治安巡逻") && page.body.string.contains("李娜"))
            #expect(try await contact.post(link, ["decision": "confirm", "contact": " "]).status == .unprocessableEntity)
            let done = try await contact.post(link, ["decision": "confirm", "contact": "孙书记"])
            #expect(done.status == .seeOther && done.location == "/public/service/done?ok=1")
            let r = try #require(try await ServiceRecordModel.query(on: t.db).first())
            #expect(r.statusValue == .confirmed && r.confirmedBy == "社区确认：孙书记")
            #expect(try await PointEntryModel.query(on: t.db).filter(\.$source == "service").count() == 1)
            // the link works once
            #expect(try await contact.get(link).status == .notFound)
        }
    }
}
