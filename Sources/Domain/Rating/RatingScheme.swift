/// DOMAIN §2, last paragraph: the star criteria, the review chain (which level decides
/// which star levels), the thresholds and the consequences are one scheme, stored as data,
/// so a county with other numbers runs its own scheme without new code. Versions are
/// immutable once a rating year is bound to them.
public struct RatingScheme: Codable, Sendable, Equatable {
    public var name: String
    public var stars: [StarCriteria]
    public var chain: ChainRule
    public var thresholds: Thresholds
    public var consequences: [LevelConsequence]
    public var modelOrgan: ModelOrganReward

    public init(name: String, stars: [StarCriteria], chain: ChainRule, thresholds: Thresholds,
                consequences: [LevelConsequence], modelOrgan: ModelOrganReward) {
        self.name = name; self.stars = stars; self.chain = chain; self.thresholds = thresholds
        self.consequences = consequences; self.modelOrgan = modelOrgan
    }

    public func criteria(of star: Star) -> [Criterion] { stars.first { $0.star == star }?.criteria ?? [] }
    public var allCriteria: [Criterion] { Star.allCases.flatMap { criteria(of: $0) } }
    public func criterion(_ key: String) -> Criterion? { allCriteria.first { $0.key == key } }
    public func star(ofCriterion key: String) -> Star? { stars.first { $0.criteria.contains { $0.key == key } }?.star }
}

public struct StarCriteria: Codable, Sendable, Equatable {
    public var star: Star
    public var criteria: [Criterion]
    public init(star: Star, criteria: [Criterion]) { self.star = star; self.criteria = criteria }
}

/// One checkable item of a star. `check` set: the platform computes it from its own records;
/// nil: the branch answers it with an explanation and evidence.
public struct Criterion: Codable, Sendable, Equatable {
    public var key: String
    public var text: String
    public var check: ComputedCheck?
    public init(key: String, text: String, check: ComputedCheck? = nil) { self.key = key; self.text = text; self.check = check }
}

/// The criteria the platform can answer from records (DOMAIN §2).
public enum ComputedCheck: String, Codable, Sendable, CaseIterable {
    case termNotOverdue        // 未出现党支部未按期换届
    case secretaryInPost       // 党支部书记不空岗
    case marketNotBottom       // 未在市场主体评中排名靠后
    case meetingsCompliant     // 组织生活制度落实（组织生活记录上线后计算）
    case otherFourStars        // 已获评其它4颗星（R-3）

    public var label: String {
        switch self {
        case .termNotOverdue: return "按期换届（据组织换届记录）"
        case .secretaryInPost: return "书记在岗（据组织信息）"
        case .marketNotBottom: return "市场主体评排名（据导入结果）"
        case .meetingsCompliant: return "组织生活合规（据组织生活记录）"
        case .otherFourStars: return "已申报其它4颗星"
        }
    }
}

/// which step decides which levels. The unit (party group) decides levels up to
/// `unitDecidesUpTo` and files them; the county level certifies up to `countyCertifiesUpTo`;
/// higher levels are verified by the city level. Levels from `noticeFromLevel` up are
/// publicly noticed for at least `noticeWorkingDays` working days.
public struct ChainRule: Codable, Sendable, Equatable {
    public var unitDecidesUpTo: Int
    public var countyCertifiesUpTo: Int
    public var noticeFromLevel: Int
    public var noticeWorkingDays: Int
    /// How many filed (≤ unit level) ratings the county spot-checks per draw.
    public var spotCheckSampleSize: Int

    public init(unitDecidesUpTo: Int = 3, countyCertifiesUpTo: Int = 4, noticeFromLevel: Int = 4, noticeWorkingDays: Int = 5, spotCheckSampleSize: Int = 2) {
        self.unitDecidesUpTo = unitDecidesUpTo; self.countyCertifiesUpTo = countyCertifiesUpTo
        self.noticeFromLevel = noticeFromLevel; self.noticeWorkingDays = noticeWorkingDays; self.spotCheckSampleSize = spotCheckSampleSize
    }
}

public struct Thresholds: Codable, Sendable, Equatable {
    /// share of branches at ≥ `goodLevel` stars for a model organ, in percent.
    public var modelOrganSharePercent: Int
    /// a unit below this share at ≥ `goodLevel` may not be awarded that year.
    public var awardableSharePercent: Int
    public var goodLevel: Int
    /// at least this many 5-star branches.
    public var minFiveStarBranches: Int
    /// R-7/R-8 "二星以下": `lowLevel` stars; read as "fewer than" unless `lowInclusive`.
    public var lowLevel: Int
    public var lowInclusive: Bool
    /// sections in the city's last `marketBottomCount` may apply for at most `marketCapLevel` stars.
    public var marketBottomCount: Int
    public var marketCapLevel: Int
    /// the last section with a score below this is vetoed.
    public var marketVetoScore: Double
    /// Days allowed for a rectification opened by a veto or a one-star result.
    public var rectificationDays: Int

