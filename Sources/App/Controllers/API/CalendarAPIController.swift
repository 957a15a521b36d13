import Vapor
import Fluent
import Domain

struct CalendarAPIController {
    /// `GET /api/v1/calendar/working-days?from=YYYY-MM-DD&count=N` (API.md, R-5).
    func workingDays(_ req: Request) async throws -> WorkingDaysDTO {
        guard let fromText = try? req.query.get(String.self, at: "from"), !fromText.isEmpty else {
            throw AppError.badRequest("缺少参数 from（YYYY-MM-DD）", field: "from")
        }
        guard let from = Day(iso: fromText) else { throw AppError.badRequest("from 应为有效日期 YYYY-MM-DD", field: "from") }
        guard let countText = try? req.query.get(String.self, at: "count"), let count = Int(countText) else {
            throw AppError.badRequest("count 应为 1 到 366 之间的整数", field: "count")
        }
        guard (1...366).contains(count) else { throw AppError.badRequest("count 应为 1 到 366 之间的整数", field: "count") }
        let cal = try await CalendarService.calendar(req.application, db: req.db)
        guard from.year <= 9998 else { throw AppError.badRequest("from 超出可计算的日期范围（应早于 9999 年）", field: "from") }
        let days = cal.workingDays(from: from, count: count)
        return WorkingDaysDTO(from: from.iso, count: count, days: days.map(\.iso), end: days.last!.iso)
    }

    func days(_ req: Request) async throws -> [CalendarDayDTO] {
        _ = try req.user
        let q = CalendarDayModel.query(on: req.db).sort(\.$date)
        if let y = try? req.query.get(String.self, at: "year"), !y.isEmpty {
            guard let year = Int(y), (1900...2200).contains(year) else { throw AppError.badRequest("year 应为四位年份", field: "year") }
            q.filter(\.$date >= "\(year)-01-01").filter(\.$date <= "\(year)-12-31")
        }
        return try await q.all().map(Self.dto)
    }

    func put(_ req: Request) async throws -> CalendarDayDTO {
        let ctx = try req.ctx()
        let body = try req.content.decode(CalendarDayRequest.self)
        let m = try await CalendarService.set(["date": req.parameters.get("date") ?? "", "kind": body.kind, "name": body.name], ctx: ctx, app: req.application)
        return Self.dto(m)
    }

    func delete(_ req: Request) async throws -> HTTPStatus {
        let ctx = try req.ctx()
        try await CalendarService.remove(req.parameters.get("date") ?? "", ctx: ctx, app: req.application)
        return .noContent
    }

    static func dto(_ m: CalendarDayModel) -> CalendarDayDTO {
        CalendarDayDTO(date: m.date, kind: m.kind, kindLabel: WorkingCalendar.Kind(rawValue: m.kind)?.label ?? m.kind, name: m.name)
    }
}
