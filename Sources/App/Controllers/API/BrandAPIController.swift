import Vapor
import Fluent
import Domain

/// `/api/v1/brands`: Party-building brands (DOMAIN §3, R-9…R-15).
struct BrandAPIController {
    static func brand(_ req: Request) async throws -> BrandModel {
        try await BrandService.find(req.parameters.get("id") ?? "", ctx: try req.ctx())
    }

    static func stateQuery(_ req: Request) throws -> BrandState? {
        guard let s = try? req.query.get(String.self, at: "state"), !s.isEmpty else { return nil }
        guard let v = BrandState(rawValue: s) else {
            throw AppError.badRequest("state 应为 " + BrandState.allCases.map(\.rawValue).joined(separator: "、") + " 之一", field: "state")
        }
        return v
    }

    static func optionalYear(_ req: Request) throws -> Int? {
        guard let s = try? req.query.get(String.self, at: "year"), !s.isEmpty else { return nil }
        guard let y = Int(s), (2000...2100).contains(y) else { throw AppError.badRequest("年度 year 应为2000到2100之间的整数", field: "year") }
        return y
    }

    func list(_ req: Request) async throws -> [BrandDTO] {
        let ctx = try req.ctx()
        let f = BrandService.Filter(state: try Self.stateQuery(req), year: try Self.optionalYear(req), unit: nil, query: try? req.query.get(String.self, at: "q"))
        return try await BrandService.list(ctx: ctx, filter: f).map(BrandDTO.init)
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try req.content.decode(BrandRequest.self)
        _ = try clientVersion(b.version)
        return try await BrandDTO(try await BrandService.create(b.input, ctx: ctx)).encodeResponse(status: .created, for: req)
    }

    static func detail(_ b: BrandModel, ctx: Ctx) async throws -> BrandDetailDTO {
        let actors = try await BrandService.actors(b, ctx: ctx)
        let steps = BrandLifecycle.steps(from: b.stateValue).filter { actors.contains($0.1) }
            .map { BrandStepDTO(action: $0.0.rawValue, label: $0.0.label, by: $0.1.label) }
        let cs = try await BrandSelectionService.comments(b, status: nil, on: ctx.db)
        let sum = BrandSelectionService.summary(cs)
        let committee = actors.contains(.committee)
        return BrandDetailDTO(brand: BrandDTO(b), steps: steps,
                              experts: committee ? try await BrandSelectionService.assignments(b, on: ctx.db).map(BrandExpertDTO.init) : nil,
                              reviews: try await BrandFollowUpService.reviews(b, on: ctx.db).map(BrandReviewDTO.init),
                              goals: try await BrandFollowUpService.goals(b, on: ctx.db).map(BrandGoalDTO.init),
                              comments: BrandCommentSummaryDTO(approved: sum.count, meanRating: sum.mean,
                                                               pending: committee ? cs.filter { $0.status == "pending" }.count : nil))
    }

    func show(_ req: Request) async throws -> BrandDetailDTO {
        try await Self.detail(try await Self.brand(req), ctx: try req.ctx())
    }

    func update(_ req: Request) async throws -> BrandDTO {
        let ctx = try req.ctx()
        let b = try await Self.brand(req)
        let body = try req.content.decode(BrandRequest.self)
        return BrandDTO(try await BrandService.update(b, body.input, version: try clientVersion(body.version), ctx: ctx))
    }

    /// `POST /brands/{id}/transitions {action, ...}`: one R-9 step named in the body.
    func transition(_ req: Request) async throws -> BrandDTO {
        let body = try req.content.decode(BrandTransitionRequest.self)
        guard let kind = BrandEvent.Kind(rawValue: body.action) else {
            throw AppError.validation(FieldErrors("action", "action 应为 cultivate、submit、forward、return 或 accept"))
        }
        return try await step(req, kind, BrandStepRequest(opinion: body.opinion, reasons: body.reasons, note: body.note, version: body.version))
    }

