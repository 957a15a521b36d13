import Vapor
import Fluent
import Domain

/// 督导整改 (DOMAIN §7): the overview with the escalation lists (R-22), the problem ledger
/// and one problem's page with its steps, evidence and verification.
struct SupervisionPageController {
    struct EscRow: Encodable {
        var orgId: String; var org: String; var level: String; var levelLabel: String; var since: String; var deadline: String; var overdue: Bool
        var open: Int; var aspects: String; var assignee: String?; var assigneeLabel: String; var canAssign: Bool
        var history: [EscalationEventDTO]
    }
    struct Card: Encodable { var label: String; var value: Int; var href: String; var tone: String }

    struct HubPage: Encodable {
        var meta: PageMeta; var cards: [Card]; var weak: [EscRow]; var leader: [EscRow]; var chart: String; var canSupervise: Bool
    }

    static func escRow(_ e: ProblemService.OrgEscalation, ctx: Ctx) -> EscRow {
        EscRow(orgId: e.orgID.uuidString.lowercased(), org: e.orgName, level: e.state.level.rawValue, levelLabel: e.state.level.label,
               since: e.state.since?.iso ?? "", deadline: e.state.deadline?.iso ?? "", overdue: e.state.overdue, open: e.open,
               aspects: e.state.openAspects.map(\.label).joined(separator: "、"), assignee: e.assignment?.assignee,
               assigneeLabel: e.state.level == .weak ? "工作组" : "包联领导", canAssign: ctx.scope.allows(.supervise, at: e.orgPath),
               history: EscalationDTO(e).history)
    }

