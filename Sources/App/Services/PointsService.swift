import Vapor
import Fluent
import SQLKit
import Domain

/// Members' points: automatic entries follow the records they come from (attendance,
/// confirmed service), manual ones are awarded under a rule, with approval where it says so.
enum PointsService {
    /// Replaces the automatic entries of one record (idempotent: edit a meeting, its points follow).
    static func replaceAutomatic(source: PointSource, sourceID: String, day: Day, members: [MemberModel], reason: String,
                                 points: ((MemberModel) -> Int)? = nil, settings: RecordSettings, ctx: Ctx, on db: any Database) async throws {
        try await removeAutomatic(source: source, sourceID: sourceID, on: db)
        guard let rule = settings.pointRule(source: source) else { return }
        for m in members {
            let p = points?(m) ?? rule.points
            if p == 0 { continue }
            let e = PointEntryModel()
            e.memberID = m.id!; e.memberName = m.name; e.orgID = m.$org.id; e.orgPath = m.orgPath
            e.year = day.year; e.date = day.iso; e.ruleKey = rule.key; e.item = rule.item; e.points = p
            e.reason = String(reason.prefix(200)); e.source = source.rawValue; e.sourceID = sourceID
            e.status = PointStatus.approved.rawValue; e.proposedBy = "系统（据记录自动计分）"; e.proposerID = ""
            e.createdAt = ctx.now
            try await e.create(on: db)
        }
    }

    static func removeAutomatic(source: PointSource, sourceID: String, on db: any Database) async throws {
        try await PointEntryModel.query(on: db).filter(\.$source == source.rawValue).filter(\.$sourceID == sourceID).delete()
    }

    /// A hand-made entry (award, deduction) under a rule; pending when the rule needs approval.
    static func award(memberRef: String, ruleKey: String, reason: String, date: String, ctx: Ctx) async throws -> PointEntryModel {
        let member = try await MemberService.find(memberRef, ctx: ctx, for: .writeRecords)
        let settings = try await RecordSettings.load(on: ctx.db)
        var e = FieldErrors()
        let rule = settings.pointRules.first { $0.key == ruleKey }
        if rule == nil { e.add("rule", "请选择积分项目") }
        let why = Check.required(reason, "reason", "事由", max: 200, into: &e)
        let day = Check.date(date, "date", "日期", required: true, notAfter: ctx.today, into: &e)
        guard e.isEmpty, let rule, let why, let day else { throw AppError.validation(e) }
        let roles = Set(ctx.scope.grants.filter { Scope.contains(ancestor: $0.orgPath, descendant: member.orgPath) || $0.role == .admin }.map(\.role))
        let status: PointStatus
        switch Points.manualEntry(rule: rule, by: roles) {
        case .success(let s): status = s
        case .failure(.roleTooLow(let r)): throw await ctx.deny(PointsError.roleTooLow(r).message, entity: "points", orgPath: member.orgPath)
        case .failure(let err): throw AppError.validation(FieldErrors("rule", err.message))
        }
        let entry = PointEntryModel()
        entry.id = UUID(); entry.memberID = member.id!; entry.memberName = member.name; entry.orgID = member.$org.id; entry.orgPath = member.orgPath
        entry.year = day.year; entry.date = day.iso; entry.ruleKey = rule.key; entry.item = rule.item; entry.points = rule.points
        entry.reason = why; entry.source = PointSource.manual.rawValue; entry.sourceID = entry.idString
        entry.status = status.rawValue; entry.proposedBy = ctx.actor.name; entry.proposerID = ctx.user.id.uuidString; entry.createdAt = ctx.now
        try await ctx.db.transaction { db in
            try await entry.create(on: db)
            try await ctx.audit(on: db, "create", "points", id: entry.idString, label: "\(member.name) \(rule.item)", orgID: member.$org.id, orgPath: member.orgPath,
                                after: ["points": String(rule.points), "reason": why, "status": status.label])
        }
        return entry
    }

    static func find(_ id: String, ctx: Ctx, for action: Action) async throws -> PointEntryModel {
        let uuid = try id.uuid(or: "积分记录不存在")
        guard let e = try await PointEntryModel.find(uuid, on: ctx.db) else { throw AppError.notFound("积分记录不存在") }
        try await ctx.require(action, at: e.orgPath, entity: "points", id: e.idString, label: e.memberName)
        return e
    }

