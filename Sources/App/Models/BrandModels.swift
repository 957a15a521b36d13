import Vapor
import Fluent
import Domain

/// A Party-building brand (DOMAIN §3): the owner org (or one member's 燃点 within a branch),
/// its content, where it stands in R-9, and what the steps left on it.
final class BrandModel: Model, @unchecked Sendable {
    static let schema = "brands"
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @Field(key: "org_type") var orgType: String
    /// The applicant's unit (its organ committee or party group; the org itself without one), R-10.
    @Field(key: "unit_path") var unitPath: String
    @Field(key: "unit_name") var unitName: String
    @OptionalField(key: "member_id") var memberID: UUID?
    @OptionalField(key: "member_name") var memberName: String?
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "name") var name: String
    @OptionalField(key: "logo_id") var logoID: UUID?
    @Field(key: "theme") var theme: String
    @Field(key: "connotation") var connotation: String
    @OptionalField(key: "philosophy") var philosophy: String?
    @OptionalField(key: "carriers") var carriers: String?
    @OptionalField(key: "long_plan") var longPlan: String?
    @OptionalField(key: "year_plan") var yearPlan: String?
    @OptionalField(key: "achievements") var achievements: String?
    @Field(key: "state") var state: String
    /// The year of the application (its selection round).
    @Field(key: "year") var year: Int
    /// 机关党委意见 given when it forwarded the application.
    @OptionalField(key: "opinion") var opinion: String?
    /// The last return: "原因1、原因2：说明".
    @OptionalField(key: "returned") var returned: String?
    @OptionalField(key: "named_on") var namedOn: String?
    @OptionalField(key: "decision_id") var decisionID: UUID?
    /// Rectification deadline.
    @OptionalField(key: "deadline") var deadline: String?
    @OptionalField(key: "problem_id") var problemID: UUID?
    /// The service recipients' survey of the preliminary selection.
    @OptionalField(key: "survey_id") var surveyID: UUID?
    /// The committee's optimization suggestions, newest last.
    @OptionalField(key: "suggestions") var suggestions: String?
    @Field(key: "version") var version: Int
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    init() {}

    var idString: String { id?.uuidString.lowercased() ?? "" }
    var stateValue: BrandState { BrandState(rawValue: state) ?? .draft }
    var namedDay: Day? { namedOn.flatMap(Day.init(iso:)) }
    var deadlineDay: Day? { deadline.flatMap(Day.init(iso:)) }
    /// "XX党支部" or "XX党支部 张三（一党员一燃点）".
    var ownerLabel: String { memberName.map { "\(orgName) \($0)（一党员一燃点）" } ?? orgName }
    var suggestionList: [String] { JSON.decode([String].self, suggestions ?? "") ?? [] }
}

/// The archive (创建档案): every step, score, comment decision, document and filing, in order.
final class BrandEventModel: Model, @unchecked Sendable {
    static let schema = "brand_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "seq") var seq: Int
    @Field(key: "kind") var kind: String
    @OptionalField(key: "from_state") var fromState: String?
    @OptionalField(key: "to_state") var toState: String?
    @Field(key: "day") var day: String
    @Field(key: "text") var text: String
    @Field(key: "actor_name") var actorName: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

/// An expert assigned to an application, with their score sheet once given.
final class BrandExpertModel: Model, @unchecked Sendable {
    static let schema = "brand_experts"
    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "user_name") var userName: String
    @OptionalField(key: "scores") var scores: String?
    @OptionalField(key: "total") var total: Double?
    @OptionalField(key: "comment") var comment: String?
    @OptionalField(key: "scored_at") var scoredAt: Date?
    @Field(key: "assigned_by") var assignedBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
    var scoreMap: [String: Int] { JSON.decode([String: Int].self, scores ?? "") ?? [:] }
}

