/// R-20 (seed 001 §四(二)): 双报到 service. Each serving member gives at least 2 hours a
/// month to the community; each branch's paired community gets at least 10 done 为民办实事
/// a year.
public struct ServiceSettings: Sendable, Codable, Equatable {
    public var monthlyMinutes: Int
    /// A member who starts serving mid-month owes a prorated share of that month (default),
    /// or the full amount when false.
    public var prorateFirstMonth: Bool
    public var yearlyDeeds: Int

    public init(monthlyMinutes: Int = 120, prorateFirstMonth: Bool = true, yearlyDeeds: Int = 10) {
        self.monthlyMinutes = monthlyMinutes; self.prorateFirstMonth = prorateFirstMonth; self.yearlyDeeds = yearlyDeeds
    }

    public static let defaults = ServiceSettings()
}

public enum ServiceCheck {
    public enum Status: String, Sendable, Codable {
        case met, short, pending, exempt
        public var label: String {
            switch self { case .met: return "达标"; case .short: return "未达标"; case .pending: return "本月进行中"; case .exempt: return "不要求" }
        }
    }

    public struct Month: Sendable, Equatable {
        public var status: Status
        public var minutes: Int
        public var required: Int
    }

    /// The minutes a member owes in a month: none before they serve (or when retired), a
    /// prorated share of the month they start in when the setting says so, else the full amount.
    public static func required(year: Int, month: Int, servingSince: Day?, retired: Bool, settings: ServiceSettings) -> Int {
        if retired { return 0 }
        let days = Day.daysIn(month: month, year: year)
        let first = Day(year: year, month: month, day: 1)!
        let last = Day(year: year, month: month, day: days)!
        guard let since = servingSince else { return settings.monthlyMinutes }
        if since > last { return 0 }
        if since <= first || !settings.prorateFirstMonth { return settings.monthlyMinutes }
        let served = since.days(until: last) + 1
        // rounded up to whole minutes so a share is never forgiven by rounding
        return (settings.monthlyMinutes * served + days - 1) / days
    }

    public static func month(year: Int, month: Int, minutes: Int, servingSince: Day?, retired: Bool,
                             settings: ServiceSettings, today: Day) -> Month {
        let req = required(year: year, month: month, servingSince: servingSince, retired: retired, settings: settings)
        let last = Day(year: year, month: month, day: Day.daysIn(month: month, year: year))!
        let status: Status
        if req == 0 { status = .exempt }
        else if minutes >= req { status = .met }
        else { status = last < today ? .short : .pending }
        return Month(status: status, minutes: minutes, required: req)
    }

    /// The yearly 为民办实事 count of one paired community against the target.
    public static func deeds(done: Int, settings: ServiceSettings) -> (done: Int, target: Int, met: Bool) {
        (done, settings.yearlyDeeds, done >= settings.yearlyDeeds)
    }

    /// "2小时30分" for minutes.
    public static func hours(_ minutes: Int) -> String {
        let h = minutes / 60, m = minutes % 60
        if m == 0 { return "\(h)小时" }
        return h == 0 ? "\(m)分钟" : "\(h)小时\(m)分"
    }
}
