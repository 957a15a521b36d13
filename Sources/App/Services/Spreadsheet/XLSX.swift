import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

enum XLSX {
    /// Refuse workbooks whose entries unpack to more than this many bytes (zip-bomb guard).
    static let maxUncompressedSize: UInt64 = 100 * 1024 * 1024
    /// Refuse workbooks with more ZIP entries than this.
    static let maxEntryCount = 1000
    /// Refuse sheets whose used range (rows × columns) would exceed this many cells in memory.
    static let maxCellCount = 5_000_000

    static let invalidMessage = "文件无法识别：不是有效的 XLSX 文件"
    static let damagedMessage = "文件无法识别：XLSX 文件内容已损坏"
    static let tooLargeMessage = "文件过大：解压后超过 100 MB 或包含过多条目，已拒绝读取"

    // MARK: - Writing

    /// A real .xlsx (Office Open XML) with one sheet: [Content_Types].xml, _rels/.rels, xl/workbook.xml,
    /// xl/_rels/workbook.xml.rels, xl/styles.xml, xl/worksheets/sheet1.xml. Cells are inline strings formatted as text,
    /// XML-escaped; the header row is bold and frozen; column widths fit the text (CJK characters count double).
    static func write(sheetName: String, table: SheetTable) throws -> Data {
        let parts: [(path: String, xml: String)] = [
            ("[Content_Types].xml", contentTypesXML),
            ("_rels/.rels", rootRelsXML),
            ("xl/workbook.xml", workbookXML(sheetName: safeSheetName(sheetName))),
            ("xl/_rels/workbook.xml.rels", workbookRelsXML),
            ("xl/styles.xml", stylesXML),
            ("xl/worksheets/sheet1.xml", worksheetXML(table)),
        ]
        let archive = try ZIPFoundation.Archive(data: Data(), accessMode: .create)
        for part in parts {
            let bytes = Data(part.xml.utf8)
            try archive.addEntry(
                with: part.path, type: .file, uncompressedSize: Int64(bytes.count),
                compressionMethod: .deflate
            ) { position, size in
                let start = bytes.startIndex + Int(position)
                return bytes.subdata(in: start..<min(start + size, bytes.endIndex))
            }
        }
        guard let data = archive.data else { throw SpreadsheetError.unreadable(invalidMessage) }
        return data
    }

    private static let xmlHeader = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
    private static let mainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    private static let relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    private static let contentTypesXML = xmlHeader + """
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
        <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
        <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
        </Types>
        """

    private static let rootRelsXML = xmlHeader + """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(relNS)/officeDocument" Target="xl/workbook.xml"/>\
        </Relationships>
        """

    private static let workbookRelsXML = xmlHeader + """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(relNS)/worksheet" Target="worksheets/sheet1.xml"/>\
        <Relationship Id="rId2" Type="\(relNS)/styles" Target="styles.xml"/>\
        </Relationships>
        """

    static func workbookXML(sheetName: String) -> String {
        xmlHeader + """
            <workbook xmlns="\(mainNS)" xmlns:r="\(relNS)">\
            <bookViews><workbookView activeTab="0"/></bookViews>\
            <sheets><sheet name="\(escapeXML(sheetName, attribute: true))" sheetId="1" r:id="rId1"/></sheets>\
            </workbook>
            """
    }

    /// Cell formats (index = s attribute): 0 default, 1 text, 2 bold text, 3 wrapped text, 4 bold wrapped text.
    /// Text format ("@", numFmtId 49) keeps later edits such as ID-card numbers from turning into numbers.
    static let stylesXML = xmlHeader + """
        <styleSheet xmlns="\(mainNS)">\
        <fonts count="2">\
        <font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
        <font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
        </fonts>\
        <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
        <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="5">\
        <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>\
        <xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">\
        <alignment vertical="top" wrapText="1"/></xf>\
        <xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyAlignment="1">\
        <alignment vertical="top" wrapText="1"/></xf>\
        </cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
        </styleSheet>
        """

