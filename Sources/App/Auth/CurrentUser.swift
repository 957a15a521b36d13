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

extension Request {
    /// The signed-in user, or 401.
    var user: CurrentUser {
        get throws {
            guard let u = auth.get(CurrentUser.self) else { throw AppError.unauthorized }
            return u
        }
    }

    /// refuses (403) and logs the refusal when `action` is not allowed at `orgPath`.
    func require(_ action: Action, at orgPath: String, entity: String, id: String?, label: String? = nil) async throws {
        let u = try user
        guard u.scope.allows(action, at: orgPath) else {
            await Audit.denied(self, action: action, entity: entity, id: id, label: label, orgPath: orgPath)
            throw AppError.forbidden("无权访问：该\(Audit.entityLabel(entity))不在您的管理范围内")
        }
    }

    /// Refuses (403, logged) when the user has the action nowhere.
    func require(_ action: Action, entity: String) async throws {
        let u = try user
        guard u.scope.allows(action) else {
            await Audit.denied(self, action: action, entity: entity, id: nil, label: nil, orgPath: nil)
            throw AppError.forbidden("无权访问：您的角色不能进行此操作")
        }
    }
}
