import Vapor
import Fluent
import Domain

/// JSON API of everyday records: organizational life and its compliance, points
/// the demand workflow and the settings behind them.
struct RecordAPIController {
    static func year(_ req: Request, ctx: Ctx) throws -> Int {
        guard let raw = try? req.query.get(String.self, at: "year"), !raw.isEmpty else { return ctx.today.year }
        guard let y = Int(raw), (2000...2100).contains(y) else { throw AppError.badRequest("年度 year 应为2000到2100之间的整数", field: "year") }
        return y
    }

    static func optionalOrg(_ req: Request, ctx: Ctx) async throws -> OrgModel? {
        guard let ref = try? req.query.get(String.self, at: "orgId"), !ref.isEmpty else { return nil }
        return try await OrgService.find(ref, ctx: ctx, for: .readRecords)
    }

    // MARK: meetings

    func meetings(_ req: Request) async throws -> ListResponse<MeetingDTO> {
        let ctx = try req.ctx()
        try await req.require(.readRecords, entity: "meeting")
        let paging = try Paging(req)
        let org = try await Self.optionalOrg(req, ctx: ctx)
        let year = (try? req.query.get(String.self, at: "year")).flatMap { $0.isEmpty ? nil : $0 } == nil ? nil : try Self.year(req, ctx: ctx)
        let (rows, total) = try await OrgLifeService.list(org: org, year: year, ctx: ctx, paging: paging)
        return ListResponse(items: rows.map(MeetingDTO.init), total: total, page: paging.page, per: paging.per)
    }

    func createMeeting(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try req.content.decode(MeetingRequest.self)
        let m = try await OrgLifeService.create(b.input, ctx: ctx)
        return try await MeetingDTO(m).encodeResponse(status: .created, for: req)
    }

    func meeting(_ req: Request) async throws -> MeetingDTO {
        MeetingDTO(try await OrgLifeService.find(req.parameters.get("id") ?? "", ctx: try req.ctx()))
    }

