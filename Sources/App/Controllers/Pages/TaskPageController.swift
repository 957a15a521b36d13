import Vapor
import Fluent
import Domain

/// 责任清单与任务 (R-16, R-17): what is waiting for the user, the yearly lists and their
/// filing status, the tasks with their 13710 stages, and the forms behind them.
struct TaskPageController {
    struct StageCell: Encodable { var label: String; var due: String?; var metOn: String?; var state: String; var stateLabel: String }
    struct TaskRow: Encodable { var id: String; var title: String; var org: String; var owner: String; var start: String; var status: String; var statusLabel: String; var overdue: [String]; var major: Bool }
    struct FilingRow: Encodable { var id: String; var org: String; var title: String; var kind: String; var status: String; var statusLabel: String }
    struct StatusRow: Encodable { var org: String; var duties: String; var dutiesLabel: String; var plan: String?; var planLabel: String?; var flagged: Bool }

    struct IndexPage: Encodable {
        var meta: PageMeta
        var year: Int
        var years: [SelectOption]
        var waiting: [TaskRow]
        var tasks: [TaskRow]
        var pager: Pager
        var filings: [FilingRow]
        var statuses: [StatusRow]
        var canWrite: Bool
        var due: String
    }

    static func row(_ t: TaskModel, stages: [TaskTimeline.Stage]) -> TaskRow {
        TaskRow(id: t.idString, title: t.title, org: t.orgName, owner: t.ownerName, start: t.startDate, status: t.status, statusLabel: t.statusValue.label,
                overdue: t.statusValue == .closed ? [] : stages.filter(\.state.flagged).map { "\($0.label)（\($0.due?.iso ?? "")到期）" }, major: t.major)
    }

    func index(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let year = try req.yearQuery(ctx)
        let paging = try Paging(req, defaultPer: 20)
        let settings = try await RecordSettings.load(on: req.db)
        let cal = try await CalendarService.calendar(req.application, db: req.db)
        let waiting = try await TaskService.waiting(ctx: ctx, settings: settings, calendar: cal)
            .filter { t, stages in stages.contains { $0.state.flagged } || (t.ownerMemberID != nil && t.ownerMemberID == ctx.user.memberID) || t.statusValue == .done }
        let canRead = ctx.scope.allows(.readRecords)
        var tasks: [TaskRow] = []
        var total = 0
        var filings: [FilingRow] = []
        var statuses: [StatusRow] = []
        if canRead {
            let (rows, n) = try await TaskService.list(ctx: ctx, filter: .init(orgID: nil, status: nil, mine: false), paging: paging)
            total = n
            for t in rows {
                let ev = try await TaskService.events(t, on: req.db)
                tasks.append(Self.row(t, stages: TaskService.timeline(t, events: ev, settings: settings, calendar: cal, today: ctx.today).stages))
            }
            filings = try await FilingService.list(ctx: ctx, year: year, org: nil).map {
                let dto = FilingDTO($0, today: ctx.today)
                return FilingRow(id: dto.id, org: dto.orgName, title: dto.title, kind: dto.kindLabel, status: dto.status, statusLabel: dto.statusLabel)
            }
            statuses = try await FilingService.statuses(year: year, today: ctx.today, ctx: ctx).map {
                StatusRow(org: $0.org.name, duties: $0.duties.rawValue, dutiesLabel: $0.duties.label, plan: $0.plan?.rawValue, planLabel: $0.plan?.label,
                          flagged: $0.duties.flagged || ($0.plan?.flagged ?? false))
            }
        }
        return try await req.view.render("tasks/index", IndexPage(
            meta: await PageMeta.make(req, title: "清单与任务", crumbs: [("清单与任务", nil)]), year: year, years: Options.years(selected: year, ctx: ctx),
            waiting: waiting.map { Self.row($0.0, stages: $0.1) }, tasks: tasks,
            pager: Pager(total: total, paging: paging, baseQuery: [("year", String(year))], path: "/tasks"),
            filings: filings, statuses: statuses, canWrite: ctx.scope.allows(.writeRecords), due: YearlyFiling.due(year: year).chinese))
    }

    // MARK: tasks

    struct TaskForm: Encodable {
        var meta: PageMeta; var form: FormState; var orgs: [SelectOption]; var presets: [SelectOption]; var lists: [SelectOption]; var members: [SelectOption]
    }
    static let taskKeys = ["org", "title", "source", "detail", "list", "owner", "ownerName", "preset", "major", "start"]

