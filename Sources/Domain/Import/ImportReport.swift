/// Imports are all or nothing: every bad row is reported with its row number (as the user
/// sees it in the spreadsheet, header = row 1), the column's header and the reason.
public struct RowError: Sendable, Equatable, Codable {
    public var row: Int
    public var column: String
    public var message: String
    public init(row: Int, column: String, message: String) { self.row = row; self.column = column; self.message = message }
}

public struct RowErrors: Error, Sendable, Equatable {
    public var rows: [RowError]
    public init(_ rows: [RowError]) { self.rows = rows }
}

public struct ImportColumn: Sendable {
    public var field: String
    public var header: String
    public var required: Bool
    public var example: String
    public var aliases: [String]
    public init(_ field: String, _ header: String, required: Bool = false, example: String = "", aliases: [String] = []) {
        self.field = field; self.header = header; self.required = required; self.example = example; self.aliases = aliases
    }
}

/// Maps a table (header row + data rows) onto named fields and reports structural problems.
public struct ImportLayout: Sendable {
    public var columns: [ImportColumn]
    public init(columns: [ImportColumn]) { self.columns = columns }

    public var headers: [String] { columns.map(\.header) }
    public func header(of field: String) -> String { columns.first { $0.field == field }?.header ?? field }

    /// Returns each data row as field → text, with its spreadsheet row number; or the header errors.
    public func rows(of table: [[String]]) -> Result<[(row: Int, fields: [String: String])], RowErrors> {
        lines(of: table).map { lines in lines.map { ($0.row, $0.fields.dictionary) } }
    }

    /// `rows(of:)` without a dictionary per row: each row reads its cells through the header's
    /// column places, which all rows share (a 500,000-row import built 300 MB of dictionaries).
    public func lines(of table: [[String]]) -> Result<[(row: Int, fields: LaidOutRow)], RowErrors> {
        guard let head = table.first else { return .failure(RowErrors([RowError(row: 1, column: "", message: "文件没有表头行")])) }
        let cleaned = head.map { $0.trimmingSpaces.replacingStars }
        var index: [String: Int] = [:]
        var errors: [RowError] = []
        for c in columns {
            if let i = cleaned.firstIndex(where: { $0 == c.header || c.aliases.contains($0) }) { index[c.field] = i }
            else if c.required { errors.append(RowError(row: 1, column: c.header, message: "缺少必需的列“\(c.header)”")) }
        }
        if !errors.isEmpty { return .failure(RowErrors(errors)) }
        var out: [(row: Int, fields: LaidOutRow)] = []
        out.reserveCapacity(table.count - 1)
        for (i, r) in table.dropFirst().enumerated() {
            if r.allSatisfy({ $0.trimmingSpaces.isEmpty }) { continue }
            out.append((i + 2, LaidOutRow(cells: r, index: index)))
        }
        if out.isEmpty { return .failure(RowErrors([RowError(row: 2, column: "", message: "文件中没有数据行")])) }
        return .success(out)
    }
}

/// Named fields of a form, a JSON body or a spreadsheet row, as the drafts' `validate` reads them.
public protocol FieldSource {
    subscript(_ field: String) -> String? { get }
}

extension Dictionary: FieldSource where Key == String, Value == String {}

/// A spreadsheet row read through its layout's column places (shared by all rows of the file).
/// A field whose column is missing from a short row reads as absent, as in `rows(of:)`.
public struct LaidOutRow: FieldSource, Sendable {
    let cells: [String]
    let index: [String: Int]

    public subscript(_ field: String) -> String? {
        guard let i = index[field], i < cells.count else { return nil }
        return cells[i]
    }

    /// The row as field → text (the fields its row has).
    var dictionary: [String: String] {
        var f: [String: String] = [:]
        for (field, col) in index where col < cells.count { f[field] = cells[col] }
        return f
    }
}

extension String {
    /// Template headers mark required columns with "*"; accept headers with or without it.
    var replacingStars: String { String(filter { $0 != "*" && $0 != "＊" }).trimmingSpaces }
}
