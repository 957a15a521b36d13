import Vapor
import Fluent
import Domain

/// 月晒季评年考 (DOMAIN §8) on one page per year, the scheme's weights, and the award
/// eligibility list.
struct EvaluationPageController {
    struct Cell: Encodable { var month: Int; var state: String; var label: String; var reportId: String? }
    struct ReportRow: Encodable { var orgId: String; var org: String; var cells: [Cell]; var onTime: Int; var missing: Int }
    struct QuarterRow: Encodable { var orgId: String; var org: String; var scores: [String] }
    struct RankRow: Encodable { var rank: Int; var org: String; var total: String; var parts: String; var notes: String }
    struct Page: Encodable {
        var meta: PageMeta; var year: Int; var years: [SelectOption]
        var canReport: Bool; var reportOrgs: [SelectOption]; var months: [SelectOption]; var reports: [ReportRow]; var dueDay: Int
        var canScore: Bool; var scoreOrgs: [SelectOption]; var quarters: [SelectOption]; var quarterRows: [QuarterRow]
        var canRead: Bool; var ranking: [RankRow]; var partLabels: [String]; var weights: [String]; var chart: String
        var canPublish: Bool; var published: String?; var publishedRows: [RankRow]
    }

    func index(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let year = try req.yearQuery(ctx)
        let w = try await EvaluationService.weights(on: req.db)
        let canRead = ctx.scope.allows(.readSupervision)
        let canReport = ctx.scope.allows(.writeRecords)
        guard canRead || canReport || ctx.user.memberID != nil else { throw await ctx.deny("无权查看月晒季评年考", entity: "assessment") }
        var reportOrgs: [SelectOption] = []
        var reportRows: [ReportRow] = []
        if canReport || canRead {
            let branches = try await OrgService.all(ctx: ctx, includeClosed: false).filter {
                [.branch, .generalBranch].contains($0.orgType) && (ctx.scope.allows(.readSupervision, at: $0.path) || ctx.scope.allows(.writeRecords, at: $0.path))
            }
            reportOrgs = Options.orgs(branches.filter { ctx.scope.allows(.writeRecords, at: $0.path) }, selected: nil)
            let reports = try await EvaluationService.reports(ctx: ctx, year: year, orgID: nil)
            reportRows = branches.prefix(300).map { b in
                let cells = (1...12).map { m -> Cell in
                    let r = reports.first { $0.orgID == b.id && $0.month == m }
                    let s = EvaluationService.reportState(r, year: year, month: m, dueDay: w.reportDueDay, today: ctx.today)
                    return Cell(month: m, state: s.rawValue, label: "\(m)月：\(s.label)", reportId: r?.idString)
                }
                return ReportRow(orgId: b.idString, org: b.name, cells: cells, onTime: cells.filter { $0.state == "onTime" }.count, missing: cells.filter { $0.state == "missing" }.count)
            }
        }
        var quarterRows: [QuarterRow] = []
        var ranking: [RankRow] = []
        var chart = ""
        var scoreOrgs: [SelectOption] = []
        if canRead {
            let scores = try await EvaluationService.quarterScores(ctx: ctx, year: year)
            let rows = try await EvaluationService.assess(year: year, ctx: ctx)
            quarterRows = rows.sorted { $0.orgPath < $1.orgPath }.map { r in
                QuarterRow(orgId: r.orgId, org: r.orgName, scores: (1...4).map { q in scores.first { $0.orgID.uuidString.lowercased() == r.orgId && $0.quarter == q }.map { String($0.score) } ?? "—" })
            }
            ranking = rows.map(Self.rankRow)
            chart = BarChart.svg(rows.prefix(15).map { BarChart.Bar(label: "\($0.rank). \($0.orgName)", value: $0.total, text: String($0.total)) }, title: "年度考核得分", max: 100)
            let branches = try await OrgService.all(ctx: ctx, includeClosed: false).filter { [.branch, .generalBranch].contains($0.orgType) && ctx.scope.allows(.supervise, at: $0.path) }
            scoreOrgs = Options.orgs(branches, selected: nil)
        }
        let pub = try await EvaluationService.published(year: year, ctx: ctx)
        let current = year == ctx.today.year ? ctx.today.month : 12
        return try await req.view.render("evaluation/index", Page(
            meta: await PageMeta.make(req, title: "月晒季评年考", crumbs: [("督导整改", canRead ? "/supervision" : nil), ("月晒季评年考", nil)]),
            year: year, years: Options.years(selected: year, ctx: ctx),
            canReport: canReport && !reportOrgs.isEmpty, reportOrgs: reportOrgs,
            months: (1...max(1, current)).reversed().map { SelectOption(value: String($0), label: "\($0)月", selected: $0 == max(1, current - 1)) },
            reports: reportRows, dueDay: w.reportDueDay,
            canScore: ctx.scope.allows(.supervise) && !scoreOrgs.isEmpty, scoreOrgs: scoreOrgs,
            quarters: (1...4).map { SelectOption(value: String($0), label: "第\($0)季度", selected: $0 == max(1, Assessment.quartersOver(year: year, today: ctx.today))) },
            quarterRows: quarterRows, canRead: canRead, ranking: ranking, partLabels: Assessment.Part.allCases.map(\.label),
            weights: Assessment.Part.allCases.map { "\($0.label)\(w.weight($0))%" }, chart: chart,
            canPublish: ctx.scope.allows(.manageAssessment) && !ranking.isEmpty,
            published: pub.map { "\($0.0.orgName) \($0.0.publishedBy) 于\(AppClock.day(of: $0.0.publishedAt).chinese)发布" },
            publishedRows: pub?.1.rows.map(Self.rankRow) ?? []))
    }

