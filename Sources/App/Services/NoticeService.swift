import Vapor
import Fluent
import Domain
import NIOConcurrencyHelpers

/// 公示亮星 (R-4 step 5, R-5): a batch of 4- and 5-star candidates noticed for at least the
/// scheme's working days; complaints during the notice; final only after it has ended.
enum NoticeService {
    static func find(_ id: String, ctx: Ctx, for action: Action = .readRatings) async throws -> NoticeModel {
        let uuid = try id.uuid(or: "公示不存在")
        guard let n = try await NoticeModel.find(uuid, on: ctx.db) else { throw AppError.notFound("公示不存在") }
        try await ctx.require(action, at: n.orgPath, entity: "notice", id: n.idString, label: n.title)
        return n
    }

    static func period(_ n: NoticeModel, calendar: WorkingCalendar) -> NoticePeriod? {
        guard let d = Day(iso: n.startDate) else { return nil }
        return NoticePeriod(start: d, workingDays: n.workingDays, calendar: calendar)
    }

    static func status(_ n: NoticeModel, today: Day) -> String {
        if n.closed { return "closed" }
        guard let s = Day(iso: n.startDate), let e = Day(iso: n.endDate) else { return "open" }
        return today < s ? "scheduled" : (today <= e ? "open" : "ended")
    }

    static func statusLabel(_ s: String) -> String {
        ["closed": "已结束", "scheduled": "未开始", "open": "公示中", "ended": "已期满待确认"][s] ?? s
    }

    /// Candidates (stage `candidate`) under an org for a year, the ones a new notice can list.
    static func candidates(year: Int, under path: String, on db: any Database) async throws -> [RatingModel] {
        try await RatingModel.query(on: db).filter(\.$year == year).filter(\.$stage == RatingStage.candidate.rawValue)
            .filter(\.$branchPath, .contains(inverse: false, .prefix), path).sort(\.$branchPath).all()
    }

    static func create(title: String, orgRef: String, year: Int, start: String, workingDays: Int?, ratingIDs: [String]?,
                       ctx: Ctx, calendar: WorkingCalendar) async throws -> NoticeModel {
        var e = FieldErrors()
        let t = Check.required(title, "title", "公示标题", max: 100, into: &e)
        let startDay = Check.date(start, "startDate", "公示开始日期", required: true, into: &e)
        if let d = startDay, d < ctx.today { e.add("startDate", "公示开始日期不能早于今天") }
        if !(2000...2100).contains(year) { e.add("year", "年度应在2000到2100之间") }
        guard let org = try await OrgService.resolve(orgRef, on: ctx.db) else { e.add("orgId", "组织不存在"); throw AppError.validation(e) }
        try await ctx.require(.manageNotices, at: org.path, entity: "notice", id: nil, label: org.name)
        if !e.isEmpty { throw AppError.validation(e) }
        var list = try await candidates(year: year, under: org.path, on: ctx.db)
        if let ids = ratingIDs, !ids.isEmpty {
            let want = Set(ids.map { $0.lowercased() })
            let unknown = want.subtracting(list.map(\.idString))
            if !unknown.isEmpty { throw AppError.validation(FieldErrors("ratingIds", "有\(unknown.count)个评星记录不是本组织\(year)年度待公示的候选对象")) }
            list = list.filter { want.contains($0.idString) }
        }
        guard !list.isEmpty else { throw AppError.conflict("\(org.name)\(year)年度没有待公示的四星、五星候选对象") }
        // the longest minimum among the schemes involved (R-5: at least 5 working days)
        var minDays = 5
        var schemes: [UUID: RatingScheme] = [:]
        for r in list where schemes[r.roundID] == nil { schemes[r.roundID] = try await RatingService.scheme(for: r, on: ctx.db) }
        minDays = max(minDays, schemes.values.map(\.chain.noticeWorkingDays).max() ?? 5)
        let days = workingDays ?? minDays
        if days < minDays { throw AppError.validation(FieldErrors("workingDays", "公示期不少于\(minDays)个工作日")) }
        if days > 30 { throw AppError.validation(FieldErrors("workingDays", "公示期不超过30个工作日")) }
        guard let period = NoticePeriod(start: startDay!, workingDays: days, calendar: calendar) else {
            throw AppError.validation(FieldErrors("startDate", "无法按工作日计算公示期"))
        }
        let n = NoticeModel()
        n.id = UUID(); n.title = t!; n.year = year; n.orgID = org.id!; n.orgPath = org.path; n.startDate = period.start.iso
        n.workingDays = days; n.endDate = period.end.iso; n.closed = false; n.createdBy = ctx.actor.name
        let chosen = list
        let byRound = schemes
        try await ctx.db.transaction { db in
            try await n.create(on: db)
            for r in chosen {
                r.noticeID = n.id
                try await RatingService.transition(r, .noticeStarted, kind: .county, action: "notice", comment: "列入公示：\(n.title)（\(n.startDate)至\(n.endDate)）",
                                                   scheme: byRound[r.roundID]!, ctx: ctx, in: db)
            }
            try await ctx.audit(on: db, "create", "notice", id: n.idString, label: n.title, orgID: org.id, orgPath: org.path,
                                after: ["start": n.startDate, "end": n.endDate, "workingDays": String(days), "candidates": String(chosen.count)])
        }
        return n
    }

