import Vapor
import Fluent
import SQLKit
import Domain

/// Responsibility lists and the theme-party-day plan (R-16, R-18: due by 10 January) and
/// the tasks under them with time limits in working days (R-17).
enum FilingService {
    struct Input: Sendable {
        var orgRef: String
        var kind: String
        var year: Int
        var title: String
        var listKind: String
        var post: String
        var holder: String
        var items: [String]
    }

    static func find(_ id: String, ctx: Ctx, for action: Action = .readRecords) async throws -> FilingModel {
        let uuid = try id.uuid(or: "清单不存在")
        guard let f = try await FilingModel.find(uuid, on: ctx.db) else { throw AppError.notFound("清单不存在") }
        try await ctx.require(action, at: f.orgPath, entity: "filing", id: f.idString, label: f.title)
        return f
    }

    static func list(ctx: Ctx, year: Int, org: OrgModel?) async throws -> [FilingModel] {
        let q = FilingModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readRecords), path: \.$orgPath).filter(\.$year == year)
        if let o = org { q.filter(\.$orgID == o.id!) }
        return try await q.sort(\.$orgPath).sort(\.$title).all()
    }

    static func validate(_ i: Input, today: Day) -> (FilingModel.Kind?, DutyListKind?, DutyPost?, FieldErrors) {
        var e = FieldErrors()
        let kind = FilingModel.Kind(rawValue: i.kind)
        if kind == nil { e.add("kind", "请选择类别（责任清单或主题党日年度计划）") }
        if i.year < 2000 || i.year > today.year + 1 { e.add("year", "年度应在2000年到\(today.year + 1)年之间") }
        _ = Check.required(i.title, "title", "标题", max: 100, into: &e)
        var lk: DutyListKind?
        var post: DutyPost?
        if kind == .duties {
            lk = DutyListKind(rawValue: i.listKind)
            if lk == nil { e.add("listKind", "请选择清单类型") }
            if lk == .post {
                post = DutyPost(rawValue: i.post)
                if post == nil { e.add("post", "岗位责任清单须选择岗位") }
            }
            if lk == .member && i.holder.trimmingSpaces.isEmpty { e.add("holder", "党员权责清单须填写党员姓名") }
        }
        _ = Check.optional(i.holder, "holder", "责任人", max: 30, into: &e)
        let items = i.items.map(\.trimmingSpaces).filter { !$0.isEmpty }
        if items.isEmpty { e.add("items", kind == .themePlan ? "请至少填写一项活动安排" : "请至少填写一项职责") }
        if items.count > 200 { e.add("items", "最多200项") }
        if items.contains(where: { $0.unicodeScalars.count > 500 }) { e.add("items", "每项不能超过500个字") }
        return (kind, lk, post, e)
    }

    static func save(_ f: FilingModel?, _ i: Input, ctx: Ctx) async throws -> FilingModel {
        let org = try await OrgService.find(f.map { $0.orgID.uuidString } ?? i.orgRef, ctx: ctx, for: .writeRecords)
        let (kind, lk, post, e) = validate(i, today: ctx.today)
        guard e.isEmpty, let kind else { throw AppError.validation(e) }
        let m = f ?? FilingModel()
        let before = f.map(snapshot)
        if m.id == nil { m.id = UUID(); m.createdBy = ctx.actor.name; m.createdAt = ctx.now }
        m.kind = kind.rawValue; m.year = i.year; m.orgID = org.id!; m.orgPath = org.path; m.orgName = org.name
        m.title = i.title.trimmingSpaces; m.listKind = lk?.rawValue; m.post = post?.rawValue; m.holder = i.holder.trimmingSpaces.nilIfEmpty
        m.items = JSON.encode(i.items.map(\.trimmingSpaces).filter { !$0.isEmpty }); m.updatedAt = ctx.now
        try await ctx.db.transaction { db in
            try await m.save(on: db)
            try await ctx.audit(on: db, f == nil ? "create" : "update", "filing", id: m.idString, label: "\(m.year)年\(m.title)", orgID: org.id, orgPath: org.path,
                                before: before, after: snapshot(m))
        }
        return m
    }

    /// 报送: the date it reached the committee decides on time or late (R-16).
    static func file(_ f: FilingModel, ctx: Ctx) async throws -> FilingModel {
        try await ctx.require(.writeRecords, at: f.orgPath, entity: "filing", id: f.idString, label: f.title)
        guard f.filedOn == nil else { throw AppError.conflict("该清单已于\(f.filedOn!)报送") }
        f.filedOn = ctx.today.iso; f.updatedAt = ctx.now
        let status = YearlyFiling.status(year: f.year, filedOn: ctx.today, today: ctx.today)
        try await ctx.db.transaction { db in
            guard try await db.sql.update("yearly_filings").set("filed_on", to: f.filedOn).set("updated_at", to: ctx.now)
                .where("id", .equal, f.id!).where("filed_on", .is, SQLLiteral.null).returning("id").all().count == 1 else {
                throw AppError.conflict("该清单已由他人报送")
            }
            try await ctx.audit(on: db, "file", "filing", id: f.idString, label: "\(f.year)年\(f.title)", orgID: f.orgID, orgPath: f.orgPath,
                                after: ["filedOn": ctx.today.iso, "status": status.label])
        }
        return f
    }

    /// Copies last year's lists of the orgs in the user's scope as this year's drafts,
    /// skipping any that already exist (same org, kind and title); returns how many.
    static func copyLastYear(to year: Int, ctx: Ctx) async throws -> Int {
        guard ctx.scope.allows(.writeRecords) else { throw await ctx.deny("无权操作：您的角色不能维护清单", entity: "filing") }
        guard (2001...(ctx.today.year + 1)).contains(year) else { throw AppError.validation(FieldErrors("year", "年度应在2001年到\(ctx.today.year + 1)年之间")) }
        let roots = ctx.scope.roots(for: .writeRecords)
        let last = try await FilingModel.query(on: ctx.db).inScope(roots, path: \.$orgPath).filter(\.$year == year - 1).all()
        let existing = try await FilingModel.query(on: ctx.db).inScope(roots, path: \.$orgPath).filter(\.$year == year).all()
        let have = Set(existing.map { "\($0.orgID)|\($0.kind)|\($0.title)" })
        let copies: [FilingModel] = last.compactMap { l in
            let title = l.title.replacingOccurrences(of: String(year - 1), with: String(year))
            guard !have.contains("\(l.orgID)|\(l.kind)|\(title)") else { return nil }
            let m = FilingModel()
            m.id = UUID(); m.kind = l.kind; m.year = year; m.orgID = l.orgID; m.orgPath = l.orgPath; m.orgName = l.orgName
            m.title = title; m.listKind = l.listKind; m.post = l.post; m.holder = l.holder; m.items = l.items
            m.filedOn = nil; m.createdBy = ctx.actor.name; m.createdAt = ctx.now; m.updatedAt = ctx.now
            return m
        }
        guard !copies.isEmpty else { return 0 }
        try await ctx.db.transaction { db in
            for c in copies { try await c.create(on: db) }
            try await ctx.audit(on: db, "create", "filing", id: nil, label: "复制\(year - 1)年清单为\(year)年草稿", orgID: nil, orgPath: roots?.first,
                                after: ["count": String(copies.count), "titles": copies.map(\.title).joined(separator: "、")])
        }
        return copies.count
    }

    static func snapshot(_ f: FilingModel) -> [String: String] {
        ["year": String(f.year), "kind": f.kindValue.label, "title": f.title, "holder": f.holder ?? "", "items": f.itemList.joined(separator: "；"), "filedOn": f.filedOn ?? ""]
    }

    struct OrgStatus: Sendable { var org: OrgNode; var duties: YearlyFiling.Status; var plan: YearlyFiling.Status? }

    /// R-16/R-18 flags: per org in scope that owes lists (party groups, organ committees,
    /// branches), whether its responsibility list and (branches) its theme-day plan came in time.
    static func statuses(year: Int, today: Day, ctx: Ctx) async throws -> [OrgStatus] {
        // plain rows: a committee's scope is 20,000 orgs
        let owing: Set<OrgType> = [.partyGroup, .organCommittee, .generalBranch, .branch]
        let orgs = try await OrgNode.all(under: ctx.scope.roots(for: .readRecords), includeClosed: false, on: ctx.db).filter { owing.contains($0.orgType) }
        // by org: a province's year is 20,000 orgs and twice as many filings
        let filings = Dictionary(grouping: try await list(ctx: ctx, year: year, org: nil), by: \.orgID)
        func first(_ o: OrgNode, _ k: FilingModel.Kind) -> (Bool, Day?) {
            let fs = (filings[o.id] ?? []).filter { $0.kindValue == k }
            let filed = fs.compactMap(\.filedDay).min()
            return (!fs.isEmpty, filed)
        }
        return orgs.map { o in
            let d = first(o, .duties)
            let p = first(o, .themePlan)
            return OrgStatus(org: o, duties: YearlyFiling.status(year: year, filedOn: d.1, today: today),
                             plan: [.branch, .generalBranch].contains(o.orgType) ? YearlyFiling.status(year: year, filedOn: p.1, today: today) : nil)
        }
    }
}

