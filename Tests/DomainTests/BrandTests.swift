import Testing
@testable import Domain

private func d(_ s: String) -> Day { Day(iso: s)! }

/// What a transition came to, without the message text.
private enum Outcome: Equatable, CustomStringConvertible {
    case ok(BrandState)
    case wrongState
    case notYourTurn
    case invalid(Set<String>)

    init(_ r: Result<BrandState, BrandTransitionError>) {
        switch r {
        case .success(let s): self = .ok(s)
        case .failure(.wrongState): self = .wrongState
        case .failure(.notYourTurn): self = .notYourTurn
        case .failure(.invalid(let e)): self = .invalid(Set(e.order))
        }
    }

    var description: String {
        switch self {
        case .ok(let s): return "ok(\(s))"
        case .wrongState: return "wrongState"
        case .notYourTurn: return "notYourTurn"
        case .invalid(let f): return "invalid(\(f.sorted()))"
        }
    }
}

/// The field errors of a refused step, nil when it was not refused for its input.
private func fieldErrors(_ r: Result<BrandState, BrandTransitionError>) -> FieldErrors? {
    if case .failure(.invalid(let e)) = r { return e }
    return nil
}

/// DOMAIN §3: party-building brands (R-9, R-10, R-12, R-13, R-15).
@Suite struct BrandTests {}

/// R-9: every state × every step, by every combination of roles.
extension BrandTests { @Suite struct Lifecycle {
    static let today = d("2026-11-21")

    /// Every combination of the three roles, the empty one included.
    static let actorSets: [Set<BrandActor>] = [
        [], [.owner], [.organCommittee], [.committee],
        [.owner, .organCommittee], [.owner, .committee], [.organCommittee, .committee],
        [.owner, .organCommittee, .committee],
    ]

    /// One legal step: who takes it and where it leads.
    struct Step: Sendable { let by: BrandActor; let to: BrandState }

    /// A well-formed event for each kind (submit twice: with and without an organ committee),
    /// with the legal table written out by hand from DOMAIN §3 R-9.
    static let table: [(event: BrandEvent, legal: [BrandState: Step])] = [
        (.cultivate, [.draft: Step(by: .owner, to: .cultivating)]),
        (.submit(viaOrganCommittee: true), [.cultivating: Step(by: .owner, to: .submitted),
                                            .returned: Step(by: .owner, to: .submitted)]),
        (.submit(viaOrganCommittee: false), [.cultivating: Step(by: .owner, to: .forwarded),
                                             .returned: Step(by: .owner, to: .forwarded)]),
        (.forward(opinion: "同意报送工委"), [.submitted: Step(by: .organCommittee, to: .forwarded)]),
        (.returnBack(reasons: [.vague], note: ""), [.submitted: Step(by: .organCommittee, to: .returned),
                                                    .forwarded: Step(by: .committee, to: .returned),
                                                    .preliminary: Step(by: .committee, to: .returned),
                                                    .review: Step(by: .committee, to: .returned)]),
        (.accept, [.forwarded: Step(by: .committee, to: .preliminary)]),
        (.shortlist, [.preliminary: Step(by: .committee, to: .review)]),
        (.name(document: "宛自然资党〔2026〕21号", on: d("2026-11-20")), [.review: Step(by: .committee, to: .named)]),
        (.reReview(.confirm, deadline: nil), [.named: Step(by: .committee, to: .named),
                                              .rectifying: Step(by: .committee, to: .named)]),
        (.reReview(.rectify, deadline: d("2027-03-31")), [.named: Step(by: .committee, to: .rectifying)]),
        (.reReview(.revoke, deadline: nil), [.named: Step(by: .committee, to: .revoked),
                                             .rectifying: Step(by: .committee, to: .revoked)]),
    ]

    /// The legal (kind, state) pairs with their actor, from the hand-written table.
    static var legalPairs: [BrandEvent.Kind: [BrandState: BrandActor]] {
        var out: [BrandEvent.Kind: [BrandState: BrandActor]] = [:]
        for (event, legal) in table {
            for (state, step) in legal { out[event.kind, default: [:]][state] = step.by }
        }
        return out
    }

