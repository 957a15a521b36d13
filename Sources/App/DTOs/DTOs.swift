import Vapor
import Domain

/// API shapes. Models are mapped explicitly; nothing from Fluent goes over the wire.
struct ListResponse<T: Content>: Content {
    var items: [T]
    var total: Int
    var page: Int
    var per: Int
}

struct OrgDTO: Content, Equatable {
    var id: String
    var name: String
    var code: String
    var type: String
    var typeLabel: String
    var parentId: String?
    var depth: Int
    var foundedOn: String?
    var termStart: String?
    var termYears: Int?
    var termDue: String?
    var termStatus: String
    var secretary: String?
    var status: String

    init(_ o: OrgModel, today: Day) {
        let due = o.termDue(today: today)
        id = o.idString; name = o.name; code = o.code; type = o.type; typeLabel = o.orgType.label
        parentId = o.parentID?.uuidString.lowercased(); depth = o.depth; foundedOn = o.foundedOn
        termStart = o.termStart; termYears = o.termYears; termDue = due.dueDate?.iso; termStatus = due.status.rawValue
        secretary = o.secretary; status = o.status
    }

    /// Snapshot for the audit log: stored facts only, no computed status.
    static func snapshot(_ o: OrgModel) -> [String: String] {
        ["name": o.name, "code": o.code, "type": o.type, "parentId": o.parentID?.uuidString.lowercased() ?? "",
         "foundedOn": o.foundedOn ?? "", "termStart": o.termStart ?? "", "termYears": o.termYears.map(String.init) ?? "",
         "secretary": o.secretary ?? "", "status": o.status]
    }
}

struct MemberDTO: Content, Equatable {
    var id: String
    var name: String
    var gender: String
    var birthDate: String?
    var status: String
    var statusLabel: String
    var joinDate: String?
    var orgId: String
    var orgName: String?
    var groupId: String?
    var post: String?
    /// Masked (`138****1234`) unless the caller may see full details.
    var phone: String?
    var retired: Bool
    var hardship: Bool

    init(_ m: MemberModel, orgName: String?, full: Bool) {
        id = m.idString; name = m.name; gender = m.gender; birthDate = full ? m.birthDate : nil
        status = m.status; statusLabel = m.politicalStatus.label; joinDate = m.joinDate
        orgId = m.$org.id.uuidString.lowercased(); self.orgName = orgName
        groupId = m.$group.id?.uuidString.lowercased(); post = m.post
        phone = full ? m.phone : (m.phone.map { Privacy.maskPhone($0) })
        retired = m.retired; hardship = m.hardship
    }

    static func snapshot(_ m: MemberModel) -> [String: String] {
        snapshot(name: m.name, gender: m.gender, birthDate: m.birthDate, status: m.status, joinDate: m.joinDate, orgID: m.$org.id,
                 groupID: m.$group.id, post: m.post, phone: m.phone, retired: m.retired, hardship: m.hardship)
    }

    /// The same snapshot of a member not yet stored (imports write rows, not models).
    static func snapshot(_ d: MemberDraft, orgID: UUID, groupID: UUID?) -> [String: String] {
        snapshot(name: d.name, gender: d.gender.rawValue, birthDate: d.birthDate?.iso, status: d.status.rawValue, joinDate: d.joinDate?.iso,
                 orgID: orgID, groupID: groupID, post: d.post, phone: d.phone, retired: d.retired, hardship: d.hardship)
    }

    private static func snapshot(name: String, gender: String, birthDate: String?, status: String, joinDate: String?, orgID: UUID, groupID: UUID?,
                                 post: String?, phone: String?, retired: Bool, hardship: Bool) -> [String: String] {
        ["name": name, "gender": gender, "birthDate": birthDate ?? "", "status": status, "joinDate": joinDate ?? "",
         "orgId": orgID.text(lowercase: true), "groupId": groupID?.text(lowercase: true) ?? "",
         "post": post ?? "", "phone": phone ?? "", "retired": String(retired), "hardship": String(hardship)]
    }
}

struct TransferDTO: Content {
    var id: String
    var fromOrgId: String
    var fromOrgName: String
    var toOrgId: String
    var toOrgName: String
    var date: String
    var reason: String?
    var actorName: String?

    init(_ t: MemberTransferModel) {
        id = t.id!.uuidString.lowercased(); fromOrgId = t.fromOrgID.uuidString.lowercased(); fromOrgName = t.fromOrgName
        toOrgId = t.toOrgID.uuidString.lowercased(); toOrgName = t.toOrgName; date = t.date; reason = t.reason; actorName = t.actorName
    }
}

struct GrantDTO: Content {
    var id: String
    var role: String
    var roleLabel: String
    var orgId: String
    var orgName: String
}

struct UserDTO: Content {
    var id: String
    var username: String
    var displayName: String
    var active: Bool
    var memberId: String?
    var grants: [GrantDTO]

    init(_ u: UserModel, grants: [RoleGrantModel]) {
        id = u.idString; username = u.username; displayName = u.displayName; active = u.active
        memberId = u.memberID?.uuidString.lowercased()
        self.grants = grants.map {
            GrantDTO(id: $0.id!.uuidString.lowercased(), role: $0.role, roleLabel: $0.roleValue?.label ?? $0.role,
                     orgId: $0.$org.id.uuidString.lowercased(), orgName: $0.$org.value?.name ?? "")
        }
    }
}

struct AuditDTO: Content {
    var id: String
    var at: Date
    var actorId: String?
    var actorName: String
    var action: String
    var actionLabel: String
    var entityType: String
    var entityId: String?
    var entityLabel: String?
    var orgId: String?
    var before: String?
    var after: String?
    var note: String?
    var requestId: String?

    init(_ e: AuditEntryModel) {
        id = e.id!.uuidString.lowercased(); at = e.at; actorId = e.actorID?.uuidString.lowercased(); actorName = e.actorName
        action = e.action; actionLabel = Audit.actionLabel(e.action); entityType = e.entityType; entityId = e.entityID
        entityLabel = e.entityLabel; orgId = e.orgID?.uuidString.lowercased(); before = e.before; after = e.after
        note = e.note; requestId = e.requestID
    }
}

struct WorkingDaysDTO: Content {
    var from: String
    var count: Int
    var days: [String]
    var end: String
}

struct CalendarDayDTO: Content {
    var date: String
    var kind: String
    var kindLabel: String
    var name: String
}
