import Vapor
import Fluent
import SQLKit
import Domain

/// The five-star rating workflow (DOMAIN §2, R-3…R-8): the domain decides, this loads what
/// the rules need, checks who may act (R-1, R-4), and saves each step with its audit entry
/// in one transaction, guarded by the rating's version (optimistic locking).
enum RatingService {
    // MARK: loading

    static func find(_ id: String, ctx: Ctx, for action: Action = .readRatings) async throws -> RatingModel {
        let uuid = try id.uuid(or: "评星记录不存在")
        guard let r = try await RatingModel.find(uuid, on: ctx.db) else { throw AppError.notFound("评星记录不存在") }
        try await ctx.require(action, at: r.branchPath, entity: "rating", id: r.idString, label: "\(r.year)年\(r.branchName)")
        return r
    }

    static func round(_ r: RatingModel, on db: any Database) async throws -> RoundModel {
        guard let round = try await RoundModel.find(r.roundID, on: db) else { throw AppError.notFound("评星年度不存在") }
        return round
    }

    static func scheme(of round: RoundModel, on db: any Database) async throws -> (SchemeModel, RatingScheme) {
        guard let s = try await SchemeModel.find(round.schemeID, on: db) else { throw AppError.notFound("评星方案不存在") }
        return (s, s.scheme)
    }

    static func scheme(for r: RatingModel, on db: any Database) async throws -> RatingScheme {
        try await scheme(of: try await round(r, on: db), on: db).1
    }

    /// The rating year that covers a branch: the deepest round on one of its ancestors.
    static func roundCovering(_ branchPath: String, year: Int, on db: any Database) async throws -> RoundModel? {
        let rounds = try await RoundModel.query(on: db).filter(\.$year == year).all()
        return rounds.filter { branchPath.hasPrefix($0.orgPath) }.max { $0.orgPath.count < $1.orgPath.count }
    }

    /// The orgs on a path ("/a/b/c/"), top first.
    static func ancestors(_ path: String, on db: any Database) async throws -> [OrgModel] {
        let ids = path.split(separator: "/").compactMap { UUID(uuidString: String($0)) }
        let orgs = try await OrgModel.query(on: db).filter(\.$id ~~ ids).all()
        return orgs.sorted { $0.depth < $1.depth }
    }

    /// The unit (单位) of a branch: its nearest 党组, else its 机关党委.
    static func unit(of ancestors: [OrgModel]) -> OrgModel? {
        ancestors.last { $0.orgType == .partyGroup } ?? ancestors.last { $0.orgType == .organCommittee }
    }

    static func reviewerKinds(_ r: RatingModel, ctx: Ctx) async throws -> Set<ReviewerKind> {
        let anc = try await ancestors(r.branchPath, on: ctx.db)
        return ReviewerKind.kinds(grants: ctx.scope.grants, ancestors: anc.map { ($0.orgType, $0.path) }, branchPath: r.branchPath)
    }

    /// R-6 per branch for a year, from the imported 市场主体评 ranking.
    static func marketVerdicts(year: Int, thresholds: Thresholds, on db: any Database) async throws -> [UUID: StarRating.MarketVerdict] {
        try await marketStandings(year: year, on: db).mapValues { StarRating.market($0, thresholds: thresholds) }
    }

    /// The year's 市场主体评 standings per branch, read as plain rows (every branch of a province at once).
    /// `branches`: only these (a page of a list), else every branch.
    static func marketStandings(year: Int, branches: [UUID]? = nil, on db: any Database) async throws -> [UUID: [StarRating.MarketStanding]] {
        if let branches, branches.isEmpty { return [:] }
        let q = db.sql.select().columns("branch_id", "section", "rank", "total", "score").from(MarketScoreModel.schema)
            .where("year", .equal, year).where("branch_id", .isNot, SQLLiteral.null)
        if let branches { q.where("branch_id", .in, SQLBind.group(branches)) }
        var by: [UUID: [StarRating.MarketStanding]] = [:]
        for r in try await q.plainRows() {
            guard let branch = r.uuid("branch_id"), let section = r.string("section"), let rank = r.int("rank"), let total = r.int("total"),
                  let score = r.double("score") else { continue }
            by[branch, default: []].append(.init(section: section, rank: rank, total: total, score: score))
        }
        return by
    }

