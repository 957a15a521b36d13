import Vapor
import Fluent
import Domain

/// R-6…R-8 as shown: per branch its effective level (decided stars + ledger, under the
/// 市场主体评 cap) with reasons and consequences; per unit the model-organ verdict.
enum RatingResults {
    /// What the results need of a rating, read without its answers.
    struct Rating: Sendable, Decodable {
        let id: UUID
        let branchID: UUID
        let stage: String
        let currentStars: String
        enum CodingKeys: String, CodingKey { case id, stage, branchID = "branch_id", currentStars = "current_stars" }
        var idString: String { id.uuidString.lowercased() }
        var stageValue: RatingStage { RatingStage(rawValue: stage) ?? .draft }
        var currentSet: StarSet { StarSet(stored: currentStars) }

        init?(_ r: PlainRow) {
            guard let id = r.uuid("id"), let branch = r.uuid("branch_id"), let stage = r.string("stage") else { return nil }
            self.id = id; self.branchID = branch; self.stage = stage; self.currentStars = r.string("current_stars") ?? ""
        }
    }

    struct Branch: Sendable {
        var org: OrgNode
        var rating: Rating?
        var effective: StarRating.Effective
        var decided: Bool
        var market: StarRating.MarketVerdict
        var consequences: [String]
        var stageLabel: String
    }

    struct Unit: Sendable {
        var org: OrgNode
        var scheme: RatingScheme
        var verdict: ModelOrganVerdict
        var branches: [Branch]
        var pending: Int
    }

    /// The shown level of one rating (used by lists and detail pages).
    static func effective(_ r: RatingModel, market: StarRating.MarketVerdict) -> StarRating.Effective {
        effective(stage: r.stageValue, current: r.currentSet, market: market)
    }

    static func effective(stage: RatingStage, current: StarSet, market: StarRating.MarketVerdict) -> StarRating.Effective {
        switch stage {
        case .filed, .spotCheck, .final: return StarRating.effective(current, market: market)
        case .disqualified: return StarRating.Effective(stars: StarSet(), reasons: ["公示期间问题反映查实，取消评选资格"])
        default: return StarRating.Effective(stars: StarSet(), reasons: market.reason.map { [$0] } ?? [])
        }
    }

