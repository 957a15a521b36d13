import Vapor
import Fluent
import SQLKit
import Domain

/// R-10…R-12: experts and their score sheets, the service recipients' survey, the ranking and
/// shortlist, public comments with moderation, the committee's suggestions, naming decisions.
enum BrandSelectionService {
    static func requireCommittee(_ b: BrandModel, ctx: Ctx, _ what: String) async throws {
        guard try await BrandService.actors(b, ctx: ctx).contains(.committee) else {
            throw await ctx.deny("无权操作：\(what)由工委办理", entity: "brand", id: b.idString, label: b.name, orgPath: b.orgPath)
        }
    }

    // MARK: experts (R-10)

    /// Users holding the expert role, with where they sit (for the same-unit rule).
    static func experts(on db: any Database) async throws -> [(user: UserModel, paths: [String])] {
        let grants = try await RoleGrantModel.query(on: db).filter(\.$role == Role.expert.rawValue).with(\.$org).with(\.$user).all()
        var out: [UUID: (UserModel, [String])] = [:]
        for g in grants where g.user.active {
            out[g.user.id!, default: (g.user, [])].1.append(g.org.path)
        }
        var rows: [(user: UserModel, paths: [String])] = []
        for (_, v) in out {
            var paths = v.1
            if let mid = v.0.memberID, let m = try await MemberModel.find(mid, on: db) { paths.append(m.orgPath) }
            rows.append((v.0, paths))
        }
        return rows.sorted { $0.user.displayName < $1.user.displayName }
    }

    static func assignExpert(_ b: BrandModel, userRef: String, ctx: Ctx) async throws -> BrandExpertModel {
        try await requireCommittee(b, ctx: ctx, "指派评审专家")
        guard b.stateValue == .preliminary else { throw AppError.conflict("品牌当前为“\(b.stateValue.label)”，只有初选阶段可以指派专家") }
        let all = try await experts(on: ctx.db)
        let ref = userRef.trimmingSpaces
        guard let x = all.first(where: { $0.user.idString == ref.lowercased() || $0.user.username == ref }) else {
            throw AppError.validation(FieldErrors("user", ref.isEmpty ? "请选择评审专家" : "该用户不是评审专家"))
        }
        if BrandSelection.isSameUnit(expertPaths: x.paths, unitPath: b.unitPath) {
            throw AppError.validation(FieldErrors("user", "\(x.user.displayName)与申报组织同属\(b.unitName)，应当回避，不能指派"))
        }
        if try await BrandExpertModel.query(on: ctx.db).filter(\.$brandID == b.id!).filter(\.$userID == x.user.id!).count() > 0 {
            throw AppError.conflict("\(x.user.displayName)已被指派评审该品牌", field: "user")
        }
        let a = BrandExpertModel()
        a.id = UUID(); a.brandID = b.id!; a.userID = x.user.id!; a.userName = x.user.displayName; a.assignedBy = ctx.actor.name
        try await ctx.db.transaction { db in
            try await a.create(on: db)
            try await BrandService.event(b, kind: "expert", from: nil, to: nil, text: "指派评审专家：\(a.userName)", ctx: ctx, on: db)
            try await ctx.audit(on: db, "assign", "brand", id: b.idString, label: b.name, orgID: b.orgID, orgPath: b.orgPath, after: ["expert": a.userName])
        }
        return a
    }

    static func removeExpert(_ b: BrandModel, assignmentID: String, ctx: Ctx) async throws {
        try await requireCommittee(b, ctx: ctx, "调整评审专家")
        let id = try assignmentID.uuid(or: "指派记录不存在")
        guard let a = try await BrandExpertModel.find(id, on: ctx.db), a.brandID == b.id else { throw AppError.notFound("指派记录不存在") }
        guard b.stateValue == .preliminary else { throw AppError.conflict("初选已结束，不能再调整专家") }
        guard a.total == nil else { throw AppError.conflict("\(a.userName)已评分，不能撤回指派") }
        try await ctx.db.transaction { db in
            try await a.delete(on: db)
            try await BrandService.event(b, kind: "expert", from: nil, to: nil, text: "撤回评审专家：\(a.userName)", ctx: ctx, on: db)
            try await ctx.audit(on: db, "unassign", "brand", id: b.idString, label: b.name, orgID: b.orgID, orgPath: b.orgPath, before: ["expert": a.userName])
        }
    }

