import Testing
import Foundation
import Fluent
import Domain
@testable import App

/// R-1 at province scale: the scope filter's index range selects exactly the paths LIKE 'root%' does.
@Suite struct ScopeRangeTests {
    @Test func r1_theRangeOfASubtreeIsExactlyItsPrefix() {
        #expect(ScopePaths.upperBound("/a1/") == "/a10")
        var rng = SystemRandomNumberGenerator()
        func id() -> String { UUID().uuidString.lowercased() }
        let a = id(), b = id(), c = id()
        let paths = ["/\(a)/", "/\(a)/\(b)/", "/\(a)/\(b)/\(c)/", "/\(b)/", "/\(a)x/", "/\(a)0/", "/\(b)/\(a)/"] + (0..<200).map { _ in "/" + (0..<Int.random(in: 1...4, using: &rng)).map { _ in id() }.joined(separator: "/") + "/" }
        for root in ["/\(a)/", "/\(a)/\(b)/", "/\(b)/"] {
            let upper = ScopePaths.upperBound(root)
            for p in paths {
                // byte order, as SQLite's BINARY collation compares text
                let inRange = Array(p.utf8).lexicographicallyPrecedes(Array(root.utf8)) == false && Array(p.utf8).lexicographicallyPrecedes(Array(upper.utf8))
                #expect(inRange == p.hasPrefix(root), "\(p) under \(root)")
            }
        }
    }
}