    static func worksheetXML(_ table: SheetTable) -> String {
        let rows = table.rows
        let width = rows.map(\.count).max() ?? 0
        let lastRef = width > 0 && !rows.isEmpty ? "\(columnName(width - 1))\(rows.count)" : "A1"
        let usedRange = lastRef == "A1" ? "A1" : "A1:\(lastRef)"

        var xml = xmlHeader
        xml += #"<worksheet xmlns="\#(mainNS)" xmlns:r="\#(relNS)">"#
        xml += #"<dimension ref="\#(usedRange)"/>"#
        xml += #"<sheetViews><sheetView tabSelected="1" workbookViewId="0">"#
        if rows.count > 1 {
            xml += #"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            xml += #"<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>"#
        }
        xml += "</sheetView></sheetViews>"
        xml += #"<sheetFormatPr defaultRowHeight="15"/>"#
        if width > 0 {
            xml += "<cols>"
            for column in 0..<width {
                let widest = rows.reduce(0) { widest, row in
                    column < row.count ? max(widest, displayWidth(row[column])) : widest
                }
                let columnWidth = min(max(Double(widest) + 2, 8), 60)
                xml += #"<col min="\#(column + 1)" max="\#(column + 1)" width="\#(columnWidth)" customWidth="1"/>"#
            }
            xml += "</cols>"
        }
        xml += "<sheetData>"
        for (rowIndex, row) in rows.enumerated() where row.contains(where: { !$0.isEmpty }) {
            let rowNumber = rowIndex + 1
            xml += #"<row r="\#(rowNumber)">"#
            for (column, value) in row.enumerated() where !value.isEmpty {
                let wraps = value.utf8.contains { $0 == 0x0A || $0 == 0x0D }
                let style = (rowIndex == 0 ? 2 : 1) + (wraps ? 2 : 0)
                xml += #"<c r="\#(columnName(column))\#(rowNumber)" s="\#(style)" t="inlineStr"><is><t xml:space="preserve">"#
                xml += escapeXML(value, attribute: false)
                xml += "</t></is></c>"
            }
            xml += "</row>"
        }
        xml += "</sheetData>"
        xml += #"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#
        if width > 0 {
            xml += #"<ignoredErrors><ignoredError sqref="\#(usedRange)" numberStoredAsText="1"/></ignoredErrors>"#
        }
        xml += "</worksheet>"
        return xml
    }

    /// Excel sheet names: 1–31 characters, none of : \ / ? * [ ], not starting or ending with an apostrophe.
    static func safeSheetName(_ name: String) -> String {
        let forbidden: Set<Character> = [":", "\\", "/", "?", "*", "[", "]"]
        var cleaned = String(name.filter { !forbidden.contains($0) && !$0.unicodeScalars.contains { $0.value < 0x20 } })
        cleaned = cleaned.trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        cleaned = String(cleaned.prefix(31))
        return cleaned.trimmingCharacters(in: .whitespaces).isEmpty ? "Sheet1" : cleaned
    }

