import Vapor
import Fluent
import SQLKit
import Domain

/// Party-building brands (DOMAIN §3): the record, its lifecycle and its archive.
/// Selection, comments and naming are in `BrandSelectionService`; re-reviews, goals, pairs
/// and the yearly assessment in `BrandFollowUpService`.
enum BrandService {
    struct Input: Sendable {
        var orgRef: String
        var memberRef: String
        var parentRef: String
        var name: String
        var theme: String
        var connotation: String
        var philosophy: String
        var carriers: String
        var longPlan: String
        var yearPlan: String
        var achievements: String
    }

    static let settingsKey = "brand"

    static func settings(on db: any Database) async throws -> BrandSettings {
        guard let row = try await SettingModel.find(settingsKey, on: db) else { return .standard }
        return JSON.decode(BrandSettings.self, row.value) ?? .standard
    }

    static func saveSettings(_ new: BrandSettings, ctx: Ctx) async throws {
        guard ctx.scope.allows(.nameBrands) else { throw await ctx.deny("无权修改：品牌评分权重由工委设置", entity: "settings") }
        let e = new.validate()
        guard e.isEmpty else { throw AppError.validation(e) }
        try await SettingModel.store(settingsKey, label: "党建品牌评分权重", before: try await settings(on: ctx.db), after: new, ctx: ctx)
    }

    // MARK: reading

    /// Whether the user may read this brand: in their scope, an expert assigned to it, or a
    /// candidate under public review or a named brand (public anyway; other units review it, R-11).
    static func canRead(_ b: BrandModel, ctx: Ctx) async throws -> Bool {
        if ctx.scope.allows(.readBrands, at: b.orgPath) || b.stateValue.holdsName || b.stateValue == .review { return true }
        return try await BrandExpertModel.query(on: ctx.db).filter(\.$brandID == b.id!).filter(\.$userID == ctx.user.id).count() > 0
    }

    static func find(_ id: String, ctx: Ctx) async throws -> BrandModel {
        let uuid = try id.uuid(or: "品牌不存在")
        guard let b = try await BrandModel.find(uuid, on: ctx.db) else { throw AppError.notFound("品牌不存在") }
        guard try await canRead(b, ctx: ctx) else {
            throw await ctx.deny("无权查看：该品牌不在您的管理范围内", entity: "brand", id: b.idString, label: b.name, orgPath: b.orgPath)
        }
        return b
    }

    struct Filter: Sendable { var state: BrandState?; var year: Int?; var unit: String?; var query: String? }

    /// The brands in the user's scope; an expert sees the ones assigned to them.
    static func list(ctx: Ctx, filter f: Filter = Filter()) async throws -> [BrandModel] {
        let q = BrandModel.query(on: ctx.db)
        if ctx.scope.allows(.readBrands) {
            q.inScope(ctx.scope.roots(for: .readBrands), path: \.$orgPath)
        } else if ctx.scope.grants.contains(where: { $0.role == .expert }) {
            let ids = try await BrandExpertModel.query(on: ctx.db).filter(\.$userID == ctx.user.id).all().map(\.brandID)
            q.filter(\.$id ~~ ids)
        } else {
            throw await ctx.deny("无权查看党建品牌", entity: "brand")
        }
        if let s = f.state { q.filter(\.$state == s.rawValue) }
        if let y = f.year { q.filter(\.$year == y) }
        if let u = f.unit, !u.isEmpty { q.filter(\.$unitPath == u) }
        if let t = f.query?.trimmingSpaces, !t.isEmpty { q.filter(\.$name, .custom("LIKE"), "%\(t.likeEscaped)%") }
        return try await q.sort(\.$unitPath).sort(\.$orgPath).sort(\.$name).all()
    }

    // MARK: who acts

    /// The unit (单位) of an org: its 党组, else its 机关党委 (itself if it is one); else the org.
    static func unit(of org: OrgModel, ancestors: [OrgModel]) -> OrgModel {
        RatingService.unit(of: ancestors) ?? org
    }

    /// The roles the user holds for a brand: the owner, the organ committee above it, the committee.
    static func actors(_ b: BrandModel, ctx: Ctx) async throws -> Set<BrandActor> {
        let anc = try await RatingService.ancestors(b.orgPath, on: ctx.db)
        return actors(b, ancestors: anc, grants: ctx.scope.grants)
    }

