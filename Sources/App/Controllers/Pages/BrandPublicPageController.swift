import Vapor
import Fluent
import Domain

/// The public face of Party-building brands (no login, phone first): the showcase of named
/// brands (R-12), a candidate's review page taking 社会网评 and 微信点评 (R-11: rate-limited,
/// length-limited, shown only once approved, always escaped) and the published assessment
/// rankings (R-15).
struct BrandPublicPageController {
    struct CardRow: Encodable {
        var id: String; var name: String; var owner: String; var unit: String; var theme: String; var namedOn: String?; var hasLogo: Bool
        var initial: String; var rectifying: Bool
        init(_ b: BrandModel) {
            id = b.idString; name = b.name; owner = b.ownerLabel; unit = b.unitName; theme = b.theme; namedOn = b.namedOn; hasLogo = b.logoID != nil
            initial = String(b.name.prefix(1)); rectifying = b.stateValue == .rectifying
        }
    }
    struct ShowcasePage: Encodable { var meta: PageMeta; var named: [CardRow]; var candidates: [CardRow] }

    func showcase(_ req: Request) async throws -> View {
        let named = try await BrandModel.query(on: req.db).filter(\.$state ~~ [BrandState.named.rawValue, BrandState.rectifying.rawValue])
            .sort(\.$namedOn, .descending).sort(\.$name).all()
        let candidates = try await BrandModel.query(on: req.db).filter(\.$state == BrandState.review.rawValue).sort(\.$name).all()
        return try await req.view.render("brands/showcase", ShowcasePage(meta: await PageMeta.make(req, title: "党建品牌展示"),
                                                                        named: named.map(CardRow.init), candidates: candidates.map(CardRow.init)))
    }

    struct Comment: Encodable { var stars: String; var channel: String; var author: String; var body: String; var at: String }
    struct DetailPage: Encodable {
        var meta: PageMeta; var b: CardRow; var connotation: String; var philosophy: String?; var carriers: String?; var achievements: String?
        var comments: [Comment]; var meanRating: String; var decision: String?
    }

    static func approved(_ b: BrandModel, on db: any Database) async throws -> [Comment] {
        try await BrandSelectionService.comments(b, status: "approved", on: db).reversed().map {
            Comment(stars: BrandPageController.stars($0.rating), channel: $0.channelLabel, author: $0.author ?? "匿名", body: $0.body,
                    at: $0.createdAt.map { String(Format.dateTime($0).prefix(10)) } ?? "")
        }
    }

    func detail(_ req: Request) async throws -> Response {
        let b = try await BrandAPIController.publicBrand(req)
        guard b.stateValue.holdsName else { return req.redirect(to: "/public/brands/\(b.idString)") }
        let cs = try await BrandSelectionService.comments(b, status: "approved", on: req.db)
        let decision = try await b.decisionID.asyncMap { try await BrandDecisionModel.find($0, on: req.db) } ?? nil
        return try await req.view.render("brands/showcase_detail", DetailPage(
            meta: await PageMeta.make(req, title: b.name), b: CardRow(b), connotation: b.connotation, philosophy: b.philosophy, carriers: b.carriers,
            achievements: b.achievements, comments: try await Self.approved(b, on: req.db),
            meanRating: BrandPageController.one(BrandSelectionService.summary(cs).mean),
            decision: decision.map { "\($0.document)（\(Day(iso: $0.decidedOn)?.chinese ?? $0.decidedOn)）" })).encodeResponse(for: req)
    }

    // MARK: the candidate's review page (/public/brands/{id})

    struct ReviewPage: Encodable {
        var meta: PageMeta; var b: CardRow; var connotation: String; var achievements: String?; var comments: [Comment]; var meanRating: String
        var open: Bool; var mobile: Bool; var ratings: [BrandPageController.Tick]; var form: FormState; var done: Bool; var max: Int
    }
    static let keys = ["rating", "author", "body"]

    func renderReview(_ req: Request, _ b: BrandModel, form: FormState, done: Bool, mobile: Bool, status: HTTPStatus) async throws -> Response {
        let cs = try await BrandSelectionService.comments(b, status: "approved", on: req.db)
        return try await req.view.render("brands/public", ReviewPage(
            meta: await PageMeta.make(req, title: "党建品牌公开评议：\(b.name)"), b: CardRow(b), connotation: b.connotation, achievements: b.achievements,
            comments: try await Self.approved(b, on: req.db), meanRating: BrandPageController.one(BrandSelectionService.summary(cs).mean),
            open: b.stateValue == .review, mobile: mobile, ratings: BrandPageController.ratingChecks(form.values["rating"]), form: form, done: done,
            max: BrandSelectionService.maxComment)).encodeResponse(status: status, for: req)
    }

