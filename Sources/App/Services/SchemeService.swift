import Vapor
import Fluent
import Domain

/// Rating schemes as data (DOMAIN §2): the built-in Nanyang scheme, copies for a county,
/// and edits that make a new version, so rating years bound to an older one are unchanged.
enum SchemeService {
    static func find(_ id: String, on db: any Database) async throws -> SchemeModel {
        let uuid = try id.uuid(or: "评星方案不存在")
        guard let s = try await SchemeModel.find(uuid, on: db) else { throw AppError.notFound("评星方案不存在") }
        return s
    }

    /// Every version, newest first within a family.
    static func all(on db: any Database) async throws -> [SchemeModel] {
        try await SchemeModel.query(on: db).sort(\.$builtin, .descending).sort(\.$name).sort(\.$version, .descending).all()
    }

    /// The newest version of each family.
    static func latest(on db: any Database) async throws -> [SchemeModel] {
        var seen = Set<UUID>()
        return try await all(on: db).filter { seen.insert($0.familyID).inserted }
    }

    static func requireAdmin(_ ctx: Ctx) async throws {
        guard ctx.scope.allows(.manageSchemes) else { throw await ctx.deny("只有系统管理员可以维护评星方案", entity: "scheme") }
    }

    static func copy(_ source: SchemeModel, name: String, orgRef: String?, ctx: Ctx) async throws -> SchemeModel {
        try await requireAdmin(ctx)
        var e = FieldErrors()
        let n = Check.required(name, "name", "方案名称", max: 100, into: &e)
        var org: OrgModel?
        if let ref = orgRef?.trimmingSpaces, !ref.isEmpty {
            org = try await OrgService.resolve(ref, on: ctx.db)
            if org == nil { e.add("orgId", "组织不存在") } else if org?.orgType != .committee { e.add("orgId", "方案应属于一个党委/工委") }
        }
        if !e.isEmpty { throw AppError.validation(e) }
        var body = source.scheme
        body.name = n!
        let s = SchemeModel()
        s.id = UUID(); s.familyID = UUID(); s.version = 1; s.name = n!; s.orgID = org?.id; s.builtin = false
        s.body = SchemeModel.encode(body); s.createdBy = ctx.actor.name
        let owner = org
        try await ctx.db.transaction { db in
            try await s.create(on: db)
            try await ctx.audit(on: db, "create", "scheme", id: s.idString, label: n!, orgID: owner?.id, orgPath: owner?.path,
                                after: ["copiedFrom": "\(source.name) 第\(source.version)版"])
        }
        return s
    }

    /// Saves an edit as the next version of the family; the built-in scheme is read-only.
    static func update(_ current: SchemeModel, to body: RatingScheme, ctx: Ctx) async throws -> SchemeModel {
        try await requireAdmin(ctx)
        guard !current.builtin else { throw AppError.conflict("内置方案不能修改，请先复制为本地方案再编辑") }
        let newest = try await SchemeModel.query(on: ctx.db).filter(\.$familyID == current.familyID).sort(\.$version, .descending).first()!
        guard newest.id == current.id else { throw AppError.conflict("该方案已有更新的第\(newest.version)版，请在最新版本上修改", field: "version") }
        var b = body
        b.name = b.name.trimmingSpaces
        let e = b.validate()
        if !e.isEmpty { throw AppError.validation(e) }
        let s = SchemeModel()
        s.id = UUID(); s.familyID = current.familyID; s.version = current.version + 1; s.name = b.name; s.orgID = current.orgID
        s.builtin = false; s.body = SchemeModel.encode(b); s.createdBy = ctx.actor.name
        try await ctx.db.transaction { db in
            try await s.create(on: db)
            try await ctx.audit(on: db, "update", "scheme", id: s.idString, label: "\(s.name) 第\(s.version)版", orgID: s.orgID, orgPath: nil,
                                before: ["version": String(current.version)], after: ["version": String(s.version)])
        }
        return s
    }

    static func boundYears(_ s: SchemeModel, on db: any Database) async throws -> [RoundModel] {
        try await RoundModel.query(on: db).filter(\.$schemeID == s.id!).sort(\.$year).all()
    }
}