    /// `POST /brands/{id}/{cultivate|submit|forward|return|accept}`: the same step as an action
    /// sub-resource (API.md); the body is optional for the steps that take no input.
    func step(_ req: Request, _ kind: BrandEvent.Kind) async throws -> BrandDTO {
        let body = (req.body.data?.readableBytes ?? 0) == 0 ? BrandStepRequest() : try req.content.decode(BrandStepRequest.self)
        return try await step(req, kind, body)
    }

    private func step(_ req: Request, _ kind: BrandEvent.Kind, _ body: BrandStepRequest) async throws -> BrandDTO {
        let ctx = try req.ctx()
        let b = try await Self.brand(req)
        let event: BrandEvent
        switch kind {
        case .cultivate: event = .cultivate
        case .submit: event = .submit(viaOrganCommittee: true)
        case .forward: event = .forward(opinion: body.opinion ?? "")
        case .returnBack:
            let raw = body.reasons ?? []
            let reasons = raw.compactMap(BrandReturnReason.init(rawValue:))
            if reasons.count != raw.count { throw AppError.validation(FieldErrors("reasons", "退回原因应为 " + BrandReturnReason.allCases.map(\.rawValue).joined(separator: "、") + " 之一")) }
            event = .returnBack(reasons: reasons, note: body.note ?? "")
        case .accept: event = .accept
        case .shortlist, .name, .confirm, .rectify, .revoke:
            throw AppError.validation(FieldErrors("action", "“\(kind.label)”请通过初选名单、命名决定或年度复核办理"))
        }
        return BrandDTO(try await BrandService.transition(b, event, version: try clientVersion(body.version), ctx: ctx))
    }

    /// `POST /brands/{id}/name {document, decidedOn, title}`: names this one candidate by a
    /// decision of its own; the answer is the brand, now 命名.
    func name(_ req: Request) async throws -> BrandDTO {
        let ctx = try req.ctx()
        let b = try await Self.brand(req)
        let body = try req.content.decode(BrandNameRequest.self)
        _ = try await BrandSelectionService.decide(document: body.document, decidedOn: body.decidedOn, title: body.title, brandIDs: [b.idString], ctx: ctx)
        return BrandDTO(try await Self.brand(req))
    }

    func reReview(_ req: Request) async throws -> BrandDTO {
        let ctx = try req.ctx()
        let b = try await Self.brand(req)
        let body = try req.content.decode(BrandReReviewRequest.self)
        guard let o = BrandReReviewOutcome(rawValue: body.outcome) else { throw AppError.validation(FieldErrors("outcome", "outcome 应为 confirm、rectify 或 revoke")) }
        return BrandDTO(try await BrandService.reReview(b, outcome: o, comment: body.comment, deadline: body.deadline ?? "", version: try clientVersion(body.version), ctx: ctx))
    }

    func archive(_ req: Request) async throws -> [BrandEventDTO] {
        let ctx = try req.ctx()
        return try await BrandService.events(try await Self.brand(req), on: ctx.db).map(BrandEventDTO.init)
    }

    // MARK: selection

    func assignExpert(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try await Self.brand(req)
        let a = try await BrandSelectionService.assignExpert(b, userRef: try req.content.decode(BrandExpertRequest.self).user, ctx: ctx)
        return try await BrandExpertDTO(a).encodeResponse(status: .created, for: req)
    }

    func removeExpert(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await BrandSelectionService.removeExpert(try await Self.brand(req), assignmentID: req.parameters.get("aid") ?? "", ctx: ctx)
        return Response(status: .noContent)
    }

    func score(_ req: Request) async throws -> BrandExpertDTO {
        let ctx = try req.ctx()
        let b = try await Self.brand(req)
        let body = try req.content.decode(BrandScoreRequest.self)
        return BrandExpertDTO(try await BrandSelectionService.score(b, raw: body.scores.mapValues(String.init), comment: body.comment, ctx: ctx))
    }