    static func actors(_ b: BrandModel, ancestors anc: [OrgModel], grants: [Grant]) -> Set<BrandActor> {
        var out = Set<BrandActor>()
        let ownerType = OrgType(rawValue: b.orgType)
        for g in grants {
            if g.role == .admin { return Set(BrandActor.allCases) }
            guard b.orgPath.hasPrefix(g.orgPath), let at = anc.first(where: { $0.path == g.orgPath }) else { continue }
            switch g.role {
            case .branchSecretary where [.branch, .generalBranch, .group].contains(ownerType):
                out.insert(.owner)
            case .groupLeader where ownerType == .group && g.orgPath == b.orgPath:
                out.insert(.owner)
            case .unitOfficer:
                if g.orgPath == b.orgPath { out.insert(.owner) }
                else if [.partyGroup, .organCommittee].contains(at.orgType) { out.insert(.organCommittee) }
            case .committeeOfficer where at.orgType == .committee:
                if g.orgPath == b.orgPath { out.insert(.owner) }
                out.insert(.committee)
            default: break
            }
        }
        return out
    }

    /// Whether an application passes an organ committee (or party group) before the committee.
    static func viaOrganCommittee(_ b: BrandModel, ancestors anc: [OrgModel]) -> Bool {
        anc.contains { $0.path != b.orgPath && [.partyGroup, .organCommittee].contains($0.orgType) && b.orgPath.hasPrefix($0.path) }
    }

    // MARK: the record

    static func validate(_ i: Input) -> FieldErrors {
        var e = FieldErrors()
        _ = Check.required(i.name, "name", "品牌名称", max: 30, into: &e)
        _ = Check.required(i.theme, "theme", "品牌主题", max: 100, into: &e)
        _ = Check.required(i.connotation, "connotation", "品牌内涵", max: 2000, into: &e)
        for (v, f, l) in [(i.philosophy, "philosophy", "品牌理念"), (i.carriers, "carriers", "载体与阵地"), (i.longPlan, "longPlan", "长期规划"),
                          (i.yearPlan, "yearPlan", "年度计划和措施"), (i.achievements, "achievements", "创建成效")] {
            _ = Check.optional(v, f, l, max: 3000, into: &e)
        }
        return e
    }

    /// What an application needs before it is submitted (seed 002 申报表).
    static func missingForSubmission(_ b: BrandModel) -> FieldErrors {
        var e = FieldErrors()
        if (b.philosophy ?? "").isEmpty { e.add("philosophy", "申报前请填写品牌理念") }
        if (b.carriers ?? "").isEmpty { e.add("carriers", "申报前请填写载体与阵地") }
        if (b.longPlan ?? "").isEmpty { e.add("longPlan", "申报前请填写长期规划") }
        if (b.yearPlan ?? "").isEmpty { e.add("yearPlan", "申报前请填写年度计划和措施") }
        if (b.achievements ?? "").isEmpty { e.add("achievements", "申报前请填写创建成效") }
        return e
    }

    static func create(_ i: Input, ctx: Ctx) async throws -> BrandModel {
        guard ctx.scope.allows(.manageBrand) else { throw await ctx.deny("无权创建党建品牌", entity: "brand") }
        var org = try await ctx.org(i.orgRef, for: .manageBrand, entity: "brand", missing: "请选择创建品牌的组织")
        var e = validate(i)
        var member: MemberModel?
        if !i.memberRef.trimmingSpaces.isEmpty {
            // 一党员一燃点: a member's brand is kept by their branch
            let m = try await UUID(uuidString: i.memberRef.trimmingSpaces).asyncMap { try await MemberModel.find($0, on: ctx.db) } ?? nil
            if let m, m.orgPath.hasPrefix(org.path) { member = m } else { e.add("member", "该党员不在所选组织内") }
            if let m = member, let branch = try await OrgModel.find(m.$org.id, on: ctx.db) { org = branch }
        }
        let parent = try await parentBrand(i.parentRef, ctx: ctx, into: &e)
        let anc = try await RatingService.ancestors(org.path, on: ctx.db)
        if member == nil, ![.committee, .partyGroup, .organCommittee, .generalBranch, .branch, .group].contains(org.orgType) {
            e.add("org", "该组织不能创建品牌")
        }
        try await checkNameFree(i.name, except: nil, on: ctx.db, into: &e)
        guard e.isEmpty else { throw AppError.validation(e) }
        let unit = unit(of: org, ancestors: anc)
        let b = BrandModel()
        b.id = UUID(); b.orgID = org.id!; b.orgPath = org.path; b.orgName = org.name; b.orgType = org.orgType.rawValue
        b.unitPath = unit.path; b.unitName = unit.name; b.memberID = member?.id; b.memberName = member?.name; b.parentID = parent?.id
        apply(i, to: b)
        b.state = BrandState.draft.rawValue; b.year = ctx.today.year; b.version = 0; b.createdBy = ctx.actor.name; b.updatedAt = ctx.now
        try await ctx.db.transaction { db in
            try await b.create(on: db)
            try await event(b, kind: "create", from: nil, to: .draft, text: "定名：\(b.name)", ctx: ctx, on: db)
            try await ctx.audit(on: db, "create", "brand", id: b.idString, label: b.name, orgID: b.orgID, orgPath: b.orgPath, after: snapshot(b))
        }
        return b
    }

