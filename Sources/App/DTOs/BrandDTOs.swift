import Vapor
import Domain

struct BrandDTO: Content {
    var id: String; var orgId: String; var orgName: String; var unitName: String; var memberId: String?; var memberName: String?
    var parentId: String?; var name: String; var hasLogo: Bool; var theme: String; var connotation: String; var philosophy: String?
    var carriers: String?; var longPlan: String?; var yearPlan: String?; var achievements: String?; var state: String; var stateLabel: String
    var year: Int; var opinion: String?; var returned: String?; var namedOn: String?; var deadline: String?; var problemId: String?
    var surveyId: String?; var suggestions: [String]; var version: Int
    init(_ b: BrandModel) {
        id = b.idString; orgId = b.orgID.uuidString.lowercased(); orgName = b.orgName; unitName = b.unitName
        memberId = b.memberID?.uuidString.lowercased(); memberName = b.memberName; parentId = b.parentID?.uuidString.lowercased(); name = b.name
        hasLogo = b.logoID != nil; theme = b.theme; connotation = b.connotation; philosophy = b.philosophy; carriers = b.carriers; longPlan = b.longPlan
        yearPlan = b.yearPlan; achievements = b.achievements; state = b.state; stateLabel = b.stateValue.label; year = b.year; opinion = b.opinion
        returned = b.returned; namedOn = b.namedOn; deadline = b.deadline; problemId = b.problemID?.uuidString.lowercased()
        surveyId = b.surveyID?.uuidString.lowercased(); suggestions = b.suggestionList; version = b.version
    }
}

struct BrandStepDTO: Content { var action: String; var label: String; var by: String }

struct BrandDetailDTO: Content {
    var brand: BrandDTO
    /// The steps this user may take now.
    var steps: [BrandStepDTO]
    var experts: [BrandExpertDTO]?
    var reviews: [BrandReviewDTO]
    var goals: [BrandGoalDTO]
    var comments: BrandCommentSummaryDTO
}

struct BrandExpertDTO: Content {
    var id: String; var userId: String; var name: String; var scores: [String: Int]?; var total: Double?; var comment: String?
    init(_ a: BrandExpertModel) {
        id = a.idString; userId = a.userID.uuidString.lowercased(); name = a.userName
        scores = a.total == nil ? nil : a.scoreMap; total = a.total; comment = a.comment
    }
}

struct BrandReviewDTO: Content {
    var year: Int; var outcome: String; var outcomeLabel: String; var comment: String; var deadline: String?; var reviewedOn: String; var reviewedBy: String
    init(_ r: BrandReviewModel) {
        year = r.year; outcome = r.outcome; outcomeLabel = r.outcomeLabel; comment = r.comment; deadline = r.deadline; reviewedOn = r.reviewedOn; reviewedBy = r.reviewedBy
    }
}

struct BrandGoalDTO: Content {
    var year: Int; var goals: String; var measures: String; var filedBy: String; var filedOn: String
    init(_ g: BrandGoalModel) { year = g.year; goals = g.goals; measures = g.measures; filedBy = g.filedBy; filedOn = g.filedOn }
}

struct BrandCommentSummaryDTO: Content { var approved: Int; var meanRating: Double?; var pending: Int? }

struct BrandCommentDTO: Content {
    var id: String; var brandId: String; var channel: String; var channelLabel: String; var rating: Int; var body: String; var author: String?
    var status: String; var createdAt: Date?
    init(_ c: BrandCommentModel) {
        id = c.idString; brandId = c.brandID.uuidString.lowercased(); channel = c.channel; channelLabel = c.channelLabel; rating = c.rating; body = c.body
        author = c.author; status = c.status; createdAt = c.createdAt
    }
}

struct BrandEventDTO: Content {
    var seq: Int; var kind: String; var from: String?; var to: String?; var day: String; var text: String; var actor: String
    init(_ e: BrandEventModel) {
        seq = e.seq; kind = e.kind; from = e.fromState; to = e.toState; day = e.day; text = e.text; actor = e.actorName
    }
}

