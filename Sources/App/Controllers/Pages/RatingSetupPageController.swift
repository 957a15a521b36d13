import Vapor
import Fluent
import Domain

struct RatingSetupPage: Encodable {
    struct Year: Encodable { var year: Int; var org: String; var scheme: String; var schemeID: String; var openedBy: String; var at: String }
    struct Scheme: Encodable { var id: String; var name: String; var version: Int; var owner: String; var builtin: Bool; var years: String; var createdBy: String }
    var meta: PageMeta
    var years: [Year]
    var schemes: [Scheme]
    var canOpen: Bool
    var committees: [SelectOption]
    var schemeOptions: [SelectOption]
    var nextYear: Int
    var form: FormState
}

struct SchemePage: Encodable {
    struct Crit: Encodable { var key: String; var text: String; var how: String }
    struct StarBlock: Encodable { var label: String; var criteria: [Crit] }
    struct Line: Encodable { var label: String; var value: String }
    struct Version: Encodable { var id: String; var version: Int; var current: Bool; var createdBy: String; var at: String; var years: String }
    var meta: PageMeta
    var id: String
    var name: String
    var version: Int
    var builtin: Bool
    var latest: Bool
    var stars: [StarBlock]
    var chain: [Line]
    var thresholds: [Line]
    var consequences: [Line]
    var modelOrgan: String
    var versions: [Version]
    var canManage: Bool
    var committees: [SelectOption]
    var copyForm: FormState
}

struct SchemeEditPage: Encodable {
    var meta: PageMeta
    var id: String
    var version: Int
    var f: SchemeForm.Fields
    var summary: String?
    var errors: [String]
}

struct MarketPage: Encodable {
    struct Row: Encodable { var rank: Int; var total: Int; var section: String; var branch: String; var branchID: String?; var score: String; var effect: String; var alert: Bool }
    var meta: PageMeta
    var year: Int
    var years: [SelectOption]
    var rows: [Row]
    var canImport: Bool
    var rectifications: [String]
}

struct LedgerPage: Encodable {
    struct Row: Encodable { var date: String; var branch: String; var ratingID: String; var change: String; var star: String; var before: String; var after: String; var reason: String; var decider: String }
    var meta: PageMeta
    var year: Int
    var years: [SelectOption]
    var rows: [Row]
    var issuer: String
    var printed: String
}

/// 评星设置: rating years and schemes (copy, edit as a new version), the 市场主体评 results with
/// their import, and the year-wide star ledger for printing.
struct RatingSetupPageController {
    // MARK: years and schemes

    func setup(_ req: Request) async throws -> View {
        try await render(req, form: FormState(values: [:], keys: ["orgId", "year", "schemeId"]))
    }

    func render(_ req: Request, form: FormState) async throws -> View {
        let ctx = try req.ctx()
        guard ctx.scope.allows(.manageNotices) || ctx.scope.allows(.manageSchemes) else {
            throw await ctx.deny("只有工委干部或系统管理员可以进行评星设置", entity: "rating_year")
        }
        let schemes = try await SchemeService.all(on: ctx.db)
        let rounds = try await RoundModel.query(on: ctx.db).sort(\.$year, .descending).all()
        let orgIDs = Set(rounds.map(\.orgID) + schemes.compactMap(\.orgID))
        let orgs = Dictionary(uniqueKeysWithValues: try await OrgModel.query(on: ctx.db).filter(\.$id ~~ orgIDs).all().map { ($0.id!, $0.name) })
        let byID = Dictionary(uniqueKeysWithValues: schemes.map { ($0.id!, $0) })
        let committees = try await OrgService.all(ctx: ctx, includeClosed: false)
            .filter { $0.orgType == .committee && ctx.scope.allows(.manageNotices, at: $0.path) }
        let page = RatingSetupPage(
            meta: await PageMeta.make(req, title: "评星设置", crumbs: [("五星支部评定", "/ratings"), ("评星设置", nil)]),
            years: rounds.map { r in
                let s = byID[r.schemeID]
                return .init(year: r.year, org: orgs[r.orgID] ?? "—", scheme: s.map { "\($0.name)（第\($0.version)版）" } ?? "—",
                             schemeID: r.schemeID.uuidString.lowercased(), openedBy: r.openedBy, at: r.createdAt.map(Format.dateTime) ?? "")
            },
            schemes: schemes.map { s in
                .init(id: s.idString, name: s.name, version: s.version, owner: s.orgID.flatMap { orgs[$0] } ?? (s.builtin ? "内置" : "—"),
                      builtin: s.builtin, years: rounds.filter { $0.schemeID == s.id }.map { String($0.year) }.joined(separator: "、"), createdBy: s.createdBy)
            },
            canOpen: !committees.isEmpty,
            committees: committees.map { SelectOption(value: $0.idString, label: $0.name, selected: $0.idString == form.values["orgId"]) },
            schemeOptions: try await SchemeService.latest(on: ctx.db).map {
                SelectOption(value: $0.idString, label: "\($0.name)（第\($0.version)版）", selected: $0.idString == form.values["schemeId"])
            },
            nextYear: Int(form.values["year"] ?? "") ?? ctx.today.year + (ctx.today.month >= 11 ? 1 : 0), form: form)
        return try await req.view.render("ratings/setup", page)
    }