    static func update(_ b: BrandModel, _ i: Input, version: Int?, ctx: Ctx) async throws -> BrandModel {
        let actors = try await actors(b, ctx: ctx)
        guard actors.contains(.owner) || actors.contains(.committee) else {
            throw await ctx.deny("无权修改：品牌由创建组织维护", entity: "brand", id: b.idString, label: b.name, orgPath: b.orgPath)
        }
        let state = b.stateValue
        guard state.isEditable || state.holdsName else { throw AppError.conflict("品牌当前为“\(state.label)”，申报内容不能修改") }
        var e = validate(i)
        if state.holdsName, i.name.trimmingSpaces != b.name { e.add("name", "已命名的品牌不能改名") }
        let parent = try await parentBrand(i.parentRef, ctx: ctx, into: &e)
        if parent?.id == b.id { e.add("parent", "品牌不能以自己为上级品牌") }
        try await checkNameFree(i.name, except: b.id, on: ctx.db, into: &e)
        guard e.isEmpty else { throw AppError.validation(e) }
        let before = snapshot(b)
        apply(i, to: b)
        b.parentID = parent?.id; b.updatedAt = ctx.now
        try await save(b, version: version ?? b.version, ctx: ctx) { db in
            try await ctx.audit(on: db, "update", "brand", id: b.idString, label: b.name, orgID: b.orgID, orgPath: b.orgPath, before: before, after: snapshot(b))
        }
        return b
    }

    static func apply(_ i: Input, to b: BrandModel) {
        b.name = i.name.trimmingSpaces; b.theme = i.theme.trimmingSpaces; b.connotation = i.connotation.trimmingSpaces
        b.philosophy = i.philosophy.trimmingSpaces.nilIfEmpty; b.carriers = i.carriers.trimmingSpaces.nilIfEmpty
        b.longPlan = i.longPlan.trimmingSpaces.nilIfEmpty; b.yearPlan = i.yearPlan.trimmingSpaces.nilIfEmpty
        b.achievements = i.achievements.trimmingSpaces.nilIfEmpty
    }

    static func parentBrand(_ ref: String, ctx: Ctx, into e: inout FieldErrors) async throws -> BrandModel? {
        let r = ref.trimmingSpaces
        guard !r.isEmpty else { return nil }
        guard let id = UUID(uuidString: r), let p = try await BrandModel.find(id, on: ctx.db) else { e.add("parent", "找不到上级品牌"); return nil }
        return p
    }

    static func checkNameFree(_ name: String, except: UUID?, on db: any Database, into e: inout FieldErrors) async throws {
        let n = name.trimmingSpaces
        guard !n.isEmpty else { return }
        let q = BrandModel.query(on: db).filter(\.$name == n).filter(\.$state != BrandState.revoked.rawValue)
        if let x = except { q.filter(\.$id != x) }
        if try await q.count() > 0 { e.add("name", "已有同名品牌“\(n)”，请另取名称") }
    }

    static func snapshot(_ b: BrandModel) -> [String: String] {
        ["name": b.name, "theme": b.theme, "connotation": b.connotation, "philosophy": b.philosophy ?? "", "carriers": b.carriers ?? "",
         "longPlan": b.longPlan ?? "", "yearPlan": b.yearPlan ?? "", "achievements": b.achievements ?? "", "state": b.stateValue.label]
    }

