import Vapor
import Fluent
import SQLKit
import Domain

/// The problem ledger (问题台账, DOMAIN §7) and the escalation it drives, computed
/// per org on every read from the problems themselves.
enum ProblemService {
    struct Input: Sendable {
        var orgRef: String
        var source: String
        var aspect: String
        var description: String
        var foundOn: String
        var deadline: String
        var leader: String
        var measures: String
    }

    struct Filter: Sendable {
        var orgID: UUID?
        var status: ProblemStatus?
        var aspect: Star?
        var source: ProblemSource?
        var overdueOnly = false
    }

    static func find(_ id: String, ctx: Ctx, for action: Action = .readSupervision) async throws -> ProblemModel {
        let uuid = try id.uuid(or: "问题不存在")
        guard let p = try await ProblemModel.find(uuid, on: ctx.db) else { throw AppError.notFound("问题不存在") }
        try await ctx.require(action, at: p.orgPath, entity: "problem", id: p.idString, label: p.orgName)
        return p
    }

    /// Progress, evidence and the request for verification come from the org itself (its
    /// secretary) or its supervisors.
    static func requireOrgOrSupervisor(_ p: ProblemModel, ctx: Ctx) async throws {
        guard ctx.scope.allows(.writeRecords, at: p.orgPath) || ctx.scope.allows(.supervise, at: p.orgPath) else {
            try await ctx.require(.supervise, at: p.orgPath, entity: "problem", id: p.idString, label: p.orgName)
            return
        }
    }

    /// Verification and corrections belong to the org's supervisors above it (a unit does not
    /// verify or re-date the problems recorded against itself).
    static func isAbove(_ p: ProblemModel, ctx: Ctx) -> Bool {
        ctx.scope.isAdmin || ctx.scope.grants.contains { $0.role.allows(.supervise) && p.orgPath.hasPrefix($0.orgPath) && p.orgPath != $0.orgPath }
    }

    static func requireAbove(_ p: ProblemModel, ctx: Ctx, what: String) async throws {
        guard isAbove(p, ctx: ctx) else {
            throw await ctx.deny("无权\(what)：须由\(p.orgName)的上级党组织进行", entity: "problem", id: p.idString, label: p.orgName, orgPath: p.orgPath)
        }
    }

