import Vapor
import Fluent
import Domain

/// Demo brands in every state of R-9, through the services on the days they happened: the
/// bureau's "江美自然" series named two years ago (its re-review of last year missing), a branch
/// brand named last year with goals, a pair and joint activities, a centre's brand in
/// rectification past its deadline, a candidate under public review with comments, one in
/// preliminary selection with an expert's score and survey answers, one submitted, one
/// returned, one cultivating, a draft and a member's 燃点; last year's R-15 scores published.
extension DemoData {
    static let demoLogo = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAADAAAAAwCAIAAADYYG7QAAAAv0lEQVR42u3ZwRWDMAwDUI3QSXhs06E6UTdgFLagFw48CsEJtWSo/TTAvyWWMQUb3Ac0PLpCeKCy47wMfpQ2FrwptSzQNEYTaBQjC3xN2QSJpmC6Aoij2TNBqNk0xQbxNd+mwCCVZmVKkBGk1SxNM2h89/IkKEEJ+m9Q93rKs346ImgSVAUSmnZ/jOFAEtPB1hEORDZZV2mV5joggqmlsOJrTJUejVJRetI0dbWwN6WxOPejnD0t/NZxx+OL03wA/DFZwR5vTlkAAAAASUVORK5CYII=")!

    static func seedBrands(_ app: Application, ctx base: Ctx, byCode: [String: OrgModel]) async throws {
        let db = app.db, y = base.today.year
        func at(_ iso: String, _ c: Ctx = base) -> Ctx {
            Ctx(db: db, user: c.user, actor: c.actor, now: AppClock.date(of: Day(iso: iso)!, hour: 10))
        }
        guard let expertUser = try await UserModel.query(on: db).filter(\.$username == "zhuanjia").first(),
              let expert = try await CurrentUser.load(expertUser.id!, on: db) else { return }
        let expertActor = Audit.Actor(id: expertUser.id, name: expertUser.displayName, requestID: nil, ip: nil)
        func asExpert(_ iso: String) -> Ctx { Ctx(db: db, user: expert, actor: expertActor, now: AppClock.date(of: Day(iso: iso)!, hour: 10)) }

        func brand(_ code: String, _ name: String, _ theme: String, _ connotation: String, on day: String, member: String = "", parent: BrandModel? = nil) async throws -> BrandModel {
            let org = byCode[code]!
            let i = BrandService.Input(orgRef: org.idString, memberRef: member, parentRef: parent?.idString ?? "", name: name, theme: theme, connotation: connotation,
                                       philosophy: "党建引领、融合发展、服务为民", carriers: "党员先锋岗、服务窗口、主题党日、“三会一课”",
                                       longPlan: "用三年时间把品牌打造成叫得响、有特色的机关党建品牌", yearPlan: "每季度开展一次品牌主题活动，每月一次进社区服务",
                                       achievements: "群众满意度持续提升，形成可复制的工作法")
            let b = try await BrandService.create(i, ctx: at(day))
            _ = try await BrandMedia.setLogo(b, data: demoLogo, ctx: at(day))
            return b
        }
        func go(_ b: BrandModel, _ e: BrandEvent, _ day: String) async throws { _ = try await BrandService.transition(b, e, version: nil, ctx: at(day)) }
        func toPreliminary(_ b: BrandModel, from y0: Int, month m: Int) async throws {
            try await go(b, .cultivate, "\(y0)-\(pad(m))-05")
            try await go(b, .submit(viaOrganCommittee: true), "\(y0)-\(pad(m + 1))-10")
            if b.stateValue == .submitted { try await go(b, .forward(opinion: "品牌定位准确、特色鲜明，同意推荐"), "\(y0)-\(pad(m + 1))-20") }
            try await go(b, .accept, "\(y0)-\(pad(m + 2))-01")
            _ = try await BrandSelectionService.assignExpert(b, userRef: "zhuanjia", ctx: at("\(y0)-\(pad(m + 2))-02"))
            _ = try await BrandSelectionService.score(b, raw: ["name": "90", "philosophy": "86", "mechanism": "84", "carriers": "88", "effect": "87"],
                                                      comment: "名称凝练、载体丰富，建议进一步总结可复制的工作法", ctx: asExpert("\(y0)-\(pad(m + 2))-10"))
        }
        func comment(_ b: BrandModel, _ ch: String, _ r: Int, _ text: String, _ who: String, approve: Bool?, _ day: String) async throws {
            let c = try await BrandSelectionService.comment(try await reload(b, db), channel: ch, rating: String(r), body: text, author: who, ip: "192.0.2.\(r)", user: nil, on: db, now: AppClock.date(of: Day(iso: day)!, hour: 10))
            if let a = approve { _ = try await BrandSelectionService.moderate(c, approve: a, ctx: at(day)) }
        }

        // two years ago: the bureau's series and the centre's brand, named together
        let y2 = y - 2, y1 = y - 1
        let series = try await brand("ZR-JGDW", "江美自然", "初心永向党·自然当先锋", "用党旗红画好同心圆，用生态绿泼墨山水画，用赤诚金融入民心", on: "\(y2)-02-20")
        let centre = try await brand("BDC-DW", "登记为民", "一次办好·登记为民", "以“好办事、办好事、办事好”践行为民承诺", on: "\(y2)-02-25")
        try await toPreliminary(series, from: y2, month: 3)
        try await toPreliminary(centre, from: y2, month: 3)
        _ = try await BrandSelectionService.shortlist(year: y2, rule: .quota(2), ctx: at("\(y2)-06-10"))
        try await comment(series, "web", 5, "自然资源系统的品牌很有特色，服务窗口的变化看得见。", "市民", approve: true, "\(y2)-06-15")
        try await comment(centre, "mobile", 5, "不动产登记一次办好，点赞！", "企业办事员", approve: true, "\(y2)-06-16")
        _ = try await BrandSelectionService.decide(document: "江自然资党〔\(y2)〕12号", decidedOn: "\(y2)-07-01", title: "关于命名第一批市直机关党建品牌的决定",
                                                   brandIDs: [series.idString, centre.idString], ctx: at("\(y2)-07-01"))
        // the centre: confirmed last year, ordered to rectify this autumn, the deadline now past
        _ = try await BrandService.reReview(try await reload(centre, db), outcome: .confirm, comment: "品牌运行良好，继续确认命名", deadline: "", version: nil, ctx: at("\(y1)-12-05"))
        _ = try await BrandService.reReview(try await reload(centre, db), outcome: .rectify, comment: "品牌活动开展不经常，宣传阵地未更新", deadline: "\(y)-11-15",
                                            version: nil, ctx: at("\(y)-10-15"))
        _ = try await BrandFollowUpService.fileGoals(try await reload(series, db), year: y1, goals: "推出“江美自然”系列子品牌3个", measures: "开展品牌培育辅导，建立品牌档案", ctx: at("\(y1)-01-20"))

        // last year: 办公室党支部's sub-brand, named in December
        let office = try await brand("ZR-B01", "规划先锋", "规划引领发展·先锋服务群众", "把规划服务送到群众家门口，以先锋岗带动全员服务", on: "\(y1)-02-10", parent: series)
        try await toPreliminary(office, from: y1, month: 3)
        _ = try await BrandSelectionService.shortlist(year: y1, rule: .threshold(80), ctx: at("\(y1)-09-20"))
        try await comment(office, "web", 5, "规划进社区活动很实在。", "社区居民", approve: true, "\(y1)-10-08")
        _ = try await BrandSelectionService.suggest(try await reload(office, db), text: "建议把“规划进社区”固化为月度机制", version: nil, ctx: at("\(y1)-10-20"))
        _ = try await BrandSelectionService.decide(document: "江自然资党〔\(y1)〕21号", decidedOn: "\(y1)-12-10", title: "关于命名第二批市直机关党建品牌的决定",
                                                   brandIDs: [office.idString], ctx: at("\(y1)-12-10"))
        let o = try await reload(office, db)
        _ = try await BrandFollowUpService.fileGoals(o, year: y, goals: "打造规划服务示范窗口，全年开展规划进社区12次", measures: "每月一次规划进社区；每季度一次品牌主题党日", ctx: at("\(y)-01-15"))
        if let lag = byCode["ZR-B07"] {
            let p = try await BrandFollowUpService.pair(o, orgRef: lag.idString, goal: "帮助执法监察支队党支部补齐组织生活短板、创建党建品牌", startedOn: "\(y)-03-01", ctx: at("\(y)-03-01"))
            _ = try await BrandFollowUpService.activity(p, day: "\(y)-04-18", title: "联学共建主题党日", text: "两支部联合学习《中国共产党支部工作条例》，交流“三会一课”做法", ctx: at("\(y)-04-18"))
            _ = try await BrandFollowUpService.activity(p, day: "\(y)-09-12", title: "结对帮扶现场指导", text: "规划先锋支部到执法监察支队指导支部台账和品牌培育方案", ctx: at("\(y)-09-12"))
        }

        // this year: a candidate under public review, one in preliminary selection, and the rest of the pipeline
        let plan = try await brand("ZR-B02", "蓝图先锋岗", "一张蓝图绘到底", "以先锋岗为载体，把规划编制的每一张蓝图画到群众心坎上", on: "\(y)-02-15", parent: series)
        try await toPreliminary(plan, from: y, month: 3)
        _ = try await BrandSelectionService.shortlist(year: y, rule: .quota(1), ctx: at("\(y)-10-20"))
        try await comment(plan, "web", 5, "规划公示讲解很耐心。", "周先生", approve: true, "\(y)-10-25")
        try await comment(plan, "mobile", 4, "希望多到乡镇开展规划宣讲。", "", approve: true, "\(y)-10-28")
        try await comment(plan, "web", 3, "窗口排队时间还可以再短一些。", "办事群众", approve: nil, "\(y)-11-18")
        try await comment(plan, "mobile", 5, "<b>为规划先锋点赞</b>", "网友", approve: nil, "\(y)-11-20")

        let farm = try await brand("ZR-B03", "耕保卫士", "守护耕地红线", "以“田长制”为抓手，党员当好耕地保护的守护者", on: "\(y)-04-01")
        try await toPreliminary(farm, from: y, month: 8)
        if let sid = try await reload(farm, db).surveyID, let s = try await SurveyModel.find(sid, on: db) {
            let links = try await SurveyService.makeLinks(s, count: 5, label: "耕保卫士服务对象", ctx: at("\(y)-10-02"))
            for (i, l) in links.prefix(4).enumerated() {
                try await SurveyService.answer(token: l.token, raw: [["\(4 + i % 2)"], ["5"], ["4"], ["0"], [], i == 0 ? ["巡田很及时"] : []], db: db, now: AppClock.date(of: Day(iso: "\(y)-10-0\(3 + i)")!, hour: 10))
            }
        }
        let survey = try await brand("ZR-B04", "监测之眼", "数据赋能·监测为民", "用精准监测数据守护自然资源家底", on: "\(y)-05-06")
        try await go(survey, .cultivate, "\(y)-05-10")
        try await go(survey, .submit(viaOrganCommittee: true), "\(y)-11-10")
        let eco = try await brand("ZR-B05", "生态修复·党旗红", "山水林田湖草一体修复", "党员带头攻坚生态修复项目", on: "\(y)-06-01")
        try await go(eco, .cultivate, "\(y)-06-05")
        let land = try await brand("ZR-B06", "地利民生", "节约集约用地", "服务项目落地", on: "\(y)-03-12")
        try await go(land, .cultivate, "\(y)-03-15")
        try await go(land, .submit(viaOrganCommittee: true), "\(y)-09-01")
        try await go(land, .returnBack(reasons: [.vague, .mispositioned], note: "请围绕土地利用服务群众的具体做法提炼品牌内涵"), "\(y)-09-08")
        _ = try await brand("ZR-B08", "测绘匠心", "精益求精·测绘为民", "弘扬测绘工匠精神", on: "\(y)-11-02")
        if let b09 = byCode["ZR-B09"], let m = try await MemberModel.query(on: db).filter(\.$org.$id == b09.id!).sort(\.$name).first() {
            let spark = try await brand("ZR-B09", "银发燃点·\(m.name)", "退休不褪色", "老党员发挥余热，义务宣讲自然资源法规", on: "\(y)-04-20", member: m.idString)
            try await go(spark, .cultivate, "\(y)-04-25")
        }

        // last year's brand-creation scores, published; this year's begun
        let scores: [(String, Double, Double, Double)] = [("ZR-B01", 95, 92, 96), ("ZR-B02", 90, 88, 86), ("ZR-B03", 85, 86, 80), ("ZR-B04", 80, 78, 76),
                                                          ("ZR-B05", 78, 80, 75), ("ZR-B06", 70, 72, 68), ("ZR-B07", 60, 58, 55), ("ZR-B08", 82, 80, 78), ("ZR-B09", 75, 70, 72)]
        for (code, a, c, e) in scores {
            guard let org = byCode[code] else { continue }
            _ = try await BrandFollowUpService.scoreBranch(orgRef: org.idString, year: y1, raw: ["basic": String(a), "carriers": String(c), "effect": String(e)],
                                                           comment: "", version: nil, ctx: at("\(y)-01-20"))
        }
        _ = try await BrandFollowUpService.publish(year: y1, ctx: at("\(y)-01-25", base))
    }

    private static func pad(_ m: Int) -> String { m < 10 ? "0\(m)" : "\(m)" }
    private static func reload(_ b: BrandModel, _ db: any Database) async throws -> BrandModel { try await BrandModel.find(b.id!, on: db)! }
}