    /// Saves a brand under its version (409 when someone changed it since), with `more` in the same transaction.
    static func save(_ b: BrandModel, version: Int, ctx: Ctx, _ more: @escaping @Sendable (any Database) async throws -> Void) async throws {
        try await ctx.db.transaction { db in
            try await db.saveVersioned(b, id: b.id!, isNew: false, table: "brands", version: version, what: "该品牌") { b.version = $0 }
            try await more(db)
        }
    }

    /// Appends to the archive (R-9: every step, in order).
    static func event(_ b: BrandModel, kind: String, from: BrandState?, to: BrandState?, text: String, ctx: Ctx, on db: any Database) async throws {
        let last = try await BrandEventModel.query(on: db).filter(\.$brandID == b.id!).sort(\.$seq, .descending).first()
        let e = BrandEventModel()
        e.id = UUID(); e.brandID = b.id!; e.seq = (last?.seq ?? 0) + 1; e.kind = kind; e.fromState = from?.rawValue; e.toState = to?.rawValue
        e.day = ctx.today.iso; e.text = text; e.actorName = ctx.actor.name
        try await e.create(on: db)
    }

    static func events(_ b: BrandModel, on db: any Database) async throws -> [BrandEventModel] {
        try await BrandEventModel.query(on: db).filter(\.$brandID == b.id!).sort(\.$seq).all()
    }

    // MARK: R-9 steps

    /// Takes one step of R-9 for one brand: 409 from the wrong state, 403 for the wrong person, 422 for bad input.
    static func transition(_ b: BrandModel, _ event: BrandEvent, version: Int?, ctx: Ctx) async throws -> BrandModel {
        let anc = try await RatingService.ancestors(b.orgPath, on: ctx.db)
        let who = try await roles(b, ancestors: anc, ctx: ctx)
        var ev = event
        if case .submit = event { ev = .submit(viaOrganCommittee: viaOrganCommittee(b, ancestors: anc)) }
        if case .submit = ev {
            let missing = missingForSubmission(b)
            if !missing.isEmpty, BrandLifecycle.rule(.submit).from.contains(b.stateValue) { throw AppError.validation(missing) }
        }
        let from = b.stateValue
        let next = try await check(b, ev, roles: who, ctx: ctx)
        try await take(b, ev, from: from, to: next, version: version ?? b.version, ctx: ctx)
        return b
    }

    /// The user's roles on this brand. Scope before state (R-1, API.md): someone who holds
    /// none at all (a member, an expert, another unit reading a named brand) is refused and logged
    /// whatever the brand's state, rather than told the step does not fit the state.
    static func roles(_ b: BrandModel, ancestors anc: [OrgModel], ctx: Ctx) async throws -> Set<BrandActor> {
        let who = actors(b, ancestors: anc, grants: ctx.scope.grants)
        guard who.isEmpty else { return who }
        throw await ctx.deny("无权操作：该品牌由其所属组织及上级党组织办理", entity: "brand", id: b.idString, label: b.name, orgPath: b.orgPath)
    }

    /// R-9 for this user: the next state, or 409 (wrong state), 403 (logged; not their step), 422.
    static func check(_ b: BrandModel, _ ev: BrandEvent, roles who: Set<BrandActor>, ctx: Ctx) async throws -> BrandState {
        switch BrandLifecycle.apply(ev, to: b.stateValue, by: who, today: ctx.today) {
        case .success(let s): return s
        case .failure(.wrongState(let m)): throw AppError.conflict(m)
        case .failure(.notYourTurn(let m)): throw await ctx.deny("无权操作：\(m)", entity: "brand", id: b.idString, label: b.name, orgPath: b.orgPath)
        case .failure(.invalid(let e)): throw AppError.validation(e)
        }
    }

