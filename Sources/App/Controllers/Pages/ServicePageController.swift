import Vapor
import Fluent
import Domain

/// 双报到 service hours: a member records their hours from a phone; the branch
/// confirms them and sees each member's months against the 2-hour target.
struct ServicePageController {
    struct RecordRow: Encodable { var id: String; var date: String; var member: String; var community: String; var hours: String; var activity: String; var status: String; var statusLabel: String; var canDecide: Bool; var confirmLink: String? }
    struct Cell: Encodable { var status: String; var text: String; var title: String }
    struct GridRow: Encodable { var name: String; var cells: [Cell]; var met: Int; var short: Int }
    struct Page: Encodable {
        var meta: PageMeta
        var year: Int
        var years: [SelectOption]
        var form: FormState
        var communities: [SelectOption]
        var members: [SelectOption]
        var canRecordOthers: Bool
        var isMember: Bool
        var pending: [RecordRow]
        var mine: [RecordRow]
        var branches: [SelectOption]
        var branchName: String?
        var grid: [GridRow]
        var target: String
        var monthSummary: [String]
    }

    static let keys = ["member", "community", "date", "hours", "activity"]

    func index(_ req: Request) async throws -> View { try await render(req, form: FormState(values: ["date": req.today.iso], keys: Self.keys)) }