typealias OrgStatus_ = Domain.OrgStatus

enum TaskService {
    struct Input: Sendable {
        var orgRef: String; var listRef: String; var title: String; var source: String; var detail: String
        var ownerRef: String; var ownerName: String; var preset: String; var major: Bool; var start: String
    }

    static func find(_ id: String, ctx: Ctx) async throws -> TaskModel {
        let uuid = try id.uuid(or: "任务不存在")
        guard let t = try await TaskModel.find(uuid, on: ctx.db) else { throw AppError.notFound("任务不存在") }
        if t.ownerMemberID != nil && t.ownerMemberID == ctx.user.memberID { return t }   // the owner reads their own task
        try await ctx.require(.readRecords, at: t.orgPath, entity: "task", id: t.idString, label: t.title)
        return t
    }

    static func create(_ i: Input, ctx: Ctx) async throws -> TaskModel {
        let org = try await OrgService.find(i.orgRef, ctx: ctx, for: .writeRecords)
        let settings = try await RecordSettings.load(on: ctx.db)
        var e = FieldErrors()
        let title = Check.required(i.title, "title", "任务名称", max: 200, into: &e)
        let source = Check.required(i.source, "source", "任务来源", max: 100, into: &e)
        if i.detail.unicodeScalars.count > 5000 { e.add("detail", "任务说明不能超过5000个字") }
        let start = Check.date(i.start, "start", "交办日期", required: true, into: &e)
        if let s = start, s > ctx.today.adding(days: 366) { e.add("start", "交办日期不能晚于一年以后") }
        if settings.preset(i.preset) == nil { e.add("preset", "请选择时限规则") }
        var owner: MemberModel?
        if !i.ownerRef.trimmingSpaces.isEmpty {
            if let u = UUID(uuidString: i.ownerRef.trimmingSpaces), let m = try await MemberModel.find(u, on: ctx.db), m.orgPath.hasPrefix(org.path) { owner = m }
            else { e.add("owner", "责任人须为本组织的党员") }
        } else if i.ownerName.trimmingSpaces.isEmpty { e.add("owner", "请选择或填写责任人") }
        var list: FilingModel?
        if !i.listRef.trimmingSpaces.isEmpty {
            if let u = UUID(uuidString: i.listRef.trimmingSpaces), let l = try await FilingModel.find(u, on: ctx.db), l.orgPath.hasPrefix(org.path) || org.path.hasPrefix(l.orgPath) { list = l }
            else { e.add("list", "所属清单不存在") }
        }
        guard e.isEmpty, let title, let source, let start else { throw AppError.validation(e) }
        let t = TaskModel()
        t.id = UUID(); t.orgID = org.id!; t.orgPath = org.path; t.orgName = org.name; t.listID = list?.id
        t.title = title; t.source = source; t.detail = i.detail.trimmingSpaces.nilIfEmpty
        t.ownerMemberID = owner?.id; t.ownerName = owner?.name ?? String(i.ownerName.trimmingSpaces.prefix(30))
        t.preset = i.preset; t.major = i.major; t.startDate = start.iso; t.status = TaskStatus.open.rawValue
        t.version = 1; t.createdBy = ctx.actor.name; t.createdAt = ctx.now
        try await ctx.db.transaction { db in
            try await t.create(on: db)
            try await ctx.audit(on: db, "create", "task", id: t.idString, label: title, orgID: org.id, orgPath: org.path,
                                after: ["title": title, "owner": t.ownerName, "preset": settings.preset(i.preset)!.name, "major": i.major ? "重大事项" : "一般事项", "start": start.iso])
        }
        return t
    }