    func openYear(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            let y = Int((f["year"] ?? "").trimmingSpaces) ?? -1
            let round = try await RatingService.openYear(orgRef: f["orgId"] ?? "", year: y, schemeRef: f["schemeId"] ?? "", ctx: ctx)
            req.flash("已开启\(round.year)年度评星，各党支部可以开始报星")
            return req.redirect(to: "/ratings/setup")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await render(req, form: FormState(values: f, errors: fe, keys: ["orgId", "year", "schemeId"]))
                .encodeResponse(status: e.status == .conflict ? .conflict : .unprocessableEntity, for: req)
        }
    }

    func scheme(_ req: Request) async throws -> View {
        try await renderScheme(req, try await SchemeService.find(req.parameters.get("id") ?? "", on: req.db), copyForm: FormState(values: [:], keys: ["name", "orgId"]))
    }

    func renderScheme(_ req: Request, _ m: SchemeModel, copyForm: FormState) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "scheme")
        let s = m.scheme
        let family = try await SchemeModel.query(on: ctx.db).filter(\.$familyID == m.familyID).sort(\.$version, .descending).all()
        let rounds = try await RoundModel.query(on: ctx.db).filter(\.$schemeID ~~ family.compactMap(\.id)).all()
        let t = s.thresholds, c = s.chain
        let committees = try await OrgService.all(ctx: ctx, includeClosed: false).filter { $0.orgType == .committee }
        let page = SchemePage(
            meta: await PageMeta.make(req, title: m.name, crumbs: [("五星支部评定", "/ratings"), ("评星设置", "/ratings/setup"), ("第\(m.version)版", nil)]),
            id: m.idString, name: m.name, version: m.version, builtin: m.builtin, latest: family.first?.id == m.id,
            stars: s.stars.map { sc in .init(label: sc.star.label, criteria: sc.criteria.map { .init(key: $0.key, text: $0.text, how: $0.check.map { "平台计算：" + $0.label } ?? "说明和佐证材料") }) },
            chain: [
                .init(label: "单位审星", value: "机关党委提出建议，党组审定\(c.unitDecidesUpTo)星及以下并报县级备案，推荐\(c.unitDecidesUpTo + 1)星及以上"),
                .init(label: "县级核星", value: "对备案支部随机抽查\(c.spotCheckSampleSize)个；认定\(c.countyCertifiesUpTo)星及以下\(c.countyCertifiesUpTo > c.unitDecidesUpTo ? "" : "（无）")，推荐更高星级"),
                .init(label: "市级验星", value: c.countyCertifiesUpTo >= 5 ? "不需要" : "验定\(c.countyCertifiesUpTo + 1)星及以上"),
                .init(label: "公示亮星", value: "\(c.noticeFromLevel)星及以上公示，不少于\(c.noticeWorkingDays)个工作日"),
            ],
            thresholds: [
                .init(label: "五星模范机关", value: "\(t.goodLevel)星及以上支部占比达到\(t.modelOrganSharePercent)%，且至少\(t.minFiveStarBranches)个五星支部"),
                .init(label: "评优资格", value: "\(t.goodLevel)星及以上支部占比低于\(t.awardableSharePercent)%的单位当年不得评优评先"),
                .init(label: "“二星以下”", value: t.lowLabel),
                .init(label: "市场主体评限星", value: t.marketBottomCount > 0 ? "位居全市后\(t.marketBottomCount)名的，最多申报\(t.marketCapLevel)星" : "不限"),
                .init(label: "市场主体评否决", value: "倒数第一且低于\(StarRating.formatScore(t.marketVetoScore))分的，一票否决"),
                .init(label: "整改期限", value: "\(t.rectificationDays)天"),
            ],
            consequences: (0...5).map { l in
                let q = s.consequence(for: l)
                var parts: [String] = []
                if let cm = q.commendation { parts.append(cm) }
                if q.quotaDeltaPercent != 0 { parts.append("年度考核优秀比例\(q.quotaDeltaPercent > 0 ? "提高" : "降低")\(abs(q.quotaDeltaPercent))%") }
                if q.secretaryInterview { parts.append("约谈支部书记") }
                if q.rectification { parts.append("限期整改") }
                if let n = q.note { parts.append(n) }
                return .init(label: l == 0 ? "无星" : "\(l)星", value: parts.isEmpty ? "—" : parts.joined(separator: "；"))
            },
            modelOrgan: "\(s.modelOrgan.commendation)；年度考核优秀比例提高\(s.modelOrgan.quotaDeltaPercent)%",
            versions: family.map { v in
                .init(id: v.idString, version: v.version, current: v.id == m.id, createdBy: v.createdBy, at: v.createdAt.map(Format.dateTime) ?? "",
                      years: rounds.filter { $0.schemeID == v.id }.map { String($0.year) }.sorted().joined(separator: "、"))
            },
            canManage: ctx.scope.allows(.manageSchemes),
            committees: committees.map { SelectOption(value: $0.idString, label: $0.name, selected: $0.idString == copyForm.values["orgId"]) },
            copyForm: copyForm)
        return try await req.view.render("ratings/scheme", page)
    }

    func copy(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let source = try await SchemeService.find(req.parameters.get("id") ?? "", on: ctx.db)
        let f = try req.formFields()
        do {
            let s = try await SchemeService.copy(source, name: f["name"] ?? "", orgRef: f["orgId"], ctx: ctx)
            req.flash("已复制为“\(s.name)”，可以修改后保存")
            return req.redirect(to: "/schemes/\(s.idString)/edit")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await renderScheme(req, source, copyForm: FormState(values: f, errors: fe, keys: ["name", "orgId"]))
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func edit(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await SchemeService.requireAdmin(ctx)
        let m = try await SchemeService.find(req.parameters.get("id") ?? "", on: ctx.db)
        guard !m.builtin else { throw AppError.conflict("内置方案不能修改，请先复制为本地方案再编辑") }
        return try await renderEdit(req, m, fields: SchemeForm.fields(m.scheme), errors: FieldErrors())
    }

    func renderEdit(_ req: Request, _ m: SchemeModel, fields: SchemeForm.Fields, errors: FieldErrors) async throws -> View {
        let page = SchemeEditPage(
            meta: await PageMeta.make(req, title: "修改评星方案", crumbs: [("评星设置", "/ratings/setup"), (m.name, "/schemes/\(m.idString)"), ("修改", nil)]),
            id: m.idString, version: m.version, f: fields,
            summary: errors.isEmpty ? nil : "请修改标出的\(errors.messages.count)处问题后再保存",
            errors: errors.order.map { errors[$0]! })
        return try await req.view.render("ratings/scheme_edit", page)
    }

    func save(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await SchemeService.requireAdmin(ctx)
        let m = try await SchemeService.find(req.parameters.get("id") ?? "", on: ctx.db)
        let f = try req.formFields()
        let (scheme, errors) = SchemeForm.parse(f, base: m.scheme)
        do {
            if !errors.isEmpty { throw AppError.validation(errors) }
            let saved = try await SchemeService.update(m, to: scheme, ctx: ctx)
            req.flash("已保存为第\(saved.version)版；已开启的评星年度仍按原版本执行")
            return req.redirect(to: "/schemes/\(saved.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await renderEdit(req, m, fields: SchemeForm.fields(m.scheme, typed: f, errors: fe), errors: fe)
                .encodeResponse(status: e.status == .conflict ? .conflict : .unprocessableEntity, for: req)
        }
    }

    // MARK: 市场主体评

    func market(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "market")
        let year = try req.yearQuery(ctx)
        let rows = try await MarketService.list(year: year, ctx: ctx)
        var thresholds = RatingScheme.nanyang.thresholds
        if let round = try await RoundModel.query(on: ctx.db).filter(\.$year == year).first() {
            thresholds = try await RatingService.scheme(of: round, on: ctx.db).1.thresholds
        }
        let branchIDs = Set(rows.compactMap(\.branchID))
        let names = Dictionary(uniqueKeysWithValues: try await OrgModel.query(on: ctx.db).filter(\.$id ~~ branchIDs).all().map { ($0.id!, $0.name) })
        let recs = try await ProblemModel.query(on: ctx.db).filter(\.$year == year).filter(\.$source == "market_veto")
            .inScope(ctx.scope.roots(for: .readRatings), path: \.$orgPath).all()
        let page = MarketPage(
            meta: await PageMeta.make(req, title: "市场主体评", crumbs: [("五星支部评定", "/ratings?year=\(year)"), ("市场主体评", nil)]),
            year: year, years: Options.years(selected: year, ctx: ctx),
            rows: rows.map { r in
                let v = StarRating.market([r.standing], thresholds: thresholds)
                return .init(rank: r.rank, total: r.total, section: r.section, branch: r.branchID.flatMap { names[$0] } ?? "—",
                             branchID: r.branchID?.uuidString.lowercased(), score: StarRating.formatScore(r.score),
                             effect: v.reason ?? "不影响评星", alert: v != .clear)
            },
            canImport: ctx.scope.allows(.manageNotices),
            rectifications: recs.map { "\($0.orgName)：\($0.reason)（整改期限 \($0.deadline ?? "—")）" })
        return try await req.view.render("ratings/market", page)
    }

    func marketImportForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await MarketService.requireImporter(ctx)
        return try await req.view.render("import", await ImportPages.page(req, .market(year: try req.yearQuery(ctx))))
    }

    func marketImport(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        try await MarketService.requireImporter(ctx)
        struct Y: Content { var year: String? }
        let y = Int((try? req.content.decode(Y.self))?.year ?? "") ?? ctx.today.year
        return try await ImportPages.handle(req, .market(year: y)) { table in
            let s = try await MarketService.importYear(y, table: table, ctx: ctx)
            return .init(rows: s.rows, detail: "其中关联党支部\(s.linked)个，限星\(s.capped)个，一票否决\(s.vetoed)个。")
        }
    }

    // MARK: 星级管理台账

    func ledger(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "rating")
        let year = try req.yearQuery(ctx)
        let ratings = try await RatingModel.query(on: ctx.db).filter(\.$year == year)
            .inScope(ctx.scope.roots(for: .readRatings), path: \.$branchPath).all()
        let byID = Dictionary(uniqueKeysWithValues: ratings.map { ($0.id!, $0) })
        let entries = byID.isEmpty ? [] : try await LedgerEntryModel.query(on: ctx.db).filter(\.$ratingID ~~ Array(byID.keys))
            .sort(\.$date).sort(\.$createdAt).all()
        func label(_ raw: String) -> String { let s = StarSet(stored: raw); return s.level == 0 ? "无星" : "\(s.level)星（\(s.labels)）" }
        let issuer = try await OrgService.all(ctx: ctx, includeClosed: false).first { $0.orgType == .committee }?.name ?? ""
        let page = LedgerPage(
            meta: await PageMeta.make(req, title: "\(year)年度星级管理台账", crumbs: [("五星支部评定", "/ratings?year=\(year)"), ("星级管理台账", nil)]),
            year: year, years: Options.years(selected: year, ctx: ctx),
            rows: entries.compactMap { e in
                guard let r = byID[e.ratingID] else { return nil }
                return .init(date: e.date, branch: r.branchName, ratingID: r.idString, change: e.change == "add" ? "增星" : "减星",
                             star: Star(rawValue: e.star)?.label ?? e.star, before: label(e.starsBefore), after: label(e.starsAfter),
                             reason: e.reason, decider: e.deciderName)
            },
            issuer: issuer, printed: ctx.today.chinese)
        return try await req.view.render("ratings/ledger", page)
    }
}
