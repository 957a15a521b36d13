/// The rules that govern a branch's set of stars.
public enum StarRating {
    /// 支部过硬星 only with the other four. Nil when the set is valid, else why not.
    public static func r3Violation(_ set: StarSet) -> String? {
        guard set.contains(.strong) else { return nil }
        let missing = Star.firstFour.subtracting(set.stars).sorted()
        guard !missing.isEmpty else { return nil }
        return "支部过硬星须在已获其它四颗星的基础上评定，尚缺：\(missing.map(\.label).joined(separator: "、"))"
    }

    /// R-6 (seed 001 §四(三)2): the standing of a branch's section in the city's 市场主体评 ranking.
    public struct MarketStanding: Sendable, Equatable {
        public var section: String
        public var rank: Int
        public var total: Int
        public var score: Double
        public init(section: String, rank: Int, total: Int, score: Double) {
            self.section = section; self.rank = rank; self.total = total; self.score = score
        }
    }

    public enum MarketVerdict: Sendable, Equatable {
        case clear
        /// In the last N: at most `cap` stars and no awards that year.
        case capped(cap: Int, reason: String)
        /// Last with a score below the line: no stars that year, rectification opened.
        case vetoed(reason: String)

        public var reason: String? {
            switch self {
            case .clear: return nil
            case .capped(_, let r), .vetoed(let r): return r
            }
        }
        public var cap: Int? {
            switch self {
            case .clear: return nil
            case .capped(let c, _): return c
            case .vetoed: return 0
            }
        }
        public var losesAwards: Bool { self != .clear }
        public var isVeto: Bool { if case .vetoed = self { return true } else { return false } }
    }

    /// R-6 for a branch with the given sections (a branch may hold several; the worst counts).
    public static func market(_ standings: [MarketStanding], thresholds t: Thresholds) -> MarketVerdict {
        var verdict = MarketVerdict.clear
        for s in standings.sorted(by: { $0.rank > $1.rank }) {
            let fmt = s.score == s.score.rounded() ? String(Int(s.score)) : String(s.score)
            if s.rank == s.total && s.score < t.marketVetoScore {
                return .vetoed(reason: "市场主体评：“\(s.section)”排名全市倒数第一（\(fmt)分，低于\(formatScore(t.marketVetoScore))分），一票否决，当年不评星并限期整顿")
            }
            if verdict == .clear && t.marketBottomCount > 0 && s.rank > s.total - t.marketBottomCount {
                verdict = .capped(cap: t.marketCapLevel, reason: "市场主体评：“\(s.section)”位居全市后\(t.marketBottomCount)名（第\(s.rank)名/共\(s.total)名），当年最多申报\(t.marketCapLevel)星，取消评先评优资格")
            }
        }
        return verdict
    }

    public static func formatScore(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }

    /// The level shown everywhere: the decided stars plus the ledger, under the R-6 cap.
    public struct Effective: Sendable, Equatable {
        public var stars: StarSet
        public var reasons: [String]
        public var level: Int { stars.level }
        public init(stars: StarSet, reasons: [String]) { self.stars = stars; self.reasons = reasons }
    }

    public static func effective(_ stars: StarSet, market: MarketVerdict) -> Effective {
        guard let cap = market.cap, stars.level > cap else { return Effective(stars: stars, reasons: market.reason.map { [$0] } ?? []) }
        return Effective(stars: stars.capped(at: cap), reasons: [market.reason!])
    }

    /// what the level brings for the branch (and R-6's loss of award eligibility).
    public static func consequences(level: Int, market: MarketVerdict, scheme: RatingScheme) -> [String] {
        var out: [String] = []
        let c = scheme.consequence(for: level)
        if let m = c.commendation { out.append(m) }
        if c.quotaDeltaPercent > 0 { out.append("年度考核优秀比例增加\(c.quotaDeltaPercent)%") }
        if c.quotaDeltaPercent < 0 { out.append("年度考核优秀比例下降\(-c.quotaDeltaPercent)%") }
        if c.secretaryInterview { out.append("由上级党组织约谈党支部书记") }
        if c.rectification { out.append("限期整顿（\(scheme.thresholds.rectificationDays)天）") }
        if let n = c.note { out.append(n) }
        if scheme.thresholds.isLow(level) { out.append("当年不得评先评优、不得推荐干部") }
        else if market.losesAwards { out.append("当年取消评先评优资格（市场主体评）") }
        return out
    }
}

/// What the platform knows about a branch for the computed criteria.
public struct BranchFacts: Sendable, Equatable {
    public var termOverdue: Bool?
    public var termDue: Day?
    public var secretary: String?
    public var market: StarRating.MarketVerdict?
    /// Share of months with compliant organizational life; nil until those records exist.
    public var meetingsCompliance: Double?

