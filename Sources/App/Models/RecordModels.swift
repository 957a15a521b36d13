import Fluent
import Foundation
import Domain

/// A setting stored as JSON under a key (frequency rules, service, demand limits, presets).
final class SettingModel: Model, @unchecked Sendable {
    static let schema = "settings"
    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String
    @Field(key: "updated_by") var updatedBy: String
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    init() {}
}

/// A meeting or activity of organizational life (DOMAIN §5).
final class MeetingModel: Model, @unchecked Sendable {
    static let schema = "meetings"
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @Field(key: "date") var date: String
    @Field(key: "types") var types: String
    @Field(key: "topic") var topic: String
    @OptionalField(key: "place") var place: String?
    @OptionalField(key: "host") var host: String?
    @OptionalField(key: "minutes") var minutes: String?
    @Field(key: "attendees") var attendees: String
    @Field(key: "absentees") var absentees: String
    @Field(key: "attendee_count") var attendeeCount: Int
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    init() {}

    var idString: String { id?.uuidString.lowercased() ?? "" }
    var day: Day { Day(iso: date) ?? Day(year: 2000, month: 1, day: 1)! }
    var typeSet: [MeetingType] { types.split(separator: ",").compactMap { MeetingType(rawValue: String($0)) } }
    var attendeeIDs: [String] { JSON.decode([String].self, attendees) ?? [] }
    var absenteeList: [Absentee] { JSON.decode([Absentee].self, absentees) ?? [] }

    struct Absentee: Codable, Sendable, Equatable {
        var memberId: String
        var name: String
        var reason: String
    }
}

/// A yearly document due by 10 January: a responsibility list or the
/// theme-party-day plan. `items` is the JSON list of its lines (duties or planned activities).
final class FilingModel: Model, @unchecked Sendable {
    static let schema = "yearly_filings"
    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "year") var year: Int
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @Field(key: "title") var title: String
    @OptionalField(key: "list_kind") var listKind: String?
    @OptionalField(key: "post") var post: String?
    @OptionalField(key: "holder") var holder: String?
    @Field(key: "items") var items: String
    @OptionalField(key: "filed_on") var filedOn: String?
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    init() {}

    enum Kind: String, CaseIterable { case duties, themePlan
        var label: String { self == .duties ? "责任清单" : "主题党日年度计划" }
    }
    var idString: String { id?.uuidString.lowercased() ?? "" }
    var kindValue: Kind { Kind(rawValue: kind) ?? .duties }
    var itemList: [String] { JSON.decode([String].self, items) ?? [] }
    var filedDay: Day? { filedOn.flatMap(Day.init(iso:)) }
}

/// A task under a list, with its events.
final class TaskModel: Model, @unchecked Sendable {
    static let schema = "tasks"
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @OptionalField(key: "list_id") var listID: UUID?
    @Field(key: "title") var title: String
    @Field(key: "source") var source: String
    @OptionalField(key: "detail") var detail: String?
    @OptionalField(key: "owner_member_id") var ownerMemberID: UUID?
    @Field(key: "owner_name") var ownerName: String
    @Field(key: "preset") var preset: String
    @Field(key: "major") var major: Bool
    @Field(key: "start_date") var startDate: String
    @OptionalField(key: "plan_due") var planDue: String?
    @OptionalField(key: "plan_approved_on") var planApprovedOn: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "closed_on") var closedOn: String?
    @Field(key: "version") var version: Int
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    init() {}

    var idString: String { id?.uuidString.lowercased() ?? "" }
    var statusValue: TaskStatus { TaskStatus(rawValue: status) ?? .open }
    var start: Day { Day(iso: startDate) ?? Day(year: 2000, month: 1, day: 1)! }
}

final class TaskEventModel: Model, @unchecked Sendable {
    static let schema = "task_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "task_id") var taskID: UUID
    @Field(key: "date") var date: String
    @Field(key: "kind") var kind: String
    @Field(key: "text") var text: String
    @Field(key: "actor_name") var actorName: String
    @Field(key: "seq") var seq: Int
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    init() {}
    var kindValue: TaskEventKind { TaskEventKind(rawValue: kind) ?? .feedback }
    var event: TaskTimeline.Event { .init(day: Day(iso: date) ?? Day(year: 2000, month: 1, day: 1)!, kind: kindValue) }
}

