/// DOMAIN §3, R-9 (seed 000 §9.2, seed 002 §四): a Party-building brand's life.
/// 定名 → 培育 → 申报 (a branch's application passes its organ committee, which forwards it to
/// the supervising committee or returns it) → 初选 → 考察 (public comment) → 命名 → yearly
/// 复核 → confirmed, 整改 with a deadline, or 取消. Returned applications carry reasons and
/// are submitted again.
public enum BrandState: String, Sendable, Codable, CaseIterable {
    case draft          // 定名
    case cultivating    // 培育
    case submitted      // 申报：待机关党委审核
    case forwarded      // 申报：待工委受理
    case returned       // 退回，待重新申报
    case preliminary    // 初选（专家评审、服务对象意见）
    case review         // 考察（公开评议）
    case named          // 已命名
    case rectifying     // 复核整改中
    case revoked        // 已取消

    public var label: String {
        switch self {
        case .draft: return "定名"
        case .cultivating: return "培育"
        case .submitted: return "申报（待机关党委审核）"
        case .forwarded: return "申报（待工委受理）"
        case .returned: return "退回待重新申报"
        case .preliminary: return "初选"
        case .review: return "考察（公开评议）"
        case .named: return "已命名"
        case .rectifying: return "复核整改中"
        case .revoked: return "已取消"
        }
    }

    /// Short label for charts and badges.
    public var short: String {
        switch self {
        case .draft: return "定名"
        case .cultivating: return "培育"
        case .submitted, .forwarded: return "申报"
        case .returned: return "退回"
        case .preliminary: return "初选"
        case .review: return "考察"
        case .named: return "命名"
        case .rectifying: return "整改"
        case .revoked: return "取消"
        }
    }

    /// The brand keeps its name (showcase, named-brand facts): named, or named and in rectification.
    public var holdsName: Bool { self == .named || self == .rectifying }
    /// The owner may still change the application's content.
    public var isEditable: Bool { [.draft, .cultivating, .returned].contains(self) }
}

/// Who acts on a brand, by where their grant sits relative to the brand's organization.
public enum BrandActor: String, Sendable, CaseIterable, Codable {
    case owner            // the brand's own organization (支部书记, 单位党务干部 for a unit's brand …)
    case organCommittee   // 机关党委 (or 党组) above the owner
    case committee        // 工委: the supervising committee

    public var label: String {
        switch self {
        case .owner: return "创建组织"
        case .organCommittee: return "机关党委"
        case .committee: return "工委"
        }
    }
}

/// seed 002 §二: concepts returned for re-application.
public enum BrandReturnReason: String, Sendable, Codable, CaseIterable {
    case vague          // 品牌概念模糊
    case mispositioned  // 定位不准确
    case indistinct     // 缺乏特色
    case notSelected    // 初选或考察未通过
    case other

    public var label: String {
        switch self {
        case .vague: return "品牌概念模糊"
        case .mispositioned: return "定位不准确"
        case .indistinct: return "缺乏特色"
        case .notSelected: return "未通过初选或考察"
        case .other: return "其他"
        }
    }
}

/// the outcome of a yearly re-review.
public enum BrandReReviewOutcome: String, Sendable, Codable, CaseIterable {
    case confirm, rectify, revoke
    public var label: String {
        switch self {
        case .confirm: return "继续确认命名"
        case .rectify: return "责成专项整改"
        case .revoke: return "取消品牌名称"
        }
    }
}

public enum BrandEvent: Sendable, Equatable {
    /// 定名 → 培育.
    case cultivate
    /// 培育 / 退回 → 申报. Without an organ committee between the owner and the committee
    /// (a unit's own brand, a branch directly under the committee) it goes straight to the committee.
    case submit(viaOrganCommittee: Bool)
    /// 机关党委 passes the application on with its opinion.
    case forward(opinion: String)
    /// A reviewer sends the application back, with reasons.
    case returnBack(reasons: [BrandReturnReason], note: String)
    /// 工委 takes the application into preliminary selection.
    case accept
    /// 初选 → 考察: chosen as a candidate.
    case shortlist
    /// 考察 → 命名, by the party group's decision.
    case name(document: String, on: Day)
    /// yearly re-review of a named brand (or one in rectification).
    case reReview(BrandReReviewOutcome, deadline: Day?)

    public var kind: Kind {
        switch self {
        case .cultivate: return .cultivate
        case .submit: return .submit
        case .forward: return .forward
        case .returnBack: return .returnBack
        case .accept: return .accept
        case .shortlist: return .shortlist
        case .name: return .name
        case .reReview(let o, _):
            switch o { case .confirm: return .confirm; case .rectify: return .rectify; case .revoke: return .revoke }
        }
    }

    public enum Kind: String, Sendable, CaseIterable, Codable {
        case cultivate, submit, forward, returnBack = "return", accept, shortlist, name, confirm, rectify, revoke
        public var label: String {
            switch self {
            case .cultivate: return "进入培育"
            case .submit: return "申报"
            case .forward: return "审核通过并报送工委"
            case .returnBack: return "退回重新申报"
            case .accept: return "受理，进入初选"
            case .shortlist: return "确定为候选品牌"
            case .name: return "命名"
            case .confirm: return "复核：继续确认"
            case .rectify: return "复核：责成整改"
            case .revoke: return "取消品牌名称"
            }
        }
    }
}

public enum BrandTransitionError: Error, Sendable, Equatable {
    /// Not possible from this state (409).
    case wrongState(String)
    /// Possible, but not by this user (403).
    case notYourTurn(String)
    /// Bad input for the step (422).
    case invalid(FieldErrors)
}

