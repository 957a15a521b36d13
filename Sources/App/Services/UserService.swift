import Vapor
import Fluent
import Domain

/// Users and their scoped role grants. Officers manage users inside their subtree and may
/// grant only roles below their own.
enum UserService {
    static func find(_ id: String, ctx: Ctx) async throws -> UserModel {
        let uuid = try id.uuid(or: "用户不存在")
        guard let u = try await UserModel.query(on: ctx.db).filter(\.$id == uuid).with(\.$grants, { $0.with(\.$org) }).first() else {
            throw AppError.notFound("用户不存在")
        }
        guard visible(u, ctx: ctx) else {
            throw await ctx.deny("无权操作：该用户不在您的管理范围内", entity: "user", id: u.idString, label: u.username,
                                 orgPath: u.grants.first?.org.path)
        }
        return u
    }

    /// A manager may see and change a user only when they could have granted every one of the
    /// user's roles themselves: inside their subtree and below their own level. So nobody
    /// resets the password of a peer or of someone above them; a user without grants is the admin's.
    static func visible(_ u: UserModel, ctx: Ctx) -> Bool {
        if ctx.scope.isAdmin { return true }
        guard ctx.scope.allows(.manageUsers), !u.grants.isEmpty else { return false }
        return u.grants.allSatisfy { g in g.roleValue.map { ctx.scope.mayGrant($0, at: g.org.path) } ?? false }
    }

    static func list(ctx: Ctx, q: String?, paging: Paging) async throws -> ([UserModel], Int) {
        guard ctx.scope.allows(.manageUsers) else { throw await ctx.deny("无权查看用户", entity: "user") }
        let query = UserModel.query(on: ctx.db).with(\.$grants, { $0.with(\.$org) }).sort(\.$username)
        if let q = q?.trimmingSpaces, !q.isEmpty {
            guard q.unicodeScalars.count <= 50 else { throw AppError.badRequest("搜索内容不能超过50个字", field: "q") }
            query.group(.or) { $0.filter(\.$username, .contains(inverse: false, .anywhere), q).filter(\.$displayName, .contains(inverse: false, .anywhere), q) }
        }
        // Visibility depends on every grant's path, so filter in memory; user counts are small.
        let all = try await query.all().filter { visible($0, ctx: ctx) }
        let page = Array(all.dropFirst(paging.offset).prefix(paging.per))
        return (page, all.count)
    }

    static func validatePassword(_ p: String?, field: String = "password", into e: inout FieldErrors) -> String? {
        guard let p, !p.isEmpty else { e.add(field, "密码不能为空"); return nil }
        if p.count < 8 { e.add(field, "密码至少8位"); return nil }
        if p.utf8.count > 72 { e.add(field, "密码不能超过72个字节（约24个汉字或72个字母）"); return nil }
        let hasLetter = p.contains { $0.isLetter }, hasDigit = p.contains { $0.isNumber }
        if !(hasLetter && hasDigit) { e.add(field, "密码须同时包含字母和数字"); return nil }
        return p
    }

