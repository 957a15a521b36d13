/// R-22 (seed 001 §四(四)2): escalation of an organization with outstanding problems.
/// One aspect unsolved past its deadline, or two aspects at once → a party-group leader
/// takes charge with 3 months; still unsolved after those 3 months, or three or more
/// aspects at once → listed as 软弱涣散 with a work group and 6 months. Leaving either
/// stage needs every problem closed and verified. Computed on read from the problems,
/// so no scheduler is needed and the history is the same whenever it is asked for.
public enum Escalation {
    /// The five aspects are the five key-task areas of seed 001 (one per star).
    public typealias Aspect = Star

    public struct Problem: Sendable, Equatable {
        public var aspect: Aspect
        public var found: Day
        public var deadline: Day
        /// The day its rectification was verified; an unverified close is still open.
        public var verified: Day?
        public init(aspect: Aspect, found: Day, deadline: Day, verified: Day? = nil) {
            self.aspect = aspect; self.found = found; self.deadline = deadline; self.verified = verified
        }
        func isOpen(on d: Day) -> Bool { found <= d && (verified.map { $0 > d } ?? true) }
    }

    public enum Level: String, Sendable, Codable, CaseIterable, Comparable {
        case none, leader, weak
        public var label: String {
            switch self {
            case .none: return "正常"
            case .leader: return "党组领导包联整改"
            case .weak: return "软弱涣散党组织"
            }
        }
        public static func < (a: Level, b: Level) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    public struct Event: Sendable, Equatable {
        public var day: Day
        public var level: Level
        public var deadline: Day?
        public var reason: String
    }

    public struct State: Sendable, Equatable {
        public var level: Level
        public var since: Day?
        public var deadline: Day?
        /// The stage's own deadline has passed with problems still open.
        public var overdue: Bool
        public var history: [Event]
        public var openAspects: [Aspect]
    }

    public static func state(_ problems: [Problem], today: Day, leaderMonths: Int = 3, weakMonths: Int = 6) -> State {
        var level = Level.none
        var since: Day?
        var deadline: Day?
        var history: [Event] = []
        // the days on which something can change: a problem found, the day after its deadline, its verification
        var days = Set<Day>()
        for p in problems {
            days.insert(p.found)
            days.insert(p.deadline.adding(days: 1))
            if let v = p.verified { days.insert(v) }
        }
        var d = days.filter { $0 <= today }.min()
        while let day = d {
            // deadlines are judged on what stood this morning (a problem verified today was still
            // open when its stage ran out); aspects at once on what is open after today's changes
            let morning = problems.filter { $0.found <= day && ($0.verified.map { $0 >= day } ?? true) }
            let aspects = Set(problems.filter { $0.isOpen(on: day) }.map(\.aspect))
            let overdueAspect = morning.first { $0.deadline < day }
            func go(_ l: Level, _ months: Int?, _ why: String) {
                level = l; since = day; deadline = months.map { day.adding(months: $0) }
                history.append(Event(day: day, level: l, deadline: deadline, reason: why))
            }
            switch level {
            case .none:
                if aspects.count >= 3 { go(.weak, weakMonths, "\(aspects.count)个方面同时存在问题：\(labels(aspects))") }
                else if aspects.count == 2 { go(.leader, leaderMonths, "两个方面同时存在问题：\(labels(aspects))") }
                else if let p = overdueAspect { go(.leader, leaderMonths, "\(p.aspect.label)方面的问题逾期（\(p.deadline.iso)）未解决") }
            case .leader:
                if aspects.count >= 3 { go(.weak, weakMonths, "\(aspects.count)个方面同时存在问题：\(labels(aspects))") }
                else if let dl = deadline, day > dl { go(.weak, weakMonths, "包联整改期满（\(dl.iso)）仍未整改到位") }
            case .weak:
                break
            }
            if level != .none && !problems.contains(where: { $0.isOpen(on: day) }) {
                go(.none, nil, level == .weak ? "问题全部整改到位并验收，移出软弱涣散名单" : "问题全部整改到位并验收")
            }
            // a stage's own deadline is a change point too
            var next = days.filter { $0 > day && $0 <= today }
            if let dl = deadline, level == .leader, dl.adding(days: 1) <= today, dl.adding(days: 1) > day { next.insert(dl.adding(days: 1)) }
            d = next.min()
        }
        let stillOpen = problems.filter { $0.isOpen(on: today) }
        return State(level: level, since: since, deadline: deadline, overdue: level != .none && (deadline.map { today > $0 } ?? false) && !stillOpen.isEmpty,
                     history: history, openAspects: Array(Set(stillOpen.map(\.aspect))).sorted())
    }

    /// R-24 reads this: whether the org was on the 软弱涣散 list at any time of `year`.
    public static func wasWeak(_ history: [Event], in year: Int) -> Bool {
        var level = Level.none
        for e in history {
            if e.day.year >= year && level == .weak { return true }   // still listed when the year began
            if e.day.year > year { return false }
            if e.level == .weak && e.day.year == year { return true }
            level = e.level
        }
        return level == .weak
    }