    static func rankRow(_ r: EvaluationService.Row) -> RankRow {
        RankRow(rank: r.rank, org: r.orgName, total: String(r.total),
                parts: Assessment.Part.allCases.map { p in "\(p.short) \(r.parts[p.rawValue].map { String($0) } ?? "—")" }.joined(separator: " · "),
                notes: r.notes.joined(separator: "；"))
    }

    func submitReport(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        let year = Int(f["year"] ?? "") ?? ctx.today.year
        return try await req.flashing(back: "/evaluation?year=\(year)#reports") {
            let r = try await EvaluationService.submitReport(orgRef: f["org"] ?? "", year: year, month: Int(f["month"] ?? "") ?? 0, text: f["text"] ?? "", ctx: ctx)
            let w = try await EvaluationService.weights(on: req.db)
            let s = EvaluationService.reportState(r, year: r.year, month: r.month, dueDay: w.reportDueDay, today: ctx.today)
            return "已报送\(r.orgName)\(r.month)月月晒（\(s.label)）"
        }
    }

    struct ReportPage: Encodable { var meta: PageMeta; var r: SelfReportDTO; var files: [AttachmentService.FileRow]; var canUpload: Bool }

    func report(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let r = try await EvaluationService.findReport(req.parameters.get("id") ?? "", ctx: ctx, for: ctx.scope.allows(.readSupervision) ? .readSupervision : .writeRecords)
        let w = try await EvaluationService.weights(on: req.db)
        return try await req.view.render("evaluation/report", ReportPage(
            meta: await PageMeta.make(req, title: "\(r.orgName) \(r.year)年\(r.month)月月晒", crumbs: [("月晒季评年考", "/evaluation?year=\(r.year)"), ("\(r.month)月月晒", nil)]),
            r: SelfReportDTO(r, dueDay: w.reportDueDay, today: ctx.today), files: try await AttachmentService.files(ownerType: "report", ownerID: r.id!, on: req.db),
            canUpload: ctx.scope.allows(.writeRecords, at: r.orgPath)))
    }

    func scoreQuarter(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        let year = Int(f["year"] ?? "") ?? ctx.today.year
        return try await req.flashing(back: "/evaluation?year=\(year)#quarters") {
            let q = try await EvaluationService.scoreQuarter(orgRef: f["org"] ?? "", year: year, quarter: Int(f["quarter"] ?? "") ?? 0, score: f["score"] ?? "",
                                                             comment: f["comment"] ?? "", version: nil, ctx: ctx)
            return "已记录\(q.orgName)第\(q.quarter)季度评分：\(q.score)"
        }
    }

    func publish(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        let year = Int(f["year"] ?? "") ?? ctx.today.year
        return try await req.flashing(back: "/evaluation?year=\(year)#published") {
            let p = try await EvaluationService.publish(year: year, ctx: ctx)
            return "已发布\(p.orgName)\(year)年度考核排名"
        }
    }

    // MARK: weights

