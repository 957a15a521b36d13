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
        // nothing longer than a real username or password reaches the database or the audit log
        guard username.unicodeScalars.count <= 32 else { throw AppError.validation(FieldErrors("username", "用户名不能超过32个字符")) }
        guard password.utf8.count <= 72 else { throw AppError.validation(FieldErrors("password", "密码不能超过72个字节")) }
        let t = now.timeIntervalSince1970
        let rule = Lockout()
        func recentFailures() async throws -> [LoginFailureModel] {
            try await LoginFailureModel.query(on: db).filter(\.$username == username).filter(\.$at > t - rule.window - rule.lockFor).all()
        }
        func lockedMessage(_ until: Double) -> AppError {
            .rateLimited("该账号因连续输错密码已被锁定，请在\(Int(((until - t) / 60).rounded(.up)))分钟后再试")
        }
        if let until = rule.lockedUntil(failures: try await recentFailures().map(\.at), now: t) { throw lockedMessage(until) }
        // Count the attempt before checking the password, so parallel guesses cannot slip past the limit:
        // each one sees the others' rows.
        let attempt = LoginFailureModel()
        attempt.username = username; attempt.at = t; attempt.ip = actor.ip
        try await attempt.create(on: db)
        let others = try await recentFailures().filter { $0.id != attempt.id }.map(\.at)
        if let until = rule.lockedUntil(failures: others, now: t) {
            // a burst of parallel guesses: the extra ones are refused unchecked and still count, so the lock holds
            throw lockedMessage(until)
        }
        let user = try await UserModel.query(on: db).filter(\.$username == username).first()
        // the same bcrypt work whether or not the account exists, so timing tells nothing
        let ok = await UserService.verify(password, hash: (user?.active == true ? user?.passwordHash : nil) ?? Self.dummyHash)
            && user?.active == true
        guard ok, let user else {
            try await LoginFailureModel.query(on: db).filter(\.$at < t - 2 * (rule.window + rule.lockFor)).delete()
            let nowLocked = rule.lockedUntil(failures: others + [t], now: t) != nil
            // the typed name is not trusted as an actor: it goes into the note, shortened
            try await Audit.record(on: db, actor: Audit.Actor(id: nil, name: "匿名访客", requestID: actor.requestID, ip: actor.ip),
                                   at: now, action: nowLocked ? "locked" : "login_failed", entity: "session", id: user?.idString,
                                   label: user?.username, orgID: nil, orgPath: nil,
                                   note: (nowLocked ? "连续5次输错密码，账号锁定15分钟" : "用户名或密码错误") + "：输入的用户名“\(username)”")
            if nowLocked { throw AppError.rateLimited("连续5次输错密码，该账号已被锁定15分钟") }
            throw AppError.loginFailed
        }
        try await LoginFailureModel.query(on: db).filter(\.$username == username).delete()
        try await Audit.record(on: db, actor: Audit.Actor(id: user.id, name: "\(user.displayName)（\(user.username)）", requestID: actor.requestID, ip: actor.ip),
                               at: now, action: "login", entity: "session", id: user.idString, label: user.username, orgID: nil, orgPath: nil)
        return user
    }

    /// A bcrypt hash of a random secret, checked when the account does not exist.
    static let dummyHash: String = (try? Bcrypt.hash(Tokens.random(), cost: UserService.bcryptCost)) ?? ""

    /// Issues an API bearer token valid for 30 days.
    static func issueToken(for user: UserModel, db: any Database, now: Date) async throws -> String {
        let token = Tokens.random()
        let m = UserTokenModel()
        m.tokenHash = Tokens.hash(token); m.$user.id = user.id!; m.expiresAt = now.addingTimeInterval(30 * 86_400)
        try await m.create(on: db)
        return token
    }
}

