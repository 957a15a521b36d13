import Vapor
import Domain

// MARK: organizational life

struct MeetingDTO: Content {
    struct Person: Content { var memberId: String; var name: String; var reason: String? }
    var id: String
    var orgId: String
    var orgName: String
    var date: String
    var types: [String]
    var typeLabels: [String]
    var topic: String
    var place: String?
    var host: String?
    var minutes: String?
    var attendees: [String]
    var attendeeCount: Int
    var absentees: [Person]
    var createdBy: String

    init(_ m: MeetingModel) {
        id = m.idString; orgId = m.orgID.uuidString.lowercased(); orgName = m.orgName; date = m.date
        types = m.typeSet.map(\.rawValue); typeLabels = m.typeSet.map(\.label); topic = m.topic
        place = m.place; host = m.host; minutes = m.minutes; attendees = m.attendeeIDs; attendeeCount = m.attendeeCount
        absentees = m.absenteeList.map { Person(memberId: $0.memberId, name: $0.name, reason: $0.reason) }; createdBy = m.createdBy
    }
}

struct MeetingRequest: Content {
    var orgId: String
    var date: String
    var types: [String]
    var topic: String
    var place: String?
    var host: String?
    var minutes: String?
    var attendees: [String]
    /// member id → reason for every member of the org who was absent
    var absentees: [String: String]?

    var input: OrgLifeService.Input {
        .init(orgRef: orgId, date: date, types: types, topic: topic, place: place ?? "", host: host ?? "", minutes: minutes ?? "",
              attendees: attendees, reasons: absentees ?? [:])
    }
}

struct ComplianceDTO: Content {
    struct Rule: Content { var key: String; var label: String; var status: String; var statusLabel: String; var count: Int; var required: Int; var detail: String }
    struct Month: Content { var month: Int; var status: String; var statusLabel: String; var rules: [Rule] }
    var orgId: String
    var orgName: String
    var year: Int
    var months: [Month]
    /// Share of compliant months among decided ones; null before any month is decided.
    var share: Double?

    init(org: OrgModel, year: Int, months: [OrgLifeCompliance.Month]) {
        orgId = org.idString; orgName = org.name; self.year = year
        self.months = months.map { m in
            Month(month: m.month, status: m.status.rawValue, statusLabel: m.status.label,
                  rules: m.rules.map { Rule(key: $0.key, label: $0.label, status: $0.status.rawValue, statusLabel: $0.status.label, count: $0.count, required: $0.required, detail: $0.detail) })
        }
        share = OrgLifeCompliance.share(months)
    }
}

// MARK: points

struct PointEntryDTO: Content {
    var id: String
    var memberId: String
    var memberName: String
    var orgId: String
    var year: Int
    var date: String
    var rule: String
    var item: String
    var points: Int
    var reason: String
    var source: String
    var status: String
    var statusLabel: String
    var proposedBy: String
    var decidedBy: String?

    init(_ e: PointEntryModel) {
        id = e.idString; memberId = e.memberID.uuidString.lowercased(); memberName = e.memberName; orgId = e.orgID.uuidString.lowercased()
        year = e.year; date = e.date; rule = e.ruleKey; item = e.item; points = e.points; reason = e.reason; source = e.source
        status = e.status; statusLabel = e.statusValue.label; proposedBy = e.proposedBy; decidedBy = e.decidedBy
    }
}

struct PointAwardRequest: Content { var memberId: String; var rule: String; var reason: String; var date: String }

struct StandingDTO: Content {
    var orgId: String
    var name: String
    var members: Int
    var total: Int
    var average: Double
    var rank: Int
    init(_ s: Points.Standing) { orgId = s.id; name = s.name; members = s.members; total = s.total; average = (s.average * 100).rounded() / 100; rank = s.rank }
}

// MARK: demands

struct CommunityDTO: Content {
    var id: String
    var name: String
    var street: String?
    init(_ c: CommunityModel) { id = c.idString; name = c.name; street = c.street }
}

struct DemandPostRequest: Content {
    var communityId: String
    var title: String
    var content: String
    var name: String
    var phone: String
    var address: String?
    var post: DemandService.Post { .init(community: communityId, title: title, content: content, name: name, phone: phone, address: address ?? "") }
}

struct DemandRateRequest: Content { var stars: Int; var comment: String? }
struct DemandDispatchRequest: Content { var unitId: String }
struct ReasonRequest: Content { var reason: String }
struct DemandClaimRequest: Content { var memberId: String? }
struct DemandFinishRequest: Content { var result: String }

/// What the resident sees by the tracking code: no contact details of anyone.
struct DemandPublicDTO: Content {
    struct Step: Content { var date: String; var action: String; var note: String? }
    var code: String
    var title: String
    var content: String
    var community: String
    var state: String
    var stateLabel: String
    var postedOn: String
    var unitName: String?
    var result: String?
    var doneOn: String?
    var stars: Int?
    var ratingComment: String?
    var steps: [Step]

    init(_ d: DemandModel, community: String, steps: [DemandStepModel]) {
        code = d.code; title = d.title; content = d.content; self.community = community; state = d.state; stateLabel = d.stateValue.label
        postedOn = d.postedOn; unitName = d.unitName; result = d.result; doneOn = d.doneOn; stars = d.stars; ratingComment = d.ratingComment
        // public steps never name officers or members; a hand-back's reason stays internal
        self.steps = steps.map { Step(date: $0.date, action: $0.action, note: $0.action == "群众评价" || $0.action == "办结" ? $0.note : nil) }
    }
}

struct DemandDTO: Content {
    struct Step: Content { var seq: Int; var date: String; var action: String; var state: String; var note: String?; var actor: String }
    var id: String
    var code: String
    var communityId: String
    var communityName: String
    var origin: String
    var title: String
    var content: String
    var residentName: String
    var phone: String
    var address: String?
    var state: String
    var stateLabel: String
    var stateSince: String
    var deadline: String?
    var overdue: Bool
    var postedOn: String
    var unitId: String?
    var unitName: String?
    var memberId: String?
    var memberName: String?
    var result: String?
    var doneOn: String?
    var stars: Int?
    var ratingComment: String?
    var steps: [Step]?

    init(_ d: DemandModel, community: String, deadline: Day?, today: Day, steps: [DemandStepModel]? = nil) {
        id = d.idString; code = d.code; communityId = d.communityID.uuidString.lowercased(); communityName = community; origin = d.origin
        title = d.title; content = d.content; residentName = d.residentName; phone = d.phone; address = d.address
        state = d.state; stateLabel = d.stateValue.label; stateSince = d.stateSince; self.deadline = deadline?.iso
        overdue = deadline.map { today > $0 } ?? false; postedOn = d.postedOn
        unitId = d.unitID?.uuidString.lowercased(); unitName = d.unitName; memberId = d.memberID?.uuidString.lowercased(); memberName = d.memberName
        result = d.result; doneOn = d.doneOn; stars = d.stars; ratingComment = d.ratingComment
        self.steps = steps?.map { Step(seq: $0.seq, date: $0.date, action: $0.action, state: $0.stateAfter, note: $0.note, actor: $0.actorName) }
    }
}

struct DemandReceipt: Content { var code: String; var message: String; var trackUrl: String }
