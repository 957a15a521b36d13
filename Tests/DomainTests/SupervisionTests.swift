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

    @Test func r22_theYearsOnTheWeakAndLaxListAreKnownFromTheHistory() {
        let ps = [P(aspect: .political, found: d("2025-10-01"), deadline: d("2026-06-30"), verified: d("2026-03-01")),
                  P(aspect: .service, found: d("2025-10-01"), deadline: d("2026-06-30"), verified: d("2026-03-01")),
                  P(aspect: .integrity, found: d("2025-10-01"), deadline: d("2026-06-30"), verified: d("2026-03-01"))]
        let h = Escalation.state(ps, today: d("2027-05-01")).history
        #expect(Escalation.wasWeak(h, in: 2025) && Escalation.wasWeak(h, in: 2026))   // listed in 2025, still listed when 2026 began
        #expect(!Escalation.wasWeak(h, in: 2027) && !Escalation.wasWeak(h, in: 2024))
    }

    @Test func r22_aStageThatRunsOutOnTheDayOfTheVerificationIsStillRecorded() {
        // the leader's 3 months end on 1 April; the problem is verified on 2 April, a day too late
        let ps = [P(aspect: .political, found: d("2026-11-21"), deadline: d("2026-12-31"), verified: d("2027-04-02"))]
        let s = Escalation.state(ps, today: d("2027-04-02"))
        #expect(s.level == .none)
        #expect(s.history.map(\.level) == [.leader, .weak, .none])
        #expect(Escalation.wasWeak(s.history, in: 2027))
    }

    @Test func r22_problemsClosedOnTheDayAnotherIsFoundAreNotCountedWithIt() {
        // political and business open (two aspects: a leader); both verified the day a service problem is found
        let ps = [P(aspect: .political, found: d("2026-01-10"), deadline: d("2026-06-30"), verified: d("2026-03-01")),
                  P(aspect: .business, found: d("2026-01-10"), deadline: d("2026-06-30"), verified: d("2026-03-01")),
                  P(aspect: .service, found: d("2026-03-01"), deadline: d("2026-06-30"))]
        let s = Escalation.state(ps, today: d("2026-03-02"))
        #expect(s.level == .leader && !s.history.contains { $0.level == .weak }, "\(s.history)")   // leaving needs every problem closed
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

/// DOMAIN §7: the problem ledger's steps; verification is the supervisor's.
@Suite struct ProblemLedgerTests {
    @Test func r22_aProblemClosesOnlyThroughAVerifiedRectification() {
        #expect(ProblemStep.rectified.next(from: .open) == .rectified)
        #expect(ProblemStep.verify.next(from: .open) == nil)          // nobody verifies what was not reported done
        #expect(ProblemStep.verify.next(from: .rectified) == .verified)
        #expect(ProblemStep.reject.next(from: .rectified) == .open)   // a failed check reopens it
        #expect(ProblemStep.progress.next(from: .verified) == nil)    // a closed problem stays closed
        #expect(ProblemStep.verify.needsSupervisor && !ProblemStep.rectified.needsSupervisor)
    }

    @Test func problemFormNamesTheFieldAndWhy() {
        let (_, _, _, _, e) = ProblemRules.validate(source: "x", aspect: "service", description: "", found: "2026-12-01", deadline: "2026-11-01",
                                                    leader: "", measures: "", today: d("2026-11-21"))
        #expect(e["source"] != nil && e["description"] == "问题描述不能为空" && e["foundOn"]?.contains("不能晚于") == true && e["leader"] != nil)
        let (_, _, _, _, e2) = ProblemRules.validate(source: "spotCheck", aspect: "service", description: "台账不全", found: "2026-11-01", deadline: "2026-10-01",
                                                     leader: "王强", measures: "", today: d("2026-11-21"))
        #expect(e2.order == ["deadline"] && e2["deadline"] == "整改期限不能早于发现日期")
    }
}

/// DOMAIN §8: 月晒季评年考 under a weighted scheme.
@Suite struct AssessmentTests {
    @Test func weightsMustAddUpTo100() {
        #expect(Assessment.Weights().validate().isEmpty)
        let e = Assessment.Weights(reports: 10, quarters: 50, rating: 20, brand: 10, compliance: 10, satisfaction: 10).validate()
        #expect(e["weights"] == "各项权重之和应为100，现为110")
    }

    @Test func theYearlyScoreWeighsEveryPartAndSharesOutWhatDoesNotApply() {
        let w = Assessment.Weights()   // 10/40/20/10/10/10
        let full = Assessment.Facts(monthsDue: 10, reportsOnTime: 10, quarterScores: [90, 80, 70], quartersDue: 3, level: 4,
                                    brand: .named, compliance: 0.9, satisfaction: 80)
        // 10·100 + 40·80 + 20·80 + 10·100 + 10·90 + 10·80 = 8500 → 85
        #expect(Assessment.score(full, weights: w).total == 85)
        // no survey: its 10 are shared out over the other 90
        var noSurvey = full; noSurvey.satisfaction = nil
        #expect(Assessment.score(noSurvey, weights: w).total == 85.6)   // 7700 / 90
        // a missing report counts 0, a late one half
        var late = full; late.reportsOnTime = 8; late.reportsLate = 1
        let s = Assessment.score(late, weights: w)
        #expect(s.parts[.reports] == 85 && s.notes.contains("1个月未报月晒"))
        // brands not kept on the platform yet: the brand weight is shared out like a missing survey
        var noBrand = full; noBrand.brand = nil
        #expect(Assessment.score(noBrand, weights: w).total == 83.3)   // 7500 / 90
        // an unrated org gets 0 for the rating, not a pass
        var unrated = full; unrated.level = nil
        #expect(Assessment.score(unrated, weights: w).total == 69)
    }

    @Test func monthlyReportsAreDueOnTheSettingDayOfTheNextMonth() {
        #expect(Assessment.reportDue(year: 2026, month: 12, dueDay: 5) == d("2027-01-05"))
        #expect(Assessment.monthsDue(year: 2026, today: d("2026-11-21"), dueDay: 5) == Array(1...10))
        #expect(Assessment.monthsDue(year: 2026, today: d("2026-11-05"), dueDay: 5) == Array(1...9))
        #expect(Assessment.quartersOver(year: 2026, today: d("2026-11-21")) == 3)
    }

    @Test func rankingSharesEqualTotals() {
        let r = Assessment.rank([("a", 90.0), ("b", 95.0), ("c", 90.0), ("d", 80.0)]) { $0.1 }
        #expect(r.map { "\($0.0.0)\($0.1)" } == ["b1", "a2", "c2", "d4"])
    }

    @Test func aQuarterScoreIs0To100WithOneDecimalAndNotForAQuarterNotBegun() {
        #expect(Assessment.validateQuarter(year: 2026, quarter: 3, score: "88.5", comment: "", today: d("2026-11-21")).0 == 88.5)
        #expect(Assessment.validateQuarter(year: 2026, quarter: 3, score: "101", comment: "", today: d("2026-11-21")).1["score"] != nil)
        #expect(Assessment.validateQuarter(year: 2026, quarter: 3, score: "88.55", comment: "", today: d("2026-11-21")).1["score"] != nil)
        #expect(Assessment.validateQuarter(year: 2026, quarter: 4, score: "90", comment: "", today: d("2026-11-21")).1.isEmpty)   // the current quarter
        #expect(Assessment.validateQuarter(year: 2026, quarter: 4, score: "90", comment: "", today: d("2026-08-21")).1["quarter"] == "第4季度尚未开始，不能评分")
    }
}

/// DOMAIN §8: surveys for service recipients.
@Suite struct SurveyTests {
    let qs = SurveyRules.template

    @Test func theBuilderNeedsATitleAndTwoDistinctOptionsForAChoice() {
        #expect(SurveyRules.validate(title: "满意度", questions: qs).isEmpty)
        #expect(SurveyRules.validate(title: "", questions: []).order == ["title", "questions"])
        let dup = [SurveyQuestion(kind: .single, text: "是否满意", options: ["是", "是", "否"])]
        #expect(SurveyRules.validate(title: "x", questions: dup)["questions"] == "第1题有重复的选项")
        let one = [SurveyQuestion(kind: .multiple, text: "哪些方面", options: ["a"])]
        #expect(SurveyRules.validate(title: "x", questions: one)["questions"] == "第1题（多选）至少需要两个选项")
    }

    @Test func answersAreCheckedPerQuestion() {
        let (a, e) = SurveyRules.answers(qs, raw: [["5"], ["4"], ["3"], ["0"], ["1", "2"], ["很好"]])
        #expect(e.isEmpty && a == [.scale(5), .scale(4), .scale(3), .choices([0]), .choices([1, 2]), .text("很好")])
        let (_, e2) = SurveyRules.answers(qs, raw: [["6"], [], ["3"], ["0", "1"], ["9"], []])
        #expect(e2["q1"] == "第1题请选择1到5分" && e2["q2"] == "第2题为必答题" && e2["q4"] == "第4题只能选一项" && e2["q5"] == "第5题的选项无效")
        #expect(e2["q6"] == nil)   // optional
    }

    @Test func satisfactionIsTheMeanScaleOn0To100AndResultsCountEachOption() {
        let r1: [SurveyAnswer] = [.scale(5), .scale(5), .scale(5), .choices([0]), .skipped, .skipped]
        let r2: [SurveyAnswer] = [.scale(3), .scale(4), .scale(2), .choices([1]), .choices([0, 1]), .text("窗口人少")]
        #expect(SurveyRules.satisfaction(responses: [r1, r2]) == 75)   // mean 4 → 75
        #expect(SurveyRules.satisfaction(responses: []) == nil)
        let res = SurveyRules.results(qs, responses: [r1, r2])
        #expect(res[0].counts == [0, 0, 1, 0, 1] && res[0].mean == 4)
        #expect(res[3].counts == [1, 1] && res[4].answered == 1 && res[5].texts == ["窗口人少"])
    }
}
