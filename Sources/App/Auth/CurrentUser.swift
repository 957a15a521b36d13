import Vapor
import Fluent
import Domain

/// The signed-in user with their scope, loaded once per request.
struct CurrentUser: Authenticatable, Sendable {
    let id: UUID
    let username: String
    let displayName: String
    let memberID: UUID?
    let scope: Scope
    /// Changes whenever the password does; a session remembers the stamp it was opened with.
    let credentialStamp: String

    var primaryRole: Role? { scope.primaryRole }

    static func stamp(_ passwordHash: String) -> String { String(Tokens.hash(passwordHash).prefix(16)) }

    static func load(_ id: UUID, on db: any Database) async throws -> CurrentUser? {
        guard let user = try await UserModel.find(id, on: db), user.active else { return nil }
        let grants = try await RoleGrantModel.query(on: db).filter(\.$user.$id == id).with(\.$org).all()
        let scoped = grants.compactMap { g -> Grant? in
            guard let role = g.roleValue, g.org.orgStatus == .active || role == .admin else { return nil }
            return Grant(role: role, orgID: g.org.idString, orgPath: g.org.path)
        }
        return CurrentUser(id: id, username: user.username, displayName: user.displayName,
                           memberID: user.memberID, scope: Scope(grants: scoped, ownMemberID: user.memberID?.uuidString.lowercased()),
                           credentialStamp: Self.stamp(user.passwordHash))
    }
}

extension CurrentUser {
    private struct Loaded: Sendable { let user: CurrentUser? }

    /// The user and their grants as of the last write (three queries saved on every request):
    /// any state-changing request or audited write in this process (a password change, a
    /// deactivation, a new grant) is followed by a fresh read; one made by another process is
    /// seen within `userCache.ttl` seconds.
    static func cached(_ id: UUID, req: Request) async throws -> CurrentUser? {
        let db = req.db
        return try await req.application.userCache.value("user:\(id)") { Loaded(user: try await load(id, on: db)) }.user
    }
}

extension Application {
    private struct UserCacheKey: StorageKey { typealias Value = ViewCache }
    /// Signed-in users and API tokens, short-lived: see `CurrentUser.cached`.
    static func newUserCache() -> ViewCache { ViewCache(ttl: 15, capacity: 20_000) }
    var userCache: ViewCache {
        get {
            if let c = storage[UserCacheKey.self] { return c }
            let c = Self.newUserCache()
            storage[UserCacheKey.self] = c
            return c
        }
        set { storage[UserCacheKey.self] = newValue }
    }
}

extension Request {
    /// The signed-in user, or 401.
    var user: CurrentUser {
        get throws {
            guard let u = auth.get(CurrentUser.self) else { throw AppError.unauthorized }
            return u
        }
    }

    /// Refuses (403, logged) when the user has the action nowhere.
    /// Scoped checks go through `Ctx.require`; both log refusals with `Ctx.deny`.
    func require(_ action: Action, entity: String) async throws {
        let ctx = try ctx()
        guard ctx.scope.allows(action) else {
            throw await ctx.deny("无权访问：您的角色不能进行此操作", entity: entity,
                                 note: "越权请求被拒绝：\(method.rawValue) \(url.path)（所需权限：\(action.label)）")
        }
    }
}