    static func list(ctx: Ctx, filter f: Filter, paging: Paging?) async throws -> ([ProblemModel], Int) {
        guard ctx.scope.allows(.readSupervision) else { throw await ctx.deny("无权查看问题台账", entity: "problem") }
        let q = ProblemModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readSupervision), path: \.$orgPath)
        if let o = f.orgID { q.filter(\.$orgID == o) }
        if let s = f.status { q.filter(\.$status == s.rawValue) }
        if let a = f.aspect { q.filter(\.$aspect == a.rawValue) }
        if let s = f.source { q.filter(\.$source == s.rawValue) }
        if f.overdueOnly { q.filter(\.$status != ProblemStatus.verified.rawValue).filter(\.$deadline < ctx.today.iso) }
        let total = try await q.count()
        q.sort(\.$status).sort(\.$deadline).sort(\.$orgPath)
        if let p = paging { q.range(p.range) }
        return (try await q.all(), total)
    }

    static func validate(_ i: Input, today: Day, manual: Bool) -> (ProblemSource?, Star?, Day?, Day?, FieldErrors) {
        var (src, asp, f, d, e) = ProblemRules.validate(source: i.source, aspect: i.aspect, description: i.description, found: i.foundOn,
                                                          deadline: i.deadline, leader: i.leader, measures: i.measures, today: today)
        if manual, let s = src, !ProblemSource.manual.contains(s) {
            e.add("source", "“\(s.label)”的问题由相应模块自动登记，不能手工选择"); src = nil
        }
        return (src, asp, f, d, e)
    }

    static func create(_ i: Input, ctx: Ctx) async throws -> ProblemModel {
        guard ctx.scope.allows(.supervise) else { throw await ctx.deny("无权登记问题：问题由工委或单位党组织督导登记", entity: "problem") }
        let org = try await ctx.org(i.orgRef, for: .supervise, entity: "problem", missing: "请选择问题所在组织")
        let (src, asp, found, deadline, e) = validate(i, today: ctx.today, manual: true)
        guard e.isEmpty, let src, let asp, let found, let deadline else { throw AppError.validation(e) }
        let p = ProblemModel()
        p.id = UUID(); p.orgID = org.id!; p.orgPath = org.path; p.orgName = org.name; p.year = found.year
        p.kind = "rectification"; p.source = src.rawValue; p.sourceID = nil
        p.reason = String(i.description.trimmingSpaces.prefix(200)); p.problemDescription = i.description.trimmingSpaces
        p.aspect = asp.rawValue; p.foundOn = found.iso; p.deadline = deadline.iso; p.leader = i.leader.trimmingSpaces
        p.measures = i.measures.trimmingSpaces.nilIfEmpty; p.status = ProblemStatus.open.rawValue; p.version = 0
        p.createdBy = ctx.actor.name; p.updatedAt = ctx.now
        try await ctx.db.transaction { db in
            try await p.create(on: db)
            try await ctx.audit(on: db, "create", "problem", id: p.idString, label: "\(org.name)：\(p.aspectValue.label)问题", orgID: org.id, orgPath: org.path,
                                after: snapshot(p))
        }
        return p
    }

    /// Corrections while the problem is open: text, leader, measures, and the deadline while it
    /// has not passed. The aspect and the day found are what R-22 counts from, so they stay as
    /// recorded; a deadline already passed stays too (the escalation it caused is history).
    static func update(_ p: ProblemModel, _ i: Input, version: Int?, ctx: Ctx) async throws -> ProblemModel {
        try await requireAbove(p, ctx: ctx, what: "修改该问题")
        guard p.statusValue == .open else { throw AppError.conflict("只有整改中的问题可以修改（当前：\(p.statusValue.label)）") }
        var input = i
        // the source of a problem opened by another module stays as it was
        if let s = p.sourceValue, !ProblemSource.manual.contains(s) { input.source = ProblemSource.quarterly.rawValue }
        if input.aspect.isEmpty { input.aspect = p.aspectValue.rawValue }
        if input.foundOn.isEmpty { input.foundOn = p.foundDay.iso }
        var (src, asp, found, deadline, e) = validate(input, today: ctx.today, manual: true)
        if let a = asp, a != p.aspectValue { e.add("aspect", "问题所属方面登记后不能修改（升级按登记时的方面计算）") }
        if let f = found, f != p.foundDay { e.add("foundOn", "发现日期登记后不能修改") }
        if let d = deadline, d != p.deadlineDay {
            if ctx.today > p.deadlineDay { e.add("deadline", "整改期限（\(p.deadlineDay.iso)）已过，不能再修改") }
            else if d < ctx.today { e.add("deadline", "新的整改期限不能早于今天") }
        }
        guard e.isEmpty, let src, let asp, let found, let deadline else { throw AppError.validation(e) }
        let before = snapshot(p)
        let v = version ?? p.currentVersion
        if ProblemSource.manual.contains(p.sourceValue ?? .quarterly) { p.source = src.rawValue }
        p.aspect = asp.rawValue; p.problemDescription = i.description.trimmingSpaces; p.foundOn = found.iso; p.deadline = deadline.iso
        p.leader = i.leader.trimmingSpaces; p.measures = i.measures.trimmingSpaces.nilIfEmpty; p.updatedAt = ctx.now
        let model = p
        try await ctx.db.transaction { db in
            guard try await db.claimVersion("rectifications", id: model.id!, version: v) else { throw AppError.conflict("该问题已被他人修改，请刷新后再操作", field: "version") }
            model.version = v + 1
            try await model.update(on: db)
            try await ctx.audit(on: db, "update", "problem", id: model.idString, label: "\(model.orgName)：\(model.aspectValue.label)问题", orgID: model.orgID,
                                orgPath: model.orgPath, before: before, after: snapshot(model))
        }
        return p
    }

    /// A step of the ledger: progress and the request for verification by the org or its
    /// supervisors; verification (with evidence on file) or its refusal by a supervisor who did
    /// not ask for it.
    static func step(_ p: ProblemModel, _ step: ProblemStep, text: String, version: Int?, ctx: Ctx) async throws -> ProblemModel {
        if step.needsSupervisor {
            try await requireAbove(p, ctx: ctx, what: "验收")
        } else {
            try await requireOrgOrSupervisor(p, ctx: ctx)
        }
        let t = text.trimmingSpaces
        var e = FieldErrors()
        if t.isEmpty {
            e.add("text", ["progress": "请填写整改进展", "rectified": "请说明整改完成情况", "verify": "请填写验收意见", "reject": "请说明验收不通过的原因"][step.rawValue]!)
        } else if t.unicodeScalars.count > 2000 { e.add("text", "内容不能超过2000个字") }
        guard e.isEmpty else { throw AppError.validation(e) }
        guard let next = step.next(from: p.statusValue) else {
            throw AppError.conflict("该问题当前“\(p.statusValue.label)”，不能“\(step.label)”")
        }
        let steps = try await steps(p, on: ctx.db)
        if step == .verify || step == .reject {
            if let asked = steps.last(where: { $0.stepValue == .rectified }), asked.actorID.map({ $0 == ctx.actor.id }) ?? (asked.actorName == ctx.actor.name) {
                throw await ctx.deny("验收须由申请人以外的督导人员进行", entity: "problem", id: p.idString, label: p.orgName, orgPath: p.orgPath)
            }
        }
        if step == .verify, try await AttachmentModel.query(on: ctx.db).filter(\.$ownerType == "problem").filter(\.$ownerID == p.id!).count() == 0 {
            throw AppError.conflict("验收销号须有整改佐证材料，请先上传", field: "file")
        }
        let v = version ?? p.currentVersion
        let row = ProblemStepModel()
        row.id = UUID(); row.problemID = p.id!; row.seq = (steps.map(\.seq).max() ?? 0) + 1; row.step = step.rawValue
        row.day = ctx.today.iso; row.text = t; row.actorName = ctx.actor.name; row.actorID = ctx.actor.id
        let before = p.statusValue
        p.status = next.rawValue; p.updatedAt = ctx.now
        if step == .verify { p.verifiedOn = ctx.today.iso; p.verifiedBy = ctx.actor.name }
        let model = p
        try await ctx.db.transaction { db in
            guard try await db.claimVersion("rectifications", id: model.id!, version: v) else { throw AppError.conflict("该问题已被他人处理，请刷新后再操作", field: "version") }
            model.version = v + 1
            try await model.update(on: db)
            try await row.create(on: db)
            try await ctx.audit(on: db, step.rawValue, "problem", id: model.idString, label: "\(model.orgName)：\(model.aspectValue.label)问题", orgID: model.orgID,
                                orgPath: model.orgPath, before: ["status": before.label], after: ["status": next.label, "text": t])
        }
        return p
    }

    static func steps(_ p: ProblemModel, on db: any Database) async throws -> [ProblemStepModel] {
        try await ProblemStepModel.query(on: db).filter(\.$problemID == p.id!).sort(\.$seq).all()
    }

    /// A problem opened by another module (rating veto, one star, upheld complaint, brand).
    @discardableResult
    static func openFromModule(orgID: UUID, orgPath: String, orgName: String, year: Int, kind: String, source: ProblemSource, sourceID: String?,
                               aspect: Star, reason: String, days: Int, ctx: Ctx, on db: any Database) async throws -> ProblemModel {
        let p = ProblemModel()
        p.id = UUID(); p.orgID = orgID; p.orgPath = orgPath; p.orgName = orgName; p.year = year; p.kind = kind
        p.source = source.rawValue; p.sourceID = sourceID; p.reason = reason; p.problemDescription = reason
        p.aspect = aspect.rawValue; p.foundOn = ctx.today.iso; p.deadline = ctx.today.adding(days: days).iso
        p.leader = "待明确"; p.status = ProblemStatus.open.rawValue; p.version = 0; p.createdBy = ctx.actor.name; p.updatedAt = ctx.now
        try await p.create(on: db)
        try await ctx.audit(on: db, "create", "problem", id: p.idString, label: "\(orgName) \(p.kindLabel)", orgID: orgID, orgPath: orgPath,
                            after: ["source": source.label, "reason": reason, "deadline": p.deadline ?? ""])
        return p
    }

    static func snapshot(_ p: ProblemModel) -> [String: String] {
        ["source": p.sourceLabel, "aspect": p.aspectValue.label, "description": p.text, "foundOn": p.foundOn ?? "", "deadline": p.deadline ?? "",
         "leader": p.leader ?? "", "measures": p.measures ?? "", "status": p.statusValue.label]
    }

    // MARK: escalation

    struct OrgEscalation: Sendable {
        var orgID: UUID
        var orgPath: String
        var orgName: String
        var state: Escalation.State
        var open: Int
        var assignment: EscalationAssignmentModel?
    }

    /// Every org in scope with problems, and where R-22 puts it today.
    static func escalations(ctx: Ctx, orgID: UUID? = nil) async throws -> [OrgEscalation] {
        let q = ProblemModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readSupervision), path: \.$orgPath)
        if let o = orgID { q.filter(\.$orgID == o) }
        let problems = try await q.all()
        let assignments = try await EscalationAssignmentModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readSupervision), path: \.$orgPath).all()
        var out: [OrgEscalation] = []
        for (oid, ps) in Dictionary(grouping: problems, by: \.orgID) {
            let state = Escalation.state(ps.map(\.escalationProblem), today: ctx.today)
            let a = assignments.first { $0.orgID == oid && $0.level == state.level.rawValue && $0.since == state.since?.iso }
            out.append(OrgEscalation(orgID: oid, orgPath: ps[0].orgPath, orgName: ps[0].orgName, state: state,
                                     open: ps.filter { $0.statusValue != .verified }.count, assignment: a))
        }
        return out.sorted { ($0.state.level, $0.open) > ($1.state.level, $1.open) || (($0.state.level, $0.open) == ($1.state.level, $1.open) && $0.orgPath < $1.orgPath) }
    }

    /// the party-group leader (包联领导) or the work group (工作组) taking charge of the current stage.
    static func assign(org: OrgModel, assignee: String, note: String, ctx: Ctx) async throws -> EscalationAssignmentModel {
        try await ctx.require(.supervise, at: org.path, entity: "escalation", id: org.idString, label: org.name)
        guard let cur = try await escalations(ctx: ctx, orgID: org.id).first, cur.state.level != .none, let since = cur.state.since else {
            throw AppError.conflict("\(org.name)目前不在包联整改或软弱涣散名单中，无需指定")
        }
        var e = FieldErrors()
        let who = Check.required(assignee, "assignee", cur.state.level == .weak ? "工作组成员" : "包联领导", max: 200, into: &e)
        _ = Check.optional(note, "note", "说明", max: 1000, into: &e)
        guard e.isEmpty, let who else { throw AppError.validation(e) }
        let m = cur.assignment ?? EscalationAssignmentModel()
        let before = cur.assignment.map { ["assignee": $0.assignee] }
        if m.id == nil { m.id = UUID(); m.orgID = org.id!; m.orgPath = org.path; m.level = cur.state.level.rawValue; m.since = since.iso }
        m.assignee = who; m.note = note.trimmingSpaces.nilIfEmpty; m.assignedBy = ctx.actor.name
        try await ctx.db.transaction { db in
            try await m.save(on: db)
            try await ctx.audit(on: db, "assign", "escalation", id: org.idString, label: "\(org.name) \(cur.state.level.label)", orgID: org.id, orgPath: org.path,
                                before: before, after: ["assignee": who, "level": cur.state.level.label, "since": since.iso])
        }
        return m
    }
}
