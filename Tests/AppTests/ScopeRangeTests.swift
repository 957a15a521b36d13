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

/// B1's whole-database read of a year's meetings gives what the per-org read gives (R-18 input).
@Suite struct YearReadTests {
    @Test func r18_theYearsMeetingsReadInBulkMatchThePerOrgRead() async throws {
        try await withTestApp { t in
            let orgModels = try await OrgModel.query(on: t.db).all()
            try await DemoData.seedRecords(t.app, ctx: Commands.ctx(t.app), byCode: Dictionary(uniqueKeysWithValues: orgModels.map { ($0.code, $0) }))
            let any = try #require(try await MeetingModel.query(on: t.db).first(), "the demo records have meetings")
            let year = try #require(Day(iso: any.date)).year
            let bulk = try await OrgLifeService.recordsOfYear(year, on: t.db)
            let orgs = try await OrgModel.query(on: t.db).all().compactMap(\.id)
            let each = try await OrgLifeService.records(orgIDs: orgs, year: year, on: t.db)
            #expect(!each.isEmpty, "the demo data has meetings in \(year)")
            #expect(Set(bulk.keys) == Set(each.keys))
            for (org, recs) in each {
                let key: (OrgLifeCompliance.Record) -> String = { "\($0.day.iso)|\($0.types.map(\.rawValue).sorted())" }
                #expect(bulk[org]!.map(key).sorted() == recs.map(key).sorted())
            }
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