    static func isMobile(_ req: Request) -> Bool { ((try? req.query.get(String.self, at: "ch")) ?? "") == "m" }

    func review(_ req: Request) async throws -> Response {
        let b = try await BrandAPIController.publicBrand(req)
        return try await renderReview(req, b, form: FormState(keys: Self.keys), done: Check.bool(try? req.query.get(String.self, at: "done")),
                                      mobile: Self.isMobile(req), status: .ok)
    }

    /// 社会网评, or 微信点评 when it came by the QR / WeChat link (`?ch=m`).
    func comment(_ req: Request) async throws -> Response {
        let b = try await BrandAPIController.publicBrand(req)
        let f = try req.formFields()
        let mobile = Self.isMobile(req) || f["ch"] == "m"
        func again(_ e: FieldErrors, _ status: HTTPStatus, summary: String? = nil) async throws -> Response {
            var form = FormState(values: f, errors: e, keys: Self.keys)
            if let summary { form.summary = summary }
            return try await renderReview(req, b, form: form, done: false, mobile: mobile, status: status)
        }
        do {
            try BrandAPIController.rateLimit(req)
            _ = try await BrandSelectionService.comment(b, channel: mobile ? "mobile" : "web", rating: f["rating"] ?? "", body: f["body"] ?? "", author: f["author"] ?? "",
                                                        ip: req.remoteAddress?.ipAddress ?? "unknown", user: nil, on: req.db, now: req.now)
        } catch AppError.validation(let e) {
            return try await again(e, .unprocessableEntity)
        } catch AppError.rateLimited(let m) {
            return try await again(FieldErrors("body", m), .tooManyRequests, summary: "提交过于频繁，请稍后再试")
        } catch AppError.conflict(let m, _) {
            return try await again(FieldErrors("body", m), .conflict, summary: m)
        }
        // post/redirect/get: a refresh does not post the comment again
        return req.redirect(to: "/public/brands/\(b.idString)?done=1\(mobile ? "&ch=m" : "")#comment")
    }

    // MARK: published rankings (/public/brand-rankings)

    struct Ranking: Encodable { var issuer: String; var publishedAt: String; var rows: [BrandPageController.AssessRow] }
    struct RankingsPage: Encodable { var meta: PageMeta; var year: Int; var years: [SelectOption]; var rankings: [Ranking] }

    func rankings(_ req: Request) async throws -> View {
        var year = req.today.year
        if let s = try? req.query.get(String.self, at: "year"), !s.isEmpty {
            guard let y = Int(s), (2000...2100).contains(y) else { throw AppError.badRequest("年度 year 应为2000到2100之间的整数", field: "year") }
            year = y
        }
        var out: [Ranking] = []
        for (p, rows) in try await BrandFollowUpService.published(year: year, on: req.db) {
            var issuer = try await OrgModel.query(on: req.db).filter(\.$path == p.orgPath).first()?.name
            if issuer == nil, let id = rows.first.flatMap({ UUID(uuidString: $0.orgId) }), let o = try await OrgModel.find(id, on: req.db) {
                // published at the root: named after the nearest committee above the branches
                issuer = try await RatingService.ancestors(o.path, on: req.db).last { $0.orgType == .committee }?.name
            }
            out.append(Ranking(issuer: issuer ?? "", publishedAt: p.publishedAt.map { String(Format.dateTime($0).prefix(10)) } ?? "",
                               rows: rows.map { .init(rank: $0.rank, org: $0.orgName, unit: $0.unitName, basic: BrandPageController.one($0.basic),
                                                      carriers: BrandPageController.one($0.carriers), effect: BrandPageController.one($0.effect),
                                                      total: BrandPageController.one($0.total)) }))
        }
        let years = (2024...(req.today.year)).reversed().map { SelectOption(value: String($0), label: "\($0)年度", selected: $0 == year) }
        return try await req.view.render("brands/rankings", RankingsPage(meta: await PageMeta.make(req, title: "\(year)年度党建品牌创建考核排名"),
                                                                        year: year, years: years, rankings: out))
    }
}
