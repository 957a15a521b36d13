import Vapor
import Fluent
import SQLKit
import Domain

/// Org tree operations shared by the pages, the API, imports and the CLI.
enum OrgService {
    static func find(_ id: String, ctx: Ctx, for action: Action) async throws -> OrgModel {
        let uuid = try id.uuid(or: "组织不存在")
        guard let org = try await OrgModel.find(uuid, on: ctx.db) else { throw AppError.notFound("组织不存在") }
        try await ctx.require(action, at: org.path, entity: "org", id: org.idString, label: org.name)
        return org
    }

    /// Resolves a reference typed by a person or a file: an id or a short code.
    static func resolve(_ ref: String, on db: any Database) async throws -> OrgModel? {
        if let u = UUID(uuidString: ref), let o = try await OrgModel.find(u, on: db) { return o }
        return try await OrgModel.query(on: db).filter(\.$code == ref).first()
    }

    /// Every node the user may read, ordered by path (a parent before its children).
    static func all(ctx: Ctx, includeClosed: Bool = true) async throws -> [OrgModel] {
        let q = OrgModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readOrgs), path: \.$path)
        if !includeClosed { q.filter(\.$status == OrgStatus.active.rawValue) }
        return try await q.sort(\.$path).all()
    }

    static func create(_ fields: [String: String], ctx: Ctx) async throws -> OrgModel {
        let draft = try OrgDraft.validate(fields, today: ctx.today).orThrow()
        var parent: OrgModel?
        if let ref = draft.parentRef {
            guard let p = try await resolve(ref, on: ctx.db) else { throw AppError.validation(FieldErrors("parent", "上级组织不存在")) }
            parent = p
        }
        try await checkPlacement(type: draft.type, parent: parent, ctx: ctx, orgID: nil)
        try await checkCodeFree(draft.code, except: nil, on: ctx.db)
        let org = OrgModel()
        let id = UUID()
        org.id = id
        org.apply(draft)
        org.parentID = parent?.id
        org.path = OrgModel.childPath(parentPath: parent?.path, id: id)
        org.depth = (parent?.depth ?? -1) + 1
        org.status = OrgStatus.active.rawValue
        try await ctx.db.transaction { db in
            try await org.create(on: db)
            try await ctx.audit(on: db, "create", "org", id: org.idString, label: org.name, orgID: org.id, orgPath: org.path,
                                after: OrgDTO.snapshot(org))
        }
        return org
    }

    static func update(_ org: OrgModel, _ fields: [String: String], ctx: Ctx) async throws -> OrgModel {
        try await ctx.require(.writeOrgs, at: org.path, entity: "org", id: org.idString, label: org.name)
        var merged = editableFields(org)
        for (k, v) in fields where k != "parent" { merged[k] = v }
        let draft = try OrgDraft.validate(merged, today: ctx.today).orThrow()
        if draft.type != org.orgType,
           let reason = OrgLifecycle.typeChangeBlocker(to: draft.type, members: try await memberCount(of: org, on: ctx.db)) {
            throw AppError.conflict(reason, field: "type")
        }
        if draft.type != org.orgType {
            let parent = try await org.parentID.asyncMap { try await OrgModel.find($0, on: ctx.db) } ?? nil
            guard draft.type.canBeChild(of: parent?.orgType) else {
                throw AppError.validation(FieldErrors("type", "\(draft.type.label)不能设在\(parent?.orgType.label ?? "顶层")之下"))
            }
            let children = try await OrgModel.query(on: ctx.db).filter(\.$parentID == org.id).all()
            if let bad = children.first(where: { !$0.orgType.canBeChild(of: draft.type) }) {
                throw AppError.validation(FieldErrors("type", "下级组织“\(bad.name)”（\(bad.orgType.label)）不能设在\(draft.type.label)之下"))
            }
        }
        try await checkCodeFree(draft.code, except: org.id, on: ctx.db)
        let before = OrgDTO.snapshot(org)
        org.apply(draft)
        try await ctx.db.transaction { db in
            try await org.update(on: db)
            try await ctx.audit(on: db, "update", "org", id: org.idString, label: org.name, orgID: org.id, orgPath: org.path,
                                before: before, after: OrgDTO.snapshot(org))
        }
        return org
    }

    /// Moves a node with its whole subtree under another parent; paths of the subtree and of
    /// its members are rewritten in the same transaction.
    static func move(_ org: OrgModel, to parentRef: String, ctx: Ctx) async throws -> OrgModel {
        try await ctx.require(.writeOrgs, at: org.path, entity: "org", id: org.idString, label: org.name)
        guard let parent = try await resolve(parentRef, on: ctx.db) else { throw AppError.validation(FieldErrors("parent", "目标上级组织不存在")) }
        if parent.path.hasPrefix(org.path) { throw AppError.validation(FieldErrors("parent", "不能移动到本组织或其下级组织之下")) }
        if parent.id == org.parentID { throw AppError.validation(FieldErrors("parent", "已在该上级组织之下")) }
        try await checkPlacement(type: org.orgType, parent: parent, ctx: ctx, orgID: org.id)
        let oldPath = org.path
        let newPath = OrgModel.childPath(parentPath: parent.path, id: org.id!)
        let delta = parent.depth + 1 - org.depth
        let before = OrgDTO.snapshot(org)
        try await ctx.db.transaction { db in
            let cut = oldPath.count + 1   // SQL substr is 1-based
            try await db.sql.raw("""
                UPDATE orgs SET path = CAST(\(bind: newPath) AS TEXT) || substr(path, CAST(\(bind: cut) AS INTEGER)), depth = depth + CAST(\(bind: delta) AS INTEGER)
                WHERE path LIKE \(bind: oldPath + "%")
                """).run()
            try await db.sql.raw("""
                UPDATE members SET org_path = CAST(\(bind: newPath) AS TEXT) || substr(org_path, CAST(\(bind: cut) AS INTEGER))
                WHERE org_path LIKE \(bind: oldPath + "%")
                """).run()
            let moved = try await OrgModel.find(org.id, on: db)!
            moved.parentID = parent.id
            try await moved.update(on: db)
            // a 党小组 moved to another branch takes its members along: their branch changes, kept as transfers
            if org.orgType == .group {
                let fromName = try await org.parentID.asyncMap { try await OrgModel.find($0, on: db)?.name } ?? nil
                for m in try await MemberModel.query(on: db).filter(\.$group.$id == org.id!).all() where m.$org.id != parent.id {
                    let before = MemberDTO.snapshot(m)
                    let t = MemberTransferModel()
                    t.$member.id = m.id!; t.fromOrgID = m.$org.id; t.fromOrgName = fromName ?? ""
                    t.toOrgID = parent.id!; t.toOrgName = parent.name; t.date = ctx.today.iso
                    t.reason = "随“\(org.name)”调整到“\(parent.name)”"; t.actorName = ctx.actor.name
                    m.$org.id = parent.id!
                    try await m.update(on: db)
                    try await t.create(on: db)
                    try await ctx.audit(on: db, "transfer", "member", id: m.idString, label: m.name, orgID: parent.id, orgPath: m.orgPath,
                                        before: before, after: MemberDTO.snapshot(m), note: t.reason)
                }
            }
            org.parentID = parent.id; org.path = moved.path; org.depth = moved.depth
            try await ctx.audit(on: db, "move", "org", id: org.idString, label: org.name, orgID: org.id, orgPath: org.path,
                                before: before, after: OrgDTO.snapshot(org), note: "移至“\(parent.name)”之下")
        }
        return org
    }

    /// Closes (撤销) a node; it must have no active sub-organizations and no members left.
    static func setStatus(_ org: OrgModel, _ status: OrgStatus, ctx: Ctx) async throws -> OrgModel {
        try await ctx.require(.writeOrgs, at: org.path, entity: "org", id: org.idString, label: org.name)
        guard org.orgStatus != status else {
            throw AppError.conflict(status == .closed ? "该组织已是撤销状态" : "该组织已是正常状态")
        }
        if status == .closed {
            if ctx.scope.grants.contains(where: { $0.orgID == org.idString && $0.role != .admin }) && !ctx.scope.isAdmin {
                throw await ctx.deny("不能撤销您自己被授权管理的组织，请联系上级", entity: "org", id: org.idString, label: org.name, orgPath: org.path)
            }
            let kids = try await OrgModel.query(on: ctx.db).filter(\.$parentID == org.id).filter(\.$status == OrgStatus.active.rawValue).count()
            if let reason = OrgLifecycle.closeBlocker(activeChildren: kids, members: try await memberCount(of: org, on: ctx.db)) {
                throw AppError.conflict(reason)
            }
        } else if let pid = org.parentID, let parent = try await OrgModel.find(pid, on: ctx.db),
                  let reason = OrgLifecycle.reopenBlocker(parentName: parent.name, parentClosed: parent.orgStatus == .closed) {
            throw AppError.conflict(reason)
        }
        let before = OrgDTO.snapshot(org)
        org.status = status.rawValue
        try await ctx.db.transaction { db in
            try await org.update(on: db)
            try await ctx.audit(on: db, status == .closed ? "close" : "reopen", "org", id: org.idString, label: org.name,
                                orgID: org.id, orgPath: org.path, before: before, after: OrgDTO.snapshot(org))
        }
        return org
    }

    /// Members attached to the node, as their branch or their group.
    static func memberCount(of org: OrgModel, on db: any Database) async throws -> Int {
        try await MemberModel.query(on: db).group(.or) { $0.filter(\.$org.$id == org.id!).filter(\.$group.$id == org.id) }.count()
    }

    static func editableFields(_ o: OrgModel) -> [String: String] {
        ["name": o.name, "code": o.code, "type": o.type, "foundedOn": o.foundedOn ?? "", "termStart": o.termStart ?? "",
         "termYears": o.termYears.map(String.init) ?? "", "secretary": o.secretary ?? "",
         "parent": o.parentID?.uuidString.lowercased() ?? ""]
    }

    static func checkPlacement(type: OrgType, parent: OrgModel?, ctx: Ctx, orgID: UUID?) async throws {
        if let parent {
            try await ctx.require(.writeOrgs, at: parent.path, entity: "org", id: parent.idString, label: parent.name)
            guard parent.orgStatus == .active else { throw AppError.validation(FieldErrors("parent", "上级组织已撤销")) }
        } else if !ctx.scope.isAdmin {
            throw await ctx.deny("只有系统管理员可以创建顶层组织", entity: "org", label: "顶层组织")
        }
        guard type.canBeChild(of: parent?.orgType) else {
            throw AppError.validation(FieldErrors(parent == nil ? "type" : "parent",
                parent == nil ? "顶层组织只能是党委/工委" : "\(type.label)不能设在\(parent!.orgType.label)之下"))
        }
    }

    static func checkCodeFree(_ code: String, except id: UUID?, on db: any Database) async throws {
        let q = OrgModel.query(on: db).filter(\.$code == code)
        if let id { q.filter(\.$id != id) }
        if try await q.count() > 0 { throw AppError.conflict("组织编码“\(code)”已被使用", field: "code") }
    }

    /// Members per branch (`org_id`) or per 党小组 (`group_id`) inside the given subtrees, for the tree and the dashboard.
    static func memberCounts(by column: MemberCountColumn, under roots: [String]?, on db: any Database) async throws -> [UUID: Int] {
        struct Row: Decodable { var id: UUID; var n: Int }
        if let roots, roots.isEmpty { return [:] }
        let q = db.sql.select()
            .column(SQLColumn(column.rawValue), as: "id")
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("members")
            .where(SQLColumn(column.rawValue), .isNot, SQLLiteral.null)
        q.under(roots)
        let rows = try await q.groupBy(column.rawValue).all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0.n) })
    }

    enum MemberCountColumn: String { case branch = "org_id", group = "group_id" }
}

extension Optional {
    func asyncMap<U>(_ f: (Wrapped) async throws -> U) async rethrows -> U? {
        guard let v = self else { return nil }
        return try await f(v)
    }
}