    /// `orgs` and `standings`, when the caller has them: the active orgs under the user's
    /// `.readOrgs` roots and the year's 市场主体评 standings (the whole-database evaluation reads them once).
    static func units(year: Int, ctx: Ctx, orgs known: [OrgNode]? = nil, standings knownStandings: [UUID: [StarRating.MarketStanding]]? = nil) async throws -> [Unit] {
        let orgs: [OrgNode]
        if let known { orgs = known } else { orgs = try await OrgNode.all(under: ctx.scope.roots(for: .readOrgs), includeClosed: false, on: ctx.db) }
        let ratingRoots = ctx.scope.roots(for: .readRatings)
        let ratings: [Rating]
        if let ratingRoots, ratingRoots.isEmpty { ratings = [] } else {
            ratings = try await ctx.db.sql.select().columns("id", "branch_id", "stage", "current_stars").from(RatingModel.schema)
                .where("year", .equal, year).under(ratingRoots, column: "branch_path").plainRows().compactMap(Rating.init)
        }
        let byBranch = Dictionary(ratings.map { ($0.branchID, $0) }, uniquingKeysWith: { a, _ in a })
        let rounds = try await RoundModel.query(on: ctx.db).filter(\.$year == year).all()
        var schemeCache: [UUID: RatingScheme] = [:]
        func schemeFor(_ path: String) async throws -> RatingScheme {
            guard let round = rounds.filter({ path.hasPrefix($0.orgPath) }).max(by: { $0.orgPath.count < $1.orgPath.count }) else { return .nanyang }
            if let s = schemeCache[round.schemeID] { return s }
            let s = try await RatingService.scheme(of: round, on: ctx.db).1
            schemeCache[round.schemeID] = s
            return s
        }
        let standings: [UUID: [StarRating.MarketStanding]]
        if let knownStandings { standings = knownStandings } else { standings = try await RatingService.marketStandings(year: year, on: ctx.db) }
        // units: 党组, or a 机关党委 with no 党组 above it (ancestors by parent within the scope: O(orgs × depth))
        let byID = Dictionary(orgs.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func hasAncestor(_ o: OrgNode, _ test: (OrgNode) -> Bool) -> Bool {
            var cur = o.parentID.flatMap { byID[$0] }
            while let c = cur { if test(c) { return true }; cur = c.parentID.flatMap { byID[$0] } }
            return false
        }
        let unitOrgs = orgs.filter { o in
            o.orgType == .partyGroup || (o.orgType == .organCommittee && !hasAncestor(o) { $0.orgType == .partyGroup })
        }
        // each branch under its nearest unit... and under every unit above it (a 党组 over a 机关党委 counts both)
        let unitIDs = Set(unitOrgs.map(\.id))
        var branchesOf: [UUID: [OrgNode]] = [:]
        for b in orgs where b.orgType == .branch && ctx.scope.allows(.readRatings, at: b.path) {
            _ = hasAncestor(b) { u in
                if unitIDs.contains(u.id) { branchesOf[u.id, default: []].append(b) }
                return false
            }
        }
        // a year's rating ends with the year; until then branches without an application are pending
        let yearOver = ctx.today.year > year
        var out: [Unit] = []
        for u in unitOrgs {
            let scheme = try await schemeFor(u.path)
            let branches = (branchesOf[u.id] ?? []).sorted { $0.code < $1.code }
            guard !branches.isEmpty else { continue }
            var rows: [Branch] = []
            var pending = 0
            for b in branches {
                let market = StarRating.market(standings[b.id] ?? [], thresholds: scheme.thresholds)
                let r = byBranch[b.id]
                let eff = r.map { effective(stage: $0.stageValue, current: $0.currentSet, market: market) }
                    ?? StarRating.Effective(stars: StarSet(), reasons: [yearOver ? "本年度未申报" : "尚未申报"] + (market.reason.map { [$0] } ?? []))
                let decided = r.map { $0.stageValue.isDecided || $0.stageValue.isClosed } ?? false
                // while the year runs, a branch not yet decided (or not yet applied) is pending, not a 0★ result
                let counts = decided || (r == nil && yearOver)
                if !counts { pending += 1 }
                rows.append(Branch(org: b, rating: r, effective: eff, decided: decided, market: market,
                                   consequences: counts ? StarRating.consequences(level: eff.level, market: market, scheme: scheme) : [],
                                   stageLabel: r?.stageValue.label ?? "未申报"))
            }
            out.append(Unit(org: u, scheme: scheme, verdict: ModelOrganVerdict(levels: rows.map(\.effective.level), thresholds: scheme.thresholds),
                            branches: rows, pending: pending))
        }
        return out
    }
}

/// The ratings of a year with every step, one row per step (XLSX/CSV).
enum RatingExport {
    static func table(year: Int, ctx: Ctx) async throws -> SheetTable {
        let ratings = try await RatingModel.query(on: ctx.db).filter(\.$year == year)
            .inScope(ctx.scope.roots(for: .readRatings), path: \.$branchPath).sort(\.$branchPath).all()
        let steps = try await RatingStepModel.query(on: ctx.db).filter(\.$ratingID ~~ ratings.compactMap(\.id)).sort(\.$at).sort(\.$seq).all()
        let byRating = Dictionary(grouping: steps, by: \.ratingID)
        let units = try await OrgModel.query(on: ctx.db).filter(\.$id ~~ Set(ratings.compactMap(\.unitID))).all()
        let unitName = Dictionary(uniqueKeysWithValues: units.map { ($0.id!, $0.name) })
        let dtos = try await RatingAPIController.summaries(ratings, year: year, ctx: ctx)
        var rows: [[String]] = [["年度", "单位", "党支部", "当前状态", "当前星级", "星级说明", "环节", "办理方", "办理人", "时间", "调整前星级", "调整后星级", "意见"]]
        for (r, d) in zip(ratings, dtos) {
            let head = [String(year), r.unitID.flatMap { unitName[$0] } ?? "", r.branchName, r.stageValue.label, d.level.levelLabel, d.levelReasons.joined(separator: "；")]
            let list = byRating[r.id!] ?? []
            if list.isEmpty { rows.append(head + ["", "", "", "", "", "", ""]); continue }
            for s in list.map(RatingStepDTO.init) {
                rows.append(head + [s.actionLabel, s.actorLabel, s.decider, Format.dateTime(s.at), s.levelBefore.levelLabel, s.levelAfter.levelLabel, s.comment ?? ""])
            }
        }
        return SheetTable(rows: rows)
    }
}
