import Vapor
import Fluent
import Domain

/// The demand workflow: a resident posts a need without logging in and follows it by
/// its tracking code; the community dispatches it to a paired unit, the unit accepts, a
/// member claims and finishes it, and the resident rates it with the same code. Each step
/// is decided by `DemandWorkflow`, saved with its step row and audit entry in one
/// transaction, guarded by the demand's version.
enum DemandService {
    static let codeAlphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")

    static func newCode() -> String { String((0..<10).map { _ in codeAlphabet.randomElement()! }) }

    static func normalize(_ code: String) -> String { code.trimmingSpaces.uppercased().replacingOccurrences(of: "-", with: "") }

    // MARK: communities and pairings

    static func publicCommunities(on db: any Database) async throws -> [CommunityModel] {
        try await CommunityModel.query(on: db).sort(\.$name).all()
    }

    static func community(_ id: UUID, on db: any Database) async throws -> CommunityModel {
        guard let c = try await CommunityModel.find(id, on: db) else { throw AppError.notFound("社区不存在") }
        return c
    }

    // MARK: finding

    static func find(_ id: String, ctx: Ctx) async throws -> DemandModel {
        let uuid = try id.uuid(or: "需求不存在")
        guard let d = try await DemandModel.find(uuid, on: ctx.db) else { throw AppError.notFound("需求不存在") }
        let c = try await community(d.communityID, on: ctx.db)
        let mine = try await isClaimableBy(d, ctx: ctx)
        guard ctx.scope.allows(.readRecords, at: c.orgPath) || (d.unitPath.map { ctx.scope.allows(.readRecords, at: $0) } ?? false) || mine else {
            throw await ctx.deny("无权查看：该需求不在您的管理范围内", entity: "demand", id: d.idString, label: d.title, orgPath: d.unitPath ?? c.orgPath)
        }
        return d
    }

    static func byCode(_ code: String, on db: any Database) async throws -> DemandModel {
        let c = normalize(code)
        guard c.count == 10, let d = try await DemandModel.query(on: db).filter(\.$code == c).first() else {
            throw AppError.notFound("没有找到该查询码对应的需求，请核对后再试")
        }
        return d
    }

    /// A member sees a need dispatched to their unit while it waits to be claimed, and the ones they claimed.
    static func isClaimableBy(_ d: DemandModel, ctx: Ctx) async throws -> Bool {
        guard let mid = ctx.user.memberID else { return false }
        if d.memberID == mid { return true }
        guard d.stateValue == .accepted, let unit = d.unitPath, let m = try await MemberModel.find(mid, on: ctx.db) else { return false }
        return m.orgPath.hasPrefix(unit)
    }

    /// The resident's phone and address: for the community's and the unit's handlers, and the member who claimed it.
    static func maySeeContact(_ d: DemandModel, community: CommunityModel, ctx: Ctx) -> Bool {
        ctx.scope.allows(.handleDemands, at: community.orgPath) || (d.unitPath.map { ctx.scope.allows(.handleDemands, at: $0) } ?? false)
            || (d.memberID != nil && d.memberID == ctx.user.memberID)
    }

    struct Filter { var state: DemandState?; var overdueOnly: Bool; var communityID: UUID? }

    /// Needs the user handles: of communities registered in their scope, or dispatched into it;
    /// a member without officer rights sees the needs waiting in their unit and their own.
    static func list(ctx: Ctx, filter: Filter, paging: Paging) async throws -> ([DemandModel], Int) {
        let q = DemandModel.query(on: ctx.db)
        if let roots = ctx.scope.roots(for: .readRecords) {   // nil: the admin sees every need
            let communities = roots.isEmpty ? [] : try await CommunityModel.query(on: ctx.db).inScope(roots, path: \.$orgPath).all().compactMap(\.id)
            let mid = ctx.user.memberID
            var unitPrefixes: [String] = []
            if let mid, let m = try await MemberModel.find(mid, on: ctx.db) {
                // the units above the member: every prefix of their org path
                let parts = m.orgPath.split(separator: "/").map(String.init)
                unitPrefixes = (1...max(1, parts.count)).map { "/" + parts.prefix($0).joined(separator: "/") + "/" }
            }
            q.group(.or) { g in
                g.filter(\.$code == "")   // matches nothing; keeps the group valid when nothing else applies
                if !communities.isEmpty { g.filter(\.$communityID ~~ communities) }
                for r in roots { g.filter(\.$unitPath, .custom("LIKE"), r + "%") }
                if let mid { g.filter(\.$memberID == mid) }
                if !unitPrefixes.isEmpty {
                    g.group(.and) { a in a.filter(\.$state == DemandState.accepted.rawValue).filter(\.$unitPath ~~ unitPrefixes) }
                }
            }
        }
        if let s = filter.state { q.filter(\.$state == s.rawValue) }
        if let c = filter.communityID { q.filter(\.$communityID == c) }
        if filter.overdueOnly { q.filter(\.$state ~~ [DemandState.posted, .dispatched, .accepted, .claimed].map(\.rawValue)) }
        let total = try await q.count()
        return (try await q.sort(\.$postedOn, .descending).sort(\.$createdAt, .descending).range(paging.range).all(), total)
    }