    static func assignments(_ b: BrandModel, on db: any Database) async throws -> [BrandExpertModel] {
        try await BrandExpertModel.query(on: db).filter(\.$brandID == b.id!).sort(\.$createdAt).all()
    }

    /// An assigned expert's score sheet (may be changed until the shortlist is drawn).
    static func score(_ b: BrandModel, raw: [String: String], comment: String, ctx: Ctx) async throws -> BrandExpertModel {
        guard let a = try await BrandExpertModel.query(on: ctx.db).filter(\.$brandID == b.id!).filter(\.$userID == ctx.user.id).first() else {
            throw await ctx.deny("无权评分：您未被指派评审该品牌", entity: "brand", id: b.idString, label: b.name, orgPath: b.orgPath)
        }
        guard b.stateValue == .preliminary else { throw AppError.conflict("品牌当前为“\(b.stateValue.label)”，初选评分已结束") }
        let (scores, e) = BrandSelection.validate(raw, comment: comment)
        guard e.isEmpty else { throw AppError.validation(e) }
        let settings = try await BrandService.settings(on: ctx.db)
        let first = a.total == nil
        a.scores = JSON.encode(Dictionary(uniqueKeysWithValues: scores.map { ($0.key.rawValue, $0.value) }))
        a.total = BrandSelection.total(scores, settings: settings); a.comment = comment.trimmingSpaces; a.scoredAt = ctx.now
        let total = a.total!
        try await ctx.db.transaction { db in
            try await a.update(on: db)
            try await BrandService.event(b, kind: "score", from: nil, to: nil, text: "专家\(a.userName)\(first ? "" : "修改")评分：\(total)分。\(a.comment ?? "")", ctx: ctx, on: db)
            try await ctx.audit(on: db, "score", "brand", id: b.idString, label: b.name, orgID: b.orgID, orgPath: b.orgPath, after: ["expert": a.userName, "total": String(total)])
        }
        return a
    }

    // MARK: the service recipients' survey (R-10)

    /// Opened when the committee accepts an application: the ready satisfaction questionnaire.
    static func openSurvey(_ b: BrandModel, ctx: Ctx, on db: any Database) async throws {
        let s = SurveyModel()
        s.id = UUID(); s.orgID = b.orgID; s.orgPath = b.orgPath; s.orgName = b.orgName; s.year = ctx.today.year
        s.title = "“\(b.name)”服务对象意见征询"; s.intro = "请您对\(b.orgName)的服务作出评价，您的意见将作为党建品牌初选的参考。"
        s.questions = JSON.encode(SurveyRules.template); s.status = "open"; s.version = 0; s.createdBy = ctx.actor.name; s.updatedAt = ctx.now
        try await s.create(on: db)
        b.surveyID = s.id
    }

    static func satisfaction(_ b: BrandModel, on db: any Database) async throws -> (Double?, Int) {
        guard let sid = b.surveyID, let s = try await SurveyModel.find(sid, on: db) else { return (nil, 0) }
        let r = try await SurveyService.responses(s, on: db)
        return (SurveyRules.satisfaction(responses: r), r.count)
    }

    // MARK: ranking and shortlist (R-10)

    struct Row: Sendable {
        var brand: BrandModel
        var ranked: BrandSelection.Ranked
        var experts: [BrandExpertModel]
        var answers: Int
    }

