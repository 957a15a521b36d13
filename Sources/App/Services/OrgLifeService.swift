import Vapor
import Fluent
import SQLKit
import Domain

/// Organizational life (DOMAIN §5, R-18): meeting records with attendance, the compliance
/// calendar computed by `OrgLifeCompliance`, and the figure the five-star rating reads.
enum OrgLifeService {
    struct Input: Sendable {
        var orgRef: String
        var date: String
        var types: [String]
        var topic: String
        var place: String
        var host: String
        var minutes: String
        var attendees: [String]
        /// member id → reason, for members of the org who did not attend.
        var reasons: [String: String]
    }

    static let maxMinutes = 20000

    static func find(_ id: String, ctx: Ctx, for action: Action = .readRecords) async throws -> MeetingModel {
        let uuid = try id.uuid(or: "会议记录不存在")
        guard let m = try await MeetingModel.find(uuid, on: ctx.db) else { throw AppError.notFound("会议记录不存在") }
        try await ctx.require(action, at: m.orgPath, entity: "meeting", id: m.idString, label: m.topic)
        return m
    }

    /// Members who belong at the org's meetings: a group's own members, else everyone
    /// (正式、预备党员) in the org's subtree.
    static func eligible(_ org: OrgModel, on db: any Database) async throws -> [MemberModel] {
        let q = MemberModel.query(on: db).filter(\.$status ~~ PoliticalStatus.partyMemberValues)
        if org.orgType == .group { q.filter(\.$group.$id == org.id!) }
        else { q.filter(\.$orgPath, .custom("LIKE"), org.path + "%") }
        return try await q.sort(\.$name).all()
    }

