import Fluent
import SQLKit
import Foundation

/// Multi-row INSERTs through SQLKit, for imports and the generator: the same binds Fluent would
/// send (so ids, dates and booleans are stored alike), without building a model per row.
/// Chunked under the drivers' bind limits (SQLite 32,766, PostgreSQL 65,535).
enum BulkInsert {
    typealias Row = [any Encodable & Sendable]

    static func rows(_ db: any Database, into table: String, columns: [String], _ rows: [Row]) async throws {
        guard !rows.isEmpty else { return }
        let per = max(1, 30_000 / max(1, columns.count))
        var start = 0
        while start < rows.count {
            let end = min(start + per, rows.count)
            var q = db.sql.insert(into: table).columns(columns)
            for r in rows[start..<end] { q = q.values(r) }
            try await q.run()
            start = end
        }
    }

    static let memberColumns = ["id", "name", "gender", "birth_date", "status", "join_date", "org_id", "org_path", "group_id", "post", "phone",
                                "retired", "hardship", "created_at", "updated_at"]
    static func row(_ m: MemberModel, now: Date) -> Row {
        [m.id!, m.name, m.gender, m.birthDate, m.status, m.joinDate, m.$org.id, m.orgPath, m.$group.id, m.post, m.phone,
         m.retired, m.hardship, now, now]
    }

    static let auditColumns = ["id", "at", "actor_id", "actor_name", "action", "entity_type", "entity_id", "entity_label", "org_id", "org_path",
                               "before", "after", "note", "request_id", "ip"]
    static func row(_ a: AuditEntryModel) -> Row {
        [a.id ?? UUID(), a.at, a.actorID, a.actorName, a.action, a.entityType, a.entityID, a.entityLabel, a.orgID, a.orgPath,
         a.before, a.after, a.note, a.requestID, a.ip]
    }
}
