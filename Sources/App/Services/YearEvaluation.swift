import Vapor
import Fluent
import Domain

/// B1 of the benchmarks (issue 7): one year's evaluation over the whole database, as the
/// results pages compute it: every branch's computed criteria (term, secretary, 市场主体评,
/// organizational-life compliance), its level under R-6, and every unit's model-organ verdict
/// . Reads in bulk and together: the orgs, the standings and the year's meeting tallies once.
enum YearEvaluation {
    struct Summary: Content {
        var year: Int
        var branches: Int
        var units: Int
        var criteriaEvaluated: Int
        var criteriaMet: Int
        var modelOrgans: Int
        var stars: Int
        var seconds: Double
        /// Where the time went (seconds): read (orgs, settings, 市场主体评 standings and meeting
        /// tallies, read together), criteria (while R-7 runs beside it), units (R-7's remainder).
        var phases: [String: Double]
    }

    static func run(year: Int, ctx: Ctx) async throws -> Summary {
        let started = Date()
        let db = ctx.db
        var phases: [String: Double] = [:]
        var mark = Date()
        func phase(_ name: String) { let now = Date(); phases[name, default: 0] += now.timeIntervalSince(mark); mark = now }
        // the reads do not depend on each other: started together, the database works on one while
        // this process decodes another (PostgreSQL serves them on separate pooled connections)
        async let orgsRead = OrgNode.all(under: nil, includeClosed: false, on: db)
        async let settingsRead = RecordSettings.load(on: db)
        async let standingsRead = RatingService.marketStandings(year: year, on: db)
        async let talliesRead = MeetingTallies.ofYear(year, on: db)
        let (orgs, settings, standings, yearTallies) = try await (orgsRead, settingsRead, standingsRead, talliesRead)
        let tallies = settings.since == nil ? [:] : yearTallies
        let branches = orgs.filter { $0.orgType == .branch }
        let scheme = RatingScheme.nanyang
        let market = standings.mapValues { StarRating.market($0, thresholds: scheme.thresholds) }
        let imported = !market.isEmpty
        phase("read")
        // R-7 (which reads the year's ratings) runs beside the criteria
        async let unitsRun = RatingResults.units(year: year, ctx: ctx, orgs: ctx.scope.roots(for: .readOrgs) == nil ? orgs : nil, standings: standings)
        let checks = Star.allCases.flatMap { scheme.criteria(of: $0) }.compactMap(\.check)
        let all = StarSet(Star.allCases)
        var evaluated = 0, met = 0
        let branchRules = OrgLifeCompliance.RuleSet(rules: settings.orgLifeRules, orgType: .branch)
        for b in branches {
            let due = b.termDue(today: ctx.today)
            let share = settings.since == nil ? nil
                : OrgLifeCompliance.share(year: year, tally: tallies[b.id] ?? .init(), rules: branchRules,
                                          today: ctx.today, since: settings.since, founded: b.foundedOn.flatMap(Day.init(iso:)))
            let facts = BranchFacts(termOverdue: due.status == .unknown ? nil : due.isOverdue, termDue: due.dueDate, secretary: b.secretary,
                                    market: imported ? (market[b.id] ?? .clear) : nil, meetingsCompliance: share)
            for c in checks {
                evaluated += 1
                if c.evaluate(facts, requested: all).met == true { met += 1 }
            }
        }
        phase("criteria")
        let units = try await unitsRun
        phase("units")
        return Summary(year: year, branches: branches.count, units: units.count, criteriaEvaluated: evaluated, criteriaMet: met,
                       modelOrgans: units.filter(\.verdict.isModel).count,
                       stars: units.reduce(0) { $0 + $1.branches.reduce(0) { $0 + $1.effective.level } },
                       seconds: Date().timeIntervalSince(started), phases: phases.mapValues { ($0 * 1000).rounded() / 1000 })
    }

    /// The scan limit: one aggregate query reading the same rows (orgs, the year's ratings,
    /// 市场主体评 scores and meetings), in SQL both SQLite and PostgreSQL accept.
    static func scanSQL(year: Int) -> String {
        """
        SELECT (SELECT COUNT(*) || ':' || SUM(LENGTH(path) + LENGTH(COALESCE(term_start, '')) + LENGTH(COALESCE(secretary, ''))) FROM orgs WHERE status = 'active'), \
        (SELECT COUNT(*) || ':' || SUM(LENGTH(current_stars) + LENGTH(stage)) FROM ratings WHERE year = \(year)), \
        (SELECT COUNT(*) || ':' || SUM(rank) FROM market_scores WHERE year = \(year)), \
        (SELECT COUNT(*) || ':' || SUM(LENGTH(types) + LENGTH(date)) FROM meetings WHERE date >= '\(year)-01-01' AND date <= '\(year)-12-31');
        """
    }
}
