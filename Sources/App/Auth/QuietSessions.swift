import Vapor
import Fluent

/// Fluent sessions that write only what changed. Vapor's `SessionsMiddleware` writes the session
/// back after every request that read it; almost every page only reads it (user id, log-in time,
/// CSRF token), so that was one write transaction per page view: under load on SQLite every page
/// waited for the single writer. Unchanged data is now not written; new, changed (a flash message,
/// log-in, log-out) and deleted sessions are, as before.
struct QuietSessions: SessionDriver {
    let inner: any SessionDriver

    private struct ReadData: StorageKey { typealias Value = SessionData }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        inner.createSession(data, for: request)
    }

    private struct Cached: Sendable { var data: SessionData? }
    static func cacheKey(_ id: SessionID) -> String { "session:" + id.string }

    /// Read through the user cache (`userCache`, 15 s, emptied by every write in this process):
    /// a page view reads its session from the database only when something changed. A session this
    /// process changes or ends is taken out of the cache at once; one ended by another server
    /// process is seen within the cache's lifetime, like a deactivated user.
    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        let inner = self.inner
        return request.eventLoop.makeFutureWithTask {
            let cached = try await request.application.userCache.value(Self.cacheKey(sessionID)) {
                Cached(data: try await inner.readSession(sessionID, for: request).get())
            }
            if let data = cached.data { request.storage[ReadData.self] = data }
            return cached.data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if let read = request.storage[ReadData.self], read == data {
            return request.eventLoop.makeSucceededFuture(sessionID)
        }
        request.application.userCache.remove(Self.cacheKey(sessionID))
        return inner.updateSession(sessionID, to: data, for: request).always { _ in
            request.application.userCache.remove(Self.cacheKey(sessionID))
        }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        request.application.userCache.remove(Self.cacheKey(sessionID))
        return inner.deleteSession(sessionID, for: request).always { _ in
            request.application.userCache.remove(Self.cacheKey(sessionID))
        }
    }
}
