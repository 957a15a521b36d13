import Vapor
import Domain

/// What one import page is about: its labels, where it posts, its template and columns.
struct ImportKind: Sendable {
    var label: String          // 组织 / 党员 / 市场主体评结果
    var listTitle: String
    var listURL: String
    var actionURL: String
    var templateURL: String    // without the extension
    var layout: ImportLayout
    var help: String?
    /// Hidden fields posted with the file (the year of a 市场主体评 import).
    var hidden: [String: String] = [:]

    static let orgs = ImportKind(label: "组织", listTitle: "组织架构", listURL: "/orgs", actionURL: "/orgs/import", templateURL: "/orgs/template",
                                 layout: ImportExport.orgLayout,
                                 help: "组织类型填：党委/工委、党组、机关党委、党总支、党支部、党小组；上级组织编码可以是本文件中的组织。")
    static let members = ImportKind(label: "党员", listTitle: "党员管理", listURL: "/members", actionURL: "/members/import", templateURL: "/members/template",
                                    layout: ImportExport.memberLayout,
                                    help: "政治面貌填：正式党员、预备党员、发展对象、入党积极分子、入党申请人、群众；日期写作 2024-07-01；是否退休/困难填“是”或“否”。")
    static func market(year: Int) -> ImportKind {
        ImportKind(label: "\(year)年度市场主体评结果", listTitle: "市场主体评", listURL: "/ratings/market?year=\(year)",
                   actionURL: "/ratings/market/import", templateURL: "/ratings/market/template", layout: MarketService.layout,
                   help: "每个被评科室/站所一行；“所属党支部”填党支部编码或全称，可留空（不参与星级限定）。再次导入同一年度会整体替换该年度的结果。",
                   hidden: ["year": String(year)])
    }
}

struct ImportPage: Encodable {
    struct Col: Encodable { var header: String; var required: Bool; var example: String }
    struct Hidden: Encodable { var name: String; var value: String }
    var meta: PageMeta
    var kindLabel: String
    var listURL: String
    var actionURL: String
    var templateURL: String
    var help: String?
    var hidden: [Hidden]
    var columns: [Col]
    var errors: [RowError]
    var imported: Int?
    var detail: String?
    var message: String?
}

/// The upload page shared by every import: all or nothing, each bad row listed with its column and reason.
enum ImportPages {
    struct Outcome { var rows: Int; var detail: String? = nil }

    static func page(_ req: Request, _ kind: ImportKind, errors: [RowError] = [], outcome: Outcome? = nil, message: String? = nil) async -> ImportPage {
        ImportPage(meta: await PageMeta.make(req, title: "批量导入\(kind.label)", crumbs: [(kind.listTitle, kind.listURL), ("批量导入", nil)]),
                   kindLabel: kind.label, listURL: kind.listURL, actionURL: kind.actionURL, templateURL: kind.templateURL, help: kind.help,
                   hidden: kind.hidden.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) },
                   columns: kind.layout.columns.map { .init(header: $0.header, required: $0.required, example: $0.example) },
                   errors: errors, imported: outcome?.rows, detail: outcome?.detail, message: message)
    }

    /// Reads the uploaded file (multipart field `file`), imports all or nothing, and shows each bad row.
    static func handle(_ req: Request, _ kind: ImportKind, run: (SheetTable) async throws -> Outcome) async throws -> Response {
        struct Upload: Content { var file: File? }
        let upload = try? req.content.decode(Upload.self)
        guard let file = upload?.file, file.data.readableBytes > 0 else {
            let v = try await req.view.render("import", await page(req, kind, message: "请选择要导入的 CSV 或 XLSX 文件"))
            return try await v.encodeResponse(status: .badRequest, for: req)
        }
        var buf = file.data
        let data = buf.readData(length: buf.readableBytes) ?? Data()
        do {
            let table: SheetTable
            do { table = try Spreadsheet.read(data) } catch {
                throw AppError.badRequest(error.chineseMessage, field: "file")
            }
            let outcome = try await run(table)
            return try await req.view.render("import", await page(req, kind, outcome: outcome)).encodeResponse(for: req)
        } catch let e as AppError {
            if case .forbidden = e { throw e }
            var rows: [RowError] = []
            if case .importRejected(let r) = e { rows = r }
            let v = try await req.view.render("import", await page(req, kind, errors: rows, message: e.message))
            return try await v.encodeResponse(status: e.status, for: req)
        }
    }
}
