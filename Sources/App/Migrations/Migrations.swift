import Vapor
import Fluent
import SQLKit
import Domain

/// Numbered, never edited once landed; schema builder only, so SQLite and PostgreSQL share them.
enum Migrations {
    static func register(on app: Application, calendarSeed: [WorkingCalendar.Entry]) {
        app.migrations.add(SessionRecord.migration)
        app.migrations.add(M001CreateOrgs())
        app.migrations.add(M002CreateMembers())
        app.migrations.add(M003CreateUsers())
        app.migrations.add(M004CreateAudit())
        app.migrations.add(M005CreateCalendar(seed: calendarSeed))
        app.migrations.add(M006CreateRatings())
        app.migrations.add(M007CreateRecords())
        app.migrations.add(M008CreateSupervision())
        app.migrations.add(M009CreateBrands())
        app.migrations.add(M010ScopeIndexes())
        app.migrations.add(M011MeetingTallies())
    }
}

extension Database {
    var sql: any SQLDatabase { self as! any SQLDatabase }
    var isPostgres: Bool { sql.dialect.name.contains("postgres") }

    func createIndex(_ name: String, on table: String, _ columns: String...) async throws {
        var b = sql.create(index: name).on(table)
        for c in columns { b = b.column(c) }
        try await b.run()
    }
}

struct M001CreateOrgs: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("orgs")
            .id()
            .field("name", .string, .required)
            .field("code", .string, .required)
            .field("type", .string, .required)
            .field("parent_id", .uuid, .references("orgs", "id"))
            .field("path", .string, .required)
            .field("depth", .int, .required)
            .field("founded_on", .string)
            .field("term_start", .string)
            .field("term_years", .int)
            .field("secretary", .string)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code", name: "uq_orgs_code")
            .create()
        try await db.createIndex("idx_orgs_path", on: "orgs", "path")
        try await db.createIndex("idx_orgs_parent", on: "orgs", "parent_id")
    }
    func revert(on db: any Database) async throws { try await db.schema("orgs").delete() }
}

struct M002CreateMembers: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("members")
            .id()
            .field("name", .string, .required)
            .field("gender", .string, .required)
            .field("birth_date", .string)
            .field("status", .string, .required)
            .field("join_date", .string)
            .field("org_id", .uuid, .required, .references("orgs", "id"))
            .field("org_path", .string, .required)
            .field("group_id", .uuid, .references("orgs", "id"))
            .field("post", .string)
            .field("phone", .string)
            .field("retired", .bool, .required)
            .field("hardship", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.createIndex("idx_members_org_path_name", on: "members", "org_path", "name")
        try await db.createIndex("idx_members_org", on: "members", "org_id")
        try await db.createIndex("idx_members_name", on: "members", "name")
        try await db.schema("member_transfers")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("from_org_id", .uuid, .required)
            .field("from_org_name", .string, .required)
            .field("to_org_id", .uuid, .required)
            .field("to_org_name", .string, .required)
            .field("date", .string, .required)
            .field("reason", .string)
            .field("actor_name", .string)
            .field("created_at", .datetime)
            .create()
        try await db.createIndex("idx_transfers_member", on: "member_transfers", "member_id")
    }
    func revert(on db: any Database) async throws {
        try await db.schema("member_transfers").delete()
        try await db.schema("members").delete()
    }
}

struct M003CreateUsers: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("users")
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("member_id", .uuid, .references("members", "id", onDelete: .setNull))
            .field("active", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "username", name: "uq_users_username")
            .create()
        try await db.schema("role_grants")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("org_id", .uuid, .required, .references("orgs", "id"))
            .field("created_at", .datetime)
            .unique(on: "user_id", "role", "org_id", name: "uq_role_grants")
            .create()
        try await db.createIndex("idx_grants_user", on: "role_grants", "user_id")
        try await db.schema("user_tokens")
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("expires_at", .datetime, .required)
            .field("created_at", .datetime)
            .unique(on: "token_hash", name: "uq_tokens_hash")
            .create()
        try await db.schema("login_failures")
            .id()
            .field("username", .string, .required)
            .field("at", .double, .required)
            .field("ip", .string)
            .create()
        try await db.createIndex("idx_login_failures_username", on: "login_failures", "username")
    }
    func revert(on db: any Database) async throws {
        for t in ["login_failures", "user_tokens", "role_grants", "users"] { try await db.schema(t).delete() }
    }
}

struct M004CreateAudit: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("audit_entries")
            .id()
            .field("at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("action", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .string)
            .field("entity_label", .string)
            .field("org_id", .uuid)
            .field("org_path", .string)
            .field("before", .string)
            .field("after", .string)
            .field("note", .string)
            .field("request_id", .string)
            .field("ip", .string)
            .create()
        try await db.createIndex("idx_audit_at", on: "audit_entries", "at")
        try await db.createIndex("idx_audit_org_path", on: "audit_entries", "org_path")
        try await db.createIndex("idx_audit_entity", on: "audit_entries", "entity_type", "entity_id")
        try await db.createIndex("idx_audit_actor", on: "audit_entries", "actor_id")
        // append-only, enforced by the database itself.
        if db.isPostgres {
            try await db.sql.raw("""
                CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql
                """).run()
            try await db.sql.raw("CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_append_only()").run()
        } else {
            try await db.sql.raw("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END").run()
            try await db.sql.raw("CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END").run()
        }
    }
    func revert(on db: any Database) async throws {
        if db.isPostgres { try await db.sql.raw("DROP FUNCTION IF EXISTS audit_append_only() CASCADE").run() }
        try await db.schema("audit_entries").delete()
    }
}

/// The working-day calendar, seeded from the shipped data file; the admin edits it afterwards.
struct M005CreateCalendar: AsyncMigration {
    let seed: [WorkingCalendar.Entry]
    func prepare(on db: any Database) async throws {
        try await db.schema("calendar_days")
            .id()
            .field("date", .string, .required)
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .unique(on: "date", name: "uq_calendar_date")
            .create()
        for e in seed {
            let m = CalendarDayModel()
            m.date = e.day.iso; m.kind = e.kind.rawValue; m.name = e.name
            try await m.create(on: db)
        }
    }
    func revert(on db: any Database) async throws { try await db.schema("calendar_days").delete() }
}