    /// Width of text in Excel column units: East Asian wide characters count double; the longest line wins.
    /// Stops counting at `limit`, beyond which the column width is capped anyway.
    static func displayWidth(_ text: String, limit: Int = 58) -> Int {
        var widest = 0
        var current = 0
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\r" {
                widest = max(widest, current)
                current = 0
            } else {
                current += isWide(scalar) ? 2 : 1
                if current >= limit { return current }
            }
        }
        return max(widest, current)
    }

    private static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// 0 → "A", 25 → "Z", 26 → "AA".
    static func columnName(_ index: Int) -> String {
        var index = index + 1
        var letters: [Character] = []
        while index > 0 {
            let remainder = (index - 1) % 26
            letters.append(Character(Unicode.Scalar(UInt8(65 + remainder))))
            index = (index - 1) / 26
        }
        return String(letters.reversed())
    }

    /// Escapes for XML and, as Excel does, writes characters XML cannot carry (control characters, CR)
    /// as _xHHHH_; a literal "_xHHHH_" in the text gets its underscore escaped as _x005F_.
    static func escapeXML(_ text: String, attribute: Bool) -> String {
        let plain = text.utf8.allSatisfy { byte in
            byte >= 0x20 && byte != UInt8(ascii: "&") && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
                && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "_") && byte != 0xBF  // 0xBF: U+FFFE/U+FFFF end so
                || (!attribute && (byte == 0x09 || byte == 0x0A))
        }
        if plain { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\n" where attribute: out += "&#10;"
            case "\t" where attribute: out += "&#9;"
            case "_" where looksLikeEscape(scalars, at: index): out += "_x005F_"
            default:
                let value = scalar.value
                if (value < 0x20 && value != 0x09 && value != 0x0A) || value == 0xFFFE || value == 0xFFFF {
                    out += attribute ? "" : "_x" + hex4(value) + "_"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private static func looksLikeEscape(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + 6 < scalars.count, scalars[index + 1] == "x", scalars[index + 6] == "_" else { return false }
        return scalars[(index + 2)...(index + 5)].allSatisfy { $0.properties.isASCIIHexDigit }
    }

    private static func hex4(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    // MARK: - Reading

    /// Reads the first visible worksheet (resolved via the package rels, workbook.xml and its rels): shared strings
    /// (rich-text runs included, phonetic runs skipped), inline strings, numbers (integers without ".0", others to 15
    /// significant digits as Excel shows them), booleans (TRUE/FALSE), error values, formula results, and date-styled
    /// numbers (built-in formats 14–17, 22, the Chinese built-ins 27–31, 36, 50–54, 57–58, or a custom format with y/m/d)
    /// as "YYYY-MM-DD" (plus " HH:MM[:SS]" when a date-time has a time of day); time-only formats give "HH:MM[:SS]".
    /// Cell references (r="C5") are honored, so gaps become "" cells; rows are padded to one width; trailing empty rows trimmed.
    /// Refuses zip bombs: more than 1000 entries or more than 100 MB unpacked (declared or actual).
    static func read(_ data: Data) throws -> SheetTable {
        let package = try Package(data)

        let workbookPath = package.officeDocumentPath()
        guard let workbookData = try package.part(workbookPath) else {
            throw SpreadsheetError.unreadable(invalidMessage)
        }
        let workbook = try WorkbookInfo.parse(workbookData)
        let rels = try package.relationships(of: workbookPath)

        let sheet = workbook.sheets.first { $0.isVisible && rels[$0.relationshipID]?.type.hasSuffix("/worksheet") == true }
            ?? workbook.sheets.first { rels[$0.relationshipID] != nil }
        guard let sheet, let sheetTarget = rels[sheet.relationshipID]?.path else {
            throw SpreadsheetError.unreadable(invalidMessage)
        }
        guard let sheetData = try package.part(sheetTarget) else {
            throw SpreadsheetError.unreadable(damagedMessage)
        }

        let sharedStringsPath = rels.values.first { $0.type.hasSuffix("/sharedStrings") }?.path
        let stylesPath = rels.values.first { $0.type.hasSuffix("/styles") }?.path
        let sharedStrings = try sharedStringsPath.flatMap { try package.part($0) }.map(SharedStrings.parse) ?? []
        let styles = try stylesPath.flatMap { try package.part($0) }.map(Styles.parse) ?? Styles()

        let rows = try SheetReader.parse(
            sheetData, sharedStrings: sharedStrings, styles: styles, date1904: workbook.date1904
        )
        return SheetTable(rows: Spreadsheet.normalized(rows))
    }

    // MARK: ZIP package

    private struct Relationship {
        var type: String
        var path: String
    }

    /// The ZIP container, with the zip-bomb limits applied to listing and to extraction.
    private final class Package {
        let archive: ZIPFoundation.Archive
        var entries: [String: ZIPFoundation.Entry] = [:]
        var lowercasedPaths: [String: String] = [:]
        var extractedBytes: UInt64 = 0

        init(_ data: Data) throws {
            do {
                archive = try ZIPFoundation.Archive(data: data, accessMode: .read)
            } catch {
                throw SpreadsheetError.unreadable(XLSX.invalidMessage)
            }
            var declared: UInt64 = 0
            var count = 0
            for entry in archive {
                count += 1
                declared = declared.addingReportingOverflow(entry.uncompressedSize).partialValue
                guard count <= XLSX.maxEntryCount, declared <= XLSX.maxUncompressedSize,
                      entry.uncompressedSize <= XLSX.maxUncompressedSize
                else {
                    throw SpreadsheetError.unreadable(XLSX.tooLargeMessage)
                }
                entries[entry.path] = entry
                lowercasedPaths[entry.path.lowercased()] = entry.path
            }
            guard count > 0 else { throw SpreadsheetError.unreadable(XLSX.invalidMessage) }
        }

        /// The bytes of a part, or nil when the package has no such part.
        func part(_ path: String) throws -> Data? {
            let key = path.hasPrefix("/") ? String(path.dropFirst()) : path
            guard let entry = entries[key] ?? lowercasedPaths[key.lowercased()].flatMap({ entries[$0] }),
                  entry.type == .file
            else { return nil }
            var out = Data()
            out.reserveCapacity(Int(min(entry.uncompressedSize, 16 * 1024 * 1024)))
            do {
                _ = try archive.extract(entry, skipCRC32: true) { chunk in
                    extractedBytes += UInt64(chunk.count)
                    guard extractedBytes <= XLSX.maxUncompressedSize else {
                        throw SpreadsheetError.unreadable(XLSX.tooLargeMessage)
                    }
                    out.append(chunk)
                }
            } catch let error as SpreadsheetError {
                throw error
            } catch {
                throw SpreadsheetError.unreadable(XLSX.damagedMessage)
            }
            return out
        }

        /// The package's main part, from _rels/.rels (normally xl/workbook.xml).
        func officeDocumentPath() -> String {
            let rels = (try? relationships(of: "")) ?? [:]
            return rels.values.first { $0.type.hasSuffix("/officeDocument") }?.path ?? "xl/workbook.xml"
        }

        /// Relationships of a part, keyed by Id, with targets resolved to package paths.
        func relationships(of partPath: String) throws -> [String: Relationship] {
            let directory = partPath.split(separator: "/").dropLast().joined(separator: "/")
            let fileName = partPath.split(separator: "/").last.map(String.init) ?? ""
            let relsPath = (directory.isEmpty ? "" : directory + "/") + "_rels/" + fileName + ".rels"
            guard let data = try part(relsPath) else { return [:] }
            var result: [String: Relationship] = [:]
            try XMLEvents.parse(data) { name, attributes in
                guard name == "Relationship", attributes["TargetMode"] != "External",
                      let id = attributes["Id"], let target = attributes["Target"] else { return }
                result[id] = Relationship(type: attributes["Type"] ?? "", path: Package.resolve(target, from: directory))
            }
            return result
        }

        private static func resolve(_ target: String, from directory: String) -> String {
            let target = target.removingPercentEncoding ?? target
            var components: [Substring] = target.hasPrefix("/") ? [] : directory.split(separator: "/")
            for component in target.split(separator: "/") {
                switch component {
                case ".": continue
                case "..": if !components.isEmpty { components.removeLast() }
                default: components.append(component)
                }
            }
            return components.joined(separator: "/")
        }
    }

    // MARK: Workbook

    private struct WorkbookInfo {
        struct Sheet {
            var relationshipID: String
            var isVisible: Bool
        }

        var sheets: [Sheet] = []
        var date1904 = false

        static func parse(_ data: Data) throws -> WorkbookInfo {
            var info = WorkbookInfo()
            try XMLEvents.parse(data) { name, attributes in
                switch name {
                case "workbookPr":
                    let value = attributes["date1904"]?.lowercased()
                    info.date1904 = value == "1" || value == "true"
                case "sheet":
                    guard let id = attributes["r:id"] ?? attributes["id"] else { return }
                    let state = attributes["state"] ?? "visible"
                    info.sheets.append(Sheet(relationshipID: id, isVisible: state == "visible"))
                default:
                    break
                }
            }
            return info
        }
    }

    // MARK: Shared strings

    private enum SharedStrings {
        static func parse(_ data: Data) throws -> [String] {
            var strings: [String] = []
            var current = ""
            var inText = false
            var phoneticDepth = 0
            try XMLEvents.parse(
                data,
                start: { name, _ in
                    switch name {
                    case "si": current = ""
                    case "t": inText = phoneticDepth == 0
                    case "rPh": phoneticDepth += 1
                    default: break
                    }
                },
                end: { name in
                    switch name {
                    case "si": strings.append(XLSX.unescapeOOXML(current))
                    case "t": inText = false
                    case "rPh": phoneticDepth -= 1
                    default: break
                    }
                },
                text: { text in
                    if inText { current += text }
                }
            )
            return strings
        }
    }

    // MARK: Styles and number formats

    enum NumberKind: Equatable {
        case number
        case date(withTime: Bool)
        case time
    }

    private struct Styles {
        /// Kind of each cell format, indexed by a cell's s attribute.
        var kinds: [NumberKind] = []

        func kind(ofStyle index: Int?) -> NumberKind {
            guard let index, kinds.indices.contains(index) else { return .number }
            return kinds[index]
        }

        static func parse(_ data: Data) throws -> Styles {
            var customFormats: [Int: String] = [:]
            var formatIDs: [Int] = []
            var inCellXfs = false
            try XMLEvents.parse(
                data,
                start: { name, attributes in
                    switch name {
                    case "numFmt":
                        if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"] {
                            customFormats[id] = code
                        }
                    case "cellXfs": inCellXfs = true
                    case "xf" where inCellXfs: formatIDs.append(attributes["numFmtId"].flatMap(Int.init) ?? 0)
                    default: break
                    }
                },
                end: { name in
                    if name == "cellXfs" { inCellXfs = false }
                },
                text: { _ in }
            )
            let kinds = formatIDs.map { id in
                customFormats[id].map(XLSX.kind(ofFormatCode:)) ?? XLSX.kind(ofBuiltInFormat: id)
            }
            return Styles(kinds: kinds)
        }
    }

    static func kind(ofBuiltInFormat id: Int) -> NumberKind {
        switch id {
        case 14...17, 27...31, 36, 50...54, 57, 58: .date(withTime: false)
        case 22: .date(withTime: true)
        case 18...21, 32...35, 45...47, 55, 56: .time
        default: .number
        }
    }

    /// Classifies a custom format code by its date/time tokens, ignoring quoted text, escapes and [colour] sections.
    static func kind(ofFormatCode code: String) -> NumberKind {
        var tokens = ""
        var scalars = code.unicodeScalars.makeIterator()
        var inQuotes = false
        while let scalar = scalars.next() {
            if inQuotes {
                if scalar == "\"" { inQuotes = false }
                continue
            }
            switch scalar {
            case "\"": inQuotes = true
            case "\\", "_", "*": _ = scalars.next()
            case ";": scalars = "".unicodeScalars.makeIterator()  // only the first (positive) section matters
            case "[":
                var inside = ""
                while let next = scalars.next(), next != "]" { inside.unicodeScalars.append(next) }
                let lower = inside.lowercased()
                if !lower.isEmpty, lower.allSatisfy({ $0 == "h" || $0 == "m" || $0 == "s" }) { tokens += lower }
            default: tokens.unicodeScalars.append(scalar)
            }
        }
        let lower = tokens.lowercased()
            .replacingOccurrences(of: "am/pm", with: "")
            .replacingOccurrences(of: "a/p", with: "")
        let hasTime = lower.contains("h") || lower.contains("s")
        let hasDate = lower.contains("y") || lower.contains("d") || (lower.contains("m") && !hasTime)
        if hasDate { return .date(withTime: hasTime) }
        if hasTime { return .time }
        return .number
    }

    // MARK: Worksheet

    private enum SheetReader {
        static func parse(
            _ data: Data, sharedStrings: [String], styles: Styles, date1904: Bool
        ) throws -> [[String]] {
            var cells: [(row: Int, column: Int, value: String)] = []
            var rowIndex = -1
            var nextColumn = 0
            var cellColumn = 0
            var cellRow = 0
            var cellType = "n"
            var cellStyle: Int?
            var value = ""
            var inlineText = ""
            var hasInline = false
            var collectingValue = false
            var collectingInline = false
            var inInline = false
            var phoneticDepth = 0
            var malformed = false

            try XMLEvents.parse(
                data,
                start: { name, attributes in
                    switch name {
                    case "row":
                        if let number = attributes["r"].flatMap(Int.init), number >= 1 {
                            rowIndex = number - 1
                        } else {
                            rowIndex += 1
                        }
                        nextColumn = 0
                    case "c":
                        if let reference = attributes["r"], let parsed = XLSX.cellPosition(reference) {
                            cellColumn = parsed.column
                            cellRow = parsed.row ?? max(rowIndex, 0)
                        } else {
                            cellColumn = nextColumn
                            cellRow = max(rowIndex, 0)
                        }
                        if cellColumn >= 16_384 || cellRow >= 1_048_576 { malformed = true }
                        cellType = attributes["t"] ?? "n"
                        cellStyle = attributes["s"].flatMap(Int.init)
                        value = ""
                        inlineText = ""
                        hasInline = false
                    case "v": collectingValue = true
                    case "is":
                        inInline = true
                        hasInline = true
                    case "t" where inInline: collectingInline = phoneticDepth == 0
                    case "rPh": phoneticDepth += 1
                    default: break
                    }
                },
                end: { name in
                    switch name {
                    case "v": collectingValue = false
                    case "is": inInline = false
                    case "t": collectingInline = false
                    case "rPh": phoneticDepth -= 1
                    case "c":
                        nextColumn = cellColumn + 1
                        let text = XLSX.cellText(
                            type: cellType, value: value, inline: hasInline ? inlineText : nil,
                            kind: styles.kind(ofStyle: cellStyle), sharedStrings: sharedStrings, date1904: date1904
                        )
                        if !text.isEmpty, !malformed { cells.append((cellRow, cellColumn, text)) }
                    default: break
                    }
                },
                text: { text in
                    if collectingValue { value += text }
                    if collectingInline { inlineText += text }
                }
            )
            if malformed { throw SpreadsheetError.unreadable(XLSX.damagedMessage) }

            guard let height = cells.map({ $0.row }).max().map({ $0 + 1 }),
                  let width = cells.map({ $0.column }).max().map({ $0 + 1 })
            else { return [] }
            guard height * width <= XLSX.maxCellCount else {
                throw SpreadsheetError.unreadable("文件过大：表格单元格过多，已拒绝读取")
            }
            var rows = Array(repeating: Array(repeating: "", count: width), count: height)
            for cell in cells {
                rows[cell.row][cell.column] = cell.value
            }
            return rows
        }
    }

    static func cellText(
        type: String, value: String, inline: String?, kind: NumberKind, sharedStrings: [String], date1904: Bool
    ) -> String {
        if let inline { return unescapeOOXML(inline) }
        switch type {
        case "s":
            guard let index = Int(value.trimmingCharacters(in: .whitespaces)), sharedStrings.indices.contains(index)
            else { return "" }
            return sharedStrings[index]
        case "str", "inlineStr":
            return unescapeOOXML(value)
        case "b":
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? "" : (trimmed == "1" || trimmed.lowercased() == "true" ? "TRUE" : "FALSE")
        case "e":
            return value
        case "d":
            // ISO 8601 date cells (strict OOXML); a bare midnight time adds nothing.
            return value.hasSuffix("T00:00:00") ? String(value.dropLast(9)) : value
        default:
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { return "" }
            if kind != .number, let serial = Double(trimmed), let text = formatSerial(serial, kind: kind, date1904: date1904) {
                return text
            }
            return formatNumber(trimmed)
        }
    }

    /// "35" → "35", "35.0" → "35", "12.5" → "12.5", "0.30000000000000004" → "0.3" (15 significant digits, as Excel shows).
    static func formatNumber(_ text: String) -> String {
        if text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) { return text }
        guard let number = Double(text), number.isFinite else { return text }
        if number == number.rounded(), abs(number) < 1e15 {
            return String(Int64(number))
        }
        return String(format: "%.15g", number)
    }

    /// An Excel serial day number (1900 or 1904 system) as "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or "HH:MM[:SS]".
    static func formatSerial(_ serial: Double, kind: NumberKind, date1904: Bool) -> String? {
        guard serial >= 0, serial < 2_958_466 else { return nil }
        let totalSeconds = Int((serial * 86_400).rounded())
        let wholeDays = totalSeconds / 86_400
        let secondsOfDay = totalSeconds % 86_400
        let time: String = {
            let hours = secondsOfDay / 3600, minutes = secondsOfDay / 60 % 60, seconds = secondsOfDay % 60
            let hm = pad2(hours) + ":" + pad2(minutes)
            return seconds == 0 ? hm : hm + ":" + pad2(seconds)
        }()
        if kind == .time { return time }

        let date: String
        if date1904 {
            date = civilDate(daysSince1970: wholeDays - 24_107)
        } else if wholeDays == 60 {
            date = "1900-02-29"  // Excel's phantom leap day (Lotus 1-2-3 compatibility)
        } else {
            date = civilDate(daysSince1970: wholeDays - (wholeDays < 60 ? 25_568 : 25_569))
        }
        if kind == .date(withTime: true), secondsOfDay != 0 {
            return date + " " + time
        }
        return date
    }

    private static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Proleptic Gregorian date for a day count from 1970-01-01 (H. Hinnant's civil_from_days).
    private static func civilDate(daysSince1970: Int) -> String {
        let z = daysSince1970 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-" + pad2(month) + "-" + pad2(day)
    }

    /// "C5" → (column 2, row 4); "AA" → (26, nil). Nil when the reference is not a cell reference.
    static func cellPosition(_ reference: String) -> (column: Int, row: Int?)? {
        var column = 0
        var row = 0
        var letters = 0
        var digits = 0
        for scalar in reference.unicodeScalars where scalar != "$" {
            let isLetter = (65...90).contains(scalar.value) || (97...122).contains(scalar.value)
            switch scalar.value {
            case _ where isLetter && digits == 0:
                column = column * 26 + Int((scalar.value & ~0x20) - 64)
                letters += 1
                if letters > 3 { return nil }
            case 48...57 where letters > 0:
                row = row * 10 + Int(scalar.value - 48)
                digits += 1
                if digits > 7 { return nil }
            default:
                return nil
            }
        }
        guard letters > 0 else { return nil }
        return (column - 1, digits > 0 && row > 0 ? row - 1 : nil)
    }

    /// Decodes Excel's _xHHHH_ escapes ("_x000D_" is a carriage return; "_x005F_" a literal underscore).
    static func unescapeOOXML(_ text: String) -> String {
        guard text.contains("_x") else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "_", index + 6 < scalars.count, scalars[index + 1] == "x", scalars[index + 6] == "_",
               let value = UInt32(String(String.UnicodeScalarView(scalars[(index + 2)...(index + 5)])), radix: 16),
               let decoded = Unicode.Scalar(value) {
                out.append(decoded)
                index += 7
            } else {
                out.append(scalars[index])
                index += 1
            }
        }
        return String(out)
    }
}