    public init(modelOrganSharePercent: Int = 80, awardableSharePercent: Int = 50, goodLevel: Int = 3, minFiveStarBranches: Int = 1,
                lowLevel: Int = 2, lowInclusive: Bool = false, marketBottomCount: Int = 10, marketCapLevel: Int = 2,
                marketVetoScore: Double = 75, rectificationDays: Int = 90) {
        self.modelOrganSharePercent = modelOrganSharePercent; self.awardableSharePercent = awardableSharePercent
        self.goodLevel = goodLevel; self.minFiveStarBranches = minFiveStarBranches; self.lowLevel = lowLevel
        self.lowInclusive = lowInclusive; self.marketBottomCount = marketBottomCount; self.marketCapLevel = marketCapLevel
        self.marketVetoScore = marketVetoScore; self.rectificationDays = rectificationDays
    }

    /// "二星以下" under the configured reading.
    public func isLow(_ level: Int) -> Bool { lowInclusive ? level <= lowLevel : level < lowLevel }

    public var lowLabel: String { lowInclusive ? "\(lowLevel)星及以下" : "低于\(lowLevel)星" }
}

/// what a level brings (seed 001 §四(五)3).
public struct LevelConsequence: Codable, Sendable, Equatable {
    public var level: Int
    /// Change of the unit's 年度考核优秀 quota for the branch's people, in percent points.
    public var quotaDeltaPercent: Int
    public var commendation: String?
    public var secretaryInterview: Bool
    public var rectification: Bool
    public var note: String?

    public init(level: Int, quotaDeltaPercent: Int = 0, commendation: String? = nil, secretaryInterview: Bool = false,
                rectification: Bool = false, note: String? = nil) {
        self.level = level; self.quotaDeltaPercent = quotaDeltaPercent; self.commendation = commendation
        self.secretaryInterview = secretaryInterview; self.rectification = rectification; self.note = note
    }
}

public struct ModelOrganReward: Codable, Sendable, Equatable {
    public var commendation: String
    public var quotaDeltaPercent: Int
    public init(commendation: String, quotaDeltaPercent: Int) { self.commendation = commendation; self.quotaDeltaPercent = quotaDeltaPercent }
}

public extension RatingScheme {
    /// The built-in scheme: 南阳市自然资源和规划局 (seed 001 §四(五)), 宛自然资党〔2023〕21号.
    static let nanyang = RatingScheme(
        name: "南阳市自然资源和规划局五星支部创建方案（宛自然资党〔2023〕21号）",
        stars: [
            StarCriteria(star: .political, criteria: [
                Criterion(key: "political.study", text: "支部学习氛围浓厚，理论学习常态化开展"),
                Criterion(key: "political.ideology", text: "未出现意识形态工作责任制落实不力的情况"),
                Criterion(key: "political.firstTopic", text: "未出现“第一议题”制度落实不力的情况"),
                Criterion(key: "political.onlineStudy", text: "完成学习强国及河南干部网络学院学习任务"),
            ]),
            StarCriteria(star: .business, criteria: [
                Criterion(key: "business.rank", text: "业务工作在省内处于第一方阵：有排名的在前6名，没有排名的创出典型经验"),
                Criterion(key: "business.bottomLine", text: "未出现重大舆情、安全生产、金融风险、社会治安、信访稳定等底线问题"),
                Criterion(key: "business.criticized", text: "未受到上级部门通报批评"),
            ]),
            StarCriteria(star: .service, criteria: [
                Criterion(key: "service.tasks", text: "完成就业创业、企业发展、招商引资、项目建设、营商环境等任务"),
                Criterion(key: "service.market", text: "未在市以上评议评价（市场主体评）中排名靠后", check: .marketNotBottom),
            ]),
            StarCriteria(star: .integrity, criteria: [
                Criterion(key: "integrity.effective", text: "工作务实高效，清廉机关建设卓有成效"),
                Criterion(key: "integrity.violation", text: "未出现党员干部职工违法违纪情形"),
                Criterion(key: "integrity.exposed", text: "未因不作为慢作为乱作为、作风漂浮虚化等问题被公开曝光或受上级通报批评"),
            ]),
            StarCriteria(star: .strong, criteria: [
                Criterion(key: "strong.roles", text: "党支部战斗堡垒作用和党员先锋模范作用（“两个作用”）发挥好"),
                Criterion(key: "strong.term", text: "未出现党支部未按期换届", check: .termNotOverdue),
                Criterion(key: "strong.secretary", text: "未出现党支部书记空岗", check: .secretaryInPost),
                Criterion(key: "strong.system", text: "未出现组织生活等制度落实不到位", check: .meetingsCompliant),
                Criterion(key: "strong.nonMember", text: "未出现非党员从事党务工作"),
                Criterion(key: "strong.otherFour", text: "已经获评其它4颗星", check: .otherFourStars),
            ]),
        ],
        chain: ChainRule(),
        thresholds: Thresholds(),
        consequences: [
            LevelConsequence(level: 5, quotaDeltaPercent: 10, commendation: "由市委组织部通报表扬", note: "市级以上“两优一先”表彰优先推荐"),
            LevelConsequence(level: 4, quotaDeltaPercent: 5, commendation: "由市直工委通报表扬", note: "市级以上“两优一先”表彰优先推荐"),
            LevelConsequence(level: 3),
            LevelConsequence(level: 2, quotaDeltaPercent: -10),
            LevelConsequence(level: 1, secretaryInterview: true, rectification: true),
            LevelConsequence(level: 0),
        ],
        modelOrgan: ModelOrganReward(commendation: "授予“五星”模范机关，由市委通报表扬；干部使用、评优评先、文明单位创建等方面优先考虑", quotaDeltaPercent: 5))

