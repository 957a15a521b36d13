import Fluent
import SQLKit
import SQLiteKit
import SQLiteNIO
import FluentPostgresDriver
import Foundation

/// A row read for a computation over a whole province (B1, the committee's views): columns by
/// name as plain values. On SQLite the query goes straight to the driver and its values are read
/// as they come (decoding 20,000 orgs through `Decodable` column by column cost 13 µs a row); on
/// PostgreSQL each cell is decoded as its own type, the columns' places looked up once per query
/// (SQLKit's rows go through `Decodable` and a name table per row); anything else through SQLKit.
struct PlainRow: @unchecked Sendable {
    private enum Storage { case lite(SQLiteRow), pg([PostgresCell], PGColumns), other(any SQLRow) }
    private let storage: Storage

    /// A PostgreSQL result's column places by name, shared by its rows.
    final class PGColumns: @unchecked Sendable {
        let index: [String: Int]
        init(_ row: PostgresRow) {
            var index: [String: Int] = [:]
            for (i, cell) in row.enumerated() where index[cell.columnName] == nil { index[cell.columnName] = i }
            self.index = index
        }
    }

    init(_ r: SQLiteRow) { storage = .lite(r) }
    init(_ r: PostgresRow, _ columns: PGColumns) { storage = .pg(Array(r), columns) }
    init(_ r: any SQLRow) { storage = .other(r) }

    private func pg<T: PostgresDecodable>(_ cells: [PostgresCell], _ columns: PGColumns, _ c: String, _: T.Type) -> T? {
        guard let i = columns.index[c], i < cells.count else { return nil }
        let cell = cells[i]
        guard cell.bytes != nil else { return nil }
        return try? cell.decode(T.self)
    }

    func string(_ c: String) -> String? {
        switch storage {
        case .lite(let r):
            switch r.column(c) {
            case .text(let s)?: return s
            case .integer(let i)?: return String(i)
            case .float(let d)?: return String(d)
            default: return nil
            }
        case .pg(let r, let cols): return pg(r, cols, c, String.self)
        case .other(let r): return try? r.decodeNil(column: c) ? nil : r.decode(column: c, as: String.self)
        }
    }

    func int(_ c: String) -> Int? {
        switch storage {
        case .lite(let r):
            switch r.column(c) {
            case .integer(let i)?: return i
            case .float(let d)?: return Int(exactly: d)
            case .text(let s)?: return Int(s)
            default: return nil
            }
        case .pg(let r, let cols): return pg(r, cols, c, Int.self)
        case .other(let r): return try? r.decodeNil(column: c) ? nil : r.decode(column: c, as: Int.self)
        }
    }

    func double(_ c: String) -> Double? {
        switch storage {
        case .lite(let r):
            switch r.column(c) {
            case .float(let d)?: return d
            case .integer(let i)?: return Double(i)
            case .text(let s)?: return Double(s)
            default: return nil
            }
        case .pg(let r, let cols): return pg(r, cols, c, Double.self)
        case .other(let r): return try? r.decodeNil(column: c) ? nil : r.decode(column: c, as: Double.self)
        }
    }

    func uuid(_ c: String) -> UUID? {
        switch storage {
        case .lite(let r): return r.column(c)?.uuidValue
        case .pg(let r, let cols): return pg(r, cols, c, UUID.self)
        case .other(let r): return try? r.decodeNil(column: c) ? nil : r.decode(column: c, as: UUID.self)
        }
    }
}

extension SQLQueryFetcher {
    /// The query's rows as `PlainRow`s (see there).
    func plainRows() async throws -> [PlainRow] {
        if let lite = database as? any SQLiteDatabase {
            var ser = SQLSerializer(database: database)
            query.serialize(to: &ser)
            let enc = SQLiteDataEncoder()
            let binds = try ser.binds.map { try enc.encode($0) }
            return try await lite.rows(ser.sql, binds).map(PlainRow.init)
        }
        if let pg = database as? any PostgresDatabase {
            var ser = SQLSerializer(database: database)
            query.serialize(to: &ser)
            if let bindings = Self.pgBindings(ser.binds) {
                let rows = try await pg.withConnection { conn in conn.query(PostgresQuery(unsafeSQL: ser.sql, binds: bindings), logger: pg.logger) }.get().rows
                guard let first = rows.first else { return [] }
                let columns = PlainRow.PGColumns(first)
                return rows.map { PlainRow($0, columns) }
            }
        }
        return try await all().map { PlainRow($0) }
    }
}

