/// DOMAIN §8 (seed 000 §13, §15; seed 001 §四(三)): 月晒季评年考. Branches report monthly
/// (晒), the organ committee scores each quarter (评), and the year's assessment (考) weighs
/// those with the rating, the brand, organizational-life compliance and satisfaction.
public enum Assessment {
    public enum Part: String, Sendable, Codable, CaseIterable {
        case reports, quarters, rating, brand, compliance, satisfaction

        public var label: String {
            switch self {
            case .reports: return "月晒（按时自报）"
            case .quarters: return "季评（季度评分）"
            case .rating: return "星级评定"
            case .brand: return "党建品牌"
            case .compliance: return "组织生活达标"
            case .satisfaction: return "群众满意度"
            }
        }

        public var short: String {
            switch self {
            case .reports: return "月晒"
            case .quarters: return "季评"
            case .rating: return "星级"
            case .brand: return "品牌"
            case .compliance: return "组织生活"
            case .satisfaction: return "满意度"
            }
        }
    }

    /// Percent weights of the parts; they add up to 100 (a setting of the committee).
    public struct Weights: Sendable, Codable, Equatable {
        public var reports: Int
        public var quarters: Int
        public var rating: Int
        public var brand: Int
        public var compliance: Int
        public var satisfaction: Int
        /// Day of the next month by which a monthly self-report is on time.
        public var reportDueDay: Int

        public init(reports: Int = 10, quarters: Int = 40, rating: Int = 20, brand: Int = 10, compliance: Int = 10, satisfaction: Int = 10, reportDueDay: Int = 5) {
            self.reports = reports; self.quarters = quarters; self.rating = rating; self.brand = brand
            self.compliance = compliance; self.satisfaction = satisfaction; self.reportDueDay = reportDueDay
        }

        public func weight(_ p: Part) -> Int {
            switch p {
            case .reports: return reports
            case .quarters: return quarters
            case .rating: return rating
            case .brand: return brand
            case .compliance: return compliance
            case .satisfaction: return satisfaction
            }
        }

        public func validate() -> FieldErrors {
            var e = FieldErrors()
            for p in Part.allCases where !(0...100).contains(weight(p)) { e.add(p.rawValue, "\(p.label)的权重应在0到100之间") }
            let sum = Part.allCases.map(weight).reduce(0, +)
            if sum != 100 { e.add("weights", "各项权重之和应为100，现为\(sum)") }
            if !(1...28).contains(reportDueDay) { e.add("reportDueDay", "月晒截止日应在1到28日之间") }
            return e
        }
    }

    public enum BrandStatus: String, Sendable, Codable {
        case none, creating, named
        var score: Double {
            switch self { case .none: return 0; case .creating: return 60; case .named: return 100 }
        }
    }

    /// One org's facts for the year.
    public struct Facts: Sendable, Equatable {
        /// Months of the year already past their report due day.
        public var monthsDue: Int
        public var reportsOnTime: Int
        public var reportsLate: Int
        public var quarterScores: [Double]
        /// Quarters of the year already over.
        public var quartersDue: Int
        public var level: Int?
        /// nil while brands are not kept on the platform (the weight is shared out).
        public var brand: BrandStatus?
        /// Share (0…1) of organizational-life months met; nil when not counted on the platform.
        public var compliance: Double?
        /// 0…100 from the service recipients' surveys; nil when no survey was answered.
        public var satisfaction: Double?

        public init(monthsDue: Int, reportsOnTime: Int, reportsLate: Int = 0, quarterScores: [Double], quartersDue: Int, level: Int?,
                    brand: BrandStatus? = nil, compliance: Double?, satisfaction: Double?) {
            self.monthsDue = monthsDue; self.reportsOnTime = reportsOnTime; self.reportsLate = reportsLate; self.quarterScores = quarterScores
            self.quartersDue = quartersDue; self.level = level; self.brand = brand; self.compliance = compliance; self.satisfaction = satisfaction
        }
    }

    public struct Score: Sendable, Equatable {
        /// Each part on 0…100; nil where the part does not apply and its weight is shared out.
        public var parts: [Part: Double]
        public var total: Double
        public var notes: [String]
    }