    /// Checks a scheme an admin edited; messages name the field.
    func validate() -> FieldErrors {
        var e = FieldErrors()
        if name.trimmingSpaces.isEmpty { e.add("name", "方案名称不能为空") }
        if name.unicodeScalars.count > 100 { e.add("name", "方案名称不能超过100个字") }
        if Set(stars.map(\.star)) != Set(Star.allCases) || stars.count != 5 { e.add("stars", "方案须包含全部五颗星") }
        var keys = Set<String>()
        for s in stars {
            if s.criteria.isEmpty { e.add("stars.\(s.star.rawValue)", "\(s.star.label)至少要有一条评星标准") }
            for c in s.criteria {
                if c.text.trimmingSpaces.isEmpty { e.add("criteria.\(c.key)", "\(s.star.label)的标准内容不能为空") }
                if c.text.unicodeScalars.count > 300 { e.add("criteria.\(c.key)", "标准内容不能超过300个字") }
                if !keys.insert(c.key).inserted { e.add("criteria.\(c.key)", "标准编号重复") }
            }
        }
        let c = chain
        if !(1...5).contains(c.unitDecidesUpTo) { e.add("unitDecidesUpTo", "单位审定星级上限应在1到5之间") }
        if !(c.unitDecidesUpTo...5).contains(c.countyCertifiesUpTo) { e.add("countyCertifiesUpTo", "县级认定星级上限应在单位审定上限到5之间") }
        if !(1...5).contains(c.noticeFromLevel) { e.add("noticeFromLevel", "公示起始星级应在1到5之间") }
        if !(5...30).contains(c.noticeWorkingDays) { e.add("noticeWorkingDays", "公示期应为5到30个工作日（不少于5个工作日）") }
        if !(0...100).contains(c.spotCheckSampleSize) { e.add("spotCheckSampleSize", "抽查数量应在0到100之间") }
        let t = thresholds
        if !(1...100).contains(t.modelOrganSharePercent) { e.add("modelOrganSharePercent", "模范机关三星以上占比应在1到100之间") }
        if !(0...100).contains(t.awardableSharePercent) { e.add("awardableSharePercent", "评优占比下限应在0到100之间") }
        if !(1...5).contains(t.goodLevel) { e.add("goodLevel", "星级应在1到5之间") }
        if !(0...100).contains(t.minFiveStarBranches) { e.add("minFiveStarBranches", "五星支部数量应在0到100之间") }
        if !(1...5).contains(t.lowLevel) { e.add("lowLevel", "星级应在1到5之间") }
        if !(0...1000).contains(t.marketBottomCount) { e.add("marketBottomCount", "后N名应在0到1000之间") }
        if !(0...5).contains(t.marketCapLevel) { e.add("marketCapLevel", "星级上限应在0到5之间") }
        if !(0...100).contains(t.marketVetoScore) { e.add("marketVetoScore", "否决分数线应在0到100之间") }
        if !(1...730).contains(t.rectificationDays) { e.add("rectificationDays", "整改期限应在1到730天之间") }
        var levels = Set<Int>()
        for q in consequences {
            if !(0...5).contains(q.level) { e.add("consequences", "结果运用的星级应在0到5之间（收到\(q.level)）") }
            else if !levels.insert(q.level).inserted { e.add("consequences.\(q.level)", "\(q.level)星的结果运用重复") }
            if !(-100...100).contains(q.quotaDeltaPercent) { e.add("consequences.\(q.level)", "优秀比例调整应在-100到100之间") }
        }
        if !(-100...100).contains(modelOrgan.quotaDeltaPercent) { e.add("modelOrgan.quotaDeltaPercent", "模范机关优秀比例调整应在-100到100之间") }
        if modelOrgan.commendation.unicodeScalars.count > 300 { e.add("modelOrgan.commendation", "模范机关表彰内容不能超过300个字") }
        return e
    }

    func consequence(for level: Int) -> LevelConsequence { consequences.first { $0.level == level } ?? LevelConsequence(level: level) }
}
