import Vapor
import Domain

// MARK: problem ledger (DOMAIN §7, R-22)

struct ProblemStepDTO: Content {
    var seq: Int; var step: String; var stepLabel: String; var day: String; var text: String; var actor: String
    init(_ s: ProblemStepModel) {
        seq = s.seq; step = s.step; stepLabel = s.stepValue?.label ?? s.step; day = s.day; text = s.text; actor = s.actorName
    }
}

struct ProblemDTO: Content {
    var id: String; var orgId: String; var orgName: String; var year: Int; var kind: String; var kindLabel: String
    var source: String; var sourceLabel: String; var sourceId: String?; var aspect: String; var aspectLabel: String
    var description: String; var foundOn: String; var deadline: String; var leader: String; var measures: String?
    var status: String; var statusLabel: String; var overdue: Bool; var verifiedOn: String?; var verifiedBy: String?
    var version: Int; var steps: [ProblemStepDTO]?; var files: [AttachmentService.FileRow]?
    init(_ p: ProblemModel, today: Day, steps: [ProblemStepModel]? = nil, files: [AttachmentService.FileRow]? = nil) {
        id = p.idString; orgId = p.orgID.uuidString.lowercased(); orgName = p.orgName; year = p.year; kind = p.kind; kindLabel = p.kindLabel
        source = p.source; sourceLabel = p.sourceLabel; sourceId = p.sourceID; aspect = p.aspectValue.rawValue; aspectLabel = p.aspectValue.label
        description = p.text; foundOn = p.foundDay.iso; deadline = p.deadlineDay.iso; leader = p.leader ?? "待明确"; measures = p.measures
        status = p.statusValue.rawValue; statusLabel = p.statusValue.label; overdue = p.statusValue != .verified && today > p.deadlineDay
        verifiedOn = p.verifiedOn; verifiedBy = p.verifiedBy; version = p.currentVersion
        self.steps = steps.map { $0.map(ProblemStepDTO.init) }; self.files = files
    }
}

struct ProblemRequest: Content {
    var orgId: String?; var source: String?; var aspect: String; var description: String; var foundOn: String; var deadline: String
    var leader: String; var measures: String?; var version: Int?
    var input: ProblemService.Input {
        .init(orgRef: orgId ?? "", source: source ?? "", aspect: aspect, description: description, foundOn: foundOn, deadline: deadline,
              leader: leader, measures: measures ?? "")
    }
}

struct ProblemStepRequest: Content { var step: String; var text: String; var version: Int? }

struct EscalationEventDTO: Content {
    var day: String; var level: String; var levelLabel: String; var deadline: String?; var reason: String
}

struct EscalationDTO: Content {
    var orgId: String; var orgName: String; var level: String; var levelLabel: String; var since: String?; var deadline: String?
    var overdue: Bool; var openProblems: Int; var openAspects: [String]; var assignee: String?; var history: [EscalationEventDTO]
    init(_ e: ProblemService.OrgEscalation) {
        orgId = e.orgID.uuidString.lowercased(); orgName = e.orgName; level = e.state.level.rawValue; levelLabel = e.state.level.label
        since = e.state.since?.iso; deadline = e.state.deadline?.iso; overdue = e.state.overdue; openProblems = e.open
        openAspects = e.state.openAspects.map(\.label); assignee = e.assignment?.assignee
        history = e.state.history.map { EscalationEventDTO(day: $0.day.iso, level: $0.level.rawValue, levelLabel: $0.level.label, deadline: $0.deadline?.iso, reason: $0.reason) }
    }
}

struct AssignRequest: Content { var assignee: String; var note: String? }

// MARK: risk register

struct RiskDTO: Content {
    var id: String; var orgId: String; var orgName: String; var post: String; var process: String; var description: String
    var level: String; var levelLabel: String; var before: String; var during: String; var after: String; var owner: String
    var lastReviewed: String?; var reviewedBy: String?; var reviewFlagged: Bool; var version: Int
    init(_ r: RiskPointModel, today: Day) {
        id = r.idString; orgId = r.orgID.uuidString.lowercased(); orgName = r.orgName; post = r.post; process = r.process; description = r.riskDescription
        level = r.levelValue.rawValue; levelLabel = r.levelValue.label; before = r.before; during = r.during; after = r.after; owner = r.owner
        lastReviewed = r.lastReviewed; reviewedBy = r.reviewedBy; reviewFlagged = RiskReview.isFlagged(lastReviewed: r.reviewedDay, today: today); version = r.version
    }
}

struct RiskRequest: Content {
    var orgId: String?; var post: String; var process: String; var description: String; var level: String
    var before: String?; var during: String?; var after: String?; var owner: String; var version: Int?
    var input: RiskService.Input {
        .init(orgRef: orgId ?? "", post: post, process: process, description: description, level: level, before: before ?? "", during: during ?? "",
              after: after ?? "", owner: owner)
    }
}

struct RiskReviewRequest: Content { var note: String? }