    func render(_ req: Request, form: FormState) async throws -> View {
        let ctx = try req.ctx()
        guard ctx.scope.allows(.readRecords) || ctx.user.memberID != nil else { throw await ctx.deny("无权访问：您的账号未关联党员", entity: "service") }
        let year = try req.yearQuery(ctx)
        let settings = try await RecordSettings.load(on: req.db)
        let communities = try await DemandService.publicCommunities(on: req.db)
        let cname = Dictionary(uniqueKeysWithValues: communities.map { ($0.id!, $0.name) })
        func row(_ r: ServiceRecordModel) -> RecordRow {
            RecordRow(id: r.idString, date: r.date, member: r.memberName, community: cname[r.communityID] ?? "", hours: ServiceCheck.hours(r.minutes), activity: r.activity,
                      status: r.status, statusLabel: r.statusValue.label, canDecide: r.statusValue == .pending && ctx.scope.allows(.writeRecords, at: r.orgPath) && r.memberID != ctx.user.memberID,
                      confirmLink: RecordAPIController.showsLink(r, ctx: ctx) ? r.confirmToken.map { "/public/service/\($0)" } : nil)
        }
        var mine: [RecordRow] = []
        if let mid = ctx.user.memberID {
            mine = try await ServiceRecordModel.query(on: req.db).filter(\.$memberID == mid).sort(\.$date, .descending).limit(50).all().map(row)
        }
        var pending: [RecordRow] = []
        var members: [SelectOption] = []
        var branches: [OrgModel] = []
        var grid: [GridRow] = []
        var branch: OrgModel?
        var monthSummary: [String] = []
        if ctx.scope.allows(.readRecords) {
            pending = try await ServiceRecordService.list(ctx: ctx, filter: .init(orgID: nil, memberID: nil, status: .pending, year: year), paging: Paging(page: 1, per: 100)).0.map(row)
            branches = try await OrgModel.query(on: req.db).inScope(ctx.scope.roots(for: .readRecords), path: \.$path)
                .filter(\.$type ~~ [OrgType.branch.rawValue, OrgType.generalBranch.rawValue]).filter(\.$status == Domain.OrgStatus.active.rawValue).sort(\.$path).all()
            if let ref = try? req.query.get(String.self, at: "org"), !ref.isEmpty { branch = try await OrgService.find(ref, ctx: ctx, for: .readRecords) }
            else if let own = ctx.scope.grants.first(where: { $0.role == .branchSecretary }) { branch = branches.first { $0.idString == own.orgID } }
            else { branch = branches.first }
            if let b = branch {
                let rows = try await ServiceRecordService.check(branch: b, year: year, ctx: ctx)
                grid = rows.map { r in
                    GridRow(name: r.member.name, cells: r.months.enumerated().map { i, m in
                        Cell(status: m.status.rawValue, text: m.status == .exempt ? "—" : String(format: "%.1f", Double(m.minutes) / 60),
                             title: "\(i + 1)月：\(ServiceCheck.hours(m.minutes))，应\(ServiceCheck.hours(m.required))，\(m.status.label)")
                    }, met: r.months.filter { $0.status == .met }.count, short: r.months.filter { $0.status == .short }.count)
                }
                monthSummary = (0..<12).map { i in
                    let owed = rows.filter { [.met, .short].contains($0.months[i].status) }
                    return owed.isEmpty ? "—" : "\(owed.filter { $0.months[i].status == .met }.count)/\(owed.count)"
                }
            }
            if ctx.scope.allows(.writeRecords) {
                members = try await Options.members(ctx: ctx, selected: Set([form.values["member"] ?? ""]), serving: true)
            }
        }
        return try await req.view.render("service/index", Page(
            meta: await PageMeta.make(req, title: "双报到服务", crumbs: [("双报到服务", nil)]), year: year, years: Options.years(selected: year, ctx: ctx), form: form,
            communities: communities.map { SelectOption(value: $0.idString, label: $0.name, selected: $0.idString == form.values["community"]) },
            members: members, canRecordOthers: !members.isEmpty, isMember: ctx.user.memberID != nil, pending: pending, mine: mine,
            branches: Options.orgs(branches, selected: branch?.idString), branchName: branch?.name, grid: grid,
            target: ServiceCheck.hours(settings.service.monthlyMinutes), monthSummary: monthSummary))
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            let r = try await ServiceRecordService.record(memberRef: f["member"] ?? "", communityRef: f["community"] ?? "", date: f["date"] ?? "", hours: f["hours"] ?? "", activity: f["activity"] ?? "", ctx: ctx)
            req.flash(r.statusValue == .pending ? "已登记\(ServiceCheck.hours(r.minutes))服务，待支部确认" : "已登记并确认\(r.memberName)的\(ServiceCheck.hours(r.minutes))服务")
            return req.redirect(to: "/service")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await render(req, form: FormState(values: f, errors: fe, keys: Self.keys)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func decide(_ req: Request, confirm: Bool) async throws -> Response {
        let ctx = try req.ctx()
        let r = try await ServiceRecordService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return try await req.flashing(back: "/service") {
            _ = try await ServiceRecordService.decide(r, confirm: confirm, ctx: ctx)
            return confirm ? "已确认\(r.memberName)的服务时长" : "已退回\(r.memberName)的服务记录"
        }
    }

    // MARK: the community contact (no login)

    struct ConfirmPage: Encodable {
        var meta: PageMeta; var token: String; var member: String; var community: String; var date: String; var hours: String; var activity: String
        var form: FormState
    }

    func confirmPage(_ req: Request) async throws -> View { try await renderConfirm(req, form: FormState(keys: ["contact"])) }

    func renderConfirm(_ req: Request, form: FormState) async throws -> View {
        let r = try await ServiceRecordService.byToken(req.parameters.get("token") ?? "", on: req.db)
        let c = try await CommunityModel.find(r.communityID, on: req.db)
        return try await req.view.render("service/confirm", ConfirmPage(meta: await PageMeta.make(req, title: "社区服务确认"), token: r.confirmToken ?? "",
                                                                          member: r.memberName, community: c?.name ?? "", date: r.date, hours: ServiceCheck.hours(r.minutes),
                                                                          activity: r.activity, form: form))
    }

    func confirmPost(_ req: Request) async throws -> Response {
        let r = try await ServiceRecordService.byToken(req.parameters.get("token") ?? "", on: req.db)
        let f = try req.formFields()
        var e = FieldErrors()
        guard let who = Check.required(f["contact"], "contact", "确认人", max: 30, into: &e) else {
            return try await renderConfirm(req, form: FormState(values: f, errors: e, keys: ["contact"])).encodeResponse(status: .unprocessableEntity, for: req)
        }
        let confirm = f["decision"] == "confirm"
        // a logged-in visitor acts as themselves (so a member cannot confirm their own hours); others are anonymous
        let ctx = (try? req.ctx()) ?? .anonymous(req)
        _ = try await ServiceRecordService.decide(r, confirm: confirm, ctx: ctx, contact: who)
        return req.redirect(to: "/public/service/done?ok=\(confirm ? 1 : 0)")
    }

    func confirmDone(_ req: Request) async throws -> View {
        struct Done: Encodable { var meta: PageMeta; var ok: Bool }
        return try await req.view.render("service/confirm_done", Done(meta: await PageMeta.make(req, title: "社区服务确认"), ok: Check.bool(try? req.query.get(String.self, at: "ok"))))
    }
}
