import Vapor
import Fluent
import Domain

struct DashboardPage: Encodable {
    struct Card: Encodable { var label: String; var value: Int; var href: String?; var tone: String }
    struct TermRow: Encodable { var id: String; var name: String; var typeLabel: String; var due: String; var statusLabel: String; var status: String; var days: Int }
    var meta: PageMeta
    var roleLabel: String
    var scopeNames: [String]
    var cards: [Card]
    var overdue: [TermRow]
    var dueSoon: [TermRow]
    var statusBars: [Bar]
    var ownMemberID: String?
    var isExpert: Bool
    struct Bar: Encodable { var label: String; var count: Int; var width: Int }
}

/// Home page per role: the counts of the user's scope.
struct DashboardController {
    func index(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let scope = ctx.scope
        var cards: [DashboardPage.Card] = []
        var overdue: [DashboardPage.TermRow] = [], soon: [DashboardPage.TermRow] = []
        var bars: [DashboardPage.Bar] = []
        let grantOrgIDs = Set(scope.grants.map(\.orgID))
        let grantOrgs = try await OrgModel.query(on: req.db).filter(\.$id ~~ grantOrgIDs.compactMap(UUID.init(uuidString:))).all()
        if scope.allows(.readOrgs) && scope.primaryRole != .member {
            let orgs = try await OrgService.all(ctx: ctx, includeClosed: false)
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
            let base = { MemberModel.query(on: req.db).inScope(scope.roots(for: .readMembers), path: \.$orgPath) }
            let total = try await base().count()
            cards.insert(.init(label: "党员及发展对象", value: total, href: "/members", tone: "plain"), at: min(2, cards.count))
            var counts: [(PoliticalStatus, Int)] = []
            for s in PoliticalStatus.allCases { counts.append((s, try await base().filter(\.$status == s.rawValue).count())) }
            let maxN = max(1, counts.map(\.1).max() ?? 1)
            bars = counts.map { .init(label: $0.0.label, count: $0.1, width: Int((Double($0.1) / Double(maxN) * 100).rounded())) }
        }
        let page = DashboardPage(meta: await PageMeta.make(req, title: "工作台"), roleLabel: scope.primaryRole?.label ?? "",
                                 scopeNames: grantOrgs.map(\.name).sorted(), cards: cards, overdue: Array(overdue.prefix(10)),
                                 dueSoon: Array(soon.prefix(10)), statusBars: bars, ownMemberID: scope.ownMemberID,
                                 isExpert: scope.primaryRole == .expert)
        return try await req.view.render("dashboard", page)
    }
}