    static func events(_ t: TaskModel, on db: any Database) async throws -> [TaskEventModel] {
        try await TaskEventModel.query(on: db).filter(\.$taskID == t.id!).sort(\.$seq).all()
    }

    /// One event: the domain says whether the status allows it; feedback, decisions and the
    /// report of done may come from the owner; plans, closing and reopening from an officer.
    static func record(_ t: TaskModel, kind: TaskEventKind, text: String, planDue: String?, ctx: Ctx) async throws -> TaskModel {
        let isOwner = t.ownerMemberID != nil && t.ownerMemberID == ctx.user.memberID
        let officer = ctx.scope.allows(.writeRecords, at: t.orgPath)
        switch kind {
        case .plan, .close, .reopen:
            guard officer else { throw await ctx.deny("无权操作：\(kind.label)须由交办的党组织办理", entity: "task", id: t.idString, label: t.title, orgPath: t.orgPath) }
        default:
            guard officer || isOwner else { throw await ctx.deny("无权操作：只有责任人或本组织可以\(kind.label)", entity: "task", id: t.idString, label: t.title, orgPath: t.orgPath) }
        }
        guard let next = t.statusValue.after(kind) else { throw AppError.conflict("任务当前为“\(t.statusValue.label)”，不能\(kind.label)") }
        var e = FieldErrors()
        let note = text.trimmingSpaces
        if [.feedback, .done, .reopen, .plan].contains(kind) && note.isEmpty { e.add("text", kind == .reopen ? "请说明退回原因" : "请填写\(kind.label)内容") }
        if note.unicodeScalars.count > 2000 { e.add("text", "内容不能超过2000个字") }
        var due: Day?
        if kind == .plan {
            if !t.major { e.add("planDue", "只有重大事项需要报批方案") }
            due = Check.date(planDue, "planDue", "方案完成期限", required: true, into: &e)
            if let d = due, d < ctx.today { e.add("planDue", "方案完成期限不能早于今天") }
        }
        guard e.isEmpty else { throw AppError.validation(e) }
        let version = t.version
        let before = t.statusValue
        let planDay = due
        t.status = next.rawValue; t.version = version + 1
        if kind == .plan { t.planDue = due?.iso; t.planApprovedOn = ctx.today.iso }
        if kind == .close { t.closedOn = ctx.today.iso }
        try await ctx.db.transaction { db in
            guard try await db.claimVersion("tasks", id: t.id!, version: version) else {
                throw AppError.conflict("该任务已被他人更新，请刷新后再试")
            }
            try await t.save(on: db)
            let ev = TaskEventModel()
            ev.taskID = t.id!; ev.date = ctx.today.iso; ev.kind = kind.rawValue; ev.actorName = ctx.actor.name; ev.createdAt = ctx.now
            ev.text = kind == .plan ? "方案完成期限\(planDay?.iso ?? "")：\(note)" : (note.isEmpty ? kind.label : note)
            ev.seq = try await TaskEventModel.query(on: db).filter(\.$taskID == t.id!).count() + 1
            try await ev.create(on: db)
            try await ctx.audit(on: db, kind == .close ? "close" : "update", "task", id: t.idString, label: t.title, orgID: t.orgID, orgPath: t.orgPath,
                                before: ["status": before.label], after: ["status": next.label, "event": kind.label], note: note.nilIfEmpty)
        }
        return t
    }

