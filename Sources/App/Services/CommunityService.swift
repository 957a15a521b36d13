import Vapor
import Fluent
import Domain

/// 双报到: communities, the 共建协议 that pair branches or units with them, and
/// members' service records with the monthly 2-hour check.
enum CommunityService {
    /// Communities registered in the user's scope, and those paired with an org in it.
    static func list(ctx: Ctx) async throws -> [CommunityModel] {
        let roots = ctx.scope.roots(for: .readRecords)
        let paired = try await PairingModel.query(on: ctx.db).inScope(roots, path: \.$orgPath).all().map(\.communityID)
        let q = CommunityModel.query(on: ctx.db)
        if let roots {
            q.group(.or) { g in
                g.filter(\.$id ~~ paired)
                for r in roots { g.filter(\.$orgPath, .custom("LIKE"), r + "%") }
            }
        }
        return try await q.sort(\.$name).all()
    }

    /// Communities are public names (residents pick them on the public form); what may be
    /// done with one is checked by each action.
    static func find(_ id: String, ctx: Ctx) async throws -> CommunityModel {
        let uuid = try id.uuid(or: "社区不存在")
        guard let c = try await CommunityModel.find(uuid, on: ctx.db) else { throw AppError.notFound("社区不存在") }
        guard ctx.scope.allows(.readRecords) else { throw await ctx.deny("无权访问：您的角色不能查看社区共建", entity: "community", id: c.idString, label: c.name) }
        return c
    }

    /// The details (contacts, every agreement) only for a community registered in the user's
    /// scope or paired with an org in it.
    static func findDetail(_ id: String, ctx: Ctx) async throws -> CommunityModel {
        let c = try await find(id, ctx: ctx)
        guard try await list(ctx: ctx).contains(where: { $0.id == c.id }) else {
            throw await ctx.deny("无权查看：该社区不在您的管理范围内", entity: "community", id: c.idString, label: c.name, orgPath: c.orgPath)
        }
        return c
    }

    /// A community registered by the org that keeps its contacts (a committee or a unit).
    static func create(_ f: [String: String], ctx: Ctx) async throws -> CommunityModel {
        var e = FieldErrors()
        let name = Check.required(f["name"], "name", "社区名称", max: 50, into: &e)
        let street = Check.optional(f["street"], "street", "所属街道", max: 50, into: &e)
        let contact = Check.optional(f["contact"], "contact", "联系人", max: 30, into: &e)
        let phone = Check.optional(f["phone"], "phone", "联系电话", max: 20, into: &e)
        if (f["org"] ?? "").trimmingSpaces.isEmpty { e.add("org", "请选择登记单位") }
        guard e.isEmpty, let name else { throw AppError.validation(e) }
        let org = try await OrgService.find(f["org"]!.trimmingSpaces, ctx: ctx, for: .handleDemands)
        if try await CommunityModel.query(on: ctx.db).filter(\.$name == name).first() != nil {
            throw AppError.conflict("已有名为“\(name)”的社区", field: "name")
        }
        let c = CommunityModel()
        c.id = UUID(); c.name = name; c.street = street; c.contact = contact; c.phone = phone; c.orgID = org.id!; c.orgPath = org.path; c.createdAt = ctx.now
        try await ctx.db.transaction { db in
            try await c.create(on: db)
            try await ctx.audit(on: db, "create", "community", id: c.idString, label: name, orgID: org.id, orgPath: org.path,
                                after: ["name": name, "street": street ?? "", "contact": contact ?? ""])
        }
        return c
    }

    static func pairings(_ c: CommunityModel, on db: any Database) async throws -> [PairingModel] {
        try await PairingModel.query(on: db).filter(\.$communityID == c.id!).sort(\.$signedOn).all()
    }

