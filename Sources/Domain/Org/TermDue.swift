/// DOMAIN §1: an organization's current term starts on a date and lasts a number of years;
/// the 换届 (re-election) is due at its end. Overdue terms are flagged (and later feed the
/// five-star rating's computed criterion "term change not overdue").
public struct TermDue: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case unknown     // no term recorded
        case ok
        case dueSoon     // within the warning window
        case overdue

        public var label: String {
            switch self {
            case .unknown: return "未登记"
            case .ok: return "正常"
            case .dueSoon: return "即将到期"
            case .overdue: return "已超期"
            }
        }
    }

    public let dueDate: Day?
    public let status: Status
    /// Days until due (negative when overdue).
    public let daysLeft: Int?

    /// Days before the due date from which a term counts as "due soon".
    public static let warningDays = 90

    public init(termStart: Day?, termYears: Int?, today: Day) {
        guard let start = termStart, let years = termYears, years > 0 else {
            dueDate = nil; status = .unknown; daysLeft = nil; return
        }
        let due = start.adding(years: years)
        let left = today.days(until: due)
        dueDate = due
        daysLeft = left
        // The due date itself is still in time; the day after it, the change is overdue.
        if left < 0 { status = .overdue } else if left <= TermDue.warningDays { status = .dueSoon } else { status = .ok }
    }

    public var isOverdue: Bool { status == .overdue }
}