// MARK: - XML events

/// A thin wrapper over XMLParser giving element names without namespace prefixes.
/// Attributes are keyed by their qualified name and, when not taken, by their local name too ("r:id" and "id").
/// Documents with a DTD are refused: no real workbook has one, and it is how entity-expansion attacks start.
private enum XMLEvents {
    static func parse(_ data: Data, start: @escaping (String, [String: String]) -> Void) throws {
        try parse(data, start: start, end: { _ in }, text: { _ in })
    }

    static func parse(
        _ data: Data,
        start: @escaping (String, [String: String]) -> Void,
        end: @escaping (String) -> Void,
        text: @escaping (String) -> Void
    ) throws {
        if data.range(of: Data("<!DOCTYPE".utf8)) != nil || data.range(of: Data("<!ENTITY".utf8)) != nil {
            throw SpreadsheetError.unreadable(XLSX.damagedMessage)
        }
        let delegate = Delegate(start: start, end: end, text: text)
        // A stream, not XMLParser(data:): on Linux the latter hands libxml2 the whole buffer in one chunk and
        // fails (NSXMLParserErrorDomain code 1) on documents over about 10 MB; streamed input has no such limit.
        let parser = XMLParser(stream: InputStream(data: data))
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        guard parser.parse() else {
            throw SpreadsheetError.unreadable(XLSX.damagedMessage)
        }
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        let start: (String, [String: String]) -> Void
        let end: (String) -> Void
        let text: (String) -> Void

        init(
            start: @escaping (String, [String: String]) -> Void,
            end: @escaping (String) -> Void,
            text: @escaping (String) -> Void
        ) {
            self.start = start
            self.end = end
            self.text = text
        }

        private func localName(_ name: String) -> String {
            guard let colon = name.lastIndex(of: ":") else { return name }
            return String(name[name.index(after: colon)...])
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            var attributes = attributeDict
            for (key, value) in attributeDict where key.contains(":") {
                let local = localName(key)
                if attributes[local] == nil { attributes[local] = value }
            }
            start(localName(elementName), attributes)
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
        ) {
            end(localName(elementName))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text(string)
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            text(String(decoding: CDATABlock, as: UTF8.self))
        }
    }
}