    /// Approves or rejects a pending entry; never by its proposer (four eyes).
    static func decide(_ entry: PointEntryModel, approve: Bool, ctx: Ctx) async throws -> PointEntryModel {
        let settings = try await RecordSettings.load(on: ctx.db)
        let rule = settings.pointRules.first { $0.key == entry.ruleKey }
        let roles = Set(ctx.scope.grants.filter { Scope.contains(ancestor: $0.orgPath, descendant: entry.orgPath) || $0.role == .admin }.map(\.role))
        if let rule, !roles.contains(where: { $0.level >= rule.awardedBy.level }) {
            throw await ctx.deny("该项目须由\(rule.awardedBy.label)或以上审核", entity: "points", id: entry.idString, orgPath: entry.orgPath)
        }
        if let err = Points.canDecide(proposer: entry.proposerID, decider: ctx.user.id.uuidString, status: entry.statusValue) {
            throw AppError.conflict(err.message)
        }
        let before = entry.statusValue
        entry.status = (approve ? PointStatus.approved : .rejected).rawValue
        entry.decidedBy = ctx.actor.name
        try await ctx.db.transaction { db in
            // a concurrent decision of the same entry loses (409)
            guard try await db.claimStatus("point_entries", id: entry.id!, from: PointStatus.pending.rawValue, to: entry.status) else {
                throw AppError.conflict("该积分已由他人审核")
            }
            try await PointEntryModel.query(on: db).filter(\.$id == entry.id!).set(\.$decidedBy, to: entry.decidedBy).update()
            try await ctx.audit(on: db, approve ? "approve" : "reject", "points", id: entry.idString, label: "\(entry.memberName) \(entry.item)",
                                orgID: entry.orgID, orgPath: entry.orgPath, before: ["status": before.label], after: ["status": entry.statusValue.label])
        }
        return entry
    }

    struct Filter { var orgID: UUID?; var memberID: UUID?; var year: Int; var status: PointStatus? }

    static func entries(ctx: Ctx, filter: Filter, paging: Paging) async throws -> ([PointEntryModel], Int) {
        let q = PointEntryModel.query(on: ctx.db).filter(\.$year == filter.year)
        guard q.ownOrInScope(ctx: ctx, member: filter.memberID, memberField: \.$memberID, path: \.$orgPath) else { return ([], 0) }
        if let o = filter.orgID, let org = try await OrgModel.find(o, on: ctx.db) { q.filter(\.$orgPath, .custom("LIKE"), org.path + "%") }
        if let s = filter.status { q.filter(\.$status == s.rawValue) }
        let total = try await q.count()
        return (try await q.sort(\.$date, .descending).sort(\.$createdAt, .descending).range(paging.range).all(), total)
    }

    static func balance(memberID: UUID, year: Int, on db: any Database) async throws -> Int {
        let rows = try await PointEntryModel.query(on: db).filter(\.$memberID == memberID).filter(\.$year == year).all()
        return Points.balance(rows.map { ($0.points, $0.statusValue) })
    }

    /// Branch ranking per year: approved points per member of each branch in scope.
    static func ranking(year: Int, ctx: Ctx) async throws -> [Points.Standing] {
        let roots = ctx.scope.roots(for: .readRecords)
        let branches = try await OrgModel.query(on: ctx.db).inScope(roots, path: \.$path)
            .filter(\.$type ~~ [OrgType.branch.rawValue, OrgType.generalBranch.rawValue]).filter(\.$status == OrgStatus.active.rawValue).all()
        let counts = try await OrgService.memberCounts(by: .branch, under: roots, on: ctx.db)
        let totals = try await ctx.db.sql.select().column("org_id").column(SQLFunction("SUM", args: SQLColumn("points")), as: "total")
            .from("point_entries").where("year", .equal, year).where("status", .equal, PointStatus.approved.rawValue)
            .under(roots).groupBy("org_id").all()
        var byOrg: [UUID: Int] = [:]
        for r in totals { if let id = try? r.decode(column: "org_id", as: UUID.self) { byOrg[id] = (try? r.decode(column: "total", as: Int.self)) ?? 0 } }
        return Points.ranking(branches.map { (id: $0.idString, name: $0.name, members: counts[$0.id!] ?? 0, total: byOrg[$0.id!] ?? 0) })
    }
}
