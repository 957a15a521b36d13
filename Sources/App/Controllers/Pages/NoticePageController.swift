import Vapor
import Fluent
import Domain

struct NoticeListPage: Encodable {
    struct Row: Encodable { var id: String; var title: String; var start: String; var end: String; var days: Int; var status: String; var statusLabel: String; var count: Int }
    struct Candidate: Encodable { var id: String; var name: String; var glyphs: String }
    var meta: PageMeta
    var rows: [Row]
    var canCreate: Bool
    var orgs: [SelectOption]
    var candidates: [Candidate]
    var year: Int
    var defaultStart: String
    var form: FormState
}

struct NoticeShowPage: Encodable {
    struct Complaint: Encodable { var id: String; var target: String; var name: String; var contact: String; var body: String; var status: String; var statusLabel: String; var verdict: String; var at: String }
    var meta: PageMeta
    var n: NoticeDTO
    var publicURL: String
    var complaints: [Complaint]
    var canManage: Bool
    var canClose: Bool
}

struct PublicNoticePage: Encodable {
    struct Candidate: Encodable { var id: String; var name: String; var glyphs: String; var level: Int }
    var meta: PageMeta
    var id: String
    var title: String
    var start: String
    var end: String
    var days: Int
    var statusLabel: String
    var open: Bool
    var candidates: [Candidate]
    var form: FormState
    var done: Bool
}

/// 公示亮星 pages: officers create and close notices and verify complaints; the public page
/// (no login, phone-friendly) lists the candidates and takes complaints.
struct NoticePageController {
    func list(_ req: Request) async throws -> View {
        try await render(req, form: FormState(keys: ["title", "orgId", "startDate", "workingDays"]), status: .ok)
    }

