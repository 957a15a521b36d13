/// Log-in lock-out: 5 wrong passwords within 15 minutes lock the account for 15 minutes
/// from the last failure. Times are seconds since 1970 so the rule needs no clock.
public struct Lockout: Sendable {
    public var maxFailures = 5
    public var window: Double = 15 * 60
    public var lockFor: Double = 15 * 60

    public init() {}

    /// `failures` are the times of wrong passwords since the last successful login.
    /// Returns the moment the lock ends, or nil when the account is not locked at `now`.
    public func lockedUntil(failures: [Double], now: Double) -> Double? {
        let recent = failures.filter { $0 <= now }.sorted()
        guard recent.count >= maxFailures else { return nil }
        // any run of `maxFailures` failures inside one window locks; the lock runs from the failure that completed it
        for i in (maxFailures - 1)..<recent.count {
            let first = recent[i - maxFailures + 1], last = recent[i]
            if last - first <= window, now < last + lockFor { return last + lockFor }
        }
        return nil
    }
}
