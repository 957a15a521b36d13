/// the yearly rating of a branch runs through 支部报星 → 单位审星 (机关党委 proposes,
/// 党组 decides ≤ unit level and files it, recommends higher) → 县级核星 (spot-checks the
/// filed ones, certifies up to its level, recommends higher) → 市级验星 → 公示亮星 → final,
/// then 动态调星 in the ledger. A reviewer may lower the level (never raise it) or return the
/// application one step back with a reason.
public enum RatingStage: String, Sendable, CaseIterable, Codable {
    case draft               // 支部报星：填写中（或被退回）
    case submitted           // 待机关党委提出建议
    case unitProposed        // 待党组审定
    case filed               // 党组已审定（三星及以下），已备案，待县级抽查
    case spotCheck           // 被抽中，待县级核查
    case unitRecommended     // 待县级核星
    case countyRecommended   // 待市级验星
    case candidate           // 候选，待公示
    case inNotice            // 公示中
    case final               // 已评定
    case disqualified        // 公示期间问题查实，取消评选资格

    public var label: String {
        switch self {
        case .draft: return "支部填报中"
        case .submitted: return "待单位审星（机关党委提出建议）"
        case .unitProposed: return "待单位审星（党组审定）"
        case .filed: return "已审定备案"
        case .spotCheck: return "县级抽查中"
        case .unitRecommended: return "待县级核星"
        case .countyRecommended: return "待市级验星"
        case .candidate: return "候选，待公示"
        case .inNotice: return "公示中"
        case .final: return "已评定"
        case .disqualified: return "已取消评选资格"
        }
    }

    /// Who acts on a rating in this stage.
    public var actor: ReviewerKind? {
        switch self {
        case .draft: return .branch
        case .submitted: return .organCommittee
        case .unitProposed: return .partyGroup
        case .filed, .spotCheck, .unitRecommended: return .county
        case .countyRecommended: return .city
        case .candidate, .inNotice: return .county
        case .final, .disqualified: return nil
        }
    }

    /// The decided stars count for results (the rating is past the unit's decision).
    public var isDecided: Bool { [.filed, .spotCheck, .final].contains(self) }
    public var isClosed: Bool { self == .final || self == .disqualified }
}

/// The people of the chain, by where their grant sits relative to the branch.
public enum ReviewerKind: String, Sendable, CaseIterable, Codable {
    case branch          // 支部书记
    case organCommittee  // 机关党委（单位党务干部）
    case partyGroup      // 党组（单位党务干部）
    case county          // 县级（市直工委）
    case city            // 市级（市委组织部）

    public var label: String {
        switch self {
        case .branch: return "党支部"
        case .organCommittee: return "机关党委"
        case .partyGroup: return "党组"
        case .county: return "县级（工委）"
        case .city: return "市级"
        }
    }

    /// Which reviewer kinds a user holds for a branch, from their grants and the branch's
    /// ancestors (top first). The 县级 is a committee officer on the branch's nearest
    /// committee (or any committee above the unit); the 市级 is one on a committee above
    /// that, or on the nearest one when the tree has no higher committee.
    public static func kinds(grants: [Grant], ancestors: [(type: OrgType, path: String)], branchPath: String) -> Set<ReviewerKind> {
        var out = Set<ReviewerKind>()
        let committees = ancestors.filter { $0.type == .committee }.map(\.path)
        let nearest = committees.last
        for g in grants {
            guard Scope.contains(ancestor: g.orgPath, descendant: branchPath) || g.role == .admin else { continue }
            let at = ancestors.first { $0.path == g.orgPath }?.type
            switch g.role {
            case .admin: out.formUnion(ReviewerKind.allCases)
            case .branchSecretary: out.insert(.branch)
            case .unitOfficer:
                if at == .organCommittee { out.insert(.organCommittee) }
                if at == .partyGroup { out.insert(.partyGroup) }
            case .committeeOfficer:
                guard at == .committee, let nearest else { continue }
                if g.orgPath == nearest { out.insert(.county); if committees.count == 1 { out.insert(.city) } }
                else { out.insert(.city) }
            default: break
            }
        }
        return out
    }
}