/// One points entry; `source_id` makes automatic entries idempotent per record.
final class PointEntryModel: Model, @unchecked Sendable {
    static let schema = "point_entries"
    @ID(key: .id) var id: UUID?
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "member_name") var memberName: String
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "year") var year: Int
    @Field(key: "date") var date: String
    @Field(key: "rule_key") var ruleKey: String
    @Field(key: "item") var item: String
    @Field(key: "points") var points: Int
    @Field(key: "reason") var reason: String
    @Field(key: "source") var source: String
    @OptionalField(key: "source_id") var sourceID: String?
    @Field(key: "status") var status: String
    @Field(key: "proposed_by") var proposedBy: String
    @Field(key: "proposer_id") var proposerID: String
    @OptionalField(key: "decided_by") var decidedBy: String?
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
    var statusValue: PointStatus { PointStatus(rawValue: status) ?? .pending }
}

final class CommunityModel: Model, @unchecked Sendable {
    static let schema = "communities"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @OptionalField(key: "street") var street: String?
    @OptionalField(key: "contact") var contact: String?
    @OptionalField(key: "phone") var phone: String?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
}

/// 共建协议: a branch (or unit) paired with a community.
final class PairingModel: Model, @unchecked Sendable {
    static let schema = "pairings"
    @ID(key: .id) var id: UUID?
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @Field(key: "signed_on") var signedOn: String
    @Field(key: "content") var content: String
    @Field(key: "active") var active: Bool
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
}

final class ServiceRecordModel: Model, @unchecked Sendable {
    static let schema = "service_records"
    @ID(key: .id) var id: UUID?
    @Field(key: "member_id") var memberID: UUID
    @Field(key: "member_name") var memberName: String
    @Field(key: "org_path") var orgPath: String
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "date") var date: String
    @Field(key: "minutes") var minutes: Int
    @Field(key: "activity") var activity: String
    @Field(key: "status") var status: String
    @Field(key: "recorded_by") var recordedBy: String
    @OptionalField(key: "confirmed_by") var confirmedBy: String?
    /// The community contact's one-time confirmation link (set while pending).
    @OptionalField(key: "confirm_token") var confirmToken: String?
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }

    enum Status: String, CaseIterable { case pending, confirmed, rejected
        var label: String { switch self { case .pending: return "待确认"; case .confirmed: return "已确认"; case .rejected: return "未确认" } }
    }
    var statusValue: Status { Status(rawValue: status) ?? .pending }
}

/// A resident's need, tracked by an unguessable code without any login.
final class DemandModel: Model, @unchecked Sendable {
    static let schema = "demands"
    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "community_id") var communityID: UUID
    @Field(key: "title") var title: String
    @Field(key: "content") var content: String
    @Field(key: "origin") var origin: String
    @Field(key: "resident_name") var residentName: String
    @Field(key: "phone") var phone: String
    @OptionalField(key: "address") var address: String?
    @Field(key: "state") var state: String
    @Field(key: "state_since") var stateSince: String
    @Field(key: "posted_on") var postedOn: String
    @OptionalField(key: "unit_id") var unitID: UUID?
    @OptionalField(key: "unit_path") var unitPath: String?
    @OptionalField(key: "unit_name") var unitName: String?
    @OptionalField(key: "member_id") var memberID: UUID?
    @OptionalField(key: "member_name") var memberName: String?
    @OptionalField(key: "result") var result: String?
    @OptionalField(key: "done_on") var doneOn: String?
    @OptionalField(key: "stars") var stars: Int?
    @OptionalField(key: "rating_comment") var ratingComment: String?
    @OptionalField(key: "ip") var ip: String?
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
    var stateValue: DemandState { DemandState(rawValue: state) ?? .posted }
    var since: Day { Day(iso: stateSince) ?? Day(year: 2000, month: 1, day: 1)! }
}

final class DemandStepModel: Model, @unchecked Sendable {
    static let schema = "demand_steps"
    @ID(key: .id) var id: UUID?
    @Field(key: "demand_id") var demandID: UUID
    @Field(key: "seq") var seq: Int
    @Field(key: "date") var date: String
    @Field(key: "action") var action: String
    @Field(key: "state_after") var stateAfter: String
    @OptionalField(key: "note") var note: String?
    @Field(key: "actor_name") var actorName: String
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?
    init() {}
}

enum JSON {
    static func decode<T: Decodable>(_ t: T.Type, _ s: String) -> T? { try? JSONDecoder().decode(t, from: Data(s.utf8)) }
    static func encode<T: Encodable>(_ v: T) -> String {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        return String(decoding: (try? e.encode(v)) ?? Data("null".utf8), as: UTF8.self)
    }
}
