import Vapor
import Domain

struct RatingStepDTO: Content {
    var action: String
    var actionLabel: String
    var actorKind: String
    var actorLabel: String
    var decider: String
    var at: Date
    var stageBefore: String
    var stageAfter: String
    var levelBefore: Int
    var levelAfter: Int
    var starsAfter: [String]
    var comment: String?

    static let labels: [String: String] = [
        "submit": "支部报星", "propose": "机关党委提出建议", "decide": "党组审定", "certify": "县级核星", "verify": "市级验星",
        "return": "退回", "spot_drawn": "县级抽查（抽中）", "filed_accepted": "备案通过", "spot_check": "县级抽查核定",
        "notice": "列入公示", "notice_end": "公示期满确认", "disqualify": "取消评选资格",
    ]

    init(_ s: RatingStepModel) {
        action = s.action; actionLabel = Self.labels[s.action] ?? s.action
        actorKind = s.actorKind; actorLabel = ReviewerKind(rawValue: s.actorKind)?.label ?? s.actorKind
        decider = s.deciderName; at = s.at; stageBefore = s.stageBefore; stageAfter = s.stageAfter
        levelBefore = StarSet(stored: s.starsBefore).level; levelAfter = StarSet(stored: s.starsAfter).level
        starsAfter = StarSet(stored: s.starsAfter).sorted.map(\.rawValue); comment = s.comment
    }
}

struct LedgerEntryDTO: Content {
    var date: String
    var change: String
    var star: String
    var starLabel: String
    var reason: String
    var decider: String
    var levelBefore: Int
    var levelAfter: Int

    init(_ e: LedgerEntryModel) {
        date = e.date; change = e.change; star = e.star; starLabel = Star(rawValue: e.star)?.label ?? e.star
        reason = e.reason; decider = e.deciderName
        levelBefore = StarSet(stored: e.starsBefore).level; levelAfter = StarSet(stored: e.starsAfter).level
    }
}

struct AnswerDTO: Content {
    struct File: Content { var id: String; var filename: String; var size: Int }
    var met: Bool?
    var text: String
    var attachments: [File]
    var computedMet: Bool?
    var computedDetail: String?
}

struct RatingDTO: Content {
    var id: String
    var year: Int
    var branchId: String
    var branchName: String
    var stage: String
    var stageLabel: String
    var waitingFor: String?
    var requestedStars: [String]
    var stars: [String]
    var currentStars: [String]
    /// The level shown: decided stars plus the ledger, under the R-6 cap (0 until decided).
    var level: Int
    var levelReasons: [String]
    var consequences: [String]
    var noticeId: String?
    var version: Int
    var answers: [String: AnswerDTO]?
    var steps: [RatingStepDTO]?
    var ledger: [LedgerEntryDTO]?

    init(_ r: RatingModel, market: StarRating.MarketVerdict, scheme: RatingScheme?, answers: [String: AnswerDTO]? = nil,
         steps: [RatingStepDTO]? = nil, ledger: [LedgerEntryDTO]? = nil) {
        let eff = RatingResults.effective(r, market: market)
        id = r.idString; year = r.year; branchId = r.branchID.uuidString.lowercased(); branchName = r.branchName
        stage = r.stage; stageLabel = r.stageValue.label; waitingFor = r.stageValue.actor?.label
        requestedStars = r.requestedSet.sorted.map(\.rawValue); stars = r.starSet.sorted.map(\.rawValue)
        currentStars = r.currentSet.sorted.map(\.rawValue); level = eff.level; levelReasons = eff.reasons
        let decided = r.stageValue.isDecided || r.stageValue.isClosed
        consequences = decided ? scheme.map { StarRating.consequences(level: eff.level, market: market, scheme: $0) } ?? [] : []
        noticeId = r.noticeID?.uuidString.lowercased(); version = r.version
        self.answers = answers; self.steps = steps; self.ledger = ledger
    }
}

struct NoticeDTO: Content {
    struct Candidate: Content { var ratingId: String; var branchName: String; var level: Int; var stars: [String]; var stage: String; var stageLabel: String }
    var id: String
    var title: String
    var year: Int
    var orgId: String
    var startDate: String
    var workingDays: Int
    var endDate: String
    var status: String
    var statusLabel: String
    var candidates: [Candidate]

    init(_ n: NoticeModel, items: [RatingModel], today: Day) {
        id = n.idString; title = n.title; year = n.year; orgId = n.orgID.uuidString.lowercased(); startDate = n.startDate
        workingDays = n.workingDays; endDate = n.endDate
        status = NoticeService.status(n, today: today); statusLabel = NoticeService.statusLabel(status)
        candidates = items.map { r in
            let s = r.stageValue == .disqualified ? StarSet() : r.starSet
            return Candidate(ratingId: r.idString, branchName: r.branchName, level: s.level, stars: s.sorted.map(\.rawValue), stage: r.stage, stageLabel: r.stageValue.label)
        }
    }
}

struct ComplaintDTO: Content {
    var id: String
    var noticeId: String
    var ratingId: String
    var name: String?
    var contact: String
    var body: String
    var status: String
    var verdict: String?
    var verifiedBy: String?
    var createdAt: Date?