    /// The applications of a year in preliminary selection under the user's committee scope, ranked.
    static func ranking(year: Int, ctx: Ctx) async throws -> [Row] {
        guard ctx.scope.allows(.nameBrands) else { throw await ctx.deny("无权查看初选排名", entity: "brand") }
        let brands = try await BrandModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .nameBrands), path: \.$orgPath)
            .filter(\.$state == BrandState.preliminary.rawValue).filter(\.$year == year).all()
        var entries: [BrandSelection.Entry] = []
        var extra: [String: (BrandModel, [BrandExpertModel], Int)] = [:]
        for b in brands {
            let xs = try await assignments(b, on: ctx.db)
            let (sat, n) = try await satisfaction(b, on: ctx.db)
            entries.append(.init(id: b.idString, name: b.name, expertTotals: xs.compactMap(\.total), satisfaction: sat))
            extra[b.idString] = (b, xs, n)
        }
        return BrandSelection.rank(entries).map { r in
            let x = extra[r.entry.id]!
            return Row(brand: x.0, ranked: r, experts: x.1, answers: x.2)
        }
    }

    /// Draws the candidates by a threshold or a quota; the others return to their owners.
    /// Every application must have been scored by all its experts first.
    static func shortlist(year: Int, rule: BrandSelection.Rule, ctx: Ctx) async throws -> (chosen: [BrandModel], returned: [BrandModel]) {
        let rows = try await ranking(year: year, ctx: ctx)
        guard !rows.isEmpty else { throw AppError.conflict("\(year)年没有处于初选阶段的申报") }
        let unscored = rows.filter { $0.experts.isEmpty || $0.experts.contains { $0.total == nil } }.map(\.brand.name)
        guard unscored.isEmpty else { throw AppError.conflict("以下申报尚未完成专家评分：\(unscored.joined(separator: "、"))") }
        switch rule {
        case .threshold(let t) where !(0...100).contains(t): throw AppError.validation(FieldErrors("threshold", "分数线应在0到100之间"))
        case .quota(let n) where n < 1: throw AppError.validation(FieldErrors("quota", "入选名额应至少为1"))
        default: break
        }
        let chosen = Set(BrandSelection.candidates(rows.map(\.ranked), rule: rule))
        let ruleText: String
        switch rule { case .threshold(let t): ruleText = "分数线\(t)分"; case .quota(let n): ruleText = "名额\(n)个" }
        let yes = rows.map(\.brand).filter { chosen.contains($0.idString) }, no = rows.map(\.brand).filter { !chosen.contains($0.idString) }
        try await ctx.db.transaction { db in
            for r in rows {
                let b = r.brand
                let mean = r.ranked.entry.mean.map { String($0) } ?? "—"
                guard try await db.claimVersion("brands", id: b.id!, version: b.version) else { throw AppError.conflict("“\(b.name)”已被他人修改，请刷新") }
                b.version += 1; b.updatedAt = ctx.now
                if chosen.contains(b.idString) {
                    b.state = BrandState.review.rawValue
                    try await BrandService.event(b, kind: "shortlist", from: .preliminary, to: .review,
                                                 text: "初选入围（第\(r.ranked.rank ?? 0)名，专家平均\(mean)分，\(ruleText)），进入考察和公开评议", ctx: ctx, on: db)
                } else {
                    b.state = BrandState.returned.rawValue; b.returned = "\(BrandReturnReason.notSelected.label)：初选第\(r.ranked.rank ?? 0)名，专家平均\(mean)分（\(ruleText)）"
                    try await BrandService.event(b, kind: "return", from: .preliminary, to: .returned, text: "初选未入围，退回继续培育（\(b.returned!)）", ctx: ctx, on: db)
                }
                try await b.update(on: db)
                try await ctx.audit(on: db, "shortlist", "brand", id: b.idString, label: b.name, orgID: b.orgID, orgPath: b.orgPath,
                                    before: ["state": BrandState.preliminary.label], after: ["state": b.stateValue.label], note: ruleText)
            }
        }
        return (yes, no)
    }

    // MARK: public comment (R-11)

    static let maxComment = 500

    /// A comment with a 1–5 rating from one of the three channels; pending until moderated.
    static func comment(_ b: BrandModel, channel: String, rating: String, body: String, author: String, ip: String, user: CurrentUser?, on db: any Database, now: Date) async throws -> BrandCommentModel {
        guard b.stateValue == .review else { throw AppError.conflict("该品牌当前不在公开评议阶段") }
        var e = FieldErrors()
        let r = Int(rating.trimmingSpaces)
        if r == nil || !(1...5).contains(r!) { e.add("rating", "请选择1到5星评价") }
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { e.add("body", "请填写评议内容") } else if text.unicodeScalars.count > maxComment { e.add("body", "评议内容不能超过\(maxComment)个字（现为\(text.unicodeScalars.count)个）") }
        let name = author.trimmingSpaces
        if name.unicodeScalars.count > 20 { e.add("author", "称呼不能超过20个字") }
        guard e.isEmpty, let r else { throw AppError.validation(e) }
        let c = BrandCommentModel()
        c.id = UUID(); c.brandID = b.id!; c.rating = r; c.body = text; c.ip = ip; c.status = "pending"; c.createdAt = now
        if let u = user {
            c.channel = "mutual"; c.userID = u.id; c.author = u.displayName
        } else {
            c.channel = channel == "mobile" ? "mobile" : "web"; c.author = name.nilIfEmpty
        }
        try await c.create(on: db)
        return c
    }

    static func moderate(_ c: BrandCommentModel, approve: Bool, ctx: Ctx) async throws -> BrandCommentModel {
        guard let b = try await BrandModel.find(c.brandID, on: ctx.db) else { throw AppError.notFound("品牌不存在") }
        try await requireCommittee(b, ctx: ctx, "审核评议")
        guard c.status == "pending" else { throw AppError.conflict("该评议已审核（\(c.statusLabel)）") }
        let to = approve ? "approved" : "rejected"
        try await ctx.db.transaction { db in
            guard try await db.claimStatus("brand_comments", id: c.id!, from: "pending", to: to) else { throw AppError.conflict("该评议已被他人审核") }
            c.status = to; c.moderatedBy = ctx.actor.name; c.moderatedAt = ctx.now
            try await c.update(on: db)
            if approve {
                try await BrandService.event(b, kind: "comment", from: nil, to: nil, text: "\(c.channelLabel)（\(c.rating)星，\(c.author ?? "匿名")）：\(c.body)", ctx: ctx, on: db)
            }
            try await ctx.audit(on: db, approve ? "approve" : "reject", "brand_comment", id: c.idString, label: b.name, orgID: b.orgID, orgPath: b.orgPath,
                                after: ["status": c.statusLabel])
        }
        return c
    }

    static func comments(_ b: BrandModel, status: String?, on db: any Database) async throws -> [BrandCommentModel] {
        let q = BrandCommentModel.query(on: db).filter(\.$brandID == b.id!)
        if let s = status { q.filter(\.$status == s) }
        return try await q.sort(\.$createdAt).all()
    }

    /// The moderation queue of the user's committee scope.
    static func pending(ctx: Ctx) async throws -> [(BrandCommentModel, BrandModel)] {
        guard ctx.scope.allows(.nameBrands) else { throw await ctx.deny("无权审核评议", entity: "brand") }
        let brands = try await BrandModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .nameBrands), path: \.$orgPath).all()
        let byID = Dictionary(uniqueKeysWithValues: brands.map { ($0.id!, $0) })
        guard !byID.isEmpty else { return [] }
        let cs = try await BrandCommentModel.query(on: ctx.db).filter(\.$status == "pending").filter(\.$brandID ~~ Array(byID.keys)).sort(\.$createdAt).all()
        return cs.compactMap { c in byID[c.brandID].map { (c, $0) } }
    }

    /// Counts and mean rating of the approved comments per channel.
    static func summary(_ cs: [BrandCommentModel]) -> (count: Int, mean: Double?, byChannel: [String: Int]) {
        let ok = cs.filter { $0.status == "approved" }
        let mean = ok.isEmpty ? nil : (Double(ok.map(\.rating).reduce(0, +)) / Double(ok.count) * 10).rounded() / 10
        return (ok.count, mean, Dictionary(grouping: ok, by: \.channel).mapValues(\.count))
    }

    /// R-11: the committee's optimization suggestions, kept on the brand.
    static func suggest(_ b: BrandModel, text: String, version: Int?, ctx: Ctx) async throws -> BrandModel {
        try await requireCommittee(b, ctx: ctx, "提出优化建议")
        guard [.review, .named, .rectifying, .preliminary].contains(b.stateValue) else { throw AppError.conflict("品牌当前为“\(b.stateValue.label)”，不在考察或命名阶段") }
        var e = FieldErrors()
        guard let t = Check.required(text, "text", "优化建议", max: 1000, into: &e) else { throw AppError.validation(e) }
        b.suggestions = JSON.encode(b.suggestionList + ["\(ctx.today.iso) \(ctx.actor.name)：\(t)"]); b.updatedAt = ctx.now
        try await BrandService.save(b, version: version ?? b.version, ctx: ctx) { db in
            try await BrandService.event(b, kind: "suggestion", from: nil, to: nil, text: "工委优化建议：\(t)", ctx: ctx, on: db)
            try await ctx.audit(on: db, "update", "brand", id: b.idString, label: b.name, orgID: b.orgID, orgPath: b.orgPath, after: ["suggestion": t])
        }
        return b
    }

    // MARK: naming (R-12)

    static func decide(document: String, decidedOn: String, title: String, brandIDs: [String], ctx: Ctx) async throws -> BrandDecisionModel {
        guard ctx.scope.allows(.nameBrands), let root = ctx.scope.grants.filter({ $0.role.allows(.nameBrands) }).map(\.orgPath).min(by: { $0.count < $1.count }) else {
            throw await ctx.deny("无权命名：党建品牌由工委提请党组研究命名", entity: "brand")
        }
        var e = FieldErrors()
        let day = Day(iso: decidedOn.trimmingSpaces)
        if day == nil { e.add("decidedOn", "请填写命名日期") }
        let t = Check.required(title, "title", "文件标题", max: 100, into: &e)
        let ids = Array(Set(brandIDs.compactMap { UUID(uuidString: $0) }))
        if ids.isEmpty { e.add("brands", "请选择要命名的品牌") }
        if let day, let m = BrandDocument.check(document, on: day) { e.add("document", m) }
        if let day, day > ctx.today { e.add("decidedOn", "命名日期不能晚于今天") }
        let doc = document.trimmingSpaces
        if e["document"] == nil, try await BrandDecisionModel.query(on: ctx.db).filter(\.$document == doc).count() > 0 { e.add("document", "文号“\(doc)”已被使用") }
        guard e.isEmpty, let day, let t else { throw AppError.validation(e) }
        let brands = try await BrandModel.query(on: ctx.db).filter(\.$id ~~ ids).all()
        guard brands.count == ids.count else { throw AppError.validation(FieldErrors("brands", "有品牌不存在")) }
        for b in brands {
            guard try await BrandService.actors(b, ctx: ctx).contains(.committee) else {
                throw await ctx.deny("无权命名：“\(b.name)”不在您的管理范围内", entity: "brand", id: b.idString, label: b.name, orgPath: b.orgPath)
            }
            guard b.stateValue == .review else { throw AppError.conflict("“\(b.name)”当前为“\(b.stateValue.label)”，只有考察阶段的品牌可以命名") }
        }
        let d = BrandDecisionModel()
        d.id = UUID(); d.document = doc; d.decidedOn = day.iso; d.title = t; d.brandIDs = JSON.encode(brands.map(\.idString))
        d.orgPath = root; d.createdBy = ctx.actor.name
        try await ctx.db.transaction { db in
            try await d.create(on: db)
            for b in brands {
                guard try await db.claimVersion("brands", id: b.id!, version: b.version) else { throw AppError.conflict("“\(b.name)”已被他人修改，请刷新") }
                b.version += 1; b.state = BrandState.named.rawValue; b.namedOn = day.iso; b.decisionID = d.id; b.updatedAt = ctx.now
                try await b.update(on: db)
                try await BrandService.event(b, kind: "name", from: .review, to: .named, text: "命名（\(doc)《\(t)》，\(day.iso)）", ctx: ctx, on: db)
                try await ctx.audit(on: db, "name", "brand", id: b.idString, label: b.name, orgID: b.orgID, orgPath: b.orgPath,
                                    before: ["state": BrandState.review.label], after: ["state": BrandState.named.label, "document": doc])
            }
        }
        return d
    }

    static func decisions(ctx: Ctx) async throws -> [BrandDecisionModel] {
        try await BrandDecisionModel.query(on: ctx.db).sort(\.$decidedOn, .descending).all()
    }
}
