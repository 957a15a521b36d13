import Testing
@testable import Domain

private func d(_ s: String) -> Day { Day(iso: s)! }

/// escalation of an org's outstanding problems, every path.
@Suite struct EscalationTests {
    typealias P = Escalation.Problem

    @Test func r22_oneAspectPastItsDeadlineGetsAPartyGroupLeaderFor3Months() {
        let ps = [P(aspect: .service, found: d("2026-01-10"), deadline: d("2026-03-31"))]
        #expect(Escalation.state(ps, today: d("2026-03-31")).level == .none)   // on the deadline day it is not late yet
        let s = Escalation.state(ps, today: d("2026-04-01"))
        #expect(s.level == .leader && s.since == d("2026-04-01") && s.deadline == d("2026-07-01"))
        #expect(s.history.last?.reason.contains("服务有力星方面的问题逾期") == true)
    }

    @Test func r22_twoAspectsAtOnceGetALeaderAtOnce() {
        let ps = [P(aspect: .political, found: d("2026-02-01"), deadline: d("2026-06-30")),
                  P(aspect: .integrity, found: d("2026-02-05"), deadline: d("2026-06-30"))]
        let s = Escalation.state(ps, today: d("2026-02-05"))
        #expect(s.level == .leader && s.since == d("2026-02-05"))
        // two problems in the same aspect are one aspect
        let same = [P(aspect: .political, found: d("2026-02-01"), deadline: d("2026-06-30")), P(aspect: .political, found: d("2026-02-05"), deadline: d("2026-06-30"))]
        #expect(Escalation.state(same, today: d("2026-03-01")).level == .none)
    }

    @Test func r22_stillUnsolvedAfterThe3MonthsIsListedAsWeakAndLaxFor6Months() {
        let ps = [P(aspect: .service, found: d("2026-01-10"), deadline: d("2026-03-31"))]
        #expect(Escalation.state(ps, today: d("2026-07-01")).level == .leader)
        let s = Escalation.state(ps, today: d("2026-07-02"))
        #expect(s.level == .weak && s.since == d("2026-07-02") && s.deadline == d("2027-01-02"))
        #expect(s.history.map(\.level) == [.leader, .weak])
        #expect(s.history.last?.reason.contains("包联整改期满") == true)
        // past the 6 months it stays listed, flagged overdue
        #expect(Escalation.state(ps, today: d("2027-01-03")).overdue)
    }

    @Test func r22_threeAspectsAtOnceIsWeakAndLaxStraightAway() {
        let ps = [P(aspect: .political, found: d("2026-05-01"), deadline: d("2026-08-01")),
                  P(aspect: .business, found: d("2026-05-01"), deadline: d("2026-08-01")),
                  P(aspect: .strong, found: d("2026-05-01"), deadline: d("2026-08-01"))]
        let s = Escalation.state(ps, today: d("2026-05-02"))
        #expect(s.level == .weak && s.history.count == 1 && s.deadline == d("2026-11-01"))
        #expect(s.openAspects == [.political, .business, .strong])
    }

    @Test func r22_leavingTheListNeedsEveryProblemVerified() {
        var ps = [P(aspect: .political, found: d("2026-05-01"), deadline: d("2026-08-01")),
                  P(aspect: .business, found: d("2026-05-01"), deadline: d("2026-08-01")),
                  P(aspect: .strong, found: d("2026-05-01"), deadline: d("2026-08-01"), verified: d("2026-07-01"))]
        // two verified of three: still listed
        ps[0].verified = d("2026-09-01")
        #expect(Escalation.state(ps, today: d("2026-10-01")).level == .weak)
        // the last one verified: off the list that day, with the history kept
        ps[1].verified = d("2026-10-15")
        let s = Escalation.state(ps, today: d("2026-10-20"))
        #expect(s.level == .none && s.since == d("2026-10-15"))
        #expect(s.history.map(\.level) == [.weak, .none])
        #expect(s.history.last?.reason.contains("移出软弱涣散名单") == true)
    }

