import Vapor
import Fluent
import Domain

/// 市场主体评 (seed 001 §四(三)): a year's section scores and city ranking, linked to branches;
/// R-6 is applied from it wherever a level is shown, and a veto opens a rectification.
enum MarketService {
    static let layout = ImportLayout(columns: [
        ImportColumn("section", "科室/站所", required: true, example: "不动产登记窗口", aliases: ["科室", "重点科室", "站所", "被评对象"]),
        ImportColumn("branch", "所属党支部", example: "BDC-B01", aliases: ["党支部", "支部编码", "党支部编码", "所属党支部编码"]),
        ImportColumn("score", "得分", required: true, example: "86.5", aliases: ["分数", "评议得分"]),
        ImportColumn("rank", "排名", required: true, example: "12", aliases: ["名次", "全市排名"]),
        ImportColumn("total", "参评总数", example: "120", aliases: ["参评单位数", "总数"]),
    ])

    struct Summary: Content { var year: Int; var rows: Int; var linked: Int; var capped: Int; var vetoed: Int }

    /// Who may import a year's results: committee officers and administrators (checked before anything else is read).
    static func requireImporter(_ ctx: Ctx) async throws {
        guard ctx.scope.allows(.manageNotices) else { throw await ctx.deny("只有工委干部或系统管理员可以导入市场主体评结果", entity: "market") }
    }

    static func importYear(_ year: Int, table: SheetTable, ctx: Ctx) async throws -> Summary {
        try await requireImporter(ctx)
        guard (2000...2100).contains(year) else { throw AppError.badRequest("年度应在2000到2100之间", field: "year") }
        let rows: [(row: Int, fields: [String: String])]
        switch layout.rows(of: table.rows) { case .success(let r): rows = r; case .failure(let e): throw AppError.importRejected(e.rows) }
        guard rows.count <= 5000 else { throw AppError.importRejected([RowError(row: 1, column: "", message: "一次最多导入5000行")]) }
        var errors: [RowError] = []
        var parsed: [(row: Int, section: String, branch: OrgModel?, score: Double, rank: Int, total: Int?)] = []
        var branchCache: [String: OrgModel?] = [:]
        for (row, f) in rows {
            var e = FieldErrors()
            let section = Check.required(f["section"], "section", "科室/站所", max: 100, into: &e)
            let scoreText = (f["score"] ?? "").trimmingSpaces
            let score = Double(scoreText)
            if score == nil || !(0...100).contains(score!) { e.add("score", "得分应为0到100之间的数字") }
            let rank = Int((f["rank"] ?? "").trimmingSpaces)
            if rank == nil || rank! < 1 { e.add("rank", "排名应为正整数") }
            var total: Int?
            if let t = f["total"]?.trimmingSpaces, !t.isEmpty {
                total = Int(t)
                if total == nil || total! < 1 { e.add("total", "参评总数应为正整数") }
                else if let r = rank, r > total! { e.add("rank", "排名不能大于参评总数") }
            }
            var branch: OrgModel?
            if let ref = f["branch"]?.trimmingSpaces, !ref.isEmpty {
                if branchCache[ref] == nil {
                    var o = try await OrgService.resolve(ref, on: ctx.db)
                    if o == nil { o = try await OrgModel.query(on: ctx.db).filter(\.$name == ref).filter(\.$type == OrgType.branch.rawValue).first() }
                    branchCache[ref] = .some(o)
                }
                if let o = branchCache[ref]!, o.orgType == .branch {
                    if ctx.scope.allows(.manageNotices, at: o.path) { branch = o } else { e.add("branch", "党支部“\(ref)”不在您的管理范围内") }
                } else { e.add("branch", "找不到党支部“\(ref)”（填写党支部编码或全称）") }
            }
            if !e.isEmpty { errors += ImportExport.rowErrors(row, e, layout); continue }
            parsed.append((row, section!, branch, score!, rank!, total))
        }
        if !errors.isEmpty { throw AppError.importRejected(errors) }
        let total = max(parsed.count, parsed.compactMap(\.total).max() ?? 0, parsed.map(\.rank).max() ?? 0)
        let models = parsed.map { p -> MarketScoreModel in
            let m = MarketScoreModel()
            m.year = year; m.section = p.section; m.branchID = p.branch?.id; m.branchPath = p.branch?.path
            m.score = p.score; m.rank = p.rank; m.total = p.total ?? total
            return m
        }
        // R-6 per linked branch, under the scheme of the branch's rating year
        var byBranch: [UUID: (OrgModel, [StarRating.MarketStanding])] = [:]
        for (p, m) in zip(parsed, models) { if let b = p.branch { byBranch[b.id!, default: (b, [])].1.append(m.standing) } }
        var verdicts: [(OrgModel, StarRating.MarketVerdict, RatingScheme)] = []
        for (_, (b, standings)) in byBranch {
            let scheme = try await RatingService.roundCovering(b.path, year: year, on: ctx.db)
                .asyncMap { try await RatingService.scheme(of: $0, on: ctx.db).1 } ?? RatingScheme.nanyang
            verdicts.append((b, StarRating.market(standings, thresholds: scheme.thresholds), scheme))
        }
        let decided = verdicts, linked = byBranch.count
        let existing = Set(try await ProblemModel.query(on: ctx.db).filter(\.$year == year).filter(\.$source == ProblemSource.marketVeto.rawValue).all().map(\.orgID))
        try await ctx.db.transaction { db in
            try await MarketScoreModel.query(on: db).filter(\.$year == year).delete()
            for chunk in models.chunked(200) { try await Array(chunk).create(on: db) }
            for (b, v, scheme) in decided where v.isVeto && !existing.contains(b.id!) {
                try await RatingService.openRectification(orgID: b.id!, orgPath: b.path, orgName: b.name, year: year, kind: "rectification",
                                                          source: .marketVeto, sourceID: String(year), reason: v.reason ?? "", scheme: scheme, ctx: ctx, on: db)
            }
            try await ctx.audit(on: db, "import", "market", id: String(year), label: "\(year)年度市场主体评结果", orgID: nil, orgPath: nil,
                                after: ["rows": String(models.count), "linked": String(linked)])
        }
        return Summary(year: year, rows: models.count, linked: byBranch.count,
                       capped: verdicts.filter { $0.1.cap != nil && !$0.1.isVeto }.count, vetoed: verdicts.filter { $0.1.isVeto }.count)
    }

    static func list(year: Int, ctx: Ctx) async throws -> [MarketScoreModel] {
        try await MarketScoreModel.query(on: ctx.db).filter(\.$year == year).sort(\.$rank).all()
    }
}