    func taskForm(_ req: Request, ctx: Ctx, values: [String: String], errors: FieldErrors) async throws -> TaskForm {
        let orgs = try await OrgLifePageController.writableOrgs(ctx: ctx)
        let settings = try await RecordSettings.load(on: req.db)
        let lists = try await FilingService.list(ctx: ctx, year: ctx.today.year, org: nil).filter { $0.kindValue == .duties }
        return TaskForm(meta: await PageMeta.make(req, title: "交办任务", crumbs: [("清单与任务", "/tasks"), ("交办任务", nil)]),
                        form: FormState(values: values, errors: errors, keys: Self.taskKeys),
                        orgs: Options.orgs(orgs, selected: values["org"]),
                        presets: settings.allPresets.map { SelectOption(value: $0.key, label: $0.name, selected: $0.key == (values["preset"] ?? "13710")) },
                        lists: lists.map { SelectOption(value: $0.idString, label: "\($0.orgName)：\($0.title)", selected: $0.idString == values["list"]) },
                        members: try await Options.members(ctx: ctx, selected: Set([values["owner"] ?? ""])))
    }

    func newTask(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.writeRecords, entity: "task")
        var values = ["start": ctx.today.iso, "preset": "13710"]
        if let own = ctx.scope.grants.first(where: { $0.role == .branchSecretary }) { values["org"] = own.orgID }
        return try await req.view.render("tasks/form", try await taskForm(req, ctx: ctx, values: values, errors: FieldErrors()))
    }

    func createTask(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            let t = try await TaskService.create(.init(orgRef: f["org"] ?? "", listRef: f["list"] ?? "", title: f["title"] ?? "", source: f["source"] ?? "", detail: f["detail"] ?? "",
                                                       ownerRef: f["owner"] ?? "", ownerName: f["ownerName"] ?? "", preset: f["preset"] ?? "13710",
                                                       major: Check.bool(f["major"]), start: f["start"] ?? ""), ctx: ctx)
            req.flash("已交办“\(t.title)”")
            return req.redirect(to: "/tasks/\(t.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await req.view.render("tasks/form", try await taskForm(req, ctx: ctx, values: f, errors: fe)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    struct ShowPage: Encodable {
        var meta: PageMeta; var t: TaskDTO; var stages: [StageCell]; var canOwner: Bool; var canOfficer: Bool; var actions: [SelectOption]; var presetName: String
        var files: [AttachmentService.FileRow]
        var canUpload: Bool
    }

    func show(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let t = try await TaskService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let dto = try await RecordAPIController.taskDTO(t, req: req, ctx: ctx)
        let officer = ctx.scope.allows(.writeRecords, at: t.orgPath)
        let owner = t.ownerMemberID != nil && t.ownerMemberID == ctx.user.memberID
        // the events the status allows and the user may record
        let allowed = TaskEventKind.allCases.filter { k in
            t.statusValue.after(k) != nil && ([.plan, .close, .reopen].contains(k) ? officer : (officer || owner)) && (k != .plan || t.major)
        }
        let settings = try await RecordSettings.load(on: req.db)
        return try await req.view.render("tasks/show", ShowPage(
            meta: await PageMeta.make(req, title: t.title, crumbs: [("清单与任务", "/tasks"), (t.title, nil)]), t: dto,
            stages: dto.stages.map { StageCell(label: $0.label, due: $0.due, metOn: $0.metOn, state: $0.state, stateLabel: $0.stateLabel) },
            canOwner: owner, canOfficer: officer, actions: allowed.map { SelectOption(value: $0.rawValue, label: $0.label, selected: false) },
            presetName: settings.preset(t.preset)?.name ?? t.preset, files: try await AttachmentService.files(ownerType: "task", ownerID: t.id!, on: req.db),
            canUpload: owner || officer))
    }

    func event(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let t = try await TaskService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let f = try req.formFields()
        return try await req.flashing(back: "/tasks/\(t.idString)") {
            guard let kind = TaskEventKind(rawValue: f["kind"] ?? "") else { throw AppError.validation(FieldErrors("kind", "请选择办理事项")) }
            let out = try await TaskService.record(t, kind: kind, text: f["text"] ?? "", planDue: f["planDue"], ctx: ctx)
            return "已记录“\(kind.label)”，任务当前\(out.statusValue.label)"
        }
    }

    // MARK: lists and plans

    struct FilingForm: Encodable {
        var meta: PageMeta; var form: FormState; var orgs: [SelectOption]; var kinds: [SelectOption]; var listKinds: [SelectOption]; var posts: [SelectOption]
        var years: [SelectOption]; var action: String; var isNew: Bool
    }
    static let filingKeys = ["org", "kind", "year", "title", "listKind", "post", "holder", "items"]

    func filingForm(_ req: Request, ctx: Ctx, values: [String: String], errors: FieldErrors, filing: FilingModel?) async throws -> FilingForm {
        let orgs = try await OrgLifePageController.writableOrgs(ctx: ctx)
        let year = Int(values["year"] ?? "") ?? ctx.today.year
        return FilingForm(meta: await PageMeta.make(req, title: filing == nil ? "新建清单或计划" : "修改\(filing!.title)", crumbs: [("清单与任务", "/tasks"), (filing?.title ?? "新建清单或计划", nil)]),
                          form: FormState(values: values, errors: errors, keys: Self.filingKeys), orgs: Options.orgs(orgs, selected: values["org"]),
                          kinds: FilingModel.Kind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == values["kind"]) },
                          listKinds: DutyListKind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == values["listKind"]) },
                          posts: DutyPost.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == values["post"]) },
                          years: Options.years(selected: year, ctx: ctx), action: filing.map { "/filings/\($0.idString)/edit" } ?? "/filings/new", isNew: filing == nil)
    }

    static func filingInput(_ f: [String: String], org: String) -> FilingService.Input {
        .init(orgRef: org, kind: f["kind"] ?? "", year: Int(f["year"] ?? "") ?? 0, title: f["title"] ?? "", listKind: f["listKind"] ?? "",
              post: f["post"] ?? "", holder: f["holder"] ?? "", items: (f["items"] ?? "").split(whereSeparator: \.isNewline).map(String.init))
    }

    func newFiling(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.writeRecords, entity: "filing")
        var values = ["year": String(ctx.today.year), "kind": (try? req.query.get(String.self, at: "kind")) ?? "duties", "listKind": "org"]
        if let own = ctx.scope.grants.first(where: { $0.role == .branchSecretary }) { values["org"] = own.orgID }
        return try await req.view.render("tasks/filing_form", try await filingForm(req, ctx: ctx, values: values, errors: FieldErrors(), filing: nil))
    }

    func createFiling(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            let m = try await FilingService.save(nil, Self.filingInput(f, org: f["org"] ?? ""), ctx: ctx)
            req.flash("已保存草稿“\(m.title)”，确认无误后请报送")
            return req.redirect(to: "/filings/\(m.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await req.view.render("tasks/filing_form", try await filingForm(req, ctx: ctx, values: f, errors: fe, filing: nil)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func editFiling(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let m = try await FilingService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeRecords)
        guard m.filedOn == nil else { throw AppError.conflict("已报送的清单不能再修改") }
        let values = ["org": m.orgID.uuidString.lowercased(), "kind": m.kind, "year": String(m.year), "title": m.title, "listKind": m.listKind ?? "",
                      "post": m.post ?? "", "holder": m.holder ?? "", "items": m.itemList.joined(separator: "\n")]
        return try await req.view.render("tasks/filing_form", try await filingForm(req, ctx: ctx, values: values, errors: FieldErrors(), filing: m))
    }

    func updateFiling(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let m = try await FilingService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeRecords)
        guard m.filedOn == nil else { throw AppError.conflict("已报送的清单不能再修改") }
        let f = try req.formFields()
        do {
            _ = try await FilingService.save(m, Self.filingInput(f, org: m.orgID.uuidString), ctx: ctx)
            req.flash("已保存“\(m.title)”")
            return req.redirect(to: "/filings/\(m.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await req.view.render("tasks/filing_form", try await filingForm(req, ctx: ctx, values: f, errors: fe, filing: m)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    struct FilingPage: Encodable { var meta: PageMeta; var f: FilingDTO; var canWrite: Bool; var postLabel: String?; var listKindLabel: String?; var due: String }

    func showFiling(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let m = try await FilingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return try await req.view.render("tasks/filing", FilingPage(
            meta: await PageMeta.make(req, title: m.title, crumbs: [("清单与任务", "/tasks"), (m.title, nil)]), f: FilingDTO(m, today: ctx.today),
            canWrite: ctx.scope.allows(.writeRecords, at: m.orgPath), postLabel: m.post.flatMap(DutyPost.init(rawValue:))?.label,
            listKindLabel: m.listKind.flatMap(DutyListKind.init(rawValue:))?.label, due: YearlyFiling.due(year: m.year).chinese))
    }

    func fileFiling(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let m = try await FilingService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeRecords)
        return try await req.flashing(back: "/filings/\(m.idString)") {
            let out = try await FilingService.file(m, ctx: ctx)
            return "已报送（\(YearlyFiling.status(year: out.year, filedOn: out.filedDay, today: ctx.today).label)）"
        }
    }

    func copyLastYear(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        let year = Int(f["year"] ?? "").flatMap { (2001...(ctx.today.year + 1)).contains($0) ? $0 : nil } ?? ctx.today.year
        return try await req.flashing(back: "/tasks?year=\(year)") {
            let n = try await FilingService.copyLastYear(to: year, ctx: ctx)
            return n == 0 ? "\(year - 1)年没有可复制的清单，或已全部复制" : "已将\(year - 1)年的\(n)份清单复制为\(year)年草稿，请修改后报送"
        }
    }
}