    @Test func r9_theTableCoversEveryKindOfStep() {
        #expect(Set(Self.table.map { $0.event.kind }) == Set(BrandEvent.Kind.allCases))
        // 10 states × 10 kinds, of which these 16 pairs are legal
        #expect(BrandState.allCases.count == 10 && BrandEvent.Kind.allCases.count == 10)
        #expect(Self.legalPairs.values.map(\.count).reduce(0, +) == 16)
    }

    @Test func r9_everyLegalStepSucceedsForItsActorAndIsNotYourTurnForEveryoneElse() {
        for (event, legal) in Self.table {
            for (state, step) in legal {
                for actors in Self.actorSets {
                    let got = Outcome(BrandLifecycle.apply(event, to: state, by: actors, today: Self.today))
                    let want: Outcome = actors.contains(step.by) ? .ok(step.to) : .notYourTurn
                    #expect(got == want, "\(event.kind) from \(state) by \(actors.map(\.rawValue).sorted())")
                }
            }
        }
    }

    @Test func r9_everyIllegalPairIsWrongStateWhoeverAsks() {
        var illegal = 0
        for (event, _) in Self.table {
            let legalFrom = Self.legalPairs[event.kind] ?? [:]
            for state in BrandState.allCases where legalFrom[state] == nil {
                illegal += 1
                for actors in Self.actorSets {
                    let got = Outcome(BrandLifecycle.apply(event, to: state, by: actors, today: Self.today))
                    #expect(got == .wrongState, "\(event.kind) from \(state) by \(actors.map(\.rawValue).sorted())")
                }
            }
        }
        // 100 pairs − 16 legal = 84 illegal; submit appears twice in the table (+8)
        #expect(illegal == 84 + 8)
    }

    @Test func r9_theWrongStateAndNotYourTurnMessagesSayWhy() {
        let all = Set(BrandActor.allCases)
        guard case .failure(.wrongState(let m)) = BrandLifecycle.apply(.accept, to: .draft, by: all, today: Self.today) else {
            Issue.record("accepting a draft should be refused"); return
        }
        #expect(m.contains("定名") && m.contains("受理"))
        guard case .failure(.notYourTurn(let n)) = BrandLifecycle.apply(.forward(opinion: "同意"), to: .submitted, by: [.committee], today: Self.today) else {
            Issue.record("the committee cannot forward for the organ committee"); return
        }
        #expect(n.contains("机关党委"))
    }

    @Test func r9_stepsOffersExactlyTheLegalKindsWithTheirActor() {
        let legal = Self.legalPairs
        for state in BrandState.allCases {
            var want: [BrandEvent.Kind: BrandActor] = [:]
            for (kind, from) in legal { if let a = from[state] { want[kind] = a } }
            let offered = BrandLifecycle.steps(from: state)
            var got: [BrandEvent.Kind: BrandActor] = [:]
            for (k, a) in offered { got[k] = a }
            #expect(offered.count == got.count, "no kind offered twice from \(state)")
            #expect(got == want, "steps from \(state)")
        }
        #expect(BrandLifecycle.steps(from: .revoked).isEmpty)
        #expect(BrandLifecycle.steps(from: .review).map(\.0) == [.returnBack, .name])
    }

    // MARK: input checks

    @Test func r9_forwardNeedsAnOpinion() {
        for blank in ["", "   "] {
            let r = BrandLifecycle.apply(.forward(opinion: blank), to: .submitted, by: [.organCommittee], today: Self.today)
            #expect(Outcome(r) == .invalid(["opinion"]))
        }
        let long = String(repeating: "意", count: 501)
        #expect(Outcome(BrandLifecycle.apply(.forward(opinion: long), to: .submitted, by: [.organCommittee], today: Self.today)) == .invalid(["opinion"]))
    }

