import Foundation
import Testing
import VaporTesting
import Fluent
import Domain
@testable import App

/// R-3…R-8 through the API: one branch from 支部报星 to a final 5★ through every step and
/// role, with a returned application, a rejected and an upheld complaint, out-of-turn and
/// out-of-scope refusals, and optimistic locking.
@Suite(.serialized) struct RatingWorkflowTests {
    static let pdf = Data("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".utf8)

    /// Answers every evidence criterion of the given stars as met with a short explanation.
    static func answers(_ stars: [Star]) -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for s in stars { for c in RatingScheme.nanyang.criteria(of: s) { out[c.key] = ["met": true, "text": "已落实，详见材料"] } }
        return out
    }

    struct Rating: Decodable { var id: String; var stage: String; var level: Int; var version: Int; var stars: [String]; var levelReasons: [String]; var consequences: [String] }

    func rating(_ res: TestingHTTPResponse) throws -> Rating { try JSONDecoder().decode(Rating.self, from: Data(buffer: res.body)) }

    /// Opens, fills and submits a branch's application as its secretary.
    func apply(_ t: TestApp, secretary: String, branch: String, stars: [Star]) async throws -> String {
        let tok = try await t.token(secretary)
        let b = try await t.org(branch)
        let open = try await t.api(.POST, "/api/v1/ratings", token: tok, raw: try Self.json(["branchId": b.idString, "year": 2026]))
        #expect(open.status == .created, "\(open.body.string)")
        let id = try rating(open).id
        let saved = try await t.api(.PUT, "/api/v1/ratings/\(id)/assessment", token: tok,
                                    raw: try Self.json(["requestedStars": stars.map(\.rawValue), "answers": Self.answers(stars)]))
        #expect(saved.status == .ok, "\(saved.body.string)")
        let sub = try await t.api(.POST, "/api/v1/ratings/\(id)/submit", token: tok, json: [String: Int]())
        #expect(sub.status == .ok, "\(sub.body.string)")
        return id
    }

    static func json(_ v: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: v), as: UTF8.self) }

    func decide(_ t: TestApp, _ tok: String, _ id: String, _ stars: [Star], expect status: HTTPStatus = .ok) async throws -> TestingHTTPResponse {
        let res = try await t.api(.POST, "/api/v1/ratings/\(id)/decide", token: tok, raw: try Self.json(["stars": stars.map(\.rawValue), "comment": "同意"]))
        #expect(res.status == status, "\(res.body.string)")
        return res
    }

    @Test func r4_oneBranchWalksEveryStepToAFinalFiveStars() async throws {
        try await withTestApp { t in
            let all = Star.allCases
            let (zhibu, jiguan, dangzu, gongwei, shiwei) = (try await t.token("zhibu"), try await t.token("jiguan"), try await t.token("dangzu"),
                                                            try await t.token("gongwei"), try await t.token("shiwei"))
            // given 办公室党支部 opens its 2026 application
            let b01 = try await t.org("ZR-B01")
            let open = try await t.api(.POST, "/api/v1/ratings", token: zhibu, raw: try Self.json(["branchId": b01.idString, "year": 2026]))
            #expect(open.status == .created)
            let id = try rating(open).id
            // the computed criteria are pre-filled: term not overdue (due 2026-12-05), secretary in post
            let detail = try await t.api(.GET, "/api/v1/ratings/\(id)", token: zhibu).json()
            let answers = try #require(detail["answers"] as? [String: [String: Any]])
            #expect(answers["strong.term"]?["computedMet"] as? Bool == true)
            #expect((answers["strong.term"]?["computedDetail"] as? String)?.contains("2026-12-05") == true)
            #expect(answers["strong.secretary"]?["computedDetail"] as? String == "书记：王建国")
            #expect(answers["strong.system"]?["computedMet"] == nil, "no organizational-life records yet: evidence")
            // R-3 in the form: the fifth star alone is refused on submit
            _ = try await t.api(.PUT, "/api/v1/ratings/\(id)/assessment", token: zhibu, raw: try Self.json(["requestedStars": ["strong"]]))
            let r3 = try await t.api(.POST, "/api/v1/ratings/\(id)/submit", token: zhibu, json: [String: Int]())
            #expect(r3.status == .unprocessableEntity)
            #expect(r3.errorFields["stars"]?.contains("支部过硬星须在已获其它四颗星的基础上评定") == true)
            // evidence: a PDF is accepted, a file that only claims to be one is not
            let up = try await t.api(.POST, "/api/v1/ratings/\(id)/attachments?criterion=business.rank&filename=%E6%8E%92%E5%90%8D.pdf", token: zhibu,
                                     raw: String(decoding: Self.pdf, as: UTF8.self), contentType: .binary)
            #expect(up.status == .created, "\(up.body.string)")
            let fake = try await t.api(.POST, "/api/v1/ratings/\(id)/attachments?criterion=business.rank&filename=x.pdf", token: zhibu,
                                       raw: "<script>alert(1)</script>", contentType: .binary)
            #expect(fake.status == .unprocessableEntity)
            #expect(fake.errorFields["file"]?.contains("PDF、JPG 或 PNG") == true)
            // when the branch applies for five stars with every criterion answered
            let saved = try await t.api(.PUT, "/api/v1/ratings/\(id)/assessment", token: zhibu,
                                        raw: try Self.json(["requestedStars": all.map(\.rawValue), "answers": Self.answers(all)]))
            #expect(saved.status == .ok)
            #expect(try await t.api(.POST, "/api/v1/ratings/\(id)/submit", token: zhibu, json: [String: Int]()).status == .ok)
            // out of turn: the party group cannot decide before the organ committee proposes (403, logged)
            let early = try await decide(t, dangzu, id, all, expect: .forbidden)
            #expect(early.errorMessage.contains("机关党委"))
            // out of scope: the other unit's officer
            _ = try await decide(t, try await t.token("zhongxin"), id, all, expect: .forbidden)
            // the organ committee returns it with a reason; a return without one is refused
            let noReason = try await t.api(.POST, "/api/v1/ratings/\(id)/return", token: jiguan, json: ["reason": " "])
            #expect(noReason.status == .unprocessableEntity)
            let back = try await t.api(.POST, "/api/v1/ratings/\(id)/return", token: jiguan, json: ["reason": "请补充“第一议题”学习记录"])
            #expect(try rating(back).stage == "draft")
            // the secretary re-submits
            #expect(try await t.api(.POST, "/api/v1/ratings/\(id)/submit", token: zhibu, json: [String: Int]()).status == .ok)
            // the secretary cannot review their own application
            _ = try await decide(t, zhibu, id, all, expect: .forbidden)
            // 单位审星: organ committee proposes, party group recommends 5
            #expect(try rating(try await decide(t, jiguan, id, all)).stage == "unitProposed")
            #expect(try rating(try await decide(t, dangzu, id, all)).stage == "unitRecommended")
            // 县级核星 is the 工委's, not the city's
            _ = try await decide(t, shiwei, id, all, expect: .forbidden)
            // a reviewer may not add a star (none to add here) nor break R-3
            let bad = try await decide(t, gongwei, id, [.political, .business, .service, .strong], expect: .unprocessableEntity)
            #expect(bad.errorFields["stars"]?.contains("清廉高效星") == true)
            #expect(try rating(try await decide(t, gongwei, id, all)).stage == "countyRecommended")
            // 市级验星 is the city's
            _ = try await decide(t, gongwei, id, all, expect: .forbidden)
            #expect(try rating(try await decide(t, shiwei, id, all)).stage == "candidate")
            // a finished step cannot be repeated: 409
            _ = try await decide(t, shiwei, id, all, expect: .conflict)

            // another branch becomes a 4-star candidate
            let id2 = try await apply(t, secretary: "zhibu2", branch: "ZR-B02", stars: Array(Star.firstFour).sorted())
            _ = try await decide(t, jiguan, id2, Array(Star.firstFour))
            _ = try await decide(t, dangzu, id2, Array(Star.firstFour))
            #expect(try rating(try await decide(t, gongwei, id2, Array(Star.firstFour))).stage == "candidate")

            // 公示亮星: a unit officer may not open a notice; the 工委 does, from Mon 11-23 for 5 working days
            let gw = try await t.org("JZ-SZGW")
            let notice: [String: Any] = ["title": "2026年度四星、五星党支部候选对象公示", "orgId": gw.idString, "year": 2026, "startDate": "2026-11-23"]
            #expect(try await t.api(.POST, "/api/v1/notices", token: jiguan, raw: try Self.json(notice)).status == .forbidden)
            let short = try await t.api(.POST, "/api/v1/notices", token: gongwei, raw: try Self.json(notice.merging(["workingDays": 3]) { $1 }))
            #expect(short.status == .unprocessableEntity)
            #expect(short.errorFields["workingDays"] == "公示期不少于5个工作日")
            let created = try await t.api(.POST, "/api/v1/notices", token: gongwei, raw: try Self.json(notice))
            #expect(created.status == .created, "\(created.body.string)")
            let n = try created.json()
            let nid = try #require(n["id"] as? String)
            #expect(n["endDate"] as? String == "2026-11-27")
            #expect((n["candidates"] as? [Any])?.count == 2)
            // before it starts, no complaints
            let tooEarly = try await t.api(.POST, "/api/v1/notices/\(nid)/complaints", raw: try Self.json(["ratingId": id, "contact": "13900000000", "body": "反映一个具体问题，请核查。"]))
            #expect(tooEarly.status == .conflict)
            // during the notice anyone may complain without logging in
            t.app.clock = .fixed(Day(iso: "2026-11-24")!)
            let c1 = try await t.api(.POST, "/api/v1/notices/\(nid)/complaints", raw: try Self.json(["ratingId": id, "contact": "13900000000", "body": "该支部学习记录存在补记情况，请核查。"]))
            #expect(c1.status == .created, "\(c1.body.string)")
            let c2 = try await t.api(.POST, "/api/v1/notices/\(nid)/complaints", raw: try Self.json(["ratingId": id2, "name": "张三", "contact": "zhang@example.com", "body": "该支部窗口服务态度差，多次被投诉。"]))
            #expect(c2.status == .created)
            let bad400 = try await t.api(.POST, "/api/v1/notices/\(nid)/complaints", raw: try Self.json(["ratingId": id2, "contact": "", "body": "短"]))
            #expect(bad400.status == .unprocessableEntity)
            #expect(bad400.errorFields["contact"] == "联系方式不能为空")
            // the notice cannot be closed early
            let early2 = try await t.api(.POST, "/api/v1/notices/\(nid)/close", token: gongwei)
            #expect(early2.status == .conflict)
            #expect(early2.errorMessage.contains("期满前不能结束公示"))
            // complaints are verified by an officer: one rejected, one upheld
            let cid1 = try #require(try c1.json()["id"] as? String), cid2 = try #require(try c2.json()["id"] as? String)
            #expect(try await t.api(.POST, "/api/v1/complaints/\(cid1)/verify", token: jiguan, raw: try Self.json(["upheld": false, "note": "x"])).status == .forbidden)
            let rej = try await t.api(.POST, "/api/v1/complaints/\(cid1)/verify", token: gongwei, raw: try Self.json(["upheld": false, "note": "经查阅原始记录，反映情况不属实"]))
            #expect(rej.status == .ok)
            let up2 = try await t.api(.POST, "/api/v1/complaints/\(cid2)/verify", token: gongwei, raw: try Self.json(["upheld": true, "note": "经核实，窗口服务问题属实"]))
            #expect(up2.status == .ok)
            #expect(try await t.api(.POST, "/api/v1/complaints/\(cid2)/verify", token: gongwei, raw: try Self.json(["upheld": true, "note": "again"])).status == .conflict)
            let dq = try rating(try await t.api(.GET, "/api/v1/ratings/\(id2)", token: gongwei))
            #expect(dq.stage == "disqualified")
            #expect(dq.level == 0)
            // the upheld complaint made an accountability record
            let recs = try await t.api(.GET, "/api/v1/ratings/rectifications?year=2026", token: gongwei).body.string
            #expect(recs.contains("accountability") && recs.contains("国土空间规划科党支部"))
            // still in notice: not final yet
            #expect(try rating(try await t.api(.GET, "/api/v1/ratings/\(id)", token: zhibu)).stage == "inNotice")
            // after the last day the notice closes and the candidate is final at 5 stars
            t.app.clock = .fixed(Day(iso: "2026-11-28")!)
            let closed = try await t.api(.POST, "/api/v1/notices/\(nid)/close", token: gongwei)
            #expect(closed.status == .ok, "\(closed.body.string)")
            let fin = try rating(try await t.api(.GET, "/api/v1/ratings/\(id)", token: zhibu))
            #expect(fin.stage == "final")
            #expect(fin.level == 5)
            #expect(fin.consequences.contains("由市委组织部通报表扬"))
            // every step is recorded with decider, levels and comment
            let steps = try #require(try await t.api(.GET, "/api/v1/ratings/\(id)", token: zhibu).json()["steps"] as? [[String: Any]])
            #expect(steps.map { $0["action"] as? String ?? "" } == ["submit", "return", "submit", "propose", "decide", "certify", "verify", "notice", "notice_end"])
            #expect(steps[1]["comment"] as? String == "请补充“第一议题”学习记录")
            #expect((steps[6]["decider"] as? String)?.contains("shiwei") == true)
            // refusals were logged
            #expect(try await t.auditCount(action: "denied") >= 5)
        }
    }

    @Test func r4_twoOfficersDecidingTheSameStepAtOnceOnlyOneSucceeds() async throws {
        try await withTestApp { t in
            // given a submitted application
            let id = try await apply(t, secretary: "zhibu", branch: "ZR-B01", stars: [.political, .business, .service])
            let jiguan = try await t.token("jiguan")
            // a second organ-committee officer
            _ = try await UserService.create(["username": "jiguan2", "displayName": "赵敏", "password": TestApp.password, "role": "unitOfficer", "org": "ZR-JGDW"],
                                             ctx: Commands.ctx(t.app))
            let jiguan2 = try await t.token("jiguan2")
            // when both decide at once
            async let a = t.api(.POST, "/api/v1/ratings/\(id)/decide", token: jiguan, raw: try Self.json(["stars": ["political", "business", "service"], "version": 3]))
            async let b = t.api(.POST, "/api/v1/ratings/\(id)/decide", token: jiguan2, raw: try Self.json(["stars": ["political", "business"], "version": 3]))
            let statuses = [try await a.status, try await b.status]
            // then exactly one succeeds and the other gets 409; one step row only
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 1, "\(statuses)")
            let r = try #require(try await RatingModel.find(UUID(uuidString: id), on: t.db))
            #expect(try await RatingStepModel.query(on: t.db).filter(\.$ratingID == r.id!).filter(\.$action == "propose").count() == 1)
            // and a stale copy cannot be written over the newer one
            let stale = try #require(try await RatingModel.find(r.id, on: t.db))
            stale.version = 1
            await #expect(throws: AppError.self) { try await RatingService.guardedUpdate(stale, on: t.db) }
        }
    }

    @Test func r6_marketImportCapsAndVetoesWithReasons() async throws {
        try await withTestApp { t in
            let gongwei = try await t.token("gongwei")
            // given the 2026 ranking: 登记窗口 (BDC-B01) in the last 10, 档案室 (BDC-B05) last below 75
            var csv = "科室/站所,所属党支部,得分,排名,参评总数\n"
            for i in 1...40 { csv += "其他单位科室\(i),,\(99 - Double(i) * 0.3),\(i),42\n" }
            csv += "登记窗口,BDC-B01,80,41,42\n档案室,BDC-B05,70.5,42,42\n"
            let res = try await t.api(.POST, "/api/v1/ratings/market/import?year=2026", token: gongwei, raw: csv, contentType: .plainText)
            #expect(res.status == .ok, "\(res.body.string)")
            let sum = try res.json()
            #expect(sum["capped"] as? Int == 1 && sum["vetoed"] as? Int == 1)
            // then the veto opened a rectification with a deadline
            let recs = try await ProblemModel.query(on: t.db).filter(\.$source == "market_veto").all()
            #expect(recs.count == 1)
            #expect(recs.first?.deadline == "2027-02-19")
            // an unknown branch makes the whole import fail, nothing kept
            let bad = try await t.api(.POST, "/api/v1/ratings/market/import?year=2025", token: gongwei, raw: "科室/站所,所属党支部,得分,排名\nA,NOPE,80,1\nB,,abc,2\n", contentType: .plainText)
            #expect(bad.status == .unprocessableEntity)
            #expect(try await MarketScoreModel.query(on: t.db).filter(\.$year == 2025).count() == 0)
            // a unit officer may not import
            #expect(try await t.api(.POST, "/api/v1/ratings/market/import?year=2026", token: try await t.token("zhongxin"), raw: csv, contentType: .plainText).status == .forbidden)
            // 2025 results show the cap reason wherever the level is shown
            let results = try await t.api(.GET, "/api/v1/ratings/results?year=2026", token: gongwei).body.string
            #expect(results.contains("一票否决"))
        }
    }

    @Test func ratingApiAnswersBadInputWithTheFieldAndNothingWritten() async throws {
        try await withTestApp { t in
            let sec = try await t.token("zhibu")
            let gongwei = try await t.token("gongwei")
            let b = try await t.org("ZR-B01")
            // a year out of range names the field
            let y = try await t.api(.POST, "/api/v1/ratings", token: sec, raw: try Self.json(["branchId": b.idString, "year": 1900]))
            #expect(y.status == .unprocessableEntity)
            #expect(y.errorFields["year"] != nil)
            let sc = try await t.api(.POST, "/api/v1/ratings/spot-check", token: gongwei, raw: try Self.json(["year": 3000]))
            #expect(sc.status == .unprocessableEntity)
            // an unknown org filter is 404, not everything
            #expect(try await t.api(.GET, "/api/v1/ratings?orgId=NOPE", token: gongwei).status == .notFound)
            // a malformed submit body is refused and the draft stays a draft
            let open = try await t.api(.POST, "/api/v1/ratings", token: sec, raw: try Self.json(["branchId": b.idString, "year": 2026]))
            let id = try rating(open).id
            let sub = try await t.api(.POST, "/api/v1/ratings/\(id)/submit", token: sec, raw: "{\"version\": \"x\"}")
            #expect(sub.status == .badRequest)
            #expect(try await RatingModel.find(UUID(uuidString: id), on: t.db)?.stage == "draft")
            // a unit officer is refused the market import before the year is even looked at
            #expect(try await t.api(.POST, "/api/v1/ratings/market/import?year=abc", token: try await t.token("zhongxin"), raw: "x", contentType: .plainText).status == .forbidden)
        }
    }

    @Test func r7_resultsShowTheModelOrganVerdictWithItsNumbers() async throws {
        try await withTestApp { t in
            // given the demo's finished 2025 year
            let res = try await t.api(.GET, "/api/v1/ratings/results?year=2025", token: try await t.token("gongwei"))
            #expect(res.status == .ok)
            let units = try #require(try res.json()["units"] as? [[String: Any]])
            let zr = try #require(units.first { ($0["unitName"] as? String)?.contains("自然资源和规划局") == true })
            let bdc = try #require(units.first { ($0["unitName"] as? String)?.contains("不动产") == true })
            // then 自然资源局 (1×5★, 1×4★, 6×3★, 1×2★) is a model organ; 不动产中心 (2 of 5 at ≥3★) may not be awarded
            #expect(zr["isModel"] as? Bool == true)
            #expect((zr["conditions"] as? [[String: Any]])?[1]["detail"] as? String == "8/9个，占88.9%")
            #expect(bdc["isModel"] as? Bool == false)
            #expect(bdc["awardable"] as? Bool == false)
            // R-8 per branch: the one-star branch gets the interview
            let rows = try #require(bdc["rows"] as? [[String: Any]])
            let one = try #require(rows.first { $0["level"] as? Int == 1 })
            #expect((one["consequences"] as? [String])?.contains("由上级党组织约谈党支部书记") == true)
            // and the export lists every step
            let csv = try await t.api(.GET, "/api/v1/ratings/export.csv?year=2025", token: try await t.token("gongwei"))
            #expect(csv.status == .ok)
            #expect(csv.body.string.contains("办公室党支部"))
            #expect(zr["pending"] as? Int == 0, "a finished year has nothing pending")
            // while 2026 runs, branches without an application are pending, not 0★ results with consequences
            let now = try #require(try await t.api(.GET, "/api/v1/ratings/results?year=2026", token: try await t.token("gongwei")).json()["units"] as? [[String: Any]])
            let zr26 = try #require(now.first { ($0["unitName"] as? String)?.contains("自然资源和规划局") == true })
            #expect(zr26["pending"] as? Int == (zr26["rows"] as? [Any])?.count)
            #expect((zr26["rows"] as? [[String: Any]])?.allSatisfy { ($0["consequences"] as? [String])?.isEmpty == true } == true)
        }
    }

    @Test func r5_starLedgerAddsAndRemovesStarsUnderR3() async throws {
        try await withTestApp { t in
            let gongwei = try await t.token("gongwei")
            let r = try #require(try await RatingModel.query(on: t.db).filter(\.$year == 2025).filter(\.$branchName == "耕地保护监督科党支部").first())
            // given a 3-star branch: adding 支部过硬星 breaks R-3
            let r3 = try await t.api(.POST, "/api/v1/ratings/\(r.idString)/ledger", token: gongwei, json: ["change": "add", "star": "strong", "date": "2026-03-01", "reason": "创新经验"])
            #expect(r3.status == .unprocessableEntity)
            // adding 清廉高效星 works, with date, reason and decider
            let ok = try await t.api(.POST, "/api/v1/ratings/\(r.idString)/ledger", token: gongwei, json: ["change": "add", "star": "integrity", "date": "2026-03-01", "reason": "清廉机关建设成效突出"])
            #expect(ok.status == .ok, "\(ok.body.string)")
            #expect(try rating(ok).level == 4)
            // a unit officer may not adjust; the secretary neither
            #expect(try await t.api(.POST, "/api/v1/ratings/\(r.idString)/ledger", token: try await t.token("jiguan"), json: ["change": "remove", "star": "integrity", "date": "2026-03-02", "reason": "x"]).status == .forbidden)
            let ledger = try await t.api(.GET, "/api/v1/ratings/\(r.idString)/ledger", token: gongwei).body.string
            #expect(ledger.contains("清廉机关建设成效突出"))
        }
    }
}


