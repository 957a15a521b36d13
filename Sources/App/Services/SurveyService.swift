import Vapor
import Fluent
import SQLKit
import Domain

/// Satisfaction surveys for service recipients (DOMAIN §8): built by an officer, sent as
/// links (each answered once), results with charts; satisfaction feeds the yearly assessment.
enum SurveyService {
    struct Input: Sendable {
        var orgRef: String
        var year: Int
        var title: String
        var intro: String
        var questions: [SurveyQuestion]
    }

    static func find(_ id: String, ctx: Ctx, for action: Action = .readSupervision) async throws -> SurveyModel {
        let uuid = try id.uuid(or: "问卷不存在")
        guard let s = try await SurveyModel.find(uuid, on: ctx.db) else { throw AppError.notFound("问卷不存在") }
        try await ctx.require(action, at: s.orgPath, entity: "survey", id: s.idString, label: s.title)
        return s
    }

    static func list(ctx: Ctx, year: Int?) async throws -> [SurveyModel] {
        guard ctx.scope.allows(.readSupervision) else { throw await ctx.deny("无权查看问卷", entity: "survey") }
        let q = SurveyModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readSupervision), path: \.$orgPath)
        if let y = year { q.filter(\.$year == y) }
        return try await q.sort(\.$createdAt, .descending).all()
    }

    static func validate(_ i: Input, today: Day) -> FieldErrors {
        var e = SurveyRules.validate(title: i.title, questions: i.questions)
        if i.year < 2000 || i.year > today.year + 1 { e.add("year", "年度应在2000年到\(today.year + 1)年之间") }
        _ = Check.optional(i.intro, "intro", "说明", max: 1000, into: &e)
        return e
    }

    static func clean(_ qs: [SurveyQuestion]) -> [SurveyQuestion] {
        qs.map { q in
            SurveyQuestion(kind: q.kind, text: q.text.trimmingSpaces,
                           options: q.kind == .single || q.kind == .multiple ? q.options.map(\.trimmingSpaces).filter { !$0.isEmpty } : [],
                           required: q.required)
        }
    }

    static func save(_ existing: SurveyModel?, _ i: Input, version: Int?, ctx: Ctx) async throws -> SurveyModel {
        let org: OrgModel
        if let s = existing {
            try await ctx.require(.supervise, at: s.orgPath, entity: "survey", id: s.idString, label: s.title)
            guard s.status == "draft" else { throw AppError.conflict("问卷已发布，题目不能再修改") }
            guard let o = try await OrgModel.find(s.orgID, on: ctx.db) else { throw AppError.notFound("组织不存在") }
            org = o
        } else {
            guard ctx.scope.allows(.supervise) else { throw await ctx.deny("无权创建问卷", entity: "survey") }
            org = try await ctx.org(i.orgRef, for: .supervise, entity: "survey", missing: "请选择被评价的组织")
        }
        let e = validate(i, today: ctx.today)
        guard e.isEmpty else { throw AppError.validation(e) }
        let s = existing ?? SurveyModel()
        let before = existing.map(snapshot)
        let oldVersion = existing?.version
        if s.id == nil { s.id = UUID(); s.orgID = org.id!; s.orgPath = org.path; s.orgName = org.name; s.status = "draft"; s.version = 0; s.createdBy = ctx.actor.name }
        s.year = i.year; s.title = i.title.trimmingSpaces; s.intro = i.intro.trimmingSpaces.nilIfEmpty; s.questions = JSON.encode(clean(i.questions)); s.updatedAt = ctx.now
        let model = s
        try await ctx.db.transaction { db in
            try await db.saveVersioned(model, id: model.id!, isNew: oldVersion == nil, table: "surveys", version: version ?? oldVersion ?? 0, what: "该问卷") { model.version = $0 }
            try await ctx.audit(on: db, existing == nil ? "create" : "update", "survey", id: model.idString, label: model.title, orgID: org.id, orgPath: org.path,
                                before: before, after: snapshot(model))
        }
        return s
    }

    /// draft → open → closed.
    static func setStatus(_ s: SurveyModel, to new: String, ctx: Ctx) async throws -> SurveyModel {
        try await ctx.require(.supervise, at: s.orgPath, entity: "survey", id: s.idString, label: s.title)
        let from = new == "open" ? "draft" : new == "closed" ? "open" : ""
        guard !from.isEmpty else { throw AppError.validation(FieldErrors("status", "状态应为 open 或 closed")) }
        guard s.status == from else { throw AppError.conflict("问卷当前“\(s.statusLabel)”，不能\(new == "open" ? "发布" : "结束")") }
        try await ctx.db.transaction { db in
            guard try await db.claimStatus("surveys", id: s.id!, from: from, to: new) else { throw AppError.conflict("问卷状态已被他人改变，请刷新") }
            // an edit of the draft read before this change must not land on the open survey
            try await db.sql.update("surveys").set("version", to: SQLRaw("version + 1")).where("id", .equal, s.id!).run()
            try await ctx.audit(on: db, new == "open" ? "open" : "close", "survey", id: s.idString, label: s.title, orgID: s.orgID, orgPath: s.orgPath,
                                after: ["status": new])
        }
        s.status = new; s.version += 1
        return s
    }

    /// Makes `count` answer links (one answer each) to hand out, labelled e.g. "政务服务窗口".
    static func makeLinks(_ s: SurveyModel, count: Int, label: String, ctx: Ctx) async throws -> [SurveyLinkModel] {
        try await ctx.require(.supervise, at: s.orgPath, entity: "survey", id: s.idString, label: s.title)
        var e = FieldErrors()
        if !(1...500).contains(count) { e.add("count", "一次可生成1到500个链接") }
        _ = Check.optional(label, "label", "发放对象", max: 50, into: &e)
        guard e.isEmpty else { throw AppError.validation(e) }
        guard s.status != "closed" else { throw AppError.conflict("问卷已结束，不能再生成链接") }
        guard try await SurveyLinkModel.query(on: ctx.db).filter(\.$surveyID == s.id!).count() + count <= 5000 else {
            throw AppError.conflict("每份问卷最多5000个链接", field: "count")
        }
        let links: [SurveyLinkModel] = (0..<count).map { _ in
            let l = SurveyLinkModel()
            l.id = UUID(); l.surveyID = s.id!; l.token = Tokens.random(bytes: 12); l.label = label.trimmingSpaces.nilIfEmpty
            return l
        }
        try await ctx.db.transaction { db in
            for c in links.chunked(200) { try await Array(c).create(on: db) }
            try await ctx.audit(on: db, "links", "survey", id: s.idString, label: s.title, orgID: s.orgID, orgPath: s.orgPath,
                                after: ["count": String(count), "label": label])
        }
        return links
    }

    static func links(_ s: SurveyModel, on db: any Database) async throws -> [(SurveyLinkModel, Bool)] {
        let links = try await SurveyLinkModel.query(on: db).filter(\.$surveyID == s.id!).sort(\.$createdAt).all()
        let used = Set(try await SurveyResponseModel.query(on: db).filter(\.$surveyID == s.id!).field(\.$linkID).all().map(\.linkID))
        return links.map { ($0, used.contains($0.id!)) }
    }

    // MARK: public answering (no login)

    enum LinkState: Sendable { case open, answered, closed, notOpen }

    static func byToken(_ token: String, on db: any Database) async throws -> (SurveyModel, SurveyLinkModel, LinkState) {
        guard token.count <= 64, let l = try await SurveyLinkModel.query(on: db).filter(\.$token == token).first(),
              let s = try await SurveyModel.find(l.surveyID, on: db) else { throw AppError.notFound("问卷链接无效，请核对链接地址") }
        if s.status == "draft" { return (s, l, .notOpen) }
        if try await SurveyResponseModel.query(on: db).filter(\.$linkID == l.id!).count() > 0 { return (s, l, .answered) }
        return (s, l, s.status == "closed" ? .closed : .open)
    }

    /// One answer per link: a second submission is refused (409) and the first one stays.
    static func answer(token: String, raw: [[String]], db: any Database, now: Date) async throws {
        let (s, l, state) = try await byToken(token, on: db)
        switch state {
        case .answered: throw AppError.conflict("该链接已提交过问卷，感谢您的参与")
        case .closed: throw AppError.conflict("问卷调查已结束")
        case .notOpen: throw AppError.conflict("问卷尚未发布")
        case .open: break
        }
        let (answers, e) = SurveyRules.answers(s.questionList, raw: raw)
        guard e.isEmpty else { throw AppError.validation(e) }
        let r = SurveyResponseModel()
        r.id = UUID(); r.surveyID = s.id!; r.linkID = l.id!; r.answers = JSON.encode(answers)
        do { try await r.create(on: db) } catch {
            // the unique link_id: two submissions racing, the second loses
            if try await SurveyResponseModel.query(on: db).filter(\.$linkID == l.id!).count() > 0 { throw AppError.conflict("该链接已提交过问卷，感谢您的参与") }
            throw error
        }
    }

    static func responses(_ s: SurveyModel, on db: any Database) async throws -> [[SurveyAnswer]] {
        try await SurveyResponseModel.query(on: db).filter(\.$surveyID == s.id!).sort(\.$createdAt).all().map(\.answerList)
    }

    /// Satisfaction (0…100) per surveyed org path for the year, over every answer of its surveys.
    static func satisfactionByOrg(year: Int, on db: any Database) async throws -> [String: Double] {
        let surveys = try await SurveyModel.query(on: db).filter(\.$year == year).filter(\.$status != "draft").all()
        var out: [String: Double] = [:]
        for (path, group) in Dictionary(grouping: surveys, by: \.orgPath) {
            var all: [[SurveyAnswer]] = []
            for s in group { all += try await responses(s, on: db) }
            if let v = SurveyRules.satisfaction(responses: all) { out[path] = v }
        }
        return out
    }

    static func snapshot(_ s: SurveyModel) -> [String: String] {
        ["title": s.title, "year": String(s.year), "questions": s.questionList.map { "\($0.kind.label)：\($0.text)" }.joined(separator: "；")]
    }
}
