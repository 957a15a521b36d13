import Fluent
import SQLKit
import SQLiteNIO
import Foundation

/// Rows written in bulk (imports, kept summaries): the values Fluent would store (ids as upper-case
/// text on SQLite and `uuid` on PostgreSQL, dates as seconds since 1970, booleans as 0/1), without
/// building a model per row. On SQLite through one prepared statement per chunk (`SQLiteBulk`);
/// on PostgreSQL as multi-row INSERTs through SQLKit, 30,000 binds each (its limit is 65,535).
enum BulkInsert {
    enum Value: Sendable {
        case text(String), uuid(UUID), date(Date), bool(Bool), int(Int), null

        static func text(_ s: String?) -> Value { s.map(Value.text) ?? .null }
        static func uuid(_ u: UUID?) -> Value { u.map(Value.uuid) ?? .null }

        var sql: any SQLExpression {
            switch self {
            case .text(let s): SQLBind(s)
            case .uuid(let u): SQLBind(u)
            case .date(let d): SQLBind(d)
            case .bool(let b): SQLBind(b)
            case .int(let i): SQLBind(i)
            case .null: SQLLiteral.null
            }
        }
    }
    typealias Row = [Value]

    /// Rows made ready for the database they go to (on SQLite, `SQLiteRows`), so that a batch job
    /// builds the next chunk on another core while this one is written.
    struct Prepared: Sendable {
        fileprivate enum Storage: Sendable { case sqlite(SQLiteRows), rows([Row]) }
        fileprivate let storage: Storage
        let count: Int

        init(_ rows: [Row], width: Int, for db: any Database) {
            count = rows.count
            storage = db is any SQLiteDatabase ? .sqlite(SQLiteRows(rows, width: width)) : .rows(rows)
        }
    }

    static func rows(_ db: any Database, into table: String, columns: [String], _ rows: [Row]) async throws {
        try await insert(db, into: table, columns: columns, Prepared(rows, width: columns.count, for: db))
    }

    static func insert(_ db: any Database, into table: String, columns: [String], _ prepared: Prepared) async throws {
        guard prepared.count > 0 else { return }
        switch prepared.storage {
        case .sqlite(let rows):
            guard let lite = db as? any SQLiteDatabase else { preconditionFailure("BulkInsert: rows prepared for SQLite, written elsewhere") }
            try await SQLiteBulk.insert(lite, into: table, columns: columns, rows)
        case .rows(let rows):
            let width = columns.count, per = max(1, 30_000 / max(1, width))
            var start = 0
            while start < rows.count {
                let end = min(start + per, rows.count)
                var q = db.sql.insert(into: table).columns(columns)
                for r in rows[start..<end] {
                    precondition(r.count == width, "BulkInsert: row width \(r.count) ≠ \(width) columns")
                    q = q.values(r.map(\.sql))
                }
                try await q.run()
                start = end
            }
        }
    }

    static let memberColumns = ["id", "name", "gender", "birth_date", "status", "join_date", "org_id", "org_path", "group_id", "post", "phone",
                                "retired", "hardship", "created_at", "updated_at"]

    static let auditColumns = ["id", "at", "actor_id", "actor_name", "action", "entity_type", "entity_id", "entity_label", "org_id", "org_path",
                               "before", "after", "note", "request_id", "ip"]
}

/// RFC 9562 version-7 ids for rows written in bulk: the batch's millisecond timestamp first, then a
/// counter, then random bits. A batch's ids follow one another in every index on an id (the primary
/// key, the audit log's entity index), so half a million rows append to those B-trees instead of
/// landing at random pages of a 2 GB file. Ids of different batches differ in their timestamp and
/// their 32 random bits.
struct TimeOrderedIDs {
    private let ms: UInt64
    private var counter: UInt64 = 0
    /// SplitMix64, seeded once from the system's generator: one `getrandom` call per batch, not per id.
    private var state = UInt64.random(in: .min ... .max)

    init(now: Date) { ms = UInt64(max(0, now.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF }

    private mutating func random32() -> UInt32 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: (z ^ (z >> 31)) >> 32)
    }

    mutating func next() -> UUID {
        precondition(counter < 1 << 42, "TimeOrderedIDs: more than 2^42 ids in one batch")
        let c = counter
        counter += 1
        let r = random32()
        // 48-bit time | version 7 + 12 counter bits | variant 10 + 6 counter bits | 24 counter bits | 32 random bits
        return UUID(uuid: (UInt8(truncatingIfNeeded: ms >> 40), UInt8(truncatingIfNeeded: ms >> 32), UInt8(truncatingIfNeeded: ms >> 24),
                           UInt8(truncatingIfNeeded: ms >> 16), UInt8(truncatingIfNeeded: ms >> 8), UInt8(truncatingIfNeeded: ms),
                           0x70 | UInt8(truncatingIfNeeded: c >> 38) & 0x0F, UInt8(truncatingIfNeeded: c >> 30),
                           0x80 | UInt8(truncatingIfNeeded: c >> 24) & 0x3F, UInt8(truncatingIfNeeded: c >> 16), UInt8(truncatingIfNeeded: c >> 8),
                           UInt8(truncatingIfNeeded: c), UInt8(truncatingIfNeeded: r >> 24), UInt8(truncatingIfNeeded: r >> 16),
                           UInt8(truncatingIfNeeded: r >> 8), UInt8(truncatingIfNeeded: r)))
    }
}

/// glibc's allocator settings for a batch job (an import): a freed block of up to 32 MB stays in the
/// heap for the next one, rather than going back to the kernel and coming back as fresh zeroed pages
/// (each chunk's rows and `SQLiteRows` buffer are megabytes; when chunks were multi-row INSERTs a
/// fifth of an import's time went to page faults). The server keeps glibc's defaults (its memory is
/// what B4 measures).
enum BatchMemory {
    #if os(Linux)
    @_silgen_name("mallopt") private static func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
    #endif
    static func keepFreedMemory() {
        #if os(Linux)
        _ = glibcMallopt(-3, 32 << 20)      // M_MMAP_THRESHOLD: blocks below 32 MB come from the heap
        _ = glibcMallopt(-1, 1 << 30)       // M_TRIM_THRESHOLD: keep up to 1 GB of free heap
        #endif
    }
}
