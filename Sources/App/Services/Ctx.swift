import Vapor
import Fluent
import SQLKit
import Domain

/// What a service call needs: the database, who acts, and the time. Built from a request,
/// or by hand in tests and CLI commands, so services run without HTTP.
struct Ctx: Sendable {
    let db: any Database
    let user: CurrentUser
    let actor: Audit.Actor
    let now: Date
    var today: Day { AppClock.day(of: now) }

    var scope: Scope { user.scope }

    /// refuse (403) and log the refusal outside the user's scope.
    func require(_ action: Action, at orgPath: String, entity: String, id: String?, label: String? = nil) async throws {
        guard scope.allows(action, at: orgPath) else {
            throw await deny("无权操作：该\(Audit.entityLabel(entity))不在您的管理范围内", entity: entity, id: id, label: label,
                             orgPath: orgPath, note: "越权操作被拒绝（所需权限：\(action.label)）")
        }
    }

    /// every refusal is logged; this writes the entry and returns the 403 to throw.
    func deny(_ message: String, entity: String, id: String? = nil, label: String? = nil, orgPath: String? = nil, note: String? = nil) async -> AppError {
        try? await Audit.record(on: db, actor: actor, at: now, action: "denied", entity: entity, id: id, label: label,
                                orgID: nil, orgPath: orgPath, note: note ?? message)
        return .forbidden(message)
    }

    func audit(on db: any Database, _ action: String, _ entity: String, id: String?, label: String?, orgID: UUID?, orgPath: String?,
               before: (any Encodable)? = nil, after: (any Encodable)? = nil, note: String? = nil) async throws {
        try await Audit.record(on: db, actor: actor, at: now, action: action, entity: entity, id: id, label: label,
                               orgID: orgID, orgPath: orgPath, before: before, after: after, note: note)
    }
}

extension Request {
    func ctx() throws -> Ctx {
        Ctx(db: db, user: try user, actor: Audit.actor(self), now: now)
    }
}

extension String {
    /// Opaque ids are lower-case UUIDs; anything else is simply unknown (404), never a 500.
    func uuid(or message: String) throws -> UUID {
        guard let u = UUID(uuidString: self) else { throw AppError.notFound(message) }
        return u
    }

    /// Escapes LIKE wildcards in user search text.
    var likeEscaped: String {
        var out = ""
        for c in self { if c == "%" || c == "_" || c == "\\" { out.append("\\") }; out.append(c) }
        return out
    }
}

extension SQLSelectBuilder {
    /// Restricts a raw SQL query on members to the subtrees in `roots` (nil = everywhere), R-1.
    @discardableResult
    func under(_ roots: [String]?, column: String = "org_path") -> Self {
        guard let roots else { return self }
        return self.where { w in
            for r in roots {
                // the range lets SQLite seek the path index (its LIKE cannot); LIKE keeps the meaning exact
                if ScopePaths.ranges(database) {
                    w.orWhere { g in
                        g.where(SQLColumn(column), .greaterThanOrEqual, SQLBind(r))
                         .where(SQLColumn(column), .lessThan, SQLBind(ScopePaths.upperBound(r)))
                         .where(SQLColumn(column), .like, SQLBind(r + "%"))
                    }
                } else {
                    w.orWhere(SQLColumn(column), .like, SQLBind(r + "%"))
                }
            }
            return w
        }
    }
}

extension QueryBuilder {
    /// Restricts a query to the subtrees in `roots` (nil = everywhere) on a path column.
    @discardableResult
    func inScope(_ roots: [String]?, path: KeyPath<Model, FieldProperty<Model, String>>) -> Self {
        guard let roots else { return self }
        if roots.isEmpty { return filter(path, .equal, "") }   // paths are never empty: matches nothing
        return group(.or) { g in
            for r in roots {
                // [r, upperBound(r)) is the same set of paths as LIKE 'r%' (ids are lower-case hex and
                // '/'); SQLite seeks its path indexes with the range but not with LIKE, which stays as
                // the exact test (PostgreSQL seeks with LIKE through the text_pattern_ops indexes, M010)
                if ScopePaths.ranges(database as? any SQLDatabase) {
                    g.group(.and) { a in
                        a.filter(path, .greaterThanOrEqual, r).filter(path, .lessThan, ScopePaths.upperBound(r))
                         .filter(path, .contains(inverse: false, .prefix), r)
                    }
                } else {
                    g.filter(path, .contains(inverse: false, .prefix), r)
                }
            }
        }
    }
}