    func selection(_ req: Request) async throws -> [BrandRankingRowDTO] {
        let ctx = try req.ctx()
        let rows = try await BrandSelectionService.ranking(year: try Self.optionalYear(req) ?? ctx.today.year, ctx: ctx)
        return rows.map { BrandRankingRowDTO(rank: $0.ranked.rank, brand: BrandDTO($0.brand), mean: $0.ranked.entry.mean, satisfaction: $0.ranked.entry.satisfaction,
                                             answers: $0.answers, experts: $0.experts.map(BrandExpertDTO.init)) }
    }

    func shortlist(_ req: Request) async throws -> BrandShortlistResult {
        let ctx = try req.ctx()
        let body = try req.content.decode(BrandShortlistRequest.self)
        let rule: BrandSelection.Rule
        switch (body.threshold, body.quota) {
        case (let t?, nil): rule = .threshold(t)
        case (nil, let q?): rule = .quota(q)
        default: throw AppError.validation(FieldErrors("rule", "请给出分数线 threshold 或入选名额 quota（二选一）"))
        }
        let (yes, no) = try await BrandSelectionService.shortlist(year: body.year, rule: rule, ctx: ctx)
        return BrandShortlistResult(candidates: yes.map(BrandDTO.init), returned: no.map(BrandDTO.init))
    }

    // MARK: comments

    /// 机关互评: a signed-in user comments on a candidate (moderated like the others).
    func mutualComment(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try await Self.brand(req)
        if ctx.scope.grants.contains(where: { $0.orgPath.hasPrefix(b.unitPath) }) {
            throw AppError.conflict("机关互评由其他单位进行，不能评议本单位的品牌")
        }
        try Self.rateLimit(req)
        let body = try req.content.decode(BrandCommentRequest.self)
        let c = try await BrandSelectionService.comment(b, channel: "mutual", rating: String(body.rating), body: body.body, author: "", ip: req.remoteAddress?.ipAddress ?? "unknown",
                                                        user: ctx.user, on: req.db, now: req.now)
        return try await BrandCommentDTO(c).encodeResponse(status: .created, for: req)
    }

    static func rateLimit(_ req: Request) throws {
        let ip = req.remoteAddress?.ipAddress ?? "unknown"
        guard req.application.brandCommentLimiter.allow(ip, now: Date().timeIntervalSince1970) else {
            throw AppError.rateLimited("提交过于频繁：同一网络每分钟最多提交20条评议，请稍后再试")
        }
    }

    /// Public: the approved comments of a candidate or named brand.
    func publicComments(_ req: Request) async throws -> [BrandCommentDTO] {
        let b = try await Self.publicBrand(req)
        return try await BrandSelectionService.comments(b, status: "approved", on: req.db).map(BrandCommentDTO.init)
    }

    /// Public: 社会网评 / 微信点评 (channel "mobile" when it comes through the QR link).
    func publicComment(_ req: Request) async throws -> Response {
        let b = try await Self.publicBrand(req)
        try Self.rateLimit(req)
        let body = try req.content.decode(BrandCommentRequest.self)
        let c = try await BrandSelectionService.comment(b, channel: body.channel ?? "web", rating: String(body.rating), body: body.body, author: body.author ?? "",
                                                        ip: req.remoteAddress?.ipAddress ?? "unknown", user: nil, on: req.db, now: req.now)
        return try await BrandCommentDTO(c).encodeResponse(status: .created, for: req)
    }

    /// A brand the public may see: a candidate in review or a named one.
    static func publicBrand(_ req: Request) async throws -> BrandModel {
        guard let id = UUID(uuidString: req.parameters.get("id") ?? ""), let b = try await BrandModel.find(id, on: req.db),
              b.stateValue == .review || b.stateValue.holdsName else { throw AppError.notFound("品牌不存在或未公开") }
        return b
    }

    func pendingComments(_ req: Request) async throws -> [BrandCommentDTO] {
        try await BrandSelectionService.pending(ctx: try req.ctx()).map { BrandCommentDTO($0.0) }
    }

