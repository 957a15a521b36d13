import Fluent
import Foundation

/// one append-only line of the audit log. Rows are never updated or deleted
/// (the migration installs triggers that refuse it).
final class AuditEntryModel: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "action") var action: String
    @Field(key: "entity_type") var entityType: String
    @OptionalField(key: "entity_id") var entityID: String?
    @OptionalField(key: "entity_label") var entityLabel: String?
    @OptionalField(key: "org_id") var orgID: UUID?
    @OptionalField(key: "org_path") var orgPath: String?
    @OptionalField(key: "before") var before: String?
    @OptionalField(key: "after") var after: String?
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "request_id") var requestID: String?
    @OptionalField(key: "ip") var ip: String?

    init() {}
}

final class CalendarDayModel: Model, @unchecked Sendable {
    static let schema = "calendar_days"

    @ID(key: .id) var id: UUID?
    @Field(key: "date") var date: String
    @Field(key: "kind") var kind: String
    @Field(key: "name") var name: String

    init() {}
}
