import Vapor
import Fluent
import NIOConcurrencyHelpers
import Domain

/// The working-day calendar lives in the database; a copy is cached in memory and
/// dropped whenever the admin edits it.
enum CalendarService {
    private struct CacheKey: StorageKey { typealias Value = NIOLockedValueBox<WorkingCalendar?> }

    static func cache(_ app: Application) -> NIOLockedValueBox<WorkingCalendar?> {
        if let c = app.storage[CacheKey.self] { return c }
        let c = NIOLockedValueBox<WorkingCalendar?>(nil)
        app.storage[CacheKey.self] = c
        return c
    }

    static func calendar(_ app: Application, db: any Database) async throws -> WorkingCalendar {
        let box = cache(app)
        if let c = box.withLockedValue({ $0 }) { return c }
        let rows = try await CalendarDayModel.query(on: db).all()
        let cal = WorkingCalendar(entries: rows.compactMap { r in
            guard let d = Day(iso: r.date), let k = WorkingCalendar.Kind(rawValue: r.kind) else { return nil }
            return .init(day: d, kind: k, name: r.name)
        })
        box.withLockedValue { $0 = cal }
        return cal
    }

    static func set(_ f: [String: String], ctx: Ctx, app: Application) async throws -> CalendarDayModel {
        guard ctx.scope.allows(.manageCalendar) else { throw await ctx.deny("只有系统管理员可以修改工作日历", entity: "calendar") }
        var e = FieldErrors()
        let day = Check.date(f["date"], "date", "日期", required: true, into: &e)
        let kind = f["kind"].flatMap { WorkingCalendar.Kind(rawValue: $0.trimmingSpaces) }
        if kind == nil { e.add("kind", "类型应为 holiday（放假）或 workday（调休上班）") }
        let name = Check.required(f["name"], "name", "节日名称", max: 20, into: &e)
        guard e.isEmpty, let day, let kind, let name else { throw AppError.validation(e) }
        if kind == .workday && !day.isWeekend { throw AppError.validation(FieldErrors("kind", "调休上班日应是周六或周日")) }
        let existing = try await CalendarDayModel.query(on: ctx.db).filter(\.$date == day.iso).first()
        let before = existing.map { ["date": $0.date, "kind": $0.kind, "name": $0.name] }
        let m = existing ?? CalendarDayModel()
        m.date = day.iso; m.kind = kind.rawValue; m.name = name
        try await ctx.db.transaction { db in
            try await m.save(on: db)
            try await ctx.audit(on: db, "calendar_set", "calendar", id: day.iso, label: "\(day.iso) \(kind.label)", orgID: nil, orgPath: nil,
                                before: before, after: ["date": m.date, "kind": m.kind, "name": m.name])
        }
        cache(app).withLockedValue { $0 = nil }
        return m
    }

    static func remove(_ dateText: String, ctx: Ctx, app: Application) async throws {
        guard ctx.scope.allows(.manageCalendar) else { throw await ctx.deny("只有系统管理员可以修改工作日历", entity: "calendar") }
        guard let day = Day(iso: dateText), let m = try await CalendarDayModel.query(on: ctx.db).filter(\.$date == day.iso).first() else {
            throw AppError.notFound("该日期没有日历项")
        }
        try await ctx.db.transaction { db in
            try await m.delete(on: db)
            try await ctx.audit(on: db, "calendar_remove", "calendar", id: day.iso, label: day.iso, orgID: nil, orgPath: nil,
                                before: ["date": m.date, "kind": m.kind, "name": m.name])
        }
        cache(app).withLockedValue { $0 = nil }
    }
}
