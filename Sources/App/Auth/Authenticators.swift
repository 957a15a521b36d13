import Vapor
import Fluent
import Crypto
import Domain

/// Pages: the session cookie carries the user id; every request loads the user and scope.
struct SessionUserMiddleware: AsyncMiddleware {
    static let maxAge: Double = 12 * 3600

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        req.storage[SessionRoute.self] = true
        if let raw = req.session.data["uid"], let id = UUID(uuidString: raw) {
            // a session ends 12 hours after log-in, and at once when the password changes or the account is stopped
            let opened = req.session.data["at"].flatMap(Double.init) ?? 0
            if let u = try await CurrentUser.cached(id, req: req), u.credentialStamp == req.session.data["pwv"],
               req.now.timeIntervalSince1970 - opened < Self.maxAge {
                req.auth.login(u)
            } else {
                req.session.destroy()
            }
        }
        return try await next.respond(to: req)
    }
}

/// API: `Authorization: Bearer <token>`; only the token's SHA-256 is stored.
struct BearerUserMiddleware: AsyncMiddleware {
    static func cacheKey(_ tokenHash: String) -> String { "token:" + tokenHash }

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = req.headers.bearerAuthorization {
            let hash = Tokens.hash(bearer.token)
            let db = req.db
            let token = try await req.application.userCache.value(Self.cacheKey(hash)) { () -> CachedToken in
                let t = try await UserTokenModel.query(on: db).filter(\.$tokenHash == hash).first()
                return CachedToken(userID: t?.$user.id, expiresAt: t?.expiresAt)
            }
            if let id = token.userID, let expires = token.expiresAt, expires > req.now, let u = try await CurrentUser.cached(id, req: req) {
                req.auth.login(u)
            }
        }
        return try await next.respond(to: req)
    }
}

private struct CachedToken: Sendable { let userID: UUID?; let expiresAt: Date? }

/// 401 for the API, a redirect to /login for pages (via the error middleware).
struct RequireUserMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.auth.has(CurrentUser.self) else { throw AppError.unauthorized }
        return try await next.respond(to: req)
    }
}

enum Tokens {
    static func random(bytes: Int = 32) -> String {
        [UInt8].random(count: bytes).base64URL
    }
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
    /// Constant-time comparison for secrets.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

extension Array where Element == UInt8 {
    var base64URL: String {
        Data(self).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// Every state-changing form carries the session's CSRF token (`_csrf` field or `X-CSRF-Token` header).
/// The body is collected here (up to `maxBody`) because middleware runs before the route collects it.
struct CSRFMiddleware: AsyncMiddleware {
    var maxBody: Int

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard [.POST, .PUT, .PATCH, .DELETE].contains(req.method) else { return try await next.respond(to: req) }
        if req.body.data == nil {
            _ = try await req.body.collect(max: maxBody).get()
        }
        let expected = req.session.data["csrf"] ?? ""
        let sent = req.headers.first(name: "X-CSRF-Token") ?? (try? req.content.get(String.self, at: "_csrf")) ?? ""
        guard !expected.isEmpty, Tokens.equal(expected, sent) else {
            throw AppError.forbidden("表单已失效或来源不明（CSRF 校验失败），请刷新页面后重新提交")
        }
        return try await next.respond(to: req)
    }
}

extension Request {
    /// The session's CSRF token, created on first use.
    var csrfToken: String {
        if let t = session.data["csrf"] { return t }
        let t = Tokens.random()
        session.data["csrf"] = t
        return t
    }
}