    @Test func r9_returnNeedsAReasonAndANoteForOther() {
        let by: Set<BrandActor> = [.committee]
        let none = BrandLifecycle.apply(.returnBack(reasons: [], note: "请修改"), to: .forwarded, by: by, today: Self.today)
        #expect(Outcome(none) == .invalid(["reasons"]))
        #expect(fieldErrors(none)?["reasons"] == "请选择退回原因")

        let otherBlank = BrandLifecycle.apply(.returnBack(reasons: [.other], note: "  "), to: .review, by: by, today: Self.today)
        #expect(Outcome(otherBlank) == .invalid(["note"]))
        #expect(fieldErrors(otherBlank)?["note"]?.contains("退回说明") == true)

        // `.other` among other reasons still needs the note
        let otherAndVague = BrandLifecycle.apply(.returnBack(reasons: [.vague, .other], note: ""), to: .preliminary, by: by, today: Self.today)
        #expect(Outcome(otherAndVague) == .invalid(["note"]))

        #expect(Outcome(BrandLifecycle.apply(.returnBack(reasons: [.other], note: "缺少年度计划"), to: .review, by: by, today: Self.today)) == .ok(.returned))
        #expect(Outcome(BrandLifecycle.apply(.returnBack(reasons: [.mispositioned, .indistinct], note: ""), to: .submitted, by: [.organCommittee], today: Self.today)) == .ok(.returned))
        // an optional note is still length-limited
        let long = String(repeating: "说", count: 501)
        #expect(Outcome(BrandLifecycle.apply(.returnBack(reasons: [.vague], note: long), to: .review, by: by, today: Self.today)) == .invalid(["note"]))
    }

    @Test func r9_rectifyNeedsADeadlineAfterTodayAndWithinAYear() {
        let today = Self.today
        func rectify(_ deadline: Day?) -> Outcome {
            Outcome(BrandLifecycle.apply(.reReview(.rectify, deadline: deadline), to: .named, by: [.committee], today: today))
        }
        #expect(rectify(nil) == .invalid(["deadline"]))
        #expect(rectify(today) == .invalid(["deadline"]))
        #expect(rectify(today.adding(days: -1)) == .invalid(["deadline"]))
        #expect(rectify(today.adding(days: 367)) == .invalid(["deadline"]))
        #expect(rectify(today.adding(days: 1)) == .ok(.rectifying))
        #expect(rectify(today.adding(days: 366)) == .ok(.rectifying))
        let noDeadline = BrandLifecycle.apply(.reReview(.rectify, deadline: nil), to: .named, by: [.committee], today: today)
        #expect(fieldErrors(noDeadline)?["deadline"] == "请填写整改期限")
        // confirm and revoke take no deadline
        #expect(Outcome(BrandLifecycle.apply(.reReview(.confirm, deadline: nil), to: .rectifying, by: [.committee], today: today)) == .ok(.named))
    }

    @Test func r9_namingNeedsAWellFormedDocumentAndADateNotAfterToday() {
        let today = Self.today
        func name(_ doc: String, _ on: Day) -> Outcome {
            Outcome(BrandLifecycle.apply(.name(document: doc, on: on), to: .review, by: [.committee], today: today))
        }
        #expect(name("宛自然资党〔2026〕21号", today) == .ok(.named))
        #expect(name("宛自然资党2026年21号", today) == .invalid(["document"]))
        #expect(name("", today) == .invalid(["document"]))
        #expect(name("宛自然资党〔2025〕21号", today) == .invalid(["document"]))      // year is not the decision's
        #expect(name("宛自然资党〔2026〕21号", d("2026-11-22")) == .invalid(["decidedOn"]))
        #expect(name("宛自然资党〔2027〕3号", d("2027-01-05")) == .invalid(["decidedOn"]))
        #expect(name("宛自然资党〔2025〕3号", d("2026-12-01")) == .invalid(["document", "decidedOn"]))
    }
}}

/// R-12: the naming decision's document number.
extension BrandTests { @Suite struct Document {
    let on = d("2023-05-10")
    let format = "文号格式应为“机关代字〔年份〕序号号”，如 宛自然资党〔2023〕21号"

    @Test func r12_aWellFormedNumberOfTheDecisionsYearPasses() {
        #expect(BrandDocument.check("宛自然资党〔2023〕21号", on: on) == nil)
        #expect(BrandDocument.check("  宛自然资党〔2023〕1号 ", on: on) == nil)
        #expect(BrandDocument.check("宛自然资党〔2023〕21号", on: d("2023-12-31")) == nil)
    }

