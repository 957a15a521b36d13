import Fluent
import Foundation
import Domain

final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @OptionalField(key: "member_id") var memberID: UUID?
    @Field(key: "active") var active: Bool
    @Children(for: \.$user) var grants: [RoleGrantModel]
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
}

/// A role granted on an org node; it covers the node's subtree.
final class RoleGrantModel: Model, @unchecked Sendable {
    static let schema = "role_grants"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "role") var role: String
    @Parent(key: "org_id") var org: OrgModel
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
    var roleValue: Role? { Role(rawValue: role) }
}

/// API bearer token; only its SHA-256 is stored.
final class UserTokenModel: Model, @unchecked Sendable {
    static let schema = "user_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "expires_at") var expiresAt: Date
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// Wrong passwords, for the lock-out rule; cleared by a successful login.
final class LoginFailureModel: Model, @unchecked Sendable {
    static let schema = "login_failures"

    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "at") var at: Double
    @OptionalField(key: "ip") var ip: String?

    init() {}
}
