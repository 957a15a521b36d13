import Vapor
import Fluent
import Domain

/// 满意度调查 (DOMAIN §8): the questionnaire builder, links to hand out, results with charts,
/// and the public page a service recipient answers from a phone (one answer per link).
struct SurveyPageController {
    struct Row: Encodable { var id: String; var title: String; var org: String; var year: Int; var status: String; var statusLabel: String }
    struct ListPage: Encodable { var meta: PageMeta; var rows: [Row]; var canCreate: Bool }

    func list(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let rows = try await SurveyService.list(ctx: ctx, year: nil)
        return try await req.view.render("surveys/list", ListPage(
            meta: await PageMeta.make(req, title: "满意度调查", crumbs: [("督导整改", "/supervision"), ("满意度调查", nil)]),
            rows: rows.map { Row(id: $0.idString, title: $0.title, org: $0.orgName, year: $0.year, status: $0.status, statusLabel: $0.statusLabel) },
            canCreate: ctx.scope.allows(.supervise)))
    }

    struct QRow: Encodable { var index: Int; var kind: String; var text: String; var options: String; var required: Bool; var kinds: [SelectOption] }
    struct FormPage: Encodable {
        var meta: PageMeta; var form: FormState; var orgs: [SelectOption]; var years: [SelectOption]; var questions: [QRow]; var action: String; var isNew: Bool; var version: Int
    }
    static let keys = ["org", "year", "title", "intro", "questions"]

