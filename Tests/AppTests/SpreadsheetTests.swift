import Foundation
import Testing
@testable import App

// MARK: - CSV

@Test func csvRoundTripKeepsChineseCommasQuotesAndEmbeddedNewlines() throws {
    // given
    let table = SheetTable(rows: [
        ["姓名", "支部", "备注"],
        ["张三", "第一党支部", "含,逗号"],
        ["李四", "第二\"党\"支部", "第一行\n第二行"],
        ["王五", "", "  前后空格  "],
        ["赵六", "CRLF\r\n换行", "'已有引号"],
    ])

    // when
    let data = CSV.write(table)
    let parsed = try CSV.parse(data)

    // then
    #expect(parsed == table)
}

@Test func csvWriteStartsWithUTF8BOMUsesCRLFAndQuotesOnlyWhereNeeded() throws {
    // given
    let table = SheetTable(rows: [["姓名", "备注"], ["张三", "a,b"], ["李四", "说\"好\""]])

    // when
    let data = CSV.write(table)

    // then
    #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
    let text = try #require(String(data: data.dropFirst(3), encoding: .utf8))
    #expect(text == "姓名,备注\r\n张三,\"a,b\"\r\n李四,\"说\"\"好\"\"\"\r\n")
}

@Test func csvParseStripsUTF8BOMAndReadsTheSameWithoutIt() throws {
    // given
    let body = Data("姓名,年龄\n张三,35\n".utf8)
    let withBOM = Data([0xEF, 0xBB, 0xBF]) + body

    // when
    let fromBOM = try CSV.parse(withBOM)
    let fromPlain = try CSV.parse(body)

    // then
    #expect(fromBOM.rows == [["姓名", "年龄"], ["张三", "35"]])
    #expect(fromBOM.rows[0][0].unicodeScalars.first == "姓")
    #expect(fromPlain == fromBOM)
}

@Test func csvParseDecodesGB18030BytesSavedByChineseExcel() throws {
    // given: "姓名,支部,备注\r\n张三,第一党支部,\"含,逗号\"\r\n李四,㐀字,€\r\n" encoded as GB18030
    // (㐀 is a four-byte GB18030 sequence, € is A2E3; the rest is plain GBK)
    let bytes: [UInt8] = [
        0xD0, 0xD5, 0xC3, 0xFB, 0x2C, 0xD6, 0xA7, 0xB2, 0xBF, 0x2C, 0xB1, 0xB8, 0xD7, 0xA2, 0x0D, 0x0A,
        0xD5, 0xC5, 0xC8, 0xFD, 0x2C, 0xB5, 0xDA, 0xD2, 0xBB, 0xB5, 0xB3, 0xD6, 0xA7, 0xB2, 0xBF, 0x2C,
        0x22, 0xBA, 0xAC, 0x2C, 0xB6, 0xBA, 0xBA, 0xC5, 0x22, 0x0D, 0x0A,
        0xC0, 0xEE, 0xCB, 0xC4, 0x2C, 0x81, 0x39, 0xEE, 0x39, 0xD7, 0xD6, 0x2C, 0xA2, 0xE3, 0x0D, 0x0A,
    ]

    // when
    let table = try CSV.parse(Data(bytes))

    // then
    #expect(table.rows == [
        ["姓名", "支部", "备注"],
        ["张三", "第一党支部", "含,逗号"],
        ["李四", "㐀字", "€"],
    ])
}