/// R-18 at province scale: the kept tallies are the meetings counted, whichever way they are read.
@Suite struct YearReadTests {
    @Test func r18_theKeptTalliesAreTheMeetingsCounted() async throws {
        try await withTestApp { t in
            let orgModels = try await OrgModel.query(on: t.db).all()
            try await DemoData.seedRecords(t.app, ctx: Commands.ctx(t.app), byCode: Dictionary(uniqueKeysWithValues: orgModels.map { ($0.code, $0) }))
            let any = try #require(try await MeetingModel.query(on: t.db).first(), "the demo records have meetings")
            let year = try #require(Day(iso: any.date)).year
            // the year's meetings, counted here from the meetings table
            let meetings = try await MeetingModel.query(on: t.db).all()
            var expected: [UUID: OrgLifeCompliance.Tally] = [:]
            for m in meetings where m.day.year == year { expected[m.orgID, default: .init()].add(month: m.day.month, types: MeetingType.bits(m.typeSet)) }
            #expect(expected.count > 3, "several orgs have meetings in \(year)")
            let all = try await MeetingTallies.ofYear(year, on: t.db)
            let each = try await MeetingTallies.ofYear(year, orgIDs: orgModels.compactMap(\.id), on: t.db)
            #expect(all == expected)
            #expect(each == expected)
            // the stored text reads back as the same tally
            for (_, tally) in expected { #expect(OrgLifeCompliance.Tally(encoded: tally.encoded) == tally) }
            // and rebuilding from scratch gives what was kept
            try await t.db.transaction { db in try await MeetingTallies.rebuildAll(on: db) }
            #expect(try await MeetingTallies.ofYear(year, on: t.db) == expected)
        }
    }

    @Test func r6_r7_r18_theWholeDatabaseEvaluationIsThePerBranchEvaluation() async throws {
        try await withTestApp { t in
            let orgModels = try await OrgModel.query(on: t.db).all()
            try await DemoData.seedRecords(t.app, ctx: Commands.ctx(t.app), byCode: Dictionary(uniqueKeysWithValues: orgModels.map { ($0.code, $0) }))
            let ctx = Commands.ctx(t.app)
            var settings = try await RecordSettings.load(on: t.db)
            settings.orgLifeSince = "2026-01-01"
            try await RecordSettings.save(settings, ctx: ctx)
            let year = 2026
            // B1's evaluation: plain rows, kept tallies, reads started together, R-7 beside the criteria
            let summary = try await YearEvaluation.run(year: year, ctx: ctx)
            // the same figures as a rating's own page works them out, one branch at a time
            let scheme = RatingScheme.nanyang
            let checks = Star.allCases.flatMap { scheme.criteria(of: $0) }.compactMap(\.check)
            var evaluated = 0, met = 0, withShare = 0
            let branches = try await OrgModel.query(on: t.db).filter(\.$type == OrgType.branch.rawValue).filter(\.$status == OrgStatus.active.rawValue).all()
            for b in branches {
                let facts = try await RatingService.facts(branch: b, year: year, scheme: scheme, ctx: ctx)
                if facts.meetingsCompliance != nil { withShare += 1 }
                for c in checks {
                    evaluated += 1
                    if c.evaluate(facts, requested: StarSet(Star.allCases)).met == true { met += 1 }
                }
            }
            #expect(withShare > 0, "the branches' organizational life is part of the criteria")
            #expect(summary.branches == branches.count)
            #expect(summary.criteriaEvaluated == evaluated)
            #expect(summary.criteriaMet == met)
            let units = try await RatingResults.units(year: year, ctx: ctx)
            #expect(summary.units == units.count && summary.units > 0)
            #expect(summary.modelOrgans == units.filter(\.verdict.isModel).count)
            #expect(summary.stars == units.reduce(0) { $0 + $1.branches.reduce(0) { $0 + $1.effective.level } })
        }
    }

    @Test func r18_theDashboardsMonthCountIsTheHeatMapsCount() async throws {
        try await withTestApp { t in
            let orgModels = try await OrgModel.query(on: t.db).all()
            try await DemoData.seedRecords(t.app, ctx: Commands.ctx(t.app), byCode: Dictionary(uniqueKeysWithValues: orgModels.map { ($0.code, $0) }))
            let settings = try await RecordSettings.load(on: t.db)
            let year = t.app.clock.today().year
            var seen: Set<Int> = []
            for code in ["", "ZR-JGDW", "ZR-B01"] {       // everything, an organ committee, a branch
                let org = orgModels.first { $0.code == code }
                let grant = Grant(role: .admin, orgID: org?.idString ?? "", orgPath: org?.path ?? "/")
                let ctx = Ctx(db: t.db, user: CurrentUser(id: UUID(), username: "t", displayName: "t", memberID: nil, scope: Scope(grants: [grant]), credentialStamp: ""),
                              actor: Audit.Actor(id: nil, name: "t", requestID: nil, ip: nil), now: t.app.clock.now())
                let user = code
                let calendars = try await OrgLifeService.scopeCalendars(ctx: ctx, year: year, settings: settings).rows
                for m in 1...12 {
                    let expected = calendars.filter { $0.months[m - 1].status == .missing }.count
                    #expect(try await OrgLifeService.missingCount(ctx: ctx, year: year, month: m, settings: settings) == expected, "\(user) \(year)-\(m)")
                    seen.insert(expected)
                }
            }
            #expect(seen.count > 1 && seen.contains { $0 > 0 }, "the demo year has months with and without missing meetings: \(seen)")
        }
    }
}

/// The plain rows a province-wide computation reads give what Fluent's models give.
@Suite struct PlainRowTests {
    @Test func uuidsReadByteByByteAreFoundationsUUIDs() {
        for _ in 0..<1_000 {
            let u = UUID()
            #expect(UUID(hex: u.uuidString) == u)
            #expect(UUID(hex: u.uuidString.lowercased()) == u)
        }
        let good = UUID().uuidString
        for bad in ["", String(good.dropLast()), good + "0", good.replacingOccurrences(of: "-", with: "_"), "G" + good.dropFirst(),
                    String(good.prefix(35)) + "é", " " + good.dropFirst()] {
            #expect(UUID(hex: bad) == nil, "\(bad)")
        }
    }

    @Test func r1_orgNodesAreTheOrgModelsUnderTheSameRoots() async throws {
        try await withTestApp { t in
            let models = try await OrgModel.query(on: t.db).filter(\.$status == OrgStatus.active.rawValue).all()
            let unit = try await t.org("ZR-JGDW")
            for roots in [nil, [unit.path]] as [[String]?] {
                let nodes = try await OrgNode.all(under: roots, includeClosed: false, on: t.db)
                let expected = models.filter { m in roots.map { $0.contains { m.path.hasPrefix($0) } } ?? true }
                #expect(nodes.count == expected.count && !nodes.isEmpty)
                let byID = Dictionary(uniqueKeysWithValues: expected.map { ($0.id!, $0) })
                for n in nodes {
                    let m = try #require(byID[n.id])
                    #expect(n.name == m.name && n.code == m.code && n.type == m.type && n.parentID == m.parentID && n.path == m.path)
                    #expect(n.depth == m.depth && n.foundedOn == m.foundedOn && n.termStart == m.termStart && n.termYears == m.termYears)
                    #expect(n.secretary == m.secretary && n.status == m.status)
                }
            }
        }
    }
}
