import Vapor
import Fluent
import Domain

/// 双报到: communities, the 共建协议 that pair branches or units with them, and
/// members' service records with the monthly 2-hour check.
enum CommunityService {
    /// Communities registered in the user's scope, and those paired with an org in it.
    static func list(ctx: Ctx) async throws -> [CommunityModel] {
        let roots = ctx.scope.roots(for: .readRecords)
        let paired = try await PairingModel.query(on: ctx.db).inScope(roots, path: \.$orgPath).all().map(\.communityID)
        let q = CommunityModel.query(on: ctx.db)
        if let roots {
            q.group(.or) { g in
                g.filter(\.$id ~~ paired)
                for r in roots { g.filter(\.$orgPath, .custom("LIKE"), r + "%") }
            }
        }
        return try await q.sort(\.$name).all()
    }

    /// Communities are public names (residents pick them on the public form); what may be
    /// done with one is checked by each action.
    static func find(_ id: String, ctx: Ctx) async throws -> CommunityModel {
        let uuid = try id.uuid(or: "社区不存在")
        guard let c = try await CommunityModel.find(uuid, on: ctx.db) else { throw AppError.notFound("社区不存在") }
        guard ctx.scope.allows(.readRecords) else { throw await ctx.deny("无权访问：您的角色不能查看社区共建", entity: "community", id: c.idString, label: c.name) }
        return c
    }

    /// A community registered by the org that keeps its contacts (a committee or a unit).
    static func create(_ f: [String: String], ctx: Ctx) async throws -> CommunityModel {
        var e = FieldErrors()
        let name = Check.required(f["name"], "name", "社区名称", max: 50, into: &e)
        let street = Check.optional(f["street"], "street", "所属街道", max: 50, into: &e)
        let contact = Check.optional(f["contact"], "contact", "联系人", max: 30, into: &e)
        let phone = Check.optional(f["phone"], "phone", "联系电话", max: 20, into: &e)
        if (f["org"] ?? "").trimmingSpaces.isEmpty { e.add("org", "请选择登记单位") }
        guard e.isEmpty, let name else { throw AppError.validation(e) }
        let org = try await OrgService.find(f["org"]!.trimmingSpaces, ctx: ctx, for: .handleDemands)
        if try await CommunityModel.query(on: ctx.db).filter(\.$name == name).first() != nil {
            throw AppError.conflict("已有名为“\(name)”的社区", field: "name")
        }
        let c = CommunityModel()
        c.id = UUID(); c.name = name; c.street = street; c.contact = contact; c.phone = phone; c.orgID = org.id!; c.orgPath = org.path; c.createdAt = ctx.now
        try await ctx.db.transaction { db in
            try await c.create(on: db)
            try await ctx.audit(on: db, "create", "community", id: c.idString, label: name, orgID: org.id, orgPath: org.path,
                                after: ["name": name, "street": street ?? "", "contact": contact ?? ""])
        }
        return c
    }

    static func pairings(_ c: CommunityModel, on db: any Database) async throws -> [PairingModel] {
        try await PairingModel.query(on: db).filter(\.$communityID == c.id!).sort(\.$signedOn).all()
    }

    /// 共建协议: a branch or unit in the user's scope signs with the community.
    static func pair(_ c: CommunityModel, _ f: [String: String], ctx: Ctx) async throws -> PairingModel {
        var e = FieldErrors()
        let signed = Check.date(f["signedOn"], "signedOn", "签订日期", required: true, notAfter: ctx.today, into: &e)
        let content = Check.required(f["content"], "content", "共建内容", max: 2000, into: &e)
        if (f["org"] ?? "").trimmingSpaces.isEmpty { e.add("org", "请选择签订协议的党组织") }
        guard e.isEmpty, let signed, let content else { throw AppError.validation(e) }
        let org = try await OrgService.find(f["org"]!.trimmingSpaces, ctx: ctx, for: .writeRecords)
        if try await PairingModel.query(on: ctx.db).filter(\.$communityID == c.id!).filter(\.$orgID == org.id!).first() != nil {
            throw AppError.conflict("\(org.name)已与\(c.name)签订共建协议", field: "org")
        }
        let p = PairingModel()
        p.id = UUID(); p.communityID = c.id!; p.orgID = org.id!; p.orgPath = org.path; p.orgName = org.name
        p.signedOn = signed.iso; p.content = content; p.active = true; p.createdAt = ctx.now
        try await ctx.db.transaction { db in
            try await p.create(on: db)
            try await ctx.audit(on: db, "create", "pairing", id: p.idString, label: "\(org.name)—\(c.name)", orgID: org.id, orgPath: org.path,
                                after: ["community": c.name, "signedOn": signed.iso, "content": content])
        }
        return p
    }
}
