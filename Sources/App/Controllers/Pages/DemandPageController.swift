import Vapor
import Fluent
import Domain

/// Pages of the demand workflow (R-21): the resident's phone-friendly form and tracking
/// page (no login), and the worklist and detail page of communities, units and members.
struct DemandPageController {
    static let postKeys = ["community", "title", "content", "name", "phone", "address"]

    struct Step: Encodable { var date: String; var action: String; var note: String?; var actor: String? }

    struct PublicFormPage: Encodable {
        var meta: PageMeta
        var communities: [SelectOption]
        var form: FormState
        var lookupError: String?
    }

    struct TrackPage: Encodable {
        var meta: PageMeta
        /// The same view of the need as the public API gives.
        var d: DemandPublicDTO
        var starGlyphs: String
        var canRate: Bool
        var isNew: Bool
        var rated: Bool
        var form: FormState
        /// A refusal that is not about a field (e.g. rated already from another tab).
        var notice: String?
    }

    // MARK: resident

    func publicForm(_ req: Request) async throws -> View {
        try await renderForm(req, form: FormState(keys: Self.postKeys))
    }

    func renderForm(_ req: Request, form: FormState, lookupError: String? = nil) async throws -> View {
        let cs = try await DemandService.publicCommunities(on: req.db)
        let sel = form.values["community"] ?? ""
        return try await req.view.render("demands/public_form", PublicFormPage(
            meta: await PageMeta.make(req, title: "群众点单"),
            communities: cs.map { c in SelectOption(value: c.idString, label: c.street.map { "\(c.name)（\($0)）" } ?? c.name, selected: c.idString == sel) },
            form: form, lookupError: lookupError))
    }

    func publicPost(_ req: Request) async throws -> Response {
        let f = try req.formFields()
        do {
            try RecordAPIController.limitPosts(req)
            let d = try await DemandService.post(.init(community: f["community"] ?? "", title: f["title"] ?? "", content: f["content"] ?? "",
                                                       name: f["name"] ?? "", phone: f["phone"] ?? "", address: f["address"] ?? ""),
                                                 ip: req.remoteAddress?.ipAddress, ctx: .anonymous(req))
            return req.redirect(to: "/public/demands/\(d.code)?new=1")
        } catch AppError.validation(let e) {
            return try await renderForm(req, form: FormState(values: f, errors: e, keys: Self.postKeys)).encodeResponse(status: .unprocessableEntity, for: req)
        } catch AppError.rateLimited(let m) {
            return try await renderForm(req, form: FormState(values: f, errors: FieldErrors("content", m), keys: Self.postKeys)).encodeResponse(status: .tooManyRequests, for: req)
        }
    }

    /// 查询进度: the code typed on the form page.
    func lookup(_ req: Request) async throws -> Response {
        let code = DemandService.normalize((try? req.query.get(String.self, at: "code")) ?? "")
        if (try? await DemandService.byCode(code, on: req.db)) != nil { return req.redirect(to: "/public/demands/\(code)") }
        return try await renderForm(req, form: FormState(keys: Self.postKeys), lookupError: "没有找到该查询码对应的需求，请核对后再试").encodeResponse(status: .notFound, for: req)
    }

    func track(_ req: Request) async throws -> View {
        try await renderTrack(req, form: FormState(keys: ["stars", "comment"]))
    }

    func renderTrack(_ req: Request, form: FormState, notice: String? = nil) async throws -> View {
        let d = try await DemandService.byCode(req.parameters.get("code") ?? "", on: req.db)
        let p = try await RecordAPIController.publicDTO(d, on: req.db)
        return try await req.view.render("demands/track", TrackPage(
            meta: await PageMeta.make(req, title: "需求办理进度"), d: p, starGlyphs: String(repeating: "★", count: p.stars ?? 0),
            canRate: d.stateValue == .done, isNew: Check.bool(try? req.query.get(String.self, at: "new")),
            rated: Check.bool(try? req.query.get(String.self, at: "rated")), form: form, notice: notice))
    }

    func publicRate(_ req: Request) async throws -> Response {
        let code = req.parameters.get("code") ?? ""
        let f = try req.formFields()
        do {
            let d = try await DemandService.rate(code: code, stars: Int(f["stars"] ?? "") ?? 0, comment: f["comment"] ?? "", ctx: .anonymous(req))
            return req.redirect(to: "/public/demands/\(d.code)?rated=1")
        } catch AppError.validation(let e) {
            return try await renderTrack(req, form: FormState(values: f, errors: e, keys: ["stars", "comment"])).encodeResponse(status: .unprocessableEntity, for: req)
        } catch AppError.conflict(let m, _) {
            // e.g. rated already in another tab: say so where the resident looks, not in a form that is gone
            return try await renderTrack(req, form: FormState(keys: ["stars", "comment"]), notice: m + "，您的这次评价未被记录").encodeResponse(status: .conflict, for: req)
        }
    }

    // MARK: officers and members

    struct Row: Encodable {
        var id: String; var title: String; var community: String; var state: String; var stateLabel: String
        var postedOn: String; var unitName: String?; var memberName: String?; var deadline: String?; var overdue: Bool
    }

