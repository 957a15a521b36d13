import Testing
@testable import Domain

/// R-4 (the six steps as a state machine) and R-5 (the notice period in working days).
@Suite struct RatingChainTests {
    let chain = RatingScheme.nanyang.chain
    let all = StarSet(Set(Star.allCases))
    let three = StarSet([.political, .business, .service])

    func step(_ s: RatingState, _ e: RatingEvent) throws -> RatingState {
        switch s.apply(e, chain: chain) {
        case .success(let n): return n
        case .failure(let f): throw f
        }
    }

    @Test func r4_fiveStarWalksEveryStep() throws {
        var s = RatingState(stage: .draft, stars: StarSet())
        s = try step(s, .submit(all));             #expect(s.stage == .submitted)
        s = try step(s, .decide(all));             #expect(s.stage == .unitProposed)   // 机关党委 proposes
        s = try step(s, .decide(all));             #expect(s.stage == .unitRecommended) // 党组 recommends 5
        s = try step(s, .decide(all));             #expect(s.stage == .countyRecommended) // 县级 recommends 5
        s = try step(s, .decide(all));             #expect(s.stage == .candidate)       // 市级 verifies
        s = try step(s, .noticeStarted);           #expect(s.stage == .inNotice)
        s = try step(s, .noticeEnded);             #expect(s.stage == .final)
        #expect(s.stars.level == 5)
    }

    @Test func r4_threeStarsAreDecidedByTheUnitAndFiled() throws {
        var s = try step(RatingState(stage: .draft, stars: StarSet()), .submit(three))
        s = try step(s, .decide(three))
        s = try step(s, .decide(three))
        #expect(s.stage == .filed)
        #expect(try step(s, .spotCheckDrawn(selected: false)).stage == .final)
        let checked = try step(s, .spotCheckDrawn(selected: true))
        #expect(checked.stage == .spotCheck)
        #expect(try step(checked, .decide(StarSet([.political]))).stars.level == 1)
    }

    @Test func r4_countyCertifiesFourAndLoweringAFiveEndsEarlier() throws {
        let four = StarSet(Star.firstFour)
        let s = RatingState(stage: .unitRecommended, stars: all)
        // certifying 4 of a requested 5 makes a notice candidate without the city step
        #expect(try step(s, .decide(four)).stage == .candidate)
        // lowering to 3 makes it final at once (no notice below 4)
        #expect(try step(s, .decide(three)).stage == .final)
    }

    @Test func r4_reviewerMayLowerButNeverRaise() {
        let s = RatingState(stage: .submitted, stars: three)
        guard case .failure(.invalid(let e)) = s.apply(.decide(three.inserting(.integrity)), chain: chain) else { Issue.record("raise allowed"); return }
        #expect(e["stars"]?.contains("清廉高效星") == true)
    }

    @Test func r4_returnGoesOneStepBackWithAReason() throws {
        #expect(try step(RatingState(stage: .submitted, stars: three), .returnBack(reason: "佐证材料不全")).stage == .draft)
        #expect(try step(RatingState(stage: .unitProposed, stars: three), .returnBack(reason: "x")).stage == .submitted)
        #expect(try step(RatingState(stage: .unitRecommended, stars: all), .returnBack(reason: "x")).stage == .unitProposed)
        #expect(try step(RatingState(stage: .countyRecommended, stars: all), .returnBack(reason: "x")).stage == .unitRecommended)
        guard case .failure(.invalid(let e)) = RatingState(stage: .submitted, stars: three).apply(.returnBack(reason: "  "), chain: chain) else { Issue.record(); return }
        #expect(e["reason"] == "退回须说明理由")
    }

    @Test func r4_outOfTurnStepsAreRefused() {
        let final = RatingState(stage: .final, stars: three)
        for e: RatingEvent in [.submit(three), .decide(three), .returnBack(reason: "x"), .noticeStarted, .disqualify, .noticeEnded] {
            guard case .failure(.wrongStage) = final.apply(e, chain: chain) else { Issue.record("\(e) allowed on final"); continue }
        }
        guard case .failure(.wrongStage) = RatingState(stage: .candidate, stars: all).apply(.noticeEnded, chain: chain) else { Issue.record(); return }
    }

