import Vapor
import Fluent
import Domain

/// Member roll operations shared by pages, API, imports and the CLI.
enum MemberService {
    struct Filter: Sendable {
        var q: String?
        var orgID: String?
        var status: String?
    }

    /// Loads a member the user may act on. A member reading their own record is allowed (readOwnRecord).
    static func find(_ id: String, ctx: Ctx, for action: Action) async throws -> MemberModel {
        let uuid = try id.uuid(or: "党员不存在")
        guard let m = try await MemberModel.query(on: ctx.db).filter(\.$id == uuid).with(\.$org).with(\.$group).first() else {
            throw AppError.notFound("党员不存在")
        }
        if [.readMembers, .readMemberDetails, .readRecords].contains(action), ctx.user.memberID == uuid { return m }   // their own record
        try await ctx.require(action, at: m.orgPath, entity: "member", id: m.idString, label: m.name)
        return m
    }

    /// Full details (unmasked phone, birth date) only to the member's own branch leaders and officers above, and to the member.
    static func mayReadDetails(_ m: MemberModel, ctx: Ctx) -> Bool {
        ctx.user.memberID == m.id || ctx.scope.allows(.readMemberDetails, at: m.orgPath)
    }

    /// `cache`: the total is kept until the next write (a committee counts 500,000 members).
    static func list(ctx: Ctx, filter: Filter, paging: Paging, cache: ViewCache? = nil) async throws -> ([MemberModel], Int) {
        var orgPath: String?
        if let oid = filter.orgID, !oid.isEmpty { orgPath = try await OrgService.find(oid, ctx: ctx, for: .readMembers).path }
        if let s = filter.status, !s.isEmpty, PoliticalStatus(rawValue: s) == nil { throw AppError.badRequest("政治面貌筛选值无效", field: "status") }
        let text = filter.q?.trimmingSpaces ?? ""
        guard text.unicodeScalars.count <= 50 else { throw AppError.badRequest("搜索内容不能超过50个字", field: "q") }
        let prefix = orgPath
        @Sendable func query() -> QueryBuilder<MemberModel> {
            let q = MemberModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readMembers), path: \.$orgPath)
            if let prefix { q.inScope([prefix], path: \.$orgPath) }
            if let s = filter.status, !s.isEmpty { q.filter(\.$status == s) }
            if !text.isEmpty {
                q.group(.or) { g in
                    g.filter(\.$name, .contains(inverse: false, .anywhere), text)
                    g.filter(\.$post, .contains(inverse: false, .anywhere), text)
                }
            }
            return q
        }
        // counted on org_path, not id: the (org_path, name) index answers it without reading 500,000 rows
        let total: Int
        if let cache {
            let roots = (ctx.scope.roots(for: .readMembers) ?? ["*"]).sorted().joined(separator: ",")
            total = try await cache.value("members|\(roots)|\(text)|\(prefix ?? "")|\(filter.status ?? "")") { try await query().count(\.$orgPath) }
        } else {
            total = try await query().count(\.$orgPath)
        }
        let rows = try await query().sort(\.$orgPath).sort(\.$name).with(\.$org).offset(paging.offset).limit(paging.per).all()
        return (rows, total)
    }

    /// How a placement finds orgs: the database for forms and the API, in-memory maps for imports.
    struct OrgLookup: Sendable {
        var byRef: @Sendable (String) async throws -> OrgModel?
        var byID: @Sendable (UUID) async throws -> OrgModel?

        static func database(_ db: any Database) -> OrgLookup {
            OrgLookup(byRef: { try await OrgService.resolve($0, on: db) }, byID: { try await OrgModel.find($0, on: db) })
        }
    }

    /// Resolves the member's branch (and group): a 党小组 reference puts the member in the group's branch.
    /// Errors name the form's fields `org` and `group`.
    static func placement(_ d: MemberDraft, lookup: OrgLookup) async throws -> (OrgModel, OrgModel?) {
        guard var org = try await lookup.byRef(d.orgRef) else { throw AppError.validation(FieldErrors("org", "所在支部“\(d.orgRef)”不存在")) }
        var group: OrgModel?
        if org.orgType == .group {
            group = org
            guard let pid = org.parentID, let p = try await lookup.byID(pid) else { throw AppError.validation(FieldErrors("org", "党小组没有上级支部")) }
            org = p
        }
        guard org.orgType.holdsMembers, org.orgType != .group else {
            throw AppError.validation(FieldErrors("org", "党员只能编入党支部或党总支（“\(org.name)”是\(org.orgType.label)）"))
        }
        guard org.orgStatus == .active else { throw AppError.validation(FieldErrors("org", "“\(org.name)”已撤销")) }
        if let gref = d.groupRef, group == nil {
            guard let g = try await lookup.byRef(gref) else { throw AppError.validation(FieldErrors("group", "党小组“\(gref)”不存在")) }
            group = g
        }
        if let g = group {
            guard g.orgType == .group, g.parentID == org.id else {
                throw AppError.validation(FieldErrors("group", "“\(g.name)”不是“\(org.name)”下的党小组"))
            }
            guard g.orgStatus == .active else { throw AppError.validation(FieldErrors("group", "“\(g.name)”已撤销")) }
        }
        return (org, group)
    }

    static func placement(_ d: MemberDraft, on db: any Database) async throws -> (OrgModel, OrgModel?) {
        try await placement(d, lookup: .database(db))
    }

    static func create(_ fields: [String: String], ctx: Ctx) async throws -> MemberModel {
        let draft = try MemberDraft.validate(fields, today: ctx.today).orThrow()
        let (org, group) = try await placement(draft, on: ctx.db)
        try await ctx.require(.writeMembers, at: org.path, entity: "member", id: nil, label: draft.name)
        let m = MemberModel()
        m.id = UUID()
        m.apply(draft, org: org, group: group)
        try await ctx.db.transaction { db in
            try await m.create(on: db)
            try await ctx.audit(on: db, "create", "member", id: m.idString, label: m.name, orgID: org.id, orgPath: org.path,
                                after: MemberDTO.snapshot(m))
        }
        m.$org.value = org
        return m
    }

    /// Edits the member's data; a change of branch goes through `transfer` so it is kept in history.
    static func update(_ m: MemberModel, _ fields: [String: String], ctx: Ctx) async throws -> MemberModel {
        try await ctx.require(.writeMembers, at: m.orgPath, entity: "member", id: m.idString, label: m.name)
        var merged = editableFields(m)
        let hidden = !mayReadDetails(m, ctx: ctx)
        for (k, v) in fields where k != "org" {
            // someone who sees the phone and birth date masked leaves them as they are by sending them blank
            if hidden, ["phone", "birthDate"].contains(k), v.trimmingSpaces.isEmpty { continue }
            merged[k] = v
        }
        let draft = try MemberDraft.validate(merged, today: ctx.today).orThrow()
        let (org, group) = try await placement(draft, on: ctx.db)
        let before = MemberDTO.snapshot(m)
        m.apply(draft, org: org, group: group)
        try await ctx.db.transaction { db in
            try await m.update(on: db)
            try await ctx.audit(on: db, "update", "member", id: m.idString, label: m.name, orgID: org.id, orgPath: org.path,
                                before: before, after: MemberDTO.snapshot(m))
        }
        return m
    }

    /// 组织关系转接: moves a member to another branch; both branches must be in the user's scope.
    static func transfer(_ m: MemberModel, fields: [String: String], ctx: Ctx) async throws -> MemberModel {
        try await ctx.require(.writeMembers, at: m.orgPath, entity: "member", id: m.idString, label: m.name)
        var e = FieldErrors()
        let toRef = Check.required(fields["toOrg"], "toOrg", "转入支部", max: 64, into: &e)
        let date = Check.date(fields["date"], "date", "转接日期", required: true, notAfter: ctx.today.adding(days: 30), into: &e)
        let reason = Check.optional(fields["reason"], "reason", "转接原因", max: 200, into: &e)
        let toGroup = Check.optional(fields["toGroup"], "toGroup", "转入党小组", max: 64, into: &e)
        guard e.isEmpty, let toRef, let date else { throw AppError.validation(e) }
        var draftFields = editableFields(m)
        draftFields["org"] = toRef
        draftFields["group"] = toGroup ?? ""
        let draft = try MemberDraft.validate(draftFields, today: ctx.today).mapError { _ in FieldErrors("toOrg", "党员现有信息不完整，请先完善后再转接") }.orThrow()
        let (org, group) = try await withRenamedFields(["org": "toOrg", "group": "toGroup"]) { try await placement(draft, on: ctx.db) }
        guard org.id != m.$org.id else { throw AppError.validation(FieldErrors("toOrg", "转入支部与当前支部相同")) }
        try await ctx.require(.writeMembers, at: org.path, entity: "org", id: org.idString, label: org.name)
        let from = try await OrgModel.find(m.$org.id, on: ctx.db)
        let before = MemberDTO.snapshot(m)
        m.apply(draft, org: org, group: group)
        let t = MemberTransferModel()
        t.$member.id = m.id!; t.fromOrgID = from?.id ?? m.$org.id; t.fromOrgName = from?.name ?? ""
        t.toOrgID = org.id!; t.toOrgName = org.name; t.date = date.iso; t.reason = reason; t.actorName = ctx.actor.name
        try await ctx.db.transaction { db in
            try await m.update(on: db)
            try await t.create(on: db)
            try await ctx.audit(on: db, "transfer", "member", id: m.idString, label: m.name, orgID: org.id, orgPath: org.path,
                                before: before, after: MemberDTO.snapshot(m), note: "由“\(t.fromOrgName)”转入“\(org.name)”，\(date.iso)")
        }
        m.$org.value = org
        return m
    }

    static func delete(_ m: MemberModel, ctx: Ctx) async throws {
        try await ctx.require(.writeMembers, at: m.orgPath, entity: "member", id: m.idString, label: m.name)
        var before = MemberDTO.snapshot(m)
        // the member's transfer history is kept in the audit entry (the rows go with the member)
        let history = try await transfers(m, on: ctx.db).map { "\($0.date) \($0.fromOrgName) → \($0.toOrgName)\($0.reason.map { "（\($0)）" } ?? "")" }
        if !history.isEmpty { before["transfers"] = history.joined(separator: "；") }
        let snapshot = before
        // records that name the member are history: keep them, and the member with them
        let held = [try await PointEntryModel.query(on: ctx.db).filter(\.$memberID == m.id!).count() > 0 ? "积分" : nil,
                    try await ServiceRecordModel.query(on: ctx.db).filter(\.$memberID == m.id!).count() > 0 ? "社区服务" : nil,
                    try await TaskModel.query(on: ctx.db).filter(\.$ownerMemberID == m.id!).count() > 0 ? "任务" : nil,
                    try await DemandModel.query(on: ctx.db).filter(\.$memberID == m.id!).count() > 0 ? "群众点单" : nil].compactMap { $0 }
        if !held.isEmpty {
            throw AppError.conflict("\(m.name)已有\(held.joined(separator: "、"))记录，为保留历史不能删除；调出本组织请使用“组织关系转接”")
        }
        try await ctx.db.transaction { db in
            try await UserModel.query(on: db).filter(\.$memberID == m.id).set(\.$memberID, to: nil).update()
            try await m.delete(on: db)
            try await ctx.audit(on: db, "delete", "member", id: m.idString, label: m.name, orgID: m.$org.id, orgPath: m.orgPath, before: snapshot)
        }
    }

    static func transfers(_ m: MemberModel, on db: any Database) async throws -> [MemberTransferModel] {
        try await MemberTransferModel.query(on: db).filter(\.$member.$id == m.id!).sort(\.$date, .descending).sort(\.$createdAt, .descending).all()
    }

    static func editableFields(_ m: MemberModel) -> [String: String] {
        ["name": m.name, "gender": m.gender, "birthDate": m.birthDate ?? "", "status": m.status, "joinDate": m.joinDate ?? "",
         "org": m.$org.id.uuidString.lowercased(), "group": m.$group.id?.uuidString.lowercased() ?? "", "post": m.post ?? "",
         "phone": m.phone ?? "", "retired": m.retired ? "1" : "", "hardship": m.hardship ? "1" : ""]
    }
}

extension Result where Failure == FieldErrors {
    func orThrow() throws -> Success {
        switch self {
        case .success(let v): return v
        case .failure(let e): throw AppError.validation(e)
        }
    }
}

extension AppError {
    /// Renames fields of a validation error (a service's "org" is the transfer form's "toOrg").
    func renamingFields(_ map: [String: String]) -> AppError {
        guard case .validation(let e) = self else { return self }
        var out = FieldErrors()
        for f in e.order { out.add(map[f] ?? f, e[f]!) }
        return .validation(out)
    }
}

func withRenamedFields<T>(_ map: [String: String], _ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let e as AppError { throw e.renamingFields(map) }
}