    @Test func r12_theYearMustBeTheDecisionsYear() {
        let m = BrandDocument.check("宛自然资党〔2022〕21号", on: on)
        #expect(m == "文号中的年份（2022）应与命名日期的年份（2023）一致")
        #expect(BrandDocument.check("宛自然资党〔2023〕21号", on: d("2024-01-01")) != nil)
    }

    @Test func r12_malformedNumbersAreRefusedWithTheFormat() {
        for bad in [
            "宛自然资党〔2023〕21",       // no 号
            "宛自然资党2023-21号",        // no brackets
            "宛自然资党[2023]21号",       // ASCII brackets
            "宛自然资党〕2023〔21号",      // brackets reversed
            "宛自然资党〔2023〕二十一号",   // sequence not a number
            "宛自然资党〔2023〕2a号",
            "宛自然资党〔2023〕号",        // no sequence
            "宛自然资党〔2023〕0号",       // sequence 0
            "〔2023〕21号",              // no issuing organ
            "宛自然资党〔23〕21号",        // two-digit year
            "宛自然资党〔二〇二三〕21号",    // year not a number
        ] {
            #expect(BrandDocument.check(bad, on: on) == format, "\(bad)")
        }
    }

    @Test func r12_emptyAndOverlongNumbersAreRefused() {
        #expect(BrandDocument.check("", on: on) == "请填写命名文件文号")
        #expect(BrandDocument.check("   ", on: on) == "请填写命名文件文号")
        let long = String(repeating: "宛", count: 35) + "〔2023〕21号"
        #expect(BrandDocument.check(long, on: on) == "文号不能超过40个字")
    }
}}

/// R-10: expert scoring, ranking with the satisfaction tie-break, candidates, no scoring of one's own unit.
extension BrandTests { @Suite struct Selection {
    typealias Entry = BrandSelection.Entry
    let standard = BrandSettings.standard

    func sheet(_ name: Int, _ philosophy: Int, _ mechanism: Int, _ carriers: Int, _ effect: Int) -> [BrandCriterion: Int] {
        [.name: name, .philosophy: philosophy, .mechanism: mechanism, .carriers: carriers, .effect: effect]
    }

    @Test func r10_theSheetTotalIsTheWeightedMeanToOneDecimal() {
        #expect(BrandSelection.total(sheet(80, 80, 80, 80, 80), settings: standard) == 80.0)
        #expect(BrandSelection.total(sheet(100, 100, 100, 100, 100), settings: standard) == 100.0)
        #expect(BrandSelection.total(sheet(0, 0, 0, 0, 0), settings: standard) == 0.0)
        // 90×15 + 85×20 + 70×20 + 77×20 + 88×25 = 1350 + 1700 + 1400 + 1540 + 2200 = 8190 → 81.9
        #expect(BrandSelection.total(sheet(90, 85, 70, 77, 88), settings: standard) == 81.9)
        // 81×15 + 80×20×3 + 80×25 = 8015 → 80.15 → 80.2
        #expect(BrandSelection.total(sheet(81, 80, 80, 80, 80), settings: standard) == 80.2)
        // 60×15 + 70×20 + 80×20 + 90×20 + 100×25 = 900 + 1400 + 1600 + 1800 + 2500 = 8200 → 82.0
        #expect(BrandSelection.total(sheet(60, 70, 80, 90, 100), settings: standard) == 82.0)
        // only the effect counts under these weights
        let effectOnly = BrandSettings(criteria: ["effect": 100], parts: standard.parts)
        #expect(BrandSelection.total(sheet(10, 20, 30, 40, 77), settings: effectOnly) == 77.0)
    }

