/// DOMAIN §5: the kinds of meetings and activities of organizational life (三会一课 and the rest).
public enum MeetingType: String, Sendable, CaseIterable, Codable {
    case generalMeeting       // 党员大会
    case committeeMeeting     // 支委会
    case groupMeeting         // 党小组会
    case partyLecture         // 党课
    case themeDay             // 主题党日（4+X）
    case study                // 集中学习（支部、党小组）
    case centralGroupStudy    // 党组（党委）理论学习中心组学习
    case specialStudy         // 党组专题研究机关党建
    case democraticLife       // 民主生活会
    case orgLifeMeeting       // 组织生活会
    case democraticAppraisal  // 民主评议党员
    case talk                 // 谈心谈话

    public var label: String {
        switch self {
        case .generalMeeting: return "党员大会"
        case .committeeMeeting: return "支委会"
        case .groupMeeting: return "党小组会"
        case .partyLecture: return "党课"
        case .themeDay: return "主题党日"
        case .study: return "集中学习"
        case .centralGroupStudy: return "中心组学习"
        case .specialStudy: return "党组专题研究机关党建"
        case .democraticLife: return "民主生活会"
        case .orgLifeMeeting: return "组织生活会"
        case .democraticAppraisal: return "民主评议党员"
        case .talk: return "谈心谈话"
        }
    }

    public init?(label text: String) {
        let t = text.trimmingSpaces
        if let v = MeetingType(rawValue: t) { self = v; return }
        guard let v = MeetingType.allCases.first(where: { $0.label == t }) else { return nil }
        self = v
    }

    /// Meetings every member of the org attends, so each one missing needs a reason; a
    /// 支委会, a central-group study or a talk involve only those present.
    public var forAllMembers: Bool {
        switch self {
        case .generalMeeting, .groupMeeting, .partyLecture, .themeDay, .study, .orgLifeMeeting, .democraticAppraisal: return true
        case .committeeMeeting, .centralGroupStudy, .specialStudy, .democraticLife, .talk: return false
        }
    }

    /// The types an org of this kind usually records (a form offers these first).
    public static func usual(for org: OrgType) -> [MeetingType] {
        switch org {
        case .partyGroup: return [.centralGroupStudy, .specialStudy, .democraticLife, .talk]
        case .committee, .organCommittee: return [.committeeMeeting, .study, .partyLecture, .talk]
        case .generalBranch, .branch: return [.generalMeeting, .committeeMeeting, .partyLecture, .themeDay, .study, .orgLifeMeeting, .democraticAppraisal, .talk]
        case .group: return [.groupMeeting, .study, .talk]
        }
    }
}

/// one frequency rule, a setting. `period` is a month, a quarter, or named months
/// (the party group's special study in June and December).
public struct FrequencyRule: Sendable, Codable, Equatable {
    public enum Period: String, Sendable, Codable, CaseIterable {
        case month, quarter, months
        public var label: String {
            switch self { case .month: return "每月"; case .quarter: return "每季度"; case .months: return "指定月份" }
        }
    }
    public var key: String
    public var label: String
    public var orgTypes: [OrgType]
    /// A record of any of these types counts.
    public var types: [MeetingType]
    public var minCount: Int
    public var period: Period
    /// For `.months`: the months (1–12) it applies to.
    public var months: [Int]
    public var enabled: Bool

    public init(key: String, label: String, orgTypes: [OrgType], types: [MeetingType], minCount: Int, period: Period, months: [Int] = [], enabled: Bool = true) {
        self.key = key; self.label = label; self.orgTypes = orgTypes; self.types = types
        self.minCount = minCount; self.period = period; self.months = months; self.enabled = enabled
    }

    public var summary: String {
        switch period {
        case .month: return "每月不少于\(minCount)次"
        case .quarter: return "每季度不少于\(minCount)次"
        case .months: return months.map { "\($0)月" }.joined(separator: "、") + "各不少于\(minCount)次"
        }
    }