extension QueryBuilder {
    /// Records about members (points, service hours), R-1: an officer reads their scope
    /// (optionally one member); someone without officer rights reads only their own.
    /// Returns false when nothing at all is visible.
    @discardableResult
    func ownOrInScope(ctx: Ctx, member: UUID?, memberField: KeyPath<Model, FieldProperty<Model, UUID>>,
                      path: KeyPath<Model, FieldProperty<Model, String>>) -> Bool {
        guard ctx.scope.allows(.readRecords) else {
            guard let own = ctx.user.memberID, member == nil || member == own else { return false }
            filter(memberField, .equal, own)
            return true
        }
        inScope(ctx.scope.roots(for: .readRecords), path: path)
        if let m = member { filter(memberField, .equal, m) }
        return true
    }
}


extension Database {
    /// Optimistic lock taken as the first write of a transaction: moves `version` from `v` to
    /// `v + 1` only if nobody changed the row since it was read. The UPDATE locks the row, so a
    /// concurrent transaction waits and then finds the version moved (false → 409).
    func claimVersion(_ table: String, id: UUID, version v: Int) async throws -> Bool {
        guard v >= 0, v < Int.max else { return false }   // no row holds such a version (and v + 1 must not overflow)
        return try await sql.update(table).set("version", to: v + 1).where("id", .equal, id).where("version", .equal, v)
            .returning("id").all(decoding: IDRow.self).count == 1
    }

    /// The same for records decided once: `column` moves from `from` to `to` only if still `from`.
    func claimStatus(_ table: String, id: UUID, column: String = "status", from: String, to: String) async throws -> Bool {
        return try await sql.update(table).set(column, to: to).where("id", .equal, id).where(column, .equal, from)
            .returning("id").all(decoding: IDRow.self).count == 1
    }
}

private struct IDRow: Decodable { var id: UUID }

extension Ctx {
    /// The org a new record is for, named by id or code in field `org`: 422 when missing or
    /// unknown (with `missing` as the message), 403 (logged) outside the user's `action` scope.
    func org(_ ref: String, for action: Action, entity: String, missing: String) async throws -> OrgModel {
        guard let o = try await OrgService.resolve(ref.trimmingSpaces, on: db) else {
            throw AppError.validation(FieldErrors("org", ref.trimmingSpaces.isEmpty ? missing : "找不到该组织"))
        }
        try await require(action, at: o.path, entity: entity, id: nil, label: o.name)
        return o
    }
}

extension Database {
    /// Saves a record kept under optimistic locking: a new one is created; an existing one first
    /// claims `version` (409 naming `what` when someone changed it since), then is updated.
    func saveVersioned(_ m: any Model, id: UUID, isNew: Bool, table: String, version v: Int, what: String, bump: (Int) -> Void) async throws {
        if isNew { try await m.create(on: self); return }
        guard try await claimVersion(table, id: id, version: v) else { throw AppError.conflict("\(what)已被他人修改，请刷新后再操作", field: "version") }
        bump(v + 1)
        try await m.update(on: self)
    }
}

enum ScopePaths {
    /// SQLite compares text by bytes, so the range is exact there; PostgreSQL may compare by a
    /// locale that ignores '/', so it keeps LIKE alone.
    static func ranges(_ db: (any SQLDatabase)?) -> Bool { db?.dialect.name == "sqlite" }

    /// The smallest string above every string that starts with `prefix` (its last character moved
    /// on by one): "/a1/" → "/a10". Byte order, as SQLite compares text.
    static func upperBound(_ prefix: String) -> String {
        guard let last = prefix.unicodeScalars.last, let next = Unicode.Scalar(last.value + 1) else { return prefix + "\u{10FFFF}" }
        return String(prefix.unicodeScalars.dropLast()) + String(next)
    }
}
