import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

/// Responsibility lists, 13710 tasks and community service hours
/// through the API, with their 403/409/422 answers.
@Suite(.serialized) struct TaskServiceTests {
    static func json(_ v: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: v), as: UTF8.self) }

    func filing(_ t: TestApp, _ tok: String, org: String, year: Int, title: String) async throws -> TestingHTTPResponse {
        let o = try await t.org(org)
        return try await t.api(.POST, "/api/v1/filings", token: tok, raw: try Self.json([
            "orgId": o.idString, "kind": "duties", "year": year, "title": title, "listKind": "post", "post": "branchSecretary", "holder": "王建国",
            "items": ["履行直接责任人职责，把全面从严治党落实到每名党员", "每季度向机关党委报告一次工作", ""]]))
    }

    @Test func r16_listFiledAfter10JanuaryIsFlaggedLate() async throws {
        try await withTestApp { t in
            let zhibu = try await t.token("zhibu")
            let jiguan = try await t.token("jiguan")
            t.app.clock = .fixed(Day(iso: "2026-01-12")!)
            // given a draft list of 办公室党支部, not yet filed on 12 January
            let res = try await filing(t, zhibu, org: "ZR-B01", year: 2026, title: "2026年党支部书记岗位责任清单")
            #expect(res.status == .created, "\(res.body.string)")
            let id = try #require(try res.json()["id"] as? String)
            #expect(try res.json()["items"] as? [String] == ["履行直接责任人职责，把全面从严治党落实到每名党员", "每季度向机关党委报告一次工作"])
            func b01Status() async throws -> [String: Any] {
                let all = try JSONSerialization.jsonObject(with: Data(try await t.api(.GET, "/api/v1/filings/status?year=2026", token: jiguan).body.string.utf8)) as? [[String: Any]] ?? []
                return try #require(all.first { $0["orgName"] as? String == "办公室党支部" })
            }
            var s = try await b01Status()
            #expect(s["duties"] as? String == "overdue" && s["flagged"] as? Bool == true)
            // another branch's secretary may not file it; the secretary files it late
            #expect(try await t.api(.POST, "/api/v1/filings/\(id)/file", token: try await t.token("zhibu2")).status == .forbidden)
            let filed = try await t.api(.POST, "/api/v1/filings/\(id)/file", token: zhibu)
            #expect(filed.status == .ok)
            #expect(try filed.json()["status"] as? String == "late")
            s = try await b01Status()
            #expect(s["duties"] as? String == "late" && s["flagged"] as? Bool == true)
            // filed lists are final
            #expect(try await t.api(.POST, "/api/v1/filings/\(id)/file", token: zhibu).status == .conflict)
            #expect(try await t.api(.PUT, "/api/v1/filings/\(id)", token: zhibu, raw: try Self.json(["orgId": "x", "kind": "duties", "year": 2026, "title": "x", "items": ["x"]])).status == .conflict)
        }
    }

    @Test func r16_badListNamesItsFieldsAndLastYearCopiesInOneAction() async throws {
        try await withTestApp { t in
            let zhibu = try await t.token("zhibu")
            let b01 = try await t.org("ZR-B01")
            let bad = try await t.api(.POST, "/api/v1/filings", token: zhibu, raw: try Self.json(["orgId": b01.idString, "kind": "duties", "year": 2026, "title": " ", "listKind": "post", "items": [" "]]))
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(bad.errorFields.keys) == ["title", "post", "items"])
            #expect(try await filing(t, zhibu, org: "ZR-B01", year: 2025, title: "2025年党支部书记岗位责任清单").status == .created)
            let copy = try await t.api(.POST, "/api/v1/filings/copy", token: zhibu, raw: try Self.json(["year": 2026]))
            #expect(copy.status == .ok)
            #expect(try copy.json()["copied"] as? Int == 1)
            let lists = try JSONSerialization.jsonObject(with: Data(try await t.api(.GET, "/api/v1/filings?year=2026", token: zhibu).body.string.utf8)) as? [[String: Any]] ?? []
            #expect(lists.map { $0["title"] as? String } == ["2026年党支部书记岗位责任清单"])
            #expect(lists.first?["status"] as? String == "draft")
            // a second copy adds nothing
            #expect(try await t.api(.POST, "/api/v1/filings/copy", token: zhibu, raw: try Self.json(["year": 2026])).json()["copied"] as? Int == 0)
        }
    }

    @Test func r17_13710TaskAcrossNationalDayFromAssignmentToClosure() async throws {
        try await withTestApp { t in
            let zhibu = try await t.token("zhibu")
            let dangyuan = try await t.token("dangyuan")
            let b01 = try await t.org("ZR-B01")
            let liNa = try await t.member("李娜")
            t.app.clock = .fixed(Day(iso: "2026-09-30")!)
            let res = try await t.api(.POST, "/api/v1/tasks", token: zhibu, raw: try Self.json([
                "orgId": b01.idString, "title": "整理群众反映的登记难问题清单", "source": "市场主体评反馈", "ownerMemberId": liNa.idString, "start": "2026-09-30"]))
            #expect(res.status == .created, "\(res.body.string)")
            let id = try #require(try res.json()["id"] as? String)
            let stages = try #require(try res.json()["stages"] as? [[String: Any]])
            #expect(stages.map { $0["due"] as? String } == ["2026-09-30", "2026-10-09", "2026-10-14", nil])
            // the owner decides the same day and reports on 10-09; she cannot close her own task
            #expect(try await t.api(.POST, "/api/v1/tasks/\(id)/events", token: dangyuan, raw: try Self.json(["kind": "decision", "text": "已研究，明确分工"])).status == .ok)
            t.app.clock = .fixed(Day(iso: "2026-10-09")!)
            #expect(try await t.api(.POST, "/api/v1/tasks/\(id)/events", token: dangyuan, raw: try Self.json(["kind": "feedback", "text": "已梳理12条"])).status == .ok)
            #expect(try await t.api(.POST, "/api/v1/tasks/\(id)/events", token: dangyuan, raw: try Self.json(["kind": "close"])).status == .forbidden)
            // closing before a report of done is out of turn; a blank report is refused
            #expect(try await t.api(.POST, "/api/v1/tasks/\(id)/events", token: zhibu, raw: try Self.json(["kind": "close"])).status == .conflict)
            let blank = try await t.api(.POST, "/api/v1/tasks/\(id)/events", token: dangyuan, raw: try Self.json(["kind": "done", "text": " "]))
            #expect(blank.status == .unprocessableEntity && blank.errorFields["text"] != nil)
            // on 10-15 the 7-day stage is overdue, and the list says so
            t.app.clock = .fixed(Day(iso: "2026-10-15")!)
            var detail = try await t.api(.GET, "/api/v1/tasks/\(id)", token: zhibu).json()
            #expect(detail["overdue"] as? Bool == true)
            #expect((detail["stages"] as? [[String: Any]])?.map { $0["state"] as? String } == ["met", "met", "overdue", "waiting"])
            // done late, then verified and closed by the branch
            #expect(try await t.api(.POST, "/api/v1/tasks/\(id)/events", token: dangyuan, raw: try Self.json(["kind": "done", "text": "清单已报机关党委"])).status == .ok)
            let closed = try await t.api(.POST, "/api/v1/tasks/\(id)/events", token: zhibu, raw: try Self.json(["kind": "close", "text": "核实完成"]))
            #expect(closed.status == .ok)
            detail = try closed.json()
            #expect(detail["status"] as? String == "closed")
            #expect((detail["stages"] as? [[String: Any]])?.map { $0["state"] as? String } == ["met", "met", "metLate", "met"])
            #expect(detail["overdue"] as? Bool == false)
            #expect(try await t.api(.POST, "/api/v1/tasks/\(id)/events", token: zhibu, raw: try Self.json(["kind": "reopen", "text": "x"])).status == .conflict)
            // an unknown kind names the field
            #expect(try await t.api(.POST, "/api/v1/tasks/\(id)/events", token: zhibu, raw: try Self.json(["kind": "nonsense"])).errorFields["kind"] != nil)
        }
    }

    @Test func r17_majorTaskWithApprovedPlanOwesMonthlyFeedback() async throws {
        try await withTestApp { t in
            let zhibu = try await t.token("zhibu")
            let b01 = try await t.org("ZR-B01")
            t.app.clock = .fixed(Day(iso: "2026-03-10")!)
            let res = try await t.api(.POST, "/api/v1/tasks", token: zhibu, raw: try Self.json([
                "orgId": b01.idString, "title": "推进不动产登记“一窗受理”改造", "source": "党组交办", "ownerName": "王建国", "major": true, "start": "2026-03-10"]))
            let id = try #require(try res.json()["id"] as? String)
            #expect((try res.json()["stages"] as? [[String: Any]])?[2]["due"] as? String == "2026-04-10")
            let plan = try await t.api(.POST, "/api/v1/tasks/\(id)/events", token: zhibu, raw: try Self.json(["kind": "plan", "text": "分三阶段推进", "planDue": "2026-08-31"]))
            #expect(plan.status == .ok, "\(plan.body.string)")
            #expect((try plan.json()["stages"] as? [[String: Any]])?[2]["due"] as? String == "2026-08-31")
            t.app.clock = .fixed(Day(iso: "2026-04-20")!)
            #expect(try await t.api(.POST, "/api/v1/tasks/\(id)/events", token: zhibu, raw: try Self.json(["kind": "feedback", "text": "第一阶段完成"])).status == .ok)
            t.app.clock = .fixed(Day(iso: "2026-06-10")!)
            let detail = try await t.api(.GET, "/api/v1/tasks/\(id)", token: zhibu).json()
            #expect(detail["missingMonthlyFeedback"] as? [String] == ["2026-05"])
            #expect(detail["overdue"] as? Bool == true)
        }
    }

    @Test func r20_serviceHoursConfirmedEarnPointsAndMeetTheMonth() async throws {
        try await withTestApp { t in
            let zhibu = try await t.token("zhibu")
            let dangyuan = try await t.token("dangyuan")
            let jgdw = try await t.org("ZR-JGDW")
            let b01 = try await t.org("ZR-B01")
            let liNa = try await t.member("李娜")
            let other = try await t.ordinaryMemberOfB01()
            let c = try await t.api(.POST, "/api/v1/communities", token: try await t.token("jiguan"), raw: try Self.json(["name": "黄河社区", "orgId": jgdw.idString]))
            let cid = try #require(try c.json()["id"] as? String)
            // the member records 1.5 h + 0.5 h in October (pending), the secretary confirms them
            var ids: [String] = []
            for (d, h) in [("2026-10-10", 1.5), ("2026-10-24", 0.5)] {
                let r = try await t.api(.POST, "/api/v1/service-records", token: dangyuan, raw: try Self.json(["communityId": cid, "date": d, "hours": h, "activity": "社区环境整治"]))
                #expect(r.status == .created, "\(r.body.string)")
                #expect(try r.json()["status"] as? String == "pending")
                ids.append(try #require(try r.json()["id"] as? String))
            }
            // bad input is named; another branch's secretary may not confirm; the member cannot confirm her own
            let bad = try await t.api(.POST, "/api/v1/service-records", token: dangyuan, raw: try Self.json(["communityId": "x", "date": "2026-12-01", "hours": 0, "activity": ""]))
            #expect(Set(bad.errorFields.keys) == ["community", "date", "hours", "activity"])
            // a huge or tiny number of hours is a field error, never a crash or a 0-minute record
            for h in [1e300, 0.001, 25] {
                let r = try await t.api(.POST, "/api/v1/service-records", token: dangyuan, raw: try Self.json(["communityId": cid, "date": "2026-10-10", "hours": h, "activity": "x"]))
                #expect(r.status == .unprocessableEntity && r.errorFields["hours"] != nil, "\(h)")
            }
            #expect(try await t.api(.POST, "/api/v1/service-records/\(ids[0])/confirm", token: try await t.token("zhibu2")).status == .forbidden)
            #expect(try await t.api(.POST, "/api/v1/service-records/\(ids[0])/confirm", token: dangyuan).status == .forbidden)
            for id in ids { #expect(try await t.api(.POST, "/api/v1/service-records/\(id)/confirm", token: zhibu).status == .ok) }
            #expect(try await t.api(.POST, "/api/v1/service-records/\(ids[0])/confirm", token: zhibu).status == .conflict)
            // the secretary's own entry for another member is confirmed at once: 1 hour only
            let one = try await t.api(.POST, "/api/v1/service-records", token: zhibu, raw: try Self.json(["memberId": other.idString, "communityId": cid, "date": "2026-10-12", "hours": 1, "activity": "政策宣讲"]))
            #expect(try one.json()["status"] as? String == "confirmed")
            // October: 李娜 met (2 h), the other member short (1 h); November still running
            let check = try await t.api(.GET, "/api/v1/orgs/\(b01.idString)/service-check?year=2026", token: zhibu).json()
            let rows = try #require(check["rows"] as? [[String: Any]])
            func oct(_ id: String) -> String? { ((rows.first { $0["memberId"] as? String == id }?["months"] as? [[String: Any]])?[9])?["status"] as? String }
            #expect(oct(liNa.idString) == "met")
            #expect(oct(other.idString) == "short")
            // service points per full hour of confirmed service: 1 (1.5 h) + 0 (0.5 h)
            let pts = try await PointEntryModel.query(on: t.db).filter(\.$memberID == liNa.id!).filter(\.$source == "service").all()
            #expect(pts.map(\.points).reduce(0, +) == 1)
        }
    }

    @Test func malformedBodiesAreA400NamingTheMissingField() async throws {
        try await withTestApp { t in
            let zhibu = try await t.token("zhibu")
            let b01 = try await t.org("ZR-B01")
            let cases: [(String, String, String)] = [
                ("/api/v1/tasks", "{\"orgId\":\"\(b01.idString)\",\"title\":\"x\",\"source\":\"y\"}", "start"),
                ("/api/v1/filings", "{\"orgId\":\"\(b01.idString)\",\"kind\":\"duties\",\"year\":2026,\"title\":\"x\"}", "items"),
                ("/api/v1/service-records", "{\"communityId\":\"x\",\"date\":\"2026-11-01\",\"activity\":\"x\"}", "hours"),
                ("/api/v1/points", "{\"memberId\":\"x\",\"reason\":\"x\",\"date\":\"2026-11-01\"}", "rule"),
                ("/api/v1/public/demands", "{\"communityId\":\"x\",\"title\":\"x\",\"content\":\"x\",\"name\":\"x\"}", "phone"),
            ]
            for (path, body, field) in cases {
                let res = try await t.api(.POST, path, token: path.contains("public") ? nil : zhibu, raw: body)
                #expect(res.status == .badRequest, "\(path): \(res.body.string)")
                #expect(res.errorMessage.contains(field) || res.errorFields[field] != nil, "\(path): \(res.body.string)")
            }
            // nothing was written
            #expect(try await TaskModel.query(on: t.db).count() == 0)
            #expect(try await FilingModel.query(on: t.db).count() == 0)
        }
    }
}
