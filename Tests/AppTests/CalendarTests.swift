import Foundation
import Testing
import VaporTesting
@testable import App

@Suite struct CalendarTests {
    @Test func r5_workingDaysEndpointAnswersTheSpecExample() async throws {
        try await withTestApp { t in
            let res = try await t.api(.GET, "/api/v1/calendar/working-days?from=2026-09-30&count=5")
            #expect(res.status == .ok)
            let dto = try res.content.decode(WorkingDaysDTO.self)
            #expect(dto.end == "2026-10-12")
            #expect(dto.days == ["2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12"])
            #expect(dto.from == "2026-09-30")
            #expect(dto.count == 5)
        }
    }

    @Test func r5_badCalendarQueriesAre400WithTheField() async throws {
        try await withTestApp { t in
            for (q, field) in [("from=2026-02-30&count=5", "from"), ("count=5", "from"), ("from=2026-09-30&count=0", "count"),
                               ("from=2026-09-30&count=abc", "count"), ("from=2026-09-30&count=9999", "count")] {
                let res = try await t.api(.GET, "/api/v1/calendar/working-days?" + q)
                #expect(res.status == .badRequest, "\(q)")
                #expect(res.errorFields[field] != nil, "\(q)")
            }
        }
    }

    @Test func r5_adminAddsAHolidayAndTheCalculationFollows() async throws {
        try await withTestApp { t in
            let admin = try await t.token("admin")
            let before = try await t.api(.GET, "/api/v1/calendar/working-days?from=2026-11-23&count=1").content.decode(WorkingDaysDTO.self)
            #expect(before.end == "2026-11-23")
            let put = try await t.api(.PUT, "/api/v1/calendar/days/2026-11-23", token: admin, json: ["kind": "holiday", "name": "测试假日"])
            #expect(put.status == .ok)
            let after = try await t.api(.GET, "/api/v1/calendar/working-days?from=2026-11-23&count=1").content.decode(WorkingDaysDTO.self)
            #expect(after.end == "2026-11-24")
            let badWorkday = try await t.api(.PUT, "/api/v1/calendar/days/2026-11-24", token: admin, json: ["kind": "workday", "name": "调休"])
            #expect(badWorkday.status == .unprocessableEntity)
            #expect(badWorkday.errorFields["kind"] == "调休上班日应是周六或周日")
            #expect(try await t.api(.DELETE, "/api/v1/calendar/days/2026-11-23", token: admin).status == .noContent)
            let back = try await t.api(.GET, "/api/v1/calendar/working-days?from=2026-11-23&count=1").content.decode(WorkingDaysDTO.self)
            #expect(back.end == "2026-11-23")
            #expect(try await t.auditCount(action: "calendar_set") == 1)
        }
    }

    @Test func calendarPageShowsTheYearAndTheCalculator() async throws {
        try await withTestApp { t in
            let b = try await t.login("zhibu")
            let html = try await b.get("/calendar?year=2026&from=2026-09-30&count=5").body.string
            #expect(html.contains("国庆节"))
            #expect(html.contains("2026-10-12"))
            #expect(!html.contains("添加或修改日期"), "only the admin edits")
            let admin = try await t.login("admin")
            #expect(try await admin.get("/calendar").body.string.contains("添加或修改日期"))
            #expect(try await admin.get("/calendar?year=2027").body.string.contains("尚未录入"))
        }
    }
}
