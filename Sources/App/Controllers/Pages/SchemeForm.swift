import Domain

/// The scheme edit form ↔ `RatingScheme`: criteria rows per star (an emptied text removes a
/// criterion, blank rows add new ones), the chain, thresholds, consequences per level and the
/// model-organ reward. Numbers that do not parse are reported beside their field.
enum SchemeForm {
    /// Blank criterion rows offered per star for new items.
    static let blankRows = 2

    struct Row: Encodable { var index: Int; var key: String; var text: String; var check: String; var error: String? }
    struct StarRows: Encodable { var star: String; var label: String; var rows: [Row]; var error: String? }
    struct Number: Encodable { var name: String; var label: String; var value: String; var hint: String; var error: String? }
    struct Consequence: Encodable {
        var level: Int; var quota: String; var commendation: String; var interview: Bool; var rectification: Bool; var note: String; var error: String?
    }
    struct Fields: Encodable {
        var name: String
        var stars: [StarRows]
        var chain: [Number]
        var thresholds: [Number]
        var lowInclusive: Bool
        var consequences: [Consequence]
        var modelCommendation: String
        var modelQuota: String
        var modelQuotaError: String?
        var checks: [SelectOption]
    }

    static let chainNumbers: [(String, String, String, WritableKeyPath<ChainRule, Int>)] = [
        ("unitDecidesUpTo", "单位（党组）审定星级上限", "此星级及以下由单位审定后报县级备案", \.unitDecidesUpTo),
        ("countyCertifiesUpTo", "县级认定星级上限", "高于此星级由市级验星", \.countyCertifiesUpTo),
        ("noticeFromLevel", "公示起始星级", "此星级及以上须公示亮星", \.noticeFromLevel),
        ("noticeWorkingDays", "公示期（工作日）", "不少于5个工作日", \.noticeWorkingDays),
        ("spotCheckSampleSize", "县级抽查数量", "每次从备案支部中随机抽取的个数", \.spotCheckSampleSize),
    ]
    static let thresholdNumbers: [(String, String, String, WritableKeyPath<Thresholds, Int>)] = [
        ("modelOrganSharePercent", "模范机关：三星以上支部占比（%）", "达到此比例可评五星模范机关", \.modelOrganSharePercent),
        ("awardableSharePercent", "评优资格：三星以上支部占比下限（%）", "低于此比例当年不得评优评先", \.awardableSharePercent),
        ("goodLevel", "“三星以上”指的星级", "", \.goodLevel),
        ("minFiveStarBranches", "模范机关：五星支部至少（个）", "", \.minFiveStarBranches),
        ("lowLevel", "“二星以下”指的星级", "", \.lowLevel),
        ("marketBottomCount", "市场主体评：后N名限星", "", \.marketBottomCount),
        ("marketCapLevel", "市场主体评：后N名最多申报（星）", "", \.marketCapLevel),
        ("rectificationDays", "整改期限（天）", "一票否决或一星支部的整改期限", \.rectificationDays),
    ]

    /// The form showing a scheme (and, after a failed save, what was typed with its errors).
    static func fields(_ s: RatingScheme, typed f: [String: String]? = nil, errors e: FieldErrors = FieldErrors()) -> Fields {
        func v(_ name: String, _ value: String) -> String { f?[name] ?? value }
        let stars = Star.allCases.map { star -> StarRows in
            var rows = s.criteria(of: star).enumerated().map { i, c in
                Row(index: i, key: c.key, text: v("c_\(star.rawValue)_\(i)_text", c.text), check: v("c_\(star.rawValue)_\(i)_check", c.check?.rawValue ?? ""),
                    error: e["criteria.\(c.key)"])
            }
            let n = rows.count
            for j in 0..<blankRows {
                let i = n + j
                rows.append(Row(index: i, key: "", text: f?["c_\(star.rawValue)_\(i)_text"] ?? "", check: f?["c_\(star.rawValue)_\(i)_check"] ?? "",
                                error: e["criteria.\(star.rawValue).new\(i)"]))
            }
            return StarRows(star: star.rawValue, label: star.label, rows: rows, error: e["stars.\(star.rawValue)"])
        }
        let chain = chainNumbers.map { Number(name: $0.0, label: $0.1, value: v($0.0, String(s.chain[keyPath: $0.3])), hint: $0.2, error: e[$0.0]) }
        var th = thresholdNumbers.map { Number(name: $0.0, label: $0.1, value: v($0.0, String(s.thresholds[keyPath: $0.3])), hint: $0.2, error: e[$0.0]) }
        th.insert(Number(name: "marketVetoScore", label: "市场主体评：倒数第一低于此分一票否决", value: v("marketVetoScore", StarRating.formatScore(s.thresholds.marketVetoScore)),
                         hint: "", error: e["marketVetoScore"]), at: 7)
        let cons = (0...5).map { l -> Consequence in
            let c = s.consequence(for: l)
            return Consequence(level: l, quota: v("q_\(l)_quota", String(c.quotaDeltaPercent)), commendation: v("q_\(l)_commendation", c.commendation ?? ""),
                               interview: f.map { $0["q_\(l)_interview"] != nil } ?? c.secretaryInterview,
                               rectification: f.map { $0["q_\(l)_rectification"] != nil } ?? c.rectification,
                               note: v("q_\(l)_note", c.note ?? ""), error: e["consequences.\(l)"])
        }
        return Fields(name: v("name", s.name), stars: stars, chain: chain, thresholds: th,
                      lowInclusive: f.map { $0["lowInclusive"] != nil } ?? s.thresholds.lowInclusive,
                      consequences: cons, modelCommendation: v("modelCommendation", s.modelOrgan.commendation),
                      modelQuota: v("modelQuota", String(s.modelOrgan.quotaDeltaPercent)), modelQuotaError: e["modelOrgan.quotaDeltaPercent"] ?? e["modelQuota"],
                      checks: [SelectOption(value: "", label: "提供说明和佐证材料", selected: false)]
                        + ComputedCheck.allCases.map { SelectOption(value: $0.rawValue, label: "平台计算：" + $0.label, selected: false) })
    }

