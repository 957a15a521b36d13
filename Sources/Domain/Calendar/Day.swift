/// A civil date without time zone (YYYY-MM-DD), the unit of every deadline in DOMAIN.md.
/// Arithmetic uses the days-from-civil algorithm so it needs no Foundation calendar.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Fails for dates that do not exist (2026-02-30).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= Day.daysIn(month: month, year: year) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses strictly `YYYY-MM-DD` (byte by byte: a province's evaluation parses a few hundred
    /// thousand of these).
    public init?(iso: String) {
        var text = iso
        text.makeContiguousUTF8()
        let parsed: (Int, Int, Int)?? = text.utf8.withContiguousStorageIfAvailable { b in
            guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
            var y = 0, m = 0, d = 0
            for i in 0..<10 where i != 4 && i != 7 {
                let c = b[i]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                let n = Int(c - UInt8(ascii: "0"))
                if i < 4 { y = y * 10 + n } else if i < 7 { m = m * 10 + n } else { d = d * 10 + n }
            }
            return (y, m, d)
        }
        guard let (y, m, d) = parsed ?? nil else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Lenient parse for imported files: `2026-9-30`, `2026/09/30`, `2026.9.30`, `2026年9月30日`.
    public init?(lenient text: String) {
        var s = text.trimmingSpaces
        if s.hasSuffix("日") { s.removeLast() }
        let normalized = String(s.map { "/.年月".contains($0) ? "-" : $0 })
        let parts = normalized.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[0].count == 4 else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public init(daysSinceEpoch z0: Int) {
        // Howard Hinnant, civil_from_days
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.year = y; self.month = m; self.day = d
    }

    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        let w = (daysSinceEpoch + 3) % 7   // 1970-01-01 was a Thursday
        return (w < 0 ? w + 7 : w) + 1
    }

    public var isWeekend: Bool { weekday >= 6 }

    public func adding(days n: Int) -> Day { Day(daysSinceEpoch: daysSinceEpoch + n) }

    /// Same day `n` years later; 29 February falls back to 28 February.
    public func adding(years n: Int) -> Day {
        let y = year + n
        return Day(year: y, month: month, day: min(day, Day.daysIn(month: month, year: y)))!
    }

    public func adding(months n: Int) -> Day {
        let total = year * 12 + (month - 1) + n
        let y = total / 12, m = total % 12 + 1
        return Day(year: y, month: m, day: min(day, Day.daysIn(month: m, year: y)))!
    }

    public func days(until other: Day) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    public var iso: String {
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public var description: String { iso }

    /// 2026年9月30日
    public var chinese: String { "\(year)年\(month)月\(day)日" }

    public static func < (a: Day, b: Day) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension StringProtocol {
    /// Trims ASCII and full-width spaces, tabs and newlines (Chinese input often carries U+3000).
    public var trimmingSpaces: String {
        // Most text has nothing to trim: its first byte cannot begin one of the spaces and its last
        // cannot end one (U+3000 is E3 80 80, U+00A0 C2 A0, U+FEFF EF BB BF; an import calls this
        // half a million times per column).
        let whole = String(self)
        guard let first = whole.utf8.first, let last = whole.utf8.last else { return "" }
        switch (first, last) {
        case (0x20, _), (0x09, _), (0x0A, _), (0x0D, _), (0xE3, _), (0xC2, _), (0xEF, _),
             (_, 0x20), (_, 0x09), (_, 0x0A), (_, 0x0D), (_, 0x80), (_, 0xA0), (_, 0xBF): break
        default: return whole
        }
        var s = Substring(whole)
        while let f = s.first, trimSpaces.contains(f) { s = s.dropFirst() }
        while let l = s.last, trimSpaces.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

private let trimSpaces: Set<Character> = [" ", "\t", "\n", "\r", "\r\n", "\u{3000}", "\u{00A0}", "\u{FEFF}"]