    static func marketImported(year: Int, on db: any Database) async throws -> Bool {
        try await MarketScoreModel.query(on: db).filter(\.$year == year).count() > 0
    }

    static func facts(branch: OrgModel, year: Int, scheme: RatingScheme, ctx: Ctx) async throws -> BranchFacts {
        let due = branch.termDue(today: ctx.today)
        let market: StarRating.MarketVerdict?
        if try await marketImported(year: year, on: ctx.db) {
            market = try await marketVerdicts(year: year, thresholds: scheme.thresholds, on: ctx.db)[branch.id!] ?? .clear
        } else { market = nil }
        // DOMAIN §5: organizational-life compliance feeds the strong-branch star once records are kept here
        let meetings = try await OrgLifeService.ratingShare(branch, year: year, today: ctx.today, on: ctx.db)
        return BranchFacts(termOverdue: due.status == .unknown ? nil : due.isOverdue, termDue: due.dueDate,
                           secretary: branch.secretary, market: market, meetingsCompliance: meetings)
    }

    // MARK: rating years and opening

    static func openYear(orgRef: String, year: Int, schemeRef: String, ctx: Ctx) async throws -> RoundModel {
        guard ctx.scope.allows(.manageNotices) || ctx.scope.isAdmin else {
            throw await ctx.deny("只有工委干部或系统管理员可以开启年度评星", entity: "rating_year")
        }
        guard (2000...2100).contains(year) else { throw AppError.validation(FieldErrors("year", "年度应在2000到2100之间")) }
        guard let org = try await OrgService.resolve(orgRef, on: ctx.db) else { throw AppError.validation(FieldErrors("orgId", "组织不存在")) }
        guard org.orgType == .committee else { throw AppError.validation(FieldErrors("orgId", "年度评星须在党委/工委上开启")) }
        try await ctx.require(.manageNotices, at: org.path, entity: "rating_year", id: nil, label: org.name)
        let sid = try schemeRef.uuid(or: "评星方案不存在")
        guard let scheme = try await SchemeModel.find(sid, on: ctx.db) else { throw AppError.validation(FieldErrors("schemeId", "评星方案不存在")) }
        if try await RoundModel.query(on: ctx.db).filter(\.$orgID == org.id!).filter(\.$year == year).count() > 0 {
            throw AppError.conflict("\(org.name)的\(year)年度评星已经开启", field: "year")
        }
        let round = RoundModel()
        round.year = year; round.orgID = org.id!; round.orgPath = org.path; round.schemeID = scheme.id!; round.openedBy = ctx.actor.name
        try await ctx.db.transaction { db in
            try await round.create(on: db)
            try await ctx.audit(on: db, "create", "rating_year", id: round.idString, label: "\(year)年度评星（\(org.name)）", orgID: org.id, orgPath: org.path,
                                after: ["year": String(year), "scheme": "\(scheme.name) 第\(scheme.version)版"])
        }
        return round
    }

