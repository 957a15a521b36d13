/// DOMAIN §4: responsibility lists (责任清单) per org level, post and member, and the tasks
/// (任务清单) under them with time limits in working days.
public enum DutyListKind: String, Sendable, CaseIterable, Codable {
    case org      // 组织责任清单（党组、机关党委、党支部、党小组）
    case post     // 岗位责任清单（三级五岗）
    case member   // 党员权责清单（3+1+N 的 N）

    public var label: String {
        switch self {
        case .org: return "组织责任清单"
        case .post: return "岗位责任清单"
        case .member: return "党员权责清单"
        }
    }
}

/// Seed 001 §四(一)2: the five posts of 三级五岗, plus the group leader of seed 000's 3+1+N.
public enum DutyPost: String, Sendable, CaseIterable, Codable {
    case partyGroupSecretary, organSecretary, deputySecretary, disciplineSecretary, branchSecretary, groupLeader

    public var label: String {
        switch self {
        case .partyGroupSecretary: return "党组书记"
        case .organSecretary: return "机关党委书记"
        case .deputySecretary: return "机关党委专职副书记"
        case .disciplineSecretary: return "机关纪委书记"
        case .branchSecretary: return "党支部书记"
        case .groupLeader: return "党小组组长"
        }
    }
}

/// What happens to a task; each stage of a preset is met by the first event of its kinds.
public enum TaskEventKind: String, Sendable, CaseIterable, Codable {
    case decision   // 研究决策
    case feedback   // 进展反馈
    case plan       // 方案报批（重大事项）
    case done       // 报告办结
    case close      // 核实销号
    case reopen     // 退回重办

    public var label: String {
        switch self {
        case .decision: return "研究决策"
        case .feedback: return "进展反馈"
        case .plan: return "方案报批"
        case .done: return "报告办结"
        case .close: return "核实销号"
        case .reopen: return "退回重办"
        }
    }
}

/// One stage of a time-limit preset.
public struct StageSpec: Sendable, Codable, Equatable {
    public enum Unit: String, Sendable, Codable, CaseIterable {
        case workingDays, months, none
        public var label: String {
            switch self { case .workingDays: return "个工作日"; case .months: return "个月"; case .none: return "不限期" }
        }
    }
    public enum Applies: String, Sendable, Codable, CaseIterable {
        case all, ordinary, major
        public var label: String {
            switch self { case .all: return "全部事项"; case .ordinary: return "一般事项"; case .major: return "重大事项" }
        }
    }
    public var key: String
    public var label: String
    public var amount: Int
    public var unit: Unit
    public var satisfiedBy: [TaskEventKind]
    public var applies: Applies

    public init(key: String, label: String, amount: Int, unit: Unit, satisfiedBy: [TaskEventKind], applies: Applies = .all) {
        self.key = key; self.label = label; self.amount = amount; self.unit = unit; self.satisfiedBy = satisfiedBy; self.applies = applies
    }
}

/// A named set of stages: the 13710 preset, or one the committee defines.
public struct TaskPreset: Sendable, Codable, Equatable {
    public var key: String
    public var name: String
    public var stages: [StageSpec]

    public init(key: String, name: String, stages: [StageSpec]) { self.key = key; self.name = name; self.stages = stages }

    /// R-17, seed 001 §三14: decided the same day (1), first feedback within 3 working days (3),
    /// ordinary matters done within 7 (7), major ones within a month or by an approved plan
    /// with monthly feedback (10), every task tracked to closure (0).
    public static let p13710 = TaskPreset(key: "13710", name: "13710工作制度", stages: [
        StageSpec(key: "decide", label: "当日研究决策", amount: 1, unit: .workingDays, satisfiedBy: [.decision, .feedback, .plan, .done]),
        StageSpec(key: "feedback", label: "3个工作日内首次反馈", amount: 3, unit: .workingDays, satisfiedBy: [.feedback, .plan, .done]),
        StageSpec(key: "done", label: "一般事项7个工作日内办结", amount: 7, unit: .workingDays, satisfiedBy: [.done], applies: .ordinary),
        StageSpec(key: "done-major", label: "重大事项1个月内办结或按批准方案办结", amount: 1, unit: .months, satisfiedBy: [.done], applies: .major),
        StageSpec(key: "close", label: "跟踪到底、核实销号", amount: 0, unit: .none, satisfiedBy: [.close]),
    ])