    @Test func r22_leaderStageEndsWhenSolvedWithinTheThreeMonths() {
        let ps = [P(aspect: .service, found: d("2026-01-10"), deadline: d("2026-03-31"), verified: d("2026-05-20"))]
        let s = Escalation.state(ps, today: d("2026-11-21"))
        #expect(s.level == .none && s.history.map(\.level) == [.leader, .none])
    }
}

/// integrity-risk points reviewed at the start of every year.
@Suite struct RiskReviewTests {
    @Test func r23_notReviewedByTheEndOfJanuaryIsFlagged() {
        #expect(!RiskReview.isFlagged(lastReviewed: d("2025-01-20"), today: d("2026-01-31")))
        #expect(RiskReview.isFlagged(lastReviewed: d("2025-01-20"), today: d("2026-02-01")))
        #expect(!RiskReview.isFlagged(lastReviewed: d("2026-01-15"), today: d("2026-11-21")))
        #expect(RiskReview.isFlagged(lastReviewed: nil, today: d("2026-11-21")))
    }

    @Test func r23_aRiskPointNeedsAtLeastOnePreventionMeasure() {
        let e = RiskReview.validate(post: "规划科科长", process: "建设项目规划审批", description: "违规调整容积率", before: " ", during: "", after: "", owner: "")
        #expect(e["before"] != nil && e["owner"] != nil && e["post"] == nil)
    }
}

/// award eligibility per rule.
@Suite struct AwardEligibilityTests {
    let t = Thresholds()   // "二星以下" read as fewer than 2 by default

    @Test func r24_lowLevelMayNotBeAwardedUnderEitherReading() {
        #expect(!AwardEligibility.branch(.init(level: 1), thresholds: t).eligible)
        #expect(AwardEligibility.branch(.init(level: 2), thresholds: t).eligible)
        var inclusive = t; inclusive.lowInclusive = true
        let v = AwardEligibility.branch(.init(level: 2), thresholds: inclusive)
        #expect(!v.eligible && v.reasons[0].contains("2星及以下"))
    }

    @Test func r24_marketBottomTenAndVetoRemoveEligibility() {
        #expect(!AwardEligibility.branch(.init(level: 3, market: .capped(cap: 2, reason: "后10名")), thresholds: t).eligible)
        #expect(!AwardEligibility.branch(.init(level: 3, market: .vetoed(reason: "倒数第一")), thresholds: t).eligible)
        #expect(AwardEligibility.branch(.init(level: 3, market: .clear), thresholds: t).eligible)
    }

    @Test func r24_weakAndLaxAndAUnitBelowHalfAreOut() {
        #expect(AwardEligibility.branch(.init(level: 4, weakAndLax: true), thresholds: t).reasons == ["列为软弱涣散党组织"])
        #expect(AwardEligibility.branch(.init(level: 4, unitBelowAwardableShare: true), thresholds: t).reasons.first?.contains("不足50%") == true)
        #expect(!AwardEligibility.branch(.init(level: nil), thresholds: t).eligible)
    }

    @Test func r24_fourStarsAndANamedBrandArePriorities() {
        let v = AwardEligibility.branch(.init(level: 5, namedBrand: true), thresholds: t)
        #expect(v.eligible && v.priority.count == 2)
    }

    @Test func r24_membersFollowTheirBranchAndLoseItAfterDiscipline() {
        let out = AwardEligibility.branch(.init(level: 1), thresholds: t)
        #expect(!AwardEligibility.member(.init(branch: out)).eligible)
        let ok = AwardEligibility.branch(.init(level: 4), thresholds: t)
        #expect(AwardEligibility.member(.init(branch: ok, points: 80, pointsRankPercent: 5)).priority.contains { $0.contains("前10%") })
        #expect(AwardEligibility.member(.init(branch: ok, disciplined: true)).reasons == ["本年度受到纪律处理"])
    }
}
