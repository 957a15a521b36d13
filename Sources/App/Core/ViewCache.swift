import Vapor
import NIOConcurrencyHelpers
#if os(Linux)
/// glibc's malloc_trim(3) (not in the Glibc module's headers).
@_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: UInt) -> Int32
#endif

/// A counter of the writes this process has made. Every audited change (R-2) and every
/// state-changing request (POST/PUT/PATCH/DELETE, when its response is ready, i.e. after its
/// transaction committed) moves it on, so anything computed before a write is never served after it.
enum DataVersion {
    private static let counter = NIOLockedValueBox<Int>(0)
    static var current: Int { counter.withLockedValue { $0 } }
    static func bump() { counter.withLockedValue { $0 &+= 1 } }
}

/// Moves `DataVersion` on after every state-changing request, whatever its outcome.
struct DataVersionMiddleware: AsyncMiddleware {
    /// Signing in and out changes no record a view shows (sessions and tokens are not cached).
    static let quiet: Set<String> = ["/login", "/logout", "/api/v1/auth/login", "/api/v1/auth/logout"]

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.method != .GET, req.method != .HEAD, req.method != .OPTIONS, !Self.quiet.contains(req.url.path) else {
            return try await next.respond(to: req)
        }
        do {
            let res = try await next.respond(to: req)
            DataVersion.bump()
            return res
        } catch {
            DataVersion.bump()
            throw error
        }
    }
}

/// Views that are expensive to compute and read far more often than the data under them
/// changes (a committee's dashboard over 20,000 branches, the org tree with its member totals,
/// the year's ratings with their computed levels). An entry is served while no write has been
/// made through this process since it was computed (`DataVersion`): such a write is never followed
/// by the old view. Writes made by another process (a second server on the same PostgreSQL, a
/// command-line import) are seen after `ttl` seconds: an entry that old is checked against the
/// database's `stamp` taken when it was computed; if nothing was written since, it is kept for
/// another `ttl`, else the first reader gets the old view once more while a fresh one is computed
/// behind it. Concurrent requests for the same key share one computation instead of all starting
/// their own.
final class ViewCache: Sendable {
    private struct Computed: Sendable { let value: any Sendable; let stamp: String? }
    private struct Entry: Sendable { let version: Int; let stored: Date; let task: Task<Computed, any Error> }
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    let ttl: TimeInterval
    let capacity: Int
    /// The writes made so far (`DataVersion`; a test gives its own counter, since tests that write run alongside).
    private let version: @Sendable () -> Int
    /// What the database looks like from outside (`DatabaseStamp`); nil when it cannot be told.
    private let stamp: (@Sendable () async -> String?)?

    init(ttl: TimeInterval = 300, capacity: Int = 5000, version: @escaping @Sendable () -> Int = { DataVersion.current },
         stamp: (@Sendable () async -> String?)? = nil) {
        self.ttl = ttl
        self.capacity = capacity
        self.version = version
        self.stamp = stamp
    }

    var count: Int { entries.withLockedValue { $0.count } }

    /// A committee-wide computation allocates hundreds of megabytes for a moment (20,000 branches'
    /// rows); glibc keeps freed memory in its arenas, so the server's RSS stayed at its peak. After a
    /// long computation the free memory is handed back.
    private static func trimmed(_ compute: @escaping @Sendable () async throws -> any Sendable,
                                stamp: (@Sendable () async -> String?)?) async throws -> Computed {
        let started = Date()
        let before = await stamp?()     // before: a write during the computation shows as a change later
        let value = try await compute()
        #if os(Linux)
        if Date().timeIntervalSince(started) > 0.2 { _ = glibcMallocTrim(0) }
        #endif
        return Computed(value: value, stamp: before)
    }

    func removeAll() { entries.withLockedValue { $0.removeAll() } }
    func remove(_ key: String) { _ = entries.withLockedValue { $0.removeValue(forKey: key) } }

    func value<T: Sendable>(_ key: String, _ compute: @escaping @Sendable () async throws -> T) async throws -> T {
        let version = self.version(), now = Date()
        let stamp = self.stamp
        let work: @Sendable () async throws -> any Sendable = { try await compute() }
        if let stamp {
            // an entry older than ttl, with no write here since: if the database has not changed either
            // (no other process wrote), it is good for another ttl, and nothing is computed again
            let old = entries.withLockedValue { e -> Entry? in
                guard let hit = e[key], hit.version == version, now.timeIntervalSince(hit.stored) >= ttl else { return nil }
                return hit
            }
            if let old, let kept = try? await old.task.value.stamp, let current = await stamp(), kept == current {
                entries.withLockedValue { e in
                    if e[key]?.task == old.task { e[key] = Entry(version: version, stored: now, task: old.task) }
                }
            }
        }
        let task = entries.withLockedValue { e -> Task<Computed, any Error> in
            if let hit = e[key], hit.version == version {
                if now.timeIntervalSince(hit.stored) < ttl { return hit.task }
                // no write here since, but another process has written: refresh behind the scenes
                // and serve what is known until the refresh is in (the readers of a committee's
                // dashboard do not all wait 10 s)
                let fresh = Task<Computed, any Error> { try await Self.trimmed(work, stamp: stamp) }
                e[key] = Entry(version: version, stored: now, task: hit.task)
                Task { [weak self] in
                    guard let computed = try? await fresh.value else { return }
                    self?.entries.withLockedValue { e in
                        if e[key]?.version == version { e[key] = Entry(version: version, stored: Date(), task: Task { computed }) }
                    }
                }
                return hit.task
            }
            if e.count >= capacity {
                e = e.filter { $0.value.version == version && now.timeIntervalSince($0.value.stored) < ttl }
                if e.count >= capacity { e.removeAll() }
            }
            let t = Task<Computed, any Error> { try await Self.trimmed(work, stamp: stamp) }
            e[key] = Entry(version: version, stored: now, task: t)
            return t
        }
        do {
            if let v = try await task.value.value as? T { return v }
            return try await compute()      // the same key used for another type: not cached
        } catch {
            entries.withLockedValue { e in if e[key]?.task == task { e[key] = nil } }
            throw error
        }
    }
}

extension Application {
    private struct ViewCacheKey: StorageKey { typealias Value = ViewCache }
    var viewCache: ViewCache {
        get {
            if let c = storage[ViewCacheKey.self] { return c }
            let c = ViewCache()
            storage[ViewCacheKey.self] = c
            return c
        }
        set { storage[ViewCacheKey.self] = newValue }
    }
}

extension Request {
    /// A JSON list of a GET request kept per user, day and query string until the next write, as the
    /// encoded bytes with their gzip form (`KeptText`): a page of a list read again (the pager, back
    /// and forth, a dashboard link) costs no query and no encoding. Callers keep free-text searches out
    /// (each would be an entry of its own).
    func keptJSON<T: Content & Sendable>(_ name: String, ctx: Ctx, _ compute: @escaping @Sendable () async throws -> T) async throws -> Response {
        let text = try await application.viewCache.value("json|\(name)|" + queryKey(ctx)) { () async throws -> KeptText in
            var body = ByteBuffer(), headers = HTTPHeaders()
            try ContentConfiguration.global.requireEncoder(for: .json).encode(try await compute(), to: &body, headers: &headers)
            return KeptText(String(buffer: body), cutAt: nil)
        }
        return try await KeptPage(texts: [text], word: "", contentType: .json).encodeResponse(for: self)
    }

    /// What a view of this GET request depends on besides the data: the user, the day, the query string.
    func queryKey(_ ctx: Ctx) -> String { "\(ctx.user.id)|\(ctx.today.iso)|\(url.query ?? "")" }
}