struct BrandRequest: Content {
    var orgId: String?; var memberId: String?; var parentId: String?; var name: String; var theme: String; var connotation: String
    var philosophy: String?; var carriers: String?; var longPlan: String?; var yearPlan: String?; var achievements: String?; var version: Int?
    var input: BrandService.Input {
        .init(orgRef: orgId ?? "", memberRef: memberId ?? "", parentRef: parentId ?? "", name: name, theme: theme, connotation: connotation,
              philosophy: philosophy ?? "", carriers: carriers ?? "", longPlan: longPlan ?? "", yearPlan: yearPlan ?? "", achievements: achievements ?? "")
    }
}

struct BrandTransitionRequest: Content { var action: String; var opinion: String?; var reasons: [String]?; var note: String?; var version: Int? }
struct BrandStepRequest: Content { var opinion: String?; var reasons: [String]?; var note: String?; var version: Int? }
struct BrandNameRequest: Content { var document: String; var decidedOn: String; var title: String }
struct BrandReReviewRequest: Content { var outcome: String; var comment: String; var deadline: String?; var version: Int? }
struct BrandExpertRequest: Content { var user: String }
struct BrandScoreRequest: Content { var scores: [String: Int]; var comment: String }
struct BrandShortlistRequest: Content { var year: Int; var threshold: Double?; var quota: Int? }
struct BrandShortlistResult: Content { var candidates: [BrandDTO]; var returned: [BrandDTO] }
struct BrandCommentRequest: Content { var rating: Int; var body: String; var author: String?; var channel: String? }
struct BrandModerateRequest: Content { var approve: Bool }
struct BrandSuggestionRequest: Content { var text: String; var version: Int? }
struct BrandDecisionRequest: Content { var document: String; var decidedOn: String; var title: String; var brandIds: [String] }
struct BrandDecisionDTO: Content {
    var id: String; var document: String; var title: String; var decidedOn: String; var brandIds: [String]
    init(_ d: BrandDecisionModel) { id = d.idString; document = d.document; title = d.title; decidedOn = d.decidedOn; brandIds = d.brandIDList.map { $0.uuidString.lowercased() } }
}
struct BrandGoalRequest: Content { var year: Int; var goals: String; var measures: String }
struct BrandPairRequest: Content { var orgId: String; var goal: String; var startedOn: String }
struct BrandPairDTO: Content {
    var id: String; var orgId: String; var orgName: String; var startedOn: String; var goal: String; var activities: [BrandActivityDTO]
}
struct BrandActivityRequest: Content { var day: String; var title: String; var text: String }
struct BrandActivityDTO: Content { var day: String; var title: String; var text: String }

struct BrandRankingRowDTO: Content {
    var rank: Int?; var brand: BrandDTO; var mean: Double?; var satisfaction: Double?; var answers: Int; var experts: [BrandExpertDTO]
}

struct BrandAssessmentRequest: Content { var orgId: String; var year: Int; var basic: Double; var carriers: Double; var effect: Double; var comment: String?; var version: Int? }
struct BrandAssessmentDTO: Content {
    var orgId: String; var orgName: String; var year: Int; var basic: Double; var carriers: Double; var effect: Double; var total: Double; var comment: String?; var version: Int
    init(_ m: BrandAssessmentModel) {
        orgId = m.orgID.uuidString.lowercased(); orgName = m.orgName; year = m.year; basic = m.basic; carriers = m.carriers; effect = m.effect
        total = m.total; comment = m.comment; version = m.version
    }
}
struct BrandRankingDTO: Content { var year: Int; var published: Bool; var rows: [BrandFollowUpService.RankRow] }
extension BrandFollowUpService.RankRow: Content {}
extension BrandSettings: Content {}

struct BrandPipelineDTO: Content { var unit: String; var counts: [String: Int] }
