/// R-10 (seed 000 §7.1–7.5, §9.2.3–9.2.4): experts score each application on the brand
/// requirements; the applications are ranked by their mean expert score, ties broken by the
/// service recipients' satisfaction; the top ones by a threshold or a quota become candidates.
public enum BrandCriterion: String, Sendable, Codable, CaseIterable {
    case name, philosophy, mechanism, carriers, effect

    public var label: String {
        switch self {
        case .name: return "品牌名称"
        case .philosophy: return "理念先进"
        case .mechanism: return "机制完善"
        case .carriers: return "建设载体"
        case .effect: return "富有效果"
        }
    }

    /// What the expert looks for (seed 000 §7, with §9.2.3 a–c).
    public var guide: String {
        switch self {
        case .name: return "名称鲜明、涵盖主题内涵、言简意赅；标识凝练、寓意深刻、便于识别，体现政治特色和本单位特色"
        case .philosophy: return "内涵定位准确、理念先进，与新时代党的建设总要求相契合，具有鲜明的时代特征"
        case .mechanism: return "有长期规划、年度计划和具体措施，工作机制健全，具备自我完善机制"
        case .carriers: return "建设载体和活动阵地完善，调动党员、积极分子和群众等不同群体的积极性"
        case .effect: return "初步成果明显，服务功能强，有广泛影响力和良好口碑，示范带动作用好"
        }
    }
}

public struct BrandSettings: Sendable, Codable, Equatable {
    /// R-10 criterion weights, adding up to 100.
    public var criteria: [String: Int]
    /// R-15 assessment part weights, adding up to 100.
    public var parts: [String: Int]

    public init(criteria: [String: Int], parts: [String: Int]) { self.criteria = criteria; self.parts = parts }

    public static let standard = BrandSettings(
        criteria: ["name": 15, "philosophy": 20, "mechanism": 20, "carriers": 20, "effect": 25],
        parts: ["basic": 30, "carriers": 30, "effect": 40])

    public func weight(_ c: BrandCriterion) -> Int { criteria[c.rawValue] ?? 0 }
    public func weight(_ p: BrandAssessmentPart) -> Int { parts[p.rawValue] ?? 0 }

    public func validate() -> FieldErrors {
        var e = FieldErrors()
        for c in BrandCriterion.allCases where !(0...100).contains(weight(c)) { e.add("criteria.\(c.rawValue)", "\(c.label)的权重应在0到100之间") }
        let cs = BrandCriterion.allCases.map(weight).reduce(0, +)
        if cs != 100 { e.add("criteria", "初选评分各项权重之和应为100，现为\(cs)") }
        for p in BrandAssessmentPart.allCases where !(0...100).contains(weight(p)) { e.add("parts.\(p.rawValue)", "\(p.label)的权重应在0到100之间") }
        let ps = BrandAssessmentPart.allCases.map(weight).reduce(0, +)
        if ps != 100 { e.add("parts", "考核各部分权重之和应为100，现为\(ps)") }
        return e
    }
}

public enum BrandSelection {
    /// One expert's sheet: every criterion scored 0…100 (whole numbers); the total is the
    /// weighted mean, one decimal.
    public static func total(_ scores: [BrandCriterion: Int], settings: BrandSettings) -> Double {
        let sum = BrandCriterion.allCases.reduce(0) { $0 + (scores[$1] ?? 0) * settings.weight($1) }
        return (Double(sum) / 10).rounded() / 10
    }

    public static func validate(_ raw: [String: String], comment: String) -> ([BrandCriterion: Int], FieldErrors) {
        var e = FieldErrors()
        var out: [BrandCriterion: Int] = [:]
        for c in BrandCriterion.allCases {
            let t = (raw[c.rawValue] ?? "").trimmingSpaces
            guard let v = Int(t), (0...100).contains(v) else { e.add(c.rawValue, t.isEmpty ? "请为“\(c.label)”打分" : "“\(c.label)”的分数应为0到100的整数"); continue }
            out[c] = v
        }
        _ = Check.required(comment, "comment", "评审意见", max: 1000, into: &e)
        return (out, e)
    }