    struct ListPage: Encodable {
        var meta: PageMeta
        var rows: [Row]
        var states: [SelectOption]
        var pager: Pager
        var deeds: [DeedRow]
        var year: Int
    }

    struct DeedRow: Encodable { var community: String; var done: Int; var target: Int; var met: Bool }

    func list(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let paging = try Paging(req)
        let stateRaw = (try? req.query.get(String.self, at: "state")) ?? ""
        let state = DemandState(rawValue: stateRaw)
        let (rows, total) = try await DemandService.list(ctx: ctx, filter: .init(state: state, overdueOnly: false, communityID: nil), paging: paging)
        var out: [Row] = []
        for d in rows {
            let dto = try await RecordAPIController.dto(d, req: req, ctx: ctx, steps: false)
            out.append(Row(id: dto.id, title: dto.title, community: dto.communityName, state: dto.state, stateLabel: dto.stateLabel,
                           postedOn: dto.postedOn, unitName: dto.unitName, memberName: dto.memberName, deadline: dto.deadline, overdue: dto.overdue))
        }
        // R-20: 为民办实事 per community in scope against the yearly target
        let settings = try await RecordSettings.load(on: req.db)
        let deeds = try await DemandService.deedsByCommunity(year: ctx.today.year, on: req.db)
        let communities = ctx.scope.allows(.readRecords) ? try await CommunityService.list(ctx: ctx) : []
        let deedRows = communities.map { c -> DeedRow in
            let r = ServiceCheck.deeds(done: deeds[c.id!] ?? 0, settings: settings.service)
            return DeedRow(community: c.name, done: r.done, target: r.target, met: r.met)
        }
        return try await req.view.render("demands/list", ListPage(
            meta: await PageMeta.make(req, title: "群众点单", crumbs: [("群众点单", nil)]), rows: out,
            states: DemandState.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == state) },
            pager: Pager(total: total, paging: paging, baseQuery: [("state", stateRaw)], path: "/demands"), deeds: deedRows, year: ctx.today.year))
    }

    struct DetailPage: Encodable {
        var meta: PageMeta
        var d: DemandDTO
        var steps: [Step]
        var canDispatch: Bool
        var units: [SelectOption]
        var canAccept: Bool
        var canClaimSelf: Bool
        var canAssign: Bool
        var members: [SelectOption]
        var canFinish: Bool
    }

    func show(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let d = try await DemandService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let dto = try await RecordAPIController.dto(d, req: req, ctx: ctx, steps: true)
        let c = try await DemandService.community(d.communityID, on: req.db)
        let state = d.stateValue
        let canDispatch = state == .posted && ctx.scope.allows(.handleDemands, at: c.orgPath)
        var units: [SelectOption] = []
        if canDispatch {
            units = try await CommunityService.pairings(c, on: req.db).filter(\.active).map { SelectOption(value: $0.orgID.uuidString.lowercased(), label: $0.orgName, selected: false) }
        }
        let unitOfficer = d.unitPath.map { ctx.scope.allows(.handleDemands, at: $0) } ?? false
        let isMember = try await DemandService.isClaimableBy(d, ctx: ctx)
        var members: [SelectOption] = []
        if state == .accepted && unitOfficer, let unitID = d.unitID, let unit = try await OrgModel.find(unitID, on: req.db) {
            members = try await OrgLifeService.eligible(unit, on: req.db).map { SelectOption(value: $0.idString, label: $0.name, selected: false) }
        }
        return try await req.view.render("demands/show", DetailPage(
            meta: await PageMeta.make(req, title: d.title, crumbs: [("群众点单", "/demands"), (d.title, nil)]), d: dto,
            steps: (dto.steps ?? []).map { Step(date: $0.date, action: $0.action, note: $0.note, actor: $0.actor) },
            canDispatch: canDispatch, units: units, canAccept: state == .dispatched && unitOfficer,
            canClaimSelf: state == .accepted && isMember, canAssign: state == .accepted && unitOfficer, members: members,
            canFinish: state == .claimed && (unitOfficer || (d.memberID != nil && d.memberID == ctx.user.memberID))))
    }

    func step(_ req: Request, step: String) async throws -> Response {
        let ctx = try req.ctx()
        let d = try await DemandService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let f = try req.formFields()
        return try await req.flashing(back: "/demands/\(d.idString)") {
            switch step {
            case "dispatch": let x = try await DemandService.dispatch(d, unitRef: f["unit"] ?? "", ctx: ctx); return "已派单至\(x.unitName ?? "")"
            case "decline": _ = try await DemandService.decline(d, reason: f["reason"] ?? "", ctx: ctx); return "已不予受理，群众可凭查询码看到结果"
            case "accept": _ = try await DemandService.accept(d, ctx: ctx); return "已接单，请安排党员领单"
            case "return": _ = try await DemandService.handBack(d, reason: f["reason"] ?? "", ctx: ctx); return "已退回社区重新派单"
            case "claim": let x = try await DemandService.claim(d, memberRef: f["member"], ctx: ctx); return "\(x.memberName ?? "")已领单"
            case "finish": _ = try await DemandService.finish(d, result: f["result"] ?? "", ctx: ctx); return "已办结，等待群众评价"
            default: throw AppError.notFound("没有这个办理环节")
            }
        }
    }
}