    /// 支部报星 begins: the branch's draft for the year, under the year's scheme.
    static func open(branchRef: String, year: Int, ctx: Ctx) async throws -> RatingModel {
        guard (2000...2100).contains(year) else { throw AppError.validation(FieldErrors("year", "年度应在2000到2100之间")) }
        guard let branch = try await OrgService.resolve(branchRef, on: ctx.db) else { throw AppError.validation(FieldErrors("branchId", "党支部不存在")) }
        try await ctx.require(.applyRating, at: branch.path, entity: "rating", id: nil, label: branch.name)
        guard branch.orgType == .branch else { throw AppError.validation(FieldErrors("branchId", "只有党支部参加五星支部评定")) }
        guard branch.orgStatus == .active else { throw AppError.conflict("该党支部已撤销") }
        guard let round = try await roundCovering(branch.path, year: year, on: ctx.db) else {
            throw AppError.conflict("\(year)年度评星尚未开启，请联系上级党组织", field: "year")
        }
        if try await RatingModel.query(on: ctx.db).filter(\.$branchID == branch.id!).filter(\.$year == year).count() > 0 {
            throw AppError.conflict("\(branch.name)的\(year)年度评星已经建立", field: "year")
        }
        let anc = try await ancestors(branch.path, on: ctx.db)
        let r = RatingModel()
        r.roundID = round.id!; r.year = year; r.branchID = branch.id!; r.branchPath = branch.path; r.branchName = branch.name
        r.unitID = unit(of: anc)?.id; r.stage = RatingStage.draft.rawValue; r.requested = ""; r.stars = ""; r.currentStars = ""
        r.setAnswers([:]); r.version = 1
        try await ctx.db.transaction { db in
            try await r.create(on: db)
            try await ctx.audit(on: db, "create", "rating", id: r.idString, label: "\(year)年\(branch.name)", orgID: branch.id, orgPath: branch.path)
        }
        return r
    }

    /// Only the branch's own secretary fills in, submits and attaches evidence (R-1, R-4 step 1).
    static func requireBranch(_ r: RatingModel, ctx: Ctx, _ message: String) async throws {
        try await ctx.require(.applyRating, at: r.branchPath, entity: "rating", id: r.idString, label: r.branchName)
        guard try await reviewerKinds(r, ctx: ctx).contains(.branch) else {
            throw await ctx.deny(message, entity: "rating", id: r.idString, label: r.branchName, orgPath: r.branchPath)
        }
    }

    // MARK: self-assessment