public enum BrandLifecycle {
    /// Every legal step: from which states, by whom. Anything else is refused.
    public static func rule(_ kind: BrandEvent.Kind) -> (from: Set<BrandState>, by: (BrandState) -> BrandActor) {
        switch kind {
        case .cultivate: return ([.draft], { _ in .owner })
        case .submit: return ([.cultivating, .returned], { _ in .owner })
        case .forward: return ([.submitted], { _ in .organCommittee })
        case .returnBack: return ([.submitted, .forwarded, .preliminary, .review], { $0 == .submitted ? .organCommittee : .committee })
        case .accept: return ([.forwarded], { _ in .committee })
        case .shortlist: return ([.preliminary], { _ in .committee })
        case .name: return ([.review], { _ in .committee })
        case .confirm, .revoke: return ([.named, .rectifying], { _ in .committee })
        case .rectify: return ([.named], { _ in .committee })
        }
    }

    /// The steps open from `state`, with who takes each (for the UI: only these are offered).
    public static func steps(from state: BrandState) -> [(BrandEvent.Kind, BrandActor)] {
        BrandEvent.Kind.allCases.compactMap { k in
            let r = rule(k)
            return r.from.contains(state) ? (k, r.by(state)) : nil
        }
    }

    /// the next state, or why not. `actors` are the roles the user holds for this brand.
    public static func apply(_ event: BrandEvent, to state: BrandState, by actors: Set<BrandActor>, today: Day) -> Result<BrandState, BrandTransitionError> {
        let kind = event.kind
        let r = rule(kind)
        guard r.from.contains(state) else {
            return .failure(.wrongState("品牌当前为“\(state.label)”，不能\(kind.label)"))
        }
        let who = r.by(state)
        guard actors.contains(who) else {
            return .failure(.notYourTurn("“\(kind.label)”应由\(who.label)办理"))
        }
        var e = FieldErrors()
        let next: BrandState
        switch event {
        case .cultivate: next = .cultivating
        case .submit(let via): next = via ? .submitted : .forwarded
        case .forward(let opinion):
            _ = Check.required(opinion, "opinion", "机关党委意见", max: 500, into: &e)
            next = .forwarded
        case .returnBack(let reasons, let note):
            if reasons.isEmpty { e.add("reasons", "请选择退回原因") }
            if reasons.contains(.other) { _ = Check.required(note, "note", "退回说明", max: 500, into: &e) }
            else { _ = Check.optional(note, "note", "退回说明", max: 500, into: &e) }
            next = .returned
        case .accept: next = .preliminary
        case .shortlist: next = .review
        case .name(let doc, let on):
            if let m = BrandDocument.check(doc, on: on) { e.add("document", m) }
            if on > today { e.add("decidedOn", "命名日期不能晚于今天") }
            next = .named
        case .reReview(let outcome, let deadline):
            switch outcome {
            case .confirm: next = .named
            case .revoke: next = .revoked
            case .rectify:
                if let d = deadline {
                    if d <= today { e.add("deadline", "整改期限应晚于今天") }
                    else if d > today.adding(days: 366) { e.add("deadline", "整改期限不能超过一年") }
                } else { e.add("deadline", "请填写整改期限") }
                next = .rectifying
            }
        }
        return e.isEmpty ? .success(next) : .failure(.invalid(e))
    }
}

/// a naming decision's document number, such as `宛自然资党〔2023〕21号`.
public enum BrandDocument {
    /// nil when well-formed, else the message. The year in 〔〕 must be the decision's year.
    public static func check(_ doc: String, on: Day) -> String? {
        let d = doc.trimmingSpaces
        if d.isEmpty { return "请填写命名文件文号" }
        if d.unicodeScalars.count > 40 { return "文号不能超过40个字" }
        guard let open = d.firstIndex(of: "〔"), let close = d.firstIndex(of: "〕"), open < close, d.hasSuffix("号") else {
            return "文号格式应为“机关代字〔年份〕序号号”，如 宛自然资党〔2023〕21号"
        }
        let prefix = d[..<open], year = d[d.index(after: open)..<close], number = d[d.index(after: close)..<d.index(before: d.endIndex)]
        guard !prefix.isEmpty, year.count == 4, let y = Int(year), !number.isEmpty, number.allSatisfy(\.isASCII), let n = Int(number), n > 0 else {
            return "文号格式应为“机关代字〔年份〕序号号”，如 宛自然资党〔2023〕21号"
        }
        if y != on.year { return "文号中的年份（\(y)）应与命名日期的年份（\(on.year)）一致" }
        return nil
    }
}

/// what is overdue about a named brand on a day.
public enum BrandReReview {
    /// The year whose re-review is missing once that year is over: a brand named in year N is
    /// re-reviewed every year from N+1; nil when nothing is overdue.
    public static func overdueYear(namedOn: Day, reviewedYears: Set<Int>, today: Day) -> Int? {
        let last = today.year - 1
        guard namedOn.year < last else { return nil }
        for y in stride(from: last, to: namedOn.year, by: -1) where !reviewedYears.contains(y) { return y }
        return nil
    }

    /// The re-review of this year is still to be done (not yet overdue).
    public static func isDue(namedOn: Day, reviewedYears: Set<Int>, today: Day) -> Bool {
        namedOn.year < today.year && !reviewedYears.contains(today.year)
    }

    /// A brand in rectification past its deadline is proposed for revocation.
    public static func proposeRevocation(state: BrandState, deadline: Day?, today: Day) -> Bool {
        guard state == .rectifying, let d = deadline else { return false }
        return today > d
    }
}
