import Testing
@testable import Domain

/// DOMAIN §2: five-star rating rules and the self-assessment.
@Suite struct StarRatingTests {
    let scheme = RatingScheme.nanyang
    let all = StarSet(Set(Star.allCases))
    let four = StarSet(Star.firstFour)

    // MARK: R-3

    @Test func r3_fifthStarRequiresTheOtherFour() {
        // given a set with 支部过硬星 but without 清廉高效星
        let missingOne = StarSet([.political, .business, .service, .strong])
        // then it is refused, naming what is missing; with all four it is allowed
        #expect(StarRating.r3Violation(missingOne)?.contains("清廉高效星") == true)
        #expect(StarRating.r3Violation(all) == nil)
        #expect(StarRating.r3Violation(four) == nil)
        #expect(StarRating.r3Violation(StarSet([.strong])) != nil)
    }

    @Test func r3_chainRefusesToGrantTheFifthStarWithoutTheOtherFour() {
        // given a 5-star application at the county step
        let s = RatingState(stage: .unitRecommended, stars: all)
        // when the reviewer keeps 支部过硬星 but drops 服务有力星
        let r = s.apply(.decide(all.removing(.service)), chain: scheme.chain)
        // then R-3 refuses the decision
        guard case .failure(.invalid(let e)) = r else { Issue.record("expected invalid, got \(r)"); return }
        #expect(e["stars"]?.contains("服务有力星") == true)
        // and submitting such a set is refused as well
        guard case .failure = RatingState(stage: .draft, stars: StarSet()).apply(.submit(StarSet([.strong, .political])), chain: scheme.chain) else {
            Issue.record("submit should fail"); return
        }
    }

    @Test func r3_selfAssessmentExplainsTheMissingStars() {
        let facts = BranchFacts(termOverdue: false, secretary: "王建国", market: .clear)
        let e = SelfAssessment.validate(requested: StarSet([.political, .strong]), answers: [:], scheme: scheme, facts: facts)
        #expect(e["stars"]?.contains("支部过硬星须在已获其它四颗星的基础上评定") == true)
        #expect(e["criteria.strong.otherFour"]?.contains("尚缺") == true)
    }

    @Test func r3_cappingNeverKeepsTheFifthStarAlone() {
        #expect(all.capped(at: 2) == StarSet([.political, .business]))
        #expect(all.capped(at: 4) == four)
        #expect(all.capped(at: 0).level == 0)
    }

    // MARK: R-6

    @Test func r6_sectionInTheLastTenCapsAtTwoStarsAndLosesAwards() {
        // given a section ranked 95 of 100
        let v = StarRating.market([.init(section: "登记窗口", rank: 95, total: 100, score: 82)], thresholds: scheme.thresholds)
        // then at most 2 stars, no awards, with the reason
        #expect(v.cap == 2)
        #expect(v.losesAwards)
        #expect(v.reason?.contains("后10名") == true)
        let eff = StarRating.effective(four, market: v)
        #expect(eff.level == 2)
        #expect(eff.reasons.count == 1)
        // and a 3-star application is refused at submission
        let facts = BranchFacts(termOverdue: false, secretary: "x", market: v)
        #expect(SelfAssessment.validate(requested: StarSet([.political, .business, .service]), answers: [:], scheme: scheme, facts: facts)["stars"]?.contains("最多申报2星") == true)
    }

    @Test func r6_rankNinetyIsOutsideTheLastTen() {
        #expect(StarRating.market([.init(section: "A", rank: 90, total: 100, score: 70)], thresholds: scheme.thresholds) == .clear)
        #expect(StarRating.market([.init(section: "A", rank: 91, total: 100, score: 90)], thresholds: scheme.thresholds).cap == 2)
    }