    /// 共建协议: a branch or unit in the user's scope signs with the community.
    static func pair(_ c: CommunityModel, _ f: [String: String], ctx: Ctx) async throws -> PairingModel {
        var e = FieldErrors()
        let signed = Check.date(f["signedOn"], "signedOn", "签订日期", required: true, notAfter: ctx.today, into: &e)
        let content = Check.required(f["content"], "content", "共建内容", max: 2000, into: &e)
        if (f["org"] ?? "").trimmingSpaces.isEmpty { e.add("org", "请选择签订协议的党组织") }
        let orgRef = (f["org"] ?? "").trimmingSpaces
        var found: OrgModel?
        if !orgRef.isEmpty { found = try await OrgService.resolve(orgRef, on: ctx.db); if found == nil { e.add("org", "党组织不存在") } }
        guard e.isEmpty, let signed, let content, let org = found else { throw AppError.validation(e) }
        try await ctx.require(.writeRecords, at: org.path, entity: "org", id: org.idString, label: org.name)
        if try await PairingModel.query(on: ctx.db).filter(\.$communityID == c.id!).filter(\.$orgID == org.id!).first() != nil {
            throw AppError.conflict("\(org.name)已与\(c.name)签订共建协议", field: "org")
        }
        let p = PairingModel()
        p.id = UUID(); p.communityID = c.id!; p.orgID = org.id!; p.orgPath = org.path; p.orgName = org.name
        p.signedOn = signed.iso; p.content = content; p.active = true; p.createdAt = ctx.now
        try await ctx.db.transaction { db in
            try await p.create(on: db)
            try await ctx.audit(on: db, "create", "pairing", id: p.idString, label: "\(org.name)—\(c.name)", orgID: org.id, orgPath: org.path,
                                after: ["community": c.name, "signedOn": signed.iso, "content": content])
        }
        return p
    }
}

/// Members' community service: a member records their hours (pending until an
/// officer confirms them; an officer's own entry is confirmed at once); confirmed hours earn
/// points and count towards the monthly 2 hours.
enum ServiceRecordService {
    static let maxMinutes = 24 * 60

    static func find(_ id: String, ctx: Ctx) async throws -> ServiceRecordModel {
        let uuid = try id.uuid(or: "服务记录不存在")
        guard let r = try await ServiceRecordModel.find(uuid, on: ctx.db) else { throw AppError.notFound("服务记录不存在") }
        if r.memberID == ctx.user.memberID { return r }
        try await ctx.require(.readRecords, at: r.orgPath, entity: "service", id: r.idString, label: r.memberName)
        return r
    }

    /// Hours as typed ("2", "1.5", "0.5"); whole minutes, at least one. Anything beyond a
    /// day is refused before it is converted (a huge number must not overflow an Int).
    static func minutes(_ text: String) -> Int? {
        guard let h = Double(text.trimmingSpaces), h.isFinite, h > 0, h <= 24 else { return nil }
        let m = Int((h * 60).rounded())
        return m >= 1 ? m : nil
    }