    /// R-18 defaults (seed 000 §12.2.2.1, seed 001 §四(一)1, §四(五)18).
    public static let defaults: [FrequencyRule] = [
        FrequencyRule(key: "central-study", label: "中心组学习", orgTypes: [.partyGroup], types: [.centralGroupStudy], minCount: 1, period: .month),
        FrequencyRule(key: "special-study", label: "党组专题研究机关党建", orgTypes: [.partyGroup], types: [.specialStudy], minCount: 1, period: .months, months: [6, 12]),
        FrequencyRule(key: "study", label: "支部、党小组集中学习", orgTypes: [.generalBranch, .branch, .group], types: [.study], minCount: 2, period: .month),
        FrequencyRule(key: "committee", label: "支委会", orgTypes: [.generalBranch, .branch], types: [.committeeMeeting], minCount: 1, period: .month),
        FrequencyRule(key: "group", label: "党小组会", orgTypes: [.group], types: [.groupMeeting], minCount: 1, period: .month),
        FrequencyRule(key: "general", label: "党员大会", orgTypes: [.generalBranch, .branch], types: [.generalMeeting], minCount: 1, period: .quarter),
        FrequencyRule(key: "lecture", label: "党课", orgTypes: [.generalBranch, .branch], types: [.partyLecture], minCount: 1, period: .quarter),
        FrequencyRule(key: "theme-day", label: "主题党日", orgTypes: [.generalBranch, .branch], types: [.themeDay], minCount: 1, period: .month),
    ]

    public func validate(prefix p: String) -> FieldErrors {
        var e = FieldErrors()
        if label.trimmingSpaces.isEmpty { e.add("\(p).label", "请填写规则名称") }
        if minCount < 1 || minCount > 31 { e.add("\(p).minCount", "次数应为1到31之间的整数") }
        if period == .months && (months.isEmpty || months.contains { $0 < 1 || $0 > 12 }) { e.add("\(p).months", "请填写1到12之间的月份，用顿号或逗号分隔") }
        if types.isEmpty { e.add("\(p).types", "请至少选择一种会议类型") }
        if orgTypes.isEmpty { e.add("\(p).orgTypes", "请至少选择一种组织类型") }
        return e
    }
}

/// the compliance calendar of one organization, computed from its records.
public enum OrgLifeCompliance {
    public enum Status: String, Sendable, Codable {
        case met           // 已达标
        case missing       // 未达标（期限已过）
        case pending       // 本月尚未结束、尚未达标
        case notDue        // 季度规则：本季度后续月份完成即可
        case upcoming      // 尚未开始的月份
        case notApplicable // 不适用（未启用、未建立或未到）
        public var label: String {
            switch self {
            case .met: return "达标"
            case .missing: return "未达标"
            case .pending: return "进行中"
            case .notDue: return "季内完成"
            case .upcoming: return "未开始"
            case .notApplicable: return "—"
            }
        }
    }

    public struct Record: Sendable, Equatable {
        public var day: Day
        public var types: Set<MeetingType>
        public init(day: Day, types: Set<MeetingType>) { self.day = day; self.types = types }
    }

    public struct RuleResult: Sendable, Equatable {
        public var key: String
        public var label: String
        public var status: Status
        public var count: Int
        public var required: Int
        /// "本月2/2", "本季度0/1".
        public var detail: String
    }

    public struct Month: Sendable, Equatable {
        public var year: Int
        public var month: Int
        public var status: Status
        public var rules: [RuleResult]
        public var missingLabels: [String] { rules.filter { $0.status == .missing }.map(\.label) }
    }

    /// The months of `year` for an org of `orgType`. Months that ended before `since` (records
    /// were not kept on the platform yet) or before the org was founded are not applicable;
    /// months that have not begun are pending.
    public static func calendar(orgType: OrgType, year: Int, records: [Record], rules: [FrequencyRule],
                                today: Day, since: Day? = nil, founded: Day? = nil) -> [Month] {
        let applicable = rules.filter { $0.enabled && $0.orgTypes.contains(orgType) }
        return (1...12).map { m in month(m, year: year, records: records, applicable: applicable, today: today, since: since, founded: founded) }
    }

    /// One month of `calendar`: it reads only the records of the month's quarter (a committee's
    /// dashboard asks for one month of 20,000 orgs).
    public static func month(_ m: Int, orgType: OrgType, year: Int, records: [Record], rules: [FrequencyRule],
                             today: Day, since: Day? = nil, founded: Day? = nil) -> Month {
        month(m, year: year, records: records, applicable: rules.filter { $0.enabled && $0.orgTypes.contains(orgType) },
              today: today, since: since, founded: founded)
    }

