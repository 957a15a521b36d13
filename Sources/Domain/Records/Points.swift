/// R-19 (seed 000 §12.4.1.3): members' points. Rules are settings; a member's balance is
/// the sum of their approved entries, each with its reason and source.
public enum PointSource: String, Sendable, CaseIterable, Codable {
    case attendance   // 参加组织生活（自动）
    case service      // 社区服务（自动，按小时）
    case manual       // 手工加减分（奖励、违纪等）

    public var label: String {
        switch self { case .attendance: return "参加组织生活"; case .service: return "社区服务"; case .manual: return "手工记分" }
    }
}

public struct PointRule: Sendable, Codable, Equatable {
    public var key: String
    public var item: String
    /// Points per occurrence; for `.service`, per full hour. Negative for deductions.
    public var points: Int
    public var source: PointSource
    /// The least role that may award it by hand.
    public var awardedBy: Role
    public var needsApproval: Bool
    public var enabled: Bool

    public init(key: String, item: String, points: Int, source: PointSource, awardedBy: Role = .branchSecretary, needsApproval: Bool = false, enabled: Bool = true) {
        self.key = key; self.item = item; self.points = points; self.source = source
        self.awardedBy = awardedBy; self.needsApproval = needsApproval; self.enabled = enabled
    }

    public static let defaults: [PointRule] = [
        PointRule(key: "attend", item: "参加组织生活", points: 2, source: .attendance),
        PointRule(key: "service", item: "社区服务（每小时）", points: 1, source: .service),
        PointRule(key: "award", item: "受到表彰奖励", points: 10, source: .manual, awardedBy: .branchSecretary, needsApproval: true),
        PointRule(key: "volunteer", item: "志愿服务、结对帮扶", points: 3, source: .manual),
        PointRule(key: "absent", item: "无故缺席组织生活", points: -5, source: .manual),
        PointRule(key: "violation", item: "违反纪律受到处理", points: -20, source: .manual, awardedBy: .unitOfficer, needsApproval: true),
    ]

    public func validate(prefix p: String = "") -> FieldErrors {
        var e = FieldErrors()
        if item.trimmingSpaces.isEmpty { e.add(p + "item", "请填写积分项目") }
        if points == 0 || abs(points) > 1000 { e.add(p + "points", "分值应为-1000到1000之间的非零整数") }
        return e
    }
}

public enum PointStatus: String, Sendable, CaseIterable, Codable {
    case approved, pending, rejected
    public var label: String {
        switch self { case .approved: return "已生效"; case .pending: return "待审核"; case .rejected: return "未通过" }
    }
}

public enum Points {
    /// Points for a service record of `minutes`: per full hour.
    public static func forService(minutes: Int, rule: PointRule) -> Int { (minutes / 60) * rule.points }

    /// Who may award an entry by hand under `rule`, and in what status it starts.
    public static func manualEntry(rule: PointRule, by roles: Set<Role>) -> Result<PointStatus, PointsError> {
        guard rule.enabled else { return .failure(.ruleDisabled) }
        guard rule.source == .manual else { return .failure(.automaticRule) }
        guard roles.contains(where: { $0.level >= rule.awardedBy.level }) else { return .failure(.roleTooLow(rule.awardedBy)) }
        return .success(rule.needsApproval ? .pending : .approved)
    }

    /// Four eyes: a pending entry is decided by someone other than who proposed it.
    public static func canDecide(proposer: String, decider: String, status: PointStatus) -> PointsError? {
        if status != .pending { return .notPending }
        if proposer == decider { return .ownEntry }
        return nil
    }

    public static func balance(_ entries: [(points: Int, status: PointStatus)]) -> Int {
        entries.filter { $0.status == .approved }.reduce(0) { $0 + $1.points }
    }

    public struct Standing: Sendable, Equatable {
        public var id: String
        public var name: String
        public var members: Int
        public var total: Int
        public var average: Double
        public var rank: Int
    }

    /// Branch ranking per year: by average balance per member (so a large branch does not win
    /// by size), then total; equal figures share a rank (1, 2, 2, 4).
    public static func ranking(_ rows: [(id: String, name: String, members: Int, total: Int)]) -> [Standing] {
        let s = rows.map { r in Standing(id: r.id, name: r.name, members: r.members, total: r.total,
                                         average: r.members == 0 ? 0 : Double(r.total) / Double(r.members), rank: 0) }
            .sorted { ($0.average, $0.total, $1.name) > ($1.average, $1.total, $0.name) }
        var out: [Standing] = []
        for (i, var x) in s.enumerated() {
            if let p = out.last, p.average == x.average, p.total == x.total { x.rank = p.rank } else { x.rank = i + 1 }
            out.append(x)
        }
        return out
    }
}

public enum PointsError: Error, Sendable, Equatable {
    case ruleDisabled, automaticRule, roleTooLow(Role), notPending, ownEntry
    public var message: String {
        switch self {
        case .ruleDisabled: return "该积分规则已停用"
        case .automaticRule: return "该规则由系统根据记录自动计分，不能手工录入"
        case .roleTooLow(let r): return "该项目须由\(r.label)或以上录入"
        case .notPending: return "该积分已审核，不能重复审核"
        case .ownEntry: return "不能审核自己录入的积分"
        }
    }
}