    static func labels(_ s: Set<Aspect>) -> String { s.sorted().map(\.label).joined(separator: "、") }
}

/// R-23 (seed 000 §12.5.4.2): integrity-risk points, reviewed at the start of every year.
public enum RiskLevel: String, Sendable, Codable, CaseIterable {
    case high, medium, low
    public var label: String {
        switch self { case .high: return "高"; case .medium: return "中"; case .low: return "低" }
    }
}

public enum RiskReview {
    /// The yearly review is due by the end of January.
    public static func due(year: Int) -> Day { Day(year: year, month: 1, day: 31)! }

    /// Flagged when, after 31 January, the point has not been reviewed this year.
    public static func isFlagged(lastReviewed: Day?, today: Day) -> Bool {
        guard today > due(year: today.year) else { return false }
        guard let r = lastReviewed else { return true }
        return r.year < today.year
    }

    public static func validate(post: String, process: String, description: String, before: String, during: String, after: String, owner: String) -> FieldErrors {
        var e = FieldErrors()
        _ = Check.required(post, "post", "岗位", max: 50, into: &e)
        _ = Check.required(process, "process", "业务环节", max: 50, into: &e)
        _ = Check.required(description, "description", "风险点描述", max: 500, into: &e)
        if before.trimmingSpaces.isEmpty && during.trimmingSpaces.isEmpty && after.trimmingSpaces.isEmpty {
            e.add("before", "请至少填写事前、事中、事后一项防控措施")
        }
        for (k, v) in [("before", before), ("during", during), ("after", after)] where v.unicodeScalars.count > 1000 { e.add(k, "防控措施不能超过1000个字") }
        _ = Check.required(owner, "owner", "责任人", max: 30, into: &e)
        return e
    }
}

/// R-24 (seed 001 §四(三)2, §四(五)3; seed 000 §16): award eligibility of branches and
/// members (先锋岗, 示范岗, 青年文明号, 先进基层党组织 and the like), with its reasons.
public enum AwardEligibility {
    public struct BranchFacts: Sendable, Equatable {
        /// The final level of the year; nil while not decided.
        public var level: Int?
        public var market: StarRating.MarketVerdict?
        public var weakAndLax: Bool
        /// The unit's share of branches at the good level is below the awardable share.
        public var unitBelowAwardableShare: Bool
        public var namedBrand: Bool
        public init(level: Int?, market: StarRating.MarketVerdict? = nil, weakAndLax: Bool = false, unitBelowAwardableShare: Bool = false, namedBrand: Bool = false) {
            self.level = level; self.market = market; self.weakAndLax = weakAndLax; self.unitBelowAwardableShare = unitBelowAwardableShare; self.namedBrand = namedBrand
        }
    }

    public struct Verdict: Sendable, Equatable {
        public var eligible: Bool
        public var reasons: [String]
        /// Reasons to recommend first (not conditions).
        public var priority: [String]
    }

    public static func branch(_ f: BranchFacts, thresholds t: Thresholds) -> Verdict {
        var no: [String] = []
        var plus: [String] = []
        if let l = f.level {
            if t.isLow(l) { no.append("评定为\(l)星（\(t.lowLabel)），当年不得评先评优") }
            if l >= 4 { plus.append("\(l)星党支部，“两优一先”优先推荐") }
        } else { no.append("本年度星级尚未评定") }
        switch f.market {
        case .capped(_, let r)?: no.append("市场主体评排名靠后：\(r)")
        case .vetoed(let r)?: no.append("市场主体评一票否决：\(r)")
        default: break
        }
        if f.weakAndLax { no.append("列为软弱涣散党组织") }
        if f.unitBelowAwardableShare { no.append("所在单位三星以上支部不足\(t.awardableSharePercent)%，当年不得评优评先") }
        if f.namedBrand { plus.append("已命名党建品牌") }
        return Verdict(eligible: no.isEmpty, reasons: no, priority: plus)
    }

    public struct MemberFacts: Sendable, Equatable {
        public var branch: Verdict
        /// Disciplinary deductions of the year (points rule of that kind).
        public var disciplined: Bool
        public var points: Int
        public var pointsRankPercent: Int?
        public init(branch: Verdict, disciplined: Bool = false, points: Int = 0, pointsRankPercent: Int? = nil) {
            self.branch = branch; self.disciplined = disciplined; self.points = points; self.pointsRankPercent = pointsRankPercent
        }
    }

    /// A member follows their branch's verdict (a branch that may not be awarded puts none
    /// of its people forward) and is out after a disciplinary deduction that year.
    public static func member(_ f: MemberFacts) -> Verdict {
        var no = f.branch.eligible ? [] : f.branch.reasons.map { "所在支部：" + $0 }
        if f.disciplined { no.append("本年度受到纪律处理") }
        var plus = f.branch.priority.map { "所在支部：" + $0 }
        if let p = f.pointsRankPercent, p <= 10 { plus.append("积分居本支部前10%（\(f.points)分）") }
        return Verdict(eligible: no.isEmpty, reasons: no, priority: plus)
    }
}