    public func validate() -> FieldErrors {
        var e = FieldErrors()
        if name.trimmingSpaces.isEmpty { e.add("name", "请填写预设名称") }
        if stages.isEmpty { e.add("stages", "请至少设置一个办理环节") }
        for (i, s) in stages.enumerated() {
            if s.label.trimmingSpaces.isEmpty { e.add("stages.\(i).label", "请填写第\(i + 1)个环节的名称") }
            if s.unit != .none && (s.amount < 1 || s.amount > 250) { e.add("stages.\(i).amount", "第\(i + 1)个环节的时限应为1到250之间的整数") }
            if s.satisfiedBy.isEmpty { e.add("stages.\(i).satisfiedBy", "第\(i + 1)个环节须指定完成方式") }
        }
        return e
    }
}

/// A task's status: open (办理中) → done (已办结，待销号) → closed (已销号); a done task
/// may be returned (reopen) with a reason.
public enum TaskStatus: String, Sendable, CaseIterable, Codable {
    case open, done, closed
    public var label: String {
        switch self { case .open: return "办理中"; case .done: return "已办结待销号"; case .closed: return "已销号" }
    }

    /// The status after `event`, or nil when the event is not allowed now (409).
    public func after(_ event: TaskEventKind) -> TaskStatus? {
        switch (self, event) {
        case (.open, .decision), (.open, .feedback), (.open, .plan): return .open
        case (.open, .done): return .done
        case (.done, .close): return .closed
        case (.done, .reopen): return .open
        case (.done, .feedback): return .done
        default: return nil
        }
    }
}

/// the stages of one task, their due days and whether each is met, late or overdue.
public enum TaskTimeline {
    public struct Event: Sendable, Equatable {
        public var day: Day
        public var kind: TaskEventKind
        public init(day: Day, kind: TaskEventKind) { self.day = day; self.kind = kind }
    }

    public enum StageState: String, Sendable, Codable {
        case met, metLate, overdue, open, waiting
        public var label: String {
            switch self {
            case .met: return "按时完成"
            case .metLate: return "逾期完成"
            case .overdue: return "已逾期"
            case .open: return "办理中"
            case .waiting: return "跟踪中"
            }
        }
        public var flagged: Bool { self == .overdue }
    }

    public struct Stage: Sendable, Equatable {
        public var key: String
        public var label: String
        public var due: Day?
        public var metOn: Day?
        public var state: StageState
    }

    /// `planDue` replaces the major stage's one-month limit once a plan is approved. A task
    /// returned after a report of done (reopen) owes its completion stages again, counted
    /// from the last reopening; its decision and first feedback stay as they were met.
    /// Events are taken in the order given (the order they were recorded).
    public static func stages(preset: TaskPreset, start: Day, major: Bool, planDue: Day?, events: [Event],
                              calendar: WorkingCalendar, today: Day) -> [Stage] {
        let sorted = events
        let lastReopen = sorted.last { $0.kind == .reopen }?.day
        return preset.stages.compactMap { spec -> Stage? in
            switch spec.applies {
            case .ordinary where major: return nil
            case .major where !major: return nil
            default: break
            }
            // completion stages (met only by a report of done) start again at a reopening
            let completion = spec.satisfiedBy == [.done]
            let from = completion ? (lastReopen ?? start) : start
            var due: Day?
            switch spec.unit {
            case .workingDays: due = calendar.end(from: from, workingDays: spec.amount)
            case .months: due = from.adding(months: spec.amount)
            case .none: due = nil
            }
            if spec.applies == .major, let p = planDue, lastReopen == nil || !completion { due = p }
            var metOn: Day?
            for e in sorted {
                if spec.satisfiedBy.contains(e.kind) { if metOn == nil { metOn = e.day } }
                else if e.kind == .reopen && completion { metOn = nil }
            }
            let state: StageState
            if let m = metOn { state = (due.map { m <= $0 } ?? true) ? .met : .metLate }
            else if let d = due { state = today > d ? .overdue : .open }
            else { state = .waiting }
            return Stage(key: spec.key, label: spec.label, due: due, metOn: metOn, state: state)
        }
    }

    /// a major task run by an approved plan reports at least once a month; the
    /// calendar months after the plan's approval that ended without a report, until closure.
    public static func missingMonthlyFeedback(planApprovedOn: Day?, events: [Event], closedOn: Day?, today: Day) -> [(year: Int, month: Int)] {
        guard let approved = planApprovedOn else { return [] }
        let reports = events.filter { $0.kind == .feedback || $0.kind == .done }.map(\.day)
        var out: [(Int, Int)] = []
        var y = approved.year, m = approved.month
        while true {
            m += 1; if m > 12 { m = 1; y += 1 }
            let first = Day(year: y, month: m, day: 1)!
            let last = Day(year: y, month: m, day: Day.daysIn(month: m, year: y))!
            if last >= today { break }
            if let c = closedOn, first > c { break }
            if !reports.contains(where: { $0 >= first && $0 <= last }) { out.append((y, m)) }
        }
        return out
    }
}