/// The dashboard's rating figures (R-4's chain: who acts next) come from two columns per rating;
/// they must be what the ratings list and its "waiting for me" filter give.
@Suite struct RatingSummaryTests {
    @Test func r4_theDashboardsStageCountsAndWaitingAreTheListsOwn() async throws {
        try await withTestApp { t in
            let admin = try await t.token("admin")
            let branches = try await OrgModel.query(on: t.db).filter(\.$type == OrgType.branch.rawValue).sort(\.$code).all()
            var opened = 0
            for b in branches {
                let res = try await t.api(.POST, "/api/v1/ratings", token: admin, raw: try RatingWorkflowTests.json(["branchId": b.idString, "year": 2026]))
                if res.status == .created { opened += 1 }
            }
            #expect(opened >= 8, "ratings opened for the demo's branches: \(opened)")
            // every stage of the chain, spread over the branches
            let ratings = try await RatingModel.query(on: t.db).sort(\.$branchPath).all()
            for (i, r) in ratings.enumerated() {
                r.stage = RatingStage.allCases[i % RatingStage.allCases.count].rawValue
                try await r.save(on: t.db)
            }
            var waitingSeen: [String: Int] = [:]
            for username in ["admin", "shiwei", "gongwei", "dangzu", "jiguan", "zhongxin", "zhibu", "zhibu2"] {
                let user = try #require(try await UserModel.query(on: t.db).filter(\.$username == username).first())
                let current = try #require(try await CurrentUser.load(user.id!, on: t.db))
                let ctx = Ctx(db: t.db, user: current, actor: Audit.Actor(id: nil, name: username, requestID: nil, ip: nil), now: t.app.clock.now())
                let all = try await RatingService.list(ctx: ctx, filter: .init(year: 2026, stage: nil, waiting: false, orgID: nil))
                let mine = try await RatingService.list(ctx: ctx, filter: .init(year: 2026, stage: nil, waiting: true, orgID: nil))
                let summary = try await RatingService.summary(ctx: ctx, year: 2026)
                #expect(summary.waiting == mine.count, "\(username)")
                waitingSeen[username] = mine.count
                #expect(summary.byStage == Dictionary(grouping: all, by: \.stageValue).mapValues(\.count), "\(username)")
                // the ratings page's order, read as plain rows, is the list's own (every filter)
                let unit = try await t.org("ZR-JGDW")
                for f in [RatingService.Filter(year: 2026, stage: nil, waiting: false, orgID: nil), .init(year: 2026, stage: nil, waiting: true, orgID: nil),
                          .init(year: 2026, stage: RatingStage.submitted.rawValue, waiting: false, orgID: nil), .init(year: 2026, stage: nil, waiting: false, orgID: unit.code),
                          .init(year: 2025, stage: nil, waiting: false, orgID: nil)] {
                    #expect(try await RatingService.orderedIDs(ctx: ctx, filter: f) == RatingService.list(ctx: ctx, filter: f).compactMap(\.id), "\(username) \(f)")
                }
            }
            // not a vacuous comparison: several reviewers have ratings waiting, at different steps
            #expect(waitingSeen.values.filter { $0 > 0 }.count >= 3, "\(waitingSeen)")
        }
    }
}
