import Vapor
import Fluent
import Domain

struct MemberAPIController {
    static func filter(_ req: Request) -> MemberService.Filter {
        MemberService.Filter(q: try? req.query.get(String.self, at: "q"), orgID: try? req.query.get(String.self, at: "orgId"),
                             status: try? req.query.get(String.self, at: "status"))
    }

    func list(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.readMembers, entity: "member")
        let paging = try Paging(req, defaultPer: 20)
        let filter = Self.filter(req), cache = req.application.viewCache
        @Sendable func page() async throws -> ListResponse<MemberDTO> {
            let (rows, total) = try await MemberService.list(ctx: ctx, filter: filter, paging: paging, cache: cache)
            // lists always mask personal data (DOMAIN §1)
            return ListResponse(items: rows.map { MemberDTO($0, orgName: $0.$org.value?.name, full: false) }, total: total, page: paging.page, per: paging.per)
        }
        return (filter.q ?? "").isEmpty ? try await req.keptJSON("members", ctx: ctx, page) : try await page().encodeResponse(for: req)
    }

    func get(_ req: Request) async throws -> MemberDTO {
        let ctx = try req.ctx()
        let m = try await MemberService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .readMembers)
        return MemberDTO(m, orgName: m.org.name, full: MemberService.mayReadDetails(m, ctx: ctx))
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.writeMembers, entity: "member")
        let body = try req.content.decode(MemberCreateRequest.self)
        let m = try await MemberService.create(body.fields, ctx: ctx)
        return try await MemberDTO(m, orgName: m.$org.value?.name, full: true).encodeResponse(status: .created, for: req)
    }

    func update(_ req: Request) async throws -> MemberDTO {
        let ctx = try req.ctx()
        let m = try await MemberService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeMembers)
        let body = try req.content.decode(MemberPatchRequest.self)
        let updated = try await MemberService.update(m, body.fields, ctx: ctx)
        let org = try await OrgModel.find(updated.$org.id, on: req.db)
        return MemberDTO(updated, orgName: org?.name, full: MemberService.mayReadDetails(updated, ctx: ctx))
    }

    func transfer(_ req: Request) async throws -> MemberDTO {
        let ctx = try req.ctx()
        let m = try await MemberService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeMembers)
        let body = try req.content.decode(MemberTransferRequest.self)
        let updated = try await MemberService.transfer(m, fields: body.fields, ctx: ctx)
        return MemberDTO(updated, orgName: updated.$org.value?.name, full: MemberService.mayReadDetails(updated, ctx: ctx))
    }

    func transfers(_ req: Request) async throws -> [TransferDTO] {
        let ctx = try req.ctx()
        let m = try await MemberService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .readMembers)
        return try await MemberService.transfers(m, on: req.db).map(TransferDTO.init)
    }

    func delete(_ req: Request) async throws -> HTTPStatus {
        let ctx = try req.ctx()
        let m = try await MemberService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeMembers)
        try await MemberService.delete(m, ctx: ctx)
        return .noContent
    }

    func export(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.readMembers, entity: "member")
        let table = try await ImportExport.exportMembers(ctx: ctx, filter: Self.filter(req))
        return try ImportExport.download(table, name: "党员名册", format: req.parameters.get("format") ?? "csv")
    }

    func importFile(_ req: Request) async throws -> ImportResult {
        let ctx = try req.ctx()
        try await req.require(.importData, entity: "member")
        let table = try ImportAPI.table(req)
        return ImportResult(imported: try await ImportExport.importMembers(table, ctx: ctx))
    }
}
