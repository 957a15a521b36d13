import Foundation
#if canImport(CoreFoundation)
import CoreFoundation
#endif

enum CSV {
    /// RFC 4180: quoted fields, doubled quotes, commas/newlines inside quotes, CRLF, LF or CR line ends, trailing newline.
    /// Text is UTF-8 (with or without BOM), UTF-16 with BOM, or else GB18030/GBK (what Chinese Excel saves as "CSV").
    /// Trims trailing completely-empty rows and pads rows to the same width. Keeps cell text as is (no trimming inside cells).
    /// Lenient where RFC 4180 is strict: a quote inside an unquoted field is kept as text, text after a closing quote is
    /// appended, and an unterminated quoted field runs to the end of the file.
    static func parse(_ data: Data) throws -> SheetTable {
        let text = try decode(data)
        return SheetTable(rows: Spreadsheet.normalized(rows(in: text)))
    }

    /// UTF-8 with BOM (so Excel shows Chinese), CRLF line ends, quotes where needed,
    /// and formula-injection protection: a cell starting with = + - @ (or tab/CR) is prefixed with a single quote '.
    /// Plain numbers such as "-5" or "+3.5" are left alone: they cannot be formulas.
    static func write(_ table: SheetTable) -> Data {
        var out = "\u{FEFF}"
        for row in table.rows {
            out += row.map(escape).joined(separator: ",")
            out += "\r\n"
        }
        return Data(out.utf8)
    }

    // MARK: - Decoding

    /// GB18030 (a superset of GBK and GB2312), as Foundation names it: kCFStringEncodingGB_18030_2000 = 0x0632.
    /// On Linux swift-corelibs-foundation decodes it through ICU; the NSStringEncoding value is 0x8000_0632.
    static let gb18030: String.Encoding = {
        #if canImport(CoreFoundation)
        String.Encoding(rawValue: UInt(CFStringConvertEncodingToNSStringEncoding(0x0632)))
        #else
        String.Encoding(rawValue: 0x8000_0632)
        #endif
    }()

    static let undecodableMessage = "文件无法识别：CSV 文件编码无法识别，请另存为 UTF-8 编码的 CSV"

    static func decode(_ data: Data) throws(SpreadsheetError) -> String {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            guard let text = String(bytes: bytes.dropFirst(3), encoding: .utf8) else {
                throw .unreadable(undecodableMessage)
            }
            return text
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let encoding: String.Encoding = bytes[0] == 0xFF ? .utf16LittleEndian : .utf16BigEndian
            guard let text = String(bytes: bytes.dropFirst(2), encoding: encoding) else {
                throw .unreadable(undecodableMessage)
            }
            return text
        }
        // Text never holds NUL bytes; binaries (images, PDFs, executables) nearly always do.
        guard !bytes.contains(0) else { throw .unreadable(Spreadsheet.unreadableMessage) }
        if let text = String(bytes: bytes, encoding: .utf8) {
            return text
        }
        if let text = String(bytes: bytes, encoding: gb18030) {
            return text
        }
        throw .unreadable(undecodableMessage)
    }

    // MARK: - Parsing

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    static func rows(in text: String) -> [[String]] {
        var text = text
        return text.withUTF8 { buffer in
            var rows: [[String]] = []
            var row: [String] = []
            var field: [UInt8] = []
            var inQuotes = false
            var atFieldStart = true
            var rowStarted = false
            var index = 0
            let count = buffer.count

            func endField() {
                row.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                atFieldStart = true
            }

            while index < count {
                let byte = buffer[index]
                index += 1
                if inQuotes {
                    if byte == quote {
                        if index < count, buffer[index] == quote {
                            field.append(quote)
                            index += 1
                        } else {
                            inQuotes = false
                        }
                    } else {
                        field.append(byte)
                    }
                    continue
                }
                switch byte {
                case quote where atFieldStart:
                    inQuotes = true
                    atFieldStart = false
                    rowStarted = true
                case comma:
                    endField()
                    rowStarted = true
                case cr, lf:
                    if byte == cr, index < count, buffer[index] == lf { index += 1 }
                    endField()
                    rows.append(row)
                    row = []
                    rowStarted = false
                default:
                    field.append(byte)
                    atFieldStart = false
                    rowStarted = true
                }
            }
            if rowStarted {
                endField()
                rows.append(row)
            }
            return rows
        }
    }

    // MARK: - Writing

    static func escape(_ cell: String) -> String {
        var value = cell
        if needsFormulaGuard(value) {
            value = "'" + value
        }
        let needsQuotes = value.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A cell that a spreadsheet program could run as a formula (OWASP "CSV injection").
    static func needsFormulaGuard(_ cell: String) -> Bool {
        guard let first = cell.unicodeScalars.first else { return false }
        switch first {
        case "=", "@", "\t", "\r":
            return true
        case "+", "-":
            return !isPlainNumber(cell)
        default:
            return false
        }
    }

    /// "-5", "+3.25", "-0.5": a sign, digits, at most one decimal point, nothing else.
    private static func isPlainNumber(_ text: String) -> Bool {
        let digits = text.unicodeScalars.dropFirst()
        var sawDigit = false
        var sawPoint = false
        for scalar in digits {
            switch scalar {
            case "0"..."9": sawDigit = true
            case "." where !sawPoint: sawPoint = true
            default: return false
            }
        }
        return sawDigit
    }
}