    static func items(_ n: NoticeModel, on db: any Database) async throws -> [RatingModel] {
        try await RatingModel.query(on: db).filter(\.$noticeID == n.id!).sort(\.$branchPath).all()
    }

    /// Ends the notice: only after its last day, and only when every complaint has been verified.
    static func close(_ n: NoticeModel, ctx: Ctx) async throws -> NoticeModel {
        try await ctx.require(.manageNotices, at: n.orgPath, entity: "notice", id: n.idString, label: n.title)
        guard !n.closed else { throw AppError.conflict("该公示已经结束") }
        guard let end = Day(iso: n.endDate), ctx.today > end else {
            throw AppError.conflict("公示期至\(n.endDate)（\(n.workingDays)个工作日），期满前不能结束公示")
        }
        let pending = try await ComplaintModel.query(on: ctx.db).filter(\.$noticeID == n.id!).filter(\.$status == "pending").count()
        if pending > 0 { throw AppError.conflict("还有\(pending)件问题反映未核查，核查后才能结束公示") }
        let list = try await items(n, on: ctx.db).filter { $0.stageValue == .inNotice }
        let rejected = Set(try await ComplaintModel.query(on: ctx.db).filter(\.$noticeID == n.id!).filter(\.$status == "rejected").all().map(\.ratingID))
        n.closed = true; n.closedBy = ctx.actor.name; n.closedAt = ctx.now
        try await ctx.db.transaction { db in
            try await n.update(on: db)
            for r in list {
                let scheme = try await RatingService.scheme(for: r, on: db)
                try await RatingService.transition(r, .noticeEnded, kind: .county, action: "notice_end", comment: rejected.contains(r.id!) ? "公示期满，反映问题经核实不属实，确认星级" : "公示期满无异议，确认星级",
                                                   scheme: scheme, ctx: ctx, in: db)
            }
            try await ctx.audit(on: db, "close", "notice", id: n.idString, label: n.title, orgID: n.orgID, orgPath: n.orgPath,
                                after: ["confirmed": String(list.count)])
        }
        return n
    }

    // MARK: complaints

    static let maxBody = 1000

    /// A complaint from anyone (no login) while the notice runs. The caller rate-limits per IP.
    static func file(_ n: NoticeModel, ratingRef: String, name: String?, contact: String, body: String, ip: String?, ctx: Ctx) async throws -> ComplaintModel {
        guard !n.closed, status(n, today: ctx.today) == "open" else {
            throw AppError.conflict("该公示\(statusLabel(status(n, today: ctx.today)))，公示期（\(n.startDate)至\(n.endDate)）内才能提交问题反映")
        }
        var e = FieldErrors()
        let who = Check.optional(name, "name", "姓名", max: 30, into: &e)
        let c = Check.required(contact, "contact", "联系方式", max: 50, into: &e)
        let text = Check.required(body, "body", "反映内容", max: maxBody, into: &e)
        if let t = text, t.unicodeScalars.count < 10 { e.add("body", "反映内容至少10个字，请写明具体问题") }
        let rid = UUID(uuidString: ratingRef)
        let rating = try await rid.asyncMap { try await RatingModel.find($0, on: ctx.db) } ?? nil
        if rating == nil || rating?.noticeID != n.id { e.add("ratingId", "请选择被反映的公示对象") }
        if !e.isEmpty { throw AppError.validation(e) }
        let x = ComplaintModel()
        x.noticeID = n.id!; x.ratingID = rating!.id!; x.name = who; x.contact = c!; x.body = text!; x.ip = ip; x.status = "pending"
        try await ctx.db.transaction { db in
            try await x.create(on: db)
            try await ctx.audit(on: db, "create", "complaint", id: x.idString, label: "对“\(rating!.branchName)”的问题反映", orgID: rating!.branchID,
                                orgPath: rating!.branchPath, after: ["notice": n.title])
        }
        return x
    }

