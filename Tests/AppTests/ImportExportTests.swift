import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

@Suite struct ImportExportTests {
    static func memberCSV(rows: Int, badRow: Int? = nil) -> String {
        var lines = ["姓名*,性别*,出生日期,政治面貌*,入党日期,所在支部编码*,党小组编码,党内职务,手机号,是否退休,是否困难党员"]
        for i in 1...rows {
            let status = i % 10 == 0 ? "入党积极分子" : "正式党员"
            let join = status == "正式党员" ? "2010-07-\(String(format: "%02d", i % 28 + 1))" : ""
            var phone = "139\(String(format: "%08d", i))"
            if i == badRow { phone = "12345" }
            lines.append("导入党员\(i),\(i % 2 == 0 ? "女" : "男"),1980-01-\(String(format: "%02d", i % 28 + 1)),\(status),\(join),ZR-B03,ZR-B03-G\(i % 2 + 1),,\(phone),否,否")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    @Test func memberImportWithOneBadRowImportsNothingAndNamesTheRow() async throws {
        try await withTestApp { t in
            let token = try await t.token("jiguan")
            let before = try await MemberModel.query(on: t.db).count()
            // given a 300-row file whose row 151 (data row 150) has a bad phone
            let bad = try await t.api(.POST, "/api/v1/members/import", token: token, raw: Self.memberCSV(rows: 300, badRow: 150), contentType: HTTPMediaType(type: "text", subType: "csv"))
            #expect(bad.status == .unprocessableEntity)
            let rows = try #require(((try bad.json())["error"] as? [String: Any])?["rows"] as? [[String: Any]])
            #expect(rows.count == 1)
            #expect(rows[0]["row"] as? Int == 151)
            #expect(rows[0]["column"] as? String == "手机号")
            #expect(rows[0]["message"] as? String == "手机号格式不正确，应为11位手机号")
            #expect(try await MemberModel.query(on: t.db).count() == before, "all or nothing")
            // when the file is fixed
            let good = try await t.api(.POST, "/api/v1/members/import", token: token, raw: Self.memberCSV(rows: 300), contentType: HTTPMediaType(type: "text", subType: "csv"))
            #expect(good.status == .ok)
            #expect(try good.content.decode(ImportResult.self).imported == 300)
            #expect(try await MemberModel.query(on: t.db).count() == before + 300)
            let g2 = try await t.org("ZR-B03-G2")
            #expect(try await MemberModel.query(on: t.db).filter(\.$group.$id == g2.id!).filter(\.$name == "导入党员1").count() == 1)
            #expect(try await AuditEntryModel.query(on: t.db).filter(\.$action == "import").count() == 300)
            // rows written in bulk read back like a member saved through the form (R-2: with its audit entry)
            let m = try #require(try await MemberModel.query(on: t.db).filter(\.$name == "导入党员10").first())
            let b03 = try await t.org("ZR-B03"), g1 = try await t.org("ZR-B03-G1")
            #expect(m.gender == "female" && m.birthDate == "1980-01-11" && m.status == "activist" && m.joinDate == nil)
            #expect(m.phone == "13900000010" && m.retired == false && m.hardship == false && m.$group.id == g1.id)
            #expect(m.orgPath == g1.path && m.$org.id == b03.id)
            #expect(m.createdAt == t.app.clock.now() && m.updatedAt == t.app.clock.now())
            let e = try #require(try await AuditEntryModel.query(on: t.db).filter(\.$action == "import").filter(\.$entityID == m.idString).first())
            #expect(e.entityType == "member" && e.entityLabel == "导入党员10" && e.note == "批量导入" && e.before == nil)
            #expect(e.orgID == m.$org.id && e.orgPath == m.orgPath && e.at == t.app.clock.now() && e.actorName.contains("jiguan"))
            #expect(e.after == Audit.json(MemberDTO.snapshot(m)))
            #expect(m.id!.uuid.6 >> 4 == 7 && e.id!.uuid.6 >> 4 == 7, "imported rows carry time-ordered ids")
        }
    }

    @Test func aFileFullOfErrorsReportsTheFirstThousandInRowOrder() async throws {
        try await withTestApp { t in
            let token = try await t.token("jiguan")
            let before = try await MemberModel.query(on: t.db).count()
            var csv = Self.memberCSV(rows: 2_400)
            csv = csv.replacingOccurrences(of: ",139", with: ",9")       // every phone too short
            let bad = try await t.api(.POST, "/api/v1/members/import", token: token, raw: csv, contentType: HTTPMediaType(type: "text", subType: "csv"))
            #expect(bad.status == .unprocessableEntity)
            let rows = try #require(((try bad.json())["error"] as? [String: Any])?["rows"] as? [[String: Any]])
            #expect(rows.count == 1_001)
            #expect(rows.prefix(1_000).map { $0["row"] as? Int } == (2...1_001).map { Optional($0) }, "the first thousand, in file order")
            #expect(rows.last?["message"] as? String == "错误过多，仅显示前1000处")
            #expect(try await MemberModel.query(on: t.db).count() == before)
        }
    }

    @Test func bulkIDsAreVersion7AndFollowOneAnotherAsStoredText() {
        var gen = TimeOrderedIDs(now: Date(timeIntervalSince1970: 1_796_000_000.123))
        let ids = (0..<70_000).map { _ in gen.next() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.uuid.6 >> 4 == 7 && $0.uuid.8 >> 6 == 0b10 }, "RFC 9562 version and variant")
        #expect(ids[0].uuidString.hasPrefix("01A229F1-287B-7000-8000-"), "the timestamp in milliseconds first, then the counter")
        // SQLite stores them as upper-case text, PostgreSQL as bytes: both orders are the order made
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0.uuidString < $1.uuidString })
        var other = TimeOrderedIDs(now: Date(timeIntervalSince1970: 1_796_000_000.124))
        #expect(other.next().uuidString > ids.last!.uuidString, "a later batch sorts after")
    }

    @Test func idsWrittenByteByByteAreFoundationsText() {
        for u in [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
            + (0..<2_000).map({ _ in UUID() }) {
            #expect(u.text() == u.uuidString)
            #expect(u.text(lowercase: true) == u.uuidString.lowercased())
        }
    }

    @Test func rowsWrittenInBulkReadBackAsFluentWritesThemAndAFailingRowKeepsNothing() async throws {
        try await withTestApp { t in
            let b03 = try await t.org("ZR-B03")
            let before = try await MemberModel.query(on: t.db).count()
            let at = Date(timeIntervalSince1970: 1_796_000_000.25)
            let ids = (0..<4_100).map { _ in UUID() }      // on PostgreSQL three statements of 2,000 rows
            @Sendable func row(_ i: Int, _ id: UUID) -> BulkInsert.Row {
                [.uuid(id), .text(["", "张三", "emoji 🇨🇳 \"引号\"\n换行", "x"][i % 4]), .text("female"), .text(nil), .text("full"), .text("2010-07-01"),
                 .uuid(b03.id!), .text(b03.path), .uuid(nil), .text(i % 3 == 0 ? nil : "组织委员"), .text(""), .bool(i % 2 == 0), .bool(false), .date(at), .date(at)]
            }
            let rows = ids.enumerated().map { row($0, $1) }
            try await t.db.transaction { db in try await BulkInsert.rows(db, into: MemberModel.schema, columns: BulkInsert.memberColumns, rows) }
            #expect(try await MemberModel.query(on: t.db).count() == before + ids.count)
            for i in [0, 1, 2, 3, 4_099] {
                let m = try #require(try await MemberModel.find(ids[i], on: t.db))
                #expect(m.name == ["", "张三", "emoji 🇨🇳 \"引号\"\n换行", "x"][i % 4])
                #expect(m.birthDate == nil && m.joinDate == "2010-07-01" && m.$org.id == b03.id && m.orgPath == b03.path && m.$group.id == nil)
                #expect(m.post == (i % 3 == 0 ? nil : "组织委员") && m.phone == "" && m.retired == (i % 2 == 0) && !m.hardship)
                #expect(m.createdAt == at && m.updatedAt == at)
            }
            // a row the database refuses (a repeated id) in the last chunk: the transaction keeps none of them
            let more = (0..<2_500).map { _ in UUID() } + [ids[7]]
            let moreRows = more.enumerated().map { row($0, $1) }
            await #expect(throws: (any Error).self) {
                try await t.db.transaction { db in try await BulkInsert.rows(db, into: MemberModel.schema, columns: BulkInsert.memberColumns, moreRows) }
            }
            #expect(try await MemberModel.query(on: t.db).count() == before + ids.count)
            #expect(try await MemberModel.find(more[0], on: t.db) == nil)
        }
    }

    @Test func everyRowNamingAnOrgAlreadyRefusedIsReportedToo() async throws {
        // a (branch, group) pair is placed once per import; each row that names it gets the verdict
        try await withTestApp { t in
            let token = try await t.token("zhibu")
            let before = try await MemberModel.query(on: t.db).count()
            var lines = ["姓名,性别,政治面貌,入党日期,所在支部编码,党小组编码"]
            for i in 0..<6 {
                let (org, group) = [("ZR-B01", ""), ("ZR-B02", ""), ("NO-SUCH", ""), ("ZR-B01", "ZR-B03-G1"), ("ZR-B01", ""), ("ZR-B02", "")][i]
                lines.append("张\(i),男,正式党员,2010-01-01,\(org),\(group)")
            }
            lines.append(lines[3].replacingOccurrences(of: "张2", with: "张6"))
            lines.append(lines[4].replacingOccurrences(of: "张3", with: "张7"))
            let res = try await t.api(.POST, "/api/v1/members/import", token: token, raw: lines.joined(separator: "\n"), contentType: HTTPMediaType(type: "text", subType: "csv"))
            #expect(res.status == .unprocessableEntity)
            let rows = try #require(((try res.json())["error"] as? [String: Any])?["rows"] as? [[String: Any]])
            let found = rows.map { "\($0["row"] as? Int ?? 0) \($0["message"] as? String ?? "")" }
            let mismatch = "“\(try await t.org("ZR-B03-G1").name)”不是“\(try await t.org("ZR-B01").name)”下的党小组"
            #expect(found == ["3 “国土空间规划科党支部”不在您的管理范围内", "4 所在支部“NO-SUCH”不存在", "5 \(mismatch)",
                              "7 “国土空间规划科党支部”不在您的管理范围内", "8 所在支部“NO-SUCH”不存在", "9 \(mismatch)"], "\(found)")
            #expect(try await MemberModel.query(on: t.db).count() == before)
        }
    }

    @Test func importPageListsEveryBadRowWithColumnAndReason() async throws {
        try await withTestApp { t in
            let b = try await t.login("zhibu")
            try await b.get("/members/import")
            let csv = "姓名,性别,政治面貌,入党日期,所在支部编码\n张三,男,正式党员,2010-01-01,ZR-B01\n,男,正式党员,2010-01-01,ZR-B01\n李四,女,党员,,ZR-B01\n王五,女,群众,,ZR-B02\n"
            let res = try await b.upload("/members/import", filename: "members.csv", data: Data(csv.utf8))
            #expect(res.status == .unprocessableEntity)
            let html = res.body.string
            #expect(html.contains("第 3 行"))
            #expect(html.contains("姓名不能为空"))
            #expect(html.contains("第 4 行"))
            #expect(html.contains("政治面貌应为"))
            #expect(html.contains("第 5 行"))
            #expect(html.contains("“国土空间规划科党支部”不在您的管理范围内"))
            #expect(try await MemberModel.query(on: t.db).filter(\.$name == "张三").count() == 0)
        }
    }

    @Test func orgImportPlacesChildrenWhoseParentComesLaterInTheFile() async throws {
        try await withTestApp { t in
            let token = try await t.token("admin")
            let csv = """
            组织编码,组织名称,组织类型,上级组织编码,本届开始日期,任期(年),书记
            NEW-B1-G1,第一党小组,党小组,NEW-B1,,,
            NEW-B1,新建党支部,党支部,NEW-OC,2024-05-01,3,赵六
            NEW-OC,新单位机关党委,机关党委,JZ-SZGW,2022-05-01,5,钱七
            """
            let res = try await t.api(.POST, "/api/v1/orgs/import", token: token, raw: csv, contentType: HTTPMediaType(type: "text", subType: "csv"))
            #expect(res.status == .ok, "\(res.body.string)")
            let group = try await t.org("NEW-B1-G1")
            let branch = try await t.org("NEW-B1")
            #expect(group.parentID == branch.id)
            #expect(group.path.hasPrefix(branch.path))
            #expect(branch.termYears == 3)
        }
    }

    @Test func orgImportRejectsCyclesDuplicatesAndUnknownParents() async throws {
        try await withTestApp { t in
            let token = try await t.token("admin")
            let csv = """
            组织编码,组织名称,组织类型,上级组织编码
            A1,甲,党支部,A2
            A2,乙,党总支,A1
            ZR-B01,重复,党支部,ZR-JGDW
            C1,丙,党支部,NOPE
            """
            let res = try await t.api(.POST, "/api/v1/orgs/import", token: token, raw: csv, contentType: HTTPMediaType(type: "text", subType: "csv"))
            #expect(res.status == .unprocessableEntity)
            let msgs = res.body.string
            #expect(msgs.contains("循环引用"))
            #expect(msgs.contains("已存在于系统中"))
            #expect(msgs.contains("在文件和系统中都不存在"))
            #expect(try await OrgModel.query(on: t.db).filter(\.$code == "A1").count() == 0)
        }
    }

    @Test func xlsxExportOpensAndImportsBack() async throws {
        try await withTestApp { t in
            let b = try await t.login("zhibu")
            let res = try await b.get("/members/export.xlsx")
            #expect(res.status == .ok)
            #expect(res.headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(res.headers.first(name: .contentDisposition)?.contains("filename*=UTF-8''") == true)
            let table = try XLSX.read(Data(buffer: res.body))
            #expect(table.rows.count == 13, "header + the 12 members of 办公室党支部")
            #expect(table.rows[0].prefix(3) == ["姓名", "性别", "出生日期"])
            // editing names and importing the export again adds the same people (round trip of the columns)
            var rows = table.rows
            for i in 1..<rows.count { rows[i][0] = rows[i][0] + "乙" }
            let again = try await ImportExport.importMembers(SheetTable(rows: rows), ctx: Commands.ctx(t.app))
            #expect(again == 12)
        }
    }

    @Test func templatesDownloadAsRealFiles() async throws {
        try await withTestApp { t in
            let b = try await t.login("admin")
            let x = try await b.get("/members/template.xlsx")
            let table = try XLSX.read(Data(buffer: x.body))
            #expect(table.rows[0].first == "姓名*")
            let c = try await b.get("/orgs/template.csv")
            #expect(c.body.string.hasPrefix("\u{FEFF}组织编码*"))
        }
    }

    @Test func garbageUploadIsA400NotA500() async throws {
        try await withTestApp { t in
            let token = try await t.token("admin")
            var bytes = Data([0x50, 0x4B, 0x03, 0x04]); bytes.append(Data(repeating: 0x41, count: 100))
            let res = try await t.api(.POST, "/api/v1/members/import", token: token, raw: String(decoding: bytes, as: UTF8.self), contentType: .binary)
            #expect(res.status == .badRequest)
            #expect(res.errorFields["file"] != nil)
            let empty = try await t.api(.POST, "/api/v1/members/import", token: token, raw: "", contentType: .binary)
            #expect(empty.status == .badRequest)
        }
    }
}

@Suite struct ImportReportTests {
    @Test func anUnknownBranchIsReportedTogetherWithTheRowsOtherErrors() async throws {
        try await withTestApp { t in
            let table = SheetTable(rows: [["姓名", "性别", "政治面貌", "所在支部编码"], ["", "男", "正式党员", "NO-SUCH"]])
            do {
                _ = try await ImportExport.importMembers(table, ctx: Commands.ctx(t.app))
                Issue.record("imported a bad row")
            } catch AppError.importRejected(let rows) {
                #expect(rows.contains(RowError(row: 2, column: "姓名", message: "姓名不能为空")))
                #expect(rows.contains(RowError(row: 2, column: "所在支部编码", message: "所在支部“NO-SUCH”不存在")))
            }
        }
    }
}