    struct Field: Encodable { var name: String; var label: String; var value: String; var error: String? }
    struct WeightsPage: Encodable { var meta: PageMeta; var form: FormState; var fields: [Field]; var canEdit: Bool }

    func weightsPage(_ req: Request, values: [String: String], errors: FieldErrors) async throws -> WeightsPage {
        let ctx = try req.ctx()
        return WeightsPage(meta: await PageMeta.make(req, title: "年度考核方案", crumbs: [("月晒季评年考", "/evaluation"), ("年度考核方案", nil)]),
                           form: FormState(values: values, errors: errors, keys: Assessment.Part.allCases.map(\.rawValue) + ["reportDueDay", "weights"]),
                           fields: Assessment.Part.allCases.map { Field(name: $0.rawValue, label: "\($0.label)（%）", value: values[$0.rawValue] ?? "", error: errors[$0.rawValue]) }
                               + [Field(name: "reportDueDay", label: "月晒截止日（次月几日）", value: values["reportDueDay"] ?? "", error: errors["reportDueDay"])],
                           canEdit: ctx.scope.allows(.manageAssessment))
    }

    func weights(_ req: Request) async throws -> View {
        try await req.require(.readSupervision, entity: "settings")
        let w = try await EvaluationService.weights(on: req.db)
        var values = Dictionary(uniqueKeysWithValues: Assessment.Part.allCases.map { ($0.rawValue, String(w.weight($0))) })
        values["reportDueDay"] = String(w.reportDueDay)
        return try await req.view.render("evaluation/weights", try await weightsPage(req, values: values, errors: FieldErrors()))
    }

    func saveWeights(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        func n(_ k: String) -> Int { Int((f[k] ?? "").trimmingSpaces) ?? -1 }
        let w = Assessment.Weights(reports: n("reports"), quarters: n("quarters"), rating: n("rating"), brand: n("brand"), compliance: n("compliance"),
                                   satisfaction: n("satisfaction"), reportDueDay: n("reportDueDay"))
        do {
            try await EvaluationService.saveWeights(w, ctx: ctx)
            req.flash("已保存年度考核方案")
            return req.redirect(to: "/evaluation")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await req.view.render("evaluation/weights", try await weightsPage(req, values: f, errors: fe)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    // MARK: awards

    struct AwardRow: Encodable { var name: String; var org: String; var level: String; var points: String; var eligible: Bool; var reasons: String; var priority: String }
    struct AwardsPage: Encodable {
        var meta: PageMeta; var year: Int; var years: [SelectOption]; var branches: [AwardRow]; var members: [AwardRow]; var memberTotal: Int
        var eligibleBranches: Int; var eligibleMembers: Int; var onlyEligible: Bool
    }

    func awards(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        // awards are decided on a finished year's results: last year unless asked otherwise
        let asked = !((try? req.query.get(String.self, at: "year")) ?? "").isEmpty
        let year = asked ? try req.yearQuery(ctx) : ctx.today.year - 1
        let only = Check.bool(try? req.query.get(String.self, at: "eligible"))
        let bs = try await AwardService.branches(year: year, ctx: ctx)
        let ms = try await AwardService.members(year: year, branches: bs, ctx: ctx)
        let shown = ms.filter { !only || $0.verdict.eligible }
        return try await req.view.render("evaluation/awards", AwardsPage(
            meta: await PageMeta.make(req, title: "评先评优资格", crumbs: [("督导整改", "/supervision"), ("评先评优资格", nil)]),
            year: year, years: Options.years(selected: year, ctx: ctx),
            branches: bs.filter { !only || $0.verdict.eligible }.map { AwardRow(name: $0.org.name, org: $0.unitName, level: $0.level.map { "\($0)星" } ?? "未评定", points: "",
                                                                                 eligible: $0.verdict.eligible, reasons: $0.verdict.reasons.joined(separator: "；"),
                                                                                 priority: $0.verdict.priority.joined(separator: "；")) },
            members: shown.prefix(200).map { AwardRow(name: $0.member.name, org: $0.branchName, level: "", points: String($0.points), eligible: $0.verdict.eligible,
                                                      reasons: $0.verdict.reasons.joined(separator: "；"), priority: $0.verdict.priority.joined(separator: "；")) },
            memberTotal: shown.count, eligibleBranches: bs.filter(\.verdict.eligible).count, eligibleMembers: ms.filter(\.verdict.eligible).count, onlyEligible: only))
    }
}