    /// The scheme a submitted form describes, starting from `base` (keys of kept criteria are kept,
    /// so answers given under an older version still line up).
    static func parse(_ f: [String: String], base: RatingScheme) -> (RatingScheme, FieldErrors) {
        var s = base
        var e = FieldErrors()
        s.name = (f["name"] ?? "").trimmingSpaces
        var used = Set(base.allCriteria.map(\.key))
        s.stars = Star.allCases.map { star in
            let old = base.criteria(of: star)
            var out: [Criterion] = []
            for i in 0..<(old.count + blankRows) {
                let text = (f["c_\(star.rawValue)_\(i)_text"] ?? "").trimmingSpaces
                guard !text.isEmpty else { continue }
                let checkRaw = f["c_\(star.rawValue)_\(i)_check"] ?? ""
                let check = ComputedCheck(rawValue: checkRaw)
                if !checkRaw.isEmpty && check == nil { e.add("criteria.\(star.rawValue).new\(i)", "判定方式无效") }
                if i >= old.count && text.unicodeScalars.count > 300 { e.add("criteria.\(star.rawValue).new\(i)", "标准内容不能超过300个字"); continue }
                var key: String
                if i < old.count { key = old[i].key } else {
                    var n = i + 1
                    repeat { key = "\(star.rawValue).item\(n)"; n += 1 } while used.contains(key)
                    used.insert(key)
                }
                out.append(Criterion(key: key, text: text, check: check))
            }
            return StarCriteria(star: star, criteria: out)
        }
        func int(_ name: String, _ label: String) -> Int? {
            let t = (f[name] ?? "").trimmingSpaces
            guard let n = Int(t) else { e.add(name, "\(label)应为整数"); return nil }
            return n
        }
        for (name, label, _, kp) in chainNumbers { if let n = int(name, label) { s.chain[keyPath: kp] = n } }
        for (name, label, _, kp) in thresholdNumbers { if let n = int(name, label) { s.thresholds[keyPath: kp] = n } }
        if let d = Double((f["marketVetoScore"] ?? "").trimmingSpaces) { s.thresholds.marketVetoScore = d }
        else { e.add("marketVetoScore", "否决分数线应为数字") }
        s.thresholds.lowInclusive = f["lowInclusive"] != nil
        s.consequences = (0...5).map { l in
            let quotaText = (f["q_\(l)_quota"] ?? "0").trimmingSpaces
            let quota = quotaText.isEmpty ? 0 : Int(quotaText)
            if quota == nil { e.add("consequences.\(l)", "\(l)星的优秀比例调整应为整数") }
            func opt(_ k: String) -> String? { let t = (f[k] ?? "").trimmingSpaces; return t.isEmpty ? nil : t }
            for k in ["commendation", "note"] where (f["q_\(l)_\(k)"] ?? "").unicodeScalars.count > 300 {
                e.add("consequences.\(l)", "\(l)星的说明不能超过300个字")
            }
            return LevelConsequence(level: l, quotaDeltaPercent: quota ?? 0, commendation: opt("q_\(l)_commendation"),
                                    secretaryInterview: f["q_\(l)_interview"] != nil, rectification: f["q_\(l)_rectification"] != nil,
                                    note: opt("q_\(l)_note"))
        }
        s.modelOrgan.commendation = (f["modelCommendation"] ?? "").trimmingSpaces
        if s.modelOrgan.commendation.isEmpty { e.add("modelCommendation", "请填写模范机关的表彰内容") }
        if let q = int("modelQuota", "模范机关优秀比例调整") { s.modelOrgan.quotaDeltaPercent = q }
        // the domain's own checks, unless a number already failed to parse
        let domain = s.validate()
        for k in domain.order where e[k] == nil { e.add(k, domain[k]!) }
        return (s, e)
    }
}