    func moderate(_ req: Request) async throws -> BrandCommentDTO {
        let ctx = try req.ctx()
        guard let id = UUID(uuidString: req.parameters.get("id") ?? ""), let c = try await BrandCommentModel.find(id, on: req.db) else { throw AppError.notFound("评议不存在") }
        return BrandCommentDTO(try await BrandSelectionService.moderate(c, approve: try req.content.decode(BrandModerateRequest.self).approve, ctx: ctx))
    }

    func suggest(_ req: Request) async throws -> BrandDTO {
        let ctx = try req.ctx()
        let body = try req.content.decode(BrandSuggestionRequest.self)
        return BrandDTO(try await BrandSelectionService.suggest(try await Self.brand(req), text: body.text, version: try clientVersion(body.version), ctx: ctx))
    }

    // MARK: naming

    func decide(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try req.content.decode(BrandDecisionRequest.self)
        let d = try await BrandSelectionService.decide(document: b.document, decidedOn: b.decidedOn, title: b.title, brandIDs: b.brandIds, ctx: ctx)
        return try await BrandDecisionDTO(d).encodeResponse(status: .created, for: req)
    }

    func decisions(_ req: Request) async throws -> [BrandDecisionDTO] {
        try await req.require(.readBrands, entity: "brand")
        return try await BrandSelectionService.decisions(ctx: try req.ctx()).map(BrandDecisionDTO.init)
    }

    // MARK: after naming

    func fileGoals(_ req: Request) async throws -> BrandGoalDTO {
        let ctx = try req.ctx()
        let body = try req.content.decode(BrandGoalRequest.self)
        return BrandGoalDTO(try await BrandFollowUpService.fileGoals(try await Self.brand(req), year: body.year, goals: body.goals, measures: body.measures, ctx: ctx))
    }

    static func pairDTO(_ p: BrandPairModel, _ acts: [BrandPairActivityModel]) -> BrandPairDTO {
        BrandPairDTO(id: p.idString, orgId: p.orgID.uuidString.lowercased(), orgName: p.orgName, startedOn: p.startedOn, goal: p.goal,
                     activities: acts.map { BrandActivityDTO(day: $0.day, title: $0.title, text: $0.text) })
    }

    func pairs(_ req: Request) async throws -> [BrandPairDTO] {
        let ctx = try req.ctx()
        return try await BrandFollowUpService.pairs(try await Self.brand(req), on: ctx.db).map { Self.pairDTO($0.0, $0.1) }
    }

    func pair(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let body = try req.content.decode(BrandPairRequest.self)
        let p = try await BrandFollowUpService.pair(try await Self.brand(req), orgRef: body.orgId, goal: body.goal, startedOn: body.startedOn, ctx: ctx)
        return try await Self.pairDTO(p, []).encodeResponse(status: .created, for: req)
    }

    func activity(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        guard let id = UUID(uuidString: req.parameters.get("id") ?? ""), let p = try await BrandPairModel.find(id, on: req.db) else { throw AppError.notFound("共建对子不存在") }
        let body = try req.content.decode(BrandActivityRequest.self)
        let a = try await BrandFollowUpService.activity(p, day: body.day, title: body.title, text: body.text, ctx: ctx)
        return try await BrandActivityDTO(day: a.day, title: a.title, text: a.text).encodeResponse(status: .created, for: req)
    }

    // MARK: assessment

    func assessment(_ req: Request) async throws -> BrandRankingDTO {
        let ctx = try req.ctx()
        let year = try Self.optionalYear(req) ?? ctx.today.year
        let rows = try await BrandFollowUpService.ranking(year: year, ctx: ctx)
        let published = try await BrandRankingModel.query(on: req.db).filter(\.$year == year).count() > 0
        return BrandRankingDTO(year: year, published: published, rows: rows)
    }

    func scoreBranch(_ req: Request) async throws -> BrandAssessmentDTO {
        let ctx = try req.ctx()
        let b = try req.content.decode(BrandAssessmentRequest.self)
        let raw = ["basic": String(b.basic), "carriers": String(b.carriers), "effect": String(b.effect)]
        return BrandAssessmentDTO(try await BrandFollowUpService.scoreBranch(orgRef: b.orgId, year: b.year, raw: raw, comment: b.comment ?? "",
                                                                            version: try clientVersion(b.version), ctx: ctx))
    }

