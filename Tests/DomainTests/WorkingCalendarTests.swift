import Testing
import Foundation
@testable import Domain

/// R-5 against the shipped facts (a copy of shared/cn-holidays.csv).
@Suite struct WorkingCalendarTests {
    static let calendar: WorkingCalendar = {
        let text = try! String(contentsOfFile: #filePath.replacingOccurrences(of: "Tests/DomainTests/WorkingCalendarTests.swift", with: "Resources/calendar/cn-holidays.csv"), encoding: .utf8)
        return WorkingCalendar(entries: try! WorkingCalendar.parseCSV(text))
    }()

    @Test func r5_noticeStartingOn30September2026EndsOn12October() {
        // given the R-5 example: a notice of 5 working days starting Wed 2026-09-30
        let start = Day(iso: "2026-09-30")!
        // when
        let days = Self.calendar.workingDays(from: start, count: 5)
        // then National Day is skipped and Sat 10-10 (调休上班) counts
        #expect(days.map(\.iso) == ["2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12"])
        #expect(Self.calendar.end(from: start, workingDays: 5)?.iso == "2026-10-12")
    }

    @Test func r5_weekendsAreNotWorkingDaysUnlessMadeUp() {
        #expect(!Self.calendar.isWorkingDay(Day(iso: "2026-11-21")!))   // Saturday
        #expect(Self.calendar.isWorkingDay(Day(iso: "2026-10-10")!))    // Saturday, 调休上班
        #expect(!Self.calendar.isWorkingDay(Day(iso: "2026-10-01")!))   // Thursday, 国庆节
        #expect(Self.calendar.isWorkingDay(Day(iso: "2026-11-20")!))    // ordinary Friday
    }

    @Test func r5_periodAcrossTheYearBoundarySkipsNewYearHoliday() {
        // given Wed 2025-12-31; 2026-01-01..03 are 元旦 holidays and Sun 01-04 is a make-up day
        let start = Day(iso: "2025-12-31")!
        // when
        let days = Self.calendar.workingDays(from: start, count: 3)
        // then
        #expect(days.map(\.iso) == ["2025-12-31", "2026-01-04", "2026-01-05"])
    }

    @Test func r5_startOnANonWorkingDayBeginsAtTheNextWorkingDay() {
        let days = Self.calendar.workingDays(from: Day(iso: "2026-10-01")!, count: 2)
        #expect(days.map(\.iso) == ["2026-10-08", "2026-10-09"])
    }

    @Test func r5_adminEditsChangeTheCalendar() {
        // given a calendar where the admin adds a holiday on an ordinary Monday
        var cal = Self.calendar
        let monday = Day(iso: "2026-11-23")!
        #expect(cal.isWorkingDay(monday))
        // when
        cal.set(.init(day: monday, kind: .holiday, name: "测试假日"))
        // then
        #expect(!cal.isWorkingDay(monday))
        cal.remove(monday)
        #expect(cal.isWorkingDay(monday))
    }

    @Test func countWorkingDaysInOctober2026() {
        // Oct 2026: 22 weekdays, minus 5 holiday weekdays (1,2,5,6,7), plus make-up Sat 10 = 18
        let n = Self.calendar.countWorkingDays(from: Day(iso: "2026-10-01")!, through: Day(iso: "2026-10-31")!)
        #expect(n == 18)
    }

    @Test func badCalendarLineIsReportedWithItsLineNumber() {
        #expect(throws: CalendarFileError.badLine(3, "2026-13-01,holiday,x")) {
            try WorkingCalendar.parseCSV("date,kind,name\n2026-01-01,holiday,元旦\n2026-13-01,holiday,x\n")
        }
    }
}

@Suite struct DayTests {
    @Test func weekdayOfKnownDates() {
        #expect(Day(iso: "2026-09-30")!.weekday == 3)   // Wednesday
        #expect(Day(iso: "1970-01-01")!.weekday == 4)   // Thursday
        #expect(Day(iso: "2024-02-29")!.weekday == 4)
    }

    @Test func impossibleDatesAreRejected() {
        #expect(Day(iso: "2026-02-29") == nil)
        #expect(Day(iso: "2026-9-30") == nil)
        for bad in ["2026-09-3a", "+026-09-30", "2026-09-30 ", " 2026-09-30", "2026/09/30", "２０２６-09-30", "2026-13-01", "0000-01-01", "", "2026-09-300"] {
            #expect(Day(iso: bad) == nil, "\(bad)")
        }
        #expect(Day(iso: "2024-02-29")?.iso == "2024-02-29")
        #expect(Day(iso: String("x2026-12-31".dropFirst()))?.iso == "2026-12-31")
        #expect(Day(lenient: "2026/9/30")?.iso == "2026-09-30")
        #expect(Day(lenient: "2026年9月30日")?.iso == "2026-09-30")
    }

    @Test func roundTripThroughEpochDays() {
        for n in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(Day(daysSinceEpoch: n).daysSinceEpoch == n)
        }
    }

    @Test func addingYearsFromLeapDayFallsBackTo28February() {
        #expect(Day(iso: "2024-02-29")!.adding(years: 3).iso == "2027-02-28")
    }
}

/// Imports and forms trim the same spaces however the text is made.
@Suite struct TrimmingTests {
    @Test func trimmingIsTheCharacterByCharacterRule() {
        let spaces: [Character] = [" ", "\t", "\n", "\r", "\r\n", "\u{3000}", "\u{00A0}", "\u{FEFF}"]
        func slow(_ s: String) -> String {
            var t = Substring(s)
            while let f = t.first, spaces.contains(f) { t = t.dropFirst() }
            while let l = t.last, spaces.contains(l) { t = t.dropLast() }
            return String(t)
        }
        let pieces = ["王建国", "a", "1", "张", "\u{3000}", " ", "\t", "\r\n", "\u{00A0}", "\u{FEFF}", "é", "囗", "〇", "ＡＢ", "\u{3400}", "x\u{0301}"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let s = (0..<Int.random(in: 0...5, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            #expect(s.trimmingSpaces == slow(s), "\(Array(s.unicodeScalars))")
            #expect(s[...].trimmingSpaces == slow(s))
        }
        #expect("\u{3000}王建国 ".trimmingSpaces == "王建国")
        #expect("".trimmingSpaces == "")
    }
}