@Test func csvWritePrefixesFormulaLikeCellsWithASingleQuote() throws {
    // given
    let table = SheetTable(rows: [["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "-5", "+3.5", "a=b", "正常"]])

    // when
    let text = try #require(String(data: CSV.write(table).dropFirst(3), encoding: .utf8))

    // then
    #expect(text == "'=1+1,'+SUM(A1),'-2+3,'@cmd,'\tx,-5,+3.5,a=b,正常\r\n")
}

@Test func csvParseAcceptsLFAndCRLFAndTrimsTrailingEmptyRowsButKeepsCellSpaces() throws {
    // given
    let data = Data("a, b ,c\r\n1,2\n\"x\"\"y\",,\r\n,,\n\r\n\n".utf8)

    // when
    let table = try CSV.parse(data)

    // then
    #expect(table.rows == [["a", " b ", "c"], ["1", "2", ""], ["x\"y", "", ""]])
}

// MARK: - XLSX

@Test func xlsxRoundTripKeepsChineseTextAcross300Rows() throws {
    // given
    var rows = [["序号", "姓名", "所在支部", "备注 <&>"]]
    for number in 1...300 {
        rows.append(["\(number)", "党员\(number)号", "第\(number % 7)党支部", number % 50 == 0 ? "多行\n备注 \"引号\" & <标签>" : ""])
    }
    rows.append(["0012", "身份证 110101199003077777", "", "_x000D_ 字面量"])
    let table = SheetTable(rows: rows)

    // when
    let data = try XLSX.write(sheetName: "党员名单", table: table)
    let read = try XLSX.read(data)

    // then
    #expect(read.rows.count == 302)
    #expect(read == table)
    #expect(read.rows[150] == ["150", "党员150号", "第3党支部", "多行\n备注 \"引号\" & <标签>"])
}

@Test func xlsxRoundTripReadsAWorksheetLargerThanTenMegabytes() throws {
    // given: about 11 MB of worksheet XML (XMLParser(data:) on Linux fails above 10 MB; the reader streams instead)
    let long = String(repeating: "党员信息", count: 10) + String(repeating: "x", count: 1_000)
    let rows = (0..<2_000).map { row in (0..<5).map { column in "\(row)-\(column) \(long)" } }
    let table = SheetTable(rows: rows)

    // when
    let data = try XLSX.write(sheetName: "大表", table: table)
    let read = try XLSX.read(data)

    // then
    #expect(rows.joined().reduce(0) { $0 + $1.utf8.count } > 10_500_000)
    #expect(read.rows.count == 2_000)
    #expect(read == table)
}

@Test func xlsxWriteProducesTheOfficePartsWithBoldFrozenHeaderAndWideCJKColumns() throws {
    // given
    let table = SheetTable(rows: [["姓名", "Email"], ["欧阳娜娜娜娜娜娜娜娜", "a@b.c"]])

    // when
    let data = try XLSX.write(sheetName: "名单/2024", table: table)
    let names = try StoredZip.entryNames(in: data)
    let sheet = XLSX.worksheetXML(table)

    // then
    #expect(Array(data.prefix(4)) == [0x50, 0x4B, 0x03, 0x04])
    #expect(Set(names) == ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                           "xl/styles.xml", "xl/worksheets/sheet1.xml"])
    #expect(sheet.contains(#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#))
    #expect(sheet.contains(#"<c r="A1" s="2" t="inlineStr"><is><t xml:space="preserve">姓名</t></is></c>"#))
    #expect(sheet.contains(#"<c r="A2" s="1" t="inlineStr">"#))
    #expect(sheet.contains(#"<col min="1" max="1" width="22.0" customWidth="1"/>"#))  // 10 CJK × 2 + 2
    #expect(sheet.contains(#"<col min="2" max="2" width="8.0" customWidth="1"/>"#))
    #expect(XLSX.stylesXML.contains(#"<font><b/>"#))
    #expect(XLSX.workbookXML(sheetName: XLSX.safeSheetName("名单/2024")).contains(#"<sheet name="名单2024" sheetId="1""#))
}

@Test func xlsxReadsAnOpenpyxlWorkbookWithSharedStringsNumbersBooleansAndDates() throws {
    // given: a workbook saved by openpyxl 2.5 (shared strings; sheet "党员名单" first, "第二页" second;
    // C2 is 2021-07-01 styled yyyy-mm-dd, C3 is 1999-12-31 styled yyyy"年"m"月"d"日"; B3, D3 and C4… are absent)
    let data = try #require(Data(base64Encoded: openpyxlWorkbookBase64, options: .ignoreUnknownCharacters))

    // when
    let table = try XLSX.read(data)

    // then
    #expect(table.rows == [
        ["姓名", "年龄", "入党日期", "党费", "在册"],
        ["张三", "35", "2021-07-01", "12.5", "TRUE"],
        ["李四", "", "1999-12-31", "", "FALSE"],
        ["王五", "100000", "", "", ""],
    ])
}

@Test func xlsxReadTurnsGapsInCellReferencesIntoEmptyCells() throws {
    // given: cells at A1, C1, B3 and D3 only (row 2 missing, row 3 without r attribute on the row)
    let sheet = """
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\
        <row r="1"><c r="A1" t="inlineStr"><is><t>甲</t></is></c><c r="C1" t="inlineStr"><is><t>丙</t></is></c></row>\
        <row><c r="B3"><v>7</v></c><c r="D3" t="str"><v>丁</v></c></row>\
        <row r="5"><c r="A5" t="inlineStr"><is><t></t></is></c></row>\
        </sheetData></worksheet>
        """
    let data = StoredZip.make(TestWorkbook.parts(sheetPath: "xl/worksheets/sheet1.xml", sheetXML: sheet))

    // when
    let table = try XLSX.read(data)

    // then
    #expect(table.rows == [
        ["甲", "", "丙", ""],
        ["", "", "", ""],
        ["", "7", "", "丁"],
    ])
}