    static func record(memberRef: String, communityRef: String, date: String, hours: String, activity: String, ctx: Ctx) async throws -> ServiceRecordModel {
        var e = FieldErrors()
        let own = memberRef.trimmingSpaces.isEmpty || memberRef.lowercased() == ctx.user.memberID?.uuidString.lowercased()
        var member: MemberModel?
        if own {
            guard let mid = ctx.user.memberID else { throw AppError.validation(FieldErrors("member", "请选择党员")) }
            member = try await MemberModel.find(mid, on: ctx.db)
        } else {
            member = try await MemberService.find(memberRef, ctx: ctx, for: .writeRecords)
        }
        guard let member else { throw AppError.notFound("党员不存在") }
        var community: CommunityModel?
        if let u = UUID(uuidString: communityRef.trimmingSpaces) { community = try await CommunityModel.find(u, on: ctx.db) }
        if community == nil { e.add("community", "请选择服务的社区") }
        let day = Check.date(date, "date", "服务日期", required: true, notAfter: ctx.today, into: &e)
        let mins = minutes(hours)
        if mins == nil { e.add("hours", "服务时长应为0到24之间的小时数（至少1分钟），如 2 或 1.5") }
        let what = Check.required(activity, "activity", "服务内容", max: 200, into: &e)
        guard e.isEmpty, let community, let day, let mins, let what else { throw AppError.validation(e) }
        let officer = ctx.scope.allows(.writeRecords, at: member.orgPath)
        let r = ServiceRecordModel()
        r.id = UUID(); r.memberID = member.id!; r.memberName = member.name; r.orgPath = member.orgPath; r.communityID = community.id!
        r.date = day.iso; r.minutes = mins; r.activity = what; r.recordedBy = ctx.actor.name; r.createdAt = ctx.now
        r.status = (officer ? ServiceRecordModel.Status.confirmed : .pending).rawValue
        r.confirmedBy = officer ? ctx.actor.name : nil
        // a pending record can be confirmed by the community contact through a one-time link
        r.confirmToken = officer ? nil : DemandService.newCode() + DemandService.newCode()
        let settings = try await RecordSettings.load(on: ctx.db)
        try await ctx.db.transaction { db in
            try await r.create(on: db)
            if officer { try await awardPoints(r, member: member, settings: settings, ctx: ctx, on: db) }
            try await ctx.audit(on: db, "create", "service", id: r.idString, label: "\(member.name) \(day.iso) \(ServiceCheck.hours(mins))", orgID: member.$org.id, orgPath: member.orgPath,
                                after: ["community": community.name, "date": day.iso, "minutes": String(mins), "activity": what, "status": r.statusValue.label])
        }
        return r
    }

    static func awardPoints(_ r: ServiceRecordModel, member: MemberModel, settings: RecordSettings, ctx: Ctx, on db: any Database) async throws {
        guard let rule = settings.pointRule(source: .service) else { return }
        let day = Day(iso: r.date)!
        try await PointsService.replaceAutomatic(source: .service, sourceID: r.idString, day: day, members: [member],
                                                 reason: "社区服务\(ServiceCheck.hours(r.minutes))：\(r.activity)",
                                                 points: { _ in Points.forService(minutes: r.minutes, rule: rule) }, settings: settings, ctx: ctx, on: db)
    }

    /// The record behind a community contact's link, while it still waits.
    static func byToken(_ token: String, on db: any Database) async throws -> ServiceRecordModel {
        let t = token.trimmingSpaces.uppercased()
        guard t.count == 20, let r = try await ServiceRecordModel.query(on: db).filter(\.$confirmToken == t).first() else {
            throw AppError.notFound("确认链接无效或已使用")
        }
        return r
    }

    /// `contact`: the community contact deciding through the link (no login), else an officer.
    static func decide(_ r: ServiceRecordModel, confirm: Bool, ctx: Ctx, contact: String? = nil) async throws -> ServiceRecordModel {
        if contact == nil { try await ctx.require(.writeRecords, at: r.orgPath, entity: "service", id: r.idString, label: r.memberName) }
        // four eyes: nobody confirms their own hours, by login or through the link
        if let own = ctx.user.memberID, own == r.memberID {
            throw await ctx.deny("不能确认本人的服务时长", entity: "service", id: r.idString, label: r.memberName, orgPath: r.orgPath)
        }
        guard r.statusValue == .pending else { throw AppError.conflict("该服务记录已\(r.statusValue.label)") }
        guard let member = try await MemberModel.find(r.memberID, on: ctx.db) else { throw AppError.notFound("党员不存在") }
        let settings = try await RecordSettings.load(on: ctx.db)
        try await ctx.db.transaction { db in
            let to = (confirm ? ServiceRecordModel.Status.confirmed : .rejected).rawValue
            guard try await db.claimStatus("service_records", id: r.id!, from: ServiceRecordModel.Status.pending.rawValue, to: to),
                  let fresh = try await ServiceRecordModel.find(r.id!, on: db) else { throw AppError.conflict("该服务记录已由他人确认") }
            fresh.status = to
            fresh.confirmedBy = contact.map { "社区确认：\($0)" } ?? ctx.actor.name
            fresh.confirmToken = nil
            try await fresh.save(on: db)
            if confirm { try await awardPoints(fresh, member: member, settings: settings, ctx: ctx, on: db) }
            try await ctx.audit(on: db, confirm ? "confirm" : "reject", "service", id: r.idString, label: "\(r.memberName) \(r.date)", orgID: member.$org.id, orgPath: r.orgPath,
                                before: ["status": "待确认"], after: ["status": fresh.statusValue.label], note: contact.map { "社区联系人确认：\($0)" })
        }
        r.status = (confirm ? ServiceRecordModel.Status.confirmed : .rejected).rawValue
        r.confirmedBy = contact.map { "社区确认：\($0)" } ?? ctx.actor.name
        r.confirmToken = nil
        return r
    }

