import Vapor
import Fluent
import SQLKit
import Domain

struct DashboardPage: Encodable {
    struct Card: Encodable { var label: String; var value: Int; var href: String?; var tone: String }
    struct TermRow: Encodable { var id: String; var name: String; var typeLabel: String; var due: String; var statusLabel: String; var status: String; var days: Int }
    var roleLabel: String
    var scopeNames: [String]
    var cards: [Card]
    var overdue: [TermRow]
    var dueSoon: [TermRow]
    var statusBars: [Bar]
    var ownMemberID: String?
    var isExpert: Bool
    var rating: RatingPanel?
    var records: [Card]
    var supervision: SupervisionPanel?
    var brand: BrandPanel?
    /// DOMAIN §3: brands by stage, overdue re-reviews and rectifications, comments to moderate; an expert's sheets.
    struct BrandPanel: Encodable { var stages: [Card]; var cards: [Card]; var flags: [BrandFlag]; var tasks: [BrandTask] }
    struct BrandFlag: Encodable { var id: String; var name: String; var text: String; var alert: Bool }
    struct BrandTask: Encodable { var id: String; var name: String; var unit: String; var scored: Bool }
    struct SupervisionPanel: Encodable { var cards: [Card]; var weak: [SupervisionPageController.EscRow]; var weakTotal: Int }
    struct RatingPanel: Encodable { var year: Int; var chart: String; var waiting: [Card]; var unitsTotal: Int; var unitsShown: Int }
    struct Bar: Encodable { var label: String; var count: Int; var width: Int }
}

/// Home page per role: the counts of the user's scope.
struct DashboardController {
    /// Units drawn in the dashboard's star chart; the results page draws them all.
    static let chartUnits = 12

