import Vapor
import Fluent
import Domain

/// `/api/v1/ratings`, `/api/v1/notices`, `/api/v1/schemes` (DOMAIN §2).
struct RatingAPIController {
    /// A rating with everything the detail page and API show; drafts get the computed criteria pre-filled.
    static func detail(_ r: RatingModel, ctx: Ctx) async throws -> (RatingDTO, RatingScheme, BranchFacts?) {
        let scheme = try await RatingService.scheme(for: r, on: ctx.db)
        let market = try await RatingService.marketVerdicts(year: r.year, thresholds: scheme.thresholds, on: ctx.db)[r.branchID] ?? .clear
        var facts: BranchFacts?
        if r.stageValue == .draft, let branch = try await OrgModel.find(r.branchID, on: ctx.db) {
            facts = try await RatingService.facts(branch: branch, year: r.year, scheme: scheme, ctx: ctx)
        }
        let answers = r.answerMap
        let files = try await AttachmentService.names(answers.values.flatMap(\.attachments), on: ctx.db)
        var out: [String: AnswerDTO] = [:]
        for c in scheme.allCriteria {
            let a = answers[c.key] ?? CriterionAnswer()
            let computed = a.computed ?? (facts.flatMap { f in c.check.map { $0.evaluate(f, requested: r.requestedSet) } })
            out[c.key] = AnswerDTO(met: a.met, text: a.text,
                                   attachments: a.attachments.compactMap { id in files[id].map { AnswerDTO.File(id: id, filename: $0.0, size: $0.1) } },
                                   computedMet: computed?.met, computedDetail: computed?.detail)
        }
        let steps = try await RatingService.steps(r, on: ctx.db).map(RatingStepDTO.init)
        let ledger = try await RatingService.ledger(r, on: ctx.db).map(LedgerEntryDTO.init)
        return (RatingDTO(r, market: market, scheme: scheme, answers: out, steps: steps, ledger: ledger), scheme, facts)
    }

    static func summaries(_ ratings: [RatingModel], year: Int, ctx: Ctx) async throws -> [RatingDTO] {
        var schemes: [UUID: RatingScheme] = [:]
        var verdicts: [UUID: [UUID: StarRating.MarketVerdict]] = [:]
        var out: [RatingDTO] = []
        for r in ratings {
            if schemes[r.roundID] == nil {
                let s = try await RatingService.scheme(for: r, on: ctx.db)
                schemes[r.roundID] = s
                verdicts[r.roundID] = try await RatingService.marketStandings(year: r.year, branches: ratings.count <= 1000 ? ratings.map(\.branchID) : nil, on: ctx.db)
                    .mapValues { StarRating.market($0, thresholds: s.thresholds) }
            }
            out.append(RatingDTO(r, market: verdicts[r.roundID]?[r.branchID] ?? .clear, scheme: schemes[r.roundID]))
        }
        return out
    }

    static func filter(_ req: Request, ctx: Ctx) throws -> RatingService.Filter {
        let stage = (try? req.query.get(String.self, at: "stage")) ?? ""
        if !stage.isEmpty && RatingStage(rawValue: stage) == nil { throw AppError.badRequest("状态筛选值无效", field: "stage") }
        let waiting = Check.bool(try? req.query.get(String.self, at: "waiting"))
        return .init(year: try req.yearQuery(ctx), stage: stage, waiting: waiting, orgID: try? req.query.get(String.self, at: "orgId"))
    }