    static func list(org: OrgModel?, year: Int?, ctx: Ctx, paging: Paging) async throws -> ([MeetingModel], Int) {
        let q = MeetingModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readRecords), path: \.$orgPath)
        if let o = org { q.filter(\.$orgID == o.id!) }
        if let y = year { q.filter(\.$date >= "\(y)-01-01").filter(\.$date <= "\(y)-12-31") }
        let total = try await q.count()
        let rows = try await q.sort(\.$date, .descending).sort(\.$createdAt, .descending).range(paging.range).all()
        return (rows, total)
    }

    /// Validates a record against the org's members; throws 422 naming each field.
    static func validate(_ input: Input, org: OrgModel, members: [MemberModel], today: Day) throws -> (Day, [MeetingType], String, [MeetingModel.Absentee]) {
        var e = FieldErrors()
        let day = Check.date(input.date, "date", "会议日期", required: true, notAfter: today, into: &e)
        var types: [MeetingType] = []
        for t in input.types where !t.trimmingSpaces.isEmpty {
            if let v = MeetingType(label: t) { if !types.contains(v) { types.append(v) } } else { e.add("types", "未知的会议类型“\(t)”") }
        }
        if types.isEmpty && e["types"] == nil { e.add("types", "请至少选择一种会议类型") }
        let topic = Check.required(input.topic, "topic", "会议主题", max: 200, into: &e) ?? ""
        _ = Check.optional(input.place, "place", "地点", max: 100, into: &e)
        _ = Check.optional(input.host, "host", "主持人", max: 50, into: &e)
        if input.minutes.unicodeScalars.count > maxMinutes { e.add("minutes", "会议记录不能超过\(maxMinutes)个字") }
        let byID = Dictionary(uniqueKeysWithValues: members.map { ($0.id!.uuidString.lowercased(), $0) })
        let present = Set(input.attendees.map { $0.lowercased() })
        for a in present where byID[a] == nil { e.add("attendees", "参会人员须为本组织的党员"); break }
        if present.isEmpty { e.add("attendees", "请勾选参会人员") }
        var absentees: [MeetingModel.Absentee] = []
        // only a meeting for all members has absentees (a 支委会 does not make everyone else absent)
        let allMembers = types.isEmpty || types.contains { $0.forAllMembers }   // no type yet: ask for every reason at once
        for m in members where allMembers && !present.contains(m.id!.uuidString.lowercased()) {
            let id = m.id!.uuidString.lowercased()
            let r = (input.reasons[id] ?? "").trimmingSpaces
            if r.isEmpty { e.add("reason.\(id)", "请填写\(m.name)的缺席原因") }
            else if r.unicodeScalars.count > 100 { e.add("reason.\(id)", "缺席原因不能超过100个字") }
            absentees.append(.init(memberId: id, name: m.name, reason: r))
        }
        guard e.isEmpty, let d = day else { throw AppError.validation(e) }
        return (d, types, topic, absentees)
    }

    static func create(_ input: Input, ctx: Ctx) async throws -> MeetingModel {
        let org = try await OrgService.find(input.orgRef, ctx: ctx, for: .writeRecords)
        let m = MeetingModel()
        m.id = UUID(); m.createdBy = ctx.actor.name; m.createdAt = ctx.now
        try await save(m, input, org: org, ctx: ctx, action: "create")
        return m
    }

    static func update(_ m: MeetingModel, _ input: Input, ctx: Ctx) async throws -> MeetingModel {
        guard let org = try await OrgModel.find(m.orgID, on: ctx.db) else { throw AppError.notFound("组织不存在") }
        try await save(m, input, org: org, ctx: ctx, action: "update")
        return m
    }

    private static func save(_ m: MeetingModel, _ input: Input, org: OrgModel, ctx: Ctx, action: String) async throws {
        guard org.orgStatus == .active else { throw AppError.conflict("该组织已撤销，不能再记录组织生活") }
        let members = try await eligible(org, on: ctx.db)
        let (day, types, topic, absentees) = try validate(input, org: org, members: members, today: ctx.today)
        let before = action == "update" ? snapshot(m) : nil
        let oldYear = action == "update" ? Day(iso: m.date)?.year : nil
        m.orgID = org.id!; m.orgPath = org.path; m.orgName = org.name
        m.date = day.iso; m.types = types.map(\.rawValue).joined(separator: ","); m.topic = topic
        m.place = input.place.trimmingSpaces.nilIfEmpty; m.host = input.host.trimmingSpaces.nilIfEmpty
        m.minutes = input.minutes.trimmingSpaces.nilIfEmpty
        let present = members.filter { input.attendees.map { $0.lowercased() }.contains($0.id!.uuidString.lowercased()) }
        m.attendees = JSON.encode(present.map { $0.id!.uuidString.lowercased() })
        m.absentees = JSON.encode(absentees); m.attendeeCount = present.count; m.updatedAt = ctx.now
        let settings = try await RecordSettings.load(on: ctx.db)
        let snap = snapshot(m)
        try await ctx.db.transaction { db in
            try await m.save(on: db)
            try await MeetingTallies.refresh(orgID: org.id!, years: Set([day.year] + (oldYear.map { [$0] } ?? [])), on: db)
            // attendance points follow the record (re-made when it changes)
            try await PointsService.replaceAutomatic(source: .attendance, sourceID: m.idString, day: day,
                                                     members: present, reason: "参加\(types.map(\.label).joined(separator: "、"))：\(topic)",
                                                     settings: settings, ctx: ctx, on: db)
            try await ctx.audit(on: db, action, "meeting", id: m.idString, label: "\(org.name) \(day.iso) \(topic)", orgID: org.id, orgPath: org.path,
                                before: before, after: snap)
        }
    }

    static func delete(_ m: MeetingModel, ctx: Ctx) async throws {
        let snap = snapshot(m)
        try await ctx.db.transaction { db in
            try await PointsService.removeAutomatic(source: .attendance, sourceID: m.idString, on: db)
            try await AttachmentModel.query(on: db).filter(\.$ownerType == "meeting").filter(\.$ownerID == m.id!).delete()
            try await m.delete(on: db)
            if let y = Day(iso: m.date)?.year { try await MeetingTallies.refresh(orgID: m.orgID, years: [y], on: db) }
            try await ctx.audit(on: db, "delete", "meeting", id: m.idString, label: "\(m.orgName) \(m.date) \(m.topic)", orgID: m.orgID, orgPath: m.orgPath, before: snap)
        }
    }

    static func snapshot(_ m: MeetingModel) -> [String: String] {
        ["date": m.date, "types": m.typeSet.map(\.label).joined(separator: "、"), "topic": m.topic, "place": m.place ?? "",
         "host": m.host ?? "", "attendees": String(m.attendeeCount), "absentees": m.absenteeList.map { "\($0.name)（\($0.reason)）" }.joined(separator: "、")]
    }

    // MARK: compliance

    /// Every org's meetings between two days in one read (what the tallies are rebuilt from).
    static func records(from: Day, to: Day, on db: any Database) async throws -> [UUID: [OrgLifeCompliance.Record]] {
        // plain rows: a province's year is 230,000 meetings
        let rows = try await db.sql.select().column("org_id").column("date").column("types").from(MeetingModel.schema)
            .where("date", .greaterThanOrEqual, from.iso).where("date", .lessThanOrEqual, to.iso).plainRows()
        var out: [UUID: [OrgLifeCompliance.Record]] = [:]
        var typeCache: [String: Set<MeetingType>] = [:]
        for r in rows {
            guard let org = r.uuid("org_id"), let date = r.string("date"), let day = Day(iso: date) else { continue }
            let raw = r.string("types") ?? ""
            let types: Set<MeetingType>
            if let t = typeCache[raw] { types = t } else {
                types = Set(raw.split(separator: ",").compactMap { MeetingType(rawValue: String($0)) })
                typeCache[raw] = types
            }
            out[org, default: []].append(.init(day: day, types: types))
        }
        return out
    }

    static func calendar(_ org: OrgModel, year: Int, settings: RecordSettings, today: Day, on db: any Database) async throws -> [OrgLifeCompliance.Month] {
        let tally = try await MeetingTallies.ofYear(year, orgIDs: [org.id!], on: db)[org.id!] ?? .init()
        return calendar(org, tally: tally, year: year, settings: settings, today: today)
    }

    static func calendar(_ org: OrgModel, tally: OrgLifeCompliance.Tally, year: Int, settings: RecordSettings, today: Day) -> [OrgLifeCompliance.Month] {
        OrgLifeCompliance.calendar(orgType: org.orgType, year: year, tally: tally, rules: settings.orgLifeRules, today: today,
                                   since: settings.since, founded: org.foundedOn.flatMap(Day.init(iso:)))
    }

    /// R-18 over a scope: the active orgs the user may read that owe organizational life under
    /// the enabled rules (optionally under one org, optionally one page), with their calendars.
    /// The overview's heat map, the export and the dashboard all read it.
    static func scopeCalendars(ctx: Ctx, year: Int, settings: RecordSettings, under org: OrgModel? = nil, paging: Paging? = nil)
        async throws -> (rows: [(org: OrgModel, months: [OrgLifeCompliance.Month])], total: Int) {
        let ruled = Set(settings.orgLifeRules.filter(\.enabled).flatMap(\.orgTypes).map(\.rawValue))
        let q = OrgModel.query(on: ctx.db).inScope(ctx.scope.roots(for: .readRecords), path: \.$path)
            .filter(\.$status == Domain.OrgStatus.active.rawValue).filter(\.$type ~~ Array(ruled))
        if let o = org { q.filter(\.$path, .custom("LIKE"), o.path + "%") }
        let total = try await q.count()
        q.sort(\.$path)
        if let p = paging { q.range(p.range) }
        let orgs = try await q.all()
        let tallies = try await MeetingTallies.ofYear(year, orgIDs: orgs.compactMap(\.id), on: ctx.db)
        return (orgs.map { o in (o, calendar(o, tally: tallies[o.id!] ?? .init(), year: year, settings: settings, today: ctx.today)) }, total)
    }

    /// R-18 for one month over the scope: how many of the orgs that owe organizational life missed
    /// it (the dashboard's card). The orgs are read as plain rows with the year's tallies; each org's
    /// month is worked out and dropped (the whole year's calendars of a
    /// committee's 20,000 orgs had been the dashboard's largest allocation).
    static func missingCount(ctx: Ctx, year: Int, month: Int, settings: RecordSettings) async throws -> Int {
        let ruled = Set(settings.orgLifeRules.filter(\.enabled).flatMap(\.orgTypes).map(\.rawValue))
        let orgs = try await OrgNode.all(under: ctx.scope.roots(for: .readRecords), includeClosed: false, on: ctx.db).filter { ruled.contains($0.type) }
        let tallies = try await MeetingTallies.ofYear(year, orgIDs: orgs.map(\.id), on: ctx.db)
        var ruleSets: [OrgType: OrgLifeCompliance.RuleSet] = [:]
        for t in OrgType.allCases { ruleSets[t] = .init(rules: settings.orgLifeRules, orgType: t) }
        return orgs.reduce(0) { n, o in
            guard let type = OrgType(rawValue: o.type), let rules = ruleSets[type] else { return n }
            let m = OrgLifeCompliance.month(month, year: year, tally: tallies[o.id] ?? .init(), rules: rules,
                                            today: ctx.today, since: settings.since, founded: o.foundedOn.flatMap(Day.init(iso:)))
            return m.status == .missing ? n + 1 : n
        }
    }

    /// What the five-star rating reads (DOMAIN §5): the share of compliant months, or nil
    /// when records are not yet kept on the platform (no go-live date set).
    static func ratingShare(_ branch: OrgModel, year: Int, today: Day, on db: any Database) async throws -> Double? {
        let settings = try await RecordSettings.load(on: db)
        guard settings.since != nil else { return nil }
        return OrgLifeCompliance.share(try await calendar(branch, year: year, settings: settings, today: today, on: db))
    }
}

extension UUID {
    /// A UUID stored as 16 bytes.
    init?(bytes buf: ByteBuffer) {
        guard buf.readableBytes == 16, let b = buf.getBytes(at: buf.readerIndex, length: 16) else { return nil }
        self.init(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}