/// A public comment with a 1–5 rating, stored raw, shown escaped once approved.
final class BrandCommentModel: Model, @unchecked Sendable {
    static let schema = "brand_comments"
    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    /// mutual (机关互评, signed in), web (社会网评), mobile (微信点评).
    @Field(key: "channel") var channel: String
    @Field(key: "rating") var rating: Int
    @Field(key: "body") var body: String
    @OptionalField(key: "author") var author: String?
    @OptionalField(key: "user_id") var userID: UUID?
    @Field(key: "ip") var ip: String
    /// pending → approved | rejected.
    @Field(key: "status") var status: String
    @OptionalField(key: "moderated_by") var moderatedBy: String?
    @Timestamp(key: "created_at", on: .none) var createdAt: Date?   // the app clock's now, set by the service
    @Timestamp(key: "moderated_at", on: .none) var moderatedAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
    static let channels = ["mutual": "机关互评", "web": "社会网评", "mobile": "微信点评"]
    static let statuses = ["pending": "待审核", "approved": "已通过", "rejected": "未通过"]
    var channelLabel: String { Self.channels[channel] ?? channel }
    var statusLabel: String { Self.statuses[status] ?? status }
}

/// the party group's naming decision.
final class BrandDecisionModel: Model, @unchecked Sendable {
    static let schema = "brand_decisions"
    @ID(key: .id) var id: UUID?
    @Field(key: "document") var document: String
    @Field(key: "title") var title: String
    @Field(key: "decided_on") var decidedOn: String
    @Field(key: "brand_ids") var brandIDs: String
    /// The committee that decided (scope of the decision).
    @Field(key: "org_path") var orgPath: String
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
    var brandIDList: [UUID] { (JSON.decode([String].self, brandIDs) ?? []).compactMap(UUID.init(uuidString:)) }
}

/// one yearly re-review.
final class BrandReviewModel: Model, @unchecked Sendable {
    static let schema = "brand_reviews"
    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "year") var year: Int
    @Field(key: "outcome") var outcome: String
    @Field(key: "comment") var comment: String
    @OptionalField(key: "deadline") var deadline: String?
    @Field(key: "reviewed_on") var reviewedOn: String
    @Field(key: "reviewed_by") var reviewedBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var outcomeLabel: String { BrandReReviewOutcome(rawValue: outcome)?.label ?? outcome }
}

/// a named brand's goals and measures for a year.
final class BrandGoalModel: Model, @unchecked Sendable {
    static let schema = "brand_goals"
    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "year") var year: Int
    @Field(key: "goals") var goals: String
    @Field(key: "measures") var measures: String
    @Field(key: "filed_by") var filedBy: String
    @Field(key: "filed_on") var filedOn: String
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    init() {}
}

/// 共建对子 — a named brand's unit paired with a lagging organization.
final class BrandPairModel: Model, @unchecked Sendable {
    static let schema = "brand_pairs"
    @ID(key: .id) var id: UUID?
    @Field(key: "brand_id") var brandID: UUID
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @Field(key: "started_on") var startedOn: String
    @OptionalField(key: "ended_on") var endedOn: String?
    @Field(key: "goal") var goal: String
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
}

final class BrandPairActivityModel: Model, @unchecked Sendable {
    static let schema = "brand_pair_activities"
    @ID(key: .id) var id: UUID?
    @Field(key: "pair_id") var pairID: UUID
    @Field(key: "day") var day: String
    @Field(key: "title") var title: String
    @Field(key: "text") var text: String
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

/// a branch's brand-creation score for a year.
final class BrandAssessmentModel: Model, @unchecked Sendable {
    static let schema = "brand_assessments"
    @ID(key: .id) var id: UUID?
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "org_name") var orgName: String
    @Field(key: "year") var year: Int
    @Field(key: "basic") var basic: Double
    @Field(key: "carriers") var carriers: Double
    @Field(key: "effect") var effect: Double
    @Field(key: "total") var total: Double
    @OptionalField(key: "comment") var comment: String?
    @Field(key: "scored_by") var scoredBy: String
    @Field(key: "version") var version: Int
    @Timestamp(key: "updated_at", on: .none) var updatedAt: Date?
    init() {}
}

/// a published ranking, frozen as published.
final class BrandRankingModel: Model, @unchecked Sendable {
    static let schema = "brand_rankings"
    @ID(key: .id) var id: UUID?
    @Field(key: "year") var year: Int
    @Field(key: "org_path") var orgPath: String
    @Field(key: "rows") var rows: String
    @Field(key: "published_by") var publishedBy: String
    @Timestamp(key: "published_at", on: .none) var publishedAt: Date?
    init() {}
}