    /// The weighted total on 0…100. What the org itself owes and did not do counts 0: a
    /// missing monthly report, an undecided rating, no brand. The quarterly part is the mean
    /// of the quarters the committee scored (an unscored quarter is the committee's gap, noted
    /// but not held against the org). Parts that do not apply — no quarter scored yet, no
    /// survey covering the org, compliance before the platform counts it — share their
    /// weight out over the others in proportion, so every total is on the same 0…100 scale.
    public static func score(_ f: Facts, weights w: Weights) -> Score {
        var parts: [Part: Double] = [:]
        var notes: [String] = []
        if f.monthsDue > 0 {
            parts[.reports] = min(100, (Double(f.reportsOnTime) + 0.5 * Double(f.reportsLate)) / Double(f.monthsDue) * 100)
            let missing = f.monthsDue - f.reportsOnTime - f.reportsLate
            if missing > 0 { notes.append("\(missing)个月未报月晒") }
            if f.reportsLate > 0 { notes.append("\(f.reportsLate)个月月晒逾期（按半数计）") }
        }
        let given = f.quarterScores
        if !given.isEmpty {
            parts[.quarters] = given.reduce(0, +) / Double(given.count)
        } else { notes.append("尚无季度评分，权重按比例分摊") }
        if f.quartersDue > given.count { notes.append("\(f.quartersDue - given.count)个已结束的季度未评分") }
        parts[.rating] = Double(f.level ?? 0) / 5 * 100
        if f.level == nil { notes.append("星级尚未评定（按0分计）") }
        if let b = f.brand {
            parts[.brand] = b.score
            if b == .none { notes.append("尚未开展党建品牌创建（按0分计）") } else if b == .creating { notes.append("党建品牌创建中（按60分计）") }
        } else { notes.append("党建品牌尚未纳入平台统计，权重按比例分摊") }
        if let c = f.compliance { parts[.compliance] = c * 100 } else { notes.append("组织生活未纳入平台统计，权重按比例分摊") }
        if let s = f.satisfaction { parts[.satisfaction] = s } else { notes.append("无满意度调查结果，权重按比例分摊") }
        let weightIn = parts.keys.map(w.weight).reduce(0, +)
        let total = weightIn == 0 ? 0 : parts.map { Double(w.weight($0.key)) * $0.value }.reduce(0, +) / Double(weightIn)
        return Score(parts: parts, total: (total * 10).rounded() / 10, notes: notes)
    }

    /// The status of one month's self-report: due the `dueDay` of the next month.
    public static func reportDue(year: Int, month: Int, dueDay: Int) -> Day {
        let first = Day(year: year, month: month, day: 1)!.adding(months: 1)
        return Day(year: first.year, month: first.month, day: dueDay)!
    }

    /// Months of `year` whose report is already due on `today`.
    public static func monthsDue(year: Int, today: Day, dueDay: Int) -> [Int] {
        (1...12).filter { today > reportDue(year: year, month: $0, dueDay: dueDay) }
    }

    /// Quarters of `year` already over on `today`.
    public static func quartersOver(year: Int, today: Day) -> Int {
        if today.year > year { return 4 }
        if today.year < year { return 0 }
        return (today.month - 1) / 3
    }

    /// Shared ranks by total (1, 2, 2, 4).
    public static func rank<T>(_ rows: [T], by total: (T) -> Double) -> [(T, Int)] {
        let sorted = rows.sorted { total($0) > total($1) }
        var out: [(T, Int)] = []
        for (i, r) in sorted.enumerated() {
            if let p = out.last, total(p.0) == total(r) { out.append((r, p.1)) } else { out.append((r, i + 1)) }
        }
        return out
    }

    /// 季评 score: 0…100 with at most one decimal.
    public static func validateQuarter(year: Int, quarter: Int, score: String, comment: String, today: Day) -> (Double?, FieldErrors) {
        var e = FieldErrors()
        if !(1...4).contains(quarter) { e.add("quarter", "季度应为1到4") }
        if year < 2000 || year > today.year { e.add("year", "年度应在2000年到\(today.year)年之间") }
        else if (1...4).contains(quarter), year == today.year, quarter > quartersOver(year: year, today: today) + 1 {
            e.add("quarter", "第\(quarter)季度尚未开始，不能评分")
        }
        let v = Double(score.trimmingSpaces)
        if v == nil || !(0...100).contains(v!) || (v! * 10).rounded() != v! * 10 { e.add("score", "评分应为0到100之间的数，最多一位小数") }
        _ = Check.optional(comment, "comment", "评语", max: 1000, into: &e)
        return (e.isEmpty ? v : nil, e)
    }
}
