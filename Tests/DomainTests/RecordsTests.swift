import Testing
@testable import Domain

private func d(_ s: String) -> Day { Day(iso: s)! }

/// organizational-life frequency compliance per org and month.
@Suite struct OrgLifeComplianceTests {
    let rules = FrequencyRule.defaults

    /// A branch month with everything a branch owes (2 studies, a committee, a theme day).
    func fullMonth(_ y: Int, _ m: Int) -> [OrgLifeCompliance.Record] {
        [.init(day: Day(year: y, month: m, day: 5)!, types: [.study, .committeeMeeting]),
         .init(day: Day(year: y, month: m, day: 15)!, types: [.study, .themeDay])]
    }

    @Test func r18_branchWithExactlyOneStudySessionInAMonthIsNotCompliant() {
        // given a branch whose April has the committee and theme day but one study only
        let records: [OrgLifeCompliance.Record] = [
            .init(day: d("2026-04-03"), types: [.committeeMeeting, .generalMeeting, .partyLecture]),
            .init(day: d("2026-04-20"), types: [.study, .themeDay]),
        ]
        // when
        let april = OrgLifeCompliance.calendar(orgType: .branch, year: 2026, records: records, rules: rules, today: d("2026-11-21"))[3]
        // then April is missing, and only because of the study rule
        #expect(april.status == .missing)
        #expect(april.missingLabels == ["支部、党小组集中学习"])
        #expect(april.rules.first { $0.key == "study" }?.detail == "本月1/2")
    }

    @Test func r18_twoStudySessionsMakeTheMonthCompliant() {
        var records = fullMonth(2026, 4)
        records.append(.init(day: d("2026-04-03"), types: [.generalMeeting, .partyLecture]))
        let april = OrgLifeCompliance.calendar(orgType: .branch, year: 2026, records: records, rules: rules, today: d("2026-11-21"))[3]
        #expect(april.status == .met)
    }

    @Test func r18_generalMeetingQuarterRuleAcrossAQuarterBoundary() {
        // given general meetings and lectures on 31 March (Q1) and none in Q2; every month otherwise full
        var records = (1...6).flatMap { fullMonth(2026, $0) }
        records.append(.init(day: d("2026-03-31"), types: [.generalMeeting, .partyLecture]))
        let cal = OrgLifeCompliance.calendar(orgType: .branch, year: 2026, records: records, rules: rules, today: d("2026-07-15"))
        // then Q1 is met in every month, 31 March does not count for Q2
        #expect(cal[0].status == .met && cal[1].status == .met && cal[2].status == .met)
        #expect(cal[3].rules.first { $0.key == "general" }?.status == .notDue)
        #expect(cal[3].status == .met && cal[4].status == .met)
        #expect(cal[5].status == .missing)
        #expect(cal[5].missingLabels == ["党员大会", "党课"])
        // and a meeting on 1 April (Q2) does not make Q1 compliant
        var moved = (1...6).flatMap { fullMonth(2026, $0) }
        moved.append(.init(day: d("2026-04-01"), types: [.generalMeeting, .partyLecture]))
        let cal2 = OrgLifeCompliance.calendar(orgType: .branch, year: 2026, records: moved, rules: rules, today: d("2026-07-15"))
        #expect(cal2[2].status == .missing)
        #expect(cal2[5].status == .met)
    }

    @Test func r18_quarterNotYetOverIsPendingNotMissing() {
        let cal = OrgLifeCompliance.calendar(orgType: .branch, year: 2026, records: fullMonth(2026, 6), rules: rules, today: d("2026-06-20"))
        #expect(cal[5].status == .pending)
        #expect(cal[6].status == .upcoming)   // July has not begun
    }

    @Test func r18_partyGroupSpecialStudyOnlyInJuneAndDecember() {
        let records: [OrgLifeCompliance.Record] = (1...6).map { .init(day: Day(year: 2026, month: $0, day: 10)!, types: [.centralGroupStudy]) }
        let cal = OrgLifeCompliance.calendar(orgType: .partyGroup, year: 2026, records: records, rules: rules, today: d("2026-07-01"))
        #expect(cal[4].status == .met)       // May: special study not required
        #expect(cal[5].status == .missing)   // June: no special study
        #expect(cal[5].missingLabels == ["党组专题研究机关党建"])
    }

