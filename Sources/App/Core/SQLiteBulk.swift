import Foundation
import NIOPosix
import SQLiteNIO
// SQLiteNIO's C target: the library's own SQLite build, whose functions carry a `sqlite_nio_` prefix.
import VaporCSQLite

/// Rows for one SQLite table in the form the C API binds them: every text of a chunk in one byte
/// buffer, each cell an offset into it or a number. Built on one core while another writes the
/// chunk before it; written by `SQLiteBulk.insert` without a copy or an allocation per value.
struct SQLiteRows: Sendable {
    enum Cell: Sendable { case text(Int, Int), int(Int64), double(Double), null }
    private(set) var bytes: [UInt8] = [0]      // never empty: an empty text still gets a non-null pointer
    private(set) var cells: [Cell] = []
    let width: Int
    var count: Int { cells.count / width }

    init(_ rows: [BulkInsert.Row], width: Int) {
        self.width = width
        cells.reserveCapacity(rows.count * width)
        bytes.reserveCapacity(rows.count * width * 24)
        for r in rows {
            precondition(r.count == width, "BulkInsert: row width \(r.count) ≠ \(width) columns")
            for v in r { append(v) }
        }
    }

    private mutating func append(_ v: BulkInsert.Value) {
        switch v {
        case .text(let s):
            let start = bytes.count
            bytes.append(contentsOf: s.utf8)
            cells.append(.text(start, bytes.count - start))
        case .uuid(let u):
            // upper-case text, what SQLiteDataEncoder makes of a UUID (its uuidString)
            let start = bytes.count
            u.forEachTextByte { bytes.append($0) }
            cells.append(.text(start, 36))
        case .date(let d): cells.append(.double(d.timeIntervalSince1970))
        case .bool(let b): cells.append(.int(b ? 1 : 0))
        case .int(let i): cells.append(.int(Int64(i)))
        case .null: cells.append(.null)
        }
    }
}

/// Writes `SQLiteRows` through one prepared single-row INSERT, bound and stepped per row, on the
/// connection a Fluent transaction holds. SQLiteNIO prepares every statement it runs and copies
/// every bound text; for a 500,000-row import that was a third of the writing thread's time, and the
/// multi-row INSERTs it needs instead cost as much again to compile.
///
/// SQLiteNIO does not publish its connection's `sqlite3` handle: it is read from the connection's
/// stored property `handle.raw` by reflection. If a later SQLiteNIO renames it, `insert` throws
/// (the import tests then fail) rather than guessing.
enum SQLiteBulk {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func insert(_ lite: any SQLiteDatabase, into table: String, columns: [String], _ rows: SQLiteRows) async throws {
        guard rows.count > 0 else { return }
        precondition(rows.width == columns.count, "SQLiteBulk: rows of \(rows.width) values for \(columns.count) columns")
        let sql = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES ("
            + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        try await lite.withConnection { conn in
            try await NIOThreadPool.singleton.runIfActive {
                guard let db = handle(of: conn) else { throw Failure(description: "SQLiteNIO 的连接句柄不可用（库的内部结构已变）") }
                try write(db, sql, rows)
            }
        }
    }

    private static func handle(of conn: SQLiteConnection) -> OpaquePointer? {
        guard let h = Mirror(reflecting: conn).descendant("handle") else { return nil }
        return Mirror(reflecting: h).descendant("raw") as? OpaquePointer
    }

    private static func failure(_ db: OpaquePointer, _ rc: Int32, _ sql: String) -> Failure {
        let msg = sqlite_nio_sqlite3_errmsg(db).map { String(cString: $0) } ?? "SQLite error \(rc)"
        return Failure(description: "\(msg) (\(rc)) in \(sql.prefix(80))")
    }

    private static func write(_ db: OpaquePointer, _ sql: String, _ rows: SQLiteRows) throws {
        var stmt: OpaquePointer?
        let prc = sqlite_nio_sqlite3_prepare_v3(db, sql, -1, 0, &stmt, nil)
        guard prc == SQLITE_OK, let stmt else { throw failure(db, prc, sql) }
        defer { sqlite_nio_sqlite3_finalize(stmt) }
        try rows.bytes.withUnsafeBufferPointer { buf in
            // SQLITE_STATIC (a nil destructor): the texts stay where they are until the bindings are cleared below
            defer { sqlite_nio_sqlite3_clear_bindings(stmt) }
            let base = UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self)
            let width = Int32(rows.width)
            var c = 0
            for _ in 0..<rows.count {
                for i in 1...width {
                    let rc: Int32
                    switch rows.cells[c] {
                    case .text(let offset, let length): rc = sqlite_nio_sqlite3_bind_text64(stmt, i, base + offset, UInt64(length), nil, UInt8(SQLITE_UTF8))
                    case .int(let v): rc = sqlite_nio_sqlite3_bind_int64(stmt, i, v)
                    case .double(let v): rc = sqlite_nio_sqlite3_bind_double(stmt, i, v)
                    case .null: rc = sqlite_nio_sqlite3_bind_null(stmt, i)
                    }
                    guard rc == SQLITE_OK else { throw failure(db, rc, sql) }
                    c += 1
                }
                let rc = sqlite_nio_sqlite3_step(stmt)
                guard rc == SQLITE_DONE else {
                    let error = failure(db, rc, sql)
                    sqlite_nio_sqlite3_reset(stmt)
                    throw error
                }
                sqlite_nio_sqlite3_reset(stmt)
            }
        }
    }
}
