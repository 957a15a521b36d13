import Foundation

/// A table of text cells; row 0 is usually the header.
struct SheetTable: Sendable, Equatable {
    var rows: [[String]]
}

enum SpreadsheetError: Error, Equatable, Sendable {
    /// The bytes are not a readable CSV or XLSX file; the message is shown to the user (Simplified Chinese).
    case unreadable(String)
    /// The file holds no data.
    case empty
}

extension SpreadsheetError: LocalizedError {
    /// The message for the user, in Simplified Chinese (also what `localizedDescription` returns).
    var errorDescription: String? {
        switch self {
        case .unreadable(let message): message
        case .empty: "文件是空的"
        }
    }
}

enum Spreadsheet {
    /// Detects the format by content (ZIP magic "PK\u{3}\u{4}" → XLSX, otherwise CSV), not by file name.
    static func read(_ data: Data) throws(SpreadsheetError) -> SheetTable {
        let table: SheetTable
        do {
            if data.starts(with: zipMagic) {
                table = try XLSX.read(data)
            } else if data.starts(with: oleMagic) {
                throw SpreadsheetError.unreadable("文件无法识别：这是旧版 Excel（.xls）或加密的文件，请在 Excel 中另存为 .xlsx 或 CSV 后再上传")
            } else {
                table = try CSV.parse(data)
            }
        } catch let error as SpreadsheetError {
            throw error
        } catch {
            throw .unreadable(unreadableMessage)
        }
        guard !table.rows.isEmpty else { throw .empty }
        return table
    }

    static let unreadableMessage = "文件无法识别：不是有效的 CSV 或 XLSX 文件"

    /// "PK\u{3}\u{4}": a ZIP local file header, which is how every .xlsx starts.
    static let zipMagic: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    /// The OLE2 compound-file header of legacy .xls files and of password-protected .xlsx files.
    static let oleMagic: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    /// Drops trailing rows whose cells are all empty and pads every row to the same width.
    static func normalized(_ rows: [[String]]) -> [[String]] {
        var rows = rows
        while let last = rows.last, last.allSatisfy(\.isEmpty) {
            rows.removeLast()
        }
        let width = rows.map(\.count).max() ?? 0
        for index in rows.indices where rows[index].count < width {
            rows[index].append(contentsOf: repeatElement("", count: width - rows[index].count))
        }
        return rows
    }
}