    func list(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "rating")
        let paging = try Paging(req, defaultPer: 50)
        let f = try Self.filter(req, ctx: ctx), cache = req.application.viewCache
        return try await req.keptJSON("ratings", ctx: ctx) {
            let (items, total) = try await Self.cachedPage(ctx: ctx, filter: f, paging: paging, cache: cache)
            return ListResponse(items: items, total: total, page: paging.page, per: paging.per)
        }
    }

    /// A page of the year's ratings with their levels (R-6) and market verdicts, kept per user, filter
    /// and page until the next write: the list page and the API read the same.
    static func cachedPage(ctx: Ctx, filter f: RatingService.Filter, paging: Paging, cache: ViewCache) async throws -> (items: [RatingDTO], total: Int) {
        struct Page: Sendable { var items: [RatingDTO]; var total: Int }
        let key = "ratingpage|\(ctx.user.id)|\(ctx.today.iso)|\(f.year)|\(f.stage ?? "")|\(f.waiting)|\(f.orgID ?? "")|\(paging.page)|\(paging.per)"
        let page = try await cache.value(key) { () async throws -> Page in
            let (ratings, total) = try await RatingService.page(ctx: ctx, filter: f, paging: paging, cache: cache)
            return Page(items: try await summaries(ratings, year: f.year, ctx: ctx), total: total)
        }
        return (page.items, page.total)
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.applyRating, entity: "rating")
        let body = try req.content.decode(RatingOpenRequest.self)
        let r = try await RatingService.open(branchRef: body.branchId, year: body.year, ctx: ctx)
        return try await Self.detail(r, ctx: ctx).0.encodeResponse(status: .created, for: req)
    }

    func get(_ req: Request) async throws -> RatingDTO {
        let ctx = try req.ctx()
        return try await Self.detail(try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx), ctx: ctx).0
    }

    func assess(_ req: Request) async throws -> RatingDTO {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let body = try req.content.decode(AssessmentRequest.self)
        var answers: [String: (met: Bool?, text: String)] = [:]
        for (k, a) in body.answers ?? [:] { answers[k] = (a.met, a.text ?? "") }
        let saved = try await RatingService.saveAssessment(r, requested: body.requestedStars, answers: answers, ctx: ctx)
        return try await Self.detail(saved, ctx: ctx).0
    }

    func submit(_ req: Request) async throws -> RatingDTO {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let v = (req.body.data?.readableBytes ?? 0) > 0 ? try req.content.decode(VersionRequest.self).version : nil
        return try await Self.detail(try await RatingService.submit(r, expectedVersion: v, ctx: ctx), ctx: ctx).0
    }

    func decide(_ req: Request) async throws -> RatingDTO {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let body = try req.content.decode(DecideRequest.self)
        return try await Self.detail(try await RatingService.decide(r, stars: body.stars, comment: body.comment, expectedVersion: body.version, ctx: ctx), ctx: ctx).0
    }

    func returnBack(_ req: Request) async throws -> RatingDTO {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let body = try req.content.decode(ReturnRequest.self)
        return try await Self.detail(try await RatingService.returnBack(r, reason: body.reason, expectedVersion: body.version, ctx: ctx), ctx: ctx).0
    }

    func addLedger(_ req: Request) async throws -> RatingDTO {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let b = try req.content.decode(LedgerRequest.self)
        return try await Self.detail(try await RatingService.adjust(r, change: b.change, star: b.star, date: b.date, reason: b.reason, ctx: ctx), ctx: ctx).0
    }

    func ledger(_ req: Request) async throws -> [LedgerEntryDTO] {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return try await RatingService.ledger(r, on: ctx.db).map(LedgerEntryDTO.init)
    }

    func upload(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        guard let criterion = try? req.query.get(String.self, at: "criterion"), !criterion.isEmpty else {
            throw AppError.badRequest("请在 criterion 参数中指明材料对应的评星标准", field: "criterion")
        }
        let name = (try? req.query.get(String.self, at: "filename")) ?? "佐证材料"
        guard var buf = req.body.data, buf.readableBytes > 0 else { throw AppError.badRequest("请求体为空：请上传文件内容", field: "file") }
        let data = buf.readData(length: buf.readableBytes) ?? Data()
        let a = try await AttachmentService.addToRating(r, criterion: criterion, filename: name, data: data, ctx: ctx)
        return try await AnswerDTO.File(id: a.idString, filename: a.filename, size: a.size).encodeResponse(status: .created, for: req)
    }

    func attachment(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        return AttachmentService.download(try await AttachmentService.find(req.parameters.get("id") ?? "", ctx: ctx))
    }

    func spotCheck(_ req: Request) async throws -> SpotCheckResult {
        let ctx = try req.ctx()
        let body = try req.content.decode(SpotCheckRequest.self)
        let (sel, acc) = try await RatingService.drawSpotCheck(year: body.year, ctx: ctx)
        return SpotCheckResult(selected: try await Self.summaries(sel, year: body.year, ctx: ctx), accepted: acc.count)
    }

    func results(_ req: Request) async throws -> ResultsDTO {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "rating")
        let y = try req.yearQuery(ctx)
        return ResultsDTO(year: y, units: try await RatingResults.units(year: y, ctx: ctx))
    }

    func export(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "rating")
        let y = try req.yearQuery(ctx)
        return try ImportExport.download(try await RatingExport.table(year: y, ctx: ctx), name: "\(y)年度五星支部评定", format: req.parameters.get("format") ?? "csv")
    }

    func marketImport(_ req: Request) async throws -> MarketImportResult {
        let ctx = try req.ctx()
        try await MarketService.requireImporter(ctx)
        let y = try req.yearQuery(ctx)
        let s = try await MarketService.importYear(y, table: try ImportAPI.table(req), ctx: ctx)
        return MarketImportResult(year: s.year, rows: s.rows, linked: s.linked, capped: s.capped, vetoed: s.vetoed)
    }

    func market(_ req: Request) async throws -> [MarketScoreDTO] {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "market")
        return try await MarketService.list(year: try req.yearQuery(ctx), ctx: ctx).map(MarketScoreDTO.init)
    }

    func rectifications(_ req: Request) async throws -> [RectificationDTO] {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "rectification")
        let y = try req.yearQuery(ctx)
        return try await ProblemModel.query(on: ctx.db).filter(\.$year == y).filter(\.$source ~~ [ProblemSource.marketVeto, .oneStar, .ratingComplaint].map(\.rawValue))
            .inScope(ctx.scope.roots(for: .readRatings), path: \.$orgPath).sort(\.$createdAt).all().map(RectificationDTO.init)
    }

    // MARK: rating years and schemes

    func rounds(_ req: Request) async throws -> [RoundDTO] {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "rating_year")
        return try await RoundModel.query(on: ctx.db).sort(\.$year, .descending).all().map(RoundDTO.init)
    }

    func openRound(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try req.content.decode(RoundRequest.self)
        return try await RoundDTO(try await RatingService.openYear(orgRef: b.orgId, year: b.year, schemeRef: b.schemeId, ctx: ctx)).encodeResponse(status: .created, for: req)
    }

    func schemes(_ req: Request) async throws -> [SchemeDTO] {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "scheme")
        return try await SchemeService.all(on: ctx.db).map { SchemeDTO($0, full: false) }
    }

    func scheme(_ req: Request) async throws -> SchemeDTO {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "scheme")
        return SchemeDTO(try await SchemeService.find(req.parameters.get("id") ?? "", on: ctx.db), full: true)
    }

    func copyScheme(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let src = try await SchemeService.find(req.parameters.get("id") ?? "", on: ctx.db)
        let b = try req.content.decode(SchemeCopyRequest.self)
        return try await SchemeDTO(try await SchemeService.copy(src, name: b.name, orgRef: b.orgId, ctx: ctx), full: true).encodeResponse(status: .created, for: req)
    }

    func updateScheme(_ req: Request) async throws -> SchemeDTO {
        let ctx = try req.ctx()
        let cur = try await SchemeService.find(req.parameters.get("id") ?? "", on: ctx.db)
        try await SchemeService.requireAdmin(ctx)
        let body = try req.content.decode(RatingScheme.self)
        return SchemeDTO(try await SchemeService.update(cur, to: body, ctx: ctx), full: true)
    }

    // MARK: notices

    func notices(_ req: Request) async throws -> ListResponse<NoticeDTO> {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "notice")
        let paging = try Paging(req, defaultPer: 50)
        let q = NoticeModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readRatings), path: \.$orgPath)
        let total = try await q.count()
        let list = try await q.sort(\.$startDate, .descending).offset(paging.offset).limit(paging.per).all()
        var items: [NoticeDTO] = []
        for n in list { items.append(NoticeDTO(n, items: try await NoticeService.items(n, on: ctx.db), today: ctx.today)) }
        return ListResponse(items: items, total: total, page: paging.page, per: paging.per)
    }

    func createNotice(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.manageNotices, entity: "notice")
        let b = try req.content.decode(NoticeCreateRequest.self)
        let cal = try await CalendarService.calendar(req.application, db: req.db)
        let n = try await NoticeService.create(title: b.title, orgRef: b.orgId, year: b.year, start: b.startDate, workingDays: b.workingDays,
                                               ratingIDs: b.ratingIds, ctx: ctx, calendar: cal)
        return try await NoticeDTO(n, items: try await NoticeService.items(n, on: ctx.db), today: ctx.today).encodeResponse(status: .created, for: req)
    }

    func notice(_ req: Request) async throws -> NoticeDTO {
        let ctx = try req.ctx()
        let n = try await NoticeService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return NoticeDTO(n, items: try await NoticeService.items(n, on: ctx.db), today: ctx.today)
    }

    func closeNotice(_ req: Request) async throws -> NoticeDTO {
        let ctx = try req.ctx()
        let n = try await NoticeService.close(try await NoticeService.find(req.parameters.get("id") ?? "", ctx: ctx), ctx: ctx)
        return NoticeDTO(n, items: try await NoticeService.items(n, on: ctx.db), today: ctx.today)
    }

    func complaints(_ req: Request) async throws -> [ComplaintDTO] {
        let ctx = try req.ctx()
        let n = try await NoticeService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .manageNotices)
        return try await NoticeService.complaints(n, on: ctx.db).map(ComplaintDTO.init)
    }

    /// Public: anyone may complain during a notice (no login), rate-limited per IP.
    func fileComplaint(_ req: Request) async throws -> Response {
        let ctx = Ctx.anonymous(req)
        let uuid = try (req.parameters.get("id") ?? "").uuid(or: "公示不存在")
        guard let n = try await NoticeModel.find(uuid, on: req.db) else { throw AppError.notFound("公示不存在") }
        let b = try req.content.decode(ComplaintRequest.self)
        try Self.rateLimit(req)
        let c = try await NoticeService.file(n, ratingRef: b.ratingId, name: b.name, contact: b.contact, body: b.body, ip: req.remoteAddress?.ipAddress, ctx: ctx)
        return try await ComplaintReceipt(id: c.idString, status: c.status, message: "已收到您的问题反映，我们将认真核查").encodeResponse(status: .created, for: req)
    }

    static func rateLimit(_ req: Request) throws {
        let ip = req.remoteAddress?.ipAddress ?? "unknown"
        guard req.application.complaintLimiter.allow(ip, now: Date().timeIntervalSince1970) else {
            throw AppError.rateLimited("提交过于频繁：同一网络每小时最多提交5次，请稍后再试")
        }
    }

    func verifyComplaint(_ req: Request) async throws -> ComplaintDTO {
        let ctx = try req.ctx()
        let (c, n) = try await NoticeService.findComplaint(req.parameters.get("id") ?? "", ctx: ctx)
        let b = try req.content.decode(VerifyRequest.self)
        return ComplaintDTO(try await NoticeService.verify(c, notice: n, upheld: b.upheld, note: b.note, ctx: ctx))
    }
}

extension Ctx {
    /// A visitor without login (public notice pages): no grants, audited as 匿名访客.
    static func anonymous(_ req: Request) -> Ctx {
        Ctx(db: req.db, user: CurrentUser(id: UUID(), username: "", displayName: "匿名访客", memberID: nil, scope: Scope(grants: []), credentialStamp: ""),
            actor: Audit.actor(req), now: req.now)
    }
}