    public struct Entry: Sendable, Equatable {
        public var id: String
        public var name: String
        public var expertTotals: [Double]
        /// 0…100 from the service recipients' survey; nil without answers.
        public var satisfaction: Double?
        public init(id: String, name: String, expertTotals: [Double], satisfaction: Double?) {
            self.id = id; self.name = name; self.expertTotals = expertTotals; self.satisfaction = satisfaction
        }
        /// Mean of the expert totals, one decimal; nil before any expert scored.
        public var mean: Double? {
            guard !expertTotals.isEmpty else { return nil }
            // in whole tenths, rounded half up (四舍五入), not in binary fractions
            let tenths = expertTotals.map { Int(($0 * 10).rounded()) }.reduce(0, +), n = expertTotals.count
            return Double((2 * tenths + n) / (2 * n)) / 10
        }
    }

    public struct Ranked: Sendable, Equatable {
        public var entry: Entry
        /// 1, 2, 2, 4 … — equal only when both the mean and the satisfaction are equal; nil when unscored.
        public var rank: Int?
    }

    /// Scored entries by mean (high first), equal means by satisfaction (high first; none
    /// counts lowest); then unscored ones by name.
    public static func rank(_ entries: [Entry]) -> [Ranked] {
        func key(_ e: Entry) -> (Double, Double) { (e.mean ?? -1, e.satisfaction ?? -1) }
        let scored = entries.filter { $0.mean != nil }.sorted { a, b in
            let ka = key(a), kb = key(b)
            if ka.0 != kb.0 { return ka.0 > kb.0 }
            if ka.1 != kb.1 { return ka.1 > kb.1 }
            return a.name < b.name
        }
        var out: [Ranked] = []
        for (i, e) in scored.enumerated() {
            if let p = out.last, key(p.entry) == key(e) { out.append(Ranked(entry: e, rank: p.rank)) }
            else { out.append(Ranked(entry: e, rank: i + 1)) }
        }
        out += entries.filter { $0.mean == nil }.sorted { $0.name < $1.name }.map { Ranked(entry: $0, rank: nil) }
        return out
    }

    public enum Rule: Sendable, Equatable {
        /// Mean expert score at least this.
        case threshold(Double)
        /// The first N by rank (entries tied with the N-th are in too).
        case quota(Int)
    }

    /// The ids that become candidates.
    public static func candidates(_ ranked: [Ranked], rule: Rule) -> [String] {
        switch rule {
        case .threshold(let t): return ranked.filter { ($0.entry.mean ?? -1) >= t }.map(\.entry.id)
        case .quota(let n): return ranked.filter { ($0.rank ?? Int.max) <= n }.map(\.entry.id)
        }
    }

    /// an expert may not score their own unit. `expertPaths` are where the expert sits
    /// (their grants' orgs and their own branch); `unitPath` is the applicant's unit.
    public static func isSameUnit(expertPaths: [String], unitPath: String) -> Bool {
        expertPaths.contains { $0.hasPrefix(unitPath) }
    }
}

/// R-15 (seed 000 §13): the organ committee scores each branch's brand creation per year.
public enum BrandAssessmentPart: String, Sendable, Codable, CaseIterable {
    case basic, carriers, effect
    public var label: String {
        switch self {
        case .basic: return "品牌基础工作"
        case .carriers: return "载体活动"
        case .effect: return "创建成效"
        }
    }
}

public enum BrandAssessment {
    /// Each part 0…100 with at most one decimal.
    public static func validate(_ raw: [String: String], comment: String) -> ([BrandAssessmentPart: Double], FieldErrors) {
        var e = FieldErrors()
        var out: [BrandAssessmentPart: Double] = [:]
        for p in BrandAssessmentPart.allCases {
            let t = (raw[p.rawValue] ?? "").trimmingSpaces
            guard let v = Double(t), (0...100).contains(v), (v * 10).rounded() == v * 10 else {
                e.add(p.rawValue, t.isEmpty ? "请填写“\(p.label)”得分" : "“\(p.label)”得分应为0到100之间的数，最多一位小数"); continue
            }
            out[p] = v
        }
        _ = Check.optional(comment, "comment", "评语", max: 1000, into: &e)
        return (out, e)
    }

    public static func total(_ parts: [BrandAssessmentPart: Double], settings: BrandSettings) -> Double {
        let sum = BrandAssessmentPart.allCases.reduce(0.0) { $0 + (parts[$1] ?? 0) * Double(settings.weight($1)) }
        return (sum / 10).rounded() / 10
    }
}