    static func complaints(_ n: NoticeModel, on db: any Database) async throws -> [ComplaintModel] {
        try await ComplaintModel.query(on: db).filter(\.$noticeID == n.id!).sort(\.$createdAt).all()
    }

    static func findComplaint(_ id: String, ctx: Ctx) async throws -> (ComplaintModel, NoticeModel) {
        let uuid = try id.uuid(or: "问题反映不存在")
        guard let c = try await ComplaintModel.find(uuid, on: ctx.db), let n = try await NoticeModel.find(c.noticeID, on: ctx.db) else {
            throw AppError.notFound("问题反映不存在")
        }
        try await ctx.require(.readRatings, at: n.orgPath, entity: "complaint", id: c.idString, label: n.title)
        return (c, n)
    }

    /// An officer's finding. Upheld: the candidate is disqualified and an accountability record is made.
    static func verify(_ c: ComplaintModel, notice n: NoticeModel, upheld: Bool, note: String, ctx: Ctx) async throws -> ComplaintModel {
        try await ctx.require(.manageNotices, at: n.orgPath, entity: "complaint", id: c.idString, label: n.title)
        guard c.status == "pending" else { throw AppError.conflict("该问题反映已核查（\(c.status == "upheld" ? "属实" : "不属实")）") }
        var e = FieldErrors()
        let why = Check.required(note, "note", "核查结论", max: 1000, into: &e)
        if !e.isEmpty { throw AppError.validation(e) }
        guard let r = try await RatingModel.find(c.ratingID, on: ctx.db) else { throw AppError.notFound("评星记录不存在") }
        if upheld && r.stageValue != .inNotice { throw AppError.conflict("该候选对象当前状态为“\(r.stageValue.label)”，不能再取消资格") }
        c.status = upheld ? "upheld" : "rejected"; c.verdict = why; c.verifiedBy = ctx.actor.name; c.verifiedAt = ctx.now
        let scheme = try await RatingService.scheme(for: r, on: ctx.db)
        try await ctx.db.transaction { db in
            try await c.update(on: db)
            if upheld {
                try await RatingService.transition(r, .disqualify, kind: .county, action: "disqualify", comment: "问题反映查实：\(why!)",
                                                   scheme: scheme, ctx: ctx, in: db)
                try await RatingService.openRectification(orgID: r.branchID, orgPath: r.branchPath, orgName: r.branchName, year: r.year,
                                                          kind: "accountability", source: .ratingComplaint, sourceID: c.idString,
                                                          reason: "公示期间问题反映查实，取消评选资格：\(why!)", scheme: scheme, ctx: ctx, on: db)
            }
            try await ctx.audit(on: db, upheld ? "uphold" : "reject", "complaint", id: c.idString, label: "对“\(r.branchName)”的问题反映",
                                orgID: r.branchID, orgPath: r.branchPath, after: ["status": c.status], note: why)
        }
        return c
    }
}

/// Per-IP limit for anonymous writes (complaints): at most `limit` in `window` seconds.
/// In memory, per process: enough for one server; the table of counters is pruned as it goes.
final class RateLimiter: @unchecked Sendable {
    private let lock = NIOLock()
    private var hits: [String: [Double]] = [:]
    let limit: Int
    let window: Double

    init(limit: Int, window: Double) { self.limit = limit; self.window = window }

    /// Records a hit; false when the key is over its limit.
    func allow(_ key: String, now: Double) -> Bool {
        lock.withLock {
            var list = (hits[key] ?? []).filter { now - $0 < window }
            guard list.count < limit else { hits[key] = list; return false }
            list.append(now)
            hits[key] = list
            if hits.count > 10_000 { hits = hits.filter { !($0.value.last.map { now - $0 >= window } ?? true) } }
            return true
        }
    }
}

extension Application {
    private struct ComplaintLimiterKey: StorageKey { typealias Value = RateLimiter }
    /// 5 complaints per IP per hour; set once in `configure`.
    var complaintLimiter: RateLimiter {
        get { storage[ComplaintLimiterKey.self] ?? RateLimiter(limit: 5, window: 3600) }
        set { storage[ComplaintLimiterKey.self] = newValue }
    }
}

extension Application {
    private struct DemandLimiterKey: StorageKey { typealias Value = RateLimiter }
    /// 10 resident posts (群众点单) per IP per hour; set once in `configure`.
    var demandLimiter: RateLimiter {
        get { storage[DemandLimiterKey.self] ?? RateLimiter(limit: 10, window: 3600) }
        set { storage[DemandLimiterKey.self] = newValue }
    }
}