    public init(termOverdue: Bool?, termDue: Day? = nil, secretary: String?, market: StarRating.MarketVerdict?, meetingsCompliance: Double? = nil) {
        self.termOverdue = termOverdue; self.termDue = termDue; self.secretary = secretary
        self.market = market; self.meetingsCompliance = meetingsCompliance
    }
}

/// A computed criterion's outcome: met or not, with the evidence in words; `met == nil`
/// means the platform has no records yet, so the branch answers with evidence.
public struct CheckOutcome: Sendable, Equatable, Codable {
    public var met: Bool?
    public var detail: String
    public init(met: Bool?, detail: String) { self.met = met; self.detail = detail }
}

public extension ComputedCheck {
    func evaluate(_ f: BranchFacts, requested: StarSet) -> CheckOutcome {
        switch self {
        case .termNotOverdue:
            guard let overdue = f.termOverdue else { return CheckOutcome(met: nil, detail: "未登记本届任期，请上传换届材料") }
            let due = f.termDue.map { "（本届应于\($0.iso)换届）" } ?? ""
            return CheckOutcome(met: !overdue, detail: overdue ? "换届已超期\(due)" : "按期换届\(due)")
        case .secretaryInPost:
            if let s = f.secretary, !s.isEmpty { return CheckOutcome(met: true, detail: "书记：\(s)") }
            return CheckOutcome(met: false, detail: "组织信息中党支部书记空缺")
        case .marketNotBottom:
            guard let m = f.market else { return CheckOutcome(met: nil, detail: "本年度市场主体评结果尚未导入，请说明情况") }
            return CheckOutcome(met: m == .clear, detail: m.reason ?? "未排名靠后")
        case .meetingsCompliant:
            guard let r = f.meetingsCompliance else { return CheckOutcome(met: nil, detail: "组织生活记录尚未启用，请上传“三会一课”记录等材料") }
            let pct = Int((r * 100).rounded())
            return CheckOutcome(met: r >= 1, detail: "组织生活合规月份占比\(pct)%")
        case .otherFourStars:
            let missing = Star.firstFour.subtracting(requested.stars)
            return CheckOutcome(met: missing.isEmpty, detail: missing.isEmpty ? "已申报其它四颗星" : "尚缺\(missing.sorted().map(\.label).joined(separator: "、"))")
        }
    }
}

/// 支部报星: the branch's answer to one criterion.
public struct CriterionAnswer: Codable, Sendable, Equatable {
    public var met: Bool?
    public var text: String
    public var attachments: [String]
    /// Frozen outcome of a computed criterion at submission.
    public var computed: CheckOutcome?
    public init(met: Bool? = nil, text: String = "", attachments: [String] = [], computed: CheckOutcome? = nil) {
        self.met = met; self.text = text; self.attachments = attachments; self.computed = computed
    }
}

public enum SelfAssessment {
    public static let maxText = 2000

    /// Validates an application (R-3, R-6 cap, every criterion of every requested star
    /// answered). Field keys: `stars`, `criteria.<key>`.
    public static func validate(requested: StarSet, answers: [String: CriterionAnswer], scheme: RatingScheme, facts: BranchFacts) -> FieldErrors {
        var e = FieldErrors()
        if requested.level == 0 { e.add("stars", "请至少申报一颗星") }
        if let r3 = StarRating.r3Violation(requested) { e.add("stars", r3) }
        if let m = facts.market, let cap = m.cap, requested.level > cap {
            e.add("stars", (m.reason ?? "") + "；本次申报了\(requested.level)颗星")
        }
        for (k, a) in answers where a.text.unicodeScalars.count > maxText { e.add("criteria.\(k)", "说明不能超过\(maxText)个字") }
        for star in requested.sorted {
            for c in scheme.criteria(of: star) {
                let a = answers[c.key] ?? CriterionAnswer()
                if e["criteria.\(c.key)"] != nil { continue }
                if let check = c.check {
                    let o = check.evaluate(facts, requested: requested)
                    if o.met == false { e.add("criteria.\(c.key)", "\(star.label)：“\(c.text)”不符合——\(o.detail)"); continue }
                    if o.met == true { continue }
                }
                if a.met != true {
                    e.add("criteria.\(c.key)", "申报\(star.label)须确认“\(c.text)”")
                } else if a.text.trimmingSpaces.isEmpty && a.attachments.isEmpty {
                    e.add("criteria.\(c.key)", "请填写说明或上传佐证材料")
                }
            }
        }
        return e
    }
}
