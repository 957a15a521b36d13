import Vapor
import Fluent
import Domain

struct RatingListPage: Encodable {
    struct Row: Encodable { var id: String; var branchName: String; var stageLabel: String; var stage: String; var glyphs: String; var level: Int; var waitingFor: String; var reasons: String }
    var meta: PageMeta
    var year: Int
    var years: [SelectOption]
    var waiting: Bool
    var rows: [Row]
    var pager: Pager
    var stages: [SelectOption]
    var openable: [SelectOption]
    var canApply: Bool
    var canManage: Bool
    var yearOpen: Bool
}

struct RatingDetailPage: Encodable {
    struct File: Encodable { var id: String; var filename: String; var size: String }
    struct Crit: Encodable {
        var key: String; var text: String; var computed: Bool; var computedState: String; var computedDetail: String
        var met: Bool; var answer: String; var files: [File]; var error: String?
    }
    struct StarBlock: Encodable { var star: String; var label: String; var requested: Bool; var kept: Bool; var held: Bool; var criteria: [Crit] }
    var meta: PageMeta
    var r: RatingDTO
    var glyphs: String
    var stars: [StarBlock]
    var canEdit: Bool
    var canDecide: Bool
    var decideLabel: String
    var canAdjust: Bool
    var errors: [String: String]
    var summary: String?
    var schemeName: String
    var criterionOptions: [SelectOption]
    var today: String
    var steps: [Step]
    /// Why the application came back to the branch (the last step was a return).
    var returnReason: String?
    struct Step: Encodable { var actionLabel: String; var decider: String; var at: String; var levelBefore: Int; var levelAfter: Int; var comment: String }
}

