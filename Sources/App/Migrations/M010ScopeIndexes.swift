import Fluent
import SQLKit

/// Issue 7 (province scale): every R-1 scope filter is a prefix match on a materialized path
/// (`path LIKE '/root/…/%'`). PostgreSQL seeks a b-tree with LIKE only through a
/// `text_pattern_ops` index when the database's collation is not "C"; these add one per path
/// column of the tables that grow with the tree. SQLite seeks its existing path indexes through
/// the range that `inScope` adds (ScopePaths), and needs nothing here.
struct M010ScopeIndexes: AsyncMigration {
    static let columns: [(table: String, column: String)] = [
        ("orgs", "path"), ("members", "org_path"), ("audit_entries", "org_path"), ("ratings", "branch_path"),
        ("market_scores", "branch_path"), ("meetings", "org_path"), ("tasks", "org_path"), ("point_entries", "org_path"),
        ("service_records", "org_path"), ("rectifications", "org_path"), ("yearly_filings", "org_path"), ("brands", "org_path"),
        ("demands", "unit_path"), ("risk_points", "org_path"),
    ]

    static func name(_ c: (table: String, column: String)) -> String { "idx_\(c.table)_\(c.column)_prefix" }

    func prepare(on db: any Database) async throws {
        guard db.isPostgres else { return }
        for c in Self.columns {
            try await db.sql.raw("CREATE INDEX IF NOT EXISTS \(ident: Self.name(c)) ON \(ident: c.table) (\(ident: c.column) text_pattern_ops)").run()
        }
    }

    func revert(on db: any Database) async throws {
        guard db.isPostgres else { return }
        for c in Self.columns { try await db.sql.raw("DROP INDEX IF EXISTS \(ident: Self.name(c))").run() }
    }
}