    init(_ c: ComplaintModel) {
        id = c.idString; noticeId = c.noticeID.uuidString.lowercased(); ratingId = c.ratingID.uuidString.lowercased()
        name = c.name; contact = c.contact; body = c.body; status = c.status; verdict = c.verdict; verifiedBy = c.verifiedBy; createdAt = c.createdAt
    }
}

struct ComplaintReceipt: Content { var id: String; var status: String; var message: String }

struct SchemeDTO: Content {
    var id: String
    var familyId: String
    var version: Int
    var name: String
    var builtin: Bool
    var orgId: String?
    var createdBy: String
    var scheme: RatingScheme?

    init(_ s: SchemeModel, full: Bool) {
        id = s.idString; familyId = s.familyID.uuidString.lowercased(); version = s.version; name = s.name; builtin = s.builtin
        orgId = s.orgID?.uuidString.lowercased(); createdBy = s.createdBy; scheme = full ? s.scheme : nil
    }
}

struct RoundDTO: Content {
    var id: String
    var year: Int
    var orgId: String
    var schemeId: String
    var openedBy: String
    init(_ r: RoundModel) {
        id = r.idString; year = r.year; orgId = r.orgID.uuidString.lowercased(); schemeId = r.schemeID.uuidString.lowercased(); openedBy = r.openedBy
    }
}

struct ResultsDTO: Content {
    struct Condition: Content { var label: String; var met: Bool; var detail: String }
    struct Branch: Content {
        var branchId: String; var branchName: String; var ratingId: String?; var stageLabel: String
        var level: Int; var decided: Bool; var reasons: [String]; var consequences: [String]
    }
    struct Unit: Content {
        var unitId: String; var unitName: String; var branches: Int; var fiveStar: Int; var atLeastGood: Int
        var distribution: [Int]; var isModel: Bool; var awardable: Bool; var awardableDetail: String
        var conditions: [Condition]; var consequences: [String]; var pending: Int; var rows: [Branch]
    }
    var year: Int
    var units: [Unit]

    init(year: Int, units: [RatingResults.Unit]) {
        self.year = year
        self.units = units.map { u in
            Unit(unitId: u.org.idString, unitName: u.org.name, branches: u.verdict.branches, fiveStar: u.verdict.fiveStar, atLeastGood: u.verdict.good,
                 distribution: u.verdict.distribution, isModel: u.verdict.isModel, awardable: u.verdict.awardable, awardableDetail: u.verdict.awardableDetail,
                 conditions: u.verdict.conditions.map { Condition(label: $0.label, met: $0.met, detail: $0.detail) },
                 consequences: u.verdict.isModel ? [u.scheme.modelOrgan.commendation, "年度考核优秀等次比例提高\(u.scheme.modelOrgan.quotaDeltaPercent)%"] : [],
                 pending: u.pending,
                 rows: u.branches.map { b in
                     Branch(branchId: b.org.idString, branchName: b.org.name, ratingId: b.rating?.idString, stageLabel: b.stageLabel,
                            level: b.effective.level, decided: b.decided, reasons: b.effective.reasons, consequences: b.consequences)
                 })
        }
    }
}

struct MarketScoreDTO: Content {
    var section: String
    var branchId: String?
    var score: Double
    var rank: Int
    var total: Int
    init(_ m: MarketScoreModel) { section = m.section; branchId = m.branchID?.uuidString.lowercased(); score = m.score; rank = m.rank; total = m.total }
}

struct RectificationDTO: Content {
    var id: String; var orgId: String; var orgName: String; var year: Int; var kind: String; var kindLabel: String
    var source: String; var sourceLabel: String; var reason: String; var deadline: String?; var status: String
    init(_ x: ProblemModel) {
        id = x.id?.uuidString.lowercased() ?? ""; orgId = x.orgID.uuidString.lowercased(); orgName = x.orgName; year = x.year; kind = x.kind
        kindLabel = x.kindLabel; source = x.source; sourceLabel = x.sourceLabel; reason = x.reason; deadline = x.deadline; status = x.status
    }
}

// MARK: requests

struct RatingOpenRequest: Content { var branchId: String; var year: Int }
struct AssessmentRequest: Content {
    struct Answer: Content { var met: Bool?; var text: String? }
    var requestedStars: [String]
    var answers: [String: Answer]?
}
struct VersionRequest: Content { var version: Int? }
struct DecideRequest: Content { var stars: [String]; var comment: String?; var version: Int? }
struct ReturnRequest: Content { var reason: String; var version: Int? }
struct LedgerRequest: Content { var change: String; var star: String; var date: String; var reason: String }
struct SpotCheckRequest: Content { var year: Int }
struct SpotCheckResult: Content { var selected: [RatingDTO]; var accepted: Int }
struct RoundRequest: Content { var year: Int; var orgId: String; var schemeId: String }
struct NoticeCreateRequest: Content { var title: String; var orgId: String; var year: Int; var startDate: String; var workingDays: Int?; var ratingIds: [String]? }
struct ComplaintRequest: Content { var ratingId: String; var name: String?; var contact: String; var body: String }
struct VerifyRequest: Content { var upheld: Bool; var note: String }
struct SchemeCopyRequest: Content { var name: String; var orgId: String? }
struct MarketImportResult: Content { var year: Int; var rows: Int; var linked: Int; var capped: Int; var vetoed: Int }