/// Filled by the one thread that steps a statement, read after it is done.
private final class CollectedRows: @unchecked Sendable { var all: [SQLiteRow] = [] }

extension SQLQueryFetcher {
    /// The binds of the plain scalar types these reads use; nil for anything else (SQLKit then
    /// binds it as it always does).
    static func pgBindings(_ binds: [any Encodable & Sendable]) -> PostgresBindings? {
        var out = PostgresBindings(capacity: binds.count)
        for b in binds {
            switch b {
            case let v as String: out.append(v)
            case let v as Int: out.append(v)
            case let v as UUID: out.append(v)
            case let v as Double: out.append(v)
            case let v as Bool: out.append(v)
            default: return nil
            }
        }
        return out
    }
}

extension SQLiteDatabase {
    /// The rows of a query, collected on the thread that steps the statement. (The driver's
    /// `query(_:_:)` hands each row to the event loop as a future of its own: ~5 µs a row, most of
    /// the time a read of 20,000 orgs took.)
    func rows(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        let out = CollectedRows()
        try await withConnection { conn in try await conn.query(sql, binds) { out.all.append($0) } }
        return out.all
    }
}

extension SQLiteData {
    /// A UUID column as Fluent stores it on SQLite (text) or as 16 bytes.
    var uuidValue: UUID? {
        switch self {
        case .text(let t): return UUID(hex: t)
        case .blob(let b): return UUID(bytes: b)
        default: return nil
        }
    }
}

extension UUID {
    /// `uuidString` (upper case, what SQLite stores) or its lower-case form (what the API and the
    /// audit log show), written byte by byte: Foundation formats with snprintf, and a 500,000-row
    /// import formats three million ids.
    func text(lowercase: Bool = false) -> String {
        String(unsafeUninitializedCapacity: 36) { out in
            var o = 0
            forEachTextByte(lowercase: lowercase) { out[o] = $0; o += 1 }
            return o
        }
    }

    /// The 36 bytes of the text form, one by one (`SQLiteRows` writes them straight into its buffer).
    @inline(__always) func forEachTextByte(lowercase: Bool = false, _ put: (UInt8) -> Void) {
        let digits: StaticString = lowercase ? "0123456789abcdef" : "0123456789ABCDEF"
        withUnsafeBytes(of: uuid) { raw in
            for i in 0..<16 {
                if i == 4 || i == 6 || i == 8 || i == 10 { put(45) }
                put(digits.utf8Start[Int(raw[i] >> 4)])
                put(digits.utf8Start[Int(raw[i] & 15)])
            }
        }
    }

    /// `UUID(uuidString:)` for the 36-character form, read byte by byte (Foundation's parses
    /// with sscanf: 6 % of a province's evaluation went there).
    init?(hex text: String) {
        var text = text
        text.makeContiguousUTF8()
        let bytes: uuid_t?? = text.utf8.withContiguousStorageIfAvailable { b -> uuid_t? in
            guard b.count == 36, b[8] == 45, b[13] == 45, b[18] == 45, b[23] == 45 else { return nil }
            var out = [UInt8](repeating: 0, count: 16)
            var i = 0, n = 0
            func nibble(_ c: UInt8) -> UInt8? {
                switch c {
                case 48...57: return c - 48
                case 65...70: return c - 55
                case 97...102: return c - 87
                default: return nil
                }
            }
            while i < 36 {
                if i == 8 || i == 13 || i == 18 || i == 23 { i += 1; continue }
                guard let hi = nibble(b[i]), let lo = nibble(b[i + 1]) else { return nil }
                out[n] = hi << 4 | lo
                n += 1; i += 2
            }
            return (out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7], out[8], out[9], out[10], out[11], out[12], out[13], out[14], out[15])
        }
        guard let u = bytes ?? nil else { return nil }
        self.init(uuid: u)
    }
}
