import Vapor
import Fluent
import Domain

struct UserListPage: Encodable {
    struct Row: Encodable { var id: String; var username: String; var displayName: String; var roles: String; var active: Bool }
    var meta: PageMeta
    var rows: [Row]
    var pager: Pager
    var q: String
}

struct UserFormPage: Encodable {
    var meta: PageMeta
    var form: FormState
    var roles: [SelectOption]
    var orgs: [SelectOption]
}

struct UserDetailPage: Encodable {
    var meta: PageMeta
    var user: UserDTO
    var form: FormState
    var grantForm: FormState
    var roles: [SelectOption]
    var orgs: [SelectOption]
    var isSelf: Bool
}

struct UserPageController {
    func list(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        let paging = try Paging(req, defaultPer: 20)
        let q = (try? req.query.get(String.self, at: "q")) ?? ""
        let (rows, total) = try await UserService.list(ctx: ctx, q: q, paging: paging)
        let page = UserListPage(meta: await PageMeta.make(req, title: "用户与角色", crumbs: [("用户与角色", nil)]),
                                rows: rows.map { u in
                                    .init(id: u.idString, username: u.username, displayName: u.displayName,
                                          roles: u.grants.map { "\($0.roleValue?.label ?? $0.role)@\($0.org.name)" }.joined(separator: "；"), active: u.active)
                                },
                                pager: Pager(total: total, paging: paging, baseQuery: [("q", q)], path: "/users"), q: q)
        return try await req.view.render("users/list", page)
    }

    func options(_ ctx: Ctx, selectedRole: String?, selectedOrg: String?) async throws -> ([SelectOption], [SelectOption]) {
        let orgs = try await OrgService.all(ctx: ctx, includeClosed: false)
        let roles = Options.roles(selected: selectedRole) { r in orgs.contains { ctx.scope.mayGrant(r, at: $0.path) } }
        let orgOptions = Options.orgs(orgs, selected: selectedOrg) { ctx.scope.allows(.manageUsers, at: $0.path) }
        return (roles, orgOptions)
    }

    static let keys = ["username", "displayName", "password", "role", "org", "memberName"]

    func newForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        let (roles, orgs) = try await options(ctx, selectedRole: nil, selectedOrg: nil)
        return try await req.view.render("users/new", UserFormPage(meta: await PageMeta.make(req, title: "新建用户", crumbs: [("用户与角色", "/users"), ("新建用户", nil)]),
                                                                   form: FormState(keys: Self.keys), roles: roles, orgs: orgs))
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        var f = try req.formFields()
        do {
            if let name = f["memberName"]?.trimmingSpaces, !name.isEmpty {
                f["memberId"] = try await Self.memberID(named: name, inOrg: f["org"] ?? "", ctx: ctx)
            }
            let u = try await UserService.create(f, ctx: ctx)
            req.flash("已新建用户“\(u.username)”")
            return req.redirect(to: "/users/\(u.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            let (roles, orgs) = try await options(ctx, selectedRole: f["role"], selectedOrg: f["org"])
            f["password"] = ""
            let view = try await req.view.render("users/new", UserFormPage(meta: await PageMeta.make(req, title: "新建用户", crumbs: [("用户与角色", "/users"), ("新建用户", nil)]),
                                                                           form: FormState(values: f, errors: fe, keys: Self.keys), roles: roles, orgs: orgs))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    /// Links a user to a member by name inside the granted org's subtree.
    static func memberID(named name: String, inOrg orgRef: String, ctx: Ctx) async throws -> String {
        let db = ctx.db
        guard let org = try await OrgService.resolve(orgRef, on: db) else { throw AppError.validation(FieldErrors("org", "请选择授权组织")) }
        // look only inside the manager's own subtree, so the answer tells nothing about other units
        try await ctx.require(.manageUsers, at: org.path, entity: "org", id: org.idString, label: org.name)
        let found = try await MemberModel.query(on: db).filter(\.$name == name).filter(\.$orgPath, .contains(inverse: false, .prefix), org.path).all()
        guard found.count == 1 else {
            throw AppError.validation(FieldErrors("memberName", found.isEmpty ? "在“\(org.name)”中找不到名为“\(name)”的党员" : "“\(org.name)”中有\(found.count)名党员叫“\(name)”，请先在党员信息中区分"))
        }
        return found[0].idString
    }

    func detailPage(_ req: Request, ctx: Ctx, u: UserModel, form: FormState? = nil, grantForm: FormState? = nil) async throws -> UserDetailPage {
        let (roles, orgs) = try await options(ctx, selectedRole: grantForm?.values["role"], selectedOrg: grantForm?.values["org"])
        return UserDetailPage(meta: await PageMeta.make(req, title: u.displayName, crumbs: [("用户与角色", "/users"), (u.username, nil)]),
                              user: UserDTO(u, grants: u.grants),
                              form: form ?? FormState(values: ["displayName": u.displayName, "active": u.active ? "1" : ""], keys: ["displayName", "active", "password"]),
                              grantForm: grantForm ?? FormState(keys: ["role", "org"]), roles: roles, orgs: orgs, isSelf: u.id == ctx.user.id)
    }

    func show(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        let u = try await UserService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return try await req.view.render("users/show", try await detailPage(req, ctx: ctx, u: u))
    }

    func update(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        let u = try await UserService.find(req.parameters.get("id") ?? "", ctx: ctx)
        var f = try req.formFields()
        f["active"] = f["active"] ?? ""
        do {
            _ = try await UserService.update(u, f, ctx: ctx)
            req.flash("已保存用户“\(u.username)”")
            return req.redirect(to: "/users/\(u.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            f["password"] = ""
            let fresh = try await UserService.find(u.idString, ctx: ctx)
            let view = try await req.view.render("users/show", try await detailPage(req, ctx: ctx, u: fresh, form: FormState(values: f, errors: fe, keys: ["displayName", "active", "password"])))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func addGrant(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        let u = try await UserService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let f = try req.formFields()
        do {
            _ = try await UserService.addGrant(u, role: f["role"], org: f["org"], ctx: ctx)
            req.flash("已授予角色")
            return req.redirect(to: "/users/\(u.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            let view = try await req.view.render("users/show", try await detailPage(req, ctx: ctx, u: u, grantForm: FormState(values: f, errors: fe, keys: ["role", "org"])))
            return try await view.encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func removeGrant(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.manageUsers, entity: "user")
        let u = try await UserService.find(req.parameters.get("id") ?? "", ctx: ctx)
        do {
            _ = try await UserService.removeGrant(u, grantID: req.parameters.get("grantId") ?? "", ctx: ctx)
            req.flash("已收回角色")
        } catch let e as AppError where e.status == .conflict {
            req.flash(e.message, kind: "error")
        }
        return req.redirect(to: "/users/\(u.idString)")
    }
}
