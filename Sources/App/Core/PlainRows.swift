import Fluent
import SQLKit
import SQLiteKit
import SQLiteNIO
import Foundation

/// A row read for a computation over a whole province (B1, the committee's views): columns by
/// name as plain values. On SQLite the query goes straight to the driver and its values are read
/// as they come (decoding 20,000 orgs through `Decodable` column by column cost 13 µs a row);
/// elsewhere each column is decoded through SQLKit.
struct PlainRow: @unchecked Sendable {
    private enum Storage { case lite(SQLiteRow), other(any SQLRow) }
    private let storage: Storage

    init(_ r: SQLiteRow) { storage = .lite(r) }
    init(_ r: any SQLRow) { storage = .other(r) }

    func string(_ c: String) -> String? {
        switch storage {
        case .lite(let r):
            switch r.column(c) {
            case .text(let s)?: return s
            case .integer(let i)?: return String(i)
            case .float(let d)?: return String(d)
            default: return nil
            }
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
        case .other(let r): return try? r.decodeNil(column: c) ? nil : r.decode(column: c, as: Double.self)
        }
    }

    func uuid(_ c: String) -> UUID? {
        switch storage {
        case .lite(let r): return r.column(c)?.uuidValue
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
        return try await all().map { PlainRow($0) }
    }
}

/// Filled by the one thread that steps a statement, read after it is done.
private final class CollectedRows: @unchecked Sendable { var all: [SQLiteRow] = [] }

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