    static func steps(_ d: DemandModel, on db: any Database) async throws -> [DemandStepModel] {
        try await DemandStepModel.query(on: db).filter(\.$demandID == d.id!).sort(\.$seq).all()
    }

    // MARK: the resident

    struct Post: Sendable { var community: String; var title: String; var content: String; var name: String; var phone: String; var address: String }

    static func post(_ p: Post, ip: String?, ctx: Ctx, origin: String = "resident") async throws -> DemandModel {
        var e = DemandWorkflow.validatePost(title: p.title, content: p.content, name: p.name, phone: p.phone)
        var community: CommunityModel?
        if let u = UUID(uuidString: p.community.trimmingSpaces) { community = try await CommunityModel.find(u, on: ctx.db) }
        if community == nil { e.add("community", "请选择所在社区") }
        if p.address.unicodeScalars.count > 100 { e.add("address", "地址不能超过100个字") }
        guard e.isEmpty, let community else { throw AppError.validation(e) }
        let d = DemandModel()
        d.id = UUID(); d.code = newCode(); d.communityID = community.id!
        d.title = p.title.trimmingSpaces; d.content = p.content.trimmingSpaces; d.origin = origin
        d.residentName = p.name.trimmingSpaces; d.phone = p.phone.trimmingSpaces; d.address = p.address.trimmingSpaces.nilIfEmpty
        d.state = DemandState.posted.rawValue; d.stateSince = ctx.today.iso; d.postedOn = ctx.today.iso
        d.ip = ip; d.version = 1; d.createdAt = ctx.now
        try await ctx.db.transaction { db in
            try await d.create(on: db)
            try await step(d, action: "post", note: nil, ctx: ctx, on: db)
            try await ctx.audit(on: db, "create", "demand", id: d.idString, label: d.title, orgID: community.orgID, orgPath: community.orgPath,
                                after: ["title": d.title, "community": community.name])
        }
        return d
    }

    static func rate(code: String, stars: Int, comment: String, ctx: Ctx) async throws -> DemandModel {
        let d = try await byCode(code, on: ctx.db)
        return try await apply(.rate(stars: stars, comment: comment.trimmingSpaces), to: d, ctx: ctx) { d in
            d.stars = stars; d.ratingComment = comment.trimmingSpaces.nilIfEmpty
        }
    }

    // MARK: the community, the unit, the member

    static func dispatch(_ d: DemandModel, unitRef: String, ctx: Ctx) async throws -> DemandModel {
        let c = try await community(d.communityID, on: ctx.db)
        try await ctx.require(.handleDemands, at: c.orgPath, entity: "demand", id: d.idString, label: d.title)
        guard d.stateValue == .posted else { throw AppError.conflict(DemandError.notAllowed(d.stateValue, "社区派单").message) }
        guard let uid = UUID(uuidString: unitRef.trimmingSpaces), let unit = try await OrgModel.find(uid, on: ctx.db) else {
            throw AppError.validation(FieldErrors("unit", "请选择承办单位"))
        }
        let paired = try await PairingModel.query(on: ctx.db).filter(\.$communityID == c.id!).filter(\.$active == true).all()
        guard paired.contains(where: { $0.orgID == unit.id }) else {
            throw AppError.validation(FieldErrors("unit", "“\(unit.name)”未与\(c.name)签订共建协议，不能派单"))
        }
        return try await apply(.dispatch, to: d, note: "派至\(unit.name)", ctx: ctx) { d in
            d.unitID = unit.id; d.unitPath = unit.path; d.unitName = unit.name
        }
    }

    static func decline(_ d: DemandModel, reason: String, ctx: Ctx) async throws -> DemandModel {
        let c = try await community(d.communityID, on: ctx.db)
        try await ctx.require(.handleDemands, at: c.orgPath, entity: "demand", id: d.idString, label: d.title)
        return try await apply(.decline(reason: reason), to: d, note: reason.trimmingSpaces, ctx: ctx) { _ in }
    }

    static func accept(_ d: DemandModel, ctx: Ctx) async throws -> DemandModel {
        try await requireUnit(d, ctx: ctx)
        return try await apply(.accept, to: d, ctx: ctx) { _ in }
    }

    static func handBack(_ d: DemandModel, reason: String, ctx: Ctx) async throws -> DemandModel {
        try await requireUnit(d, ctx: ctx)
        return try await apply(.handBack(reason: reason), to: d, note: reason.trimmingSpaces, ctx: ctx) { d in
            d.unitID = nil; d.unitPath = nil; d.unitName = nil
        }
    }

