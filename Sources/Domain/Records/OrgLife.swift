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

    /// This type's bit in a tally's type set. A fixed table, stored in `meeting_tallies`: a new type
    /// takes the next free bit, and none may change.
    public var bit: UInt16 {
        switch self {
        case .generalMeeting: return 1 << 0
        case .committeeMeeting: return 1 << 1
        case .groupMeeting: return 1 << 2
        case .partyLecture: return 1 << 3
        case .themeDay: return 1 << 4
        case .study: return 1 << 5
        case .centralGroupStudy: return 1 << 6
        case .specialStudy: return 1 << 7
        case .democraticLife: return 1 << 8
        case .orgLifeMeeting: return 1 << 9
        case .democraticAppraisal: return 1 << 10
        case .talk: return 1 << 11
        }
    }

    public static func bits<S: Sequence>(_ types: S) -> UInt16 where S.Element == MeetingType {
        types.reduce(0) { $0 | $1.bit }
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

    /// One org's meetings of one year, counted by month and by the set of types recorded
    /// together: all that R-18 reads (every rule counts whole months or quarters). Kept per org
    /// and year beside the meetings (`meeting_tallies`), so a committee's 20,000 calendars read
    /// 20,000 short rows instead of a quarter of a million meetings.
    public struct Tally: Sendable, Equatable {
        public struct Entry: Sendable, Equatable {
            public var month: Int
            /// The types as a bit set (`MeetingType.bit`).
            public var types: UInt16
            public var count: Int
        }
        /// Sorted by month, then types; one entry per (month, types).
        public private(set) var entries: [Entry] = []

        public init() {}

        /// The tally of the records that fall in `year` (the others are ignored).
        public init(records: [Record], year: Int) {
            for r in records where r.day.year == year { add(month: r.day.month, types: MeetingType.bits(r.types)) }
        }

        public mutating func add(month: Int, types: UInt16, count: Int = 1) {
            guard (1...12).contains(month), types != 0, count > 0 else { return }
            let key = (month, types)
            if let i = entries.firstIndex(where: { ($0.month, $0.types) == key }) { entries[i].count += count; return }
            let at = entries.firstIndex { ($0.month, $0.types) > key } ?? entries.endIndex
            entries.insert(Entry(month: month, types: types, count: count), at: at)
        }

        public var isEmpty: Bool { entries.isEmpty }

        /// Per month (index 1…12), the meetings with any of `types`.
        public func monthly(_ types: UInt16) -> [Int] {
            var out = [Int](repeating: 0, count: 13)
            for e in entries where e.types & types != 0 { out[e.month] += e.count }
            return out
        }

        /// The stored text: `month:bits:count` joined by `;` (`MeetingType.bit` is a fixed table,
        /// independent of the order of the enum's cases), e.g. `3:27:1;4:18:2`.
        public var encoded: String {
            entries.map { "\($0.month):\($0.types):\($0.count)" }.joined(separator: ";")
        }

        /// Reads `encoded`; nil when the text is not a tally. Read byte by byte: a province's
        /// year is 20,000 of these.
        public init?(encoded text: String) {
            var fields = (0, 0, 0), at = 0, digits = 0
            func flush() -> Bool {
                guard at == 2, digits > 0, (1...12).contains(fields.0), fields.1 > 0, fields.1 <= Int(UInt16.max), fields.2 > 0 else { return false }
                let e = Entry(month: fields.0, types: UInt16(fields.1), count: fields.2)
                // the stored text is sorted and unique; anything else goes through `add`
                if let last = entries.last, (last.month, last.types) >= (e.month, e.types) { add(month: e.month, types: e.types, count: e.count) }
                else { entries.append(e) }
                fields = (0, 0, 0); at = 0; digits = 0
                return true
            }
            for c in text.utf8 {
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    let d = Int(c - UInt8(ascii: "0"))
                    switch at {
                    case 0: fields.0 = fields.0 * 10 + d
                    case 1: fields.1 = fields.1 * 10 + d
                    default: fields.2 = fields.2 * 10 + d
                    }
                    digits += 1
                    if digits > 9 { return nil }
                case UInt8(ascii: ":"):
                    guard digits > 0, at < 2 else { return nil }
                    at += 1; digits = 0
                case UInt8(ascii: ";"):
                    guard flush() else { return nil }
                default: return nil
                }
            }
            // the last entry has no `;` after it
            if text.utf8.last.map({ $0 != UInt8(ascii: ";") }) == true { guard flush() else { return nil } }
        }
    }

    public struct RuleResult: Sendable, Equatable {
        public var key: String
        public var label: String
        public var status: Status
        public var count: Int
        public var required: Int
        /// The rule's quarter (1–4) for a quarterly rule, nil for a monthly one.
        public var quarter: Int?
        /// "本月2/2", "第2季度0/1", "本月不要求" (formatted when shown: a committee's
        /// calendars hold hundreds of thousands of these).
        public var detail: String {
            if let q = quarter { return "第\(q)季度\(count)/\(required)" }
            return status == .notApplicable ? "本月不要求" : "本月\(count)/\(required)"
        }
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
        calendar(orgType: orgType, year: year, tally: Tally(records: records, year: year), rules: rules, today: today, since: since, founded: founded)
    }

    /// The enabled rules for one org type with their types as bits, worked out once for many orgs.
    public struct RuleSet: Sendable {
        let applicable: [FrequencyRule]
        let bits: [UInt16]
        public init(rules: [FrequencyRule], orgType: OrgType) {
            applicable = rules.filter { $0.enabled && $0.orgTypes.contains(orgType) }
            bits = applicable.map { MeetingType.bits($0.types) }
        }
        func counts(_ tally: Tally) -> [[Int]] { bits.map { tally.monthly($0) } }
    }

    /// `calendar` from the year's tally (what the services read).
    public static func calendar(orgType: OrgType, year: Int, tally: Tally, rules: [FrequencyRule],
                                today: Day, since: Day? = nil, founded: Day? = nil) -> [Month] {
        calendar(year: year, tally: tally, rules: RuleSet(rules: rules, orgType: orgType), today: today, since: since, founded: founded)
    }

    public static func calendar(year: Int, tally: Tally, rules: RuleSet, today: Day, since: Day? = nil, founded: Day? = nil) -> [Month] {
        let counts = rules.counts(tally)
        return (1...12).map { m in month(m, year: year, counts: counts, applicable: rules.applicable, today: today, since: since, founded: founded) }
    }

    /// One month of `calendar` (a committee's dashboard asks for one month of 20,000 orgs).
    public static func month(_ m: Int, year: Int, tally: Tally, rules: RuleSet, today: Day, since: Day? = nil, founded: Day? = nil) -> Month {
        month(m, year: year, counts: rules.counts(tally), applicable: rules.applicable, today: today, since: since, founded: founded)
    }

    /// The share of compliant months of the year from the tally (the five-star criterion over a
    /// whole province): `share(calendar(…))` without building the calendar, the months' statuses only.
    public static func share(year: Int, tally: Tally, rules: RuleSet, today: Day, since: Day? = nil, founded: Day? = nil) -> Double? {
        let counts = rules.counts(tally)
        var met = 0, missing = 0
        for m in 1...12 {
            switch monthStatus(m, year: year, counts: counts, applicable: rules.applicable, today: today, since: since, founded: founded) {
            case .met: met += 1
            case .missing: missing += 1
            default: break
            }
        }
        return met + missing == 0 ? nil : Double(met) / Double(met + missing)
    }

    /// A month that is not assessed: before `since`, before the org was founded, or not begun.
    static func unassessed(_ m: Int, year: Int, today: Day, since: Day?, founded: Day?) -> Status? {
        let last = Day(year: year, month: m, day: Day.daysIn(month: m, year: year))!
        if let s = since, last < s { return .notApplicable }
        if let f = founded, last < f { return .notApplicable }
        if Day(year: year, month: m, day: 1)! > today { return .upcoming }
        return nil
    }

    /// `counts[i][m]`: the meetings of month m that count for rule `applicable[i]`.
    static func month(_ m: Int, year: Int, counts: [[Int]], applicable: [FrequencyRule], today: Day, since: Day?, founded: Day?) -> Month {
        if let s = unassessed(m, year: year, today: today, since: since, founded: founded) { return Month(year: year, month: m, status: s, rules: []) }
        var results: [RuleResult] = []
        results.reserveCapacity(applicable.count)
        for (i, rule) in applicable.enumerated() {
            let r = evaluate(rule, year: year, month: m, counts: counts[i], today: today)
            results.append(RuleResult(key: rule.key, label: rule.label, status: r.status, count: r.count, required: rule.minCount, quarter: r.quarter))
        }
        return Month(year: year, month: m, status: overall(results.map(\.status)), rules: results)
    }

    /// `month(…).status` without its rule results.
    static func monthStatus(_ m: Int, year: Int, counts: [[Int]], applicable: [FrequencyRule], today: Day, since: Day?, founded: Day?) -> Status {
        if let s = unassessed(m, year: year, today: today, since: since, founded: founded) { return s }
        return overall(applicable.indices.lazy.map { evaluate(applicable[$0], year: year, month: m, counts: counts[$0], today: today).status })
    }

    static func evaluate(_ rule: FrequencyRule, year: Int, month m: Int, counts: [Int], today: Day) -> (status: Status, count: Int, quarter: Int?) {
        switch rule.period {
        case .month, .months:
            if rule.period == .months && !rule.months.contains(m) { return (.notApplicable, 0, nil) }
            let last = Day(year: year, month: m, day: Day.daysIn(month: m, year: year))!
            let n = counts[m]
            return (n >= rule.minCount ? .met : (last < today ? .missing : .pending), n, nil)
        case .quarter:
            let q = (m - 1) / 3
            let qLastMonth = q * 3 + 3
            let qLast = Day(year: year, month: qLastMonth, day: Day.daysIn(month: qLastMonth, year: year))!
            let n = counts[q * 3 + 1] + counts[q * 3 + 2] + counts[q * 3 + 3]
            let status: Status
            if n >= rule.minCount { status = .met }
            else if m != qLastMonth { status = .notDue }
            else { status = qLast < today ? .missing : .pending }
            return (status, n, q + 1)
        }
    }

    /// A month's status from its rules': any missing, else any pending, else any met.
    static func overall<S: Sequence>(_ statuses: S) -> Status where S.Element == Status {
        var missing = false, pending = false, met = false
        for s in statuses {
            switch s {
            case .missing: missing = true
            case .pending: pending = true
            case .met: met = true
            default: break
            }
        }
        return missing ? .missing : pending ? .pending : met ? .met : .notApplicable
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
