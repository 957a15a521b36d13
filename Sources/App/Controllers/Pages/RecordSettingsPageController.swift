import Vapor
import Fluent
import Domain

/// 频次规则与设置: the committee's settings of everyday records, one form (R-17…R-21).
struct RecordSettingsPageController {
    struct RuleRow: Encodable { var i: Int; var key: String; var label: String; var summary: String; var minCount: String; var enabled: Bool; var orgTypes: String; var types: String; var error: String? }
    struct PointRow: Encodable { var i: Int; var item: String; var points: String; var source: String; var awardedBy: String; var needsApproval: Bool; var enabled: Bool; var error: String? }
    struct Page: Encodable {
        var meta: PageMeta
        var form: FormState
        var rules: [RuleRow]
        var points: [PointRow]
        var canEdit: Bool
        var presets: [String]
        var custom: [SelectOption]
    }

    func show(_ req: Request) async throws -> View {
        try await req.require(.readRecords, entity: "settings")
        let s = try await RecordSettings.load(on: req.db)
        return try await render(req, settings: s, values: Self.values(s), errors: FieldErrors())
    }

    static func values(_ s: RecordSettings) -> [String: String] {
        var v: [String: String] = ["orgLifeSince": s.orgLifeSince ?? "", "monthlyHours": String(format: "%g", Double(s.service.monthlyMinutes) / 60),
                                   "prorate": s.service.prorateFirstMonth ? "1" : "", "yearlyDeeds": String(s.service.yearlyDeeds),
                                   "dispatch": String(s.demandLimits.dispatch), "accept": String(s.demandLimits.accept),
                                   "claim": String(s.demandLimits.claim), "finish": String(s.demandLimits.finish)]
        for (i, r) in s.orgLifeRules.enumerated() { v["rules.\(i).minCount"] = String(r.minCount); v["rules.\(i).enabled"] = r.enabled ? "1" : "" }
        for (i, r) in s.pointRules.enumerated() { v["pointRules.\(i).points"] = String(r.points); v["pointRules.\(i).enabled"] = r.enabled ? "1" : "" }
        return v
    }

    func render(_ req: Request, settings s: RecordSettings, values: [String: String], errors: FieldErrors) async throws -> View {
        let ctx = try req.ctx()
        return try await req.view.render("settings/records", Page(
            meta: await PageMeta.make(req, title: "组织生活、任务与服务设置", crumbs: [("组织生活", "/meetings"), ("设置", nil)]),
            form: FormState(values: values, errors: errors, keys: Array(values.keys)),
            rules: s.orgLifeRules.enumerated().map { i, r in
                RuleRow(i: i, key: r.key, label: r.label, summary: r.summary, minCount: values["rules.\(i).minCount"] ?? String(r.minCount),
                        enabled: (values["rules.\(i).enabled"] ?? "") != "", orgTypes: r.orgTypes.map(\.label).joined(separator: "、"),
                        types: r.types.map(\.label).joined(separator: "、") + "，" + r.period.label + (r.period == .months ? r.months.map { "\($0)月" }.joined(separator: "、") : ""),
                        error: errors["rules.\(i).minCount"] ?? errors["rules.\(i).label"] ?? errors["rules.\(i).months"])
            },
            points: s.pointRules.enumerated().map { i, r in
                PointRow(i: i, item: r.item, points: values["pointRules.\(i).points"] ?? String(r.points), source: r.source.label,
                         awardedBy: r.source == .manual ? r.awardedBy.label + "及以上" : "系统自动", needsApproval: r.needsApproval, enabled: (values["pointRules.\(i).enabled"] ?? "") != "",
                         error: errors["pointRules.\(i).points"])
            },
            canEdit: ctx.scope.allows(.manageRecordSettings),
            presets: s.allPresets.map { p in p.name + "：" + p.stages.map { $0.unit == .none ? $0.label : "\($0.label)（\($0.amount)\($0.unit.label)，\($0.applies.label)）" }.joined(separator: "；") },
            custom: s.presets.map { SelectOption(value: $0.key, label: $0.name, selected: false) }))
    }

