import Vapor
import Fluent
import Domain

/// JSON API of supervision and evaluation (DOMAIN §7–§8): the problem ledger and its
/// escalation, the risk register, 月晒季评年考, surveys and award eligibility.
struct SupervisionAPIController {
    static func query<T>(_ req: Request, _ key: String, _ parse: (String) -> T?, _ message: String) throws -> T? {
        guard let s = try? req.query.get(String.self, at: key), !s.isEmpty else { return nil }
        guard let v = parse(s) else { throw AppError.badRequest(message, field: key) }
        return v
    }

    static func optionalOrg(_ req: Request, ctx: Ctx) async throws -> OrgModel? {
        guard let ref = try? req.query.get(String.self, at: "orgId"), !ref.isEmpty else { return nil }
        return try await OrgService.find(ref, ctx: ctx, for: .readSupervision)
    }

    // MARK: problems

    func problems(_ req: Request) async throws -> ListResponse<ProblemDTO> {
        let ctx = try req.ctx()
        let paging = try Paging(req)
        let f = ProblemService.Filter(
            orgID: try await Self.optionalOrg(req, ctx: ctx)?.id,
            status: try Self.query(req, "status", ProblemStatus.init(rawValue:), "status 应为 open、rectified 或 verified"),
            aspect: try Self.query(req, "aspect", Star.init(rawValue:), "aspect 应为 political、business、service、integrity 或 strong"),
            source: try Self.query(req, "source", ProblemSource.init(rawValue:), "source 不是有效的问题来源"),
            overdueOnly: Check.bool(try? req.query.get(String.self, at: "overdue")))
        let (rows, total) = try await ProblemService.list(ctx: ctx, filter: f, paging: paging)
        return ListResponse(items: rows.map { ProblemDTO($0, today: ctx.today) }, total: total, page: paging.page, per: paging.per)
    }

    static func dto(_ p: ProblemModel, ctx: Ctx) async throws -> ProblemDTO {
        ProblemDTO(p, today: ctx.today, steps: try await ProblemService.steps(p, on: ctx.db),
                   files: try await AttachmentService.files(ownerType: "problem", ownerID: p.id!, on: ctx.db))
    }

    func createProblem(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try req.content.decode(ProblemRequest.self)
        _ = try clientVersion(b.version)  // ignored on creation, but a negative one is still bad input
        return try await Self.dto(try await ProblemService.create(b.input, ctx: ctx), ctx: ctx).encodeResponse(status: .created, for: req)
    }

    func problem(_ req: Request) async throws -> ProblemDTO {
        let ctx = try req.ctx()
        return try await Self.dto(try await ProblemService.find(req.parameters.get("id") ?? "", ctx: ctx), ctx: ctx)
    }

    func updateProblem(_ req: Request) async throws -> ProblemDTO {
        let ctx = try req.ctx()
        let p = try await ProblemService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let b = try req.content.decode(ProblemRequest.self)
        var input = b.input
        if b.source == nil { input.source = p.source }
        return try await Self.dto(try await ProblemService.update(p, input, version: try clientVersion(b.version), ctx: ctx), ctx: ctx)
    }

    func problemStep(_ req: Request) async throws -> ProblemDTO {
        let ctx = try req.ctx()
        let p = try await ProblemService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let b = try req.content.decode(ProblemStepRequest.self)
        guard let step = ProblemStep(rawValue: b.step) else { throw AppError.validation(FieldErrors("step", "step 应为 progress、rectified、verify 或 reject")) }
        return try await Self.dto(try await ProblemService.step(p, step, text: b.text, version: try clientVersion(b.version), ctx: ctx), ctx: ctx)
    }

    func escalations(_ req: Request) async throws -> [EscalationDTO] {
        let ctx = try req.ctx()
        try await req.require(.readSupervision, entity: "escalation")
        let all = Check.bool(try? req.query.get(String.self, at: "all"))
        return try await ProblemService.escalations(ctx: ctx).filter { all || $0.state.level != .none }.map(EscalationDTO.init)
    }