    /// R-17 on read: every stage's due day and state, and missing monthly reports.
    static func timeline(_ t: TaskModel, events: [TaskEventModel], settings: RecordSettings, calendar: WorkingCalendar, today: Day)
        -> (stages: [TaskTimeline.Stage], missingMonths: [(year: Int, month: Int)]) {
        let preset = settings.preset(t.preset) ?? .p13710
        let evs = events.map(\.event)
        let stages = TaskTimeline.stages(preset: preset, start: t.start, major: t.major, planDue: t.planDue.flatMap(Day.init(iso:)),
                                         events: evs, calendar: calendar, today: today)
        let missing = TaskTimeline.missingMonthlyFeedback(planApprovedOn: t.planApprovedOn.flatMap(Day.init(iso:)), events: evs,
                                                          closedOn: t.closedOn.flatMap(Day.init(iso:)), today: today)
        return (stages, missing)
    }

    struct Filter: Sendable { var orgID: UUID?; var status: TaskStatus?; var mine: Bool }

    static func list(ctx: Ctx, filter: Filter, paging: Paging) async throws -> ([TaskModel], Int) {
        let q = TaskModel.query(on: ctx.db)
        if filter.mine || !ctx.scope.allows(.readRecords) {
            guard let mid = ctx.user.memberID else { return ([], 0) }
            q.filter(\.$ownerMemberID == mid)
        } else {
            q.inScope(ctx.scope.roots(for: .readRecords), path: \.$orgPath)
        }
        if let o = filter.orgID { q.filter(\.$orgID == o) }
        if let s = filter.status { q.filter(\.$status == s.rawValue) }
        let total = try await q.count()
        return (try await q.sort(\.$status).sort(\.$startDate, .descending).range(paging.range).all(), total)
    }

