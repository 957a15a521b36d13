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
    // no tracking code: it is the resident's key to rate the need, so staff never see it
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
        id = d.idString; communityId = d.communityID.uuidString.lowercased(); communityName = community; origin = d.origin
        title = d.title; content = d.content; residentName = d.residentName; phone = d.phone; address = d.address
        state = d.state; stateLabel = d.stateValue.label; stateSince = d.stateSince; self.deadline = deadline?.iso
        overdue = deadline.map { today > $0 } ?? false; postedOn = d.postedOn
        unitId = d.unitID?.uuidString.lowercased(); unitName = d.unitName; memberId = d.memberID?.uuidString.lowercased(); memberName = d.memberName
        result = d.result; doneOn = d.doneOn; stars = d.stars; ratingComment = d.ratingComment
        self.steps = steps?.map { Step(seq: $0.seq, date: $0.date, action: $0.action, state: $0.stateAfter, note: $0.note, actor: $0.actorName) }
    }
}

struct DemandReceipt: Content { var code: String; var message: String; var trackUrl: String }

// MARK: lists and tasks

struct FilingDTO: Content {
    var id: String; var kind: String; var kindLabel: String; var year: Int; var orgId: String; var orgName: String; var title: String
    var listKind: String?; var post: String?; var holder: String?; var items: [String]; var filedOn: String?; var status: String; var statusLabel: String
    init(_ f: FilingModel, today: Day) {
        id = f.idString; kind = f.kind; kindLabel = f.kindValue.label; year = f.year; orgId = f.orgID.uuidString.lowercased(); orgName = f.orgName
        title = f.title; listKind = f.listKind; post = f.post; holder = f.holder; items = f.itemList; filedOn = f.filedOn
        let s = YearlyFiling.status(year: f.year, filedOn: f.filedDay, today: today)
        status = f.filedOn == nil ? "draft" : s.rawValue; statusLabel = f.filedOn == nil ? "草稿" + (s == .overdue ? "（已逾期）" : "") : s.label
    }
}

struct FilingRequest: Content {
    var orgId: String; var kind: String; var year: Int; var title: String; var listKind: String?; var post: String?; var holder: String?; var items: [String]
    var input: FilingService.Input {
        .init(orgRef: orgId, kind: kind, year: year, title: title, listKind: listKind ?? "", post: post ?? "", holder: holder ?? "", items: items)
    }
}

struct FilingStatusDTO: Content {
    var orgId: String; var orgName: String; var orgType: String; var duties: String; var dutiesLabel: String; var plan: String?; var planLabel: String?; var flagged: Bool
    init(_ s: FilingService.OrgStatus) {
        orgId = s.org.idString; orgName = s.org.name; orgType = s.org.type; duties = s.duties.rawValue; dutiesLabel = s.duties.label
        plan = s.plan?.rawValue; planLabel = s.plan?.label; flagged = s.duties.flagged || (s.plan?.flagged ?? false)
    }
}

struct TaskDTO: Content {
    struct Stage: Content { var key: String; var label: String; var due: String?; var metOn: String?; var state: String; var stateLabel: String }
    struct Event: Content { var seq: Int; var date: String; var kind: String; var kindLabel: String; var text: String; var actor: String }
    var id: String; var orgId: String; var orgName: String; var listId: String?; var title: String; var source: String; var detail: String?
    var ownerMemberId: String?; var ownerName: String; var preset: String; var major: Bool; var start: String; var planDue: String?
    var status: String; var statusLabel: String; var closedOn: String?; var version: Int
    var stages: [Stage]; var overdue: Bool; var missingMonthlyFeedback: [String]; var events: [Event]?

    init(_ t: TaskModel, stages: [TaskTimeline.Stage], missing: [(year: Int, month: Int)], events: [TaskEventModel]?) {
        id = t.idString; orgId = t.orgID.uuidString.lowercased(); orgName = t.orgName; listId = t.listID?.uuidString.lowercased()
        title = t.title; source = t.source; detail = t.detail; ownerMemberId = t.ownerMemberID?.uuidString.lowercased(); ownerName = t.ownerName
        preset = t.preset; major = t.major; start = t.startDate; planDue = t.planDue; status = t.status; statusLabel = t.statusValue.label
        closedOn = t.closedOn; version = t.version
        self.stages = stages.map { Stage(key: $0.key, label: $0.label, due: $0.due?.iso, metOn: $0.metOn?.iso, state: $0.state.rawValue, stateLabel: $0.state.label) }
        overdue = t.statusValue != .closed && (stages.contains { $0.state.flagged } || !missing.isEmpty)
        missingMonthlyFeedback = missing.map { String(format: "%04d-%02d", $0.year, $0.month) }
        self.events = events?.map { Event(seq: $0.seq, date: $0.date, kind: $0.kind, kindLabel: $0.kindValue.label, text: $0.text, actor: $0.actorName) }
    }
}

struct TaskRequest: Content {
    var orgId: String; var title: String; var source: String; var detail: String?; var listId: String?
    var ownerMemberId: String?; var ownerName: String?; var preset: String?; var major: Bool?; var start: String
    var input: TaskService.Input {
        .init(orgRef: orgId, listRef: listId ?? "", title: title, source: source, detail: detail ?? "", ownerRef: ownerMemberId ?? "",
              ownerName: ownerName ?? "", preset: preset ?? "13710", major: major ?? false, start: start)
    }
}

struct TaskEventRequest: Content { var kind: String; var text: String?; var planDue: String? }

// MARK: service

struct ServiceRecordDTO: Content {
    var id: String; var memberId: String; var memberName: String; var communityId: String; var date: String; var minutes: Int
    var hours: String; var activity: String; var status: String; var statusLabel: String; var recordedBy: String; var confirmedBy: String?
    /// While pending: the page the community contact opens to confirm (no login).
    var confirmUrl: String?
    /// `showLink`: only officers of the member's branch (not the member) get the community's link.
    init(_ r: ServiceRecordModel, showLink: Bool = false) {
        id = r.idString; memberId = r.memberID.uuidString.lowercased(); memberName = r.memberName; communityId = r.communityID.uuidString.lowercased()
        date = r.date; minutes = r.minutes; hours = ServiceCheck.hours(r.minutes); activity = r.activity; status = r.status
        statusLabel = r.statusValue.label; recordedBy = r.recordedBy; confirmedBy = r.confirmedBy
        confirmUrl = showLink ? r.confirmToken.map { "/public/service/\($0)" } : nil
    }
}

struct ServiceRecordRequest: Content { var memberId: String?; var communityId: String; var date: String; var hours: Double; var activity: String }

struct ServiceCheckDTO: Content {
    struct Month: Content { var month: Int; var minutes: Int; var required: Int; var status: String; var statusLabel: String }
    struct Row: Content { var memberId: String; var name: String; var months: [Month] }
    var orgId: String; var orgName: String; var year: Int; var rows: [Row]
}