@Test func xlsxReadFindsTheFirstVisibleSheetThroughRelationshipsAndReadsRichText() throws {
    // given: the first sheet is hidden; the visible one lives at an unusual path; shared strings have rich runs and
    // a phonetic run that Excel does not show; the style is Chinese built-in date format 31; the workbook uses 1904 dates
    let parts: [String: String] = [
        "[Content_Types].xml": "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
        "_rels/.rels": """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
            Target="book/main.xml"/></Relationships>
            """,
        "book/main.xml": """
            <x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <x:workbookPr date1904="1"/><x:sheets>\
            <x:sheet name="隐藏" sheetId="1" state="hidden" r:id="rIdHidden"/>\
            <x:sheet name="数据" sheetId="2" r:id="rIdData"/></x:sheets></x:workbook>
            """,
        "book/_rels/main.xml.rels": """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rIdHidden" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="hidden.xml"/>\
            <Relationship Id="rIdData" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="../sheets/data.xml"/>\
            <Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/>\
            <Relationship Id="rIdSt" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="/book/styles.xml"/>\
            </Relationships>
            """,
        "book/hidden.xml": """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\
            <row r="1"><c r="A1" t="inlineStr"><is><t>不应读取</t></is></c></row></sheetData></worksheet>
            """,
        "sheets/data.xml": """
            <x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>\
            <x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c></x:row>\
            <x:row r="2"><x:c r="A2" s="1"><x:v>42917</x:v></x:c><x:c r="B2" t="e"><x:v>#N/A</x:v></x:c></x:row>\
            </x:sheetData></x:worksheet>
            """,
        "book/strings.xml": """
            <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">\
            <si><r><rPr><b/></rPr><t>党</t></r><r><t xml:space="preserve">员 名单</t></r><rPh sb="0" eb="1"><t>ダン</t></rPh></si>\
            <si><t>第一行_x000D_</t></si></sst>
            """,
        "book/styles.xml": """
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>\
            <cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="31"/></cellXfs></styleSheet>
            """,
    ]

    // when
    let table = try XLSX.read(StoredZip.make(parts))

    // then: 42917 in the 1904 system is 2021-07-02
    #expect(table.rows == [["党员 名单", "第一行\r"], ["2021-07-02", "#N/A"]])
}

@Test func xlsxReadFormatsNumbersAndDateTimesAsExcelShowsThem() {
    // given
    let numbers = ["35", "35.0", "-2.5", "0.30000000000000004", "13800138000"]
    let serials: [(Double, XLSX.NumberKind)] = [
        (44378, .date(withTime: false)), (44378.5, .date(withTime: true)), (44378, .date(withTime: true)),
        (0.75, .time), (59, .date(withTime: false)), (60, .date(withTime: false)), (61, .date(withTime: false)),
    ]
    let formatCodes = [#"yyyy"年"m"月"d"日""#, "[$-804]yyyy/m/d h:mm", "h:mm AM/PM", "mmm", #"[Red]0.00"天";[Blue]-0.00"#, "General"]

    // when
    let shownNumbers = numbers.map(XLSX.formatNumber)
    let shownSerials = serials.map { XLSX.formatSerial($0.0, kind: $0.1, date1904: false) }
    let kinds = formatCodes.map(XLSX.kind(ofFormatCode:))

    // then
    #expect(shownNumbers == ["35", "35", "-2.5", "0.3", "13800138000"])
    #expect(shownSerials == ["2021-07-01", "2021-07-01 12:00", "2021-07-01", "18:00", "1900-02-28", "1900-02-29", "1900-03-01"])
    #expect(kinds == [.date(withTime: false), .date(withTime: true), .time, .date(withTime: false), .number, .number])
}

@Test func xlsxReadRejectsZipBombsByEntryCountAndByUnpackedSize() throws {
    // given
    var manyParts: [String: String] = [:]
    for index in 0...1000 { manyParts["f\(index).xml"] = "" }
    let tooManyEntries = StoredZip.make(manyParts)
    let hugeDeclared = StoredZip.make(
        TestWorkbook.parts(sheetPath: "xl/worksheets/sheet1.xml", sheetXML: "<worksheet/>"),
        declaredSize: 101 * 1024 * 1024
    )

    // when
    let errors = [tooManyEntries, hugeDeclared].map { data in spreadsheetError { try XLSX.read(data) } }

    // then
    #expect(errors == [.unreadable(XLSX.tooLargeMessage), .unreadable(XLSX.tooLargeMessage)])
    #expect(XLSX.tooLargeMessage.contains("100 MB"))
}

// MARK: - Detection and errors

@Test func spreadsheetReadRejectsGarbageBytesAsUnreadable() {
    // given
    let garbage = Data([0x00, 0xFF, 0x13, 0x37, 0x00, 0x89, 0x50, 0x4E, 0x47, 0xFE])
    let brokenZip = Data([0x50, 0x4B, 0x03, 0x04]) + Data(repeating: 0xAB, count: 64)
    let legacyXLS = Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + Data(count: 512)
    let invalidText = Data([0x41, 0xFF, 0xFF, 0x42])

    // when
    let errors = [garbage, brokenZip, legacyXLS, invalidText].map { data in
        spreadsheetError { try Spreadsheet.read(data) }
    }

    // then
    #expect(errors.count == 4)
    for error in errors {
        guard case .unreadable(let message) = error else {
            Issue.record("expected .unreadable, got \(String(describing: error))")
            continue
        }
        #expect(message.hasPrefix("文件无法识别"))
    }
}

@Test func spreadsheetReadDetectsTheFormatByContentNotByName() throws {
    // given
    let table = SheetTable(rows: [["姓名", "支部"], ["张三", "第一党支部"]])
    let xlsx = try XLSX.write(sheetName: "Sheet1", table: table)
    let csv = CSV.write(table)
    let csvStartingLikeAZip = Data("PK,是表头\n1,2\n".utf8)

    // when
    let fromXLSX = try Spreadsheet.read(xlsx)
    let fromCSV = try Spreadsheet.read(csv)
    let fromPKText = try Spreadsheet.read(csvStartingLikeAZip)

    // then
    #expect(fromXLSX == table)
    #expect(fromCSV == table)
    #expect(fromPKText.rows == [["PK", "是表头"], ["1", "2"]])
}

@Test func spreadsheetReadReportsEmptyFilesAsEmpty() throws {
    // given
    let inputs = [Data(), Data([0xEF, 0xBB, 0xBF]), Data("\r\n,,\r\n".utf8),
                  try XLSX.write(sheetName: "空", table: SheetTable(rows: []))]

    // when
    let errors = inputs.map { data in spreadsheetError { try Spreadsheet.read(data) } }

    // then
    #expect(errors == [.empty, .empty, .empty, .empty])
    #expect(SpreadsheetError.empty.localizedDescription == "文件是空的")
}

// MARK: - Helpers

/// The SpreadsheetError a call throws, or nil when it succeeds (or throws something else).
private func spreadsheetError(_ body: () throws -> SheetTable) -> SpreadsheetError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error as? SpreadsheetError
    }
}

