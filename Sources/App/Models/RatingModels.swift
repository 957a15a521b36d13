import Fluent
import Foundation
import Domain

/// One immutable version of a rating scheme (the JSON of `RatingScheme`). Editing makes a
/// new version of the same family, so a rating year bound to a version never changes.
final class SchemeModel: Model, @unchecked Sendable {
    static let schema = "rating_schemes"
    @ID(key: .id) var id: UUID?
    @Field(key: "family_id") var familyID: UUID
    @Field(key: "version") var version: Int
    @Field(key: "name") var name: String
    @OptionalField(key: "org_id") var orgID: UUID?
    @Field(key: "body") var body: String
    @Field(key: "builtin") var builtin: Bool
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}

    var idString: String { id?.uuidString.lowercased() ?? "" }
    var scheme: RatingScheme { (try? JSONDecoder().decode(RatingScheme.self, from: Data(body.utf8))) ?? .nanyang }
    static func encode(_ s: RatingScheme) -> String {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        return String(decoding: try! e.encode(s), as: UTF8.self)
    }
}

/// A rating year of a committee's subtree, bound to one scheme version.
final class RoundModel: Model, @unchecked Sendable {
    static let schema = "rating_rounds"
    @ID(key: .id) var id: UUID?
    @Field(key: "year") var year: Int
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "scheme_id") var schemeID: UUID
    @Field(key: "opened_by") var openedBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
}

/// A branch's rating for one year: the application, where it stands in the chain,
/// the decided stars and the current stars after the ledger (动态调星).
final class RatingModel: Model, @unchecked Sendable {
    static let schema = "ratings"
    @ID(key: .id) var id: UUID?
    @Field(key: "round_id") var roundID: UUID
    @Field(key: "year") var year: Int
    @Field(key: "branch_id") var branchID: UUID
    @Field(key: "branch_path") var branchPath: String
    @Field(key: "branch_name") var branchName: String
    @OptionalField(key: "unit_id") var unitID: UUID?
    @Field(key: "stage") var stage: String
    @Field(key: "requested") var requested: String
    @Field(key: "stars") var stars: String
    @Field(key: "current_stars") var currentStars: String
    @Field(key: "answers") var answers: String
    @OptionalField(key: "notice_id") var noticeID: UUID?
    @Field(key: "version") var version: Int
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    init() {}

    var idString: String { id?.uuidString.lowercased() ?? "" }
    var stageValue: RatingStage { RatingStage(rawValue: stage) ?? .draft }
    var requestedSet: StarSet { StarSet(stored: requested) }
    var starSet: StarSet { StarSet(stored: stars) }
    var currentSet: StarSet { StarSet(stored: currentStars) }
    var state: RatingState { RatingState(stage: stageValue, stars: starSet) }

    var answerMap: [String: CriterionAnswer] {
        (try? JSONDecoder().decode([String: CriterionAnswer].self, from: Data(answers.utf8))) ?? [:]
    }
    func setAnswers(_ a: [String: CriterionAnswer]) {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        answers = String(decoding: try! e.encode(a), as: UTF8.self)
    }
}

/// Who decided what at each step: decider, time, level before and after, comment.
final class RatingStepModel: Model, @unchecked Sendable {
    static let schema = "rating_steps"
    @ID(key: .id) var id: UUID?
    @Field(key: "rating_id") var ratingID: UUID
    @Field(key: "action") var action: String
    @Field(key: "actor_kind") var actorKind: String
    @OptionalField(key: "decider_id") var deciderID: UUID?
    @Field(key: "decider_name") var deciderName: String
    @Field(key: "at") var at: Date
    /// The rating's version this step produced: the order of steps taken within the same second.
    @Field(key: "seq") var seq: Int
    @Field(key: "stage_before") var stageBefore: String
    @Field(key: "stage_after") var stageAfter: String
    @Field(key: "stars_before") var starsBefore: String
    @Field(key: "stars_after") var starsAfter: String
    @OptionalField(key: "comment") var comment: String?
    init() {}
}

/// An uploaded file (evidence): kept in the database so a backup holds it and a write is all or nothing.
final class AttachmentModel: Model, @unchecked Sendable {
    static let schema = "attachments"
    @ID(key: .id) var id: UUID?
    @Field(key: "owner_type") var ownerType: String
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "org_path") var orgPath: String
    @OptionalField(key: "slot") var slot: String?
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "data") var data: Data
    @Field(key: "uploaded_by") var uploadedBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
}

/// 公示亮星: a public notice of a batch of 4- and 5-star candidates.
final class NoticeModel: Model, @unchecked Sendable {
    static let schema = "notices"
    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "year") var year: Int
    @Field(key: "org_id") var orgID: UUID
    @Field(key: "org_path") var orgPath: String
    @Field(key: "start_date") var startDate: String
    @Field(key: "working_days") var workingDays: Int
    @Field(key: "end_date") var endDate: String
    @Field(key: "closed") var closed: Bool
    @OptionalField(key: "closed_by") var closedBy: String?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
}

/// A complaint (问题反映) sent during a notice by anyone, stored raw and shown escaped.
final class ComplaintModel: Model, @unchecked Sendable {
    static let schema = "complaints"
    @ID(key: .id) var id: UUID?
    @Field(key: "notice_id") var noticeID: UUID
    @Field(key: "rating_id") var ratingID: UUID
    @OptionalField(key: "name") var name: String?
    @Field(key: "contact") var contact: String
    @Field(key: "body") var body: String
    @OptionalField(key: "ip") var ip: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "verdict") var verdict: String?
    @OptionalField(key: "verified_by") var verifiedBy: String?
    @OptionalField(key: "verified_at") var verifiedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
    var idString: String { id?.uuidString.lowercased() ?? "" }
}

/// 动态调星: one dated adjustment of a branch's stars during the year.
final class LedgerEntryModel: Model, @unchecked Sendable {
    static let schema = "star_ledger"
    @ID(key: .id) var id: UUID?
    @Field(key: "rating_id") var ratingID: UUID
    @Field(key: "date") var date: String
    @Field(key: "change") var change: String
    @Field(key: "star") var star: String
    @Field(key: "reason") var reason: String
    @Field(key: "decider_name") var deciderName: String
    @Field(key: "stars_before") var starsBefore: String
    @Field(key: "stars_after") var starsAfter: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

/// 市场主体评: a section's score and place in the city's ranking for a year, linked to a branch.
final class MarketScoreModel: Model, @unchecked Sendable {
    static let schema = "market_scores"
    @ID(key: .id) var id: UUID?
    @Field(key: "year") var year: Int
    @Field(key: "section") var section: String
    @OptionalField(key: "branch_id") var branchID: UUID?
    @OptionalField(key: "branch_path") var branchPath: String?
    @Field(key: "score") var score: Double
    @Field(key: "rank") var rank: Int
    @Field(key: "total") var total: Int
    init() {}
    var standing: StarRating.MarketStanding { .init(section: section, rank: rank, total: total, score: score) }
}
