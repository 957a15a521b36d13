import Fluent
import SQLKit
import Foundation
import Domain

/// R-18 at province scale: each org's meetings of a year, counted by month and types
/// (`OrgLifeCompliance.Tally`), kept in `meeting_tallies` by every write of a meeting in the same
/// transaction. Calendars, the dashboard's card, the yearly assessment and the five-star
/// criterion read these 20,000 short rows instead of the year's 230,000 meetings.
enum MeetingTallies {
    static let schema = "meeting_tallies"

    /// Works the tallies of `orgID` for `years` out again from its meetings (after a meeting of
    /// the org was created, changed or deleted; `db` is the writing transaction).
    static func refresh(orgID: UUID, years: Set<Int>, on db: any Database) async throws {
        for year in years.sorted() {
            let rows = try await MeetingModel.query(on: db).filter(\.$orgID == orgID)
                .filter(\.$date >= "\(year)-01-01").filter(\.$date <= "\(year)-12-31")
                .field(\.$date).field(\.$types).all()
            let tally = OrgLifeCompliance.Tally(records: rows.map { .init(day: $0.day, types: Set($0.typeSet)) }, year: year)
            try await db.sql.delete(from: schema).where("org_id", .equal, orgID).where("year", .equal, year).run()
            if !tally.isEmpty {
                try await BulkInsert.rows(db, into: schema, columns: ["org_id", "year", "tally"], [[.uuid(orgID), .int(year), .text(tally.encoded)]])
            }
        }
    }

    /// Every tally worked out again from all meetings (the migration that added them, the
    /// generator and the demo after their bulk inserts). One year's meetings at a time.
    static func rebuildAll(on db: any Database) async throws {
        try await db.sql.delete(from: schema).run()
        struct Span: Decodable { let first: String?; let last: String? }
        guard let span = try await db.sql.raw("SELECT MIN(date) AS first, MAX(date) AS last FROM meetings").first(decoding: Span.self),
              let first = span.first.flatMap(Day.init(iso:)), let last = span.last.flatMap(Day.init(iso:)) else { return }
        for year in first.year...last.year {
            let records = try await OrgLifeService.records(from: Day(year: year, month: 1, day: 1)!, to: Day(year: year, month: 12, day: 31)!, on: db)
            var rows: [BulkInsert.Row] = []
            rows.reserveCapacity(records.count)
            for (org, recs) in records {
                let t = OrgLifeCompliance.Tally(records: recs, year: year)
                if !t.isEmpty { rows.append([.uuid(org), .int(year), .text(t.encoded)]) }
            }
            try await BulkInsert.rows(db, into: schema, columns: ["org_id", "year", "tally"], rows)
        }
    }

    /// The tallies of `year` (nil: of every org; otherwise of these orgs), by org. An org with
    /// no meeting that year has no entry.
    static func ofYear(_ year: Int, orgIDs: [UUID]? = nil, on db: any Database) async throws -> [UUID: OrgLifeCompliance.Tally] {
        if let ids = orgIDs, ids.isEmpty { return [:] }
        // a large scope reads the whole year once and keeps its own
        if let ids = orgIDs, ids.count > 2_000 {
            let wanted = Set(ids)
            return try await ofYear(year, on: db).filter { wanted.contains($0.key) }
        }
        var out: [UUID: OrgLifeCompliance.Tally] = [:]
        func read(_ q: SQLSelectBuilder) async throws {
            for r in try await q.plainRows() {
                guard let org = r.uuid("org_id"), let text = r.string("tally"), let t = OrgLifeCompliance.Tally(encoded: text) else { continue }
                out[org] = t
            }
        }
        func select() -> SQLSelectBuilder { db.sql.select().column("org_id").column("tally").from(schema).where("year", .equal, year) }
        if let ids = orgIDs {
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
                try await read(select().where("org_id", .in, chunk))
            }
        } else {
            try await read(select())
        }
        return out
    }
}

/// Adds `meeting_tallies` and fills it from the meetings already there.
struct M011MeetingTallies: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(MeetingTallies.schema)
            .field("org_id", .uuid, .required)
            .field("year", .int, .required)
            .field("tally", .string, .required)
            .compositeIdentifier(over: "org_id", "year")
            .create()
        try await db.sql.create(index: "idx_meeting_tallies_year").on(MeetingTallies.schema).column("year").run()
        try await MeetingTallies.rebuildAll(on: db)
    }

    func revert(on db: any Database) async throws {
        try await db.schema(MeetingTallies.schema).delete()
    }
}
