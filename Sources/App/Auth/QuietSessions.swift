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

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        inner.readSession(sessionID, for: request).map { data in
            if let data { request.storage[ReadData.self] = data }
            return data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if let read = request.storage[ReadData.self], read == data {
            return request.eventLoop.makeSucceededFuture(sessionID)
        }
        return inner.updateSession(sessionID, to: data, for: request)
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        inner.deleteSession(sessionID, for: request)
    }
}