    @Test func r18_rulesAreSettings() {
        // given a committee that requires one study a month instead of two
        var custom = rules
        custom[custom.firstIndex { $0.key == "study" }!].minCount = 1
        let records: [OrgLifeCompliance.Record] = [.init(day: d("2026-04-20"), types: [.study, .themeDay, .committeeMeeting, .generalMeeting, .partyLecture])]
        let april = OrgLifeCompliance.calendar(orgType: .branch, year: 2026, records: records, rules: custom, today: d("2026-11-21"))[3]
        #expect(april.status == .met)
        // and a disabled rule is not checked
        var off = rules
        for i in off.indices { off[i].enabled = false }
        #expect(OrgLifeCompliance.calendar(orgType: .branch, year: 2026, records: [], rules: off, today: d("2026-11-21"))[3].status == .notApplicable)
    }

    @Test func r18_monthsBeforeRecordsBeganAreNotCounted() {
        let cal = OrgLifeCompliance.calendar(orgType: .branch, year: 2026, records: [], rules: rules, today: d("2026-11-21"), since: d("2026-10-01"))
        #expect(cal[8].status == .notApplicable)
        #expect(cal[9].status == .missing)
        #expect(OrgLifeCompliance.share(cal) == 0)
        #expect(OrgLifeCompliance.share(Array(cal.prefix(9))) == nil)
    }

    @Test func r18_ruleValidationNamesTheField() {
        var r = rules[1]; r.months = [13]; r.minCount = 0
        let e = r.validate(prefix: "rules.1")
        #expect(e["rules.1.months"] != nil && e["rules.1.minCount"] != nil)
    }

    @Test func r18_theShareFromATallyIsTheShareOfItsCalendar() {
        var rng = SystemRandomNumberGenerator()
        let types = MeetingType.allCases
        var decided = 0
        for _ in 0..<400 {
            var t = OrgLifeCompliance.Tally()
            for _ in 0..<Int.random(in: 0...30, using: &rng) {
                t.add(month: Int.random(in: 1...12, using: &rng), types: MeetingType.bits(types.filter { _ in Int.random(in: 0..<4, using: &rng) == 0 }))
            }
            let type = OrgType.allCases.randomElement(using: &rng)!
            let today = Day(year: 2026, month: Int.random(in: 1...12, using: &rng), day: Int.random(in: 1...28, using: &rng))!
            let since = Bool.random(using: &rng) ? Day(year: 2026, month: Int.random(in: 1...12, using: &rng), day: 1) : nil
            let founded = Bool.random(using: &rng) ? Day(year: 2026, month: Int.random(in: 1...12, using: &rng), day: 15) : nil
            let rules = OrgLifeCompliance.RuleSet(rules: self.rules, orgType: type)
            let cal = OrgLifeCompliance.calendar(year: 2026, tally: t, rules: rules, today: today, since: since, founded: founded)
            let share = OrgLifeCompliance.share(year: 2026, tally: t, rules: rules, today: today, since: since, founded: founded)
            #expect(share == OrgLifeCompliance.share(cal), "\(t.encoded) \(type) \(today)")
            if share != nil { decided += 1 }
        }
        #expect(decided > 100, "most of the random calendars have decided months")
    }

    @Test func r18_aKeptTallyReadsBackAsWrittenAndRefusesOtherText() {
        var t = OrgLifeCompliance.Tally()
        t.add(month: 3, types: MeetingType.bits([.generalMeeting, .partyLecture]))
        t.add(month: 3, types: MeetingType.bits([.partyLecture, .generalMeeting]))
        t.add(month: 12, types: MeetingType.bits([.talk]))
        t.add(month: 1, types: MeetingType.bits([.study]), count: 2)
        #expect(t.encoded == "1:32:2;3:9:2;12:2048:1")
        #expect(OrgLifeCompliance.Tally(encoded: t.encoded) == t)
        #expect(OrgLifeCompliance.Tally(encoded: "") == OrgLifeCompliance.Tally())
        // out of order or repeated entries are merged as `add` merges them
        #expect(OrgLifeCompliance.Tally(encoded: "12:2048:1;3:9:1;1:32:2;3:9:1") == t)
        for bad in ["1:32", "13:1:1", "0:1:1", "1:0:1", "1:1:0", "a:1:1", "1:1:1;;", "1::1", "1:99999999999:1", "1:1:1:1", ";", "1:70000:1"] {
            #expect(OrgLifeCompliance.Tally(encoded: bad) == nil, "\(bad)")
        }
        // a record with two types a rule asks for counts once for it
        #expect(t.monthly(MeetingType.bits([.generalMeeting, .partyLecture]))[3] == 2)
        #expect(t.monthly(MeetingType.bits([.study]))[1] == 2)
        // and records of another year are not the year's tally
        #expect(OrgLifeCompliance.Tally(records: [.init(day: d("2025-12-31"), types: [.talk])], year: 2026).isEmpty)
    }
}

