import Vapor
import Fluent
import Domain

/// The settings of everyday records (DOMAIN §4–§6), one JSON value: frequency rules,
/// the month records began on the platform, service, demand limits, task
/// presets and point rules. Missing keys take their defaults.
struct RecordSettings: Codable, Sendable, Equatable {
    var orgLifeRules: [FrequencyRule] = FrequencyRule.defaults
    /// First day whose month counts for compliance (the platform's go-live); nil means the
    /// five-star rating still asks for evidence instead of computing the criterion.
    var orgLifeSince: String?
    var service: ServiceSettings = .defaults
    var demandLimits: DemandLimits = .defaults
    /// Custom presets; 13710 is always offered first.
    var presets: [TaskPreset] = []
    var pointRules: [PointRule] = PointRule.defaults

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RecordSettings()
        // a missing section takes its default; a malformed one is an error (400), never silently replaced
        orgLifeRules = try c.decodeIfPresent([FrequencyRule].self, forKey: .orgLifeRules) ?? d.orgLifeRules
        orgLifeSince = try c.decodeIfPresent(String.self, forKey: .orgLifeSince)
        service = try c.decodeIfPresent(ServiceSettings.self, forKey: .service) ?? d.service
        demandLimits = try c.decodeIfPresent(DemandLimits.self, forKey: .demandLimits) ?? d.demandLimits
        presets = try c.decodeIfPresent([TaskPreset].self, forKey: .presets) ?? d.presets
        pointRules = try c.decodeIfPresent([PointRule].self, forKey: .pointRules) ?? d.pointRules
    }

    var since: Day? { orgLifeSince.flatMap(Day.init(iso:)) }
    var allPresets: [TaskPreset] { [.p13710] + presets }
    func preset(_ key: String) -> TaskPreset? { allPresets.first { $0.key == key } }
    func pointRule(source: PointSource) -> PointRule? { pointRules.first { $0.source == source && $0.enabled } }

    static let key = "records"

    static func load(on db: any Database) async throws -> RecordSettings {
        // stored values were validated when saved; an unreadable row (e.g. from a newer version) falls back to defaults
        guard let row = try await SettingModel.find(key, on: db) else { return RecordSettings() }
        return JSON.decode(RecordSettings.self, row.value) ?? RecordSettings()
    }

    func validate() -> FieldErrors {
        var e = FieldErrors()
        for (i, r) in orgLifeRules.enumerated() { e.merge(r.validate(prefix: "rules.\(i)")) }
        if let s = orgLifeSince, !s.isEmpty, Day(iso: s) == nil { e.add("orgLifeSince", "日期应为 YYYY-MM-DD") }
        if service.monthlyMinutes < 0 || service.monthlyMinutes > 24 * 60 { e.add("service.monthlyMinutes", "每月服务时长应在0到24小时之间") }
        if service.yearlyDeeds < 0 || service.yearlyDeeds > 1000 { e.add("service.yearlyDeeds", "为民办实事目标应在0到1000件之间") }
        for (k, m) in demandLimits.validate().messages { e.add("demandLimits.\(k)", m) }
        for (i, p) in presets.enumerated() { for (k, m) in p.validate().messages { e.add("presets.\(i).\(k)", m) } }
        for (i, r) in pointRules.enumerated() { e.merge(r.validate(prefix: "pointRules.\(i).")) }
        return e
    }

    /// Saves after the domain's checks, with the audit entry.
    static func save(_ new: RecordSettings, ctx: Ctx) async throws {
        guard ctx.scope.allows(.manageRecordSettings) else {
            throw await ctx.deny("无权修改：频次规则、时限与积分规则由工委维护", entity: "settings")
        }
        let e = new.validate()
        guard e.isEmpty else { throw AppError.validation(e) }
        try await SettingModel.store(key, label: "组织生活、任务与服务设置", before: try await load(on: ctx.db), after: new, ctx: ctx)
    }
}

extension SettingModel {
    /// Writes one settings value (JSON) with its audit entry, in one transaction.
    static func store<T: Encodable & Sendable>(_ key: String, label: String, before: T, after: T, ctx: Ctx) async throws {
        try await ctx.db.transaction { db in
            let row = try await SettingModel.find(key, on: db) ?? SettingModel()
            row.id = key; row.value = JSON.encode(after); row.updatedBy = ctx.actor.name; row.updatedAt = ctx.now
            try await row.save(on: db)
            try await ctx.audit(on: db, "settings", "settings", id: key, label: label, orgID: nil, orgPath: nil, before: before, after: after)
        }
    }
}
extension RecordSettings: Content {}