    @Test func r10_theMeanOfTheExpertTotalsHasOneDecimal() {
        #expect(Entry(id: "a", name: "甲", expertTotals: [], satisfaction: 90).mean == nil)
        #expect(Entry(id: "a", name: "甲", expertTotals: [80.0], satisfaction: nil).mean == 80.0)
        #expect(Entry(id: "a", name: "甲", expertTotals: [80.0, 81.0], satisfaction: nil).mean == 80.5)
        // 243.8 / 3 = 81.2666… → 81.3
        #expect(Entry(id: "a", name: "甲", expertTotals: [80.0, 81.5, 82.3], satisfaction: nil).mean == 81.3)
        // 250.1 / 3 = 83.3666… → 83.4;  (85 + 85.1 + 85.1) / 3 = 85.0666… → 85.1
        #expect(Entry(id: "a", name: "甲", expertTotals: [83.0, 83.4, 83.7], satisfaction: nil).mean == 83.4)
        #expect(Entry(id: "a", name: "甲", expertTotals: [85.0, 85.1, 85.1], satisfaction: nil).mean == 85.1)
        // half-way means round up in tenths (64.45 → 64.5), not down through binary fractions
        #expect(Entry(id: "a", name: "甲", expertTotals: [64.3, 64.6], satisfaction: nil).mean == 64.5)
        #expect(Entry(id: "a", name: "甲", expertTotals: [70.1, 70.2], satisfaction: nil).mean == 70.2)
    }

    @Test func r10_rankByMeanThenSatisfactionWithUnscoredLast() {
        let entries = [
            Entry(id: "F", name: "品牌F", expertTotals: [80.0], satisfaction: 99),
            Entry(id: "E", name: "品牌E", expertTotals: [], satisfaction: 100),
            Entry(id: "D", name: "品牌D", expertTotals: [85.0], satisfaction: nil),
            Entry(id: "C", name: "品牌C", expertTotals: [84.0, 86.0], satisfaction: 80),
            Entry(id: "B", name: "品牌B", expertTotals: [85.0], satisfaction: 95),
            Entry(id: "A", name: "品牌A", expertTotals: [90.0, 90.0], satisfaction: 10),
            Entry(id: "G", name: "品牌G", expertTotals: [], satisfaction: nil),
        ]
        let r = BrandSelection.rank(entries)
        #expect(r.map(\.entry.id) == ["A", "B", "C", "D", "F", "E", "G"])
        #expect(r.map(\.rank) == [1, 2, 3, 4, 5, nil, nil])
        // the input order does not matter
        #expect(BrandSelection.rank(entries.reversed()).map(\.entry.id) == ["A", "B", "C", "D", "F", "E", "G"])
    }

    @Test func r10_aSatisfactionOfZeroStillBeatsNone() {
        let r = BrandSelection.rank([
            Entry(id: "none", name: "品牌A", expertTotals: [70.0], satisfaction: nil),
            Entry(id: "zero", name: "品牌B", expertTotals: [70.0], satisfaction: 0),
        ])
        #expect(r.map(\.entry.id) == ["zero", "none"])
        #expect(r.map(\.rank) == [1, 2])
    }

    @Test func r10_equalMeanAndSatisfactionShareARank() {
        let r = BrandSelection.rank([
            Entry(id: "S", name: "品牌S", expertTotals: [85.0], satisfaction: 99),
            Entry(id: "R", name: "品牌R", expertTotals: [88.0], satisfaction: 90),
            Entry(id: "Q", name: "品牌Q", expertTotals: [87.0, 89.0], satisfaction: 90),
            Entry(id: "P", name: "品牌P", expertTotals: [90.0], satisfaction: 50),
        ])
        #expect(r.map(\.rank) == [1, 2, 2, 4])
        #expect(r.map(\.entry.id) == ["P", "Q", "R", "S"])   // tied ones by name
        // equal means without any satisfaction are tied too
        let n = BrandSelection.rank([
            Entry(id: "x", name: "品牌X", expertTotals: [75.0], satisfaction: nil),
            Entry(id: "y", name: "品牌Y", expertTotals: [75.0], satisfaction: nil),
            Entry(id: "z", name: "品牌Z", expertTotals: [74.9], satisfaction: 100),
        ])
        #expect(n.map(\.rank) == [1, 1, 3])
    }

    var pool: [BrandSelection.Ranked] {
        BrandSelection.rank([
            Entry(id: "P", name: "品牌P", expertTotals: [90.0], satisfaction: 50),
            Entry(id: "Q", name: "品牌Q", expertTotals: [88.0], satisfaction: 90),
            Entry(id: "R", name: "品牌R", expertTotals: [88.0], satisfaction: 90),
            Entry(id: "S", name: "品牌S", expertTotals: [85.0], satisfaction: 99),
            Entry(id: "T", name: "品牌T", expertTotals: [84.9], satisfaction: 99),
            Entry(id: "U", name: "品牌U", expertTotals: [], satisfaction: 100),
        ])
    }

