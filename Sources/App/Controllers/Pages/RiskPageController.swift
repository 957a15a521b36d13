import Vapor
import Fluent
import Domain

/// 廉政风险点: the matrix of processes × levels, the register with its review flags,
/// and the form.
struct RiskPageController {
    struct MatrixRow: Encodable { var process: String; var counts: [Int] }
    struct ListPage: Encodable {
        var meta: PageMeta; var rows: [RiskDTO]; var matrix: [MatrixRow]; var levels: [SelectOption]; var flagged: Int; var flaggedOnly: Bool
        var canWrite: Bool; var due: String; var process: String
    }

    func list(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let level = try SupervisionAPIController.query(req, "level", RiskLevel.init(rawValue:), "level 应为 high、medium 或 low")
        let flaggedOnly = Check.bool(try? req.query.get(String.self, at: "flagged"))
        let process = (try? req.query.get(String.self, at: "process")) ?? ""
        let all = try await RiskService.list(ctx: ctx, filter: .init())
        let rows = all.filter { r in (level == nil || r.levelValue == level) && (process.isEmpty || r.process == process)
            && (!flaggedOnly || RiskReview.isFlagged(lastReviewed: r.reviewedDay, today: ctx.today)) }
        return try await req.view.render("supervision/risks", ListPage(
            meta: await PageMeta.make(req, title: "廉政风险点", crumbs: [("督导整改", "/supervision"), ("廉政风险点", nil)]),
            rows: rows.map { RiskDTO($0, today: ctx.today) }, matrix: RiskService.matrix(all).map { MatrixRow(process: $0.process, counts: $0.counts) },
            levels: RiskLevel.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == level) },
            flagged: all.filter { RiskReview.isFlagged(lastReviewed: $0.reviewedDay, today: ctx.today) }.count, flaggedOnly: flaggedOnly,
            canWrite: ctx.scope.allows(.supervise), due: RiskReview.due(year: ctx.today.year).chinese, process: process))
    }

    struct FormPage: Encodable {
        var meta: PageMeta; var form: FormState; var orgs: [SelectOption]; var levels: [SelectOption]; var action: String; var isNew: Bool; var version: Int
        var processes: [String]
    }
    static let keys = ["org", "post", "process", "description", "level", "before", "during", "after", "owner"]
    static let commonProcesses = ["规划审批", "土地征收与出让", "批后监管", "不动产登记", "执法监察", "资金管理", "项目招投标", "行政许可"]

    func formPage(_ req: Request, ctx: Ctx, values: [String: String], errors: FieldErrors, risk: RiskPointModel?) async throws -> FormPage {
        FormPage(meta: await PageMeta.make(req, title: risk == nil ? "新增风险点" : "修改风险点", crumbs: [("督导整改", "/supervision"), ("廉政风险点", "/risks"), (risk == nil ? "新增" : "修改", nil)]),
                 form: FormState(values: values, errors: errors, keys: Self.keys),
                 orgs: Options.orgs(try await SupervisionPageController.supervisableOrgs(ctx: ctx), selected: values["org"]),
                 levels: RiskLevel.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == values["level"]) },
                 action: risk.map { "/risks/\($0.idString)/edit" } ?? "/risks/new", isNew: risk == nil, version: risk?.version ?? 0, processes: Self.commonProcesses)
    }

    static func input(_ f: [String: String]) -> RiskService.Input {
        .init(orgRef: f["org"] ?? "", post: f["post"] ?? "", process: f["process"] ?? "", description: f["description"] ?? "", level: f["level"] ?? "",
              before: f["before"] ?? "", during: f["during"] ?? "", after: f["after"] ?? "", owner: f["owner"] ?? "")
    }

    func newForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.supervise, entity: "risk")
        return try await req.view.render("supervision/risk_form", try await formPage(req, ctx: ctx, values: ["level": "medium"], errors: FieldErrors(), risk: nil))
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            let r = try await RiskService.save(nil, Self.input(f), version: nil, ctx: ctx)
            req.flash("已登记风险点“\(r.post)·\(r.process)”")
            return req.redirect(to: "/risks#risk-\(r.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await req.view.render("supervision/risk_form", try await formPage(req, ctx: ctx, values: f, errors: fe, risk: nil)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func editForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let r = try await RiskService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .supervise)
        let values = ["org": r.orgID.uuidString.lowercased(), "post": r.post, "process": r.process, "description": r.riskDescription, "level": r.level,
                      "before": r.before, "during": r.during, "after": r.after, "owner": r.owner]
        return try await req.view.render("supervision/risk_form", try await formPage(req, ctx: ctx, values: values, errors: FieldErrors(), risk: r))
    }

    func update(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let r = try await RiskService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .supervise)
        let f = try req.formFields()
        do {
            _ = try await RiskService.save(r, Self.input(f), version: Int(f["version"] ?? ""), ctx: ctx)
            req.flash("已保存“\(r.post)·\(r.process)”")
            return req.redirect(to: "/risks#risk-\(r.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await req.view.render("supervision/risk_form", try await formPage(req, ctx: ctx, values: f, errors: fe, risk: r)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func review(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let r = try await RiskService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let f = try req.formFields()
        return try await req.flashing(back: "/risks#risk-\(r.idString)") {
            _ = try await RiskService.review(r, note: f["note"] ?? "", ctx: ctx)
            return "已完成“\(r.post)·\(r.process)”的\(ctx.today.year)年度复核"
        }
    }

    func delete(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let r = try await RiskService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return try await req.flashing(back: "/risks") {
            try await RiskService.delete(r, ctx: ctx)
            return "已删除风险点“\(r.post)·\(r.process)”"
        }
    }
}