/// Minimal workbook parts around one worksheet.
private enum TestWorkbook {
    static func parts(sheetPath: String, sheetXML: String) -> [String: String] {
        [
            "[Content_Types].xml": "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
            "xl/workbook.xml": """
                <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
                xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
                <sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>
                """,
            "xl/_rels/workbook.xml.rels": """
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
                Target="/\(sheetPath)"/></Relationships>
                """,
            sheetPath: sheetXML,
        ]
    }
}

/// Writes and lists ZIP archives with stored (uncompressed) entries, so tests need no ZIP library.
private enum StoredZip {
    static func make(_ parts: [String: String], declaredSize: UInt32? = nil) -> Data {
        var out = Data()
        var central = Data()
        for (path, text) in parts.sorted(by: { $0.key < $1.key }) {
            let name = Data(path.utf8)
            let body = Data(text.utf8)
            let crc = crc32(body)
            let offset = UInt32(out.count)
            let size = declaredSize ?? UInt32(body.count)
            out.append(le32(0x0403_4B50)); out.append(le16(20)); out.append(le16(0x0800)); out.append(le16(0))
            out.append(le16(0)); out.append(le16(0x21)); out.append(le32(crc))
            out.append(le32(UInt32(body.count))); out.append(le32(size))
            out.append(le16(UInt16(name.count))); out.append(le16(0)); out.append(name); out.append(body)
            central.append(le32(0x0201_4B50)); central.append(le16(20)); central.append(le16(20))
            central.append(le16(0x0800)); central.append(le16(0)); central.append(le16(0)); central.append(le16(0x21))
            central.append(le32(crc)); central.append(le32(UInt32(body.count))); central.append(le32(size))
            central.append(le16(UInt16(name.count))); central.append(le16(0)); central.append(le16(0))
            central.append(le16(0)); central.append(le16(0)); central.append(le32(0o100644 << 16))
            central.append(le32(offset)); central.append(name)
        }
        let centralOffset = UInt32(out.count)
        out.append(central)
        out.append(le32(0x0605_4B50)); out.append(le16(0)); out.append(le16(0))
        out.append(le16(UInt16(parts.count))); out.append(le16(UInt16(parts.count)))
        out.append(le32(UInt32(central.count))); out.append(le32(centralOffset)); out.append(le16(0))
        return out
    }