    func render(_ req: Request, form: FormState, status: HTTPStatus) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "notice")
        let list = try await NoticeModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readRatings), path: \.$orgPath).sort(\.$startDate, .descending).limit(100).all()
        var rows: [NoticeListPage.Row] = []
        for n in list {
            let s = NoticeService.status(n, today: ctx.today)
            rows.append(.init(id: n.idString, title: n.title, start: n.startDate, end: n.endDate, days: n.workingDays, status: s, statusLabel: NoticeService.statusLabel(s),
                              count: try await RatingModel.query(on: ctx.db).filter(\.$noticeID == n.id!).count()))
        }
        let canCreate = ctx.scope.allows(.manageNotices)
        var orgs: [SelectOption] = [], cands: [NoticeListPage.Candidate] = []
        if canCreate {
            let all = try await OrgService.all(ctx: ctx, includeClosed: false)
            orgs = Options.orgs(all, selected: form.values["orgId"]) { $0.orgType == .committee && ctx.scope.allows(.manageNotices, at: $0.path) }
            for root in ctx.scope.roots(for: .manageNotices) ?? ["/"] {
                cands += try await NoticeService.candidates(year: ctx.today.year, under: root, on: ctx.db)
                    .map { .init(id: $0.idString, name: $0.branchName, glyphs: $0.starSet.level.starGlyphs) }
            }
        }
        let page = NoticeListPage(meta: await PageMeta.make(req, title: "公示亮星", crumbs: [("五星支部评定", "/ratings"), ("公示亮星", nil)]),
                                  rows: rows, canCreate: canCreate, orgs: orgs, candidates: cands, year: ctx.today.year,
                                  defaultStart: ctx.today.iso, form: form)
        return try await req.view.render("notices/list", page)
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.manageNotices, entity: "notice")
        let f = try req.formFields()
        do {
            let cal = try await CalendarService.calendar(req.application, db: req.db)
            let n = try await NoticeService.create(title: f["title"] ?? "", orgRef: f["orgId"] ?? "", year: Int(f["year"] ?? "") ?? ctx.today.year,
                                                   start: f["startDate"] ?? "", workingDays: Int(f["workingDays"] ?? ""), ratingIDs: nil, ctx: ctx, calendar: cal)
            req.flash("已发布公示，公示期至\(n.endDate)")
            return req.redirect(to: "/notices/\(n.idString)")
        } catch AppError.validation(let e) {
            return try await render(req, form: FormState(values: f, errors: e, keys: ["title", "orgId", "startDate", "workingDays"]), status: .unprocessableEntity)
                .encodeResponse(status: .unprocessableEntity, for: req)
        } catch AppError.conflict(let m, _) {
            req.flash(m, kind: "error")
            return req.redirect(to: "/notices")
        }
    }

    func show(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let n = try await NoticeService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let items = try await NoticeService.items(n, on: ctx.db)
        let dto = NoticeDTO(n, items: items, today: ctx.today)
        let canManage = ctx.scope.allows(.manageNotices, at: n.orgPath)
        let names = Dictionary(uniqueKeysWithValues: items.map { ($0.id!, $0.branchName) })
        let complaints = canManage ? try await NoticeService.complaints(n, on: ctx.db).map { c in
            NoticeShowPage.Complaint(id: c.idString, target: names[c.ratingID] ?? "", name: c.name ?? "（未署名）", contact: c.contact, body: c.body,
                                     status: c.status, statusLabel: ["pending": "待核查", "upheld": "属实", "rejected": "不属实"][c.status] ?? c.status,
                                     verdict: c.verdict ?? "", at: c.createdAt.map(Format.dateTime) ?? "")
        } : []
        let page = NoticeShowPage(meta: await PageMeta.make(req, title: n.title, crumbs: [("公示亮星", "/notices"), (n.title, nil)]),
                                  n: dto, publicURL: "/public/notices/\(n.idString)", complaints: complaints, canManage: canManage,
                                  canClose: canManage && dto.status == "ended")
        return try await req.view.render("notices/show", page)
    }

    func close(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let n = try await NoticeService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return try await req.flashing(back: "/notices/\(n.idString)") {
            _ = try await NoticeService.close(n, ctx: ctx)
            return "公示已结束，候选对象星级已确认"
        }
    }

    func verify(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let (c, n) = try await NoticeService.findComplaint(req.parameters.get("id") ?? "", ctx: ctx)
        let f = try req.formFields()
        return try await req.flashing(back: "/notices/\(n.idString)") {
            _ = try await NoticeService.verify(c, notice: n, upheld: f["upheld"] == "1", note: f["note"] ?? "", ctx: ctx)
            return f["upheld"] == "1" ? "已认定属实：该候选对象取消评选资格，已建立责任追究记录" : "已认定不属实"
        }
    }

    // MARK: public

    func publicPage(_ req: Request) async throws -> View {
        try await renderPublic(req, form: FormState(keys: ["ratingId", "name", "contact", "body"]), done: Check.bool(try? req.query.get(String.self, at: "filed")))
    }

    func renderPublic(_ req: Request, form: FormState, done: Bool) async throws -> View {
        let uuid = try (req.parameters.get("id") ?? "").uuid(or: "公示不存在")
        guard let n = try await NoticeModel.find(uuid, on: req.db) else { throw AppError.notFound("公示不存在") }
        let items = try await NoticeService.items(n, on: req.db)
        let status = NoticeService.status(n, today: req.today)
        let page = PublicNoticePage(meta: await PageMeta.make(req, title: n.title), id: n.idString, title: n.title, start: n.startDate, end: n.endDate, days: n.workingDays,
                                    statusLabel: NoticeService.statusLabel(status), open: status == "open",
                                    candidates: items.filter { $0.stageValue != .disqualified }.map {
                                        .init(id: $0.idString, name: $0.branchName, glyphs: $0.starSet.level.starGlyphs, level: $0.starSet.level)
                                    }, form: form, done: done)
        return try await req.view.render("notices/public", page)
    }

    func publicComplain(_ req: Request) async throws -> Response {
        let uuid = try (req.parameters.get("id") ?? "").uuid(or: "公示不存在")
        guard let n = try await NoticeModel.find(uuid, on: req.db) else { throw AppError.notFound("公示不存在") }
        let f = try req.formFields()
        let keys = ["ratingId", "name", "contact", "body"]
        do {
            try RatingAPIController.rateLimit(req)
            _ = try await NoticeService.file(n, ratingRef: f["ratingId"] ?? "", name: f["name"], contact: f["contact"] ?? "", body: f["body"] ?? "",
                                             ip: req.remoteAddress?.ipAddress, ctx: .anonymous(req))
            // post/redirect/get: a refresh does not file the complaint again
            return req.redirect(to: "/public/notices/\(n.idString)?filed=1#complaint")
        } catch AppError.validation(let e) {
            return try await renderPublic(req, form: FormState(values: f, errors: e, keys: keys), done: false).encodeResponse(status: .unprocessableEntity, for: req)
        } catch AppError.rateLimited(let m) {
            return try await renderPublic(req, form: FormState(values: f, errors: FieldErrors("body", m), keys: keys), done: false).encodeResponse(status: .tooManyRequests, for: req)
        } catch AppError.conflict(let m, _) {
            return try await renderPublic(req, form: FormState(values: f, errors: FieldErrors("body", m), keys: keys), done: false).encodeResponse(status: .conflict, for: req)
        }
    }
}
