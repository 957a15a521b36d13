import Vapor
import Fluent
import SQLKit
import Domain

/// After naming: the yearly goals (R-14), pairs with lagging organizations and their joint
/// activities (R-14), the re-review flags (R-13), and the yearly brand-creation assessment
/// with its published ranking (R-15).
enum BrandFollowUpService {
    // MARK: goals (R-14)

    static func fileGoals(_ b: BrandModel, year: Int, goals: String, measures: String, ctx: Ctx) async throws -> BrandGoalModel {
        guard try await BrandService.actors(b, ctx: ctx).contains(.owner) else {
            throw await ctx.deny("无权报送：年度目标由品牌创建组织报送", entity: "brand", id: b.idString, label: b.name, orgPath: b.orgPath)
        }
        guard b.stateValue.holdsName else { throw AppError.conflict("只有已命名的品牌报送年度目标（当前为“\(b.stateValue.label)”）") }
        var e = FieldErrors()
        if year != ctx.today.year && year != ctx.today.year + 1 { e.add("year", "只能报送\(ctx.today.year)年或\(ctx.today.year + 1)年的目标") }
        let g = Check.required(goals, "goals", "年度目标任务", max: 2000, into: &e)
        let m = Check.required(measures, "measures", "工作措施", max: 2000, into: &e)
        guard e.isEmpty, let g, let m else { throw AppError.validation(e) }
        let row = try await BrandGoalModel.query(on: ctx.db).filter(\.$brandID == b.id!).filter(\.$year == year).first() ?? BrandGoalModel()
        let isNew = row.id == nil
        if isNew { row.id = UUID(); row.brandID = b.id!; row.year = year }
        row.goals = g; row.measures = m; row.filedBy = ctx.actor.name; row.filedOn = ctx.today.iso; row.updatedAt = ctx.now
        try await ctx.db.transaction { db in
            try await row.save(on: db)
            try await BrandService.event(b, kind: "goals", from: nil, to: nil, text: "\(isNew ? "报送" : "修改")\(year)年度目标任务和工作措施", ctx: ctx, on: db)
            try await ctx.audit(on: db, "file", "brand", id: b.idString, label: "\(b.name) \(year)年度目标", orgID: b.orgID, orgPath: b.orgPath,
                                after: ["goals": g, "measures": m])
        }
        return row
    }

    static func goals(_ b: BrandModel, on db: any Database) async throws -> [BrandGoalModel] {
        try await BrandGoalModel.query(on: db).filter(\.$brandID == b.id!).sort(\.$year, .descending).all()
    }

    // MARK: pairs (R-14)

    static func pair(_ b: BrandModel, orgRef: String, goal: String, startedOn: String, ctx: Ctx) async throws -> BrandPairModel {
        try await BrandSelectionService.requireCommittee(b, ctx: ctx, "结成共建对子")
        guard b.stateValue.holdsName else { throw AppError.conflict("只有已命名的品牌单位可以结成共建对子") }
        var e = FieldErrors()
        let org = try await OrgService.resolve(orgRef.trimmingSpaces, on: ctx.db)
        if org == nil { e.add("org", orgRef.trimmingSpaces.isEmpty ? "请选择结对的后进党组织" : "找不到该组织") }
        if let o = org, b.orgPath.hasPrefix(o.path) || o.path.hasPrefix(b.orgPath) { e.add("org", "不能与本组织或其上下级结对") }
        let day = Check.date(startedOn, "startedOn", "结对日期", required: true, notAfter: ctx.today, into: &e)
        let g = Check.required(goal, "goal", "帮扶目标", max: 1000, into: &e)
        if let o = org, try await BrandPairModel.query(on: ctx.db).filter(\.$brandID == b.id!).filter(\.$orgID == o.id!).filter(\.$endedOn == nil).count() > 0 {
            e.add("org", "已与\(o.name)结对")
        }
        guard e.isEmpty, let org, let day, let g else { throw AppError.validation(e) }
        try await ctx.require(.readBrands, at: org.path, entity: "brand", id: b.idString, label: org.name)
        let p = BrandPairModel()
        p.id = UUID(); p.brandID = b.id!; p.orgID = org.id!; p.orgPath = org.path; p.orgName = org.name; p.startedOn = day.iso; p.goal = g
        p.createdBy = ctx.actor.name
        try await ctx.db.transaction { db in
            try await p.create(on: db)
            try await BrandService.event(b, kind: "pair", from: nil, to: nil, text: "与\(org.name)结成共建对子：\(g)", ctx: ctx, on: db)
            try await ctx.audit(on: db, "create", "brand_pair", id: p.idString, label: "\(b.name)—\(org.name)", orgID: org.id, orgPath: org.path, after: ["goal": g])
        }
        return p
    }