    /// Creates a user with one first grant.
    static func create(_ f: [String: String], ctx: Ctx) async throws -> UserModel {
        var e = FieldErrors()
        let username = Check.required(f["username"], "username", "用户名", max: 32, into: &e)
        if let u = username, !u.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
            e.add("username", "用户名只能包含字母、数字和 . _ -")
        }
        let display = Check.required(f["displayName"], "displayName", "姓名", max: 30, into: &e)
        let password = validatePassword(f["password"], into: &e)
        let role = f["role"].flatMap { Role(rawValue: $0) ?? Role(label: $0) }
        if role == nil { e.add("role", "请选择角色") }
        let orgRef = Check.required(f["org"], "org", "授权组织", max: 64, into: &e)
        guard e.isEmpty, let username, let display, let password, let role, let orgRef else { throw AppError.validation(e) }
        guard let org = try await OrgService.resolve(orgRef, on: ctx.db) else { throw AppError.validation(FieldErrors("org", "授权组织不存在")) }
        try await checkGrant(role, on: org, ctx: ctx)
        // the linked member must belong to the granted org, so a link never widens what the account reads
        var memberID: UUID?
        if let mid = f["memberId"]?.trimmingSpaces, !mid.isEmpty {
            guard let u = UUID(uuidString: mid), let m = try await MemberModel.find(u, on: ctx.db), m.orgPath.hasPrefix(org.path) else {
                throw AppError.validation(FieldErrors("memberId", "关联的党员须属于“\(org.name)”"))
            }
            memberID = u
        }
        if try await UserModel.query(on: ctx.db).filter(\.$username == username).count() > 0 {
            throw AppError.conflict("用户名“\(username)”已被使用", field: "username")
        }
        let u = UserModel()
        u.id = UUID(); u.username = username; u.displayName = display; u.active = true; u.memberID = memberID
        u.passwordHash = try await hash(password)
        let g = RoleGrantModel()
        g.$user.id = u.id!; g.role = role.rawValue; g.$org.id = org.id!
        try await ctx.db.transaction { db in
            try await u.create(on: db)
            try await g.create(on: db)
            try await ctx.audit(on: db, "create", "user", id: u.idString, label: u.username, orgID: org.id, orgPath: org.path,
                                after: ["username": username, "displayName": display, "role": role.rawValue, "org": org.name])
        }
        return try await find(u.idString, ctx: ctx)
    }

    static func checkGrant(_ role: Role, on org: OrgModel, ctx: Ctx) async throws {
        guard ctx.scope.mayGrant(role, at: org.path) else {
            throw await ctx.deny("无权在“\(org.name)”授予\(role.label)角色", entity: "user", label: role.label, orgPath: org.path)
        }
        guard role.grantableOn.contains(org.orgType) else {
            throw AppError.validation(FieldErrors("org", "\(role.label)角色不能授予在\(org.orgType.label)上"))
        }
    }

    static func update(_ u: UserModel, _ f: [String: String], ctx: Ctx) async throws -> UserModel {
        var e = FieldErrors()
        let before = ["displayName": u.displayName, "active": String(u.active)]
        if let d = f["displayName"] { if let v = Check.required(d, "displayName", "姓名", max: 30, into: &e) { u.displayName = v } }
        if let a = f["active"] { u.active = Check.bool(a) }
        var pwChanged = false
        if let p = f["password"], !p.isEmpty {
            if let v = validatePassword(p, into: &e) { u.passwordHash = try await hash(v); pwChanged = true }
        }
        guard e.isEmpty else { throw AppError.validation(e) }
        if u.id == ctx.user.id && !u.active { throw AppError.validation(FieldErrors("active", "不能停用自己的账号")) }
        let stopsAnAdmin = !u.active && u.grants.contains(where: { $0.roleValue == .admin })
        let changedPassword = pwChanged
        try await ctx.db.transaction { db in
            try await u.update(on: db)
            // checked after the write, inside the transaction, so two admins stopping each other cannot both pass
            if stopsAnAdmin, try await activeAdmins(on: db) == 0 {
                throw AppError.validation(FieldErrors("active", "这是系统中最后一个系统管理员，不能停用"))
            }
            if !u.active || changedPassword { try await UserTokenModel.query(on: db).filter(\.$user.$id == u.id!).delete() }
            try await ctx.audit(on: db, changedPassword ? "password" : "update", "user", id: u.idString, label: u.username, orgID: nil, orgPath: nil,
                                before: before, after: ["displayName": u.displayName, "active": String(u.active)])
        }
        return try await find(u.idString, ctx: ctx)
    }

    static func addGrant(_ u: UserModel, role roleText: String?, org orgRef: String?, ctx: Ctx) async throws -> UserModel {
        guard let r = roleText.flatMap({ Role(rawValue: $0) ?? Role(label: $0) }) else { throw AppError.validation(FieldErrors("role", "请选择角色")) }
        guard let ref = orgRef?.trimmingSpaces, !ref.isEmpty else { throw AppError.validation(FieldErrors("org", "请选择授权组织")) }
        guard let org = try await OrgService.resolve(ref, on: ctx.db) else { throw AppError.validation(FieldErrors("org", "授权组织不存在")) }
        try await checkGrant(r, on: org, ctx: ctx)
        if u.grants.contains(where: { $0.role == r.rawValue && $0.$org.id == org.id }) {
            throw AppError.conflict("该用户已在“\(org.name)”拥有\(r.label)角色", field: "role")
        }
        let g = RoleGrantModel()
        g.$user.id = u.id!; g.role = r.rawValue; g.$org.id = org.id!
        try await ctx.db.transaction { db in
            try await g.create(on: db)
            try await ctx.audit(on: db, "grant", "user", id: u.idString, label: u.username, orgID: org.id, orgPath: org.path,
                                after: ["role": r.rawValue, "org": org.name])
        }
        return try await find(u.idString, ctx: ctx)
    }

    static func removeGrant(_ u: UserModel, grantID: String, ctx: Ctx) async throws -> UserModel {
        guard let gid = UUID(uuidString: grantID), let g = u.grants.first(where: { $0.id == gid }) else { throw AppError.notFound("授权不存在") }
        guard ctx.scope.mayGrant(g.roleValue ?? .admin, at: g.org.path) else {
            throw await ctx.deny("无权收回该角色", entity: "user", id: u.idString, label: u.username, orgPath: g.org.path)
        }
        if u.id == ctx.user.id { throw AppError.conflict("不能收回自己的角色，请联系其他管理员") }
        if u.grants.count == 1 { throw AppError.conflict("这是该用户唯一的角色；如需禁止登录，请停用账号") }
        try await ctx.db.transaction { db in
            try await g.delete(on: db)
            if g.roleValue == .admin, try await activeAdmins(on: db) == 0 {
                throw AppError.conflict("这是系统中最后一个系统管理员角色，不能收回")
            }
            try await ctx.audit(on: db, "revoke", "user", id: u.idString, label: u.username, orgID: g.$org.id, orgPath: g.org.path,
                                before: ["role": g.role, "org": g.org.name])
        }
        return try await find(u.idString, ctx: ctx)
    }

    /// Admin grants held by active users.
    static func activeAdmins(on db: any Database) async throws -> Int {
        try await RoleGrantModel.query(on: db).filter(\.$role == Role.admin.rawValue)
            .join(UserModel.self, on: \RoleGrantModel.$user.$id == \UserModel.$id).filter(UserModel.self, \.$active == true).count()
    }

    /// bcrypt, off the event loop.
    static func hash(_ password: String) async throws -> String {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async { c.resume(with: Result { try Bcrypt.hash(password, cost: bcryptCost) }) }
        }
    }

    static func verify(_ password: String, hash: String) async -> Bool {
        await withCheckedContinuation { c in
            DispatchQueue.global().async { c.resume(returning: (try? Bcrypt.verify(password, created: hash)) ?? false) }
        }
    }

    /// bcrypt cost 12 in production; BCRYPT_COST overrides it (the test suite uses 4 to stay fast).
    static let bcryptCost: Int = {
        if let v = Environment.get("BCRYPT_COST").flatMap(Int.init), (4...16).contains(v) { return v }
        return ProcessInfo.processInfo.processName.contains("PackageTests") ? 4 : 12
    }()
}
