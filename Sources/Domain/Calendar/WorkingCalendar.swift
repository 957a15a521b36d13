/// working days exclude weekends and the State Council's statutory holidays and
/// include its make-up working days (调休上班). The calendar is data the admin can edit.
public struct WorkingCalendar: Sendable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case holiday   // 法定节假日（休）
        case workday   // 调休上班

        public var label: String { self == .holiday ? "放假" : "调休上班" }
    }

    public struct Entry: Sendable, Hashable {
        public var day: Day
        public var kind: Kind
        public var name: String
        public init(day: Day, kind: Kind, name: String) { self.day = day; self.kind = kind; self.name = name }
    }

    private var entries: [Day: Entry]

    public init(entries: [Entry] = []) {
        var map: [Day: Entry] = [:]
        for e in entries { map[e.day] = e }
        self.entries = map
    }

    public var allEntries: [Entry] { entries.values.sorted { $0.day < $1.day } }

    /// Years that have any entry: outside them only weekends count, which the UI warns about.
    public var coveredYears: Set<Int> { Set(entries.keys.map(\.year)) }

    public func entry(on day: Day) -> Entry? { entries[day] }

    public func isWorkingDay(_ day: Day) -> Bool {
        switch entries[day]?.kind {
        case .holiday?: return false
        case .workday?: return true
        case nil: return !day.isWeekend
        }
    }

    /// The `count` working days starting at `from` (inclusive when `from` is a working day).
    public func workingDays(from: Day, count: Int) -> [Day] {
        guard count > 0 else { return [] }
        var out: [Day] = []
        out.reserveCapacity(count)
        var d = from
        while out.count < count {
            if isWorkingDay(d) { out.append(d) }
            d = d.adding(days: 1)
        }
        return out
    }

    /// Last day of a period of `count` working days starting at `from`, e.g. a public notice's end.
    public func end(from: Day, workingDays count: Int) -> Day? { workingDays(from: from, count: count).last }

    /// Working days in the closed range, both ends included.
    public func countWorkingDays(from: Day, through: Day) -> Int {
        guard from <= through else { return 0 }
        var n = 0, d = from
        while d <= through { if isWorkingDay(d) { n += 1 }; d = d.adding(days: 1) }
        return n
    }

    public mutating func set(_ entry: Entry) { entries[entry.day] = entry }
    public mutating func remove(_ day: Day) { entries[day] = nil }

    /// Parses the shipped data file (`date,kind,name` with a header line).
    public static func parseCSV(_ text: String) throws(CalendarFileError) -> [Entry] {
        var out: [Entry] = []
        for (i, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingSpaces
            if line.isEmpty || (i == 0 && line.hasPrefix("date")) { continue }
            let cols = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
            guard cols.count >= 2, let day = Day(iso: cols[0]), let kind = Kind(rawValue: cols[1]) else {
                throw CalendarFileError.badLine(i + 1, String(line))
            }
            out.append(Entry(day: day, kind: kind, name: cols.count > 2 ? cols[2] : ""))
        }
        return out
    }
}

public enum CalendarFileError: Error, Equatable, Sendable {
    case badLine(Int, String)
}
