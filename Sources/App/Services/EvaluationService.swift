import Vapor
import Fluent
import SQLKit
import Domain

/// 月晒季评年考 (DOMAIN §8): branches' monthly self-reports, the committee's quarterly
/// scores and the yearly assessment under the weighted scheme (a setting), ranked and published.
enum EvaluationService {
    // MARK: settings

    static let settingsKey = "assessment"

    static func weights(on db: any Database) async throws -> Assessment.Weights {
        guard let row = try await SettingModel.find(settingsKey, on: db) else { return Assessment.Weights() }
        return JSON.decode(Assessment.Weights.self, row.value) ?? Assessment.Weights()
    }

    static func saveWeights(_ w: Assessment.Weights, ctx: Ctx) async throws {
        guard ctx.scope.allows(.manageAssessment) else { throw await ctx.deny("无权修改：年度考核方案由工委设置", entity: "settings") }
        let e = w.validate()
        guard e.isEmpty else { throw AppError.validation(e) }
        try await SettingModel.store(settingsKey, label: "年度考核方案", before: try await weights(on: ctx.db), after: w, ctx: ctx)
    }

    // MARK: 月晒

    static func findReport(_ id: String, ctx: Ctx, for action: Action) async throws -> SelfReportModel {
        let uuid = try id.uuid(or: "月晒不存在")
        guard let r = try await SelfReportModel.find(uuid, on: ctx.db) else { throw AppError.notFound("月晒不存在") }
        try await ctx.require(action, at: r.orgPath, entity: "report", id: r.idString, label: r.orgName)
        return r
    }

    /// Submits or corrects a branch's report for a month. The first submission day decides on
    /// time or late; a later correction changes the text (audited), never that day.
    static func submitReport(orgRef: String, year: Int, month: Int, text: String, ctx: Ctx) async throws -> SelfReportModel {
        let org = try await ctx.org(orgRef, for: .writeRecords, entity: "report", missing: "请选择支部")
        var e = FieldErrors()
        if ![.branch, .generalBranch].contains(org.orgType) { e.add("org", "月晒由党支部（党总支）报送") }
        if !(1...12).contains(month) { e.add("month", "月份应为1到12") }
        else if year > ctx.today.year || (year == ctx.today.year && month > ctx.today.month) || year < 2000 { e.add("month", "不能报送尚未开始的月份") }
        let t = Check.required(text, "text", "月晒内容", max: 5000, into: &e)
        guard e.isEmpty, let t else { throw AppError.validation(e) }
        let existing = try await SelfReportModel.query(on: ctx.db).filter(\.$orgID == org.id!).filter(\.$year == year).filter(\.$month == month).first()
        let r = existing ?? SelfReportModel()
        let before = existing.map { ["text": $0.text] }
        if r.id == nil {
            r.id = UUID(); r.orgID = org.id!; r.orgPath = org.path; r.orgName = org.name; r.year = year; r.month = month
            r.submittedOn = ctx.today.iso; r.submittedBy = ctx.actor.name
        }
        r.text = t; r.updatedAt = ctx.now
        try await ctx.db.transaction { db in
            try await r.save(on: db)
            try await ctx.audit(on: db, existing == nil ? "create" : "update", "report", id: r.idString, label: "\(org.name) \(year)年\(month)月月晒",
                                orgID: org.id, orgPath: org.path, before: before, after: ["text": t])
        }
        return r
    }

    static func reports(ctx: Ctx, year: Int, orgID: UUID?) async throws -> [SelfReportModel] {
        guard ctx.scope.allows(.readSupervision) || ctx.scope.allows(.writeRecords) else { throw await ctx.deny("无权查看月晒", entity: "report") }
        let roots = ctx.scope.allows(.readSupervision) ? ctx.scope.roots(for: .readSupervision) : ctx.scope.roots(for: .writeRecords)
        let q = SelfReportModel.query(on: ctx.db).inScope(roots, path: \.$orgPath).filter(\.$year == year)
        if let o = orgID { q.filter(\.$orgID == o) }
        return try await q.sort(\.$orgPath).sort(\.$month).all()
    }

    enum ReportState: String, Sendable {
        case onTime, late, missing, pending, notDue
        var label: String { ["onTime": "按时", "late": "逾期", "missing": "未报", "pending": "待报", "notDue": "—"][rawValue]! }
    }