    func updateMeeting(_ req: Request) async throws -> MeetingDTO {
        let ctx = try req.ctx()
        let m = try await OrgLifeService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeRecords)
        let b = try req.content.decode(MeetingRequest.self)
        var input = b.input
        input.orgRef = m.orgID.uuidString   // a record stays with its org
        return MeetingDTO(try await OrgLifeService.update(m, input, ctx: ctx))
    }

    func deleteMeeting(_ req: Request) async throws -> HTTPStatus {
        let ctx = try req.ctx()
        let m = try await OrgLifeService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeRecords)
        try await OrgLifeService.delete(m, ctx: ctx)
        return .noContent
    }

    func compliance(_ req: Request) async throws -> ComplianceDTO {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .readRecords)
        let year = try Self.year(req, ctx: ctx)
        let settings = try await RecordSettings.load(on: req.db)
        return ComplianceDTO(org: org, year: year, months: try await OrgLifeService.calendar(org, year: year, settings: settings, today: ctx.today, on: req.db))
    }

    // MARK: settings

    func settings(_ req: Request) async throws -> RecordSettings {
        try await req.require(.readRecords, entity: "settings")
        return try await RecordSettings.load(on: req.db)
    }

    func saveSettings(_ req: Request) async throws -> RecordSettings {
        let ctx = try req.ctx()
        let s = try req.content.decode(RecordSettings.self)
        try await RecordSettings.save(s, ctx: ctx)
        return try await RecordSettings.load(on: req.db)
    }

    // MARK: points

    func points(_ req: Request) async throws -> ListResponse<PointEntryDTO> {
        let ctx = try req.ctx()
        let paging = try Paging(req)
        let year = try Self.year(req, ctx: ctx)
        var memberID: UUID?
        if let ref = try? req.query.get(String.self, at: "memberId"), !ref.isEmpty {
            let m = try await MemberService.find(ref, ctx: ctx, for: .readRecords)
            memberID = m.id
        } else {
            try await req.require(.readRecords, entity: "points")
        }
        let org = try await Self.optionalOrg(req, ctx: ctx)
        var status: PointStatus?
        if let s = try? req.query.get(String.self, at: "status"), !s.isEmpty {
            guard let v = PointStatus(rawValue: s) else { throw AppError.badRequest("status 应为 approved、pending 或 rejected", field: "status") }
            status = v
        }
        let (rows, total) = try await PointsService.entries(ctx: ctx, filter: .init(orgID: org?.id, memberID: memberID, year: year, status: status), paging: paging)
        return ListResponse(items: rows.map(PointEntryDTO.init), total: total, page: paging.page, per: paging.per)
    }

    func award(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.writeRecords, entity: "points")
        let b = try req.content.decode(PointAwardRequest.self)
        let e = try await PointsService.award(memberRef: b.memberId, ruleKey: b.rule, reason: b.reason, date: b.date, ctx: ctx)
        return try await PointEntryDTO(e).encodeResponse(status: .created, for: req)
    }

    func decidePoints(_ req: Request, approve: Bool) async throws -> PointEntryDTO {
        let ctx = try req.ctx()
        let e = try await PointsService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeRecords)
        return PointEntryDTO(try await PointsService.decide(e, approve: approve, ctx: ctx))
    }

    func ranking(_ req: Request) async throws -> [StandingDTO] {
        let ctx = try req.ctx()
        try await req.require(.readRecords, entity: "points")
        return try await PointsService.ranking(year: try Self.year(req, ctx: ctx), ctx: ctx).map(StandingDTO.init)
    }

    // MARK: demands — the resident (no login)

    func communities(_ req: Request) async throws -> [CommunityDTO] {
        try await DemandService.publicCommunities(on: req.db).map(CommunityDTO.init)
    }

    func postDemand(_ req: Request) async throws -> Response {
        let ctx = Ctx.anonymous(req)
        let b = try req.content.decode(DemandPostRequest.self)
        try Self.limitPosts(req)
        let d = try await DemandService.post(b.post, ip: req.remoteAddress?.ipAddress, ctx: ctx)
        return try await DemandReceipt(code: d.code, message: "已收到您的需求，请保存查询码以便查看进度和评价", trackUrl: "/public/demands/\(d.code)")
            .encodeResponse(status: .created, for: req)
    }

    static func limitPosts(_ req: Request) throws {
        guard req.application.demandLimiter.allow(req.remoteAddress?.ipAddress ?? "unknown", now: Date().timeIntervalSince1970) else {
            throw AppError.rateLimited("提交过于频繁：同一网络每小时最多提交10条需求，请稍后再试")
        }
    }

    func track(_ req: Request) async throws -> DemandPublicDTO {
        let d = try await DemandService.byCode(req.parameters.get("code") ?? "", on: req.db)
        return try await Self.publicDTO(d, on: req.db)
    }

    static func publicDTO(_ d: DemandModel, on db: any Database) async throws -> DemandPublicDTO {
        DemandPublicDTO(d, community: try await DemandService.community(d.communityID, on: db).name, steps: try await DemandService.steps(d, on: db))
    }

    func rateDemand(_ req: Request) async throws -> DemandPublicDTO {
        let b = try req.content.decode(DemandRateRequest.self)
        let d = try await DemandService.rate(code: req.parameters.get("code") ?? "", stars: b.stars, comment: b.comment ?? "", ctx: Ctx.anonymous(req))
        return try await Self.publicDTO(d, on: req.db)
    }

    // MARK: demands — community, unit, member

    static func dto(_ d: DemandModel, req: Request, ctx: Ctx, steps: Bool) async throws -> DemandDTO {
        let c = try await DemandService.community(d.communityID, on: req.db)
        let settings = try await RecordSettings.load(on: req.db)
        let cal = try await CalendarService.calendar(req.application, db: req.db)
        let deadline = DemandWorkflow.deadline(state: d.stateValue, since: d.since, limits: settings.demandLimits, calendar: cal)
        return DemandDTO(d, community: c.name, deadline: deadline, today: ctx.today, steps: steps ? try await DemandService.steps(d, on: req.db) : nil)
    }

    func demands(_ req: Request) async throws -> ListResponse<DemandDTO> {
        let ctx = try req.ctx()
        let paging = try Paging(req)
        var state: DemandState?
        if let s = try? req.query.get(String.self, at: "state"), !s.isEmpty {
            guard let v = DemandState(rawValue: s) else { throw AppError.badRequest("state 取值不正确", field: "state") }
            state = v
        }
        let (rows, total) = try await DemandService.list(ctx: ctx, filter: .init(state: state, overdueOnly: false, communityID: nil), paging: paging)
        var items: [DemandDTO] = []
        for d in rows { items.append(try await Self.dto(d, req: req, ctx: ctx, steps: false)) }
        return ListResponse(items: items, total: total, page: paging.page, per: paging.per)
    }

    func demand(_ req: Request) async throws -> DemandDTO {
        let ctx = try req.ctx()
        return try await Self.dto(try await DemandService.find(req.parameters.get("id") ?? "", ctx: ctx), req: req, ctx: ctx, steps: true)
    }

    func demandStep(_ req: Request, step: String) async throws -> DemandDTO {
        let ctx = try req.ctx()
        let d = try await DemandService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let out: DemandModel
        switch step {
        case "dispatch": out = try await DemandService.dispatch(d, unitRef: try req.content.decode(DemandDispatchRequest.self).unitId, ctx: ctx)
        case "decline": out = try await DemandService.decline(d, reason: try req.content.decode(ReasonRequest.self).reason, ctx: ctx)
        case "accept": out = try await DemandService.accept(d, ctx: ctx)
        case "return": out = try await DemandService.handBack(d, reason: try req.content.decode(ReasonRequest.self).reason, ctx: ctx)
        case "claim": out = try await DemandService.claim(d, memberRef: (try? req.content.decode(DemandClaimRequest.self))?.memberId, ctx: ctx)
        case "finish": out = try await DemandService.finish(d, result: try req.content.decode(DemandFinishRequest.self).result, ctx: ctx)
        default: throw AppError.notFound("没有这个办理环节")
        }
        return try await Self.dto(out, req: req, ctx: ctx, steps: true)
    }
}