    static func rows(_ qs: [SurveyQuestion]) -> [QRow] {
        let padded = qs + Array(repeating: SurveyQuestion(kind: .scale, text: "", required: true), count: 2)
        return padded.enumerated().map { i, q in
            QRow(index: i, kind: q.kind.rawValue, text: q.text, options: q.options.joined(separator: "\n"), required: q.required,
                 kinds: SurveyQuestionKind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == q.kind) })
        }
    }

    /// The builder's rows; a row without a question text is left out.
    static func questions(_ f: [String: String]) -> [SurveyQuestion] {
        (0..<60).compactMap { i in
            let text = (f["q\(i)_text"] ?? "").trimmingSpaces
            guard !text.isEmpty else { return nil }
            let kind = SurveyQuestionKind(rawValue: f["q\(i)_kind"] ?? "") ?? .text
            let opts = (f["q\(i)_options"] ?? "").split(whereSeparator: \.isNewline).map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
            return SurveyQuestion(kind: kind, text: text, options: opts, required: Check.bool(f["q\(i)_required"]))
        }
    }

    func formPage(_ req: Request, ctx: Ctx, values: [String: String], questions: [SurveyQuestion], errors: FieldErrors, survey: SurveyModel?) async throws -> FormPage {
        let year = Int(values["year"] ?? "") ?? ctx.today.year
        return FormPage(meta: await PageMeta.make(req, title: survey == nil ? "新建问卷" : "修改问卷", crumbs: [("满意度调查", "/surveys"), (survey?.title ?? "新建问卷", nil)]),
                        form: FormState(values: values, errors: errors, keys: Self.keys),
                        orgs: Options.orgs(try await SupervisionPageController.supervisableOrgs(ctx: ctx), selected: values["org"]),
                        years: Options.years(selected: year, ctx: ctx), questions: Self.rows(questions),
                        action: survey.map { "/surveys/\($0.idString)/edit" } ?? "/surveys/new", isNew: survey == nil, version: survey?.version ?? 0)
    }

    func newForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.supervise, entity: "survey")
        let values = ["year": String(ctx.today.year), "title": "\(ctx.today.year)年度服务对象满意度调查",
                      "intro": "为了解您对我们服务的评价，请花一两分钟填写。问卷匿名，每个链接只能提交一次。"]
        return try await req.view.render("surveys/form", try await formPage(req, ctx: ctx, values: values, questions: SurveyRules.template, errors: FieldErrors(), survey: nil))
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        let qs = Self.questions(f)
        do {
            let s = try await SurveyService.save(nil, .init(orgRef: f["org"] ?? "", year: Int(f["year"] ?? "") ?? 0, title: f["title"] ?? "", intro: f["intro"] ?? "", questions: qs),
                                                 version: nil, ctx: ctx)
            req.flash("已保存问卷草稿，确认题目后发布并生成链接")
            return req.redirect(to: "/surveys/\(s.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await req.view.render("surveys/form", try await formPage(req, ctx: ctx, values: f, questions: qs, errors: fe, survey: nil)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    func editForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let s = try await SurveyService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .supervise)
        guard s.status == "draft" else { throw AppError.conflict("问卷已发布，题目不能再修改") }
        let values = ["org": s.orgID.uuidString.lowercased(), "year": String(s.year), "title": s.title, "intro": s.intro ?? ""]
        return try await req.view.render("surveys/form", try await formPage(req, ctx: ctx, values: values, questions: s.questionList, errors: FieldErrors(), survey: s))
    }

    func update(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let s = try await SurveyService.find(req.parameters.get("id") ?? "", ctx: ctx, for: .supervise)
        let f = try req.formFields()
        let qs = Self.questions(f)
        do {
            _ = try await SurveyService.save(s, .init(orgRef: "", year: Int(f["year"] ?? "") ?? 0, title: f["title"] ?? "", intro: f["intro"] ?? "", questions: qs),
                                             version: Int(f["version"] ?? ""), ctx: ctx)
            req.flash("已保存问卷")
            return req.redirect(to: "/surveys/\(s.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await req.view.render("surveys/form", try await formPage(req, ctx: ctx, values: f, questions: qs, errors: fe, survey: s)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    struct ResultRow: Encodable { var n: Int; var text: String; var kind: String; var answered: Int; var mean: String?; var chart: String; var texts: [String] }
    struct LinkRow: Encodable { var url: String; var label: String; var answered: Bool }
    struct ShowPage: Encodable {
        var meta: PageMeta; var s: SurveyDTO; var results: [ResultRow]; var satisfaction: String?; var links: [LinkRow]; var unused: Int
        var canManage: Bool; var linksTotal: Int
    }

    func show(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let s = try await SurveyService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let dto = try await SupervisionAPIController.surveyDTO(s, on: req.db)
        let results = (dto.results ?? []).enumerated().map { i, r in
            ResultRow(n: i + 1, text: r.text, kind: SurveyQuestionKind(rawValue: r.kind)?.label ?? r.kind, answered: r.answered,
                      mean: r.mean.map { String(format: "%.2f", $0) },
                      chart: r.kind == "text" ? "" : BarChart.svg(zip(r.options, r.counts).map { BarChart.Bar(label: $0.0, value: Double($0.1), text: "\($0.1)人", tone: "#1a4fa0") },
                                                                   title: r.text, max: Double(max(1, r.answered))),
                      texts: Array(r.texts.suffix(50)))
        }
        let manage = ctx.scope.allows(.supervise, at: s.orgPath)
        let links = manage ? try await SurveyService.links(s, on: req.db) : []
        return try await req.view.render("surveys/show", ShowPage(
            meta: await PageMeta.make(req, title: s.title, crumbs: [("满意度调查", "/surveys"), (s.title, nil)]), s: dto, results: results,
            satisfaction: dto.satisfaction.map { String($0) }, links: links.suffix(100).map { LinkRow(url: SupervisionAPIController.linkURL(req, $0.0.token), label: $0.0.label ?? "", answered: $0.1) },
            unused: links.filter { !$0.1 }.count, canManage: manage, linksTotal: links.count))
    }

    func setStatus(_ req: Request, to status: String) async throws -> Response {
        let ctx = try req.ctx()
        let s = try await SurveyService.find(req.parameters.get("id") ?? "", ctx: ctx)
        return try await req.flashing(back: "/surveys/\(s.idString)") {
            _ = try await SurveyService.setStatus(s, to: status, ctx: ctx)
            return status == "open" ? "问卷已发布，可以生成链接发给服务对象" : "问卷已结束，不再接受回答"
        }
    }

    func makeLinks(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let s = try await SurveyService.find(req.parameters.get("id") ?? "", ctx: ctx)
        let f = try req.formFields()
        return try await req.flashing(back: "/surveys/\(s.idString)#links") {
            let links = try await SurveyService.makeLinks(s, count: Int(f["count"] ?? "") ?? 0, label: f["label"] ?? "", ctx: ctx)
            return "已生成\(links.count)个答卷链接"
        }
    }

    // MARK: public

    struct PublicQ: Encodable { var n: Int; var name: String; var text: String; var kind: String; var required: Bool; var options: [SelectOption]; var value: String; var error: String? }
    struct PublicPage: Encodable { var meta: PageMeta; var title: String; var intro: String?; var org: String; var state: String; var token: String; var questions: [PublicQ]; var summary: String? }

    static func publicQuestions(_ qs: [SurveyQuestion], raw: [[String]], errors: FieldErrors) -> [PublicQ] {
        qs.enumerated().map { i, q in
            let chosen = Set(i < raw.count ? raw[i] : [])
            let opts: [SelectOption] = q.kind == .scale
                ? (1...5).map { SelectOption(value: String($0), label: ["", "很不满意", "不满意", "一般", "满意", "很满意"][$0], selected: chosen.contains(String($0))) }
                : q.options.enumerated().map { SelectOption(value: String($0.offset), label: $0.element, selected: chosen.contains(String($0.offset))) }
            return PublicQ(n: i + 1, name: "q\(i + 1)", text: q.text, kind: q.kind.rawValue, required: q.required, options: opts,
                           value: q.kind == .text ? (i < raw.count ? raw[i].joined() : "") : "", error: errors["q\(i + 1)"])
        }
    }

    func publicPage(_ req: Request) async throws -> View {
        let token = req.parameters.get("token") ?? ""
        let (s, _, state) = try await SurveyService.byToken(token, on: req.db)
        guard state != .notOpen else { throw AppError.notFound("问卷链接无效，请核对链接地址") }
        return try await req.view.render("surveys/public", PublicPage(
            meta: await PageMeta.make(req, title: s.title), title: s.title, intro: s.intro, org: s.orgName,
            state: state == .open ? "open" : state == .answered ? "answered" : "closed", token: token,
            questions: Self.publicQuestions(s.questionList, raw: [], errors: FieldErrors()), summary: nil))
    }

    func publicAnswer(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let (s, _, _) = try await SurveyService.byToken(token, on: req.db)
        // repeated keys (a group of checkboxes) keep every value, so the body is read pair by pair
        var byKey: [String: [String]] = [:]
        for pair in (req.body.string ?? "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let key = kv.first, !key.isEmpty else { continue }
            byKey[key, default: []].append(kv.count > 1 ? kv[1] : "")
        }
        let raw: [[String]] = s.questionList.indices.map { byKey["q\($0 + 1)"] ?? [] }
        do {
            try await SurveyService.answer(token: token, raw: raw, db: req.db, now: req.now)
            return req.redirect(to: "/public/surveys/\(token)")
        } catch let e as AppError {
            guard let fe = e.formErrors else {
                if case .conflict = e { return req.redirect(to: "/public/surveys/\(token)") }
                throw e
            }
            return try await req.view.render("surveys/public", PublicPage(
                meta: await PageMeta.make(req, title: s.title), title: s.title, intro: s.intro, org: s.orgName, state: "open", token: token,
                questions: Self.publicQuestions(s.questionList, raw: raw, errors: fe), summary: "请完成标出的\(fe.messages.count)道题后再提交")).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}
