import Vapor
import Fluent
import Domain

/// Password log-in with the lock-out rule (5 wrong passwords in 15 minutes lock for 15 minutes).
enum AuthService {
    static func login(username raw: String, password: String, actor: Audit.Actor, db: any Database, now: Date) async throws -> UserModel {
        let username = raw.trimmingSpaces
        guard !username.isEmpty, !password.isEmpty else {
            throw AppError.validation(username.isEmpty ? FieldErrors("username", "请输入用户名") : FieldErrors("password", "请输入密码"))
        }
        let t = now.timeIntervalSince1970
        let rule = Lockout()
        let recent = try await LoginFailureModel.query(on: db).filter(\.$username == username)
            .filter(\.$at > t - rule.window - rule.lockFor).all().map(\.at)
        if let until = rule.lockedUntil(failures: recent, now: t) {
            throw AppError.rateLimited("该账号因连续输错密码已被锁定，请在\(Int(((until - t) / 60).rounded(.up)))分钟后再试")
        }
        let user = try await UserModel.query(on: db).filter(\.$username == username).first()
        let ok: Bool
        if let user, user.active { ok = await UserService.verify(password, hash: user.passwordHash) }
        else { ok = false }
        guard ok, let user else {
            let f = LoginFailureModel()
            f.username = username; f.at = t; f.ip = actor.ip
            try await f.create(on: db)
            // failures older than any window that could still lock are of no use; keep the table small
            try await LoginFailureModel.query(on: db).filter(\.$at < t - 2 * (rule.window + rule.lockFor)).delete()
            let nowLocked = rule.lockedUntil(failures: recent + [t], now: t) != nil
            try await Audit.record(on: db, actor: Audit.Actor(id: user?.id, name: username, requestID: actor.requestID, ip: actor.ip),
                                   at: now, action: nowLocked ? "locked" : "login_failed", entity: "session", id: user?.idString,
                                   label: username, orgID: nil, orgPath: nil,
                                   note: nowLocked ? "连续5次输错密码，账号锁定15分钟" : "用户名或密码错误")
            if nowLocked { throw AppError.rateLimited("连续5次输错密码，该账号已被锁定15分钟") }
            throw AppError.loginFailed
        }
        try await LoginFailureModel.query(on: db).filter(\.$username == username).delete()
        try await Audit.record(on: db, actor: Audit.Actor(id: user.id, name: "\(user.displayName)（\(user.username)）", requestID: actor.requestID, ip: actor.ip),
                               at: now, action: "login", entity: "session", id: user.idString, label: user.username, orgID: nil, orgPath: nil)
        return user
    }

    /// Issues an API bearer token valid for 30 days.
    static func issueToken(for user: UserModel, db: any Database, now: Date) async throws -> String {
        let token = Tokens.random()
        let m = UserTokenModel()
        m.tokenHash = Tokens.hash(token); m.$user.id = user.id!; m.expiresAt = now.addingTimeInterval(30 * 86_400)
        try await m.create(on: db)
        return token
    }
}