    /// A custom preset from the form: a name and one stage per line,
    /// "环节名称，时限，单位（工作日/月/不限），适用（全部/一般/重大），完成方式（决策/反馈/办结/销号）".
    static func parsePreset(name: String, lines: String, key: String) -> (TaskPreset, FieldErrors) {
        var e = FieldErrors()
        var stages: [StageSpec] = []
        let units: [String: StageSpec.Unit] = ["工作日": .workingDays, "月": .months, "个月": .months, "不限": .none, "不限期": .none]
        let applies: [String: StageSpec.Applies] = ["全部": .all, "一般": .ordinary, "一般事项": .ordinary, "重大": .major, "重大事项": .major]
        let ways: [String: [TaskEventKind]] = ["决策": [.decision, .feedback, .plan, .done], "反馈": [.feedback, .plan, .done], "办结": [.done], "销号": [.close]]
        for (i, raw) in lines.split(whereSeparator: \.isNewline).map({ $0.trimmingSpaces }).filter({ !$0.isEmpty }).enumerated() {
            let parts = raw.split(whereSeparator: { $0 == "，" || $0 == "," }).map { String($0).trimmingSpaces }
            guard parts.count == 5, let unit = units[parts[2]], let ap = applies[parts[3]], let way = ways[parts[4]] else {
                e.add("presetStages", "第\(i + 1)行应为“环节名称，时限，单位（工作日/月/不限），适用（全部/一般/重大），完成方式（决策/反馈/办结/销号）”"); continue
            }
            stages.append(StageSpec(key: "s\(i + 1)", label: parts[0], amount: Int(parts[1]) ?? (unit == .none ? 0 : -1), unit: unit, satisfiedBy: way, applies: ap))
        }
        let p = TaskPreset(key: key, name: name.trimmingSpaces, stages: stages)
        for (k, m) in p.validate().messages { e.add(k == "name" ? "presetName" : "presetStages", m) }
        return (p, e)
    }

    func save(_ req: Request) async throws -> Response {
        let ctx = try req.ctx()
        guard ctx.scope.allows(.manageRecordSettings) else { throw await ctx.deny("无权修改：频次规则、时限与积分规则由工委维护", entity: "settings") }
        let f = try req.formFields()
        var s = try await RecordSettings.load(on: req.db)
        var e = FieldErrors()
        func int(_ k: String, _ label: String) -> Int? {
            guard let v = Int((f[k] ?? "").trimmingSpaces) else { e.add(k, "\(label)应为整数"); return nil }
            return v
        }
        for i in s.orgLifeRules.indices {
            if let n = int("rules.\(i).minCount", "次数") { s.orgLifeRules[i].minCount = n }
            s.orgLifeRules[i].enabled = Check.bool(f["rules.\(i).enabled"])
        }
        for i in s.pointRules.indices {
            if let n = int("pointRules.\(i).points", "分值") { s.pointRules[i].points = n }
            s.pointRules[i].enabled = Check.bool(f["pointRules.\(i).enabled"])
        }
        let since = (f["orgLifeSince"] ?? "").trimmingSpaces
        s.orgLifeSince = since.isEmpty ? nil : since
        if let h = Double((f["monthlyHours"] ?? "").trimmingSpaces), h.isFinite, (0...24).contains(h) { s.service.monthlyMinutes = Int((h * 60).rounded()) }
        else { e.add("monthlyHours", "每月服务时长应为0到24之间的小时数") }
        s.service.prorateFirstMonth = Check.bool(f["prorate"])
        if let n = int("yearlyDeeds", "为民办实事目标") { s.service.yearlyDeeds = n }
        if let n = int("dispatch", "派单时限") { s.demandLimits.dispatch = n }
        if let n = int("accept", "接单时限") { s.demandLimits.accept = n }
        if let n = int("claim", "领单时限") { s.demandLimits.claim = n }
        if let n = int("finish", "办结时限") { s.demandLimits.finish = n }
        for p in s.presets where Check.bool(f["removePreset.\(p.key)"]) {
            // tasks keep their time limits: a preset in use stays
            let used = try await TaskModel.query(on: req.db).filter(\.$preset == p.key).count()
            if used > 0 { e.add("presetName", "“\(p.name)”已用于\(used)项任务，不能删除") } else { s.presets.removeAll { $0.key == p.key } }
        }
        let presetName = (f["presetName"] ?? "").trimmingSpaces, presetStages = (f["presetStages"] ?? "").trimmingSpaces
        if !presetName.isEmpty || !presetStages.isEmpty {
            let (p, pe) = Self.parsePreset(name: presetName, lines: presetStages, key: "custom-\(UUID().uuidString.prefix(8).lowercased())")
            if s.allPresets.contains(where: { $0.name == p.name }) { e.add("presetName", "已有同名的时限规则") }
            e.merge(pe)
            if pe.isEmpty { s.presets.append(p) }
        }
        do {
            guard e.isEmpty else { throw AppError.validation(e) }
            try await RecordSettings.save(s, ctx: ctx)
            req.flash("设置已保存；组织生活达标情况按新规则重新计算")
            return req.redirect(to: "/settings/records")
        } catch AppError.validation(let fe) {
            // the domain names service/demand fields by their section; map them to this form's names
            var mapped = FieldErrors()
            let names = ["service.monthlyMinutes": "monthlyHours", "service.yearlyDeeds": "yearlyDeeds", "demandLimits.dispatch": "dispatch",
                         "demandLimits.accept": "accept", "demandLimits.claim": "claim", "demandLimits.finish": "finish"]
            for k in fe.order {
                let key = names[k] ?? (k.hasPrefix("pointRules.") && k.hasSuffix("points") ? k : k)
                mapped.add(key, fe[k]!)
            }
            return try await render(req, settings: try await RecordSettings.load(on: req.db), values: f, errors: mapped).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}