    @Test func r6_lastPlaceBelow75IsVetoed() {
        // given the last section with 74.5 points
        let v = StarRating.market([.init(section: "测绘科", rank: 100, total: 100, score: 74.5)], thresholds: scheme.thresholds)
        // then vetoed: no stars at all
        #expect(v.isVeto)
        #expect(StarRating.effective(four, market: v).level == 0)
        #expect(v.reason?.contains("一票否决") == true)
        // last place with 75 or more is only capped
        let w = StarRating.market([.init(section: "测绘科", rank: 100, total: 100, score: 75)], thresholds: scheme.thresholds)
        #expect(!w.isVeto)
        #expect(w.cap == 2)
    }

    @Test func r6_worstOfSeveralSectionsCounts() {
        let v = StarRating.market([.init(section: "A", rank: 3, total: 50, score: 95), .init(section: "B", rank: 50, total: 50, score: 60)], thresholds: scheme.thresholds)
        #expect(v.isVeto)
    }

    // MARK: R-7

    static func levels(_ spec: [(count: Int, level: Int)]) -> [Int] { spec.flatMap { Array(repeating: $0.level, count: $0.count) } }

    @Test func r7_oneFiveSevenThreeTwoTwoIsAModelOrgan() {
        // given 10 branches: 1×5★, 7×3★, 2×2★
        let v = ModelOrganVerdict(levels: Self.levels([(1, 5), (7, 3), (2, 2)]), thresholds: scheme.thresholds)
        // then all three conditions hold (80% at ≥3, none below 2) and it may be awarded
        #expect(v.conditions.map(\.met) == [true, true, true])
        #expect(v.isModel)
        #expect(v.awardable)
        #expect(v.conditions[1].detail == "8/10个，占80%")
    }

    @Test func r7_noFiveStarBranchIsNotAModelOrgan() {
        let v = ModelOrganVerdict(levels: Self.levels([(8, 4), (2, 3)]), thresholds: scheme.thresholds)
        #expect(!v.isModel)
        #expect(v.conditions[0].met == false)
        #expect(v.awardable)
    }

    @Test func r7_oneOneStarBranchIsNotAModelOrgan() {
        let v = ModelOrganVerdict(levels: Self.levels([(1, 5), (8, 3), (1, 1)]), thresholds: scheme.thresholds)
        #expect(!v.isModel)
        #expect(v.conditions[2].met == false)
        #expect(v.conditions[2].detail == "1个")
    }

    @Test func r7_fourOfTenAtThreeStarsMayNotBeAwarded() {
        let v = ModelOrganVerdict(levels: Self.levels([(1, 5), (3, 3), (6, 2)]), thresholds: scheme.thresholds)
        #expect(!v.isModel)
        #expect(!v.awardable)
        #expect(v.awardableDetail.contains("不足50%"))
        // exactly half is still awardable
        #expect(ModelOrganVerdict(levels: Self.levels([(5, 3), (5, 2)]), thresholds: scheme.thresholds).awardable)
    }

    @Test func r7_inclusiveReadingOfBelowTwoIsASetting() {
        // given the same 1×5★ + 7×3★ + 2×2★ unit, read "二星以下" as "2 stars or fewer"
        var t = scheme.thresholds
        t.lowInclusive = true
        let v = ModelOrganVerdict(levels: Self.levels([(1, 5), (7, 3), (2, 2)]), thresholds: t)
        // then the two 2-star branches break the third condition
        #expect(!v.isModel)
        #expect(v.conditions[2].label == "没有2星及以下的支部")
        #expect(scheme.thresholds.isLow(1) && !scheme.thresholds.isLow(2))
        #expect(t.isLow(2))
    }

    // MARK: R-8