    /// Writes a step already checked: the state, what the step leaves on the brand, the archive, the audit.
    static func take(_ b: BrandModel, _ ev: BrandEvent, from: BrandState, to next: BrandState, version: Int, comment: String = "", ctx: Ctx,
                     extra: (@Sendable (any Database) async throws -> Void)? = nil) async throws {
        var text = ev.kind.label
        b.state = next.rawValue; b.updatedAt = ctx.now
        var review: BrandReviewModel?
        var openProblem = false, openSurvey = false
        switch ev {
        case .accept:
            openSurvey = b.surveyID == nil
            text = "工委受理，进入初选（专家评审，征求服务对象意见）"
        case .submit:
            b.year = ctx.today.year; b.returned = nil
            text = next == .submitted ? "申报，报机关党委审核" : "申报，报工委"
        case .forward(let opinion):
            b.opinion = opinion.trimmingSpaces
            text = "机关党委审核通过并报送工委。意见：\(b.opinion!)"
        case .returnBack(let reasons, let note):
            let r = reasons.map(\.label).joined(separator: "、") + (note.trimmingSpaces.isEmpty ? "" : "：\(note.trimmingSpaces)")
            b.returned = r
            text = "退回重新申报（\(r)）"
        case .name(let doc, let on):
            b.namedOn = on.iso; b.deadline = nil
            text = "命名（\(doc.trimmingSpaces)，\(on.iso)）"
        case .reReview(let outcome, let deadline):
            let r = BrandReviewModel()
            r.id = UUID(); r.brandID = b.id!; r.year = ctx.today.year; r.outcome = outcome.rawValue; r.comment = comment
            r.deadline = deadline?.iso; r.reviewedOn = ctx.today.iso; r.reviewedBy = ctx.actor.name
            review = r
            switch outcome {
            case .confirm: b.deadline = nil
            case .rectify: b.deadline = deadline?.iso; openProblem = true
            case .revoke: b.deadline = nil
            }
            text = "\(ctx.today.year)年度复核：\(outcome.label)" + (deadline.map { "，整改期限\($0.iso)" } ?? "") + "。\(comment)"
        default: break
        }
        let reviewRow = review, problem = openProblem, survey = openSurvey, label = text
        try await save(b, version: version, ctx: ctx) { db in
            if let r = reviewRow { try await r.create(on: db) }
            if survey {
                try await BrandSelectionService.openSurvey(b, ctx: ctx, on: db)
                try await b.update(on: db)
            }
            if problem {
                let p = try await ProblemService.openFromModule(orgID: b.orgID, orgPath: b.orgPath, orgName: b.orgName, year: ctx.today.year,
                                                                kind: "rectification", source: .brand, sourceID: b.idString, aspect: .strong,
                                                                reason: "党建品牌“\(b.name)”复核责成专项整改", days: max(1, b.deadlineDay.map { $0.daysSinceEpoch - ctx.today.daysSinceEpoch } ?? 90),
                                                                ctx: ctx, on: db)
                b.problemID = p.id
                try await b.update(on: db)
            }
            try await extra?(db)
            try await event(b, kind: ev.kind.rawValue, from: from, to: next, text: label, ctx: ctx, on: db)
            try await ctx.audit(on: db, ev.kind.rawValue, "brand", id: b.idString, label: b.name, orgID: b.orgID, orgPath: b.orgPath,
                                before: ["state": from.label], after: ["state": next.label], note: label)
        }
    }

    /// the yearly re-review, with its comment (and a deadline when it orders rectification).
    static func reReview(_ b: BrandModel, outcome: BrandReReviewOutcome, comment: String, deadline: String, version: Int?, ctx: Ctx) async throws -> BrandModel {
        var e = FieldErrors()
        let c = Check.required(comment, "comment", "复核意见", max: 1000, into: &e)
        let d = deadline.trimmingSpaces.isEmpty ? nil : Day(iso: deadline.trimmingSpaces)
        if !deadline.trimmingSpaces.isEmpty, d == nil { e.add("deadline", "整改期限应为日期，如 2027-03-31") }
        let anc = try await RatingService.ancestors(b.orgPath, on: ctx.db)
        let from = b.stateValue
        let ev = BrandEvent.reReview(outcome, deadline: outcome == .rectify ? d : nil)
        let next: BrandState
        let who = try await roles(b, ancestors: anc, ctx: ctx)
        do { next = try await check(b, ev, roles: who, ctx: ctx) } catch AppError.validation(let more) { e.merge(more); throw AppError.validation(e) }
        guard e.isEmpty, let c else { throw AppError.validation(e) }
        try await take(b, ev, from: from, to: next, version: version ?? b.version, comment: c, ctx: ctx)
        return b
    }
}