// MARK: communities and pairings
extension RecordAPIController {
    struct CommunityRequest: Content { var name: String; var orgId: String; var street: String?; var contact: String?; var phone: String? }
    struct PairingRequest: Content { var orgId: String; var signedOn: String; var content: String }
    struct PairingDTO: Content {
        var id: String; var orgId: String; var orgName: String; var signedOn: String; var content: String; var active: Bool
        init(_ p: PairingModel) { id = p.idString; orgId = p.orgID.uuidString.lowercased(); orgName = p.orgName; signedOn = p.signedOn; content = p.content; active = p.active }
    }
    struct CommunityDetailDTO: Content {
        var id: String; var name: String; var street: String?; var contact: String?; var phone: String?; var orgId: String; var pairings: [PairingDTO]
        init(_ c: CommunityModel, pairings: [PairingModel]) {
            id = c.idString; name = c.name; street = c.street; contact = c.contact; phone = c.phone; orgId = c.orgID.uuidString.lowercased()
            self.pairings = pairings.map(PairingDTO.init)
        }
    }

    func communityList(_ req: Request) async throws -> [CommunityDetailDTO] {
        let ctx = try req.ctx()
        try await req.require(.readRecords, entity: "community")
        var out: [CommunityDetailDTO] = []
        for c in try await CommunityService.list(ctx: ctx) { out.append(CommunityDetailDTO(c, pairings: try await CommunityService.pairings(c, on: req.db))) }
        return out
    }

    func createCommunity(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.handleDemands, entity: "community")
        let b = try req.content.decode(CommunityRequest.self)
        let c = try await CommunityService.create(["name": b.name, "org": b.orgId, "street": b.street ?? "", "contact": b.contact ?? "", "phone": b.phone ?? ""], ctx: ctx)
        return try await CommunityDetailDTO(c, pairings: []).encodeResponse(status: .created, for: req)
    }

    func community(_ req: Request) async throws -> CommunityDetailDTO {
        let ctx = try req.ctx()
        let c = try await CommunityService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return CommunityDetailDTO(c, pairings: try await CommunityService.pairings(c, on: req.db))
    }

    func pair(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let c = try await CommunityService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let b = try req.content.decode(PairingRequest.self)
        let p = try await CommunityService.pair(c, ["org": b.orgId, "signedOn": b.signedOn, "content": b.content], ctx: ctx)
        return try await PairingDTO(p).encodeResponse(status: .created, for: req)
    }
}
