import Vapor
import Fluent
import Domain

/// JSON API of everyday records: organizational life and its compliance, points
/// the demand workflow and the settings behind them.
struct RecordAPIController {
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
        let hasYear = !((try? req.query.get(String.self, at: "year")) ?? "").isEmpty
        let year = hasYear ? try req.yearQuery(ctx) : nil
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
        let year = try req.yearQuery(ctx)
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
        let year = try req.yearQuery(ctx)
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
        return try await PointsService.ranking(year: try req.yearQuery(ctx), ctx: ctx).map(StandingDTO.init)
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
        var dto = DemandDTO(d, community: c.name, deadline: deadline, today: ctx.today, steps: steps ? try await DemandService.steps(d, on: req.db) : nil)
        if !DemandService.maySeeContact(d, community: c, ctx: ctx) { dto.phone = Privacy.maskPhone(d.phone); dto.address = nil }
        return dto
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
        let c = try await CommunityService.findDetail(req.parameters.get("id") ?? "", ctx: ctx)
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

// MARK: lists, tasks, service
extension RecordAPIController {
    func filings(_ req: Request) async throws -> [FilingDTO] {
        let ctx = try req.ctx()
        try await req.require(.readRecords, entity: "filing")
        let org = try await Self.optionalOrg(req, ctx: ctx)
        return try await FilingService.list(ctx: ctx, year: try req.yearQuery(ctx), org: org).map { FilingDTO($0, today: ctx.today) }
    }

    func filingStatus(_ req: Request) async throws -> [FilingStatusDTO] {
        let ctx = try req.ctx()
        try await req.require(.readRecords, entity: "filing")
        return try await FilingService.statuses(year: try req.yearQuery(ctx), today: ctx.today, ctx: ctx).map(FilingStatusDTO.init)
    }

    func createFiling(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try req.content.decode(FilingRequest.self)
        return try await FilingDTO(try await FilingService.save(nil, b.input, ctx: ctx), today: ctx.today).encodeResponse(status: .created, for: req)
    }

    func filing(_ req: Request) async throws -> FilingDTO {
        let ctx = try req.ctx()
        return FilingDTO(try await FilingService.find(req.parameters.get("id") ?? "", ctx: ctx), today: ctx.today)
    }

    func updateFiling(_ req: Request) async throws -> FilingDTO {
        let ctx = try req.ctx()
        let f = try await FilingService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeRecords)
        guard f.filedOn == nil else { throw AppError.conflict("已报送的清单不能再修改") }
        let b = try req.content.decode(FilingRequest.self)
        return FilingDTO(try await FilingService.save(f, b.input, ctx: ctx), today: ctx.today)
    }

