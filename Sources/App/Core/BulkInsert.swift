import Fluent
import SQLKit
import SQLiteNIO
import Foundation

/// Multi-row INSERTs for imports: the values Fluent would store (ids as upper-case text on SQLite
/// and `uuid` on PostgreSQL, dates as seconds since 1970, booleans as 0/1), without building a
/// model per row. On SQLite the rows go straight to the driver as `SQLiteData` (no `Encodable`
/// boxing, no SQLKit serialization per value: a 500,000-row import spent a third of its time there);
/// on PostgreSQL through SQLKit. Chunked under the drivers' bind limits (SQLite 32,766, PostgreSQL 65,535).
enum BulkInsert {
    enum Value: Sendable {
        case text(String), uuid(UUID), date(Date), bool(Bool), int(Int), null

        static func text(_ s: String?) -> Value { s.map(Value.text) ?? .null }
        static func uuid(_ u: UUID?) -> Value { u.map(Value.uuid) ?? .null }

        var sqlite: SQLiteData {
            switch self {
            case .text(let s): .text(s)
            case .uuid(let u): .text(u.uuidString)          // what SQLiteDataEncoder makes of a UUID
            case .date(let d): .float(d.timeIntervalSince1970)
            case .bool(let b): .integer(b ? 1 : 0)
            case .int(let i): .integer(i)
            case .null: .null
            }
        }

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

    static func rows(_ db: any Database, into table: String, columns: [String], _ rows: [Row]) async throws {
        guard !rows.isEmpty else { return }
        let per = max(1, 30_000 / max(1, columns.count))
        if let lite = db as? any SQLiteDatabase {
            let head = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES "
            let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
            var full: String?          // the statement for a whole slice, built once
            var start = 0
            while start < rows.count {
                let end = min(start + per, rows.count)
                let sql: String
                if end - start == per, let f = full { sql = f } else {
                    sql = head + Array(repeating: tuple, count: end - start).joined(separator: ",")
                    if end - start == per { full = sql }
                }
                var binds: [SQLiteData] = []
                binds.reserveCapacity((end - start) * columns.count)
                for r in rows[start..<end] {
                    precondition(r.count == columns.count, "BulkInsert: row width \(r.count) ≠ \(columns.count) columns")
                    for v in r { binds.append(v.sqlite) }
                }
                _ = try await lite.query(sql, binds)
                start = end
            }
            return
        }
        var start = 0
        while start < rows.count {
            let end = min(start + per, rows.count)
            var q = db.sql.insert(into: table).columns(columns)
            for r in rows[start..<end] { q = q.values(r.map(\.sql)) }
            try await q.run()
            start = end
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

    init(now: Date) { ms = UInt64(max(0, now.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF }

    mutating func next() -> UUID {
        precondition(counter < 1 << 42, "TimeOrderedIDs: more than 2^42 ids in one batch")
        let c = counter
        counter += 1
        let r = UInt32.random(in: .min ... .max)
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
/// (each multi-row INSERT's statement and binds are megabytes; a fifth of an import's time went
/// to page faults). The server keeps glibc's defaults (its memory is what B4 measures).
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