    @Test func r4_upheldComplaintDisqualifies() throws {
        let s = try step(RatingState(stage: .inNotice, stars: all), .disqualify)
        #expect(s.stage == .disqualified)
        #expect(s.stars.level == 0)
    }

    @Test func r4_reviewerKindsFollowWhereTheGrantSits() {
        // given 市委 → 市直工委 → 局党组 → 机关党委 → 支部
        let anc: [(type: OrgType, path: String)] = [(.committee, "/sw/"), (.committee, "/sw/gw/"), (.partyGroup, "/sw/gw/dz/"),
                                                     (.organCommittee, "/sw/gw/dz/jg/"), (.branch, "/sw/gw/dz/jg/b1/")]
        let b = "/sw/gw/dz/jg/b1/"
        func k(_ role: Role, _ path: String) -> Set<ReviewerKind> { ReviewerKind.kinds(grants: [Grant(role: role, orgID: "x", orgPath: path)], ancestors: anc, branchPath: b) }
        #expect(k(.branchSecretary, b) == [.branch])
        #expect(k(.unitOfficer, "/sw/gw/dz/jg/") == [.organCommittee])
        #expect(k(.unitOfficer, "/sw/gw/dz/") == [.partyGroup])
        #expect(k(.committeeOfficer, "/sw/gw/") == [.county])
        #expect(k(.committeeOfficer, "/sw/") == [.city])
        // someone else's branch: nothing
        #expect(k(.branchSecretary, "/sw/gw/dz/jg/b2/").isEmpty)
        // a tree with a single committee: its officers also do the city step
        let flat: [(type: OrgType, path: String)] = [(.committee, "/gw/"), (.partyGroup, "/gw/dz/"), (.branch, "/gw/dz/b/")]
        #expect(ReviewerKind.kinds(grants: [Grant(role: .committeeOfficer, orgID: "x", orgPath: "/gw/")], ancestors: flat, branchPath: "/gw/dz/b/") == [.county, .city])
    }

    // MARK: R-5 notice period

    static let calendar: WorkingCalendar = WorkingCalendarTests.calendar

    @Test func r5_noticeAcrossNationalDay2026() {
        // given a notice of 5 working days from Wed 2026-09-30
        let p = NoticePeriod(start: Day(iso: "2026-09-30")!, workingDays: 5, calendar: Self.calendar)!
        // then it ends Mon 2026-10-12, takes complaints through that day and closes from 10-13
        #expect(p.end.iso == "2026-10-12")
        #expect(p.acceptsComplaints(today: Day(iso: "2026-10-05")!))
        #expect(p.acceptsComplaints(today: Day(iso: "2026-10-12")!))
        #expect(!p.mayClose(today: Day(iso: "2026-10-12")!))
        #expect(p.mayClose(today: Day(iso: "2026-10-13")!))
        #expect(p.status(today: Day(iso: "2026-09-29")!) == .scheduled)
    }

    @Test func r5_noticeAcrossNationalDay2025() {
        // given 2025: 10-01..10-08 off, Sun 09-28 and Sat 10-11 are make-up working days
        let p = NoticePeriod(start: Day(iso: "2025-09-29")!, workingDays: 5, calendar: Self.calendar)!
        // then 09-29, 09-30, 10-09, 10-10, Sat 10-11
        #expect(Self.calendar.workingDays(from: Day(iso: "2025-09-29")!, count: 5).map(\.iso) == ["2025-09-29", "2025-09-30", "2025-10-09", "2025-10-10", "2025-10-11"])
        #expect(p.end.iso == "2025-10-11")
        #expect(p.status(today: Day(iso: "2025-10-12")!) == .ended)
    }
}
