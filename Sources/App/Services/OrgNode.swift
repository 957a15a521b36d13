import Fluent
import SQLKit
import Foundation
import Domain

/// A read-only org for computations over a whole scope (R-7 over 20,000 branches, the
/// dashboard): the same columns as `OrgModel`, read with one SQL query into plain values instead
/// of Fluent models (whose property wrappers cost more than the query itself at that size).
struct OrgNode: Sendable, Decodable {
    let id: UUID
    let name: String
    let code: String
    let type: String
    let parentID: UUID?
    let path: String
    let depth: Int
    let foundedOn: String?
    let termStart: String?
    let termYears: Int?
    let secretary: String?
    let status: String

    enum CodingKeys: String, CodingKey {
        case id, name, code, type, path, depth, secretary, status
        case parentID = "parent_id", foundedOn = "founded_on", termStart = "term_start", termYears = "term_years"
    }

    var orgType: OrgType { OrgType(rawValue: type) ?? .branch }
    var orgStatus: OrgStatus { OrgStatus(rawValue: status) ?? .active }
    var idString: String { id.uuidString.lowercased() }

    func termDue(today: Day) -> TermDue {
        TermDue(termStart: termStart.flatMap(Day.init(iso:)), termYears: termYears, today: today)
    }

    /// The orgs under `roots` (nil: all), parents before children (by path).
    static func all(under roots: [String]?, includeClosed: Bool, on db: any Database) async throws -> [OrgNode] {
        if let roots, roots.isEmpty { return [] }
        let q = db.sql.select().columns(CodingKeys.allColumns.map { SQLColumn($0) }).from(OrgModel.schema)
        q.under(roots, column: "path")
        if !includeClosed { q.where("status", .equal, OrgStatus.active.rawValue) }
        return try await q.orderBy("path").all(decoding: OrgNode.self)
    }
}

private extension OrgNode.CodingKeys {
    static var allColumns: [String] {
        ["id", "name", "code", "type", "parent_id", "path", "depth", "founded_on", "term_start", "term_years", "secretary", "status"]
    }
}