    func publish(_ req: Request) async throws -> BrandRankingDTO {
        let ctx = try req.ctx()
        let year = try req.content.decode(PublishRequest.self).year
        let p = try await BrandFollowUpService.publish(year: year, ctx: ctx)
        return BrandRankingDTO(year: year, published: true, rows: JSON.decode([BrandFollowUpService.RankRow].self, p.rows) ?? [])
    }

    func settings(_ req: Request) async throws -> BrandSettings {
        try await req.require(.readBrands, entity: "settings")
        return try await BrandService.settings(on: req.db)
    }

    func saveSettings(_ req: Request) async throws -> BrandSettings {
        let ctx = try req.ctx()
        let s = try req.content.decode(BrandSettings.self)
        try await BrandService.saveSettings(s, ctx: ctx)
        return s
    }

    // MARK: logo

    func uploadLogo(_ req: Request) async throws -> BrandDTO {
        let ctx = try req.ctx()
        let b = try await Self.brand(req)
        guard var buf = req.body.data, buf.readableBytes > 0 else { throw AppError.badRequest("请求体为空：请上传标识图片", field: "file") }
        let data = buf.readData(length: buf.readableBytes) ?? Data()
        return BrandDTO(try await BrandMedia.setLogo(b, data: data, ctx: ctx))
    }

    func logo(_ req: Request) async throws -> Response {
        try await BrandMedia.logoResponse(try await Self.brand(req), on: req.db)
    }

    func publicLogo(_ req: Request) async throws -> Response {
        try await BrandMedia.logoResponse(try await Self.publicBrand(req), on: req.db)
    }

    // MARK: exports

    static func export(_ req: Request, format: String) async throws -> Response {
        let ctx = try req.ctx()
        let brands = try await BrandService.list(ctx: ctx, filter: .init(state: try stateQuery(req), year: try optionalYear(req)))
        var t = [["品牌名称", "创建组织", "所属单位", "状态", "申报年度", "主题", "内涵", "命名日期", "整改期限"]]
        for b in brands {
            t.append([b.name, b.ownerLabel, b.unitName, b.stateValue.label, String(b.year), b.theme, b.connotation, b.namedOn ?? "", b.deadline ?? ""])
        }
        return try ImportExport.download(SheetTable(rows: t), name: "党建品牌", format: format)
    }

    static func exportScores(_ req: Request, format: String) async throws -> Response {
        let ctx = try req.ctx()
        let year = try optionalYear(req) ?? ctx.today.year
        let rows = try await BrandFollowUpService.ranking(year: year, ctx: ctx)
        var t = [["排名", "党支部", "所属单位"] + BrandAssessmentPart.allCases.map(\.label) + ["总分"]]
        for r in rows { t.append([String(r.rank), r.orgName, r.unitName, String(r.basic), String(r.carriers), String(r.effect), String(r.total)]) }
        return try ImportExport.download(SheetTable(rows: t), name: "\(year)年党建品牌创建考核", format: format)
    }

    static func exportArchive(_ req: Request, format: String) async throws -> Response {
        let ctx = try req.ctx()
        let b = try await brand(req)
        var t = [["序号", "日期", "事项", "内容", "办理人"]]
        for e in try await BrandService.events(b, on: ctx.db) {
            t.append([String(e.seq), e.day, BrandMedia.eventLabel(e.kind), e.text, e.actorName])
        }
        return try ImportExport.download(SheetTable(rows: t), name: "\(b.name)创建档案", format: format)
    }
}

extension Application {
    private struct BrandCommentLimiterKey: StorageKey { typealias Value = RateLimiter }
    /// 20 public comments per IP per minute; set once in `configure`.
    var brandCommentLimiter: RateLimiter {
        get { storage[BrandCommentLimiterKey.self] ?? RateLimiter(limit: 20, window: 60) }
        set { storage[BrandCommentLimiterKey.self] = newValue }
    }
}