public enum RatingEvent: Sendable, Equatable {
    case submit(StarSet)
    /// A reviewer's decision at the current step: the stars they keep (⊆ current).
    case decide(StarSet)
    case returnBack(reason: String)
    case spotCheckDrawn(selected: Bool)
    case noticeStarted
    case disqualify
    case noticeEnded
}

public enum RatingChainError: Error, Sendable, Equatable {
    case wrongStage(String)
    case invalid(FieldErrors)

    public var message: String {
        switch self {
        case .wrongStage(let m): return m
        case .invalid(let e): return e.summary()
        }
    }
}

public struct RatingState: Sendable, Equatable {
    public var stage: RatingStage
    public var stars: StarSet
    public init(stage: RatingStage, stars: StarSet) { self.stage = stage; self.stars = stars }

    /// Applies an event under the scheme's chain; returns the new state or why not.
    public func apply(_ event: RatingEvent, chain: ChainRule) -> Result<RatingState, RatingChainError> {
        switch event {
        case .submit(let s):
            guard stage == .draft else { return .failure(.wrongStage("当前状态为“\(stage.label)”，不能再次提交")) }
            if let r = StarRating.r3Violation(s) { return .failure(.invalid(FieldErrors("stars", r))) }
            guard s.level > 0 else { return .failure(.invalid(FieldErrors("stars", "请至少申报一颗星"))) }
            return .success(RatingState(stage: .submitted, stars: s))

        case .decide(let s):
            guard [.submitted, .unitProposed, .spotCheck, .unitRecommended, .countyRecommended].contains(stage) else {
                return .failure(.wrongStage("当前状态为“\(stage.label)”，不是待审核的环节"))
            }
            guard s.isSubset(of: stars) else {
                return .failure(.invalid(FieldErrors("stars", "审核只能维持或降低星级，不能增加申报时没有的星（\(s.stars.subtracting(stars.stars).sorted().map(\.label).joined(separator: "、"))）")))
            }
            if let r = StarRating.r3Violation(s) { return .failure(.invalid(FieldErrors("stars", r))) }
            let next: RatingStage
            switch stage {
            case .submitted: next = .unitProposed
            case .unitProposed: next = s.level <= chain.unitDecidesUpTo ? .filed : .unitRecommended
            case .spotCheck: next = .final
            case .unitRecommended:
                next = s.level <= chain.countyCertifiesUpTo ? afterDecision(s) : .countyRecommended
            case .countyRecommended: next = afterDecision(s)
            default: next = stage
            }
            return .success(RatingState(stage: next, stars: s))

        case .returnBack(let reason):
            guard !reason.trimmingSpaces.isEmpty else { return .failure(.invalid(FieldErrors("reason", "退回须说明理由"))) }
            guard reason.unicodeScalars.count <= 500 else { return .failure(.invalid(FieldErrors("reason", "退回理由不能超过500个字"))) }
            let back: RatingStage
            switch stage {
            case .submitted: back = .draft
            case .unitProposed: back = .submitted
            case .spotCheck, .unitRecommended: back = .unitProposed
            case .countyRecommended: back = .unitRecommended
            default: return .failure(.wrongStage("当前状态为“\(stage.label)”，不能退回"))
            }
            return .success(RatingState(stage: back, stars: stars))

        case .spotCheckDrawn(let selected):
            guard stage == .filed else { return .failure(.wrongStage("只有已备案的评星可以抽查")) }
            return .success(RatingState(stage: selected ? .spotCheck : .final, stars: stars))

        case .noticeStarted:
            guard stage == .candidate else { return .failure(.wrongStage("只有候选对象可以列入公示（当前：\(stage.label)）")) }
            return .success(RatingState(stage: .inNotice, stars: stars))

        case .disqualify:
            guard stage == .inNotice else { return .failure(.wrongStage("只有公示中的候选对象可以取消资格")) }
            return .success(RatingState(stage: .disqualified, stars: StarSet()))

        case .noticeEnded:
            guard stage == .inNotice else { return .failure(.wrongStage("只有公示中的候选对象可以在公示结束后确认")) }
            return .success(RatingState(stage: .final, stars: stars))
        }

        func afterDecision(_ s: StarSet) -> RatingStage { s.level >= chain.noticeFromLevel ? .candidate : .final }
    }
}
