import Vapor
import Fluent
import Domain

/// A problem of the ledger (问题台账, DOMAIN §7). The table began as the rating module's
/// rectifications; rating vetoes, one-star results and upheld complaints still arrive here.
final class ProblemModel: Model, @unchecked Sendable {
    static let schema = "rectifications"
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @Field(key: "year") var year: Int
    /// rectification (限期整改) or accountability (责任追究).
    @Field(key: "kind") var kind: String
    @Field(key: "source") var source: String
    @OptionalField(key: "source_id") var sourceID: String?
    /// The short reason the source gave (for rating rows); the description is the ledger's text.
    @Field(key: "reason") var reason: String
    @OptionalField(key: "aspect") var aspect: String?
    @OptionalField(key: "description") var problemDescription: String?
    @OptionalField(key: "found_on") var foundOn: String?
    @OptionalField(key: "deadline") var deadline: String?
    @OptionalField(key: "leader") var leader: String?
    @OptionalField(key: "measures") var measures: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "verified_on") var verifiedOn: String?
    @OptionalField(key: "verified_by") var verifiedBy: String?
    @OptionalField(key: "created_by") var createdBy: String?
    @OptionalField(key: "version") var version: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    init() {}

    var idString: String { id?.uuidString.lowercased() ?? "" }
    var kindLabel: String { kind == "accountability" ? "责任追究" : "限期整改" }
    var sourceValue: ProblemSource? { ProblemSource(rawValue: source) }
    var sourceLabel: String { sourceValue?.label ?? source }
    var statusValue: ProblemStatus { ProblemStatus(rawValue: status) ?? .open }
    var aspectValue: Star { aspect.flatMap(Star.init(rawValue:)) ?? .strong }
    var text: String { problemDescription ?? reason }
    var foundDay: Day { foundOn.flatMap(Day.init(iso:)) ?? Day(year: year, month: 1, day: 1)! }
    var deadlineDay: Day { deadline.flatMap(Day.init(iso:)) ?? foundDay.adding(days: 90) }
    var currentVersion: Int { version ?? 0 }

    /// What R-22 reads.
    var escalationProblem: Escalation.Problem {
        Escalation.Problem(aspect: aspectValue, found: foundDay, deadline: deadlineDay,
                           verified: statusValue == .verified ? verifiedOn.flatMap(Day.init(iso:)) : nil)
    }
}

final class ProblemStepModel: Model, @unchecked Sendable {
    static let schema = "problem_steps"
    @ID(key: .id) var id: UUID?
    @Field(key: "problem_id") var problemID: UUID
    @Field(key: "seq") var seq: Int
    @Field(key: "step") var step: String
    @Field(key: "day") var day: String
    @Field(key: "text") var text: String
    @Field(key: "actor_name") var actorName: String
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var stepValue: ProblemStep? { ProblemStep(rawValue: step) }
}

/// Who took charge of an escalation stage: the party-group leader, or the work group.
final class EscalationAssignmentModel: Model, @unchecked Sendable {
    static let schema = "escalation_assignments"
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "level") var level: String
    @Field(key: "since") var since: String
    @Field(key: "assignee") var assignee: String
    @OptionalField(key: "note") var note: String?
    @Field(key: "assigned_by") var assignedBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

/// An integrity-risk point.
final class RiskPointModel: Model, @unchecked Sendable {
    static let schema = "risk_points"
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @Field(key: "post") var post: String
    @Field(key: "process") var process: String
    @Field(key: "description") var riskDescription: String
    @Field(key: "level") var level: String
    @Field(key: "before_measures") var before: String
    @Field(key: "during_measures") var during: String
    @Field(key: "after_measures") var after: String
    @Field(key: "owner") var owner: String
    @OptionalField(key: "last_reviewed") var lastReviewed: String?
    @OptionalField(key: "reviewed_by") var reviewedBy: String?
    @Field(key: "version") var version: Int
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
    var levelValue: RiskLevel { RiskLevel(rawValue: level) ?? .medium }
    var reviewedDay: Day? { lastReviewed.flatMap(Day.init(iso:)) }
}

/// 月晒: a branch's monthly self-report.
final class SelfReportModel: Model, @unchecked Sendable {
    static let schema = "self_reports"
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @Field(key: "year") var year: Int
    @Field(key: "month") var month: Int
    @Field(key: "text") var text: String
    @Field(key: "submitted_on") var submittedOn: String
    @Field(key: "submitted_by") var submittedBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
}

/// 季评: the organ committee's score of a branch for a quarter.
final class QuarterScoreModel: Model, @unchecked Sendable {
    static let schema = "quarter_scores"
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @Field(key: "year") var year: Int
    @Field(key: "quarter") var quarter: Int
    @Field(key: "score") var score: Double
    @OptionalField(key: "comment") var comment: String?
    @Field(key: "scored_by") var scoredBy: String
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    init() {}
}

/// 年考: a published ranking, frozen as it was published.
final class AssessmentPublicationModel: Model, @unchecked Sendable {
    static let schema = "assessment_publications"
    @ID(key: .id) var id: UUID?
    @Field(key: "year") var year: Int
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @Field(key: "body") var body: String
    @Field(key: "published_by") var publishedBy: String
    @Field(key: "published_at") var publishedAt: Date
    init() {}
}

final class SurveyModel: Model, @unchecked Sendable {
    static let schema = "surveys"
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @Field(key: "year") var year: Int
    @Field(key: "title") var title: String
    @OptionalField(key: "intro") var intro: String?
    @Field(key: "questions") var questions: String
    /// draft → open → closed; questions are fixed once it opens.
    @Field(key: "status") var status: String
    @Field(key: "version") var version: Int
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
    var questionList: [SurveyQuestion] { JSON.decode([SurveyQuestion].self, questions) ?? [] }
    var statusLabel: String { ["draft": "草稿", "open": "收集中", "closed": "已结束"][status] ?? status }
}

final class SurveyLinkModel: Model, @unchecked Sendable {
    static let schema = "survey_links"
    @ID(key: .id) var id: UUID?
    @Field(key: "survey_id") var surveyID: UUID
    @Field(key: "token") var token: String
    @OptionalField(key: "label") var label: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

final class SurveyResponseModel: Model, @unchecked Sendable {
    static let schema = "survey_responses"
    @ID(key: .id) var id: UUID?
    @Field(key: "survey_id") var surveyID: UUID
    @Field(key: "link_id") var linkID: UUID
    @Field(key: "answers") var answers: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var answerList: [SurveyAnswer] { JSON.decode([SurveyAnswer].self, answers) ?? [] }
}
