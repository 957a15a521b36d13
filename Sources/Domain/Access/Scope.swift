/// nobody reads or writes outside their scope. A grant is a role on an org node and
/// covers that node's whole subtree. Org nodes carry a materialized path ("/a/b/c/") so
/// "inside the subtree" is a prefix test, which a database can also answer with LIKE 'prefix%'.
public struct Grant: Sendable, Hashable {
    public var role: Role
    public var orgID: String
    public var orgPath: String

    public init(role: Role, orgID: String, orgPath: String) {
        self.role = role; self.orgID = orgID; self.orgPath = orgPath
    }
}

public struct Scope: Sendable {
    public let grants: [Grant]
    /// The member record of the user, for the `member` role's own-record access.
    public let ownMemberID: String?

    public init(grants: [Grant], ownMemberID: String? = nil) {
        self.grants = grants
        self.ownMemberID = ownMemberID
    }

    public var isAdmin: Bool { grants.contains { $0.role == .admin } }

    /// The broadest role the user holds, for navigation and the dashboard.
    public var primaryRole: Role? { grants.map(\.role).max { $0.level < $1.level } }

    /// Whether some grant allows `action` at all (anywhere).
    public func allows(_ action: Action) -> Bool { grants.contains { $0.role.allows(action) } }

    /// Whether `action` is allowed on the node with this path.
    public func allows(_ action: Action, at orgPath: String) -> Bool {
        grants.contains { $0.role.allows(action) && (($0.role == .admin) || Scope.contains(ancestor: $0.orgPath, descendant: orgPath)) }
    }

    /// The subtree roots (paths) where `action` is allowed; nil means everywhere (admin).
    /// Nested roots are collapsed so each query gets the fewest prefixes.
    public func roots(for action: Action) -> [String]? {
        let granted = grants.filter { $0.role.allows(action) }
        if granted.contains(where: { $0.role == .admin }) { return nil }
        let paths = Set(granted.map(\.orgPath)).sorted { $0.count < $1.count }
        var out: [String] = []
        for p in paths where !out.contains(where: { Scope.contains(ancestor: $0, descendant: p) }) { out.append(p) }
        return out
    }

    /// Whether a user with this scope may give `role` on the node at `orgPath`:
    /// only inside their manageUsers scope and only roles below their own best role there.
    public func mayGrant(_ role: Role, at orgPath: String) -> Bool {
        if isAdmin { return true }
        return grants.contains {
            $0.role.allows(.manageUsers) && Scope.contains(ancestor: $0.orgPath, descendant: orgPath) && role.level < $0.role.level
        }
    }

    public static func contains(ancestor: String, descendant: String) -> Bool {
        descendant.hasPrefix(ancestor)
    }
}
