import Vapor
import Fluent
import Domain

struct UserAPIController {
    func list(_ req: Request) async throws -> ListResponse<UserDTO> {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        let paging = try Paging(req, defaultPer: 50)
        let (rows, total) = try await UserService.list(ctx: ctx, q: try? req.query.get(String.self, at: "q"), paging: paging)
        return ListResponse(items: rows.map { UserDTO($0, grants: $0.grants) }, total: total, page: paging.page, per: paging.per)
    }

    func get(_ req: Request) async throws -> UserDTO {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        let u = try await UserService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return UserDTO(u, grants: u.grants)
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        let body = try req.content.decode(UserCreateRequest.self)
        let u = try await UserService.create(body.fields, ctx: ctx)
        return try await UserDTO(u, grants: u.grants).encodeResponse(status: .created, for: req)
    }

    func update(_ req: Request) async throws -> UserDTO {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        let u = try await UserService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let body = try req.content.decode(UserPatchRequest.self)
        let out = try await UserService.update(u, body.fields, ctx: ctx)
        return UserDTO(out, grants: out.grants)
    }

    func addGrant(_ req: Request) async throws -> UserDTO {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        let u = try await UserService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let body = try req.content.decode(GrantRequest.self)
        let out = try await UserService.addGrant(u, role: body.role, org: body.orgId, ctx: ctx)
        return UserDTO(out, grants: out.grants)
    }

    func removeGrant(_ req: Request) async throws -> UserDTO {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        let u = try await UserService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let out = try await UserService.removeGrant(u, grantID: req.parameters.get("grantId") ?? "", ctx: ctx)
        return UserDTO(out, grants: out.grants)
    }
}