    /// Names of the entries, read from the central directory.
    static func entryNames(in data: Data) throws -> [String] {
        let bytes = [UInt8](data)
        guard bytes.count >= 22,
              let end = (0...(bytes.count - 22)).reversed().first(where: { u32(bytes, $0) == 0x0605_4B50 })
        else { throw SpreadsheetError.unreadable("no end of central directory") }
        var position = Int(u32(bytes, end + 16))
        var names: [String] = []
        for _ in 0..<Int(u16(bytes, end + 10)) {
            let nameLength = Int(u16(bytes, position + 28))
            let extraLength = Int(u16(bytes, position + 30))
            let commentLength = Int(u16(bytes, position + 32))
            names.append(String(decoding: bytes[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self))
            position += 46 + nameLength + extraLength + commentLength
        }
        return names
    }

    private static func le16(_ value: UInt16) -> Data { Data([UInt8(value & 0xFF), UInt8(value >> 8)]) }
    private static func le32(_ value: UInt32) -> Data { Data((0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) }) }
    private static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    private static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
    }

    private static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// openpyxl 2.5.14 output of:
///   ws.title = "党员名单"; ws.append(["姓名", "年龄", "入党日期", "党费", "在册"])
///   ws.append(["张三", 35, date(2021, 7, 1), 12.5, True])
///   ws["A3"] = "李四"; ws["C3"] = date(1999, 12, 31); ws["C3"].number_format = 'yyyy"年"m"月"d"日"'; ws["E3"] = False
///   ws["A4"] = "王五"; ws["B4"] = 100000; wb.create_sheet("第二页")["A1"] = "不应读取"
/// sha256 9ddcf01ae4d7db6169c0c491c618e33997b7e1f216a1f0e0116e27c1a21244ed
private let openpyxlWorkbookBase64 = """
UEsDBBQAAAAIAPK9dV23R+uKwAAAABYCAAALAAAAX3JlbHMvLnJlbHOdkktuAjEMQK8SZV9MqcQCMazYsEOIC7iJ56OZxJFjxPT2
jdjAIGgRS/+eni2vDzSgdhxz26VsxjDEXNlWNa0AsmspYJ5xolgqNUtALaE0kND12BAs5vMlyC3Dbta3THP8SfQKkeu6c7RldwoU
9QH4rsOaI0pDWtlxgDNL/83czwrUmp2vrOz8pzXwpszz9SCQokdFcCz0kaRMi3aUrz6e3b6k86VjYrR43+j/89CoFD35v50wpYnS
10UJJm+w+QVQSwMEFAAAAAgA8r11XSfohw6CAAAAsQAAABAAAABkb2NQcm9wcy9hcHAueG1sTY5NC8IwEET/SundbinoQWJAsEfB
k/eQbmwgyYbNCvn5poIft3m8YRh1Y8rI4rF0NYZUTv0qko8Axa4YTRmaTs044mikIT+AnPMWL2SfEZPANI4HwCqYFlx2+TvYa3XO
OXhrxFPSV2+ZCjnp5moxKPiXW/OOXLY8Dfu3/LCC30n9AlBLAwQUAAAACADyvXVdOVWyKOoAAADLAQAAEQAAAGRvY1Byb3BzL2Nv
cmUueG1spZHBasMwDIZfpeSeKE5GBsbNpWWnDQYrbOxmbLU1jR1jayR9+zlZm25stx2t/9MnCQvlueoDPofeYyCDcTXazkWu/Do7
EnkOENURrYxFIlwK932wktIzHMBLdZIHhKosG7BIUkuSMAlzvxizi1KrRek/QjcLtALs0KKjCKxgcGMJg41/NszJQo7RLNQwDMVQ
z1zaiMHb0+PLvHxuXCTpFGat0IqrgJL60E4X+fPYCfhWFJfZXwXUqzSB09njOrsmr/Vmu3vI2qqsmpyxvGK7quZ397xu3ifXj/6b
0Pba7M0/jFdBK+DXv7WfUEsDBBQAAAAIAPK9dV2ZXJwjEAYAAJwnAAATAAAAeGwvdGhlbWUvdGhlbWUxLnhtbO1aW3PaOBR+76/Q
eGf2bQvGNoG2tBNzaXbbtJmE7U4fhRFYjWx5ZJGEf79HNhDLlg3tkk26mzwELOn7zkVH5+g4efPuLmLohoiU8nhg2S/b1ru3L97g
VzIkEUEwGaev8MAKpUxetVppAMM4fckTEsPcgosIS3gUy9Zc4FsaLyPW6rTb3VaEaWyhGEdkYH1eLGhA0FRRWm9fILTlHzP4FctU
jWWjARNXQSa5iLTy+WzF/NrePmXP6TodMoFuMBtYIH/Ob6fkTlqI4VTCxMBqZz9Wa8fR0kiAgsl9lAW6Sfaj0xUIMg07Op1YznZ8
9sTtn4zK2nQ0bRrg4/F4OLbL0otwHATgUbuewp30bL+kQQm0o2nQZNj22q6RpqqNU0/T933f65tonAqNW0/Ta3fd046Jxq3QeA2+
8U+Hw66JxqvQdOtpJif9rmuk6RZoQkbj63oSFbXlQNMgAFhwdtbM0gOWXin6dZQa2R273UFc8FjuOYkR/sbFBNZp0hmWNEZynZAF
DgA3xNFMUHyvQbaK4MKS0lyQ1s8ptVAaCJrIgfVHgiHF3K/99Ze7yaQzep19Os5rlH9pqwGn7bubz5P8c+jkn6eT101CznC8LAnx
+yNbYYcnbjsTcjocZ0J8z/b2kaUlMs/v+QrrTjxnH1aWsF3Pz+SejHIju932WH32T0duI9epwLMi15RGJEWfyC265BE4tUkNMhM/
CJ2GmGpQHAKkCTGWoYb4tMasEeATfbe+CMjfjYj3q2+aPVehWEnahPgQRhrinHPmc9Fs+welRtH2Vbzco5dYFQGXGN80qjUsxdZ4
lcDxrZw8HRMSzZQLBkGGlyQmEqk5fk1IE/4rpdr+nNNA8JQvJPpKkY9psyOndCbN6DMawUavG3WHaNI8ev4F+Zw1ChyRGx0CZxuz
RiGEabvwHq8kjpqtwhErQj5iGTYacrUWgbZxqYRgWhLG0XhO0rQR/FmsNZM+YMjszZF1ztaRDhGSXjdCPmLOi5ARvx6GOEqa7aJx
WAT9nl7DScHogstm/bh+htUzbCyO90fUF0rkDyanP+kyNAejmlkJvYRWap+qhzQ+qB4yCgXxuR4+5Xp4CjeWxrxQroJ7Af/R2jfC
q/iCwDl/Ln3Ppe+59D2h0rc3I31nwdOLW95GblvE+64x2tc0LihjV3LNyMdUr5Mp2DmfwOz9aD6e8e362SSEr5pZLSMWkEuBs0Ek
uPyLyvAqxAnoZFslCctU02U3ihKeQhtu6VP1SpXX5a+5KLg8W+Tpr6F0PizP+Txf57TNCzNDt3JL6raUvrUmOEr0scxwTh7LDDtn
PJIdtnegHTX79l125COlMFOXQ7gaQr4Dbbqd3Do4npiRuQrTUpBvw/npxXga4jnZBLl9mFdt59jR0fvnwVGwo+88lh3HiPKiIe6h
hpjPw0OHeXtfmGeVxlA0FG1srCQsRrdguNfxLBTgZGAtoAeDr1EC8lJVYDFbxgMrkKJ8TIxF6HDnl1xf49GS49umZbVuryl3GW0i
UjnCaZgTZ6vK3mWxwVUdz1Vb8rC+aj20FU7P/lmtyJ8MEU4WCxJIY5QXpkqi8xlTvucrScRVOL9FM7YSlxi84+bHcU5TuBJ2tg8C
Mrm7Oal6ZTFnpvLfLQwJLFuIWRLiTV3t1eebnK56Inb6l3fBYPL9cMlHD+U751/0XUOufvbd4/pukztITJx5xREBdEUCI5UcBhYX
MuRQ7pKQBhMBzZTJRPACgmSmHICY+gu98gy5KRXOrT45f0Usg4ZOXtIlEhSKsAwFIRdy4+/vk2p3jNf6LIFthFQyZNUXykOJwT0z
ckPYVCXzrtomC4Xb4lTNuxq+JmBLw3punS0n/9te1D20Fz1G86OZ4B6zh3OberjCRaz/WNYe+TLfOXDbOt4DXuYTLEOkfsF9ioqA
EativrqvT/klnDu0e/GBIJv81tuk9t3gDHzUq1qlZCsRP0sHfB+SBmOMW/Q0X48UYq2msa3G2jEMeYBY8wyhZjjfh0WaGjPVi6w5
jQpvQdVA5T/b1A1o9g00HJEFXjGZtjaj5E4KPNz+7w2wwsSO4e2LvwFQSwMEFAAAAAgA8r11Xa7Uq0WkAQAABwQAABgAAAB4bC93
b3Jrc2hlZXRzL3NoZWV0MS54bWxtU8tOwzAQ/JXIH1Dn1RZVSSRoi+CAVIGAs9tsmgg7DrbbwN9jOyV1rOYS7453Zna1znouvmQN
oIIfRluZo1qpboWxPNTAiJzxDlqNVFwwonQojlh2AkhpixjFcRguMCNNi4rM5naiyPhJ0aaFnQjkiTEifh+A8j5HEfpPvDbHWtkE
LrKOHOEN1HunC3SIR56yYdDKhreBgCpH99Fqm9oKe+OjgV4658A0s+f8ywTPZY5C4wkoHJShIPp3hjVQapi0k+8LKbqKmkr3/E//
aPvX9vZEwprTz6ZUdY7uUFBCRU5UvfL+CS49za8WN0SRIhO8D8TQfUfMkKPVXFs7mKSR10VSx+cizPBZyx8u2IOLRVNs7WLxFNu4
WDLFti6WjhjWHkej8U2jsVM494wOWDsIeuDa0NnuxytpmizvPM8uRRTPPJLtAO+9UUxsJzdtJ47thecssc4m5hfz2JdOHOnwtnR6
Uzp1pJfexFK33dB8HjN2Fsg8kBcijk0rAwqVLgxnS71mYti4IVC8s1Pec6U4s8daP1QQ5oLGK87VGJiNH99+8QdQSwMEFAAAAAgA
8r11XbmN+5A0AQAACwIAABgAAAB4bC93b3Jrc2hlZXRzL3NoZWV0Mi54bWxNUdtOwzAM/ZUqH7C0SMA0tZXGEIIHpGkIeM5at42W
1CXxWvh7nHS3hyg+Ts7FST6hO/gOgJJfa3pfiI5oWEnpqw6s8gscoOeTBp1VxNC10g8OVB1J1si7NH2QVulelHnsbV2Z45GM7mHr
En+0Vrm/JzA4FSIT58ZOtx3FhizzQbXwAfQ5MIGhvOjU2kLvNfaJg6YQ62y1nhnxxpeGyd/USRhmj3gI4K0uRBoygYGKgoTibYQN
GBOUOMnPSVRcTQPztj7Lv8T5Od5eedig+dY1dYVYiqSGRh0N7XB6hdNM99eIz4pUmTucEjdPP6jwyNkq42hVaAZ7JnnGY7nM5cj2
FS/mnIPMIuGR3pVrde8TAw1z0sUjW7nZdQaEQ/TZIxHaWHb8WeDCBT5vEOkCwtSX/y//AVBLAwQUAAAACADyvXVdmxSYwr0AAAAv
AQAAFAAAAHhsL3NoYXJlZFN0cmluZ3MueG1ssykuLlGoyM3JK7ZVyigpKbDS1y9OzkjNTSzWyy9IzQPKpOUX5SaWALlF6frFBUWp
iSnFGampJbk5+kYGBmb6uYmZeUoKpXmZhaWpzvmleSW2SpZKdjbFmXY2JXZPl09+OqHXRr/EzkYfJAIV3bnl5b4WDNHWpU9bZz2b
vvTZnPmYcrNebNmJITpnxdO2HgzRPQue7OhEF302t+/p7Nnoos/7up/smoIu+mRH79NdU16s3/20fxpCTh8YUnYAUEsDBBQAAAAI
APK9dV1LCSpXywEAAKwEAAANAAAAeGwvc3R5bGVzLnhtbLVUS47UMBC9SuQFu5l0GrolmCQLRhoJaUAjzSzYOu1yx5I/wamMOpyA
G7Bhyw3YcCA4B/5NPupZIcimXpX9XpVdFZc9jhLuWwDMTkrqviItYvcmz/tDC4r2l6YD7Va4sYqic+0x7zsLlPWepGS+3Wz2uaJC
k7rUg7pR2GcHM2isyHYKZdG8YxUp9q9IFuWuDYOKjO67UOqCMZLlzxJ254QXnwaDV79+/ohARfP725cIWPK/fo8gKOepvLrkRs9V
FiQGXGqqIHuksiLXVIrGikDjVAk5xvg2RA5GGpuhuyDwdB/qP8cNRXL97SUtJbSxsYCYJhhfhZBydVc+UJcdRQSrb5wTSSF6vpbw
w9i5Ko6WjsV2RxaMYFyaxlgGdnXcGKpLCRw9w4pjGwCazpvGIBrlERP0aDSNlTzREnDaB5Dy3o/QR75KcOKLBm58+/QEXVUJRpnk
+ARLuSi+0H35d7qdeDT4dnAH0sH38wB3Frg4Bf/E5wJW8mlQ/2eC3T9PkKdLW7Rm1Zgpmvlhr8gH/1/JhUYzCIlCJ68VjIE+74/T
R9q4l2OVwO1iwOkg8WFarMiM3wMTg3o97brzB0u7Znzrh7HYx4zz+1T/AVBLAwQUAAAACADyvXVdHREyaWEBAABxAgAADwAAAHhs
L3dvcmtib29rLnhtbI2RwUoDMRCGX2XJA7jbogVL14tFLYiKld7T3dnu0CSzJNlWe/dmQQ+CePPeqxefxyK+hckuqwuCeErm/4cv
/0wGS9LzKdE8uJZCmb6OWW5t0Q9Dk+QgudmhApTzMtKSW1fqWUhZhgkMKSklKBt2o6gXahDcIimTY2FYTfsPyxQaeGpyACtFjZIc
FTsYNMkudBC2K7KQ+Je86pUJwtL8NPgyWKDBKQq0NzGr7gJYIFGhxBWkMYtYYHJanpDGFSnLxTjRJETMOrUxAW0x+SWPfcwrPjWV
Yvn00s8cs17kgBlqY6uOis9dyAW45roqLR2hsKCH3MKxprJANaswboywNUe1iuYMFJcQs+3t8/bhaXu/3q4ffRLnjNI6lXW41oy6
j87Qo7QGtyEfm837293ny2uL0P2D0K2jNXlSyFBBeuZYxhtuO4n7Gn9UWbq7e519t4VSiEOnnatT4un3gM3vHHwBUEsDBBQAAAAI
APK9dV1Wnbj6xQAAABsDAAAaAAAAeGwvX3JlbHMvd29ya2Jvb2sueG1sLnJlbHPFkz0OgzAMha8S5QA10J+hKp26sLZcIAJDEJBE
savC7YvoAJE6dEGdrPciv/cNzuWOneLGGtKNIzH0naFUamZ3BqBCY69oZx2a6aWyvlc8SV+DU0WraoQkik7g1xnyellninx0+Eui
raqmwJstnj0a/hIML+tb0ogsRa58jZxKGLrFJphHvJuSpcjKVPqsjKWAfxMlAVGyJRFp5bF8sG9MTQtVYAc0+01peOxwjTHroP+w
ZT9Pu7jUz/JjhkdynCEg+AvXN1BLAwQUAAAACADyvXVdxfCkEC4BAADpBAAAEwAAAFtDb250ZW50X1R5cGVzXS54bWzFlM9uwjAM
xl+l6hXRMA47TMBl23VD2l4ga9w2Iv9kGwZvPzcMJCYGQyDt0qi1/f2+xG4m75sEVKy9CzQtO+b0oBTVHXhNVUwQJNJE9JrlFVuV
dL3QLajxaHSv6hgYAg+51yhnkydo9NJx8byWz2RjmJYIjsricZvYs6alTsnZWrPE1SqYH5ThN6GSypxDnU00kISyUEcROfQrYVf4
ugJEa6CYa+QX7SVNrZ2iTiOYN0YbWqpOSx0xG5vG1mBivfRSUlFC0IY6APauOtAenDPCGwc3d5BFz6FZug3b593VBrLMSaKkzjEm
kvFBuJy3m4++ephECJDtmU3ukaJ99Q6hHz0D5q9wOeHPiIvcE1J5uf6YD/u817/UyPg/jXzEuLj5Lydr5bUNewMq33CzL1BLAQIU
AxQAAAAIAPK9dV23R+uKwAAAABYCAAALAAAAAAAAAAAAAACAAQAAAABfcmVscy8ucmVsc1BLAQIUAxQAAAAIAPK9dV0n6IcOggAA
ALEAAAAQAAAAAAAAAAAAAACAAekAAABkb2NQcm9wcy9hcHAueG1sUEsBAhQDFAAAAAgA8r11XTlVsijqAAAAywEAABEAAAAAAAAA
AAAAAIABmQEAAGRvY1Byb3BzL2NvcmUueG1sUEsBAhQDFAAAAAgA8r11XZlcnCMQBgAAnCcAABMAAAAAAAAAAAAAAIABsgIAAHhs
L3RoZW1lL3RoZW1lMS54bWxQSwECFAMUAAAACADyvXVdrtSrRaQBAAAHBAAAGAAAAAAAAAAAAAAAgAHzCAAAeGwvd29ya3NoZWV0
cy9zaGVldDEueG1sUEsBAhQDFAAAAAgA8r11XbmN+5A0AQAACwIAABgAAAAAAAAAAAAAAIABzQoAAHhsL3dvcmtzaGVldHMvc2hl
ZXQyLnhtbFBLAQIUAxQAAAAIAPK9dV2bFJjCvQAAAC8BAAAUAAAAAAAAAAAAAACAATcMAAB4bC9zaGFyZWRTdHJpbmdzLnhtbFBL
AQIUAxQAAAAIAPK9dV1LCSpXywEAAKwEAAANAAAAAAAAAAAAAACAASYNAAB4bC9zdHlsZXMueG1sUEsBAhQDFAAAAAgA8r11XR0R
MmlhAQAAcQIAAA8AAAAAAAAAAAAAAIABHA8AAHhsL3dvcmtib29rLnhtbFBLAQIUAxQAAAAIAPK9dV1Wnbj6xQAAABsDAAAaAAAA
AAAAAAAAAACAAaoQAAB4bC9fcmVscy93b3JrYm9vay54bWwucmVsc1BLAQIUAxQAAAAIAPK9dV3F8KQQLgEAAOkEAAATAAAAAAAA
AAAAAACAAacRAABbQ29udGVudF9UeXBlc10ueG1sUEsFBgAAAAALAAsAxgIAAAYTAAAAAA==
"""