    /// A joint activity, recorded by either side of the pair or the committee.
    static func activity(_ p: BrandPairModel, day: String, title: String, text: String, ctx: Ctx) async throws -> BrandPairActivityModel {
        guard let b = try await BrandModel.find(p.brandID, on: ctx.db) else { throw AppError.notFound("品牌不存在") }
        let actors = try await BrandService.actors(b, ctx: ctx)
        guard actors.contains(.owner) || actors.contains(.committee) || ctx.scope.allows(.manageBrand, at: p.orgPath) else {
            throw await ctx.deny("无权记录：共建活动由结对双方或工委记录", entity: "brand", id: b.idString, label: b.name, orgPath: b.orgPath)
        }
        guard p.endedOn == nil else { throw AppError.conflict("该共建对子已结束") }
        var e = FieldErrors()
        let d = Check.date(day, "day", "活动日期", required: true, notAfter: ctx.today, into: &e)
        if let d, let s = Day(iso: p.startedOn), d < s { e.add("day", "活动日期不能早于结对日期（\(p.startedOn)）") }
        let t = Check.required(title, "title", "活动名称", max: 100, into: &e)
        let x = Check.required(text, "text", "活动内容", max: 2000, into: &e)
        guard e.isEmpty, let d, let t, let x else { throw AppError.validation(e) }
        let a = BrandPairActivityModel()
        a.id = UUID(); a.pairID = p.id!; a.day = d.iso; a.title = t; a.text = x; a.createdBy = ctx.actor.name
        try await ctx.db.transaction { db in
            try await a.create(on: db)
            try await BrandService.event(b, kind: "activity", from: nil, to: nil, text: "共建活动（与\(p.orgName)，\(d.iso)）：\(t)", ctx: ctx, on: db)
            try await ctx.audit(on: db, "create", "brand_pair", id: p.idString, label: "\(b.name)—\(p.orgName)", orgID: p.orgID, orgPath: p.orgPath, after: ["activity": t, "day": d.iso])
        }
        return a
    }

    static func pairs(_ b: BrandModel, on db: any Database) async throws -> [(BrandPairModel, [BrandPairActivityModel])] {
        let ps = try await BrandPairModel.query(on: db).filter(\.$brandID == b.id!).sort(\.$startedOn).all()
        var out: [(BrandPairModel, [BrandPairActivityModel])] = []
        for p in ps { out.append((p, try await BrandPairActivityModel.query(on: db).filter(\.$pairID == p.id!).sort(\.$day).all())) }
        return out
    }

    // MARK: re-review flags (R-13)

    struct Flag: Sendable {
        var brand: BrandModel
        /// The year whose re-review is missing, once it is over.
        var overdueYear: Int?
        /// In rectification past the deadline: proposed for revocation.
        var proposeRevocation: Bool
        var dueThisYear: Bool
    }

