/// DOMAIN §7 (seed 001 §四(四), seed 000 §12.5): the problem ledger (问题台账).
public enum ProblemSource: String, Sendable, Codable, CaseIterable {
    case quarterly      // 季度观察
    case spotCheck      // 抽查
    case market         // 市场主体评
    case complaint      // 投诉举报、问题反映
    case inspection     // 巡察
    case noNotice       // 四不两直、明察暗访
    case marketVeto = "market_veto"   // created by 市场主体评 (R-6 veto)
    case oneStar = "one_star"         // created by a one-star result
    case ratingComplaint = "rating_complaint"   // created by an upheld complaint in a notice
    case brand                        // created by a brand rectification

    public var label: String {
        switch self {
        case .quarterly: return "季度观察"
        case .spotCheck: return "抽查"
        case .market: return "市场主体评"
        case .complaint: return "投诉举报"
        case .inspection: return "巡察"
        case .noNotice: return "明察暗访"
        case .marketVeto: return "市场主体评一票否决"
        case .oneStar: return "评定为一星"
        case .ratingComplaint: return "公示期间问题反映查实"
        case .brand: return "党建品牌整改"
        }
    }

    /// The sources an officer may record by hand; the others arrive from their modules.
    public static let manual: [ProblemSource] = [.quarterly, .spotCheck, .market, .complaint, .inspection, .noNotice]

}

/// open → rectified (整改完成，待验收) → verified (验收销号); a rejected verification goes back to open.
public enum ProblemStatus: String, Sendable, Codable, CaseIterable {
    case open, rectified, verified

    public var label: String {
        switch self {
        case .open: return "整改中"
        case .rectified: return "待验收"
        case .verified: return "已验收销号"
        }
    }
}

public enum ProblemStep: String, Sendable, Codable, CaseIterable {
    case progress, rectified, verify, reject

    public var label: String {
        switch self {
        case .progress: return "整改进展"
        case .rectified: return "申请验收"
        case .verify: return "验收通过"
        case .reject: return "验收不通过"
        }
    }

    /// The status a step leads to from `s`, nil when not allowed.
    public func next(from s: ProblemStatus) -> ProblemStatus? {
        switch (self, s) {
        case (.progress, .open): return .open
        case (.rectified, .open): return .rectified
        case (.verify, .rectified): return .verified
        case (.reject, .rectified): return .open
        default: return nil
        }
    }

    /// Verification is the supervisor's; progress and the request for it the org's.
    public var needsSupervisor: Bool { self == .verify || self == .reject }
}

public enum ProblemRules {
    public static func validate(source: String, aspect: String, description: String, found: String, deadline: String,
                                leader: String, measures: String, today: Day) -> (ProblemSource?, Star?, Day?, Day?, FieldErrors) {
        var e = FieldErrors()
        let src = ProblemSource(rawValue: source)
        if src == nil { e.add("source", "请选择问题来源") }
        let asp = Star(rawValue: aspect)
        if asp == nil { e.add("aspect", "请选择问题所属方面") }
        _ = Check.required(description, "description", "问题描述", max: 1000, into: &e)
        let f = Check.date(found, "foundOn", "发现日期", required: true, notAfter: today, into: &e)
        let d = Check.date(deadline, "deadline", "整改期限", required: true, into: &e)
        if let f, let d, d < f { e.add("deadline", "整改期限不能早于发现日期") }
        if let f, let d, d > f.adding(months: 12) { e.add("deadline", "整改期限不能超过发现后12个月") }
        _ = Check.required(leader, "leader", "责任领导", max: 30, into: &e)
        _ = Check.optional(measures, "measures", "整改措施", max: 2000, into: &e)
        return (src, asp, f, d, e)
    }
}