    @Test func r8_consequencesPerLevel() {
        func c(_ l: Int) -> [String] { StarRating.consequences(level: l, market: .clear, scheme: scheme) }
        #expect(c(5).contains("由市委组织部通报表扬") && c(5).contains("年度考核优秀比例增加10%"))
        #expect(c(4).contains("由市直工委通报表扬") && c(4).contains("年度考核优秀比例增加5%"))
        #expect(c(3).isEmpty)
        #expect(c(2) == ["年度考核优秀比例下降10%"])
        #expect(c(1).contains("由上级党组织约谈党支部书记") && c(1).contains("限期整顿（90天）") && c(1).contains("当年不得评先评优、不得推荐干部"))
        #expect(c(0) == ["当年不得评先评优、不得推荐干部"])
        // under the inclusive reading, 2 stars also bar awards
        var s = scheme; s.thresholds.lowInclusive = true
        #expect(StarRating.consequences(level: 2, market: .clear, scheme: s).contains("当年不得评先评优、不得推荐干部"))
        // R-6 bottom-10 loses award eligibility at any level
        #expect(StarRating.consequences(level: 2, market: .capped(cap: 2, reason: "x"), scheme: scheme).contains("当年取消评先评优资格（市场主体评）"))
    }

    // MARK: self-assessment and computed criteria

    @Test func computedCriteriaComeFromRecords() {
        let overdue = BranchFacts(termOverdue: true, termDue: Day(iso: "2026-05-16"), secretary: nil, market: nil)
        #expect(ComputedCheck.termNotOverdue.evaluate(overdue, requested: all) == CheckOutcome(met: false, detail: "换届已超期（本届应于2026-05-16换届）"))
        #expect(ComputedCheck.secretaryInPost.evaluate(overdue, requested: all).met == false)
        #expect(ComputedCheck.marketNotBottom.evaluate(overdue, requested: all).met == nil)
        // no organizational-life records yet: the item asks for evidence
        #expect(ComputedCheck.meetingsCompliant.evaluate(overdue, requested: all).met == nil)
        let e = SelfAssessment.validate(requested: all, answers: [:], scheme: scheme, facts: overdue)
        #expect(e["criteria.strong.term"]?.contains("换届已超期") == true)
        #expect(e["criteria.strong.secretary"]?.contains("书记空缺") == true)
        #expect(e["criteria.strong.system"] == "申报支部过硬星须确认“未出现组织生活等制度落实不到位”")
    }

    @Test func aCompleteApplicationPasses() {
        let facts = BranchFacts(termOverdue: false, secretary: "王建国", market: .clear)
        var answers: [String: CriterionAnswer] = [:]
        for c in scheme.allCriteria where c.check == nil || c.check == .meetingsCompliant { answers[c.key] = CriterionAnswer(met: true, text: "已落实") }
        #expect(SelfAssessment.validate(requested: all, answers: answers, scheme: scheme, facts: facts).isEmpty)
        // an answer without explanation or evidence is refused
        answers["business.rank"] = CriterionAnswer(met: true)
        #expect(SelfAssessment.validate(requested: all, answers: answers, scheme: scheme, facts: facts)["criteria.business.rank"] == "请填写说明或上传佐证材料")
        // an attachment alone is enough
        answers["business.rank"] = CriterionAnswer(met: true, attachments: ["a1"])
        #expect(SelfAssessment.validate(requested: all, answers: answers, scheme: scheme, facts: facts).isEmpty)
    }

    @Test func builtInSchemeIsValidAndEditsAreChecked() {
        #expect(scheme.validate().isEmpty)
        #expect(scheme.allCriteria.count == 18)
        var s = scheme
        s.chain.noticeWorkingDays = 3
        s.thresholds.modelOrganSharePercent = 0
        let e = s.validate()
        #expect(e["noticeWorkingDays"]?.contains("不少于5个工作日") == true)
        #expect(e["modelOrganSharePercent"] != nil)
        var q = scheme
        q.consequences.append(LevelConsequence(level: 7))
        q.consequences.append(q.consequences[0])
        q.modelOrgan.quotaDeltaPercent = 500
        let qe = q.validate()
        #expect(qe["consequences"]?.contains("0到5") == true)
        #expect(qe["consequences.\(q.consequences[0].level)"]?.contains("重复") == true)
        #expect(qe["modelOrgan.quotaDeltaPercent"] != nil)
    }
}
