import Vapor
import Fluent
import Domain

/// Pages of organizational life (DOMAIN §5, R-18): the record form with its attendance
/// list, one org's compliance calendar, and the scope's heat map of months.
struct OrgLifePageController {
    struct TypeOption: Encodable { var value: String; var label: String; var checked: Bool; var usual: Bool }
    struct Attendee: Encodable { var id: String; var name: String; var present: Bool; var reason: String; var error: String? }

    struct FormPage: Encodable {
        var meta: PageMeta
        var form: FormState
        var orgs: [SelectOption]
        var org: String?
        var orgName: String?
        var types: [TypeOption]
        var attendees: [Attendee]
        var action: String
        var isNew: Bool
    }

    static let keys = ["org", "date", "topic", "place", "host", "minutes", "types", "attendees"]

    /// Orgs where the user may record: every active org in their writeRecords scope.
    static func writableOrgs(ctx: Ctx) async throws -> [OrgModel] {
        try await OrgModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .writeRecords), path: \.$path)
            .filter(\.$status == OrgStatus.active.rawValue).sort(\.$path).all()
    }

    static func input(_ f: [String: String], org: String) -> OrgLifeService.Input {
        var types: [String] = []
        var attendees: [String] = []
        var reasons: [String: String] = [:]
        for (k, v) in f {
            if k.hasPrefix("type."), !v.isEmpty { types.append(String(k.dropFirst(5))) }
            if k.hasPrefix("att."), !v.isEmpty { attendees.append(String(k.dropFirst(4))) }
            if k.hasPrefix("reason.") { reasons[String(k.dropFirst(7))] = v }
        }
        return .init(orgRef: org, date: f["date"] ?? "", types: types.sorted(), topic: f["topic"] ?? "", place: f["place"] ?? "", host: f["host"] ?? "",
                     minutes: f["minutes"] ?? "", attendees: attendees, reasons: reasons)
    }

    func formPage(_ req: Request, ctx: Ctx, org: OrgModel?, values: [String: String], checkedTypes: Set<String>, present: Set<String>?,
                  reasons: [String: String], errors: FieldErrors, meeting: MeetingModel?) async throws -> FormPage {
        let orgs = try await Self.writableOrgs(ctx: ctx)
        var attendees: [Attendee] = []
        if let org {
            for m in try await OrgLifeService.eligible(org, on: req.db) {
                let id = m.idString
                attendees.append(Attendee(id: id, name: m.name, present: present?.contains(id) ?? true, reason: reasons[id] ?? "", error: errors["reason.\(id)"]))
            }
        }
        let usual = Set(org.map { MeetingType.usual(for: $0.orgType) } ?? [])
        let types = MeetingType.allCases.sorted { (usual.contains($0) ? 0 : 1) < (usual.contains($1) ? 0 : 1) }.map {
            TypeOption(value: $0.rawValue, label: $0.label, checked: checkedTypes.contains($0.rawValue), usual: usual.contains($0))
        }
        let title = meeting == nil ? "记录组织生活" : "修改组织生活记录"
        var crumbs: [(String, String?)] = [("组织生活", "/meetings")]
        if let m = meeting { crumbs.append((m.topic, "/meetings/\(m.idString)")) }
        crumbs.append((title, nil))
        return FormPage(meta: await PageMeta.make(req, title: title, crumbs: crumbs),
                        form: FormState(values: values, errors: errors, keys: Self.keys),
                        orgs: Options.orgs(orgs, selected: org?.idString), org: org?.idString, orgName: org?.name, types: types, attendees: attendees,
                        action: meeting.map { "/meetings/\($0.idString)/edit" } ?? "/meetings/new", isNew: meeting == nil)
    }

    func newForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.writeRecords, entity: "meeting")
        var org: OrgModel?
        if let ref = try? req.query.get(String.self, at: "org"), !ref.isEmpty { org = try await OrgService.find(ref, ctx: ctx, for: .writeRecords) }
        else {
            let all = try await Self.writableOrgs(ctx: ctx)
            if all.count == 1 { org = all[0] }
            else if let own = ctx.scope.grants.first(where: { $0.role == .branchSecretary || $0.role == .groupLeader }) { org = all.first { $0.idString == own.orgID } }
        }
        let type = (try? req.query.get(String.self, at: "type")).flatMap(MeetingType.init(rawValue:))
        return try await req.view.render("meetings/form", try await formPage(req, ctx: ctx, org: org, values: ["date": ctx.today.iso, "host": org?.secretary ?? ""],
                                                                             checkedTypes: Set([type?.rawValue].compactMap { $0 }), present: nil, reasons: [:], errors: FieldErrors(), meeting: nil))
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        let input = Self.input(f, org: f["org"] ?? "")
        do {
            let m = try await OrgLifeService.create(input, ctx: ctx)
            return try await afterSave(req, m, ctx: ctx, verb: "已记录")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            let org = try? await OrgService.find(f["org"] ?? "", ctx: ctx, for: .writeRecords)
            let view = try await req.view.render("meetings/form", try await formPage(req, ctx: ctx, org: org, values: f, checkedTypes: Set(input.types),
                                                                                     present: Set(input.attendees), reasons: input.reasons, errors: fe, meeting: nil))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    /// Back to the org's calendar with the month's verdict, so the secretary sees the effect.
    func afterSave(_ req: Request, _ m: MeetingModel, ctx: Ctx, verb: String) async throws -> Response {
        if let org = try await OrgModel.find(m.orgID, on: req.db) {
            let settings = try await RecordSettings.load(on: req.db)
            let cal = try await OrgLifeService.calendar(org, year: m.day.year, settings: settings, today: ctx.today, on: req.db)
            let month = cal[m.day.month - 1]
            let verdict: String
            switch month.status {
            case .met: verdict = "\(m.day.month)月组织生活已达标"
            case .missing, .pending: verdict = month.rules.contains { $0.status == .missing || $0.status == .pending } ? "\(m.day.month)月尚缺：" + month.rules.filter { $0.status == .missing || $0.status == .pending }.map { "\($0.label)（\($0.detail)）" }.joined(separator: "、") : ""
            default: verdict = ""
            }
            req.flash("\(verb)“\(m.topic)”。" + verdict)
            return req.redirect(to: "/orgs/\(org.idString)/life?year=\(m.day.year)#m\(m.day.month)")
        }
        req.flash("\(verb)“\(m.topic)”")
        return req.redirect(to: "/meetings/\(m.idString)")
    }

    func editForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let m = try await OrgLifeService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeRecords)
        let org = try await OrgModel.find(m.orgID, on: req.db)
        let values = ["date": m.date, "topic": m.topic, "place": m.place ?? "", "host": m.host ?? "", "minutes": m.minutes ?? ""]
        return try await req.view.render("meetings/form", try await formPage(req, ctx: ctx, org: org, values: values, checkedTypes: Set(m.typeSet.map(\.rawValue)),
                                                                             present: Set(m.attendeeIDs), reasons: Dictionary(m.absenteeList.map { ($0.memberId, $0.reason) }, uniquingKeysWith: { a, _ in a }),
                                                                             errors: FieldErrors(), meeting: m))
    }

    func update(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let m = try await OrgLifeService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeRecords)
        let f = try req.formFields()
        let input = Self.input(f, org: m.orgID.uuidString)
        do {
            _ = try await OrgLifeService.update(m, input, ctx: ctx)
            return try await afterSave(req, m, ctx: ctx, verb: "已保存")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            let org = try await OrgModel.find(m.orgID, on: req.db)
            let view = try await req.view.render("meetings/form", try await formPage(req, ctx: ctx, org: org, values: f, checkedTypes: Set(input.types),
                                                                                     present: Set(input.attendees), reasons: input.reasons, errors: fe, meeting: m))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func delete(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let m = try await OrgLifeService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeRecords)
        try await OrgLifeService.delete(m, ctx: ctx)
        req.flash("已删除“\(m.topic)”，相应的参会积分已撤回")
        return req.redirect(to: "/orgs/\(m.orgID.uuidString.lowercased())/life?year=\(m.day.year)")
    }

    struct ShowPage: Encodable {
        var meta: PageMeta
        var m: MeetingDTO
        var attendees: [String]
        var canEdit: Bool
        var files: [AttachmentService.FileRow]
    }

    func show(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let m = try await OrgLifeService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let ids = m.attendeeIDs.compactMap(UUID.init(uuidString:))
        let names = ids.isEmpty ? [] : try await MemberModel.query(on: req.db).filter(\.$id ~~ ids).sort(\.$name).all().map(\.name)
        return try await req.view.render("meetings/show", ShowPage(meta: await PageMeta.make(req, title: m.topic, crumbs: [("组织生活", "/meetings"), (m.orgName, "/orgs/\(m.orgID.uuidString.lowercased())/life?year=\(m.day.year)"), (m.topic, nil)]),
                                                                  m: MeetingDTO(m), attendees: names, canEdit: ctx.scope.allows(.writeRecords, at: m.orgPath),
                                                                  files: try await AttachmentService.files(ownerType: "meeting", ownerID: m.id!, on: req.db)))
    }

    // MARK: one org's calendar

    struct RuleCell: Encodable { var label: String; var detail: String; var status: String; var statusLabel: String }
    struct MonthCell: Encodable { var month: Int; var status: String; var statusLabel: String; var rules: [RuleCell] }
    struct MeetingRow: Encodable { var id: String; var date: String; var types: String; var topic: String; var attendees: Int; var absent: Int }

    struct CalendarPage: Encodable {
        var meta: PageMeta
        var orgID: String
        var orgName: String
        var year: Int
        var years: [SelectOption]
        var months: [MonthCell]
        var share: String?
        var meetings: [MeetingRow]
        var canWrite: Bool
        var sinceNote: String?
        var rules: [String]
    }

    func orgCalendar(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .readRecords)
        let year = try req.yearQuery(ctx)
        let settings = try await RecordSettings.load(on: req.db)
        let months = try await OrgLifeService.calendar(org, year: year, settings: settings, today: ctx.today, on: req.db)
        let rows = try await MeetingModel.query(on: req.db).filter(\.$orgID == org.id!)
            .filter(\.$date >= "\(year)-01-01").filter(\.$date <= "\(year)-12-31").sort(\.$date, .descending).all()
        let share = OrgLifeCompliance.share(months).map { "\(Int(($0 * 100).rounded()))%" }
        let applicable = settings.orgLifeRules.filter { $0.enabled && $0.orgTypes.contains(org.orgType) }
        return try await req.view.render("meetings/calendar", CalendarPage(
            meta: await PageMeta.make(req, title: "\(org.name)组织生活", crumbs: [("组织生活", "/meetings"), (org.name, nil)]),
            orgID: org.idString, orgName: org.name, year: year, years: Options.years(selected: year, ctx: ctx),
            months: months.map { m in MonthCell(month: m.month, status: m.status.rawValue, statusLabel: m.status.label,
                                                rules: m.rules.filter { $0.status != .notApplicable }.map { RuleCell(label: $0.label, detail: $0.detail, status: $0.status.rawValue, statusLabel: $0.status.label) }) },
            share: share,
            meetings: rows.map { MeetingRow(id: $0.idString, date: $0.date, types: $0.typeSet.map(\.label).joined(separator: "、"), topic: $0.topic, attendees: $0.attendeeCount, absent: $0.absenteeList.count) },
            canWrite: ctx.scope.allows(.writeRecords, at: org.path),
            sinceNote: settings.since.map { "自\($0.year)年\($0.month)月起按平台记录计算，计入五星支部“支部过硬星”" },
            rules: applicable.map { "\($0.label)\($0.summary)" }))
    }
}

