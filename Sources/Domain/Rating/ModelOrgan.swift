/// R-7 (seed 001 §四(五)3⑥): a unit is a 五星模范机关 for the year when it has at least one
/// 5-star branch, at least 80% of its branches at 3 stars or more, and no branch "二星以下"
/// (read as fewer than 2 stars unless the scheme says otherwise). A unit with fewer than
/// 50% of its branches at 3 stars or more may not be awarded that year.
public struct ModelOrganVerdict: Sendable, Equatable {
    public struct Condition: Sendable, Equatable {
        public var label: String
        public var met: Bool
        public var detail: String
    }

    public var branches: Int
    public var fiveStar: Int
    public var good: Int
    public var low: Int
    public var conditions: [Condition]
    public var isModel: Bool
    /// False when fewer than the awardable share are at the good level.
    public var awardable: Bool
    public var awardableDetail: String
    /// Branches at each level 0…5.
    public var distribution: [Int]

    public var goodShare: Double { branches == 0 ? 0 : Double(good) / Double(branches) }

    public init(levels: [Int], thresholds t: Thresholds) {
        branches = levels.count
        fiveStar = levels.filter { $0 >= 5 }.count
        good = levels.filter { $0 >= t.goodLevel }.count
        low = levels.filter { t.isLow($0) }.count
        distribution = (0...5).map { l in levels.filter { $0 == l }.count }
        let exact = branches == 0 ? "0" : ModelOrganVerdict.percent(good, branches)
        // shares compare as integers: good × 100 ≥ share × branches (no rounding at the line)
        let shareMet = branches > 0 && good * 100 >= t.modelOrganSharePercent * branches
        conditions = [
            Condition(label: "至少\(t.minFiveStarBranches)个五星支部", met: fiveStar >= t.minFiveStarBranches,
                      detail: "五星支部\(fiveStar)个"),
            Condition(label: "\(t.goodLevel)星及以上支部达到\(t.modelOrganSharePercent)%", met: shareMet,
                      detail: "\(good)/\(branches)个，占\(exact)%"),
            Condition(label: "没有\(t.lowLabel)的支部", met: low == 0, detail: low == 0 ? "无" : "\(low)个"),
        ]
        isModel = branches > 0 && conditions.allSatisfy(\.met)
        awardable = branches > 0 && good * 100 >= t.awardableSharePercent * branches
        awardableDetail = awardable ? "\(t.goodLevel)星及以上支部占\(exact)%，不低于\(t.awardableSharePercent)%"
                                    : "\(t.goodLevel)星及以上支部占\(exact)%，不足\(t.awardableSharePercent)%，当年不得评优评先"
    }

    static func percent(_ a: Int, _ b: Int) -> String {
        let tenths = (a * 1000 + b / 2) / b
        return tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(tenths % 10)"
    }
}

/// 公示亮星 (R-4 step 5, R-5): a notice runs at least the scheme's number of working days from
/// its start; complaints are taken while it runs; it can be closed only after its last day.
public struct NoticePeriod: Sendable, Equatable {
    public enum Status: String, Sendable { case scheduled, open, ended
        public var label: String { self == .scheduled ? "未开始" : self == .open ? "公示中" : "已期满" }
    }

    public let start: Day
    public let workingDays: Int
    public let end: Day

    /// Nil when the calendar cannot place that many working days (never in practice).
    public init?(start: Day, workingDays: Int, calendar: WorkingCalendar) {
        guard workingDays > 0, let end = calendar.end(from: start, workingDays: workingDays) else { return nil }
        self.start = start; self.workingDays = workingDays; self.end = end
    }

    public func status(today: Day) -> Status { today < start ? .scheduled : (today <= end ? .open : .ended) }
    public func acceptsComplaints(today: Day) -> Bool { status(today: today) == .open }
    /// "may close no earlier than the end of" the last day: from the day after.
    public func mayClose(today: Day) -> Bool { today > end }
}
