import Fluent
import Foundation
import Domain

final class MemberModel: Model, @unchecked Sendable {
    static let schema = "members"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "gender") var gender: String
    @OptionalField(key: "birth_date") var birthDate: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "join_date") var joinDate: String?
    @Parent(key: "org_id") var org: OrgModel
    /// Path of the member's deepest node (the 党小组 if any, else the branch), so scoped lists are one
    /// indexed prefix match and a group leader's grant on the group covers its members.
    @Field(key: "org_path") var orgPath: String
    @OptionalParent(key: "group_id") var group: OrgModel?
    @OptionalField(key: "post") var post: String?
    @OptionalField(key: "phone") var phone: String?
    @Field(key: "retired") var retired: Bool
    @Field(key: "hardship") var hardship: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var idString: String { id?.uuidString.lowercased() ?? "" }
    var politicalStatus: PoliticalStatus { PoliticalStatus(rawValue: status) ?? .masses }
    var genderValue: Gender { Gender(rawValue: gender) ?? .male }

    func apply(_ d: MemberDraft, org: OrgModel, group: OrgModel?) {
        name = d.name; gender = d.gender.rawValue; birthDate = d.birthDate?.iso; status = d.status.rawValue
        joinDate = d.joinDate?.iso; $org.id = org.id!; orgPath = group?.path ?? org.path; $group.id = group?.id
        post = d.post; phone = d.phone; retired = d.retired; hardship = d.hardship
    }
}

/// A member's move from one branch to another, kept as history.
final class MemberTransferModel: Model, @unchecked Sendable {
    static let schema = "member_transfers"

    @ID(key: .id) var id: UUID?
    @Parent(key: "member_id") var member: MemberModel
    @Field(key: "from_org_id") var fromOrgID: UUID
    @Field(key: "from_org_name") var fromOrgName: String
    @Field(key: "to_org_id") var toOrgID: UUID
    @Field(key: "to_org_name") var toOrgName: String
    @Field(key: "date") var date: String
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "actor_name") var actorName: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

extension PoliticalStatus {
    /// 正式党员 and 预备党员: who attends organizational life, serves and earns points.
    static let partyMemberValues = [PoliticalStatus.full.rawValue, PoliticalStatus.probationary.rawValue]
}