// MARK: the scope's overview
extension OrgLifePageController {
    struct HeatRow: Encodable { var orgID: String; var name: String; var share: String }
    struct OverviewPage: Encodable {
        var meta: PageMeta
        var year: Int
        var years: [SelectOption]
        var heatmap: String
        var rows: [HeatRow]
        var pager: Pager
        var recent: [MeetingRow]
        var canWrite: Bool
        var canSettings: Bool
        var monthRate: [String]
    }

    func overview(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.readRecords, entity: "meeting")
        let year = try req.yearQuery(ctx)
        let paging = try Paging(req, defaultPer: 30)
        let settings = try await RecordSettings.load(on: req.db)
        let (cals, total) = try await OrgLifeService.scopeCalendars(ctx: ctx, year: year, settings: settings, paging: paging)
        // compliance rate by month over the orgs on this page
        let monthRate = (0..<12).map { i -> String in
            let decided = cals.filter { [.met, .missing].contains($0.1[i].status) }
            guard !decided.isEmpty else { return "—" }
            return "\(Int((Double(decided.filter { $0.1[i].status == .met }.count) / Double(decided.count) * 100).rounded()))%"
        }
        let (recent, _) = try await OrgLifeService.list(org: nil, year: year, ctx: ctx, paging: Paging(page: 1, per: 10))
        return try await req.view.render("meetings/overview", OverviewPage(
            meta: await PageMeta.make(req, title: "组织生活", crumbs: [("组织生活", nil)]), year: year, years: Options.years(selected: year, ctx: ctx),
            heatmap: Heatmap.svg(rows: cals.map { ($0.0.orgType == .group ? "└ " + $0.0.name : $0.0.name, $0.1.map(\.status)) }, rates: monthRate, year: year),
            rows: cals.map { HeatRow(orgID: $0.0.idString, name: $0.0.name, share: OrgLifeCompliance.share($0.1).map { "\(Int(($0 * 100).rounded()))%" } ?? "—") },
            pager: Pager(total: total, paging: paging, baseQuery: [("year", String(year))], path: "/meetings"),
            recent: recent.map { MeetingRow(id: $0.idString, date: $0.date, types: $0.typeSet.map(\.label).joined(separator: "、"), topic: "\($0.orgName)：\($0.topic)", attendees: $0.attendeeCount, absent: $0.absenteeList.count) },
            canWrite: ctx.scope.allows(.writeRecords), canSettings: ctx.scope.allows(.manageRecordSettings), monthRate: monthRate))
    }
}