/// yearly lists and the theme-party-day plan are due by 10 January.
@Suite struct YearlyFilingTests {
    @Test func r16_listFiledBy10JanuaryIsOnTimeLaterIsFlagged() {
        #expect(YearlyFiling.status(year: 2026, filedOn: d("2026-01-10"), today: d("2026-03-01")) == .onTime)
        #expect(YearlyFiling.status(year: 2026, filedOn: d("2026-01-11"), today: d("2026-03-01")) == .late)
        #expect(YearlyFiling.status(year: 2026, filedOn: d("2026-01-11"), today: d("2026-03-01")).flagged)
    }

    @Test func r16_missingListIsFlaggedOnlyAfterTheDueDay() {
        #expect(YearlyFiling.status(year: 2026, filedOn: nil, today: d("2026-01-10")) == .notYetDue)
        #expect(YearlyFiling.status(year: 2026, filedOn: nil, today: d("2026-01-11")) == .overdue)
    }
}

/// 13710 and custom presets in working days.
@Suite struct TaskTimelineTests {
    static let calendar = WorkingCalendarTests.calendar

    @Test func r17_13710StagesAcrossTheNationalDayHoliday() {
        // given an ordinary task that arrives on Wed 2026-09-30, the eve of 国庆节
        let stages = TaskTimeline.stages(preset: .p13710, start: d("2026-09-30"), major: false, planDue: nil, events: [],
                                         calendar: Self.calendar, today: d("2026-09-30"))
        // then: decided the same day, feedback by the 3rd working day, done by the 7th
        #expect(stages.map(\.key) == ["decide", "feedback", "done", "close"])
        #expect(stages[0].due == d("2026-09-30"))
        #expect(stages[1].due == d("2026-10-09"))   // 09-30, 10-08, 10-09
        #expect(stages[2].due == d("2026-10-14"))   // …10-10 (调休), 10-12, 10-13, 10-14
        #expect(stages[3].due == nil && stages[3].state == .waiting)
    }

    @Test func r17_overdueStageIsFlaggedAndLateOneIsRecorded() {
        let events = [TaskTimeline.Event(day: d("2026-09-30"), kind: .decision), .init(day: d("2026-10-12"), kind: .feedback)]
        let stages = TaskTimeline.stages(preset: .p13710, start: d("2026-09-30"), major: false, planDue: nil, events: events,
                                         calendar: Self.calendar, today: d("2026-10-15"))
        #expect(stages[0].state == .met)
        #expect(stages[1].state == .metLate)
        #expect(stages[2].state == .overdue)
        #expect(stages.filter(\.state.flagged).map(\.key) == ["done"])
    }

    @Test func r17_majorMatterHasAMonthOrItsApprovedPlan() {
        let month = TaskTimeline.stages(preset: .p13710, start: d("2026-03-10"), major: true, planDue: nil, events: [],
                                        calendar: Self.calendar, today: d("2026-03-10"))
        #expect(month.map(\.key) == ["decide", "feedback", "done-major", "close"])
        #expect(month[2].due == d("2026-04-10"))
        let plan = TaskTimeline.stages(preset: .p13710, start: d("2026-03-10"), major: true, planDue: d("2026-08-31"), events: [],
                                       calendar: Self.calendar, today: d("2026-05-01"))
        #expect(plan[2].due == d("2026-08-31") && plan[2].state == .open)
    }

    @Test func r17_approvedPlanNeedsMonthlyFeedback() {
        let events = [TaskTimeline.Event(day: d("2026-04-20"), kind: .feedback), .init(day: d("2026-06-02"), kind: .feedback)]
        let missing = TaskTimeline.missingMonthlyFeedback(planApprovedOn: d("2026-03-15"), events: events, closedOn: nil, today: d("2026-07-10"))
        #expect(missing.map { "\($0.year)-\($0.month)" } == ["2026-5"])   // April and June reported; July not over
    }

    @Test func r17_reopenedTaskIsNoLongerDone() {
        let events = [TaskTimeline.Event(day: d("2026-03-02"), kind: .decision), .init(day: d("2026-03-03"), kind: .done),
                      .init(day: d("2026-03-04"), kind: .reopen)]
        let stages = TaskTimeline.stages(preset: .p13710, start: d("2026-03-02"), major: false, planDue: nil, events: events,
                                         calendar: Self.calendar, today: d("2026-03-20"))
        // the decision and the first feedback stay met; completion is owed again, 7 working days from the reopening
        #expect(stages.map(\.state) == [.met, .met, .overdue, .waiting])
        #expect(stages[2].due == d("2026-03-12"))   // 03-04 counts as the first working day
        let early = TaskTimeline.stages(preset: .p13710, start: d("2026-03-02"), major: false, planDue: nil, events: events,
                                        calendar: Self.calendar, today: d("2026-03-10"))
        #expect(early[2].state == .open)
    }

