/// R-21 (seed 001 §四(二)1): 群众点单 → 社区派单 → 部门接单 → 党员领单 → 办结 → 群众评价.
/// A community may decline a need that is not for the platform; a unit may hand a need
/// back to the community with a reason, and the community dispatches it again.
public enum DemandState: String, Sendable, CaseIterable, Codable {
    case posted, dispatched, accepted, claimed, done, rated, declined

    public var label: String {
        switch self {
        case .posted: return "待社区派单"
        case .dispatched: return "待部门接单"
        case .accepted: return "待党员领单"
        case .claimed: return "办理中"
        case .done: return "已办结待评价"
        case .rated: return "已评价"
        case .declined: return "社区不予受理"
        }
    }

    /// The step that is now due and who takes it.
    public var nextStep: String? {
        switch self {
        case .posted: return "社区派单"
        case .dispatched: return "部门接单"
        case .accepted: return "党员领单"
        case .claimed: return "办结"
        case .done: return "群众评价"
        case .rated, .declined: return nil
        }
    }
}

public enum DemandAction: Sendable, Equatable {
    case dispatch, decline(reason: String), accept, handBack(reason: String), claim, finish(result: String), rate(stars: Int, comment: String)

    public var label: String {
        switch self {
        case .dispatch: return "社区派单"
        case .decline: return "不予受理"
        case .accept: return "部门接单"
        case .handBack: return "退回社区"
        case .claim: return "党员领单"
        case .finish: return "办结"
        case .rate: return "群众评价"
        }
    }
}

public enum DemandError: Error, Sendable, Equatable {
    case notAllowed(DemandState, String)
    case invalid(FieldErrors)
    public var message: String {
        switch self {
        case .notAllowed(let s, let a): return "该需求当前为“\(s.label)”，不能\(a)"
        case .invalid(let e): return e.messages.values.sorted().joined(separator: "；")
        }
    }
}

/// Time limits in working days per step (a setting).
public struct DemandLimits: Sendable, Codable, Equatable {
    public var dispatch: Int
    public var accept: Int
    public var claim: Int
    public var finish: Int
    public init(dispatch: Int = 1, accept: Int = 1, claim: Int = 2, finish: Int = 7) {
        self.dispatch = dispatch; self.accept = accept; self.claim = claim; self.finish = finish
    }
    public static let defaults = DemandLimits()

    public func validate() -> FieldErrors {
        var e = FieldErrors()
        for (k, v, l) in [("dispatch", dispatch, "派单"), ("accept", accept, "接单"), ("claim", claim, "领单"), ("finish", finish, "办结")] where v < 1 || v > 60 {
            e.add(k, "\(l)时限应为1到60个工作日")
        }
        return e
    }
}

public enum DemandWorkflow {
    public static let maxText = 1000

    /// The state after `action`, or why not.
    public static func apply(_ action: DemandAction, to state: DemandState) -> Result<DemandState, DemandError> {
        switch (state, action) {
        case (.posted, .dispatch): return .success(.dispatched)
        case (.posted, .decline(let r)): return text(r, field: "reason", what: "不予受理的理由").map { _ in .declined }
        case (.dispatched, .accept): return .success(.accepted)
        case (.dispatched, .handBack(let r)): return text(r, field: "reason", what: "退回理由").map { _ in .posted }
        case (.accepted, .claim): return .success(.claimed)
        case (.claimed, .finish(let r)): return text(r, field: "result", what: "办理结果").map { _ in .done }
        case (.done, .rate(let s, let c)):
            var e = FieldErrors()
            if s < 1 || s > 5 { e.add("stars", "请选择1到5星的评价") }
            if c.unicodeScalars.count > maxText { e.add("comment", "评价内容不能超过\(maxText)个字") }
            return e.isEmpty ? .success(.rated) : .failure(.invalid(e))
        default: return .failure(.notAllowed(state, action.label))
        }
    }

    static func text(_ s: String, field: String, what: String) -> Result<Void, DemandError> {
        var e = FieldErrors()
        if s.trimmingSpaces.isEmpty { e.add(field, "请填写\(what)") }
        else if s.unicodeScalars.count > maxText { e.add(field, "\(what)不能超过\(maxText)个字") }
        return e.isEmpty ? .success(()) : .failure(.invalid(e))
    }

    /// The deadline of the step now due, counted in working days from the day the need
    /// reached its current state; nil when nothing is due from the platform's side.
    public static func deadline(state: DemandState, since: Day, limits: DemandLimits, calendar: WorkingCalendar) -> Day? {
        let n: Int
        switch state {
        case .posted: n = limits.dispatch
        case .dispatched: n = limits.accept
        case .accepted: n = limits.claim
        case .claimed: n = limits.finish
        case .done, .rated, .declined: return nil
        }
        return calendar.end(from: since, workingDays: n)
    }

    public static func isOverdue(state: DemandState, since: Day, limits: DemandLimits, calendar: WorkingCalendar, today: Day) -> Bool {
        guard let d = deadline(state: state, since: since, limits: limits, calendar: calendar) else { return false }
        return today > d
    }

    /// The resident's post (群众点单).
    public static func validatePost(title: String, content: String, name: String, phone: String) -> FieldErrors {
        var e = FieldErrors()
        if title.trimmingSpaces.isEmpty { e.add("title", "请用一句话说明需求") }
        else if title.unicodeScalars.count > 60 { e.add("title", "标题不能超过60个字") }
        if content.trimmingSpaces.isEmpty { e.add("content", "请描述具体需求") }
        else if content.unicodeScalars.count > maxText { e.add("content", "需求描述不能超过\(maxText)个字") }
        if name.trimmingSpaces.isEmpty { e.add("name", "请填写称呼") }
        else if name.unicodeScalars.count > 30 { e.add("name", "称呼不能超过30个字") }
        let digits = phone.trimmingSpaces
        if digits.isEmpty { e.add("phone", "请填写联系电话，便于社区与您联系") }
        else if !(digits.count >= 7 && digits.count <= 20 && digits.allSatisfy({ $0.isNumber || $0 == "-" })) { e.add("phone", "联系电话格式不正确") }
        return e
    }
}