    static func reportState(_ r: SelfReportModel?, year: Int, month: Int, dueDay: Int, today: Day) -> ReportState {
        let due = Assessment.reportDue(year: year, month: month, dueDay: dueDay)
        if let r { return (Day(iso: r.submittedOn) ?? today) <= due ? .onTime : .late }
        if today > due { return .missing }
        return Day(year: year, month: month, day: 1)! <= today ? .pending : .notDue
    }

    // MARK: 季评

    static func scoreQuarter(orgRef: String, year: Int, quarter: Int, score: String, comment: String, version: Int?, ctx: Ctx) async throws -> QuarterScoreModel {
        let org = try await ctx.org(orgRef, for: .supervise, entity: "quarter", missing: "请选择支部")
        var (v, e) = Assessment.validateQuarter(year: year, quarter: quarter, score: score, comment: comment, today: ctx.today)
        if ![.branch, .generalBranch].contains(org.orgType) { e.add("org", "季评对象为党支部（党总支）"); v = nil }
        guard e.isEmpty, let v else { throw AppError.validation(e) }
        let existing = try await QuarterScoreModel.query(on: ctx.db).filter(\.$orgID == org.id!).filter(\.$year == year).filter(\.$quarter == quarter).first()
        if let x = existing, let given = version, given != x.version { throw AppError.conflict("该季度评分已被他人修改，请刷新后再操作", field: "version") }
        let m = existing ?? QuarterScoreModel()
        let before = existing.map { ["score": String($0.score), "comment": $0.comment ?? ""] }
        let oldVersion = m.id == nil ? nil : m.version
        if m.id == nil { m.id = UUID(); m.orgID = org.id!; m.orgPath = org.path; m.orgName = org.name; m.year = year; m.quarter = quarter; m.version = 0 }
        m.score = v; m.comment = comment.trimmingSpaces.nilIfEmpty; m.scoredBy = ctx.actor.name; m.updatedAt = ctx.now
        let model = m
        try await ctx.db.transaction { db in
            try await db.saveVersioned(model, id: model.id!, isNew: oldVersion == nil, table: "quarter_scores", version: oldVersion ?? 0, what: "该季度评分") { model.version = $0 }
            try await ctx.audit(on: db, "score", "quarter", id: model.id?.uuidString.lowercased(), label: "\(org.name) \(year)年第\(quarter)季度", orgID: org.id,
                                orgPath: org.path, before: before, after: ["score": String(v), "comment": model.comment ?? ""])
        }
        return m
    }