    @Test func r10_candidatesByThresholdIncludeTheThresholdItself() {
        #expect(BrandSelection.candidates(pool, rule: .threshold(85)) == ["P", "Q", "R", "S"])
        #expect(BrandSelection.candidates(pool, rule: .threshold(88)) == ["P", "Q", "R"])
        #expect(BrandSelection.candidates(pool, rule: .threshold(90.1)) == [])
        // unscored never, even with a threshold of 0
        #expect(BrandSelection.candidates(pool, rule: .threshold(0)) == ["P", "Q", "R", "S", "T"])
    }

    @Test func r10_candidatesByQuotaIncludeTiesAtTheBoundary() {
        #expect(BrandSelection.candidates(pool, rule: .quota(1)) == ["P"])
        #expect(BrandSelection.candidates(pool, rule: .quota(2)) == ["P", "Q", "R"])   // R ties Q for 2nd
        #expect(BrandSelection.candidates(pool, rule: .quota(3)) == ["P", "Q", "R"])   // nobody is 3rd
        #expect(BrandSelection.candidates(pool, rule: .quota(4)) == ["P", "Q", "R", "S"])
        #expect(BrandSelection.candidates(pool, rule: .quota(0)) == [])
        // unscored never, however large the quota
        #expect(BrandSelection.candidates(pool, rule: .quota(100)) == ["P", "Q", "R", "S", "T"])
    }

    @Test func r10_aSheetNeedsEveryCriterionAsAWholeNumberAndAComment() {
        let good = ["name": "90", "philosophy": " 85 ", "mechanism": "70", "carriers": "0", "effect": "100"]
        let (scores, ok) = BrandSelection.validate(good, comment: "理念清晰，载体丰富")
        #expect(ok.isEmpty)
        #expect(scores == sheet(90, 85, 70, 0, 100))

        var missing = good; missing["effect"] = nil
        let (s1, e1) = BrandSelection.validate(missing, comment: "好")
        #expect(e1.order == ["effect"] && e1["effect"] == "请为“富有效果”打分")
        #expect(s1[.effect] == nil && s1.count == 4)

        var blank = good; blank["name"] = "  "
        #expect(BrandSelection.validate(blank, comment: "好").1.order == ["name"])

        for (field, bad) in [("carriers", "101"), ("mechanism", "-1"), ("philosophy", "85.5"), ("name", "九十")] {
            var raw = good; raw[field] = bad
            let (_, e) = BrandSelection.validate(raw, comment: "好")
            #expect(e.order == [field], "\(field)=\(bad)")
            #expect(e[field]?.contains("0到100的整数") == true, "\(field)=\(bad)")
        }

        for comment in ["", "   "] {
            let (_, e) = BrandSelection.validate(good, comment: comment)
            #expect(e.order == ["comment"])
        }
        let (_, all) = BrandSelection.validate([:], comment: "")
        #expect(Set(all.order) == Set(BrandCriterion.allCases.map(\.rawValue) + ["comment"]))
    }

    @Test func r10_anExpertMayNotScoreTheirOwnUnit() {
        let unit = "/1/5/12/"
        #expect(BrandSelection.isSameUnit(expertPaths: ["/1/5/12/"], unitPath: unit))           // the unit itself
        #expect(BrandSelection.isSameUnit(expertPaths: ["/1/5/12/30/"], unitPath: unit))        // a branch inside it
        #expect(BrandSelection.isSameUnit(expertPaths: ["/1/7/", "/1/5/12/30/41/"], unitPath: unit))
        #expect(!BrandSelection.isSameUnit(expertPaths: ["/1/5/"], unitPath: unit))              // the committee above
        #expect(!BrandSelection.isSameUnit(expertPaths: ["/1/"], unitPath: unit))
        #expect(!BrandSelection.isSameUnit(expertPaths: ["/1/5/13/"], unitPath: unit))           // another unit
        #expect(!BrandSelection.isSameUnit(expertPaths: ["/1/5/120/"], unitPath: unit))          // a look-alike path
        #expect(!BrandSelection.isSameUnit(expertPaths: [], unitPath: unit))
    }
}}

