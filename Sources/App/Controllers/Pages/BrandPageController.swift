import Vapor
import Fluent
import Domain

/// 党建品牌 pages (DOMAIN §3, R-9…R-15): the list with its pipeline, the application form,
/// one brand's page with the steps the user may take now, the printable 申报表 and 创建档案,
/// the preliminary ranking, comment moderation, naming decisions, the yearly assessment and
/// the weights. The public pages are in `BrandPublicPageController`.
struct BrandPageController {
    // MARK: shared pieces

    struct Row: Encodable {
        var id: String; var name: String; var owner: String; var unit: String; var state: String; var stateLabel: String; var year: Int
        var namedOn: String?; var flag: String?
        init(_ b: BrandModel, flag: String? = nil) {
            id = b.idString; name = b.name; owner = b.ownerLabel; unit = b.unitName; state = b.state; stateLabel = b.stateValue.label; year = b.year
            namedOn = b.namedOn; self.flag = flag
        }
    }
    struct Card: Encodable { var label: String; var value: Int; var href: String; var tone: String }

    static func id(_ req: Request) -> String { req.parameters.get("id") ?? "" }

    /// R-13: what is overdue about a named brand, in words.
    static func flagText(_ f: BrandFollowUpService.Flag) -> String? {
        if f.proposeRevocation { return "整改逾期（期限\(f.brand.deadline ?? "")），建议取消" }
        if let y = f.overdueYear { return "\(y)年度未复核" }
        if f.dueThisYear { return "本年度待复核" }
        return nil
    }

    static func stars(_ n: Int) -> String { String(repeating: "★", count: max(0, min(5, n))) + String(repeating: "☆", count: max(0, 5 - n)) }

    static func one(_ d: Double?) -> String { d.map { String(format: "%.1f", $0) } ?? "—" }

    // MARK: list (/brands)

    struct ExpertTask: Encodable { var id: String; var name: String; var unit: String; var stateLabel: String; var scored: Bool; var total: String; var open: Bool }
    struct ListPage: Encodable {
        var meta: PageMeta; var rows: [Row]; var states: [SelectOption]; var years: [SelectOption]; var query: String; var cards: [Card]; var chart: String
        var total: Int; var shown: Int; var exportQuery: String; var canCreate: Bool; var canName: Bool; var canAssess: Bool
        var isExpert: Bool; var tasks: [ExpertTask]; var mutual: [Row]
    }