    struct Filter: Sendable { var orgID: UUID?; var memberID: UUID?; var status: ServiceRecordModel.Status?; var year: Int }

    static func list(ctx: Ctx, filter: Filter, paging: Paging) async throws -> ([ServiceRecordModel], Int) {
        let q = ServiceRecordModel.query(on: ctx.db).filter(\.$date >= "\(filter.year)-01-01").filter(\.$date <= "\(filter.year)-12-31")
        guard q.ownOrInScope(ctx: ctx, member: filter.memberID, memberField: \.$memberID, path: \.$orgPath) else { return ([], 0) }
        if let o = filter.orgID, let org = try await OrgModel.find(o, on: ctx.db) { q.filter(\.$orgPath, .custom("LIKE"), org.path + "%") }
        if let s = filter.status { q.filter(\.$status == s.rawValue) }
        let total = try await q.count()
        return (try await q.sort(\.$date, .descending).sort(\.$createdAt, .descending).range(paging.range).all(), total)
    }

    struct MemberYear: Sendable { var member: MemberModel; var months: [ServiceCheck.Month] }

    /// R-20 monthly check for one branch: every member × month, confirmed minutes against
    /// what they owe (nothing when retired; prorated in the month they joined the branch).
    static func check(branch: OrgModel, year: Int, ctx: Ctx) async throws -> [MemberYear] {
        try await ctx.require(.readRecords, at: branch.path, entity: "service", id: branch.idString, label: branch.name)
        let settings = try await RecordSettings.load(on: ctx.db)
        let members = try await MemberModel.query(on: ctx.db).filter(\.$orgPath, .custom("LIKE"), branch.path + "%")
            .filter(\.$status ~~ PoliticalStatus.partyMemberValues).sort(\.$name).all()
        let ids = members.compactMap(\.id)
        if ids.isEmpty { return [] }
        let recs = try await ServiceRecordModel.query(on: ctx.db).filter(\.$memberID ~~ ids).filter(\.$status == ServiceRecordModel.Status.confirmed.rawValue)
            .filter(\.$date >= "\(year)-01-01").filter(\.$date <= "\(year)-12-31").all()
        let transfers = try await MemberTransferModel.query(on: ctx.db).filter(\.$member.$id ~~ ids).all()
        var minutes: [UUID: [Int: Int]] = [:]
        for r in recs { if let d = Day(iso: r.date) { minutes[r.memberID, default: [:]][d.month, default: 0] += r.minutes } }
        return members.map { m in
            // serving since the later of joining the Party and the latest transfer into this branch
            let moved = transfers.filter { $0.$member.id == m.id && $0.toOrgID == m.$org.id }.compactMap { Day(iso: $0.date) }.max()
            let joined = m.joinDate.flatMap(Day.init(iso:))
            let since = [moved, joined].compactMap { $0 }.max()
            let months = (1...12).map { mo in
                ServiceCheck.month(year: year, month: mo, minutes: minutes[m.id!]?[mo] ?? 0, servingSince: since, retired: m.retired,
                                   settings: settings.service, today: ctx.today)
            }
            return MemberYear(member: m, months: months)
        }
    }
}