struct RiskMatrixDTO: Content {
    struct Row: Content { var process: String; var high: Int; var medium: Int; var low: Int }
    var rows: [Row]; var total: Int; var flagged: Int
}

// MARK: 月晒季评年考

struct SelfReportDTO: Content {
    var id: String; var orgId: String; var orgName: String; var year: Int; var month: Int; var text: String
    var submittedOn: String; var submittedBy: String; var state: String; var stateLabel: String
    init(_ r: SelfReportModel, dueDay: Int, today: Day) {
        id = r.idString; orgId = r.orgID.uuidString.lowercased(); orgName = r.orgName; year = r.year; month = r.month; text = r.text
        submittedOn = r.submittedOn; submittedBy = r.submittedBy
        let s = EvaluationService.reportState(r, year: r.year, month: r.month, dueDay: dueDay, today: today)
        state = s.rawValue; stateLabel = s.label
    }
}

struct SelfReportRequest: Content { var orgId: String; var year: Int; var month: Int; var text: String }

struct QuarterScoreDTO: Content {
    var orgId: String; var orgName: String; var year: Int; var quarter: Int; var score: Double; var comment: String?; var scoredBy: String; var version: Int
    init(_ q: QuarterScoreModel) {
        orgId = q.orgID.uuidString.lowercased(); orgName = q.orgName; year = q.year; quarter = q.quarter; score = q.score; comment = q.comment
        scoredBy = q.scoredBy; version = q.version
    }
}

struct QuarterScoreRequest: Content { var orgId: String; var year: Int; var quarter: Int; var score: Double; var comment: String?; var version: Int? }

struct AssessmentRowDTO: Content {
    var orgId: String; var orgName: String; var rank: Int; var total: Double; var parts: [String: Double]; var notes: [String]
    init(_ r: EvaluationService.Row) { orgId = r.orgId; orgName = r.orgName; rank = r.rank; total = r.total; parts = r.parts; notes = r.notes }
}

struct AssessmentDTO: Content {
    var year: Int; var weights: Assessment.Weights; var rows: [AssessmentRowDTO]
    var publishedAt: Date?; var publishedBy: String?; var scope: String?
}

struct PublishRequest: Content { var year: Int }

extension Assessment.Weights: Content {}

// MARK: surveys

struct SurveyDTO: Content {
    struct Result: Content { var text: String; var kind: String; var answered: Int; var counts: [Int]; var options: [String]; var mean: Double?; var texts: [String] }
    var id: String; var orgId: String; var orgName: String; var year: Int; var title: String; var intro: String?
    var questions: [SurveyQuestion]; var status: String; var statusLabel: String; var version: Int
    var links: Int?; var responses: Int?; var satisfaction: Double?; var results: [Result]?
    init(_ s: SurveyModel, links: Int? = nil, responses: [[SurveyAnswer]]? = nil) {
        id = s.idString; orgId = s.orgID.uuidString.lowercased(); orgName = s.orgName; year = s.year; title = s.title; intro = s.intro
        questions = s.questionList; status = s.status; statusLabel = s.statusLabel; version = s.version
        self.links = links; self.responses = responses?.count
        if let rs = responses {
            satisfaction = SurveyRules.satisfaction(responses: rs)
            results = SurveyRules.results(s.questionList, responses: rs).map {
                Result(text: $0.question.text, kind: $0.question.kind.rawValue, answered: $0.answered, counts: $0.counts,
                       options: $0.question.kind == .scale ? ["1分", "2分", "3分", "4分", "5分"] : $0.question.options, mean: $0.mean, texts: $0.texts)
            }
        }
    }
}

extension SurveyQuestion: Content {}

struct SurveyRequest: Content {
    var orgId: String?; var year: Int; var title: String; var intro: String?; var questions: [SurveyQuestion]; var version: Int?
    var input: SurveyService.Input { .init(orgRef: orgId ?? "", year: year, title: title, intro: intro ?? "", questions: questions) }
}

struct SurveyLinksRequest: Content { var count: Int; var label: String? }
struct SurveyLinkDTO: Content { var token: String; var url: String; var label: String?; var answered: Bool }

struct PublicSurveyDTO: Content {
    var title: String; var intro: String?; var orgName: String; var questions: [SurveyQuestion]; var state: String
}

struct SurveyAnswerRequest: Content { var answers: [[String]] }

// MARK: award eligibility

struct AwardRowDTO: Content {
    var kind: String; var orgId: String; var orgName: String; var memberId: String?; var memberName: String?; var level: Int?; var points: Int?
    var eligible: Bool; var reasons: [String]; var priority: [String]
}

struct AwardsDTO: Content { var year: Int; var branches: [AwardRowDTO]; var members: [AwardRowDTO] }

/// The version a client sends back with a change: absent, or the non-negative number it read. A negative one answers 422 on `version`.
func clientVersion(_ v: Int?) throws -> Int? {
    if let v, v < 0 { throw AppError.validation(FieldErrors("version", "版本号应为读取时得到的非负整数")) }
    return v
}