    /// Saves the draft: requested stars and each criterion's answer (attachments are kept).
    static func saveAssessment(_ r: RatingModel, requested: [String], answers: [String: (met: Bool?, text: String)], ctx: Ctx) async throws -> RatingModel {
        try await requireBranch(r, ctx: ctx, "只有本支部书记可以填报")
        guard r.stageValue == .draft else { throw AppError.conflict("当前状态为“\(r.stageValue.label)”，不能修改申报内容") }
        let scheme = try await scheme(for: r, on: ctx.db)
        var errors = FieldErrors()
        var set = Set<Star>()
        for s in requested {
            guard let star = Star(rawValue: s) else { errors.add("stars", "未知的星：\(s)"); continue }
            set.insert(star)
        }
        var merged = r.answerMap
        for (key, a) in answers {
            guard scheme.criterion(key) != nil else { errors.add("criteria.\(key)", "本方案没有这条评星标准"); continue }
            if a.text.unicodeScalars.count > SelfAssessment.maxText { errors.add("criteria.\(key)", "说明不能超过\(SelfAssessment.maxText)个字"); continue }
            var cur = merged[key] ?? CriterionAnswer()
            cur.met = a.met; cur.text = a.text.trimmingSpaces
            merged[key] = cur
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let before = ["requested": r.requested]
        r.requested = StarSet(set).stored
        r.setAnswers(merged)
        try await save(r, ctx: ctx) { db in
            try await ctx.audit(on: db, "update", "rating", id: r.idString, label: "\(r.year)年\(r.branchName)", orgID: r.branchID, orgPath: r.branchPath,
                                before: before, after: ["requested": r.requested], note: "保存支部报星材料")
        }
        return r
    }

    static func submit(_ r: RatingModel, expectedVersion: Int?, ctx: Ctx) async throws -> RatingModel {
        try await requireBranch(r, ctx: ctx, "只有本支部书记可以提交申报")
        try checkVersion(r, expectedVersion)
        guard r.stageValue == .draft else { throw AppError.conflict("当前状态为“\(r.stageValue.label)”，不能再次提交") }
        let scheme = try await scheme(for: r, on: ctx.db)
        guard let branch = try await OrgModel.find(r.branchID, on: ctx.db) else { throw AppError.notFound("党支部不存在") }
        let facts = try await facts(branch: branch, year: r.year, scheme: scheme, ctx: ctx)
        let requested = r.requestedSet
        let errors = SelfAssessment.validate(requested: requested, answers: r.answerMap, scheme: scheme, facts: facts)
        if !errors.isEmpty { throw AppError.validation(errors) }
        // freeze what the platform knew at submission
        var answers = r.answerMap
        for c in scheme.allCriteria {
            guard let check = c.check else { continue }
            var a = answers[c.key] ?? CriterionAnswer()
            a.computed = check.evaluate(facts, requested: requested)
            answers[c.key] = a
        }
        r.setAnswers(answers)
        r.submittedAt = ctx.now
        return try await transition(r, .submit(requested), kind: .branch, action: "submit", comment: nil, scheme: scheme, ctx: ctx)
    }

    // MARK: the chain

    static func decide(_ r: RatingModel, stars: [String], comment: String?, expectedVersion: Int?, ctx: Ctx) async throws -> RatingModel {
        try checkVersion(r, expectedVersion)   // a stale page is a 409 before anything else
        let kind = try await actingKind(r, ctx: ctx)
        var set = Set<Star>()
        for s in stars {
            guard let star = Star(rawValue: s) else { throw AppError.validation(FieldErrors("stars", "未知的星：\(s)")) }
            set.insert(star)
        }
        let c = comment?.trimmingSpaces ?? ""
        if c.unicodeScalars.count > 1000 { throw AppError.validation(FieldErrors("comment", "意见不能超过1000个字")) }
        let scheme = try await scheme(for: r, on: ctx.db)
        let action: String
        switch r.stageValue {
        case .submitted: action = "propose"
        case .unitProposed: action = "decide"
        case .spotCheck: action = "spot_check"
        case .unitRecommended: action = "certify"
        case .countyRecommended: action = "verify"
        default: action = "decide"
        }
        return try await transition(r, .decide(StarSet(set)), kind: kind, action: action, comment: c.isEmpty ? nil : c, scheme: scheme, ctx: ctx)
    }

    static func returnBack(_ r: RatingModel, reason: String, expectedVersion: Int?, ctx: Ctx) async throws -> RatingModel {
        try checkVersion(r, expectedVersion)   // a stale page is a 409 before anything else
        let kind = try await actingKind(r, ctx: ctx)
        let scheme = try await scheme(for: r, on: ctx.db)
        return try await transition(r, .returnBack(reason: reason.trimmingSpaces), kind: kind, action: "return", comment: reason.trimmingSpaces, scheme: scheme, ctx: ctx)
    }

    /// The reviewer kind the user acts as at the rating's current step; 409 when no step is
    /// open, 403 (logged) when it is not theirs.
    static func actingKind(_ r: RatingModel, ctx: Ctx) async throws -> ReviewerKind {
        try await ctx.require(.readRatings, at: r.branchPath, entity: "rating", id: r.idString, label: r.branchName)
        let stage = r.stageValue
        guard [.submitted, .unitProposed, .spotCheck, .unitRecommended, .countyRecommended].contains(stage), let needed = stage.actor else {
            throw AppError.conflict("当前状态为“\(stage.label)”，没有待审核的环节")
        }
        guard ctx.scope.allows(.reviewRatings), try await reviewerKinds(r, ctx: ctx).contains(needed) else {
            throw await ctx.deny("该环节（\(stage.label)）须由\(needed.label)办理，您无权操作", entity: "rating", id: r.idString,
                                 label: r.branchName, orgPath: r.branchPath)
        }
        return needed
    }

    static func checkVersion(_ r: RatingModel, _ expected: Int?) throws {
        if let expected, expected != r.version {
            throw AppError.conflict("该评星记录已被他人处理（版本\(r.version)），请刷新后再操作", field: "version")
        }
    }

    /// Applies a chain event: new state, a step row, follow-ups (R-8 one-star rectification)
    /// and the audit entry, in one transaction guarded by the version.
    @discardableResult
    static func transition(_ r: RatingModel, _ event: RatingEvent, kind: ReviewerKind, action: String, comment: String?,
                           scheme: RatingScheme, ctx: Ctx, in db: (any Database)? = nil) async throws -> RatingModel {
        let before = r.state
        let after: RatingState
        switch before.apply(event, chain: scheme.chain) {
        case .success(let s): after = s
        case .failure(.wrongStage(let m)): throw AppError.conflict(m)
        case .failure(.invalid(let e)): throw AppError.validation(e)
        }
        r.stage = after.stage.rawValue
        r.stars = after.stars.stored
        if after.stage.isClosed || after.stage == .filed { r.currentStars = after.stars.stored }
        let step = RatingStepModel()
        step.ratingID = r.id!; step.action = action; step.actorKind = kind.rawValue; step.deciderID = ctx.actor.id
        step.deciderName = ctx.actor.name; step.at = ctx.now; step.stageBefore = before.stage.rawValue; step.stageAfter = after.stage.rawValue
        step.starsBefore = before.stars.stored; step.starsAfter = after.stars.stored; step.comment = comment
        let work: @Sendable (any Database) async throws -> Void = { db in
            step.seq = r.version   // already moved on by the guarded update
            try await step.create(on: db)
            if after.stage == .final, after.stars.level == 1, scheme.consequence(for: 1).rectification {
                try await openRectification(orgID: r.branchID, orgPath: r.branchPath, orgName: r.branchName, year: r.year, kind: "rectification",
                                            source: .oneStar, sourceID: r.idString, reason: "\(r.year)年度评定为一星，由上级党组织约谈党支部书记，限期整顿",
                                            scheme: scheme, ctx: ctx, on: db)
            }
            try await ctx.audit(on: db, action, "rating", id: r.idString, label: "\(r.year)年\(r.branchName)", orgID: r.branchID, orgPath: r.branchPath,
                                before: ["stage": before.stage.label, "level": before.stars.level.levelLabel],
                                after: ["stage": after.stage.label, "level": after.stars.level.levelLabel], note: comment)
        }
        if let db { try await guardedUpdate(r, on: db); try await work(db) }
        else { try await save(r, ctx: ctx, work) }
        return r
    }

    /// Writes the rating only if nobody changed it since it was read (version check), then runs `extra`.
    static func save(_ r: RatingModel, ctx: Ctx, _ extra: @escaping @Sendable (any Database) async throws -> Void) async throws {
        try await ctx.db.transaction { db in
            try await guardedUpdate(r, on: db)
            try await extra(db)
        }
    }

    static func guardedUpdate(_ r: RatingModel, on db: any Database) async throws {
        struct Row: Decodable { var id: UUID }
        let rows = try await db.sql.update("ratings")
            .set("stage", to: r.stage).set("requested", to: r.requested).set("stars", to: r.stars)
            .set("current_stars", to: r.currentStars).set("answers", to: r.answers).set("notice_id", to: r.noticeID)
            .set("submitted_at", to: r.submittedAt).set("updated_at", to: Date())
            .set("version", to: r.version + 1)
            .where("id", .equal, r.id!).where("version", .equal, r.version)
            .returning("id").all(decoding: Row.self)
        guard rows.count == 1 else { throw AppError.conflict("该评星记录已被他人处理，请刷新后再操作", field: "version") }
        r.version += 1
    }

    /// A veto, a one-star result or an upheld complaint opens a problem in the ledger (DOMAIN §7).
    static func openRectification(orgID: UUID, orgPath: String, orgName: String, year: Int, kind: String, source: ProblemSource, sourceID: String?,
                                  reason: String, scheme: RatingScheme, ctx: Ctx, on db: any Database) async throws {
        let aspect: Star = source == .marketVeto ? .service : source == .ratingComplaint ? .integrity : .strong
        try await ProblemService.openFromModule(orgID: orgID, orgPath: orgPath, orgName: orgName, year: year, kind: kind, source: source, sourceID: sourceID,
                                                aspect: aspect, reason: reason, days: scheme.thresholds.rectificationDays, ctx: ctx, on: db)
    }

    // MARK: spot check (县级核星 of the filed levels)

    /// Draws the scheme's sample from the filed ratings the caller checks as 县级; the rest become final.
    static func drawSpotCheck(year: Int, ctx: Ctx) async throws -> (selected: [RatingModel], accepted: [RatingModel]) {
        guard (2000...2100).contains(year) else { throw AppError.validation(FieldErrors("year", "年度应在2000到2100之间")) }
        try await ctxRequireAny(.manageNotices, ctx: ctx, entity: "rating")
        let filed = try await RatingModel.query(on: ctx.db).filter(\.$year == year).filter(\.$stage == RatingStage.filed.rawValue)
            .inScope(ctx.scope.roots(for: .manageNotices), path: \.$branchPath).sort(\.$branchPath).all()
        var mine: [RatingModel] = []
        for r in filed where try await reviewerKinds(r, ctx: ctx).contains(.county) { mine.append(r) }
        guard !mine.isEmpty else { throw AppError.conflict("\(year)年度没有待抽查的备案评星") }
        // one sample size per rating year (scheme version)
        var selected: [RatingModel] = [], accepted: [RatingModel] = []
        for (roundID, group) in Dictionary(grouping: mine, by: \.roundID) {
            guard let round = try await RoundModel.find(roundID, on: ctx.db) else { continue }
            let scheme = try await scheme(of: round, on: ctx.db).1
            let pick = Set(group.shuffled().prefix(scheme.chain.spotCheckSampleSize).map(\.id))
            for r in group {
                let chosen = pick.contains(r.id)
                try await transition(r, .spotCheckDrawn(selected: chosen), kind: .county, action: chosen ? "spot_drawn" : "filed_accepted",
                                     comment: chosen ? "被随机抽中，待县级核查" : "备案通过（未抽中）", scheme: scheme, ctx: ctx)
                if chosen { selected.append(r) } else { accepted.append(r) }
            }
        }
        return (selected, accepted)
    }

    static func ctxRequireAny(_ action: Action, ctx: Ctx, entity: String) async throws {
        guard ctx.scope.allows(action) else {
            throw await ctx.deny("无权访问：您的角色不能进行此操作（所需权限：\(action.label)）", entity: entity)
        }
    }

    // MARK: 动态调星

    static func adjust(_ r: RatingModel, change: String, star: String, date: String, reason: String, ctx: Ctx) async throws -> RatingModel {
        try await ctx.require(.adjustStars, at: r.branchPath, entity: "rating", id: r.idString, label: r.branchName)
        guard r.stageValue == .final else { throw AppError.conflict("只有已评定的支部可以动态调星（当前：\(r.stageValue.label)）") }
        var e = FieldErrors()
        let s = Star(rawValue: star)
        if s == nil { e.add("star", "请选择要增减的星") }
        if change != "add" && change != "remove" { e.add("change", "请选择增星或减星") }
        let d = Check.date(date, "date", "调整日期", required: true, notAfter: ctx.today, into: &e)
        if let d, d.year != r.year && d.year != r.year + 1 { e.add("date", "调整日期应在\(r.year)年度内或次年") }
        let why = Check.required(reason, "reason", "调整理由", max: 500, into: &e)
        if !e.isEmpty { throw AppError.validation(e) }
        let cur = r.currentSet
        let next: StarSet
        if change == "add" {
            guard !cur.contains(s!) else { throw AppError.conflict("该支部已有\(s!.label)", field: "star") }
            next = cur.inserting(s!)
        } else {
            guard cur.contains(s!) else { throw AppError.conflict("该支部没有\(s!.label)，无法减去", field: "star") }
            next = cur.removing(s!)
        }
        if let v = StarRating.r3Violation(next) { throw AppError.validation(FieldErrors("star", v + (change == "remove" ? "（请先减去支部过硬星）" : ""))) }
        let entry = LedgerEntryModel()
        entry.ratingID = r.id!; entry.date = d!.iso; entry.change = change; entry.star = s!.rawValue; entry.reason = why!
        entry.deciderName = ctx.actor.name; entry.starsBefore = cur.stored; entry.starsAfter = next.stored
        r.currentStars = next.stored
        try await save(r, ctx: ctx) { db in
            try await entry.create(on: db)
            try await ctx.audit(on: db, "adjust", "rating", id: r.idString, label: "\(r.year)年\(r.branchName)", orgID: r.branchID, orgPath: r.branchPath,
                                before: ["level": cur.level.levelLabel], after: ["level": next.level.levelLabel],
                                note: "\(change == "add" ? "增" : "减")\(s!.label)：\(why!)")
        }
        return r
    }

    static func ledger(_ r: RatingModel, on db: any Database) async throws -> [LedgerEntryModel] {
        try await LedgerEntryModel.query(on: db).filter(\.$ratingID == r.id!).sort(\.$date).sort(\.$createdAt).all()
    }

    static func steps(_ r: RatingModel, on db: any Database) async throws -> [RatingStepModel] {
        try await RatingStepModel.query(on: db).filter(\.$ratingID == r.id!).sort(\.$at).sort(\.$seq).all()
    }

    // MARK: lists

    struct Filter: Sendable {
        var year: Int
        var stage: String?
        var waiting: Bool
        var orgID: String?
    }

    /// Ratings in the caller's scope for a year; `waiting` keeps those whose current step is the caller's.
    static func list(ctx: Ctx, filter: Filter) async throws -> [RatingModel] {
        let q = RatingModel.query(on: ctx.db).filter(\.$year == filter.year)
            .inScope(ctx.scope.roots(for: .readRatings), path: \.$branchPath)
        if let s = filter.stage, !s.isEmpty { q.filter(\.$stage == s) }
        if let o = filter.orgID, !o.isEmpty {
            guard let org = try await OrgService.resolve(o, on: ctx.db) else { throw AppError.notFound("筛选的组织不存在（orgId）") }
            q.filter(\.$branchPath, .contains(inverse: false, .prefix), org.path)
        }
        let all = try await q.sort(\.$branchPath).all()
        guard filter.waiting else { return all }
        return try await waiting(all, ctx: ctx)
    }

    /// One page of `list`, for the ratings page and GET /api/v1/ratings: the list's order (ids only)
    /// is computed once per user, filter and day until the next write (ViewCache); the page's
    /// ratings are then read by id. A committee's year holds 20,000 ratings.
    static func page(ctx: Ctx, filter: Filter, paging: Paging, cache: ViewCache) async throws -> (items: [RatingModel], total: Int) {
        let key = "ratings|\(ctx.user.id)|\(filter.year)|\(filter.stage ?? "")|\(filter.waiting)|\(filter.orgID ?? "")|\(ctx.today.iso)"
        let ids = try await cache.value(key) { try await orderedIDs(ctx: ctx, filter: filter) }
        let slice = Array(ids.dropFirst(paging.offset).prefix(paging.per))
        guard !slice.isEmpty else { return ([], ids.count) }
        let byID = Dictionary(uniqueKeysWithValues: try await RatingModel.query(on: ctx.db).filter(\.$id ~~ slice).all().map { ($0.id!, $0) })
        return (slice.compactMap { byID[$0] }, ids.count)
    }

    /// A rating as three columns: what ordering, counting and "waiting for me" need.
    struct Line: Sendable {
        var id: UUID
        var stage: String
        var branch_path: String
        var stageValue: RatingStage { RatingStage(rawValue: stage) ?? .draft }
    }

    /// `list` as `Line`s, in its order (a committee's year is 20,000 ratings, each with its answers).
    static func lines(ctx: Ctx, filter: Filter) async throws -> [Line] {
        let q = ctx.db.sql.select().column("id").column("stage").column("branch_path").from(RatingModel.schema).where("year", .equal, filter.year)
        q.under(ctx.scope.roots(for: .readRatings), column: "branch_path")
        if let s = filter.stage, !s.isEmpty { q.where("stage", .equal, s) }
        if let o = filter.orgID, !o.isEmpty {
            guard let org = try await OrgService.resolve(o, on: ctx.db) else { throw AppError.notFound("筛选的组织不存在（orgId）") }
            q.under([org.path], column: "branch_path")
        }
        let rows = try await q.orderBy("branch_path").plainRows().compactMap { r -> Line? in
            guard let id = r.uuid("id"), let stage = r.string("stage"), let path = r.string("branch_path") else { return nil }
            return Line(id: id, stage: stage, branch_path: path)
        }
        return filter.waiting ? try await waiting(rows, stage: \.stageValue, path: \.branch_path, ctx: ctx) : rows
    }

    /// The ids `list` gives, in its order.
    static func orderedIDs(ctx: Ctx, filter: Filter) async throws -> [UUID] {
        try await lines(ctx: ctx, filter: filter).map(\.id)
    }

    static func waiting(_ ratings: [RatingModel], ctx: Ctx) async throws -> [RatingModel] {
        try await waiting(ratings, stage: \.stageValue, path: \.branchPath, ctx: ctx)
    }

    /// The items whose current step is the caller's: ratings, or the plain rows `summary` reads.
    static func waiting<T>(_ items: [T], stage: (T) -> RatingStage, path: (T) -> String, ctx: Ctx) async throws -> [T] {
        let open: Set<RatingStage> = [.draft, .submitted, .unitProposed, .spotCheck, .unitRecommended, .countyRecommended]
        let candidates = items.filter { open.contains(stage($0)) }
        if candidates.isEmpty { return [] }
        // ancestors are shared: read every org on the paths once, as plain rows
        let ids = Set(candidates.flatMap { path($0).split(separator: "/").compactMap { UUID(uuidString: String($0)) } })
        let orgs = try await OrgNode.byID(ids, on: ctx.db)
        return candidates.filter { r in
            let p = path(r)
            guard let needed = stage(r).actor else { return false }
            if needed == .branch && !ctx.scope.allows(.applyRating, at: p) { return false }
            if needed != .branch && !ctx.scope.allows(.reviewRatings, at: p) { return false }
            let anc = p.split(separator: "/").compactMap { UUID(uuidString: String($0)).flatMap { orgs[$0] } }
            return ReviewerKind.kinds(grants: ctx.scope.grants, ancestors: anc.compactMap { o in OrgType(rawValue: o.type).map { ($0, o.path) } },
                                      branchPath: p).contains(needed)
        }
    }

    /// A year's ratings in the caller's scope counted by stage, and how many wait for the caller
    /// (the dashboard's figures), from `lines` instead of the ratings themselves.
    static func summary(ctx: Ctx, year: Int) async throws -> (byStage: [RatingStage: Int], waiting: Int) {
        let rows = try await lines(ctx: ctx, filter: .init(year: year, stage: nil, waiting: false, orgID: nil))
        let mine = try await waiting(rows, stage: \.stageValue, path: \.branch_path, ctx: ctx)
        return (Dictionary(grouping: rows, by: \.stageValue).mapValues(\.count), mine.count)
    }
}