    /// Members per political status inside the subtrees (one GROUP BY, R-1 scoped).
    static func memberCountsByStatus(under roots: [String]?, on db: any Database) async throws -> [String: Int] {
        struct Row: Decodable { var status: String; var n: Int }
        if let roots, roots.isEmpty { return [:] }
        let q = db.sql.select().column("status").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("members")
        q.under(roots)
        let rows = try await q.groupBy("status").all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.status, $0.n) })
    }

    func index(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        // computed and laid out once per user and day until the next write (ViewCache); the session's
        // CSRF token and a flash message go into the layout per request (Request.shell)
        let body = try await req.cachedBody("\(ctx.user.id)|\(ctx.today.iso)", template: "dashboard") {
            try await Self.compute(req, ctx: ctx)
        }
        return try await req.shell(await PageMeta.make(req, title: "工作台"), body: body)
    }

    static func compute(_ req: Request, ctx: Ctx) async throws -> DashboardPage {
        let scope = ctx.scope
        var cards: [DashboardPage.Card] = []
        var overdue: [DashboardPage.TermRow] = [], soon: [DashboardPage.TermRow] = []
        var bars: [DashboardPage.Bar] = []
        let grantOrgIDs = Set(scope.grants.map(\.orgID))
        let grantOrgs = try await OrgModel.query(on: req.db).filter(\.$id ~~ grantOrgIDs.compactMap(UUID.init(uuidString:))).all()
        if scope.allows(.readOrgs) && scope.primaryRole != .member {
            let orgs = try await OrgNode.all(under: scope.roots(for: .readOrgs), includeClosed: false, on: ctx.db)
            let branches = orgs.filter { $0.orgType == .branch || $0.orgType == .generalBranch }
            cards.append(.init(label: "组织总数", value: orgs.count, href: "/orgs", tone: "plain"))
            cards.append(.init(label: "党支部/党总支", value: branches.count, href: "/orgs", tone: "plain"))
            for o in orgs where o.orgType != .group && o.orgType != .partyGroup {
                let t = o.termDue(today: ctx.today)
                let row = DashboardPage.TermRow(id: o.idString, name: o.name, typeLabel: o.orgType.label, due: t.dueDate?.iso ?? "",
                                                statusLabel: t.status.label, status: t.status.rawValue, days: abs(t.daysLeft ?? 0))
                if t.status == .overdue { overdue.append(row) } else if t.status == .dueSoon { soon.append(row) }
            }
            overdue.sort { $0.days > $1.days }
            soon.sort { $0.days < $1.days }
            cards.append(.init(label: "换届超期", value: overdue.count, href: nil, tone: overdue.isEmpty ? "ok" : "alert"))
            cards.append(.init(label: "90天内到期", value: soon.count, href: nil, tone: soon.isEmpty ? "ok" : "warn"))
        }
        if scope.allows(.readMembers) {
            let byStatus = try await Self.memberCountsByStatus(under: scope.roots(for: .readMembers), on: req.db)
            let total = byStatus.values.reduce(0, +)
            cards.insert(.init(label: "党员及发展对象", value: total, href: "/members", tone: "plain"), at: min(2, cards.count))
            let maxN = max(1, byStatus.values.max() ?? 1)
            bars = PoliticalStatus.allCases.map { s in
                let n = byStatus[s.rawValue] ?? 0
                return .init(label: s.label, count: n, width: Int((Double(n) / Double(maxN) * 100).rounded()))
            }
        }
        var panel: DashboardPage.RatingPanel?
        if scope.allows(.readRatings) {
            let year = ctx.today.year
            let (byStage, mine) = try await RatingService.summary(ctx: ctx, year: year)
            var w: [DashboardPage.Card] = [.init(label: "待我办理的评星", value: mine, href: "/ratings?waiting=1", tone: mine == 0 ? "ok" : "warn")]
            for st in [RatingStage.submitted, .unitProposed, .unitRecommended, .countyRecommended, .spotCheck] {
                let n = byStage[st] ?? 0
                if n > 0 { w.append(.init(label: st.label, value: n, href: "/ratings?waiting=0&stage=\(st.rawValue)", tone: "plain")) }
            }
            let inNotice = byStage[.inNotice] ?? 0
            w.append(.init(label: "公示中的候选对象", value: inNotice, href: "/notices", tone: "plain"))
            let units = scope.primaryRole == .branchSecretary ? [] : try await RatingResults.units(year: year, ctx: ctx)
            // a committee over hundreds of units sees the ones furthest from the model-organ share first
            let shown = units.count <= Self.chartUnits ? units
                : Array(units.sorted { ($0.verdict.goodShare, $0.org.code) < ($1.verdict.goodShare, $1.org.code) }.prefix(Self.chartUnits))
            panel = .init(year: year, chart: StarChart.svg(shown), waiting: w, unitsTotal: units.count, unitsShown: shown.count)
        }
        let records = try await Self.recordCards(req, ctx: ctx)
        return DashboardPage(roleLabel: scope.primaryRole?.label ?? "",
                                 scopeNames: grantOrgs.map(\.name).sorted(), cards: cards, overdue: Array(overdue.prefix(10)),
                                 dueSoon: Array(soon.prefix(10)), statusBars: bars, ownMemberID: scope.ownMemberID,
                                 isExpert: scope.primaryRole == .expert, rating: panel, records: records,
                                 supervision: try await Self.supervisionPanel(ctx: ctx), brand: try await Self.brandPanel(ctx: ctx))
    }

    /// Supervision (DOMAIN §7, R-22): the orgs on the 软弱涣散 list by name, the ones under a
    /// leader's charge, overdue problems and risk points not reviewed this year.
    static func supervisionPanel(ctx: Ctx) async throws -> DashboardPage.SupervisionPanel? {
        guard ctx.scope.allows(.readSupervision) else { return nil }
        let esc = try await ProblemService.escalations(ctx: ctx)
        let overdue = try await ProblemService.list(ctx: ctx, filter: .init(overdueOnly: true), paging: Paging(page: 1, per: 1)).1
        let risks = try await RiskService.list(ctx: ctx, filter: .init(flaggedOnly: true)).count
        let weak = esc.filter { $0.state.level == .weak }, leader = esc.filter { $0.state.level == .leader }.count
        let cards: [DashboardPage.Card] = [
            .init(label: "软弱涣散党组织", value: weak.count, href: "/supervision#weak", tone: weak.isEmpty ? "ok" : "alert"),
            .init(label: "党组领导包联整改", value: leader, href: "/supervision#leader", tone: leader == 0 ? "ok" : "warn"),
            .init(label: "逾期未整改问题", value: overdue, href: "/problems?overdue=1", tone: overdue == 0 ? "ok" : "alert"),
            .init(label: "风险点未年度复核", value: risks, href: "/risks?flagged=1", tone: risks == 0 ? "ok" : "warn"),
        ]
        return .init(cards: cards, weak: weak.prefix(10).map { SupervisionPageController.escRow($0, ctx: ctx) }, weakTotal: weak.count)
    }

    static func brandPanel(ctx: Ctx) async throws -> DashboardPage.BrandPanel? {
        if !ctx.scope.allows(.readBrands) {
            guard ctx.scope.grants.contains(where: { $0.role == .expert }) else { return nil }
            let mine = try await BrandExpertModel.query(on: ctx.db).filter(\.$userID == ctx.user.id).all()
            guard !mine.isEmpty else { return nil }
            let brands = try await BrandModel.query(on: ctx.db).filter(\.$id ~~ mine.map(\.brandID)).filter(\.$state == BrandState.preliminary.rawValue).sort(\.$name).all()
            let scored = Set(mine.filter { $0.total != nil }.map(\.brandID))
            return .init(stages: [], cards: [], flags: [], tasks: brands.map { .init(id: $0.idString, name: $0.name, unit: $0.unitName, scored: scored.contains($0.id!)) })
        }
        let all = try await BrandService.list(ctx: ctx)
        let stages: [DashboardPage.Card] = BrandPipelineChart.stages.compactMap { st in
            let here = all.filter { st.states.contains($0.stateValue) }
            guard let first = here.first else { return nil }
            return .init(label: st.label, value: here.count, href: "/brands?state=\(first.state)", tone: "plain")
        }
        var cards: [DashboardPage.Card] = []
        let flags = try await BrandFollowUpService.flags(for: all, today: ctx.today, on: ctx.db)
        let overdue = flags.filter { $0.overdueYear != nil }, late = flags.filter(\.proposeRevocation)
        cards.append(.init(label: "复核逾期", value: overdue.count, href: "/brands?state=named", tone: overdue.isEmpty ? "ok" : "alert"))
        cards.append(.init(label: "整改逾期（建议取消）", value: late.count, href: "/brands?state=rectifying", tone: late.isEmpty ? "ok" : "alert"))
        if ctx.scope.allows(.nameBrands) {
            let pending = try await BrandSelectionService.pending(ctx: ctx).count
            cards.append(.init(label: "待审核评议", value: pending, href: "/brands/comments", tone: pending == 0 ? "ok" : "warn"))
        }
        let rows = flags.compactMap { f -> DashboardPage.BrandFlag? in
            BrandPageController.flagText(f).map { .init(id: f.brand.idString, name: f.brand.name, text: $0, alert: f.proposeRevocation || f.overdueYear != nil) }
        }.filter(\.alert)
        return .init(stages: stages, cards: cards, flags: Array(rows.prefix(10)), tasks: [])
    }

    /// Everyday records (DOMAIN §4–§6): what is overdue or waiting in the user's scope, and
    /// for a member their own tasks, service hours and claimable needs.
    static func recordCards(_ req: Request, ctx: Ctx) async throws -> [DashboardPage.Card] {
        guard ctx.scope.allows(.readRecords) || ctx.user.memberID != nil else { return [] }
        var out: [DashboardPage.Card] = []
        let settings = try await RecordSettings.load(on: req.db)
        let cal = try await CalendarService.calendar(req.application, db: req.db)
        let waiting = try await TaskService.waiting(ctx: ctx, settings: settings, calendar: cal)
        let overdue = waiting.filter { $0.1.contains { $0.state.flagged } }.count
        out.append(.init(label: "超期任务", value: overdue, href: "/tasks#waiting", tone: overdue == 0 ? "ok" : "alert"))
        if ctx.scope.allows(.readRecords) {
            let year = ctx.today.year
            let flags = try await FilingService.statuses(year: year, today: ctx.today, ctx: ctx).filter { $0.duties == .overdue || $0.plan == .overdue }.count
            out.append(.init(label: "\(year)年清单逾期未报", value: flags, href: "/tasks#filing-status", tone: flags == 0 ? "ok" : "alert"))
            // the last finished month's organizational life
            let last = ctx.today.adding(days: -ctx.today.day)
            let missing = try await OrgLifeService.missingCount(ctx: ctx, year: last.year, month: last.month, settings: settings)
            out.append(.init(label: "\(last.month)月组织生活未达标", value: missing, href: "/meetings?year=\(last.year)", tone: missing == 0 ? "ok" : "alert"))
            let pendingService = try await ServiceRecordService.list(ctx: ctx, filter: .init(orgID: nil, memberID: nil, status: .pending, year: year), paging: Paging(page: 1, per: 1)).1
            out.append(.init(label: "待确认服务时长", value: pendingService, href: "/service#pending", tone: pendingService == 0 ? "ok" : "warn"))
            let pendingPoints = try await PointsService.entries(ctx: ctx, filter: .init(orgID: nil, memberID: nil, year: year, status: .pending), paging: Paging(page: 1, per: 1)).1
            out.append(.init(label: "待审核积分", value: pendingPoints, href: "/points#pending", tone: pendingPoints == 0 ? "ok" : "warn"))
        }
        let (demands, _) = try await DemandService.list(ctx: ctx, filter: .init(state: nil, overdueOnly: true, communityID: nil), paging: Paging(page: 1, per: 500))
        let late = demands.filter { DemandWorkflow.isOverdue(state: $0.stateValue, since: $0.since, limits: settings.demandLimits, calendar: cal, today: ctx.today) }.count
        out.append(.init(label: "超时的群众需求", value: late, href: "/demands", tone: late == 0 ? "ok" : "alert"))
        return out
    }
}