    static func flags(for brands: [BrandModel], today: Day, on db: any Database) async throws -> [Flag] {
        let named = brands.filter { $0.stateValue.holdsName }
        guard !named.isEmpty else { return [] }
        let reviews = try await BrandReviewModel.query(on: db).filter(\.$brandID ~~ named.map { $0.id! }).all()
        let years = Dictionary(grouping: reviews, by: \.brandID).mapValues { Set($0.map(\.year)) }
        return named.map { b in
            let y = years[b.id!] ?? []
            let on = b.namedDay ?? today
            return Flag(brand: b, overdueYear: BrandReReview.overdueYear(namedOn: on, reviewedYears: y, today: today),
                        proposeRevocation: BrandReReview.proposeRevocation(state: b.stateValue, deadline: b.deadlineDay, today: today),
                        dueThisYear: BrandReReview.isDue(namedOn: on, reviewedYears: y, today: today))
        }
    }

    static func reviews(_ b: BrandModel, on db: any Database) async throws -> [BrandReviewModel] {
        try await BrandReviewModel.query(on: db).filter(\.$brandID == b.id!).sort(\.$createdAt).all()
    }

    // MARK: assessment (R-15)

    static func scoreBranch(orgRef: String, year: Int, raw: [String: String], comment: String, version: Int?, ctx: Ctx) async throws -> BrandAssessmentModel {
        let org = try await ctx.org(orgRef, for: .reviewBrands, entity: "brand_assessment", missing: "请选择党支部")
        var (parts, e) = BrandAssessment.validate(raw, comment: comment)
        if ![.branch, .generalBranch].contains(org.orgType) { e.add("org", "品牌创建考核对象为党支部（党总支）") }
        if year < 2000 || year > ctx.today.year { e.add("year", "年度应在2000年到\(ctx.today.year)年之间") }
        guard e.isEmpty else { throw AppError.validation(e) }
        let settings = try await BrandService.settings(on: ctx.db)
        let existing = try await BrandAssessmentModel.query(on: ctx.db).filter(\.$orgID == org.id!).filter(\.$year == year).first()
        if let x = existing, let v = version, v != x.version { throw AppError.conflict("该考核评分已被他人修改，请刷新后再操作", field: "version") }
        let m = existing ?? BrandAssessmentModel()
        let before = existing.map { ["basic": String($0.basic), "carriers": String($0.carriers), "effect": String($0.effect), "total": String($0.total)] }
        if m.id == nil { m.id = UUID(); m.orgID = org.id!; m.orgPath = org.path; m.orgName = org.name; m.year = year; m.version = 0 }
        m.basic = parts[.basic]!; m.carriers = parts[.carriers]!; m.effect = parts[.effect]!
        m.total = BrandAssessment.total(parts, settings: settings); m.comment = comment.trimmingSpaces.nilIfEmpty; m.scoredBy = ctx.actor.name; m.updatedAt = ctx.now
        let old = existing?.version
        try await ctx.db.transaction { db in
            try await db.saveVersioned(m, id: m.id!, isNew: old == nil, table: "brand_assessments", version: old ?? 0, what: "该考核评分") { m.version = $0 }
            try await ctx.audit(on: db, "score", "brand_assessment", id: m.id?.uuidString.lowercased(), label: "\(org.name) \(year)年品牌创建考核",
                                orgID: org.id, orgPath: org.path, before: before,
                                after: ["basic": String(m.basic), "carriers": String(m.carriers), "effect": String(m.effect), "total": String(m.total)])
        }
        return m
    }

    struct RankRow: Codable, Sendable {
        var orgId: String; var orgName: String; var unitName: String; var basic: Double; var carriers: Double; var effect: Double; var total: Double; var rank: Int
    }