    /// The quarter's first and last day for month `m` (the records `month` reads).
    public static func quarter(of m: Int, year: Int) -> (first: Day, last: Day) {
        let lastMonth = (m - 1) / 3 * 3 + 3
        return (Day(year: year, month: lastMonth - 2, day: 1)!, Day(year: year, month: lastMonth, day: Day.daysIn(month: lastMonth, year: year))!)
    }

    static func month(_ m: Int, year: Int, records: [Record], applicable: [FrequencyRule], today: Day, since: Day?, founded: Day?) -> Month {
        let first = Day(year: year, month: m, day: 1)!
        let last = Day(year: year, month: m, day: Day.daysIn(month: m, year: year))!
        if let s = since, last < s { return Month(year: year, month: m, status: .notApplicable, rules: []) }
        if let f = founded, last < f { return Month(year: year, month: m, status: .notApplicable, rules: []) }
        if first > today { return Month(year: year, month: m, status: .upcoming, rules: []) }
        let results = applicable.map { rule -> RuleResult in
            evaluate(rule, year: year, month: m, first: first, last: last, records: records, today: today)
        }
        return Month(year: year, month: m, status: overall(results.map(\.status)), rules: results)
    }

    static func evaluate(_ rule: FrequencyRule, year: Int, month m: Int, first: Day, last: Day, records: [Record], today: Day) -> RuleResult {
        func count(_ from: Day, _ to: Day) -> Int {
            records.filter { $0.day >= from && $0.day <= to && !$0.types.isDisjoint(with: rule.types) }.count
        }
        switch rule.period {
        case .month, .months:
            if rule.period == .months && !rule.months.contains(m) {
                return RuleResult(key: rule.key, label: rule.label, status: .notApplicable, count: 0, required: rule.minCount, detail: "本月不要求")
            }
            let n = count(first, last)
            let status: Status = n >= rule.minCount ? .met : (last < today ? .missing : .pending)
            return RuleResult(key: rule.key, label: rule.label, status: status, count: n, required: rule.minCount, detail: "本月\(n)/\(rule.minCount)")
        case .quarter:
            let q = (m - 1) / 3
            let qFirst = Day(year: year, month: q * 3 + 1, day: 1)!
            let qLastMonth = q * 3 + 3
            let qLast = Day(year: year, month: qLastMonth, day: Day.daysIn(month: qLastMonth, year: year))!
            let n = count(qFirst, qLast)
            let status: Status
            if n >= rule.minCount { status = .met }
            else if m != qLastMonth { status = .notDue }
            else { status = qLast < today ? .missing : .pending }
            return RuleResult(key: rule.key, label: rule.label, status: status, count: n, required: rule.minCount, detail: "第\(q + 1)季度\(n)/\(rule.minCount)")
        }
    }

    static func overall(_ s: [Status]) -> Status {
        if s.contains(.missing) { return .missing }
        if s.contains(.pending) { return .pending }
        if s.contains(.met) { return .met }
        return .notApplicable
    }

    /// The share of compliant months among the months that have been decided (met or
    /// missing); nil when none has — the figure the five-star rating reads (DOMAIN §5).
    public static func share(_ months: [Month]) -> Double? {
        let met = months.filter { $0.status == .met }.count
        let decided = met + months.filter { $0.status == .missing }.count
        return decided == 0 ? nil : Double(met) / Double(decided)
    }
}

/// yearly documents due by 10 January (responsibility and task lists, the
/// theme-party-day plan). One rule for both.
public enum YearlyFiling {
    public enum Status: String, Sendable, Codable {
        case onTime, late, overdue, notYetDue
        public var label: String {
            switch self {
            case .onTime: return "按时报送"
            case .late: return "逾期报送"
            case .overdue: return "逾期未报"
            case .notYetDue: return "未到期"
            }
        }
        public var flagged: Bool { self == .late || self == .overdue }
    }

    public static func due(year: Int) -> Day { Day(year: year, month: 1, day: 10)! }

    public static func status(year: Int, filedOn: Day?, today: Day) -> Status {
        let due = due(year: year)
        if let f = filedOn { return f <= due ? .onTime : .late }
        return today > due ? .overdue : .notYetDue
    }
}
