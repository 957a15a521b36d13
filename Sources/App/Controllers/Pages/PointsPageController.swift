import Vapor
import Fluent
import Domain

/// 积分 (R-19): the branch ranking, entries and their approval, the award form, and one
/// member's balance and history (a member sees their own).
struct PointsPageController {
    struct EntryRow: Encodable {
        var id: String; var date: String; var member: String; var memberID: String; var item: String; var points: Int; var signed: String
        var reason: String; var status: String; var statusLabel: String; var proposedBy: String; var canDecide: Bool
    }
    struct RankRow: Encodable { var rank: Int; var name: String; var members: Int; var total: Int; var average: String }

    struct Page: Encodable {
        var meta: PageMeta
        var year: Int
        var years: [SelectOption]
        var member: String?
        var memberID: String?
        var balance: Int?
        var ranking: [RankRow]
        var pending: [EntryRow]
        var entries: [EntryRow]
        var pager: Pager
        var canAward: Bool
        var members: [SelectOption]
        var rules: [SelectOption]
        var form: FormState
        var ruleHelp: [String]
    }

    static let keys = ["member", "rule", "reason", "date"]

    func row(_ e: PointEntryModel, ctx: Ctx) -> EntryRow {
        EntryRow(id: e.idString, date: e.date, member: e.memberName, memberID: e.memberID.uuidString.lowercased(), item: e.item, points: e.points,
                 signed: e.points > 0 ? "+\(e.points)" : "\(e.points)", reason: e.reason, status: e.status, statusLabel: e.statusValue.label,
                 proposedBy: e.proposedBy, canDecide: e.statusValue == .pending && e.proposerID != ctx.user.id.uuidString && ctx.scope.allows(.writeRecords, at: e.orgPath))
    }

    func index(_ req: Request) async throws -> View { try await render(req, form: FormState(values: ["date": req.today.iso], keys: Self.keys)) }

    func render(_ req: Request, form: FormState, status: HTTPStatus = .ok) async throws -> View {
        let ctx = try req.ctx()
        let year = try req.yearQuery(ctx)
        let paging = try Paging(req, defaultPer: 30)
        var member: MemberModel?
        if let ref = try? req.query.get(String.self, at: "member"), !ref.isEmpty { member = try await MemberService.find(ref, ctx: ctx, for: .readRecords) }
        else if !ctx.scope.allows(.readRecords) {
            guard let own = ctx.user.memberID else { throw await ctx.deny("无权访问：您的角色不能查看积分", entity: "points") }
            member = try await MemberService.find(own.uuidString, ctx: ctx, for: .readRecords)
        }
        let (rows, total) = try await PointsService.entries(ctx: ctx, filter: .init(orgID: nil, memberID: member?.id, year: year, status: nil), paging: paging)
        var pending: [PointEntryModel] = []
        var ranking: [RankRow] = []
        var members: [SelectOption] = []
        let settings = try await RecordSettings.load(on: req.db)
        let canAward = ctx.scope.allows(.writeRecords)
        if ctx.scope.allows(.readRecords) && member == nil {
            pending = try await PointsService.entries(ctx: ctx, filter: .init(orgID: nil, memberID: nil, year: year, status: .pending), paging: Paging(page: 1, per: 50)).0
            ranking = try await PointsService.ranking(year: year, ctx: ctx).map {
                RankRow(rank: $0.rank, name: $0.name, members: $0.members, total: $0.total, average: String(format: "%.1f", $0.average))
            }
        }
        if canAward {
            members = try await Options.members(ctx: ctx, selected: Set([form.values["member"], member?.idString].compactMap { $0 }))
        }
        let manual = settings.pointRules.filter { $0.enabled && $0.source == .manual }
        let title = member.map { "\($0.name)的积分" } ?? "党员积分"
        return try await req.view.render("points/index", Page(
            meta: await PageMeta.make(req, title: title, crumbs: member == nil ? [("积分", nil)] : [("积分", "/points"), (member!.name, nil)]),
            year: year, years: Options.years(selected: year, ctx: ctx), member: member?.name, memberID: member?.idString,
            balance: try await member.asyncMap { try await PointsService.balance(memberID: $0.id!, year: year, on: req.db) },
            ranking: ranking, pending: pending.map { row($0, ctx: ctx) }, entries: rows.map { row($0, ctx: ctx) },
            pager: Pager(total: total, paging: paging, baseQuery: [("year", String(year))] + (member.map { [("member", $0.idString)] } ?? []), path: "/points"),
            canAward: canAward, members: members,
            rules: manual.map { SelectOption(value: $0.key, label: "\($0.item)（\($0.points > 0 ? "+" : "")\($0.points)）", selected: $0.key == form.values["rule"]) },
            form: form,
            ruleHelp: settings.pointRules.filter(\.enabled).map { "\($0.item) \($0.points > 0 ? "+" : "")\($0.points)分（\($0.source == .manual ? "\($0.awardedBy.label)及以上录入\($0.needsApproval ? "，须审核" : "")" : "系统自动计分")）" }))
    }

    func award(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            let e = try await PointsService.award(memberRef: f["member"] ?? "", ruleKey: f["rule"] ?? "", reason: f["reason"] ?? "", date: f["date"] ?? "", ctx: ctx)
            req.flash(e.statusValue == .pending ? "已录入，待审核后生效" : "已录入并生效")
            return req.redirect(to: "/points")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await render(req, form: FormState(values: f, errors: fe, keys: Self.keys)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func decide(_ req: Request, approve: Bool) async throws -> Response {
        let ctx = try req.ctx()
        let e = try await PointsService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeRecords)
        return try await req.flashing(back: "/points") {
            _ = try await PointsService.decide(e, approve: approve, ctx: ctx)
            return approve ? "已审核通过：\(e.memberName) \(e.item)" : "已审核不通过：\(e.memberName) \(e.item)"
        }
    }
}