    @Test func r17_taskStatusMachine() {
        #expect(TaskStatus.open.after(.done) == .done)
        #expect(TaskStatus.done.after(.close) == .closed)
        #expect(TaskStatus.done.after(.reopen) == .open)
        #expect(TaskStatus.open.after(.close) == nil)       // closing needs a report of done first
        #expect(TaskStatus.closed.after(.feedback) == nil)
        #expect(TaskStatus.closed.after(.reopen) == nil)
    }

    @Test func r17_customPresetIsValidatedPerStage() {
        let bad = TaskPreset(key: "x", name: "", stages: [StageSpec(key: "a", label: "", amount: 0, unit: .workingDays, satisfiedBy: [])])
        let e = bad.validate()
        #expect(e["name"] != nil && e["stages.0.label"] != nil && e["stages.0.amount"] != nil && e["stages.0.satisfiedBy"] != nil)
        #expect(TaskPreset.p13710.validate().isEmpty)
    }
}

/// points.
@Suite struct PointsTests {
    @Test func r19_balanceIsTheSumOfApprovedEntries() {
        #expect(Points.balance([(2, .approved), (10, .pending), (-5, .approved), (3, .rejected)]) == -3)
    }

    @Test func r19_servicePointsPerFullHour() {
        let rule = PointRule.defaults.first { $0.source == .service }!
        #expect(Points.forService(minutes: 150, rule: rule) == 2)
    }

    @Test func r19_whoMayAwardAndWhetherItNeedsApproval() {
        let award = PointRule.defaults.first { $0.key == "award" }!
        let violation = PointRule.defaults.first { $0.key == "violation" }!
        #expect(Points.manualEntry(rule: award, by: [.branchSecretary]) == .success(.pending))
        #expect(Points.manualEntry(rule: violation, by: [.branchSecretary]) == .failure(.roleTooLow(.unitOfficer)))
        #expect(Points.manualEntry(rule: PointRule.defaults[0], by: [.admin]) == .failure(.automaticRule))
        #expect(Points.canDecide(proposer: "u1", decider: "u1", status: .pending) == .ownEntry)
        #expect(Points.canDecide(proposer: "u1", decider: "u2", status: .approved) == .notPending)
        #expect(Points.canDecide(proposer: "u1", decider: "u2", status: .pending) == nil)
    }

    @Test func r19_branchRankingByAveragePerMemberWithSharedRanks() {
        let r = Points.ranking([(id: "a", name: "甲", members: 10, total: 100), (id: "b", name: "乙", members: 2, total: 30),
                                (id: "c", name: "丙", members: 10, total: 100), (id: "d", name: "丁", members: 1, total: 1)])
        #expect(r.map(\.id) == ["b", "c", "a", "d"])   // equal figures: by name
        #expect(r.map(\.rank) == [1, 2, 2, 4])
    }
}

/// 双报到 service hours and 为民办实事.
@Suite struct ServiceCheckTests {
    @Test func r20_twoHoursAMonth() {
        let s = ServiceSettings.defaults
        #expect(ServiceCheck.month(year: 2026, month: 3, minutes: 120, servingSince: nil, retired: false, settings: s, today: d("2026-11-21")).status == .met)
        #expect(ServiceCheck.month(year: 2026, month: 3, minutes: 119, servingSince: nil, retired: false, settings: s, today: d("2026-11-21")).status == .short)
        #expect(ServiceCheck.month(year: 2026, month: 11, minutes: 0, servingSince: nil, retired: false, settings: s, today: d("2026-11-21")).status == .pending)
        #expect(ServiceCheck.month(year: 2026, month: 3, minutes: 0, servingSince: nil, retired: true, settings: s, today: d("2026-11-21")).status == .exempt)
    }