/// 五星支部 pages: the worklist, an application with its review, notices, results.
struct RatingPageController {
    func list(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "rating")
        let year = try req.yearQuery(ctx)
        var f = try RatingAPIController.filter(req, ctx: ctx)
        let waitingParam = try? req.query.get(String.self, at: "waiting")
        f.waiting = waitingParam == nil ? (ctx.scope.allows(.reviewRatings) || ctx.scope.allows(.applyRating)) : Check.bool(waitingParam)
        let paging = try Paging(req, defaultPer: 50)
        let filter = f, cache = req.application.viewCache
        // the body (levels for the page shown, the branches a secretary may open) kept per user, filter and page until the next write
        let body = try await req.cachedBody(req.queryKey(ctx), template: "ratings/list") { () async throws -> RatingListPage in
            let (dtos, total) = try await RatingAPIController.cachedPage(ctx: ctx, filter: filter, paging: paging, cache: cache)
            let pager = Pager(total: total, paging: paging, baseQuery: [("year", String(year)), ("waiting", filter.waiting ? "1" : "0"), ("stage", filter.stage ?? "")], path: "/ratings")
            // branches the secretary may open this year
            var openable: [SelectOption] = []
            let yearOpen = !(try await RoundModel.query(on: ctx.db).filter(\.$year == year).all().isEmpty)
            if ctx.scope.allows(.applyRating) && yearOpen {
                let have = Set(try await RatingModel.query(on: ctx.db).filter(\.$year == year).all().map(\.branchID))
                for o in try await OrgService.all(ctx: ctx, includeClosed: false) where o.orgType == .branch && !have.contains(o.id!)
                    && ctx.scope.grants.contains(where: { $0.role == .branchSecretary && o.path.hasPrefix($0.orgPath) }) {
                    openable.append(SelectOption(value: o.idString, label: o.name, selected: false))
                }
            }
            return RatingListPage(
                meta: ShellPage.bodyMeta, year: year, years: Options.years(selected: year, ctx: ctx), waiting: filter.waiting,
                rows: dtos.map { .init(id: $0.id, branchName: $0.branchName, stageLabel: $0.stageLabel, stage: $0.stage, glyphs: $0.level.starGlyphs,
                                       level: $0.level, waitingFor: $0.waitingFor ?? "—", reasons: $0.levelReasons.joined(separator: "；")) },
                pager: pager,
                stages: RatingStage.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == filter.stage) },
                openable: openable, canApply: ctx.scope.allows(.applyRating), canManage: ctx.scope.allows(.manageNotices), yearOpen: yearOpen)
        }
        return try await req.shell(await PageMeta.make(req, title: "五星支部评定", crumbs: [("五星支部评定", nil)]), body: body)
    }

    func open(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            let r = try await RatingService.open(branchRef: f["branchId"] ?? "", year: Int(f["year"] ?? "") ?? ctx.today.year, ctx: ctx)
            req.flash("已开始\(r.year)年度支部报星")
            return req.redirect(to: "/ratings/\(r.idString)")
        } catch let e as AppError where e.status != .forbidden {
            req.flash(e.message, kind: "error")
            return req.redirect(to: "/ratings")
        }
    }

    func show(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return try await render(req, r, ctx: ctx, errors: FieldErrors(), typed: nil)
    }

    func render(_ req: Request, _ r: RatingModel, ctx: Ctx, errors: FieldErrors, typed: [String: String]?) async throws -> View {
        let (dto, scheme, _) = try await RatingAPIController.detail(r, ctx: ctx)
        let kinds = try await RatingService.reviewerKinds(r, ctx: ctx)
        let stage = r.stageValue
        let canEdit = stage == .draft && kinds.contains(.branch) && ctx.scope.allows(.applyRating, at: r.branchPath)
        let reviewStages: [RatingStage] = [.submitted, .unitProposed, .spotCheck, .unitRecommended, .countyRecommended]
        let canDecide = reviewStages.contains(stage) && stage.actor.map { kinds.contains($0) } == true && ctx.scope.allows(.reviewRatings, at: r.branchPath)
        let decideLabel: String = [.submitted: "机关党委提出建议", .unitProposed: "党组审定", .spotCheck: "县级抽查核定",
                                   .unitRecommended: "县级核星", .countyRecommended: "市级验星"][stage] ?? "审核"
        let requested = r.requestedSet, kept = r.starSet, held = r.currentSet
        let blocks = scheme.stars.map { sc -> RatingDetailPage.StarBlock in
            let crit = sc.criteria.map { c -> RatingDetailPage.Crit in
                let a = dto.answers?[c.key]
                let state = a?.computedMet.map { $0 ? "yes" : "no" } ?? "none"
                return .init(key: c.key, text: c.text, computed: c.check != nil && a?.computedMet != nil, computedState: state,
                             computedDetail: a?.computedDetail ?? "",
                             met: typed.map { $0["met_\(c.key)"] != nil } ?? (a?.met == true),
                             answer: typed?["text_\(c.key)"] ?? a?.text ?? "",
                             files: (a?.attachments ?? []).map { .init(id: $0.id, filename: $0.filename, size: Self.size($0.size)) },
                             error: errors["criteria.\(c.key)"])
            }
            let isReq = typed.map { $0["star_\(sc.star.rawValue)"] != nil } ?? requested.contains(sc.star)
            return .init(star: sc.star.rawValue, label: sc.star.label, requested: isReq, kept: kept.contains(sc.star), held: held.contains(sc.star), criteria: crit)
        }
        let page = RatingDetailPage(
            meta: await PageMeta.make(req, title: "\(r.year)年度 \(r.branchName)", crumbs: [("五星支部评定", "/ratings?year=\(r.year)"), (r.branchName, nil)]),
            r: dto, glyphs: dto.level.starGlyphs, stars: blocks, canEdit: canEdit, canDecide: canDecide, decideLabel: decideLabel,
            canAdjust: stage == .final && ctx.scope.allows(.adjustStars, at: r.branchPath), errors: errors.messages,
            summary: errors.isEmpty ? nil : "请修改标出的\(errors.messages.count)处问题：" + errors.order.prefix(3).map { errors[$0]! }.joined(separator: "；"),
            schemeName: scheme.name, criterionOptions: scheme.allCriteria.map { SelectOption(value: $0.key, label: "\(scheme.star(ofCriterion: $0.key)?.label ?? "")：\($0.text)", selected: false) },
            today: ctx.today.iso,
            steps: (dto.steps ?? []).map { .init(actionLabel: $0.actionLabel, decider: $0.decider, at: Format.dateTime($0.at), levelBefore: $0.levelBefore,
                                                 levelAfter: $0.levelAfter, comment: $0.comment ?? "") },
            returnReason: stage == .draft ? dto.steps?.last.flatMap { $0.action == "return" ? "\($0.decider)退回（\(Format.dateTime($0.at))）：\($0.comment ?? "")" : nil } : nil)
        return try await req.view.render("ratings/show", page)
    }

    static func size(_ n: Int) -> String { n >= 1 << 20 ? String(format: "%.1fMB", Double(n) / 1048576) : "\(max(1, n / 1024))KB" }

    /// Saves the self-assessment; with `do=submit` it also submits.
    func assess(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let f = try req.formFields()
        let scheme = try await RatingService.scheme(for: r, on: ctx.db)
        let stars = Star.allCases.filter { f["star_\($0.rawValue)"] != nil }.map(\.rawValue)
        var answers: [String: (met: Bool?, text: String)] = [:]
        for c in scheme.allCriteria { answers[c.key] = (f["met_\(c.key)"] != nil ? true : nil, f["text_\(c.key)"] ?? "") }
        do {
            _ = try await RatingService.saveAssessment(r, requested: stars, answers: answers, ctx: ctx)
            if f["do"] == "submit" {
                _ = try await RatingService.submit(r, expectedVersion: nil, ctx: ctx)
                req.flash("已提交申报，等待机关党委审核")
            } else { req.flash("已保存") }
            return req.redirect(to: "/ratings/\(r.idString)")
        } catch AppError.validation(let e) {
            let fresh = try await RatingService.find(r.idString, ctx: ctx)
            return try await render(req, fresh, ctx: ctx, errors: e, typed: f).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func upload(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        struct Upload: Content { var criterion: String?; var file: File? }
        let u = try? req.content.decode(Upload.self)
        return try await req.flashing(back: "/ratings/\(r.idString)#evidence") {
            guard let file = u?.file, file.data.readableBytes > 0 else { throw AppError.validation(FieldErrors("file", "请选择要上传的文件")) }
            let a = try await AttachmentService.addToRating(r, criterion: u?.criterion ?? "", filename: file.filename, data: Data(buffer: file.data), ctx: ctx)
            return "已上传“\(a.filename)”"
        }
    }

    func removeFile(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return try await req.flashing(back: "/ratings/\(r.idString)#evidence") {
            try await AttachmentService.removeFromRating(r, attachmentID: req.parameters.get("fileId") ?? "", ctx: ctx)
            return "已删除文件"
        }
    }

    func file(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        return AttachmentService.download(try await AttachmentService.find(req.parameters.get("id") ?? "", ctx: ctx))
    }

    /// A reviewer's decision or return, from the detail page.
    func decide(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let f = try req.formFields()
        let version = Int(f["version"] ?? "")
        return try await req.flashing(back: "/ratings/\(r.idString)") {
            if f["do"] == "return" {
                _ = try await RatingService.returnBack(r, reason: f["reason"] ?? "", expectedVersion: version, ctx: ctx)
                return "已退回"
            }
            let stars = Star.allCases.filter { f["keep_\($0.rawValue)"] != nil }.map(\.rawValue)
            let done = try await RatingService.decide(r, stars: stars, comment: f["comment"], expectedVersion: version, ctx: ctx)
            return "已办理：\(done.stageValue.label)"
        }
    }

    func adjust(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let r = try await RatingService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let f = try req.formFields()
        return try await req.flashing(back: "/ratings/\(r.idString)#ledger") {
            _ = try await RatingService.adjust(r, change: f["change"] ?? "", star: f["star"] ?? "", date: f["date"] ?? "", reason: f["reason"] ?? "", ctx: ctx)
            return "已记入星级管理台账"
        }
    }

    func spotCheck(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        let year = Int(f["year"] ?? "") ?? ctx.today.year
        return try await req.flashing(back: "/ratings?year=\(year)") {
            let (sel, acc) = try await RatingService.drawSpotCheck(year: year, ctx: ctx)
            return "已随机抽中\(sel.count)个支部（\(sel.map(\.branchName).joined(separator: "、"))），其余\(acc.count)个备案通过"
        }
    }
}