    /// "Waiting for me": open tasks the user owns or may act on, with their overdue stages.
    static func waiting(ctx: Ctx, settings: RecordSettings, calendar: WorkingCalendar, limit: Int = 200) async throws -> [(TaskModel, [TaskTimeline.Stage])] {
        let q = TaskModel.query(on: ctx.db).filter(\.$status != TaskStatus.closed.rawValue)
        let mid = ctx.user.memberID
        let roots = ctx.scope.roots(for: .writeRecords)
        q.group(.or) { g in
            g.filter(\.$id == UUID(uuidString: "00000000-0000-0000-0000-000000000000")!)
            if let mid { g.filter(\.$ownerMemberID == mid) }
            if let roots { for r in roots { g.filter(\.$orgPath, .custom("LIKE"), r + "%") } } else if ctx.scope.isAdmin { g.filter(\.$orgPath != "") }
        }
        let tasks = try await q.sort(\.$startDate).limit(limit).all()
        let ids = tasks.compactMap(\.id)
        let events = ids.isEmpty ? [] : try await TaskEventModel.query(on: ctx.db).filter(\.$taskID ~~ ids).sort(\.$seq).all()
        let byTask = Dictionary(grouping: events, by: \.taskID)
        return tasks.map { t in (t, timeline(t, events: byTask[t.id!] ?? [], settings: settings, calendar: calendar, today: ctx.today).stages) }
    }
}
