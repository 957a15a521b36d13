import Vapor
import Fluent
import Domain

/// the audit log is browsed and filtered, never changed.
enum AuditQuery {
    struct Filter: Sendable {
        var orgID: String?
        var user: String?
        var entity: String?
        var action: String?
        var from: Day?
        var to: Day?

        init(_ req: Request) throws {
            func s(_ k: String) -> String? { (try? req.query.get(String.self, at: k))?.trimmingSpaces.nilIfEmpty }
            orgID = s("orgId"); user = s("user"); entity = s("entity"); action = s("action")
            if let f = s("from") { guard let d = Day(iso: f) else { throw AppError.badRequest("起始日期应为 YYYY-MM-DD", field: "from") }; from = d }
            if let t = s("to") { guard let d = Day(iso: t) else { throw AppError.badRequest("截止日期应为 YYYY-MM-DD", field: "to") }; to = d }
            if let u = user, u.unicodeScalars.count > 50 { throw AppError.badRequest("用户筛选不能超过50个字", field: "user") }
        }
    }

    /// Admins see everything; officers see entries about their subtree.
    static func list(ctx: Ctx, filter: Filter, paging: Paging) async throws -> ([AuditEntryModel], Int) {
        guard ctx.scope.allows(.readAudit) else { throw await ctx.deny("无权查看审计日志", entity: "audit") }
        let q = AuditEntryModel.query(on: ctx.db)
        if let roots = ctx.scope.roots(for: .readAudit) {
            if roots.isEmpty { return ([], 0) }
            q.group(.or) { g in for r in roots { g.filter(\.$orgPath, .contains(inverse: false, .prefix), r) } }
        }
        if let oid = filter.orgID {
            let org = try await OrgService.find(oid, ctx: ctx, for: .readAudit)
            q.filter(\.$orgPath, .contains(inverse: false, .prefix), org.path)
        }
        if let u = filter.user { q.filter(\.$actorName, .contains(inverse: false, .anywhere), u) }
        if let e = filter.entity { q.filter(\.$entityType == e) }
        if let a = filter.action { q.filter(\.$action == a) }
        if let f = filter.from { q.filter(\.$at >= AppClock.date(of: f)) }
        if let t = filter.to { q.filter(\.$at < AppClock.date(of: t.adding(days: 1))) }
        let total = try await q.count()
        let rows = try await q.sort(\.$at, .descending).offset(paging.offset).limit(paging.per).all()
        return (rows, total)
    }
}

struct AuditAPIController {
    func list(_ req: Request) async throws -> ListResponse<AuditDTO> {
        let ctx = try req.ctx()
        try await req.require(.readAudit, entity: "audit")
        let paging = try Paging(req, defaultPer: 50)
        let (rows, total) = try await AuditQuery.list(ctx: ctx, filter: try AuditQuery.Filter(req), paging: paging)
        return ListResponse(items: rows.map(AuditDTO.init), total: total, page: paging.page, per: paging.per)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