/// R-10 / R-15 weights.
extension BrandTests { @Suite struct Settings {
    @Test func r10_theStandardWeightsAreValid() {
        #expect(BrandSettings.standard.validate().isEmpty)
        let s = BrandSettings.standard
        #expect(BrandCriterion.allCases.map(s.weight) == [15, 20, 20, 20, 25])
        #expect(BrandAssessmentPart.allCases.map(s.weight) == [30, 30, 40])
    }

    @Test func r10_criteriaMustAddUpTo100() {
        var s = BrandSettings.standard
        s.criteria["name"] = 10
        let e = s.validate()
        #expect(e.order == ["criteria"])
        #expect(e["criteria"]?.contains("95") == true)

        var missing = BrandSettings.standard
        missing.criteria["effect"] = nil
        #expect(missing.validate()["criteria"]?.contains("75") == true)

        // each weight 0…100 even when the sum is right
        var out = BrandSettings.standard
        out.criteria = ["name": 120, "philosophy": -20, "mechanism": 0, "carriers": 0, "effect": 0]
        let eo = out.validate()
        #expect(eo["criteria.name"] != nil && eo["criteria.philosophy"] != nil && eo["criteria"] == nil)
        // a criterion and a part of the same name are told apart
        var both = BrandSettings.standard
        both.criteria["carriers"] = 120; both.criteria["name"] = -5
        both.parts["carriers"] = -30; both.parts["effect"] = 100
        let eb = both.validate()
        #expect(eb["criteria.carriers"]?.contains("建设载体") == true && eb["parts.carriers"]?.contains("载体活动") == true)
    }

    @Test func r15_partsMustAddUpTo100() {
        var s = BrandSettings.standard
        s.parts["basic"] = 40
        let e = s.validate()
        #expect(e.order == ["parts"])
        #expect(e["parts"]?.contains("110") == true)

        var both = s
        both.criteria["effect"] = 30
        #expect(Set(both.validate().order) == ["criteria", "parts"])
    }
}}

/// R-13: yearly re-review flags.
extension BrandTests { @Suite struct ReReview {
    @Test func r13_aYearWithoutReReviewIsOverdueOnceItIsOver() {
        let named = d("2024-06-01")
        #expect(BrandReReview.overdueYear(namedOn: named, reviewedYears: [], today: d("2026-01-05")) == 2025)
        #expect(BrandReReview.overdueYear(namedOn: named, reviewedYears: [2025], today: d("2026-01-05")) == nil)
        // during 2025 nothing is overdue yet: the 2025 re-review is due
        #expect(BrandReReview.overdueYear(namedOn: named, reviewedYears: [], today: d("2025-12-31")) == nil)
        // a review in the naming year does not count for the next
        #expect(BrandReReview.overdueYear(namedOn: named, reviewedYears: [2024], today: d("2026-01-05")) == 2025)
    }

    @Test func r13_theFirstReReviewIsDueTheYearAfterNaming() {
        let named = d("2025-03-01")
        #expect(BrandReReview.overdueYear(namedOn: named, reviewedYears: [], today: d("2026-01-05")) == nil)
        #expect(BrandReReview.overdueYear(namedOn: named, reviewedYears: [], today: d("2027-01-02")) == 2026)
        #expect(BrandReReview.overdueYear(namedOn: named, reviewedYears: [2026], today: d("2027-01-02")) == nil)
    }

    @Test func r13_anOlderGapIsStillOverdue() {
        let named = d("2022-05-01")
        #expect(BrandReReview.overdueYear(namedOn: named, reviewedYears: [2024, 2025], today: d("2026-03-01")) == 2023)
        #expect(BrandReReview.overdueYear(namedOn: named, reviewedYears: [2023, 2024, 2025], today: d("2026-03-01")) == nil)
        // the latest missing year is named first
        #expect(BrandReReview.overdueYear(namedOn: named, reviewedYears: [2023], today: d("2026-03-01")) == 2025)
    }

