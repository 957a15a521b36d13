import Fluent
import Foundation
import Domain

/// An org tree node. `path` is the materialized path of ids ("/root/…/self/") so subtree
/// queries (R-1 scope) are a prefix match.
final class OrgModel: Model, @unchecked Sendable {
    static let schema = "orgs"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "code") var code: String
    @Field(key: "type") var type: String
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "path") var path: String
    @Field(key: "depth") var depth: Int
    @OptionalField(key: "founded_on") var foundedOn: String?
    @OptionalField(key: "term_start") var termStart: String?
    @OptionalField(key: "term_years") var termYears: Int?
    @OptionalField(key: "secretary") var secretary: String?
    @Field(key: "status") var status: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var idString: String { id?.uuidString.lowercased() ?? "" }

    /// Fills the editable fields from a validated draft (parent and path are set by the caller).
    func apply(_ d: OrgDraft) {
        name = d.name; code = d.code; type = d.type.rawValue
        foundedOn = d.foundedOn?.iso; termStart = d.termStart?.iso; termYears = d.termYears; secretary = d.secretary
    }
}

extension OrgModel {
    static func childPath(parentPath: String?, id: UUID) -> String {
        (parentPath ?? "/") + id.uuidString.lowercased() + "/"
    }
}