    func fileFiling(_ req: Request) async throws -> FilingDTO {
        let ctx = try req.ctx()
        let f = try await FilingService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .writeRecords)
        return FilingDTO(try await FilingService.file(f, ctx: ctx), today: ctx.today)
    }

    struct CopyResult: Content { var copied: Int; var year: Int }
    struct CopyRequest: Content { var year: Int }

    func copyFilings(_ req: Request) async throws -> CopyResult {
        let ctx = try req.ctx()
        let b = try req.content.decode(CopyRequest.self)
        guard (2001...(ctx.today.year + 1)).contains(b.year) else { throw AppError.validation(FieldErrors("year", "年度应在2001年到\(ctx.today.year + 1)年之间")) }
        return CopyResult(copied: try await FilingService.copyLastYear(to: b.year, ctx: ctx), year: b.year)
    }

    static func taskDTO(_ t: TaskModel, req: Request, ctx: Ctx, withEvents: Bool = true) async throws -> TaskDTO {
        let settings = try await RecordSettings.load(on: req.db)
        let cal = try await CalendarService.calendar(req.application, db: req.db)
        let events = try await TaskService.events(t, on: req.db)
        let tl = TaskService.timeline(t, events: events, settings: settings, calendar: cal, today: ctx.today)
        return TaskDTO(t, stages: tl.stages, missing: tl.missingMonths, events: withEvents ? events : nil)
    }

    func tasks(_ req: Request) async throws -> ListResponse<TaskDTO> {
        let ctx = try req.ctx()
        let paging = try Paging(req)
        let org = try await Self.optionalOrg(req, ctx: ctx)
        var status: TaskStatus?
        if let s = try? req.query.get(String.self, at: "status"), !s.isEmpty {
            guard let v = TaskStatus(rawValue: s) else { throw AppError.badRequest("status 应为 open、done 或 closed", field: "status") }
            status = v
        }
        let mine = Check.bool(try? req.query.get(String.self, at: "mine"))
        if !mine { try await req.require(.readRecords, entity: "task") }
        let (rows, total) = try await TaskService.list(ctx: ctx, filter: .init(orgID: org?.id, status: status, mine: mine), paging: paging)
        var items: [TaskDTO] = []
        for t in rows { items.append(try await Self.taskDTO(t, req: req, ctx: ctx, withEvents: false)) }
        return ListResponse(items: items, total: total, page: paging.page, per: paging.per)
    }

    func createTask(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try req.content.decode(TaskRequest.self)
        let t = try await TaskService.create(b.input, ctx: ctx)
        return try await Self.taskDTO(t, req: req, ctx: ctx).encodeResponse(status: .created, for: req)
    }

    func task(_ req: Request) async throws -> TaskDTO {
        let ctx = try req.ctx()
        return try await Self.taskDTO(try await TaskService.find(req.parameters.get("id") ?? "", ctx: ctx), req: req, ctx: ctx)
    }

    func taskEvent(_ req: Request) async throws -> TaskDTO {
        let ctx = try req.ctx()
        let t = try await TaskService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let b = try req.content.decode(TaskEventRequest.self)
        guard let kind = TaskEventKind(rawValue: b.kind) else {
            throw AppError.validation(FieldErrors("kind", "kind 应为 decision、feedback、plan、done、close 或 reopen"))
        }
        return try await Self.taskDTO(try await TaskService.record(t, kind: kind, text: b.text ?? "", planDue: b.planDue, ctx: ctx), req: req, ctx: ctx)
    }

    func serviceRecords(_ req: Request) async throws -> ListResponse<ServiceRecordDTO> {
        let ctx = try req.ctx()
        let paging = try Paging(req)
        let org = try await Self.optionalOrg(req, ctx: ctx)
        var status: ServiceRecordModel.Status?
        if let s = try? req.query.get(String.self, at: "status"), !s.isEmpty {
            guard let v = ServiceRecordModel.Status(rawValue: s) else { throw AppError.badRequest("status 应为 pending、confirmed 或 rejected", field: "status") }
            status = v
        }
        var memberID: UUID?
        if let ref = try? req.query.get(String.self, at: "memberId"), !ref.isEmpty { memberID = try await MemberService.find(ref, ctx: ctx, for: .readRecords).id }
        let (rows, total) = try await ServiceRecordService.list(ctx: ctx, filter: .init(orgID: org?.id, memberID: memberID, status: status, year: try req.yearQuery(ctx)), paging: paging)
        return ListResponse(items: rows.map { ServiceRecordDTO($0, showLink: Self.showsLink($0, ctx: ctx)) }, total: total, page: paging.page, per: paging.per)
    }

    func createService(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try req.content.decode(ServiceRecordRequest.self)
        guard b.hours.isFinite else { throw AppError.validation(FieldErrors("hours", "服务时长应为0到24之间的小时数（至少1分钟），如 2 或 1.5")) }
        let r = try await ServiceRecordService.record(memberRef: b.memberId ?? "", communityRef: b.communityId, date: b.date, hours: String(b.hours), activity: b.activity, ctx: ctx)
        return try await ServiceRecordDTO(r, showLink: Self.showsLink(r, ctx: ctx)).encodeResponse(status: .created, for: req)
    }

    func decideService(_ req: Request, confirm: Bool) async throws -> ServiceRecordDTO {
        let ctx = try req.ctx()
        let r = try await ServiceRecordService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return ServiceRecordDTO(try await ServiceRecordService.decide(r, confirm: confirm, ctx: ctx))
    }

    /// The community confirmation link goes to the branch's officers to send, never to the member it is about.
    static func showsLink(_ r: ServiceRecordModel, ctx: Ctx) -> Bool {
        ctx.scope.allows(.writeRecords, at: r.orgPath) && ctx.user.memberID != r.memberID
    }

    func serviceCheck(_ req: Request) async throws -> ServiceCheckDTO {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .readRecords)
        let year = try req.yearQuery(ctx)
        let rows = try await ServiceRecordService.check(branch: org, year: year, ctx: ctx)
        return ServiceCheckDTO(orgId: org.idString, orgName: org.name, year: year, rows: rows.map { r in
            .init(memberId: r.member.idString, name: r.member.name, months: r.months.enumerated().map {
                .init(month: $0.offset + 1, minutes: $0.element.minutes, required: $0.element.required, status: $0.element.status.rawValue, statusLabel: $0.element.status.label)
            })
        })
    }
}