/// R-18 drawn on the server: orgs × months, one coloured cell per month.
enum Heatmap {
    static func esc(_ s: String) -> String { StarChart.esc(s) }

    static func colour(_ s: OrgLifeCompliance.Status) -> String {
        switch s {
        case .met: return "#3a9d5d"
        case .missing: return "#d64545"
        case .pending: return "#f2c14e"
        case .notDue, .notApplicable, .upcoming: return "#e5e7eb"
        }
    }

    /// `rates`: the month's compliance rate under each column ("100%", "—").
    static func svg(rows: [(String, [OrgLifeCompliance.Status])], rates: [String], year: Int) -> String {
        let label = 170, cell = 24, gap = 3, top = 22
        let width = label + 12 * (cell + gap)
        let height = top + rows.count * (cell + gap) + 50
        var s = "<svg class=\"heatmap\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(year)年各组织每月组织生活达标情况\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\">"
        for m in 1...12 { s += "<text x=\"\(label + (m - 1) * (cell + gap) + cell / 2)\" y=\"14\" text-anchor=\"middle\" fill=\"#6b7280\">\(m)</text>" }
        for (i, r) in rows.enumerated() {
            let y = top + i * (cell + gap)
            let name = r.0.count > 13 ? String(r.0.prefix(12)) + "…" : r.0
            s += "<text x=\"0\" y=\"\(y + 16)\" fill=\"#1f2937\">\(esc(name))</text>"
            for (j, st) in r.1.enumerated() {
                s += "<rect x=\"\(label + j * (cell + gap))\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" rx=\"4\" fill=\"\(colour(st))\"><title>\(esc(r.0)) \(j + 1)月：\(st.label)</title></rect>"
            }
        }
        let ry = top + rows.count * (cell + gap) + 12
        s += "<text x=\"0\" y=\"\(ry)\" fill=\"#4b5563\">月达标率</text>"
        for (j, r) in rates.enumerated() {
            s += "<text x=\"\(label + j * (cell + gap) + cell / 2)\" y=\"\(ry)\" text-anchor=\"middle\" font-size=\"9\" fill=\"#4b5563\">\(esc(r))</text>"
        }
        let ly = ry + 12
        var x = 0
        for (st, text) in [(OrgLifeCompliance.Status.met, "达标"), (.missing, "未达标"), (.pending, "进行中"), (.upcoming, "未开始或不计")] {
            s += "<rect x=\"\(x)\" y=\"\(ly)\" width=\"12\" height=\"12\" rx=\"2\" fill=\"\(colour(st))\"/><text x=\"\(x + 16)\" y=\"\(ly + 11)\" fill=\"#4b5563\">\(text)</text>"
            x += 70
        }
        return s + "</svg>"
    }
}