    static func quarterScores(ctx: Ctx, year: Int) async throws -> [QuarterScoreModel] {
        try await QuarterScoreModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readSupervision), path: \.$orgPath).filter(\.$year == year).all()
    }

    // MARK: 年考

    struct Row: Sendable, Codable, Equatable {
        var orgId: String
        var orgName: String
        var orgPath: String
        var parts: [String: Double]
        var total: Double
        var rank: Int
        var notes: [String]
    }

    /// The branches in scope, scored for the year and ranked (shared ranks).
    static func assess(year: Int, ctx: Ctx, under root: String? = nil) async throws -> [Row] {
        guard ctx.scope.allows(.readSupervision) else { throw await ctx.deny("无权查看年度考核", entity: "assessment") }
        let w = try await weights(on: ctx.db)
        let roots = root.map { [$0] } ?? ctx.scope.roots(for: .readSupervision)
        let branches = try await OrgModel.query(on: ctx.db).inScope(roots, path: \.$path)
            .filter(\.$type ~~ [OrgType.branch.rawValue, OrgType.generalBranch.rawValue]).filter(\.$status == OrgStatus.active.rawValue).sort(\.$path).all()
        let reports = try await reports(ctx: ctx, year: year, orgID: nil)
        let scores = try await quarterScores(ctx: ctx, year: year)
        let settings = try await RecordSettings.load(on: ctx.db)
        let tallies = settings.since == nil ? [:] : try await MeetingTallies.ofYear(year, orgIDs: branches.compactMap(\.id), on: ctx.db)
        let levels = try await decidedLevels(year: year, ctx: ctx)
        let satisfaction = try await SurveyService.satisfactionByOrg(year: year, on: ctx.db)
        let brands = try await BrandFollowUpService.brandStatus(branchPaths: branches.map(\.path), year: year, on: ctx.db)
        let allDue = Assessment.monthsDue(year: year, today: ctx.today, dueDay: w.reportDueDay)
        let rows: [Row] = branches.map { b in
            // a month counts once the branch existed (and the platform kept records) by its end
            let start = [b.foundedOn.flatMap(Day.init(iso:)), settings.since].compactMap { $0 }.max()
            let due = allDue.filter { m in start.map { $0 <= Day(year: year, month: m, day: 1)!.adding(months: 1).adding(days: -1) } ?? true }
            let mine = reports.filter { $0.orgID == b.id }
            let states = due.map { m in reportState(mine.first { $0.month == m }, year: year, month: m, dueDay: w.reportDueDay, today: ctx.today) }
            let qs = scores.filter { $0.orgID == b.id }.sorted { $0.quarter < $1.quarter }.map(\.score)
            let compliance = settings.since == nil ? nil
                : OrgLifeCompliance.share(OrgLifeService.calendar(b, tally: tallies[b.id!] ?? .init(), year: year, settings: settings, today: ctx.today))
            // the nearest survey of the branch itself or of the unit above it
            let sat = satisfaction.filter { b.path.hasPrefix($0.key) }.max { $0.key.count < $1.key.count }?.value
            let f = Assessment.Facts(monthsDue: due.count, reportsOnTime: states.filter { $0 == .onTime }.count, reportsLate: states.filter { $0 == .late }.count,
                                     quarterScores: qs, quartersDue: Assessment.quartersOver(year: year, today: ctx.today), level: levels[b.id!],
                                     brand: brands[b.path] ?? Assessment.BrandStatus.none, compliance: compliance, satisfaction: sat)
            let s = Assessment.score(f, weights: w)
            return Row(orgId: b.idString, orgName: b.name, orgPath: b.path, parts: Dictionary(uniqueKeysWithValues: s.parts.map { ($0.key.rawValue, ($0.value * 10).rounded() / 10) }),
                       total: s.total, rank: 0, notes: s.notes)
        }
        return Assessment.rank(rows, by: \.total).map { var r = $0.0; r.rank = $0.1; return r }
    }

    /// The decided level of each branch's rating of the year (R-3…R-8, under the market cap).
    static func decidedLevels(year: Int, ctx: Ctx) async throws -> [UUID: Int] {
        var out: [UUID: Int] = [:]
        for u in try await RatingResults.units(year: year, ctx: ctx) {
            for b in u.branches where b.decided { out[b.org.id] = b.effective.level }
        }
        return out
    }

    struct Published: Codable, Sendable {
        var weights: Assessment.Weights
        var rows: [Row]
    }

    /// Freezes today's ranking of the user's scope as the published result of the year.
    static func publish(year: Int, ctx: Ctx) async throws -> AssessmentPublicationModel {
        guard ctx.scope.allows(.manageAssessment), let rootID = ctx.scope.grants.first(where: { $0.role.allows(.manageAssessment) })?.orgID,
              let root = try await OrgService.resolve(rootID, on: ctx.db) else {
            throw await ctx.deny("无权发布：年度考核排名由工委发布", entity: "assessment")
        }
        guard (2000...ctx.today.year).contains(year) else { throw AppError.validation(FieldErrors("year", "年度应在2000年到\(ctx.today.year)年之间")) }
        let rows = try await assess(year: year, ctx: ctx, under: root.path)
        guard !rows.isEmpty else { throw AppError.conflict("范围内没有可考核的党支部") }
        let p = AssessmentPublicationModel()
        p.id = UUID(); p.year = year; p.orgID = root.id!; p.orgPath = root.path; p.orgName = root.name
        p.body = JSON.encode(Published(weights: try await weights(on: ctx.db), rows: rows)); p.publishedBy = ctx.actor.name; p.publishedAt = ctx.now
        try await ctx.db.transaction { db in
            try await p.create(on: db)
            try await ctx.audit(on: db, "publish", "assessment", id: p.id?.uuidString.lowercased(), label: "\(year)年度考核排名", orgID: root.id, orgPath: root.path,
                                after: ["rows": String(rows.count), "first": rows.first.map { "\($0.orgName) \($0.total)" } ?? ""])
        }
        return p
    }

    /// The latest published ranking covering the user's orgs (what every member may see).
    static func published(year: Int, ctx: Ctx) async throws -> (AssessmentPublicationModel, Published)? {
        let all = try await AssessmentPublicationModel.query(on: ctx.db).filter(\.$year == year).sort(\.$publishedAt, .descending).all()
        let mine = ctx.scope.grants.map(\.orgPath)
        guard let p = all.first(where: { pub in mine.contains { $0.hasPrefix(pub.orgPath) || pub.orgPath.hasPrefix($0) } }),
              let body = JSON.decode(Published.self, p.body) else { return nil }
        return (p, body)
    }
}
