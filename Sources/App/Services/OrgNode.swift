import Fluent
import SQLKit
import Foundation
import Domain

/// A read-only org for computations over a whole scope (R-7 over 20,000 branches, the
/// dashboard): the same columns as `OrgModel`, read with one SQL query into plain values instead
/// of Fluent models (whose property wrappers cost more than the query itself at that size).
final class OrgNode: Sendable {
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

    enum CodingKeys: String, CaseIterable {
        case id, name, code, type, parentID = "parent_id", path, depth, foundedOn = "founded_on", termStart = "term_start",
             termYears = "term_years", secretary, status
    }

    var idString: String { id.uuidString.lowercased() }

    init?(_ r: PlainRow) {
        guard let id = r.uuid("id"), let name = r.string("name"), let code = r.string("code"), let type = r.string("type"),
              let path = r.string("path"), let depth = r.int("depth"), let status = r.string("status") else { return nil }
        self.id = id; self.name = name; self.code = code; self.type = type; self.parentID = r.uuid("parent_id"); self.path = path
        self.depth = depth; self.foundedOn = r.string("founded_on"); self.termStart = r.string("term_start"); self.termYears = r.int("term_years")
        self.secretary = r.string("secretary"); self.status = status
    }

    static var columns: [SQLColumn] { CodingKeys.allCases.map { SQLColumn($0.rawValue) } }

    /// The orgs under `roots` (nil: all), parents before children (by path).
    static func all(under roots: [String]?, includeClosed: Bool, on db: any Database) async throws -> [OrgNode] {
        if let roots, roots.isEmpty { return [] }
        let q = db.sql.select().columns(columns).from(OrgModel.schema)
        q.under(roots, column: "path")
        if !includeClosed { q.where("status", .equal, OrgStatus.active.rawValue) }
        return try await q.orderBy("path").plainRows().compactMap(OrgNode.init)
    }
}

/// What an org's stored columns mean, for the Fluent model and the plain row alike.
protocol OrgColumns {
    var type: String { get }
    var status: String { get }
    var termStart: String? { get }
    var termYears: Int? { get }
}

extension OrgColumns {
    var orgType: OrgType { OrgType(rawValue: type) ?? .branch }
    var orgStatus: OrgStatus { OrgStatus(rawValue: status) ?? .active }

    func termDue(today: Day) -> TermDue {
        TermDue(termStart: termStart.flatMap(Day.init(iso:)), termYears: termYears, today: today)
    }
}

extension OrgNode: OrgColumns {}
extension OrgModel: OrgColumns {}

extension OrgNode {
    /// The orgs with these ids, by id (read 5,000 at a time).
    static func byID(_ ids: Set<UUID>, on db: any Database) async throws -> [UUID: OrgNode] {
        var out: [UUID: OrgNode] = [:]
        let all = Array(ids)
        for start in stride(from: 0, to: all.count, by: 5_000) {
            let chunk = Array(all[start..<min(start + 5_000, all.count)])
            let rows = try await db.sql.select().columns(columns).from(OrgModel.schema)
                .where("id", .in, chunk).plainRows().compactMap(OrgNode.init)
            for o in rows { out[o.id] = o }
        }
        return out
    }
}
