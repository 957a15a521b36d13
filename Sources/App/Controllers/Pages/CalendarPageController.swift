import Vapor
import Fluent
import Domain

struct CalendarPage: Encodable {
    struct Row: Encodable { var date: String; var weekday: String; var kind: String; var kindLabel: String; var name: String }
    var meta: PageMeta
    var year: Int
    var years: [SelectOption]
    var rows: [Row]
    var canEdit: Bool
    var form: FormState
    var calc: Calc?
    var calcFrom: String
    var calcCount: String
    var uncovered: Bool
    struct Calc: Encodable { var days: [String]; var end: String }
}

/// the working-day calendar, viewable by everyone, edited by the admin.
struct CalendarPageController {
    static let weekdays = ["", "周一", "周二", "周三", "周四", "周五", "周六", "周日"]

    func page(_ req: Request, form: FormState? = nil) async throws -> CalendarPage {
        let ctx = try req.ctx()
        let yearText = (try? req.query.get(String.self, at: "year")) ?? ""
        let year = Int(yearText).flatMap { (1900...2200).contains($0) ? $0 : nil } ?? ctx.today.year
        let cal = try await CalendarService.calendar(req.application, db: req.db)
        let entries = cal.allEntries.filter { $0.day.year == year }
        var calc: CalendarPage.Calc?
        let from = (try? req.query.get(String.self, at: "from")) ?? ""
        let count = (try? req.query.get(String.self, at: "count")) ?? ""
        if let d = Day(iso: from), let n = Int(count), (1...366).contains(n) {
            let days = cal.workingDays(from: d, count: n)
            calc = .init(days: days.map { "\($0.iso)（\(Self.weekdays[$0.weekday])）" }, end: days.last!.iso)
        }
        let covered = cal.coveredYears
        let years = Set(covered).union([ctx.today.year, ctx.today.year + 1, year]).sorted()
        return CalendarPage(meta: await PageMeta.make(req, title: "工作日历", crumbs: [("工作日历", nil)]), year: year,
                            years: years.map { SelectOption(value: String($0), label: "\($0)年", selected: $0 == year) },
                            rows: entries.map { .init(date: $0.day.iso, weekday: Self.weekdays[$0.day.weekday], kind: $0.kind.rawValue, kindLabel: $0.kind.label, name: $0.name) },
                            canEdit: ctx.scope.allows(.manageCalendar),
                            form: form ?? FormState(values: ["kind": "holiday"], keys: ["date", "kind", "name"]),
                            calc: calc, calcFrom: from.isEmpty ? ctx.today.iso : from, calcCount: count.isEmpty ? "5" : count,
                            uncovered: !covered.contains(year))
    }

    func show(_ req: Request) async throws -> View {
        try await req.view.render("calendar", try await page(req))
    }

    func set(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            let m = try await CalendarService.set(f, ctx: ctx, app: req.application)
            req.flash("已设置 \(m.date)")
            return req.redirect(to: "/calendar?year=\(m.date.prefix(4))")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            let view = try await req.view.render("calendar", try await page(req, form: FormState(values: f, errors: fe, keys: ["date", "kind", "name"])))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func remove(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let date = req.parameters.get("date") ?? ""
        try await CalendarService.remove(date, ctx: ctx, app: req.application)
        req.flash("已删除 \(date) 的日历项")
        return req.redirect(to: "/calendar?year=\(date.prefix(4))")
    }
}