    /// 党员领单: a member of the unit claims it for themselves, or an officer assigns a member.
    static func claim(_ d: DemandModel, memberRef: String?, ctx: Ctx) async throws -> DemandModel {
        guard let unit = d.unitPath else { throw AppError.conflict(DemandError.notAllowed(d.stateValue, "党员领单").message) }
        let member: MemberModel
        if let ref = memberRef?.trimmingSpaces, !ref.isEmpty, ref.lowercased() != ctx.user.memberID?.uuidString.lowercased() {
            try await ctx.require(.handleDemands, at: unit, entity: "demand", id: d.idString, label: d.title)
            guard let u = UUID(uuidString: ref), let m = try await MemberModel.find(u, on: ctx.db), m.orgPath.hasPrefix(unit) else {
                throw AppError.validation(FieldErrors("member", "请选择承办单位的党员"))
            }
            member = m
        } else {
            guard let mid = ctx.user.memberID, let m = try await MemberModel.find(mid, on: ctx.db), m.orgPath.hasPrefix(unit) else {
                throw await ctx.deny("只有承办单位的党员可以领单", entity: "demand", id: d.idString, label: d.title, orgPath: unit)
            }
            member = m
        }
        return try await apply(.claim, to: d, note: member.name, ctx: ctx) { d in
            d.memberID = member.id; d.memberName = member.name
        }
    }

    static func finish(_ d: DemandModel, result: String, ctx: Ctx) async throws -> DemandModel {
        let own = d.memberID != nil && d.memberID == ctx.user.memberID
        if !own {
            guard let unit = d.unitPath else { throw AppError.conflict(DemandError.notAllowed(d.stateValue, "办结").message) }
            try await ctx.require(.handleDemands, at: unit, entity: "demand", id: d.idString, label: d.title)
        }
        let today = ctx.today
        return try await apply(.finish(result: result), to: d, note: result.trimmingSpaces, ctx: ctx) { d in
            d.result = result.trimmingSpaces; d.doneOn = today.iso
        }
    }

    static func requireUnit(_ d: DemandModel, ctx: Ctx) async throws {
        guard let unit = d.unitPath else { throw AppError.conflict(DemandError.notAllowed(d.stateValue, "部门接单").message) }
        try await ctx.require(.handleDemands, at: unit, entity: "demand", id: d.idString, label: d.title)
    }

    /// One step: the domain decides the new state; saved with its step and audit entry,
    /// only if nobody changed the need meanwhile (version).
    private static func apply(_ action: DemandAction, to d: DemandModel, note: String? = nil, ctx: Ctx, _ change: (DemandModel) -> Void) async throws -> DemandModel {
        let before = d.stateValue
        let after: DemandState
        switch DemandWorkflow.apply(action, to: before) {
        case .success(let s): after = s
        case .failure(.invalid(let e)): throw AppError.validation(e)
        case .failure(let e): throw AppError.conflict(e.message)
        }
        let version = d.version
        change(d)
        d.state = after.rawValue; d.stateSince = ctx.today.iso; d.version = version + 1
        let label = action.label
        try await ctx.db.transaction { db in
            guard try await db.claimVersion("demands", id: d.id!, version: version) else { throw AppError.conflict("该需求已被他人处理，请刷新后再试") }
            try await d.save(on: db)
            try await step(d, action: label, note: note, ctx: ctx, on: db)
            try await ctx.audit(on: db, auditAction(action), "demand", id: d.idString, label: d.title, orgID: d.unitID, orgPath: d.unitPath,
                                before: ["state": before.label], after: ["state": after.label], note: note)
        }
        return d
    }

    static func auditAction(_ a: DemandAction) -> String {
        switch a {
        case .dispatch: return "dispatch"
        case .decline: return "decline"
        case .accept: return "accept"
        case .handBack: return "hand_back"
        case .claim: return "claim"
        case .finish: return "finish"
        case .rate: return "rate"
        }
    }

    private static func step(_ d: DemandModel, action: String, note: String?, ctx: Ctx, on db: any Database) async throws {
        let seq = try await DemandStepModel.query(on: db).filter(\.$demandID == d.id!).count() + 1
        let s = DemandStepModel()
        s.demandID = d.id!; s.seq = seq; s.date = ctx.today.iso; s.action = action == "post" ? "群众点单" : action
        s.stateAfter = d.state; s.note = note; s.actorName = action == "post" || action == "群众评价" ? "群众" : ctx.actor.name
        s.createdAt = ctx.now
        try await s.create(on: db)
    }

    // MARK: 为民办实事

    /// Done needs per community in a year: each is one 为民办实事.
    static func deedsByCommunity(year: Int, on db: any Database) async throws -> [UUID: Int] {
        let rows = try await DemandModel.query(on: db).filter(\.$state ~~ [DemandState.done.rawValue, DemandState.rated.rawValue])
            .filter(\.$doneOn >= "\(year)-01-01").filter(\.$doneOn <= "\(year)-12-31").field(\.$communityID).all()
        var out: [UUID: Int] = [:]
        for r in rows { out[r.communityID, default: 0] += 1 }
        return out
    }
}