    /// The year's scores under `root` (or the user's scope), ranked (1, 2, 2, 4).
    static func ranking(year: Int, ctx: Ctx, under root: String? = nil) async throws -> [RankRow] {
        guard ctx.scope.allows(.readBrands) else { throw await ctx.deny("无权查看品牌创建考核", entity: "brand_assessment") }
        let q = BrandAssessmentModel.query(on: ctx.db).filter(\.$year == year)
        if let r = root { q.filter(\.$orgPath, .custom("LIKE"), r + "%") } else { q.inScope(ctx.scope.roots(for: .readBrands), path: \.$orgPath) }
        let rows = try await q.all()
        var units: [String: String] = [:]
        for r in rows {
            let anc = try await RatingService.ancestors(r.orgPath, on: ctx.db)
            units[r.orgPath] = RatingService.unit(of: anc)?.name ?? ""
        }
        return Assessment.rank(rows, by: \.total).map { r, n in
            RankRow(orgId: r.orgID.uuidString.lowercased(), orgName: r.orgName, unitName: units[r.orgPath] ?? "", basic: r.basic, carriers: r.carriers,
                    effect: r.effect, total: r.total, rank: n)
        }
    }

    /// Publishes (or publishes again) the year's ranking of the committee's scope.
    static func publish(year: Int, ctx: Ctx) async throws -> BrandRankingModel {
        guard ctx.scope.allows(.nameBrands), let root = ctx.scope.grants.filter({ $0.role.allows(.nameBrands) }).map(\.orgPath).min(by: { $0.count < $1.count }) else {
            throw await ctx.deny("无权发布：品牌创建考核排名由工委发布", entity: "brand_assessment")
        }
        guard (2000...ctx.today.year).contains(year) else { throw AppError.validation(FieldErrors("year", "年度应在2000年到\(ctx.today.year)年之间")) }
        let rows = try await ranking(year: year, ctx: ctx, under: root)
        guard !rows.isEmpty else { throw AppError.conflict("\(year)年还没有品牌创建考核评分") }
        let p = try await BrandRankingModel.query(on: ctx.db).filter(\.$year == year).filter(\.$orgPath == root).first() ?? BrandRankingModel()
        if p.id == nil { p.id = UUID(); p.year = year; p.orgPath = root }
        p.rows = JSON.encode(rows); p.publishedBy = ctx.actor.name; p.publishedAt = ctx.now
        try await ctx.db.transaction { db in
            try await p.save(on: db)
            try await ctx.audit(on: db, "publish", "brand_assessment", id: p.id?.uuidString.lowercased(), label: "\(year)年党建品牌创建考核排名",
                                orgID: nil, orgPath: root, after: ["rows": String(rows.count), "first": rows.first.map { "\($0.orgName) \($0.total)" } ?? ""])
        }
        return p
    }

    /// Published rankings of a year (public).
    static func published(year: Int, on db: any Database) async throws -> [(BrandRankingModel, [RankRow])] {
        try await BrandRankingModel.query(on: db).filter(\.$year == year).sort(\.$orgPath).all().map { ($0, JSON.decode([RankRow].self, $0.rows) ?? []) }
    }
}

extension BrandFollowUpService {
    /// Where each branch stands with brands at the end of `year` (its own, its groups' and its
    /// members' brands count): named, creating, or none — for the yearly assessment and R-24.
    static func brandStatus(branchPaths: [String], year: Int, on db: any Database) async throws -> [String: Assessment.BrandStatus] {
        let brands = try await BrandModel.query(on: db).filter(\.$state != BrandState.draft.rawValue).filter(\.$state != BrandState.revoked.rawValue).all()
        let yearEnd = Day(year: year, month: 12, day: 31)!
        var out: [String: Assessment.BrandStatus] = [:]
        for p in branchPaths {
            let mine = brands.filter { $0.orgPath.hasPrefix(p) && $0.year <= year }
            if mine.contains(where: { $0.stateValue.holdsName && ($0.namedDay.map { $0 <= yearEnd } ?? false) }) { out[p] = .named }
            else { out[p] = mine.isEmpty ? Assessment.BrandStatus.none : .creating }
        }
        return out
    }
}