    @Test func r13_thisYearsReReviewIsDueUntilItIsDone() {
        let named = d("2025-03-01")
        #expect(BrandReReview.isDue(namedOn: named, reviewedYears: [], today: d("2026-06-01")))
        #expect(BrandReReview.isDue(namedOn: named, reviewedYears: [2025], today: d("2026-06-01")))
        #expect(!BrandReReview.isDue(namedOn: named, reviewedYears: [2026], today: d("2026-06-01")))
        // not in the naming year
        #expect(!BrandReReview.isDue(namedOn: named, reviewedYears: [], today: d("2025-12-31")))
        #expect(BrandReReview.isDue(namedOn: named, reviewedYears: [], today: d("2026-01-01")))
    }

    @Test func r13_rectificationPastItsDeadlineIsProposedForRevocation() {
        let deadline = d("2026-03-31")
        #expect(BrandReReview.proposeRevocation(state: .rectifying, deadline: deadline, today: d("2026-04-01")))
        #expect(BrandReReview.proposeRevocation(state: .rectifying, deadline: deadline, today: d("2027-01-01")))
        #expect(!BrandReReview.proposeRevocation(state: .rectifying, deadline: deadline, today: deadline))   // on the day: not yet
        #expect(!BrandReReview.proposeRevocation(state: .rectifying, deadline: deadline, today: d("2026-03-01")))
        #expect(!BrandReReview.proposeRevocation(state: .rectifying, deadline: nil, today: d("2026-04-01")))
        for state in BrandState.allCases where state != .rectifying {
            #expect(!BrandReReview.proposeRevocation(state: state, deadline: deadline, today: d("2026-04-01")), "\(state)")
        }
    }
}}

/// R-15: the organ committee's yearly assessment of brand creation.
extension BrandTests { @Suite struct Assessment {
    let standard = BrandSettings.standard

    @Test func r15_partsTakeAtMostOneDecimal() {
        let (v, e) = BrandAssessment.validate(["basic": "85.5", "carriers": " 90 ", "effect": "78.3"], comment: "")
        #expect(e.isEmpty)
        #expect(v == [.basic: 85.5, .carriers: 90, .effect: 78.3])

        let (_, two) = BrandAssessment.validate(["basic": "85.55", "carriers": "90", "effect": "78.3"], comment: "")
        #expect(two.order == ["basic"])
        #expect(two["basic"]?.contains("最多一位小数") == true)

        for (field, bad) in [("carriers", "100.5"), ("effect", "-0.1"), ("effect", "七十"), ("carriers", "90.01")] {
            var raw = ["basic": "80", "carriers": "80", "effect": "80"]
            raw[field] = bad
            #expect(BrandAssessment.validate(raw, comment: "").1.order == [field], "\(field)=\(bad)")
        }
        let (_, missing) = BrandAssessment.validate(["basic": "80", "carriers": "80"], comment: "")
        #expect(missing.order == ["effect"] && missing["effect"] == "请填写“创建成效”得分")
        // the comment is optional but limited
        let long = String(repeating: "评", count: 1001)
        #expect(BrandAssessment.validate(["basic": "80", "carriers": "80", "effect": "80"], comment: long).1.order == ["comment"])
    }

    @Test func r15_theTotalIsWeighted30_30_40ToOneDecimal() {
        // 80×30 + 90×30 + 70×40 = 2400 + 2700 + 2800 = 7900 → 79.0
        #expect(BrandAssessment.total([.basic: 80, .carriers: 90, .effect: 70], settings: standard) == 79.0)
        // 85.5×30 + 90×30 + 78.3×40 = 2565 + 2700 + 3132 = 8397 → 83.97 → 84.0
        #expect(BrandAssessment.total([.basic: 85.5, .carriers: 90, .effect: 78.3], settings: standard) == 84.0)
        // 88.8×30 + 77.7×30 + 66.6×40 = 2664 + 2331 + 2664 = 7659 → 76.59 → 76.6
        #expect(BrandAssessment.total([.basic: 88.8, .carriers: 77.7, .effect: 66.6], settings: standard) == 76.6)
        // a missing part counts 0: 100×30 + 100×30 = 6000 → 60.0
        #expect(BrandAssessment.total([.basic: 100, .carriers: 100], settings: standard) == 60.0)
    }
}}