    func hub(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.readSupervision, entity: "problem")
        let esc = try await ProblemService.escalations(ctx: ctx)
        let open = try await ProblemService.list(ctx: ctx, filter: .init(status: .open), paging: Paging(page: 1, per: 1)).1
        let waiting = try await ProblemService.list(ctx: ctx, filter: .init(status: .rectified), paging: Paging(page: 1, per: 1)).1
        let overdue = try await ProblemService.list(ctx: ctx, filter: .init(overdueOnly: true), paging: Paging(page: 1, per: 1)).1
        let risks = try await RiskService.list(ctx: ctx, filter: .init(flaggedOnly: true)).count
        let weak = esc.filter { $0.state.level == .weak }, leader = esc.filter { $0.state.level == .leader }
        let cards = [
            Card(label: "整改中的问题", value: open, href: "/problems?status=open", tone: open == 0 ? "ok" : "warn"),
            Card(label: "逾期未整改", value: overdue, href: "/problems?overdue=1", tone: overdue == 0 ? "ok" : "alert"),
            Card(label: "待验收", value: waiting, href: "/problems?status=rectified", tone: waiting == 0 ? "ok" : "warn"),
            Card(label: "党组领导包联", value: leader.count, href: "#leader", tone: leader.isEmpty ? "ok" : "warn"),
            Card(label: "软弱涣散党组织", value: weak.count, href: "#weak", tone: weak.isEmpty ? "ok" : "alert"),
            Card(label: "风险点\(ctx.today.year)年未复核", value: risks, href: "/risks?flagged=1", tone: risks == 0 ? "ok" : "alert"),
        ]
        // open problems per aspect
        let all = try await ProblemService.list(ctx: ctx, filter: .init(), paging: nil).0.filter { $0.statusValue != .verified }
        let bars = Star.allCases.map { a in
            let n = all.filter { $0.aspectValue == a }.count
            return BarChart.Bar(label: a.label, value: Double(n), text: "\(n)个")
        }
        return try await req.view.render("supervision/hub", HubPage(
            meta: await PageMeta.make(req, title: "督导整改", crumbs: [("督导整改", nil)]), cards: cards,
            weak: weak.map { Self.escRow($0, ctx: ctx) }, leader: leader.map { Self.escRow($0, ctx: ctx) },
            chart: all.isEmpty ? "" : BarChart.svg(bars, title: "各方面未销号问题"), canSupervise: ctx.scope.allows(.supervise)))
    }

    func assign(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .readSupervision)
        let f = try req.formFields()
        return try await req.flashing(back: "/supervision") {
            let a = try await ProblemService.assign(org: org, assignee: f["assignee"] ?? "", note: f["note"] ?? "", ctx: ctx)
            return "已为\(org.name)明确\(a.level == Escalation.Level.weak.rawValue ? "工作组" : "包联领导")：\(a.assignee)"
        }
    }

    // MARK: ledger

    struct Row: Encodable { var p: ProblemDTO }
    struct ListPage: Encodable {
        var meta: PageMeta; var rows: [ProblemDTO]; var pager: Pager; var statuses: [SelectOption]; var aspects: [SelectOption]; var overdue: Bool
        var canCreate: Bool; var query: String
    }

    func list(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let paging = try Paging(req)
        let status = try SupervisionAPIController.query(req, "status", ProblemStatus.init(rawValue:), "status 应为 open、rectified 或 verified")
        let aspect = try SupervisionAPIController.query(req, "aspect", Star.init(rawValue:), "aspect 不是有效的方面")
        let overdue = Check.bool(try? req.query.get(String.self, at: "overdue"))
        let org = try await SupervisionAPIController.optionalOrg(req, ctx: ctx)
        let (rows, total) = try await ProblemService.list(ctx: ctx, filter: .init(orgID: org?.id, status: status, aspect: aspect, overdueOnly: overdue), paging: paging)
        let q: [(String, String)] = [("status", status?.rawValue ?? ""), ("aspect", aspect?.rawValue ?? ""), ("overdue", overdue ? "1" : ""), ("orgId", org?.idString ?? "")]
        return try await req.view.render("supervision/problems", ListPage(
            meta: await PageMeta.make(req, title: "问题台账", crumbs: [("督导整改", "/supervision"), ("问题台账", nil)]),
            rows: rows.map { ProblemDTO($0, today: ctx.today) }, pager: Pager(total: total, paging: paging, baseQuery: q, path: "/problems"),
            statuses: ProblemStatus.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == status) },
            aspects: Star.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == aspect) }, overdue: overdue,
            canCreate: ctx.scope.allows(.supervise), query: q.filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")))
    }

    struct FormPage: Encodable {
        var meta: PageMeta; var form: FormState; var orgs: [SelectOption]; var sources: [SelectOption]; var aspects: [SelectOption]
        var action: String; var isNew: Bool; var fixedSource: String?; var version: Int
    }
    static let keys = ["org", "source", "aspect", "description", "foundOn", "deadline", "leader", "measures"]

    static func supervisableOrgs(ctx: Ctx) async throws -> [OrgModel] {
        try await OrgService.all(ctx: ctx, includeClosed: false).filter { ctx.scope.allows(.supervise, at: $0.path) }
    }

    func formPage(_ req: Request, ctx: Ctx, values: [String: String], errors: FieldErrors, problem: ProblemModel?) async throws -> FormPage {
        let fixed = problem.flatMap { p in p.sourceValue.flatMap { ProblemSource.manual.contains($0) ? nil : $0.label } }
        return FormPage(meta: await PageMeta.make(req, title: problem == nil ? "登记问题" : "修改问题", crumbs: [("督导整改", "/supervision"), ("问题台账", "/problems"), (problem == nil ? "登记问题" : "修改问题", nil)]),
                        form: FormState(values: values, errors: errors, keys: Self.keys),
                        orgs: Options.orgs(try await Self.supervisableOrgs(ctx: ctx), selected: values["org"]),
                        sources: ProblemSource.manual.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == values["source"]) },
                        aspects: Star.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == values["aspect"]) },
                        action: problem.map { "/problems/\($0.idString)/edit" } ?? "/problems/new", isNew: problem == nil, fixedSource: fixed,
                        version: problem?.currentVersion ?? 0)
    }

    static func input(_ f: [String: String]) -> ProblemService.Input {
        .init(orgRef: f["org"] ?? "", source: f["source"] ?? "", aspect: f["aspect"] ?? "", description: f["description"] ?? "", foundOn: f["foundOn"] ?? "",
              deadline: f["deadline"] ?? "", leader: f["leader"] ?? "", measures: f["measures"] ?? "")
    }

    func newForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.supervise, entity: "problem")
        let values = ["foundOn": ctx.today.iso, "deadline": ctx.today.adding(months: 3).iso, "source": "quarterly", "org": (try? req.query.get(String.self, at: "org")) ?? ""]
        return try await req.view.render("supervision/problem_form", try await formPage(req, ctx: ctx, values: values, errors: FieldErrors(), problem: nil))
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            let p = try await ProblemService.create(Self.input(f), ctx: ctx)
            req.flash("已登记\(p.orgName)的问题，整改期限\(p.deadlineDay.chinese)")
            return req.redirect(to: "/problems/\(p.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await req.view.render("supervision/problem_form", try await formPage(req, ctx: ctx, values: f, errors: fe, problem: nil)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func editForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let p = try await ProblemService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .supervise)
        try await ProblemService.requireAbove(p, ctx: ctx, what: "修改该问题")
        guard p.statusValue == .open else { throw AppError.conflict("只有整改中的问题可以修改") }
        let values = ["org": p.orgID.uuidString.lowercased(), "source": p.source, "aspect": p.aspectValue.rawValue, "description": p.text, "foundOn": p.foundDay.iso,
                      "deadline": p.deadlineDay.iso, "leader": p.leader == "待明确" ? "" : (p.leader ?? ""), "measures": p.measures ?? ""]
        return try await req.view.render("supervision/problem_form", try await formPage(req, ctx: ctx, values: values, errors: FieldErrors(), problem: p))
    }

    func update(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let p = try await ProblemService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .supervise)
        let f = try req.formFields()
        var i = Self.input(f)
        if i.source.isEmpty { i.source = p.source }
        do {
            _ = try await ProblemService.update(p, i, version: Int(f["version"] ?? ""), ctx: ctx)
            req.flash("已保存修改")
            return req.redirect(to: "/problems/\(p.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await req.view.render("supervision/problem_form", try await formPage(req, ctx: ctx, values: f, errors: fe, problem: p)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    struct ShowPage: Encodable {
        var meta: PageMeta; var p: ProblemDTO; var steps: [SelectOption]; var canEdit: Bool; var canUpload: Bool; var escalation: EscRow?
    }

    func show(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let p = try await ProblemService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let dto = try await SupervisionAPIController.dto(p, ctx: ctx)
        let supervisor = ctx.scope.allows(.supervise, at: p.orgPath)
        let above = ProblemService.isAbove(p, ctx: ctx)
        let own = ctx.scope.allows(.writeRecords, at: p.orgPath)
        // verification is offered to a supervisor above the org other than the one who asked for it
        let asker = try await ProblemService.steps(p, on: req.db).last { $0.stepValue == .rectified }
        let askedMyself = asker.map { $0.actorID.map { $0 == ctx.actor.id } ?? ($0.actorName == ctx.actor.name) } ?? false
        let steps = ProblemStep.allCases.filter {
            $0.next(from: p.statusValue) != nil && ($0.needsSupervisor ? above && !askedMyself : (supervisor || own))
        }
        let esc = try await ProblemService.escalations(ctx: ctx, orgID: p.orgID).first.map { Self.escRow($0, ctx: ctx) }
        return try await req.view.render("supervision/problem", ShowPage(
            meta: await PageMeta.make(req, title: "\(p.orgName)·\(p.aspectValue.label)问题", crumbs: [("督导整改", "/supervision"), ("问题台账", "/problems"), (p.orgName, nil)]),
            p: dto, steps: steps.map { SelectOption(value: $0.rawValue, label: $0.label, selected: false) },
            canEdit: above && p.statusValue == .open,
            canUpload: p.statusValue == .open ? (supervisor || own) : p.statusValue == .rectified && above, escalation: esc?.level == "none" ? nil : esc))
    }

    func step(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let p = try await ProblemService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let f = try req.formFields()
        return try await req.flashing(back: "/problems/\(p.idString)") {
            guard let step = ProblemStep(rawValue: f["step"] ?? "") else { throw AppError.validation(FieldErrors("step", "请选择办理事项")) }
            let out = try await ProblemService.step(p, step, text: f["text"] ?? "", version: Int(f["version"] ?? ""), ctx: ctx)
            return "已记录“\(step.label)”，问题当前\(out.statusValue.label)"
        }
    }
}
