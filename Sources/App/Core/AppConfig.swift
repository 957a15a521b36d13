import Vapor
import NIOConcurrencyHelpers
import Domain

/// One typed configuration value built at start-up; it fails fast and names what is wrong.
struct AppConfig: Sendable {
    enum Storage: Sendable, Equatable {
        case sqliteFile(String)
        case sqliteMemory
        case postgres(String)
    }

    var storage: Storage
    /// Seed the demo bureau after migrating (`serve --demo`).
    var demo: Bool
    /// Mark the session cookie Secure (set when served behind HTTPS).
    var secureCookies: Bool
    /// Fixed "today" for demos and tests (DANGJIAN_TODAY=2026-09-30); nil = the real date in China time.
    var fixedToday: Day?
    /// Browser tests only (DANGJIAN_TEST_CLOCK=1): the clock can be moved with `POST /__test/clock`.
    var movableClock: Bool = false

    static func fromEnvironment(_ env: Environment, demo: Bool) throws -> AppConfig {
        var storage = Storage.sqliteFile(Environment.get("SQLITE_PATH") ?? "data/dangjian.sqlite")
        if let url = Environment.get("DATABASE_URL"), !url.isEmpty {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw ConfigError("配置错误：DATABASE_URL 必须以 postgres:// 开头（当前：\(url.prefix(12))…）")
            }
            storage = .postgres(url)
        }
        var fixed: Day?
        if let t = Environment.get("DANGJIAN_TODAY"), !t.isEmpty {
            guard let d = Day(iso: t) else { throw ConfigError("配置错误：DANGJIAN_TODAY 应为 YYYY-MM-DD，当前为 \(t)") }
            fixed = d
        }
        return AppConfig(storage: storage, demo: demo,
                         secureCookies: Environment.get("SECURE_COOKIES") == "1", fixedToday: fixed,
                         movableClock: Environment.get("DANGJIAN_TEST_CLOCK") == "1")
    }
}

/// A start-up or command-line failure, printed as is and ending the process with status 1.
struct ConfigError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Time is injected so a test can stand on 2026-09-30.
struct AppClock: Sendable {
    var now: @Sendable () -> Date

    static let system = AppClock(now: { Date() })
    static func fixed(_ day: Day, hour: Int = 10) -> AppClock {
        let date = AppClock.date(of: day, hour: hour)
        return AppClock(now: { date })
    }

    static let china = TimeZone(identifier: "Asia/Shanghai")!

    static func date(of day: Day, hour: Int = 0) -> Date {
        var cal = Calendar(identifier: .gregorian); cal.timeZone = china
        return cal.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: hour))!
    }

    func today() -> Day { AppClock.day(of: now()) }

    static func day(of date: Date) -> Day {
        var cal = Calendar(identifier: .gregorian); cal.timeZone = china
        let c = cal.dateComponents([.year, .month, .day], from: date)
        return Day(year: c.year!, month: c.month!, day: c.day!)!
    }
}

/// The day a browser test has moved the server to (test mode only); the time of day stays 10:00.
final class MovableClock: Sendable {
    private let box: NIOLockedValueBox<Date>
    init(start: Date) { box = NIOLockedValueBox(start) }
    var now: Date { box.withLockedValue { $0 } }
    func move(to day: Day) { box.withLockedValue { $0 = AppClock.date(of: day, hour: 10) } }
    var clock: AppClock { AppClock(now: { [self] in now }) }
}

extension Application {
    private struct MovableClockKey: StorageKey { typealias Value = MovableClock }
    var movableClock: MovableClock? {
        get { storage[MovableClockKey.self] }
        set { storage[MovableClockKey.self] = newValue }
    }

    private struct ClockKey: StorageKey { typealias Value = AppClock }
    private struct ConfigKey: StorageKey { typealias Value = AppConfig }

    var clock: AppClock {
        get { storage[ClockKey.self] ?? .system }
        set { storage[ClockKey.self] = newValue }
    }
    var appConfig: AppConfig {
        get { storage[ConfigKey.self]! }
        set { storage[ConfigKey.self] = newValue }
    }
}

extension Request {
    var now: Date { application.clock.now() }
    var today: Day { application.clock.today() }
}
