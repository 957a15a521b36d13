import Vapor
import Fluent
import Domain

struct OrgAPIController {
    func list(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.readOrgs, entity: "org")
        let paging = try Paging(req, defaultPer: 50)
        let text = ((try? req.query.get(String.self, at: "q")) ?? "").trimmingSpaces
        let type = (try? req.query.get(String.self, at: "type")) ?? "", status = (try? req.query.get(String.self, at: "status")) ?? ""
        let db = req.db
        @Sendable func page() async throws -> ListResponse<OrgDTO> {
            try await Self.list(ctx: ctx, db: db, text: text, type: type, status: status, paging: paging)
        }
        return text.isEmpty ? try await req.keptJSON("orgs", ctx: ctx, page) : try await page().encodeResponse(for: req)
    }

    private static func list(ctx: Ctx, db: any Database, text: String, type: String, status: String, paging: Paging) async throws -> ListResponse<OrgDTO> {
        let q = OrgModel.query(on: db).inScope(ctx.scope.roots(for: .readOrgs), path: \.$path)
        if !text.isEmpty {
            guard text.unicodeScalars.count <= 50 else { throw AppError.badRequest("搜索内容不能超过50个字", field: "q") }
            q.group(.or) { $0.filter(\.$name, .contains(inverse: false, .anywhere), text).filter(\.$code, .contains(inverse: false, .anywhere), text) }
        }
        if !type.isEmpty {
            guard OrgType(rawValue: type) != nil else { throw AppError.badRequest("组织类型筛选值无效", field: "type") }
            q.filter(\.$type == type)
        }
        if !status.isEmpty {
            guard OrgStatus(rawValue: status) != nil else { throw AppError.badRequest("状态筛选值无效", field: "status") }
            q.filter(\.$status == status)
        }
        let total = try await q.count(\.$path)     // on the path index, not row by row
        let items = try await q.sort(\.$path).offset(paging.offset).limit(paging.per).all()
        return ListResponse(items: items.map { OrgDTO($0, today: ctx.today) }, total: total, page: paging.page, per: paging.per)
    }

    func get(_ req: Request) async throws -> OrgDTO {
        let ctx = try req.ctx()
        return OrgDTO(try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .readOrgs), today: ctx.today)
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.writeOrgs, entity: "org")
        let body = try req.content.decode(OrgCreateRequest.self)
        let org = try await OrgService.create(body.fields, ctx: ctx)
        return try await OrgDTO(org, today: ctx.today).encodeResponse(status: .created, for: req)
    }

    func update(_ req: Request) async throws -> OrgDTO {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeOrgs)
        let body = try req.content.decode(OrgPatchRequest.self)
        return OrgDTO(try await OrgService.update(org, body.fields, ctx: ctx), today: ctx.today)
    }

    func move(_ req: Request) async throws -> OrgDTO {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeOrgs)
        let body = try req.content.decode(OrgMoveRequest.self)
        return OrgDTO(try await OrgService.move(org, to: body.parentId, ctx: ctx), today: ctx.today)
    }

    func close(_ req: Request) async throws -> OrgDTO {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeOrgs)
        return OrgDTO(try await OrgService.setStatus(org, .closed, ctx: ctx), today: ctx.today)
    }

    func reopen(_ req: Request) async throws -> OrgDTO {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeOrgs)
        return OrgDTO(try await OrgService.setStatus(org, .active, ctx: ctx), today: ctx.today)
    }

    func export(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.readOrgs, entity: "org")
        let format = req.parameters.get("format") ?? "csv"
        return try ImportExport.download(try await ImportExport.exportOrgs(ctx: ctx), name: "组织列表", format: format)
    }

    func importFile(_ req: Request) async throws -> ImportResult {
        let ctx = try req.ctx()
        try await req.require(.importData, entity: "org")
        try await req.require(.writeOrgs, entity: "org")
        let table = try ImportAPI.table(req)
        return ImportResult(imported: try await ImportExport.importOrgs(table, ctx: ctx))
    }
}

enum ImportAPI {
    /// The raw request body is the file (CSV or XLSX, told apart by content).
    static func table(_ req: Request) throws -> SheetTable {
        guard var buf = req.body.data, buf.readableBytes > 0 else { throw AppError.badRequest("请求体为空：请上传 CSV 或 XLSX 文件", field: "file") }
        let data = buf.readData(length: buf.readableBytes) ?? Data()
        do { return try Spreadsheet.read(data) } catch {
            throw AppError.badRequest(error.chineseMessage, field: "file")
        }
    }
}

extension SpreadsheetError {
    var chineseMessage: String {
        switch self {
        case .unreadable(let m): return m
        case .empty: return "文件是空的"
        }
    }
}