    func assign(_ req: Request) async throws -> EscalationDTO {
        let ctx = try req.ctx()
        let org = try await OrgService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .readSupervision)
        let b = try req.content.decode(AssignRequest.self)
        _ = try await ProblemService.assign(org: org, assignee: b.assignee, note: b.note ?? "", ctx: ctx)
        guard let e = try await ProblemService.escalations(ctx: ctx, orgID: org.id).first else { throw AppError.notFound("组织不存在") }
        return EscalationDTO(e)
    }

    // MARK: risks

    func risks(_ req: Request) async throws -> [RiskDTO] {
        let ctx = try req.ctx()
        let f = RiskService.Filter(orgID: try await Self.optionalOrg(req, ctx: ctx)?.id,
                                   level: try Self.query(req, "level", RiskLevel.init(rawValue:), "level 应为 high、medium 或 low"),
                                   process: try? req.query.get(String.self, at: "process"),
                                   flaggedOnly: Check.bool(try? req.query.get(String.self, at: "flagged")))
        return try await RiskService.list(ctx: ctx, filter: f).map { RiskDTO($0, today: ctx.today) }
    }

    func riskMatrix(_ req: Request) async throws -> RiskMatrixDTO {
        let ctx = try req.ctx()
        let rows = try await RiskService.list(ctx: ctx, filter: .init(orgID: try await Self.optionalOrg(req, ctx: ctx)?.id))
        return RiskMatrixDTO(rows: RiskService.matrix(rows).map { .init(process: $0.process, high: $0.counts[0], medium: $0.counts[1], low: $0.counts[2]) },
                             total: rows.count, flagged: rows.filter { RiskReview.isFlagged(lastReviewed: $0.reviewedDay, today: ctx.today) }.count)
    }

    func createRisk(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try req.content.decode(RiskRequest.self)
        _ = try clientVersion(b.version)  // ignored on creation, but a negative one is still bad input
        return try await RiskDTO(try await RiskService.save(nil, b.input, version: nil, ctx: ctx), today: ctx.today).encodeResponse(status: .created, for: req)
    }

    func risk(_ req: Request) async throws -> RiskDTO {
        let ctx = try req.ctx()
        return RiskDTO(try await RiskService.find(req.parameters.get("id") ?? "", ctx: ctx), today: ctx.today)
    }

    func updateRisk(_ req: Request) async throws -> RiskDTO {
        let ctx = try req.ctx()
        let r = try await RiskService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let b = try req.content.decode(RiskRequest.self)
        return RiskDTO(try await RiskService.save(r, b.input, version: try clientVersion(b.version), ctx: ctx), today: ctx.today)
    }

    func reviewRisk(_ req: Request) async throws -> RiskDTO {
        let ctx = try req.ctx()
        let r = try await RiskService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let b = (try? req.content.decode(RiskReviewRequest.self)) ?? RiskReviewRequest(note: nil)
        return RiskDTO(try await RiskService.review(r, note: b.note ?? "", ctx: ctx), today: ctx.today)
    }

    func deleteRisk(_ req: Request) async throws -> HTTPStatus {
        let ctx = try req.ctx()
        try await RiskService.delete(try await RiskService.find(req.parameters.get("id") ?? "", ctx: ctx), ctx: ctx)
        return .noContent
    }

    // MARK: 月晒季评年考

    func reports(_ req: Request) async throws -> [SelfReportDTO] {
        let ctx = try req.ctx()
        let year = try req.yearQuery(ctx)
        let org: OrgModel? = try await {
            guard let ref = try? req.query.get(String.self, at: "orgId"), !ref.isEmpty else { return nil }
            return try await OrgService.find(ref, ctx: ctx, for: ctx.scope.allows(.readSupervision) ? .readSupervision : .writeRecords)
        }()
        let w = try await EvaluationService.weights(on: req.db)
        return try await EvaluationService.reports(ctx: ctx, year: year, orgID: org?.id).map { SelfReportDTO($0, dueDay: w.reportDueDay, today: ctx.today) }
    }

    func submitReport(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try req.content.decode(SelfReportRequest.self)
        let r = try await EvaluationService.submitReport(orgRef: b.orgId, year: b.year, month: b.month, text: b.text, ctx: ctx)
        let w = try await EvaluationService.weights(on: req.db)
        return try await SelfReportDTO(r, dueDay: w.reportDueDay, today: ctx.today).encodeResponse(status: .created, for: req)
    }

    func report(_ req: Request) async throws -> SelfReportDTO {
        let ctx = try req.ctx()
        let r = try await EvaluationService.findReport(req.parameters.get("id") ?? "", ctx: ctx,
                                                       for: ctx.scope.allows(.readSupervision) ? .readSupervision : .writeRecords)
        return SelfReportDTO(r, dueDay: try await EvaluationService.weights(on: req.db).reportDueDay, today: ctx.today)
    }

    func quarters(_ req: Request) async throws -> [QuarterScoreDTO] {
        let ctx = try req.ctx()
        try await req.require(.readSupervision, entity: "quarter")
        return try await EvaluationService.quarterScores(ctx: ctx, year: try req.yearQuery(ctx)).sorted { ($0.orgPath, $0.quarter) < ($1.orgPath, $1.quarter) }.map(QuarterScoreDTO.init)
    }

    func scoreQuarter(_ req: Request) async throws -> QuarterScoreDTO {
        let ctx = try req.ctx()
        let b = try req.content.decode(QuarterScoreRequest.self)
        return QuarterScoreDTO(try await EvaluationService.scoreQuarter(orgRef: b.orgId, year: b.year, quarter: b.quarter, score: String(b.score),
                                                                      comment: b.comment ?? "", version: try clientVersion(b.version), ctx: ctx))
    }

    func assessment(_ req: Request) async throws -> AssessmentDTO {
        let ctx = try req.ctx()
        let year = try req.yearQuery(ctx)
        let rows = try await EvaluationService.assess(year: year, ctx: ctx)
        return AssessmentDTO(year: year, weights: try await EvaluationService.weights(on: req.db), rows: rows.map(AssessmentRowDTO.init))
    }

    func published(_ req: Request) async throws -> AssessmentDTO {
        let ctx = try req.ctx()
        let year = try req.yearQuery(ctx)
        guard let (p, body) = try await EvaluationService.published(year: year, ctx: ctx) else { throw AppError.notFound("\(year)年度考核排名尚未发布") }
        return AssessmentDTO(year: year, weights: body.weights, rows: body.rows.map(AssessmentRowDTO.init), publishedAt: p.publishedAt, publishedBy: p.publishedBy, scope: p.orgName)
    }

    func publish(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try req.content.decode(PublishRequest.self)
        let p = try await EvaluationService.publish(year: b.year, ctx: ctx)
        let body = JSON.decode(EvaluationService.Published.self, p.body)!
        return try await AssessmentDTO(year: b.year, weights: body.weights, rows: body.rows.map(AssessmentRowDTO.init), publishedAt: p.publishedAt,
                                       publishedBy: p.publishedBy, scope: p.orgName).encodeResponse(status: .created, for: req)
    }

    func weights(_ req: Request) async throws -> Assessment.Weights {
        try await req.require(.readSupervision, entity: "settings")
        return try await EvaluationService.weights(on: req.db)
    }

    func saveWeights(_ req: Request) async throws -> Assessment.Weights {
        let ctx = try req.ctx()
        let w = try req.content.decode(Assessment.Weights.self)
        try await EvaluationService.saveWeights(w, ctx: ctx)
        return w
    }

    // MARK: surveys

    func surveys(_ req: Request) async throws -> [SurveyDTO] {
        let ctx = try req.ctx()
        let year = try Self.query(req, "year", { Int($0).flatMap { (2000...2100).contains($0) ? $0 : nil } }, "年度 year 应为2000到2100之间的整数")
        return try await SurveyService.list(ctx: ctx, year: year).map { SurveyDTO($0) }
    }

    static func surveyDTO(_ s: SurveyModel, on db: any Database) async throws -> SurveyDTO {
        SurveyDTO(s, links: try await SurveyLinkModel.query(on: db).filter(\.$surveyID == s.id!).count(), responses: try await SurveyService.responses(s, on: db))
    }

    func createSurvey(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try req.content.decode(SurveyRequest.self)
        _ = try clientVersion(b.version)  // ignored on creation, but a negative one is still bad input
        return try await Self.surveyDTO(try await SurveyService.save(nil, b.input, version: nil, ctx: ctx), on: req.db).encodeResponse(status: .created, for: req)
    }

    func survey(_ req: Request) async throws -> SurveyDTO {
        let ctx = try req.ctx()
        return try await Self.surveyDTO(try await SurveyService.find(req.parameters.get("id") ?? "", ctx: ctx), on: req.db)
    }

    func updateSurvey(_ req: Request) async throws -> SurveyDTO {
        let ctx = try req.ctx()
        let s = try await SurveyService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let b = try req.content.decode(SurveyRequest.self)
        return try await Self.surveyDTO(try await SurveyService.save(s, b.input, version: try clientVersion(b.version), ctx: ctx), on: req.db)
    }

    func setSurveyStatus(_ req: Request, to status: String) async throws -> SurveyDTO {
        let ctx = try req.ctx()
        let s = try await SurveyService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return try await Self.surveyDTO(try await SurveyService.setStatus(s, to: status, ctx: ctx), on: req.db)
    }

    static func linkURL(_ req: Request, _ token: String) -> String {
        let host = req.headers.first(name: .host) ?? "localhost"
        return "http://\(host)/public/surveys/\(token)"
    }

    func surveyLinks(_ req: Request) async throws -> [SurveyLinkDTO] {
        let ctx = try req.ctx()
        let s = try await SurveyService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .supervise)
        return try await SurveyService.links(s, on: req.db).map { SurveyLinkDTO(token: $0.0.token, url: Self.linkURL(req, $0.0.token), label: $0.0.label, answered: $0.1) }
    }

    func makeLinks(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let s = try await SurveyService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let b = try req.content.decode(SurveyLinksRequest.self)
        let links = try await SurveyService.makeLinks(s, count: b.count, label: b.label ?? "", ctx: ctx)
        return try await links.map { SurveyLinkDTO(token: $0.token, url: Self.linkURL(req, $0.token), label: $0.label, answered: false) }.encodeResponse(status: .created, for: req)
    }

    /// Public: the questionnaire behind a link.
    func publicSurvey(_ req: Request) async throws -> PublicSurveyDTO {
        let (s, _, state) = try await SurveyService.byToken(req.parameters.get("token") ?? "", on: req.db)
        guard state != .notOpen else { throw AppError.notFound("问卷链接无效，请核对链接地址") }
        return PublicSurveyDTO(title: s.title, intro: s.intro, orgName: s.orgName, questions: s.questionList,
                               state: state == .open ? "open" : state == .answered ? "answered" : "closed")
    }

    /// Public: one answer per link (409 for a second one).
    func answerSurvey(_ req: Request) async throws -> Response {
        let b = try req.content.decode(SurveyAnswerRequest.self)
        guard b.answers.count <= 50, b.answers.allSatisfy({ $0.count <= 20 }) else { throw AppError.badRequest("answers 过多", field: "answers") }
        try await SurveyService.answer(token: req.parameters.get("token") ?? "", raw: b.answers, db: req.db, now: req.now)
        return Response(status: .created)
    }

    // MARK: awards

    func awards(_ req: Request) async throws -> AwardsDTO {
        let ctx = try req.ctx()
        let year = try req.yearQuery(ctx)
        let bs = try await AwardService.branches(year: year, ctx: ctx)
        let ms = try await AwardService.members(year: year, branches: bs, ctx: ctx)
        return AwardsDTO(year: year,
                         branches: bs.map { AwardRowDTO(kind: "branch", orgId: $0.org.idString, orgName: $0.org.name, memberId: nil, memberName: nil, level: $0.level,
                                                        points: nil, eligible: $0.verdict.eligible, reasons: $0.verdict.reasons, priority: $0.verdict.priority) },
                         members: ms.map { AwardRowDTO(kind: "member", orgId: $0.member.$org.id.uuidString.lowercased(), orgName: $0.branchName,
                                                       memberId: $0.member.id?.uuidString.lowercased(), memberName: $0.member.name, level: nil, points: $0.points,
                                                       eligible: $0.verdict.eligible, reasons: $0.verdict.reasons, priority: $0.verdict.priority) })
    }

    // MARK: exports

    enum Export: String, CaseIterable { case problems, risks, assessment, awards }

    static func export(_ req: Request, kind: Export, format: String) async throws -> Response {
        let ctx = try req.ctx()
        let year = try req.yearQuery(ctx)
        switch kind {
        case .problems:
            let rows = try await ProblemService.list(ctx: ctx, filter: .init(), paging: nil).0
            var t = [["组织", "来源", "方面", "问题描述", "发现日期", "整改期限", "责任领导", "整改措施", "状态", "是否逾期", "验收日期", "验收人"]]
            for p in rows {
                let d = ProblemDTO(p, today: ctx.today)
                t.append([d.orgName, d.sourceLabel, d.aspectLabel, d.description, d.foundOn, d.deadline, d.leader, d.measures ?? "", d.statusLabel,
                          d.overdue ? "逾期" : "", d.verifiedOn ?? "", d.verifiedBy ?? ""])
            }
            return try ImportExport.download(SheetTable(rows: t), name: "问题台账", format: format)
        case .risks:
            let rows = try await RiskService.list(ctx: ctx, filter: .init())
            var t = [["单位", "岗位", "业务环节", "风险点", "风险等级", "事前防控", "事中防控", "事后防控", "责任人", "最近复核", "复核提醒"]]
            for r in rows {
                t.append([r.orgName, r.post, r.process, r.riskDescription, r.levelValue.label, r.before, r.during, r.after, r.owner, r.lastReviewed ?? "",
                          RiskReview.isFlagged(lastReviewed: r.reviewedDay, today: ctx.today) ? "\(ctx.today.year)年未复核" : ""])
            }
            return try ImportExport.download(SheetTable(rows: t), name: "廉政风险点", format: format)
        case .assessment:
            let rows = try await EvaluationService.assess(year: year, ctx: ctx)
            var t = [["排名", "党支部", "总分"] + Assessment.Part.allCases.map(\.label) + ["说明"]]
            for r in rows {
                t.append([String(r.rank), r.orgName, String(r.total)] + Assessment.Part.allCases.map { r.parts[$0.rawValue].map { String($0) } ?? "—" }
                         + [r.notes.joined(separator: "；")])
            }
            return try ImportExport.download(SheetTable(rows: t), name: "\(year)年度考核", format: format)
        case .awards:
            return try ImportExport.download(try await AwardService.table(year: year, ctx: ctx), name: "\(year)年度评先评优资格", format: format)
        }
    }
}