    func list(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let state = try BrandAPIController.stateQuery(req)
        let year = try BrandAPIController.optionalYear(req)
        let q = ((try? req.query.get(String.self, at: "q")) ?? "").trimmingSpaces
        let reads = ctx.scope.allows(.readBrands)
        // everything of the year in scope draws the pipeline; the filters narrow the table
        let all = try await BrandService.list(ctx: ctx, filter: .init(state: nil, year: year))
        let rows = all.filter { (state == nil || $0.stateValue == state) && (q.isEmpty || $0.name.contains(q)) }
        let flags = try await BrandFollowUpService.flags(for: rows, today: ctx.today, on: req.db)
        let flagByID = Dictionary(uniqueKeysWithValues: flags.compactMap { f in Self.flagText(f).map { (f.brand.idString, $0) } })

        var tasks: [ExpertTask] = []
        if !reads {
            let mine = try await BrandExpertModel.query(on: req.db).filter(\.$userID == ctx.user.id).all()
            let byBrand = Dictionary(mine.map { ($0.brandID, $0) }, uniquingKeysWith: { a, _ in a })
            tasks = all.map { b in
                let a = byBrand[b.id!]
                return ExpertTask(id: b.idString, name: b.name, unit: b.unitName, stateLabel: b.stateValue.label, scored: a?.total != nil,
                                  total: Self.one(a?.total), open: b.stateValue == .preliminary)
            }
        }
        // 机关互评: candidates of other units open for comment (R-11)
        var mutual: [Row] = []
        if reads {
            let inReview = try await BrandModel.query(on: req.db).filter(\.$state == BrandState.review.rawValue).sort(\.$name).all()
            mutual = inReview.filter { b in !ctx.scope.grants.contains { $0.orgPath.hasPrefix(b.unitPath) } }.map { Row($0) }
        }
        var cards = [Card(label: "全部", value: all.count, href: "/brands\(year.map { "?year=\($0)" } ?? "")", tone: "plain")]
        for st in BrandPipelineChart.stages {
            let here = all.filter { st.states.contains($0.stateValue) }
            guard let first = here.first else { continue }
            let tone = st.states.contains(.returned) || st.states.contains(.rectifying) ? "warn" : st.states.contains(.revoked) ? "alert" : st.states.contains(.named) ? "ok" : "plain"
            cards.append(Card(label: st.label, value: here.count, href: "/brands?state=\(first.state)\(year.map { "&year=\($0)" } ?? "")", tone: tone))
        }
        let qs = [("state", state?.rawValue ?? ""), ("year", year.map(String.init) ?? "")].filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        return try await req.view.render("brands/list", ListPage(
            meta: await PageMeta.make(req, title: reads ? "党建品牌" : "品牌评审", crumbs: [(reads ? "党建品牌" : "品牌评审", nil)]),
            rows: rows.map { Row($0, flag: flagByID[$0.idString]) },
            states: BrandState.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == state) },
            years: Options.years(selected: year ?? 0, ctx: ctx), query: q, cards: cards,
            chart: reads ? BrandPipelineChart.svg(all) : "", total: all.count, shown: rows.count, exportQuery: qs.isEmpty ? "" : "?" + qs,
            canCreate: ctx.scope.allows(.manageBrand), canName: ctx.scope.allows(.nameBrands),
            canAssess: ctx.scope.allows(.reviewBrands) || ctx.scope.allows(.nameBrands),
            isExpert: !reads, tasks: tasks, mutual: mutual))
    }

    // MARK: the application form (/brands/new, /brands/{id}/edit)

    struct FormPage: Encodable {
        var meta: PageMeta; var form: FormState; var orgs: [SelectOption]; var members: [SelectOption]; var parents: [SelectOption]
        var action: String; var isNew: Bool; var version: Int; var owner: String?; var named: Bool; var back: String
    }
    static let keys = ["org", "member", "parent", "name", "theme", "connotation", "philosophy", "carriers", "longPlan", "yearPlan", "achievements"]
    static let brandOrgTypes: Set<OrgType> = [.committee, .partyGroup, .organCommittee, .generalBranch, .branch, .group]

    func formPage(_ req: Request, ctx: Ctx, values: [String: String], errors: FieldErrors, brand: BrandModel?) async throws -> FormPage {
        var orgs: [SelectOption] = [], members: [SelectOption] = []
        if brand == nil {
            let all = try await OrgService.all(ctx: ctx, includeClosed: false)
            orgs = Options.orgs(all, selected: values["org"]) { Self.brandOrgTypes.contains($0.orgType) && ctx.scope.allows(.manageBrand, at: $0.path) }
            let roots = ctx.scope.roots(for: .manageBrand)
            members = try await MemberModel.query(on: req.db).inScope(roots, path: \.$orgPath).filter(\.$status ~~ PoliticalStatus.partyMemberValues)
                .with(\.$org).sort(\.$orgPath).sort(\.$name).limit(500).all()
                .map { SelectOption(value: $0.idString, label: "\($0.name)（\($0.org.name)）", selected: $0.idString == values["member"]) }
        }
        let parents = try await BrandService.list(ctx: ctx).filter { $0.id != brand?.id && $0.stateValue != .revoked }
            .map { SelectOption(value: $0.idString, label: "\($0.name)（\($0.orgName)）", selected: $0.idString == values["parent"]) }
        let title = brand == nil ? "新建党建品牌" : "修改品牌：\(brand!.name)"
        return FormPage(meta: await PageMeta.make(req, title: title, crumbs: [("党建品牌", "/brands"), (brand?.name ?? "新建品牌", brand.map { "/brands/\($0.idString)" }), ] + (brand == nil ? [] : [("修改", nil)])),
                        form: FormState(values: values, errors: errors, keys: Self.keys), orgs: orgs, members: members, parents: parents,
                        action: brand.map { "/brands/\($0.idString)/edit" } ?? "/brands/new", isNew: brand == nil, version: brand?.version ?? 0,
                        owner: brand?.ownerLabel, named: brand?.stateValue.holdsName ?? false, back: brand.map { "/brands/\($0.idString)" } ?? "/brands")
    }

    static func input(_ f: [String: String]) -> BrandService.Input {
        .init(orgRef: f["org"] ?? "", memberRef: f["member"] ?? "", parentRef: f["parent"] ?? "", name: f["name"] ?? "", theme: f["theme"] ?? "",
              connotation: f["connotation"] ?? "", philosophy: f["philosophy"] ?? "", carriers: f["carriers"] ?? "", longPlan: f["longPlan"] ?? "",
              yearPlan: f["yearPlan"] ?? "", achievements: f["achievements"] ?? "")
    }

    func newForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.manageBrand, entity: "brand")
        // a secretary with one branch starts with it chosen
        let grants = ctx.scope.grants.filter { $0.role.allows(.manageBrand) }
        let org = (try? req.query.get(String.self, at: "org")) ?? (grants.count == 1 && grants[0].role != .admin ? grants[0].orgID : "")
        return try await req.view.render("brands/form", try await formPage(req, ctx: ctx, values: ["org": org], errors: FieldErrors(), brand: nil))
    }

    func create(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        do {
            if (f["org"] ?? "").trimmingSpaces.isEmpty {
                // every missing field at once, not only the org
                var e = FieldErrors("org", "请选择创建品牌的组织")
                e.merge(BrandService.validate(Self.input(f)))
                throw AppError.validation(e)
            }
            let b = try await BrandService.create(Self.input(f), ctx: ctx)
            req.flash("已定名“\(b.name)”。完善内涵、载体和计划后即可进入培育、申报")
            return req.redirect(to: "/brands/\(b.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await req.view.render("brands/form", try await formPage(req, ctx: ctx, values: f, errors: fe, brand: nil)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    static func values(_ b: BrandModel) -> [String: String] {
        ["org": b.orgID.uuidString.lowercased(), "member": b.memberID?.uuidString.lowercased() ?? "", "parent": b.parentID?.uuidString.lowercased() ?? "",
         "name": b.name, "theme": b.theme, "connotation": b.connotation, "philosophy": b.philosophy ?? "", "carriers": b.carriers ?? "",
         "longPlan": b.longPlan ?? "", "yearPlan": b.yearPlan ?? "", "achievements": b.achievements ?? ""]
    }

    /// The owner (or the committee) changes the content while it may still change.
    static func requireEditable(_ b: BrandModel, ctx: Ctx) async throws {
        let a = try await BrandService.actors(b, ctx: ctx)
        guard a.contains(.owner) || a.contains(.committee) else {
            throw await ctx.deny("无权修改：品牌由创建组织维护", entity: "brand", id: b.idString, label: b.name, orgPath: b.orgPath)
        }
        guard b.stateValue.isEditable || b.stateValue.holdsName else { throw AppError.conflict("品牌当前为“\(b.stateValue.label)”，申报内容不能修改") }
    }

    func editForm(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let b = try await BrandService.find(Self.id(req), ctx: ctx)
        try await Self.requireEditable(b, ctx: ctx)
        return try await req.view.render("brands/form", try await formPage(req, ctx: ctx, values: Self.values(b), errors: FieldErrors(), brand: b))
    }

    func update(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try await BrandService.find(Self.id(req), ctx: ctx)
        let f = try req.formFields()
        do {
            _ = try await BrandService.update(b, Self.input(f), version: Int(f["version"] ?? ""), ctx: ctx)
            req.flash("已保存修改")
            return req.redirect(to: "/brands/\(b.idString)")
        } catch let e as AppError {
            guard let fe = e.formErrors else { throw e }
            return try await req.view.render("brands/form", try await formPage(req, ctx: ctx, values: f, errors: fe, brand: b)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    // MARK: one brand (/brands/{id})

    struct BrandView: Encodable {
        var id: String; var name: String; var owner: String; var orgName: String; var unitName: String; var memberName: String?
        var parentName: String?; var parentId: String?; var theme: String; var connotation: String; var philosophy: String?; var carriers: String?
        var longPlan: String?; var yearPlan: String?; var achievements: String?; var state: String; var stateLabel: String; var year: Int
        var opinion: String?; var returned: String?; var namedOn: String?; var deadline: String?; var hasLogo: Bool; var suggestions: [String]
        var version: Int; var decision: String?; var decisionId: String?; var problemId: String?; var initial: String
        init(_ b: BrandModel, parent: BrandModel? = nil, decision: BrandDecisionModel? = nil) {
            id = b.idString; name = b.name; owner = b.ownerLabel; orgName = b.orgName; unitName = b.unitName; memberName = b.memberName
            parentName = parent?.name; parentId = parent?.idString; theme = b.theme; connotation = b.connotation; philosophy = b.philosophy
            carriers = b.carriers; longPlan = b.longPlan; yearPlan = b.yearPlan; achievements = b.achievements; state = b.state
            stateLabel = b.stateValue.label; year = b.year; opinion = b.opinion; returned = b.returned; namedOn = b.namedOn; deadline = b.deadline
            hasLogo = b.logoID != nil; suggestions = b.suggestionList; version = b.version
            self.decision = decision.map { "\($0.document)《\($0.title)》" }; decisionId = decision?.idString
            problemId = b.problemID?.uuidString.lowercased(); initial = String(b.name.prefix(1))
        }
        static func load(_ b: BrandModel, on db: any Database) async throws -> BrandView {
            let parent = try await b.parentID.asyncMap { try await BrandModel.find($0, on: db) } ?? nil
            let decision = try await b.decisionID.asyncMap { try await BrandDecisionModel.find($0, on: db) } ?? nil
            return BrandView(b, parent: parent, decision: decision)
        }
    }

    struct Step: Encodable { var action: String; var label: String; var by: String; var confirm: String }
    struct Tick: Encodable { var value: String; var label: String; var checked: Bool }
    struct ExpertRow: Encodable { var id: String; var name: String; var total: String; var scored: Bool; var scores: String; var comment: String; var canRemove: Bool }
    struct Criterion: Encodable { var name: String; var label: String; var guide: String; var weight: Int; var value: String; var error: String? }
    struct ScoreSheet: Encodable { var criteria: [Criterion]; var comment: String; var commentError: String?; var total: String?; var summary: String? }
    struct Comment: Encodable { var id: String; var channel: String; var stars: String; var rating: Int; var author: String; var body: String; var at: String; var status: String; var statusLabel: String }
    struct Survey: Encodable { var id: String; var satisfaction: String; var answers: Int; var canOpen: Bool }
    struct ReviewRow: Encodable { var year: Int; var outcome: String; var comment: String; var deadline: String?; var on: String; var by: String }
    struct GoalRow: Encodable { var year: Int; var goals: String; var measures: String; var filedBy: String; var filedOn: String }
    struct Activity: Encodable { var day: String; var title: String; var text: String }
    struct PairRow: Encodable {
        var id: String; var org: String; var goal: String; var startedOn: String; var ended: Bool; var activities: [Activity]; var canRecord: Bool
        var form: FormState
    }
    struct Flag: Encodable { var text: String; var tone: String }

    struct Forms: Encodable {
        var forward = FormState(keys: ["opinion"])
        var back = FormState(keys: ["note"])
        var expert = FormState(keys: ["user"])
        var score = FormState(keys: ["comment"])
        var mutual = FormState(keys: ["rating", "body"])
        var suggest = FormState(keys: ["text"])
        var review = FormState(keys: ["outcome", "comment", "deadline"])
        var goals = FormState(keys: ["year", "goals", "measures"])
        var pair = FormState(keys: ["org", "goal", "startedOn"])
        var activity = FormState(keys: ["day", "title", "text"])
        var activityPair = ""
    }

    struct ShowPage: Encodable {
        var meta: PageMeta; var b: BrandView; var flags: [Flag]
        var steps: [Step]; var canForward: Bool; var canReturn: Bool; var reasons: [Tick]; var shortlistHint: Bool; var nameHint: Bool
        var canEdit: Bool; var canUpload: Bool; var isCommittee: Bool
        var showExperts: Bool; var experts: [ExpertRow]; var expertOptions: [SelectOption]; var canAssign: Bool; var survey: Survey?
        var score: ScoreSheet?
        var inReview: Bool; var publicURL: String; var mobileURL: String; var pending: [Comment]; var approved: [Comment]
        var approvedCount: Int; var meanRating: String; var canSuggest: Bool; var canMutual: Bool; var mutualRatings: [Tick]
        var canReReview: Bool; var outcomes: [Tick]; var reviews: [ReviewRow]; var holdsName: Bool
        var canFileGoals: Bool; var goalYears: [SelectOption]; var goals: [GoalRow]
        var canPair: Bool; var pairOrgs: [SelectOption]; var pairs: [PairRow]
        var files: [AttachmentService.FileRow]; var year: Int; var forms: Forms
    }

    func show(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let uuid = try Self.id(req).uuid(or: "品牌不存在")
        guard let raw = try await BrandModel.find(uuid, on: req.db) else { throw AppError.notFound("品牌不存在") }
        // 机关互评: a candidate in review is open to signed-in users of other units, who see its public face
        if raw.stateValue == .review, !(try await BrandService.canRead(raw, ctx: ctx)) {
            return try await renderMutual(req, raw, ctx: ctx, form: Forms().mutual, done: Check.bool(try? req.query.get(String.self, at: "done")), status: .ok)
        }
        let b = try await BrandService.find(Self.id(req), ctx: ctx)
        return try await render(req, b, ctx: ctx, forms: Forms(), status: .ok)
    }

    func render(_ req: Request, _ b: BrandModel, ctx: Ctx, forms: Forms, status: HTTPStatus) async throws -> Response {
        try await req.view.render("brands/show", try await showPage(req, b, ctx: ctx, forms: forms)).encodeResponse(status: status, for: req)
    }

    func showPage(_ req: Request, _ b: BrandModel, ctx: Ctx, forms typed: Forms) async throws -> ShowPage {
        let db = req.db
        var forms = typed
        if (forms.pair.values["startedOn"] ?? "").isEmpty { forms.pair.values["startedOn"] = ctx.today.iso }
        let state = b.stateValue
        let actors = try await BrandService.actors(b, ctx: ctx)
        let committee = actors.contains(.committee), owner = actors.contains(.owner)
        let offered = BrandLifecycle.steps(from: state).filter { actors.contains($0.1) }.map(\.0)
        let simple: [BrandEvent.Kind] = [.cultivate, .submit, .accept]
        let steps = offered.filter { simple.contains($0) }.map { k in
            Step(action: k.rawValue, label: k.label, by: BrandLifecycle.rule(k).by(state).label,
                 confirm: k == .submit ? "申报后内容不能再修改，确定申报？" : k == .accept ? "受理后进入初选，并自动发起服务对象意见征询，确定受理？" : "")
        }
        let backValues = forms.back.values
        let reasons = BrandReturnReason.allCases.filter { $0 != .notSelected || [.preliminary, .review].contains(state) }
            .map { Tick(value: $0.rawValue, label: $0.label, checked: Check.bool(backValues["reason.\($0.rawValue)"])) }

        // R-10: experts, their sheets, the service recipients' survey
        let assignments = try await BrandSelectionService.assignments(b, on: db)
        let mine = assignments.first { $0.userID == ctx.user.id }
        var expertOptions: [SelectOption] = []
        if committee && state == .preliminary {
            let taken = Set(assignments.map(\.userID))
            expertOptions = try await BrandSelectionService.experts(on: db).filter { !taken.contains($0.user.id!) }
                .map { SelectOption(value: $0.user.idString, label: $0.user.displayName, selected: $0.user.idString == forms.expert.values["user"]) }
        }
        let experts = committee ? assignments.map { a in
            ExpertRow(id: a.idString, name: a.userName, total: Self.one(a.total), scored: a.total != nil,
                      scores: BrandCriterion.allCases.compactMap { c in a.scoreMap[c.rawValue].map { "\(c.label)\($0)" } }.joined(separator: "，"),
                      comment: a.comment ?? "", canRemove: state == .preliminary && a.total == nil)
        } : []
        var survey: Survey?
        if let sid = b.surveyID, committee || owner {
            let (sat, n) = try await BrandSelectionService.satisfaction(b, on: db)
            survey = Survey(id: sid.uuidString.lowercased(), satisfaction: Self.one(sat), answers: n, canOpen: ctx.scope.allows(.readSupervision, at: b.orgPath))
        }
        var sheet: ScoreSheet?
        if let a = mine, state == .preliminary || a.total != nil {
            let settings = try await BrandService.settings(on: db)
            let typed = forms.score.errors.isEmpty ? nil : forms.score.values
            sheet = ScoreSheet(criteria: BrandCriterion.allCases.map { c in
                Criterion(name: c.rawValue, label: c.label, guide: c.guide, weight: settings.weight(c),
                          value: typed?[c.rawValue] ?? a.scoreMap[c.rawValue].map(String.init) ?? "", error: forms.score.errors[c.rawValue])
            }, comment: typed?["comment"] ?? a.comment ?? "", commentError: forms.score.errors["comment"], total: a.total.map { Self.one($0) },
               summary: forms.score.summary)
        }

        // R-11: comments
        let cs = try await BrandSelectionService.comments(b, status: nil, on: db)
        let sum = BrandSelectionService.summary(cs)
        func comment(_ c: BrandCommentModel) -> Comment {
            Comment(id: c.idString, channel: c.channelLabel, stars: Self.stars(c.rating), rating: c.rating, author: c.author ?? "匿名", body: c.body,
                    at: c.createdAt.map(Format.dateTime) ?? "", status: c.status, statusLabel: c.statusLabel)
        }
        let sameUnit = ctx.scope.grants.contains { $0.orgPath.hasPrefix(b.unitPath) }

        // R-13, R-14
        let flags = try await BrandFollowUpService.flags(for: [b], today: ctx.today, on: db).flatMap { f -> [Flag] in
            var out: [Flag] = []
            if f.proposeRevocation { out.append(Flag(text: "整改期限\(b.deadline ?? "")已过，建议取消品牌名称", tone: "alert")) }
            if let y = f.overdueYear { out.append(Flag(text: "\(y)年度未进行复核", tone: "alert")) }
            if f.dueThisYear { out.append(Flag(text: "\(ctx.today.year)年度复核尚未进行", tone: "warn")) }
            return out
        }
        let reReviewable = BrandLifecycle.steps(from: state).contains { [.confirm, .rectify, .revoke].contains($0.0) && actors.contains($0.1) }
        let outcomeValue = forms.review.values["outcome"] ?? ""
        let outcomes = BrandReReviewOutcome.allCases.filter { state == .named || $0 != .rectify }
            .map { Tick(value: $0.rawValue, label: $0.label, checked: $0.rawValue == outcomeValue) }
        let pairs = try await BrandFollowUpService.pairs(b, on: db)
        var pairOrgs: [SelectOption] = []
        let canPair = committee && state.holdsName
        if canPair {
            pairOrgs = Options.orgs(try await OrgService.all(ctx: ctx, includeClosed: false), selected: forms.pair.values["org"]) { o in
                [.branch, .generalBranch].contains(o.orgType) && !b.orgPath.hasPrefix(o.path) && !o.path.hasPrefix(b.orgPath) && ctx.scope.allows(.readBrands, at: o.path)
            }
        }
        let goalYear = forms.goals.values["year"].flatMap { Int($0) } ?? ctx.today.year
        let rows = pairs.map { p, acts in
            PairRow(id: p.idString, org: p.orgName, goal: p.goal, startedOn: p.startedOn, ended: p.endedOn != nil,
                    activities: acts.map { Activity(day: $0.day, title: $0.title, text: $0.text) },
                    canRecord: p.endedOn == nil && (owner || committee || ctx.scope.allows(.manageBrand, at: p.orgPath)),
                    form: forms.activityPair == p.idString ? forms.activity : FormState(values: ["day": ctx.today.iso], keys: ["day", "title", "text"]))
        }
        return ShowPage(
            meta: await PageMeta.make(req, title: b.name, crumbs: [(ctx.scope.allows(.readBrands) ? "党建品牌" : "品牌评审", "/brands"), (b.name, nil)]),
            b: try await BrandView.load(b, on: db), flags: flags,
            steps: steps, canForward: offered.contains(.forward), canReturn: offered.contains(.returnBack), reasons: reasons,
            shortlistHint: offered.contains(.shortlist), nameHint: offered.contains(.name),
            canEdit: (owner || committee) && (state.isEditable || state.holdsName), canUpload: (owner || committee) && state != .revoked, isCommittee: committee,
            showExperts: committee && (state == .preliminary || !assignments.isEmpty), experts: experts, expertOptions: expertOptions,
            canAssign: committee && state == .preliminary, survey: survey, score: sheet,
            inReview: state == .review, publicURL: "/public/brands/\(b.idString)", mobileURL: "/public/brands/\(b.idString)?ch=m",
            pending: committee ? cs.filter { $0.status == "pending" }.map(comment) : [], approved: cs.filter { $0.status == "approved" }.map(comment),
            approvedCount: sum.count, meanRating: Self.one(sum.mean),
            canSuggest: committee && [.preliminary, .review, .named, .rectifying].contains(state),
            canMutual: state == .review && !sameUnit && !committee, mutualRatings: Self.ratingChecks(forms.mutual.values["rating"]),
            canReReview: reReviewable, outcomes: outcomes,
            reviews: try await BrandFollowUpService.reviews(b, on: db).map { ReviewRow(year: $0.year, outcome: $0.outcomeLabel, comment: $0.comment, deadline: $0.deadline, on: $0.reviewedOn, by: $0.reviewedBy) },
            holdsName: state.holdsName,
            canFileGoals: owner && state.holdsName,
            goalYears: [ctx.today.year, ctx.today.year + 1].map { SelectOption(value: String($0), label: "\($0)年度", selected: $0 == goalYear) },
            goals: try await BrandFollowUpService.goals(b, on: db).map { GoalRow(year: $0.year, goals: $0.goals, measures: $0.measures, filedBy: $0.filedBy, filedOn: $0.filedOn) },
            canPair: canPair, pairOrgs: pairOrgs, pairs: rows,
            files: try await AttachmentService.files(ownerType: "brand", ownerID: b.id!, on: db), year: ctx.today.year, forms: forms)
    }

    static func ratingChecks(_ selected: String?) -> [Tick] {
        (1...5).reversed().map { Tick(value: String($0), label: Self.stars($0), checked: String($0) == selected) }
    }

    // MARK: actions on one brand

    /// Runs one form of the brand page: success flashes and goes back to `anchor`; field errors
    /// come back on the page beside the fields (422); other refusals flash (409) or go to the
    /// error page (403, 404).
    func act(_ req: Request, anchor: String, form: WritableKeyPath<Forms, FormState>, keys: [String], pair: String = "",
             _ action: (BrandModel, [String: String], Ctx) async throws -> String) async throws -> Response {
        let ctx = try req.ctx()
        let b = try await BrandService.find(Self.id(req), ctx: ctx)
        let f = try req.formFields()
        do {
            req.flash(try await action(b, f, ctx))
        } catch let e as AppError {
            switch e {
            case .forbidden, .notFound: throw e
            default:
                guard let fe = e.formErrors else { req.flash(e.message, kind: "error"); break }
                var forms = Forms()
                forms[keyPath: form] = FormState(values: f, errors: fe, keys: keys)
                forms.activityPair = pair
                // a fresh copy: the failed step may have changed the model in memory
                let fresh = try await BrandService.find(Self.id(req), ctx: ctx)
                return try await render(req, fresh, ctx: ctx, forms: forms, status: .unprocessableEntity)
            }
        }
        return req.redirect(to: "/brands/\(b.idString)#\(anchor)")
    }

    /// R-9 steps with a button or a small form: cultivate, submit, forward, return, accept.
    func step(_ req: Request) async throws -> Response {
        let f = try req.formFields()
        let kind = BrandEvent.Kind(rawValue: f["action"] ?? "")
        let form: WritableKeyPath<Forms, FormState> = kind == .forward ? \.forward : \.back
        return try await act(req, anchor: "steps", form: form, keys: ["opinion", "note", "reasons"]) { b, f, ctx in
            let event: BrandEvent
            switch kind {
            case .cultivate: event = .cultivate
            case .submit: event = .submit(viaOrganCommittee: true)
            case .forward: event = .forward(opinion: f["opinion"] ?? "")
            case .returnBack:
                let reasons = BrandReturnReason.allCases.filter { Check.bool(f["reason.\($0.rawValue)"]) }
                event = .returnBack(reasons: reasons, note: f["note"] ?? "")
            case .accept: event = .accept
            default: throw AppError.conflict("该操作请在初选排名、命名决定或年度复核中办理")
            }
            do {
                let out = try await BrandService.transition(b, event, version: Int(f["version"] ?? ""), ctx: ctx)
                return "已办理“\(kind!.label)”，品牌当前为“\(out.stateValue.label)”"
            } catch AppError.validation(let e) where kind == .submit {
                // what the 申报表 still lacks is fixed on the form, not here
                throw AppError.conflict("申报前请先修改品牌，补全：" + e.order.compactMap { e[$0] }.map { $0.replacingOccurrences(of: "申报前请填写", with: "") }.joined(separator: "、"))
            }
        }
    }

    func reReview(_ req: Request) async throws -> Response {
        try await act(req, anchor: "rereview", form: \.review, keys: ["outcome", "comment", "deadline"]) { b, f, ctx in
            guard let o = BrandReReviewOutcome(rawValue: f["outcome"] ?? "") else { throw AppError.validation(FieldErrors("outcome", "请选择复核结论")) }
            let out = try await BrandService.reReview(b, outcome: o, comment: f["comment"] ?? "", deadline: f["deadline"] ?? "", version: Int(f["version"] ?? ""), ctx: ctx)
            return "已完成\(ctx.today.year)年度复核：\(o.label)" + (o == .rectify ? "，整改期限\(out.deadline ?? "")，已登记整改问题" : "")
        }
    }

    func assignExpert(_ req: Request) async throws -> Response {
        try await act(req, anchor: "experts", form: \.expert, keys: ["user"]) { b, f, ctx in
            let a = try await BrandSelectionService.assignExpert(b, userRef: f["user"] ?? "", ctx: ctx)
            return "已指派\(a.userName)评审"
        }
    }

    func removeExpert(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try await BrandService.find(Self.id(req), ctx: ctx)
        return try await req.flashing(back: "/brands/\(b.idString)#experts") {
            try await BrandSelectionService.removeExpert(b, assignmentID: req.parameters.get("aid") ?? "", ctx: ctx)
            return "已撤回指派"
        }
    }

    func score(_ req: Request) async throws -> Response {
        try await act(req, anchor: "score", form: \.score, keys: BrandCriterion.allCases.map(\.rawValue) + ["comment"]) { b, f, ctx in
            let a = try await BrandSelectionService.score(b, raw: f, comment: f["comment"] ?? "", ctx: ctx)
            return "已提交评分：加权总分\(Self.one(a.total))分"
        }
    }

    func suggest(_ req: Request) async throws -> Response {
        try await act(req, anchor: "suggestions", form: \.suggest, keys: ["text"]) { b, f, ctx in
            _ = try await BrandSelectionService.suggest(b, text: f["text"] ?? "", version: Int(f["version"] ?? ""), ctx: ctx)
            return "已提出优化建议"
        }
    }

    func fileGoals(_ req: Request) async throws -> Response {
        try await act(req, anchor: "goals", form: \.goals, keys: ["year", "goals", "measures"]) { b, f, ctx in
            guard let y = Int(f["year"] ?? "") else { throw AppError.validation(FieldErrors("year", "请选择年度")) }
            _ = try await BrandFollowUpService.fileGoals(b, year: y, goals: f["goals"] ?? "", measures: f["measures"] ?? "", ctx: ctx)
            return "已报送\(y)年度目标任务和工作措施"
        }
    }

    func pair(_ req: Request) async throws -> Response {
        try await act(req, anchor: "pairs", form: \.pair, keys: ["org", "goal", "startedOn"]) { b, f, ctx in
            let p = try await BrandFollowUpService.pair(b, orgRef: f["org"] ?? "", goal: f["goal"] ?? "", startedOn: f["startedOn"] ?? "", ctx: ctx)
            return "已与\(p.orgName)结成共建对子"
        }
    }

    func activity(_ req: Request) async throws -> Response {
        let pid = req.parameters.get("pid") ?? ""
        return try await act(req, anchor: "pair-\(pid)", form: \.activity, keys: ["day", "title", "text"], pair: pid) { b, f, ctx in
            guard let id = UUID(uuidString: pid), let p = try await BrandPairModel.find(id, on: ctx.db), p.brandID == b.id else { throw AppError.notFound("共建对子不存在") }
            let a = try await BrandFollowUpService.activity(p, day: f["day"] ?? "", title: f["title"] ?? "", text: f["text"] ?? "", ctx: ctx)
            return "已记录共建活动“\(a.title)”"
        }
    }

    // MARK: 机关互评 (R-11)

    struct MutualPage: Encodable {
        var meta: PageMeta; var b: BrandView; var approved: [Comment]; var ratings: [Tick]; var form: FormState; var done: Bool; var sameUnit: Bool
    }

    func renderMutual(_ req: Request, _ b: BrandModel, ctx: Ctx, form: FormState, done: Bool, status: HTTPStatus) async throws -> Response {
        let approved = try await BrandSelectionService.comments(b, status: "approved", on: req.db).map { c in
            Comment(id: c.idString, channel: c.channelLabel, stars: Self.stars(c.rating), rating: c.rating, author: c.author ?? "匿名", body: c.body,
                    at: c.createdAt.map(Format.dateTime) ?? "", status: c.status, statusLabel: c.statusLabel)
        }
        let page = MutualPage(meta: await PageMeta.make(req, title: "机关互评：\(b.name)", crumbs: [("党建品牌", "/brands"), (b.name, nil)]),
                              b: BrandView(b), approved: approved, ratings: Self.ratingChecks(form.values["rating"]), form: form, done: done,
                              sameUnit: ctx.scope.grants.contains { $0.orgPath.hasPrefix(b.unitPath) })
        return try await req.view.render("brands/mutual", page).encodeResponse(status: status, for: req)
    }

    /// A signed-in user of another unit comments on a candidate; moderated like the public ones.
    func mutualComment(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let uuid = try Self.id(req).uuid(or: "品牌不存在")
        guard let b = try await BrandModel.find(uuid, on: req.db) else { throw AppError.notFound("品牌不存在") }
        guard b.stateValue == .review else { _ = try await BrandService.find(Self.id(req), ctx: ctx); throw AppError.conflict("该品牌当前不在公开评议阶段") }
        let readable = try await BrandService.canRead(b, ctx: ctx)
        let f = try req.formFields()
        let keys = ["rating", "body"]
        func again(_ e: FieldErrors, _ status: HTTPStatus, summary: String? = nil) async throws -> Response {
            var form = FormState(values: f, errors: e, keys: keys)
            if let summary { form.summary = summary }
            if readable { var forms = Forms(); forms.mutual = form; return try await render(req, b, ctx: ctx, forms: forms, status: status) }
            return try await renderMutual(req, b, ctx: ctx, form: form, done: false, status: status)
        }
        if ctx.scope.grants.contains(where: { $0.orgPath.hasPrefix(b.unitPath) }) {
            return try await again(FieldErrors("body", "机关互评由其他单位进行，不能评议本单位的品牌"), .conflict, summary: "不能评议本单位的品牌")
        }
        do {
            try BrandAPIController.rateLimit(req)
            _ = try await BrandSelectionService.comment(b, channel: "mutual", rating: f["rating"] ?? "", body: f["body"] ?? "", author: "",
                                                        ip: req.remoteAddress?.ipAddress ?? "unknown", user: ctx.user, on: req.db, now: req.now)
        } catch AppError.validation(let e) {
            return try await again(e, .unprocessableEntity)
        } catch AppError.rateLimited(let m) {
            return try await again(FieldErrors("body", m), .tooManyRequests, summary: "提交过于频繁，请稍后再试")
        }
        req.flash("感谢您的评议，审核通过后将公开显示")
        return req.redirect(to: "/brands/\(b.idString)#mutual")
    }

    // MARK: logo and files

    func logo(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        return try await BrandMedia.logoResponse(try await BrandService.find(Self.id(req), ctx: ctx), on: req.db)
    }

    func uploadLogo(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let b = try await BrandService.find(Self.id(req), ctx: ctx)
        struct Upload: Content { var file: File? }
        let u = try? req.content.decode(Upload.self)
        return try await req.flashing(back: "/brands/\(b.idString)") {
            guard let file = u?.file, file.data.readableBytes > 0 else { throw AppError.validation(FieldErrors("file", "请选择标识图片（PNG 或 JPG，不超过2MB）")) }
            _ = try await BrandMedia.setLogo(b, data: Data(buffer: file.data), ctx: ctx)
            return "已上传品牌标识"
        }
    }

    // MARK: printable pages

    struct ApplicationPage: Encodable {
        var meta: PageMeta; var b: BrandView; var submittedOn: String?; var forwardedOn: String?; var committeeOpinion: String?; var issuedOn: String?
    }

    /// seed 002 附件: 市直机关党建品牌申报表, A4.
    func application(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let b = try await BrandService.find(Self.id(req), ctx: ctx)
        let events = try await BrandService.events(b, on: req.db)
        let submitted = events.last { $0.kind == "submit" }?.day
        let forwarded = events.last { $0.kind == "forward" }?.day
        let accepted = events.last { $0.kind == "accept" }
        return try await req.view.render("brands/application", ApplicationPage(
            meta: await PageMeta.make(req, title: "市直机关党建品牌申报表", crumbs: [("党建品牌", "/brands"), (b.name, "/brands/\(b.idString)"), ("申报表", nil)]),
            b: try await BrandView.load(b, on: req.db), submittedOn: submitted.flatMap(Day.init(iso:))?.chinese, forwardedOn: forwarded.flatMap(Day.init(iso:))?.chinese,
            committeeOpinion: accepted.map { _ in "同意受理，进入初选。" }, issuedOn: accepted.flatMap { Day(iso: $0.day) }?.chinese))
    }

    struct EventRow: Encodable { var seq: Int; var day: String; var label: String; var text: String; var actor: String }
    struct DossierPage: Encodable {
        var meta: PageMeta; var b: BrandView; var events: [EventRow]; var criteria: [String]; var experts: [SheetRow]; var comments: [Comment]
        var reviews: [ReviewRow]; var goals: [GoalRow]; var pairs: [PairRow]; var files: [AttachmentService.FileRow]; var decision: DecisionRow?
        var printed: String
    }
    struct SheetRow: Encodable { var name: String; var scores: [String]; var total: String; var comment: String }

    /// 创建档案: everything of the brand's life on one printable page.
    func dossier(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let b = try await BrandService.find(Self.id(req), ctx: ctx)
        let db = req.db
        let actors = try await BrandService.actors(b, ctx: ctx)
        let sheets = (actors.contains(.committee) || actors.contains(.owner)) ? try await BrandSelectionService.assignments(b, on: db) : []
        let decision = try await b.decisionID.asyncMap { try await BrandDecisionModel.find($0, on: db) } ?? nil
        return try await req.view.render("brands/dossier", DossierPage(
            meta: await PageMeta.make(req, title: "\(b.name)创建档案", crumbs: [("党建品牌", "/brands"), (b.name, "/brands/\(b.idString)"), ("创建档案", nil)]),
            b: try await BrandView.load(b, on: db),
            events: try await BrandService.events(b, on: db).map { EventRow(seq: $0.seq, day: $0.day, label: BrandMedia.eventLabel($0.kind), text: $0.text, actor: $0.actorName) },
            criteria: BrandCriterion.allCases.map(\.label),
            experts: sheets.map { a in SheetRow(name: a.userName, scores: BrandCriterion.allCases.map { a.scoreMap[$0.rawValue].map(String.init) ?? "—" }, total: Self.one(a.total), comment: a.comment ?? "") },
            comments: try await BrandSelectionService.comments(b, status: "approved", on: db).map { c in
                Comment(id: c.idString, channel: c.channelLabel, stars: Self.stars(c.rating), rating: c.rating, author: c.author ?? "匿名", body: c.body,
                        at: c.createdAt.map(Format.dateTime) ?? "", status: c.status, statusLabel: c.statusLabel)
            },
            reviews: try await BrandFollowUpService.reviews(b, on: db).map { ReviewRow(year: $0.year, outcome: $0.outcomeLabel, comment: $0.comment, deadline: $0.deadline, on: $0.reviewedOn, by: $0.reviewedBy) },
            goals: try await BrandFollowUpService.goals(b, on: db).map { GoalRow(year: $0.year, goals: $0.goals, measures: $0.measures, filedBy: $0.filedBy, filedOn: $0.filedOn) },
            pairs: try await BrandFollowUpService.pairs(b, on: db).map { p, acts in
                PairRow(id: p.idString, org: p.orgName, goal: p.goal, startedOn: p.startedOn, ended: p.endedOn != nil,
                        activities: acts.map { Activity(day: $0.day, title: $0.title, text: $0.text) }, canRecord: false, form: FormState(keys: []))
            },
            files: try await AttachmentService.files(ownerType: "brand", ownerID: b.id!, on: db),
            decision: try await decision.asyncMap { try await Self.decisionRow($0, on: db) }, printed: ctx.today.iso))
    }

    // MARK: preliminary selection (/brands/selection)

    struct RankRow: Encodable {
        var rank: String; var id: String; var name: String; var owner: String; var unit: String; var mean: String; var satisfaction: String; var answers: Int
        var experts: String; var pending: Bool
    }
    struct SelectionPage: Encodable {
        var meta: PageMeta; var year: Int; var years: [SelectOption]; var rows: [RankRow]; var chart: String; var form: FormState; var ruleQuota: Bool; var ready: Bool
    }

    func selectionPage(_ req: Request, ctx: Ctx, year: Int, form: FormState) async throws -> SelectionPage {
        let rows = try await BrandSelectionService.ranking(year: year, ctx: ctx)
        let bars = rows.filter { $0.ranked.entry.mean != nil }.map { r in
            BarChart.Bar(label: r.brand.name, value: r.ranked.entry.mean ?? 0, text: "\(Self.one(r.ranked.entry.mean))分")
        }
        return SelectionPage(
            meta: await PageMeta.make(req, title: "\(year)年品牌初选排名", crumbs: [("党建品牌", "/brands"), ("初选排名", nil)]),
            year: year, years: Options.years(selected: year, ctx: ctx),
            rows: rows.map { r in
                RankRow(rank: r.ranked.rank.map(String.init) ?? "—", id: r.brand.idString, name: r.brand.name, owner: r.brand.ownerLabel, unit: r.brand.unitName,
                        mean: Self.one(r.ranked.entry.mean), satisfaction: Self.one(r.ranked.entry.satisfaction), answers: r.answers,
                        experts: r.experts.isEmpty ? "未指派专家" : r.experts.map { "\($0.userName) \(Self.one($0.total))" }.joined(separator: "；"),
                        pending: r.experts.isEmpty || r.experts.contains { $0.total == nil })
            },
            chart: BarChart.svg(bars, title: "专家平均分", max: 100), form: form, ruleQuota: form.values["rule"] != "threshold",
            ready: !rows.isEmpty && !rows.contains { $0.experts.isEmpty || $0.experts.contains { $0.total == nil } })
    }

    func selection(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let year = try req.yearQuery(ctx)
        return try await req.view.render("brands/selection", try await selectionPage(req, ctx: ctx, year: year, form: FormState(values: ["rule": "quota"], keys: ["rule", "threshold", "quota"])))
    }

    func shortlist(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        let year = Int(f["year"] ?? "") ?? ctx.today.year
        do {
            let rule: BrandSelection.Rule
            if f["rule"] == "threshold" {
                guard let t = Double((f["threshold"] ?? "").trimmingSpaces) else { throw AppError.validation(FieldErrors("threshold", "请填写分数线（0到100）")) }
                rule = .threshold(t)
            } else {
                guard let n = Int((f["quota"] ?? "").trimmingSpaces) else { throw AppError.validation(FieldErrors("quota", "请填写入选名额（正整数）")) }
                rule = .quota(n)
            }
            let (yes, no) = try await BrandSelectionService.shortlist(year: year, rule: rule, ctx: ctx)
            req.flash("初选完成：\(yes.count)个品牌入围，进入考察和公开评议" + (no.isEmpty ? "" : "；\(no.count)个未入围，已退回继续培育"))
            return req.redirect(to: "/brands?state=review")
        } catch let e as AppError {
            switch e {
            case .forbidden, .notFound: throw e
            case .conflict(let m, _):
                req.flash(m, kind: "error")
                return req.redirect(to: "/brands/selection?year=\(year)")
            default:
                guard let fe = e.formErrors else { throw e }
                return try await req.view.render("brands/selection", try await selectionPage(req, ctx: ctx, year: year, form: FormState(values: f, errors: fe, keys: ["rule", "threshold", "quota"])))
                    .encodeResponse(status: .unprocessableEntity, for: req)
            }
        }
    }

    // MARK: moderation (/brands/comments)

    struct QueueRow: Encodable { var c: Comment; var brandId: String; var brand: String }
    struct CommentsPage: Encodable { var meta: PageMeta; var rows: [QueueRow] }

    func comments(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let rows = try await BrandSelectionService.pending(ctx: ctx).map { c, b in
            QueueRow(c: Comment(id: c.idString, channel: c.channelLabel, stars: Self.stars(c.rating), rating: c.rating, author: c.author ?? "匿名", body: c.body,
                                at: c.createdAt.map(Format.dateTime) ?? "", status: c.status, statusLabel: c.statusLabel), brandId: b.idString, brand: b.name)
        }
        return try await req.view.render("brands/comments", CommentsPage(
            meta: await PageMeta.make(req, title: "评议审核", crumbs: [("党建品牌", "/brands"), ("评议审核", nil)]), rows: rows))
    }

    func moderate(_ req: Request, approve: Bool) async throws -> Response {
        let ctx = try req.ctx()
        guard let id = UUID(uuidString: Self.id(req)), let c = try await BrandCommentModel.find(id, on: req.db) else { throw AppError.notFound("评议不存在") }
        // from the brand's own page back to it, else back to the queue
        let fromBrand = (try? req.query.get(String.self, at: "back")) == "brand"
        return try await req.flashing(back: fromBrand ? "/brands/\(c.brandID.uuidString.lowercased())#comments" : "/brands/comments") {
            _ = try await BrandSelectionService.moderate(c, approve: approve, ctx: ctx)
            return approve ? "已通过，该评议将公开显示" : "已不予通过，该评议不会公开"
        }
    }

    // MARK: naming (/brands/decisions)

    struct DecisionRow: Encodable {
        var id: String; var document: String; var title: String; var decidedOn: String; var chinese: String; var brands: [Row]; var issuer: String
    }
    struct DecisionsPage: Encodable {
        var meta: PageMeta; var rows: [DecisionRow]; var canDecide: Bool; var candidates: [Tick]; var form: FormState
    }

    static func decisionRow(_ d: BrandDecisionModel, on db: any Database) async throws -> DecisionRow {
        let ids = d.brandIDList
        let brands = ids.isEmpty ? [] : try await BrandModel.query(on: db).filter(\.$id ~~ ids).sort(\.$unitPath).sort(\.$name).all()
        var issuer = try await OrgModel.query(on: db).filter(\.$path == d.orgPath).first()?.name
        if issuer == nil, let first = brands.first {
            // a decision recorded at the root: issued by the nearest committee above the brands
            issuer = try await RatingService.ancestors(first.orgPath, on: db).last { $0.orgType == .committee }?.name
        }
        return DecisionRow(id: d.idString, document: d.document, title: d.title, decidedOn: d.decidedOn, chinese: Day(iso: d.decidedOn)?.chinese ?? d.decidedOn,
                           brands: brands.map { Row($0) }, issuer: issuer ?? "")
    }

    func decisionsPage(_ req: Request, ctx: Ctx, form: FormState) async throws -> DecisionsPage {
        try await req.require(.readBrands, entity: "brand")
        var rows: [DecisionRow] = []
        for d in try await BrandSelectionService.decisions(ctx: ctx) { rows.append(try await Self.decisionRow(d, on: req.db)) }
        let canDecide = ctx.scope.allows(.nameBrands)
        let candidates = canDecide ? try await BrandService.list(ctx: ctx, filter: .init(state: .review)).map {
            Tick(value: $0.idString, label: "\($0.name)（\($0.ownerLabel)）", checked: Check.bool(form.values["brand.\($0.idString)"]))
        } : []
        return DecisionsPage(meta: await PageMeta.make(req, title: "命名决定", crumbs: [("党建品牌", "/brands"), ("命名决定", nil)]),
                             rows: rows, canDecide: canDecide, candidates: candidates, form: form)
    }

    static let decisionKeys = ["document", "decidedOn", "title", "brands"]

    func decisions(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let values = ["decidedOn": ctx.today.iso, "title": "关于命名\(ctx.today.year)年度市直机关党建品牌的决定"]
        return try await req.view.render("brands/decisions", try await decisionsPage(req, ctx: ctx, form: FormState(values: values, keys: Self.decisionKeys)))
    }

    func decide(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        let ids = f.filter { $0.key.hasPrefix("brand.") && Check.bool($0.value) }.map { String($0.key.dropFirst(6)) }
        do {
            let d = try await BrandSelectionService.decide(document: f["document"] ?? "", decidedOn: f["decidedOn"] ?? "", title: f["title"] ?? "", brandIDs: ids, ctx: ctx)
            req.flash("已印发命名决定\(d.document)，命名\(d.brandIDList.count)个党建品牌")
            return req.redirect(to: "/brands/decisions/\(d.idString)")
        } catch let e as AppError {
            switch e {
            case .forbidden, .notFound: throw e
            default:
                guard let fe = e.formErrors else { req.flash(e.message, kind: "error"); return req.redirect(to: "/brands/decisions") }
                return try await req.view.render("brands/decisions", try await decisionsPage(req, ctx: ctx, form: FormState(values: f, errors: fe, keys: Self.decisionKeys)))
                    .encodeResponse(status: .unprocessableEntity, for: req)
            }
        }
    }

    struct DecisionPage: Encodable { var meta: PageMeta; var d: DecisionRow }

    /// R-12: the naming decision as issued, A4.
    func decision(_ req: Request) async throws -> View {
        try await req.require(.readBrands, entity: "brand")
        guard let id = UUID(uuidString: Self.id(req)), let d = try await BrandDecisionModel.find(id, on: req.db) else { throw AppError.notFound("命名决定不存在") }
        return try await req.view.render("brands/decision", DecisionPage(
            meta: await PageMeta.make(req, title: d.title, crumbs: [("党建品牌", "/brands"), ("命名决定", "/brands/decisions"), (d.document, nil)]),
            d: try await Self.decisionRow(d, on: req.db)))
    }

    // MARK: assessment (/brands/assessment, R-15)

    struct AssessRow: Encodable { var rank: Int; var org: String; var unit: String; var basic: String; var carriers: String; var effect: String; var total: String }
    struct AssessmentPage: Encodable {
        var meta: PageMeta; var year: Int; var years: [SelectOption]; var rows: [AssessRow]; var chart: String; var published: Bool
        var canScore: Bool; var canPublish: Bool; var orgs: [SelectOption]; var form: FormState; var weights: String
    }
    static let assessKeys = ["org", "year", "basic", "carriers", "effect", "comment"]

    func assessmentPage(_ req: Request, ctx: Ctx, year: Int, form: FormState) async throws -> AssessmentPage {
        let rows = try await BrandFollowUpService.ranking(year: year, ctx: ctx)
        let canScore = ctx.scope.allows(.reviewBrands)
        let orgs = canScore ? Options.orgs(try await OrgService.all(ctx: ctx, includeClosed: false), selected: form.values["org"]) {
            [.branch, .generalBranch].contains($0.orgType) && ctx.scope.allows(.reviewBrands, at: $0.path)
        } : []
        let s = try await BrandService.settings(on: req.db)
        return AssessmentPage(
            meta: await PageMeta.make(req, title: "\(year)年党建品牌创建考核", crumbs: [("党建品牌", "/brands"), ("创建考核", nil)]),
            year: year, years: Options.years(selected: year, ctx: ctx),
            rows: rows.map { AssessRow(rank: $0.rank, org: $0.orgName, unit: $0.unitName, basic: Self.one($0.basic), carriers: Self.one($0.carriers), effect: Self.one($0.effect), total: Self.one($0.total)) },
            chart: BarChart.svg(rows.prefix(20).map { BarChart.Bar(label: "\($0.rank). \($0.orgName)", value: $0.total, text: "\(Self.one($0.total))分") }, title: "品牌创建考核总分", max: 100),
            published: try await BrandRankingModel.query(on: req.db).filter(\.$year == year).count() > 0,
            canScore: canScore, canPublish: ctx.scope.allows(.nameBrands), orgs: orgs, form: form,
            weights: BrandAssessmentPart.allCases.map { "\($0.label)\(s.weight($0))%" }.joined(separator: "、"))
    }

    func assessment(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        let year = try req.yearQuery(ctx)
        return try await req.view.render("brands/assessment", try await assessmentPage(req, ctx: ctx, year: year, form: FormState(values: ["year": String(year)], keys: Self.assessKeys)))
    }

    func scoreBranch(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        let year = Int(f["year"] ?? "") ?? ctx.today.year
        do {
            let m = try await BrandFollowUpService.scoreBranch(orgRef: f["org"] ?? "", year: year, raw: f, comment: f["comment"] ?? "", version: nil, ctx: ctx)
            req.flash("已记录\(m.orgName)\(year)年度品牌创建考核：\(Self.one(m.total))分")
            return req.redirect(to: "/brands/assessment?year=\(year)")
        } catch let e as AppError {
            switch e {
            case .forbidden, .notFound: throw e
            default:
                guard let fe = e.formErrors else { req.flash(e.message, kind: "error"); return req.redirect(to: "/brands/assessment?year=\(year)") }
                return try await req.view.render("brands/assessment", try await assessmentPage(req, ctx: ctx, year: min(max(year, 2000), 2100), form: FormState(values: f, errors: fe, keys: Self.assessKeys)))
                    .encodeResponse(status: .unprocessableEntity, for: req)
            }
        }
    }

    func publish(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let year = Int(try req.formFields()["year"] ?? "") ?? ctx.today.year
        return try await req.flashing(back: "/brands/assessment?year=\(year)") {
            _ = try await BrandFollowUpService.publish(year: year, ctx: ctx)
            return "已发布\(year)年度党建品牌创建考核排名"
        }
    }

    // MARK: weights (/brands/settings)

    struct WeightField: Encodable { var name: String; var label: String; var value: String; var error: String? }
    struct SettingsPage: Encodable {
        var meta: PageMeta; var criteria: [WeightField]; var parts: [WeightField]; var criteriaError: String?; var partsError: String?; var summary: String?; var canEdit: Bool
    }

    func settingsPage(_ req: Request, values: [String: String], errors: FieldErrors) async throws -> SettingsPage {
        let ctx = try req.ctx()
        return SettingsPage(
            meta: await PageMeta.make(req, title: "品牌评分权重", crumbs: [("党建品牌", "/brands"), ("评分权重", nil)]),
            criteria: BrandCriterion.allCases.map { WeightField(name: "c.\($0.rawValue)", label: "\($0.label)（%）", value: values["c.\($0.rawValue)"] ?? "", error: errors["c.\($0.rawValue)"]) },
            parts: BrandAssessmentPart.allCases.map { WeightField(name: "p.\($0.rawValue)", label: "\($0.label)（%）", value: values["p.\($0.rawValue)"] ?? "", error: errors["p.\($0.rawValue)"]) },
            criteriaError: errors["criteria"], partsError: errors["parts"], summary: errors.isEmpty ? nil : "请修改标出的\(errors.messages.count)处错误后再提交",
            canEdit: ctx.scope.allows(.nameBrands))
    }

    func settings(_ req: Request) async throws -> View {
        try await req.require(.readBrands, entity: "settings")
        let s = try await BrandService.settings(on: req.db)
        var values: [String: String] = [:]
        for c in BrandCriterion.allCases { values["c.\(c.rawValue)"] = String(s.weight(c)) }
        for p in BrandAssessmentPart.allCases { values["p.\(p.rawValue)"] = String(s.weight(p)) }
        return try await req.view.render("brands/settings", try await settingsPage(req, values: values, errors: FieldErrors()))
    }

    func saveSettings(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        let f = try req.formFields()
        // criteria and parts share names (carriers, effect): each field is checked here under its own name
        var e = FieldErrors()
        func n(_ k: String, _ label: String) -> Int {
            guard let v = Int((f[k] ?? "").trimmingSpaces), (0...100).contains(v) else { e.add(k, "\(label)的权重应为0到100之间的整数"); return 0 }
            return v
        }
        let criteria = Dictionary(uniqueKeysWithValues: BrandCriterion.allCases.map { ($0.rawValue, n("c.\($0.rawValue)", $0.label)) })
        let parts = Dictionary(uniqueKeysWithValues: BrandAssessmentPart.allCases.map { ($0.rawValue, n("p.\($0.rawValue)", $0.label)) })
        do {
            guard e.isEmpty else { throw AppError.validation(e) }
            try await BrandService.saveSettings(BrandSettings(criteria: criteria, parts: parts), ctx: ctx)
            req.flash("已保存品牌评分权重")
            return req.redirect(to: "/brands/settings")
        } catch let err as AppError {
            guard let fe = err.formErrors else { throw err }
            return try await req.view.render("brands/settings", try await settingsPage(req, values: f, errors: fe)).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}

/// The brands of a scope by stage, one stacked bar per unit (R-9 pipeline), drawn as SVG for a
/// 375 px phone; every text is escaped.
enum BrandPipelineChart {
    static let stages: [(label: String, states: [BrandState], color: String)] = [
        ("定名", [.draft], "#e5e7eb"), ("培育", [.cultivating], "#f4c9c9"), ("申报", [.submitted, .forwarded], "#ec9a9a"),
        ("退回", [.returned], "#f2c14e"), ("初选", [.preliminary], "#e05a5a"), ("考察", [.review], "#c8102e"),
        ("命名", [.named], "#8c0a20"), ("整改", [.rectifying], "#9a6700"), ("取消", [.revoked], "#6b7280"),
    ]

    static func svg(_ brands: [BrandModel]) -> String {
        guard !brands.isEmpty else { return "" }
        var units: [(String, [Int])] = []
        for (name, list) in Dictionary(grouping: brands, by: \.unitName).sorted(by: { $0.key < $1.key }) {
            units.append((name, stages.map { st in list.filter { st.states.contains($0.stateValue) }.count }))
        }
        let width = 360, left = 2, barW = 300, perRow = 5, legendH = 20
        let legendRows = (stages.count + perRow - 1) / perRow
        let top = legendRows * legendH + 6, rowH = 42
        let h = top + rowH * units.count + 4
        let maxN = Double(units.map { $0.1.reduce(0, +) }.max() ?? 1)
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(h)\" role=\"img\" aria-label=\"各单位党建品牌创建进度\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" font-size=\"12\">"
        for (i, st) in stages.enumerated() {
            let x = left + (i % perRow) * 70, y = 4 + (i / perRow) * legendH
            s += "<rect x=\"\(x)\" y=\"\(y)\" width=\"12\" height=\"12\" fill=\"\(st.color)\"/><text x=\"\(x + 16)\" y=\"\(y + 10)\">\(st.label)</text>"
        }
        for (i, u) in units.enumerated() {
            let y = top + i * rowH
            let total = u.1.reduce(0, +)
            s += "<text x=\"\(left)\" y=\"\(y + 12)\">\(StarChart.esc(String(u.0.prefix(26))))</text>"
            var x = Double(left)
            for (k, n) in u.1.enumerated() where n > 0 {
                let w = Double(barW) * Double(n) / maxN
                s += "<rect x=\"\(String(format: "%.1f", x))\" y=\"\(y + 17)\" width=\"\(String(format: "%.1f", w))\" height=\"18\" fill=\"\(stages[k].color)\"><title>\(stages[k].label)：\(n)个</title></rect>"
                if w >= 14 {
                    let dark = k >= 4 && k != 7 || k == 8
                    s += "<text x=\"\(String(format: "%.1f", x + w / 2 - 3.5))\" y=\"\(y + 30)\" fill=\"\(dark ? "#fff" : "#333")\">\(n)</text>"
                }
                x += w
            }
            s += "<text x=\"\(String(format: "%.1f", x + 4))\" y=\"\(y + 30)\">\(total)个</text>"
        }
        return s + "</svg>"
    }
}