// MARK: files of meetings and tasks
extension RecordAPIController {
    /// The record a file belongs to, with the right to add to it: a meeting's org, or a
    /// task's org or owner.
    static func fileOwner(_ req: Request, kind: String, write: Bool) async throws -> (UUID, String, String) {
        let ctx = try req.ctx()
        let id = req.parameters.get("id") ?? ""
        if kind == "meeting" {
            let m = try await OrgLifeService.find(id, ctx: ctx, for: write ? .writeRecords : .readRecords)
            return (m.id!, m.orgPath, "\(m.orgName) \(m.date) \(m.topic)")
        }
        if kind == "problem" {
            let p = try await ProblemService.find(id, ctx: ctx)
            if write { try await ProblemService.requireOrgOrSupervisor(p, ctx: ctx) }
            if write && p.statusValue == .verified { throw AppError.conflict("该问题已验收销号，材料不能再改动", field: "file") }
            if write && p.statusValue == .rectified && !ProblemService.isAbove(p, ctx: ctx) {
                throw AppError.conflict("已申请验收，待验收期间材料不能改动；如需补充请等待验收意见", field: "file")
            }
            return (p.id!, p.orgPath, "\(p.orgName) 问题整改")
        }
        if kind == "report" {
            let r = try await EvaluationService.findReport(id, ctx: ctx, for: write ? .writeRecords : .readSupervision)
            return (r.id!, r.orgPath, "\(r.orgName) \(r.year)年\(r.month)月月晒")
        }
        if kind == "brand" {
            let b = try await BrandService.find(id, ctx: ctx)
            if write {
                let a = try await BrandService.actors(b, ctx: ctx)
                guard a.contains(.owner) || a.contains(.committee) else {
                    throw await ctx.deny("无权上传：品牌材料由创建组织或工委上传", entity: "brand", id: b.idString, label: b.name, orgPath: b.orgPath)
                }
                if b.stateValue == .revoked { throw AppError.conflict("品牌已取消，材料不能再改动", field: "file") }
            }
            return (b.id!, b.orgPath, "党建品牌“\(b.name)”")
        }
        let t = try await TaskService.find(id, ctx: ctx)
        if write && !(t.ownerMemberID != nil && t.ownerMemberID == ctx.user.memberID) {
            try await ctx.require(.writeRecords, at: t.orgPath, entity: "task", id: t.idString, label: t.title)
        }
        return (t.id!, t.orgPath, t.title)
    }

    func files(_ req: Request, kind: String) async throws -> [AttachmentService.FileRow] {
        let (id, _, _) = try await Self.fileOwner(req, kind: kind, write: false)
        return try await AttachmentService.files(ownerType: kind, ownerID: id, on: req.db)
    }

    func upload(_ req: Request, kind: String) async throws -> Response {
        let ctx = try req.ctx()
        let (id, path, label) = try await Self.fileOwner(req, kind: kind, write: true)
        let name = (try? req.query.get(String.self, at: "filename")) ?? "附件"
        guard var buf = req.body.data, buf.readableBytes > 0 else { throw AppError.badRequest("请求体为空：请上传文件内容", field: "file") }
        let data = buf.readData(length: buf.readableBytes) ?? Data()
        let a = try await AttachmentService.addToRecord(ownerType: kind, ownerID: id, orgPath: path, label: label, filename: name, data: data, ctx: ctx)
        return try await AttachmentService.FileRow(id: a.idString, filename: a.filename, size: a.size, contentType: a.contentType).encodeResponse(status: .created, for: req)
    }
}
