import Vapor
import Fluent
import Domain

/// The integrity-risk register (廉政风险点, R-23): points per post and process with their
/// level and measures before, during and after, reviewed every year by the end of January.
enum RiskService {
    struct Input: Sendable {
        var orgRef: String
        var post: String
        var process: String
        var description: String
        var level: String
        var before: String
        var during: String
        var after: String
        var owner: String
    }

    static func find(_ id: String, ctx: Ctx, for action: Action = .readSupervision) async throws -> RiskPointModel {
        let uuid = try id.uuid(or: "风险点不存在")
        guard let r = try await RiskPointModel.find(uuid, on: ctx.db) else { throw AppError.notFound("风险点不存在") }
        try await ctx.require(action, at: r.orgPath, entity: "risk", id: r.idString, label: "\(r.post)·\(r.process)")
        return r
    }

    struct Filter: Sendable { var orgID: UUID?; var level: RiskLevel?; var process: String?; var flaggedOnly = false }

    static func list(ctx: Ctx, filter f: Filter) async throws -> [RiskPointModel] {
        guard ctx.scope.allows(.readSupervision) else { throw await ctx.deny("无权查看廉政风险点", entity: "risk") }
        let q = RiskPointModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readSupervision), path: \.$orgPath)
        if let o = f.orgID { q.filter(\.$orgID == o) }
        if let l = f.level { q.filter(\.$level == l.rawValue) }
        if let p = f.process, !p.isEmpty { q.filter(\.$process == p) }
        let rows = try await q.sort(\.$orgPath).sort(\.$process).sort(\.$post).all()
        return f.flaggedOnly ? rows.filter { RiskReview.isFlagged(lastReviewed: $0.reviewedDay, today: ctx.today) } : rows
    }

    static func save(_ existing: RiskPointModel?, _ i: Input, version: Int?, ctx: Ctx) async throws -> RiskPointModel {
        let org: OrgModel
        if let r = existing {
            try await ctx.require(.supervise, at: r.orgPath, entity: "risk", id: r.idString, label: "\(r.post)·\(r.process)")
            guard let o = try await OrgModel.find(r.orgID, on: ctx.db) else { throw AppError.notFound("组织不存在") }
            org = o
        } else {
            guard ctx.scope.allows(.supervise) else { throw await ctx.deny("无权维护廉政风险点", entity: "risk") }
            org = try await ctx.org(i.orgRef, for: .supervise, entity: "risk", missing: "请选择所属单位或部门")
        }
        var e = RiskReview.validate(post: i.post, process: i.process, description: i.description, before: i.before, during: i.during, after: i.after, owner: i.owner)
        let level = RiskLevel(rawValue: i.level)
        if level == nil { e.add("level", "请选择风险等级（高、中、低）") }
        guard e.isEmpty, let level else { throw AppError.validation(e) }
        let r = existing ?? RiskPointModel()
        let before = existing.map(snapshot)
        let oldVersion = existing?.version
        if r.id == nil {
            // drawing a point up is its review for the year
            r.id = UUID(); r.orgID = org.id!; r.orgPath = org.path; r.orgName = org.name; r.version = 0; r.createdBy = ctx.actor.name
            r.lastReviewed = ctx.today.iso; r.reviewedBy = ctx.actor.name
        }
        r.post = i.post.trimmingSpaces; r.process = i.process.trimmingSpaces; r.riskDescription = i.description.trimmingSpaces; r.level = level.rawValue
        r.before = i.before.trimmingSpaces; r.during = i.during.trimmingSpaces; r.after = i.after.trimmingSpaces; r.owner = i.owner.trimmingSpaces
        r.updatedAt = ctx.now
        let model = r
        try await ctx.db.transaction { db in
            try await db.saveVersioned(model, id: model.id!, isNew: oldVersion == nil, table: "risk_points", version: version ?? oldVersion ?? 0, what: "该风险点") { model.version = $0 }
            try await ctx.audit(on: db, existing == nil ? "create" : "update", "risk", id: model.idString, label: "\(org.name) \(model.post)·\(model.process)",
                                orgID: org.id, orgPath: org.path, before: before, after: snapshot(model))
        }
        return r
    }

    /// The yearly review: confirms the point and its measures still hold this year.
    static func review(_ r: RiskPointModel, note: String, ctx: Ctx) async throws -> RiskPointModel {
        try await ctx.require(.supervise, at: r.orgPath, entity: "risk", id: r.idString, label: "\(r.post)·\(r.process)")
        var e = FieldErrors()
        _ = Check.optional(note, "note", "复核意见", max: 500, into: &e)
        guard e.isEmpty else { throw AppError.validation(e) }
        if r.reviewedDay == ctx.today { throw AppError.conflict("该风险点今天已复核") }
        let before = r.lastReviewed
        r.lastReviewed = ctx.today.iso; r.reviewedBy = ctx.actor.name; r.updatedAt = ctx.now
        let model = r, v = r.version
        try await ctx.db.transaction { db in
            guard try await db.claimVersion("risk_points", id: model.id!, version: v) else { throw AppError.conflict("该风险点已被他人修改，请刷新后再操作", field: "version") }
            model.version = v + 1
            try await model.update(on: db)
            try await ctx.audit(on: db, "review", "risk", id: model.idString, label: "\(model.orgName) \(model.post)·\(model.process)", orgID: model.orgID,
                                orgPath: model.orgPath, before: ["lastReviewed": before ?? ""], after: ["lastReviewed": ctx.today.iso, "note": note.trimmingSpaces])
        }
        return r
    }

    static func delete(_ r: RiskPointModel, ctx: Ctx) async throws {
        try await ctx.require(.supervise, at: r.orgPath, entity: "risk", id: r.idString, label: "\(r.post)·\(r.process)")
        try await ctx.db.transaction { db in
            try await r.delete(on: db)
            try await ctx.audit(on: db, "delete", "risk", id: r.idString, label: "\(r.orgName) \(r.post)·\(r.process)", orgID: r.orgID, orgPath: r.orgPath, before: snapshot(r))
        }
    }

    /// The matrix view: processes × levels, counting points.
    static func matrix(_ rows: [RiskPointModel]) -> [(process: String, counts: [Int])] {
        let processes = Array(Set(rows.map(\.process))).sorted()
        return processes.map { p in (p, RiskLevel.allCases.map { l in rows.filter { $0.process == p && $0.levelValue == l }.count }) }
    }

    static func snapshot(_ r: RiskPointModel) -> [String: String] {
        ["post": r.post, "process": r.process, "description": r.riskDescription, "level": r.levelValue.label,
         "before": r.before, "during": r.during, "after": r.after, "owner": r.owner]
    }
}