    @Test func r20_memberWhoJoinedMidMonthOwesAProratedShareWhenTheSettingSaysSo() {
        // given a member serving from 16 June (15 of 30 days)
        let prorate = ServiceSettings(prorateFirstMonth: true)
        let full = ServiceSettings(prorateFirstMonth: false)
        #expect(ServiceCheck.required(year: 2026, month: 6, servingSince: d("2026-06-16"), retired: false, settings: prorate) == 60)
        #expect(ServiceCheck.month(year: 2026, month: 6, minutes: 60, servingSince: d("2026-06-16"), retired: false, settings: prorate, today: d("2026-07-01")).status == .met)
        // when the setting says no proration, the full 2 hours are owed
        #expect(ServiceCheck.month(year: 2026, month: 6, minutes: 60, servingSince: d("2026-06-16"), retired: false, settings: full, today: d("2026-07-01")).status == .short)
        // the month before they serve owes nothing; the next month owes the full amount
        #expect(ServiceCheck.required(year: 2026, month: 5, servingSince: d("2026-06-16"), retired: false, settings: prorate) == 0)
        #expect(ServiceCheck.required(year: 2026, month: 7, servingSince: d("2026-06-16"), retired: false, settings: prorate) == 120)
        // a share is rounded up: 1 of 31 days of 120 minutes is 4 minutes, not 3
        #expect(ServiceCheck.required(year: 2026, month: 7, servingSince: d("2026-07-31"), retired: false, settings: prorate) == 4)
    }

    @Test func r20_tenPracticalThingsAYearPerPairedCommunity() {
        #expect(ServiceCheck.deeds(done: 9, settings: .defaults).met == false)
        #expect(ServiceCheck.deeds(done: 10, settings: .defaults).met)
    }
}

/// the demand workflow.
@Suite struct DemandWorkflowTests {
    @Test func r21_happyPathFromPostToRating() {
        var s = DemandState.posted
        for a in [DemandAction.dispatch, .accept, .claim, .finish(result: "已修好路灯"), .rate(stars: 5, comment: "很及时")] {
            s = try! DemandWorkflow.apply(a, to: s).get()
        }
        #expect(s == .rated)
    }

    @Test func r21_outOfTurnStepsAreRefused() {
        #expect(DemandWorkflow.apply(.claim, to: .posted) == .failure(.notAllowed(.posted, "党员领单")))
        #expect(DemandWorkflow.apply(.rate(stars: 5, comment: ""), to: .claimed) == .failure(.notAllowed(.claimed, "群众评价")))
        #expect(DemandWorkflow.apply(.rate(stars: 4, comment: ""), to: .rated) == .failure(.notAllowed(.rated, "群众评价")))
        #expect(DemandWorkflow.apply(.dispatch, to: .declined) == .failure(.notAllowed(.declined, "社区派单")))
    }

    @Test func r21_handBackAndDeclineNeedAReason() {
        if case .failure(.invalid(let e)) = DemandWorkflow.apply(.handBack(reason: " "), to: .dispatched) { #expect(e["reason"] != nil) } else { Issue.record("blank reason accepted") }
        #expect(DemandWorkflow.apply(.handBack(reason: "不属本单位职责"), to: .dispatched) == .success(.posted))
        #expect(DemandWorkflow.apply(.decline(reason: "属个人纠纷"), to: .posted) == .success(.declined))
        if case .failure(.invalid(let e)) = DemandWorkflow.apply(.rate(stars: 6, comment: ""), to: .done) { #expect(e["stars"] != nil) } else { Issue.record("6 stars accepted") }
    }

    @Test func r21_eachStepHasATimeLimitInWorkingDays() {
        let cal = WorkingCalendarTests.calendar
        // a need dispatched on Wed 2026-09-30 is accepted the same working day (limit 1)
        #expect(DemandWorkflow.deadline(state: .dispatched, since: d("2026-09-30"), limits: .defaults, calendar: cal) == d("2026-09-30"))
        #expect(DemandWorkflow.deadline(state: .claimed, since: d("2026-09-30"), limits: .defaults, calendar: cal) == d("2026-10-14"))   // 7 working days across 国庆节
        #expect(DemandWorkflow.isOverdue(state: .claimed, since: d("2026-09-30"), limits: .defaults, calendar: cal, today: d("2026-10-15")))
        #expect(!DemandWorkflow.isOverdue(state: .claimed, since: d("2026-09-30"), limits: .defaults, calendar: cal, today: d("2026-10-14")))
        #expect(DemandWorkflow.deadline(state: .done, since: d("2026-09-30"), limits: .defaults, calendar: cal) == nil)
    }

    @Test func r21_postValidationNamesEachField() {
        let e = DemandWorkflow.validatePost(title: "", content: "", name: "", phone: "abc")
        #expect(Set(e.messages.keys) == ["title", "content", "name", "phone"])
    }
}
