import Vapor
import Fluent
import Domain

/// A fictional city natural-resources bureau under a 市直工委, deterministic (same ids' names,
/// dates and people every run). Seeds only into an empty database.
enum DemoData {
    static let password = "Dangjian2026"

    struct Login { var username: String; var name: String; var role: Role; var orgCode: String; var memberName: String? = nil }

    static let logins: [Login] = [
        Login(username: "admin", name: "系统管理员", role: .admin, orgCode: "JZ-SZGW"),
        Login(username: "shiwei", name: "林晓岚", role: .committeeOfficer, orgCode: "JZ-SW"),
        Login(username: "gongwei", name: "周志强", role: .committeeOfficer, orgCode: "JZ-SZGW"),
        Login(username: "dangzu", name: "何振华", role: .unitOfficer, orgCode: "ZR-DZ"),
        Login(username: "jiguan", name: "陈丽华", role: .unitOfficer, orgCode: "ZR-JGDW"),
        Login(username: "zhongxin", name: "马晓东", role: .unitOfficer, orgCode: "BDC-DW"),
        Login(username: "zhibu", name: "王建国", role: .branchSecretary, orgCode: "ZR-B01"),
        Login(username: "zhibu2", name: "刘海燕", role: .branchSecretary, orgCode: "ZR-B02"),
        Login(username: "xiaozu", name: "张伟", role: .groupLeader, orgCode: "ZR-B01-G1"),
        Login(username: "dangyuan", name: "李娜", role: .member, orgCode: "ZR-B01", memberName: "李娜"),
        Login(username: "zhuanjia", name: "赵文博", role: .expert, orgCode: "JZ-SZGW"),
    ]

    /// (code, name, type, parent code, term start, term years, secretary)
    static let orgs: [(String, String, OrgType, String?, String?, Int?, String?)] = [
        ("JZ-SW", "中共江州市委员会", .committee, nil, "2021-10-12", 5, "宋立军"),
        ("JZ-SZGW", "中共江州市直属机关工作委员会", .committee, "JZ-SW", "2022-06-18", 5, "孙启明"),
        ("ZR-DZ", "中共江州市自然资源和规划局党组", .partyGroup, "JZ-SZGW", nil, nil, "何振华"),
        ("ZR-JGDW", "中共江州市自然资源和规划局机关委员会", .organCommittee, "ZR-DZ", "2021-09-10", 5, "陈丽华"),
        ("ZR-B01", "办公室党支部", .branch, "ZR-JGDW", "2023-12-05", 3, "王建国"),
        ("ZR-B02", "国土空间规划科党支部", .branch, "ZR-JGDW", "2023-04-20", 3, "刘海燕"),
        ("ZR-B03", "耕地保护监督科党支部", .branch, "ZR-JGDW", "2022-11-15", 3, "杨帆"),
        ("ZR-B04", "自然资源调查监测科党支部", .branch, "ZR-JGDW", "2024-03-08", 3, "黄志刚"),
        ("ZR-B05", "国土空间生态修复科党支部", .branch, "ZR-JGDW", "2024-06-28", 3, "吴敏"),
        ("ZR-B06", "土地利用管理科党支部", .branch, "ZR-JGDW", "2023-09-01", 3, "徐磊"),
        ("ZR-B07", "执法监察支队党支部", .branch, "ZR-JGDW", "2022-05-16", 3, nil),
        ("ZR-B08", "测绘地理信息科党支部", .branch, "ZR-JGDW", "2025-01-10", 3, "朱晓明"),
        ("ZR-B09", "离退休干部党支部", .branch, "ZR-JGDW", "2024-10-22", 3, "郭长青"),
        ("BDC-DZ", "中共江州市不动产登记和测绘服务中心党组", .partyGroup, "JZ-SZGW", nil, nil, "罗建平"),
        ("BDC-DW", "中共江州市不动产登记和测绘服务中心机关委员会", .organCommittee, "BDC-DZ", "2022-03-30", 5, "马晓东"),
        ("BDC-ZZ", "登记业务党总支", .generalBranch, "BDC-DW", "2023-07-07", 3, "梁秀英"),
        ("BDC-B01", "登记业务第一党支部", .branch, "BDC-ZZ", "2023-07-07", 3, "宋佳"),
        ("BDC-B02", "登记业务第二党支部", .branch, "BDC-ZZ", "2024-08-15", 3, "唐勇"),
        ("BDC-B03", "测绘服务党支部", .branch, "BDC-DW", "2023-02-14", 3, "韩冰"),
        ("BDC-B04", "综合服务党支部", .branch, "BDC-DW", "2024-12-03", 3, "冯涛"),
        ("BDC-B05", "档案信息党支部", .branch, "BDC-DW", "2026-03-18", 3, "曹雪"),
    ]

    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
    static let givenA = Array("建志国文明海晓春秋玉秀丽红金永光德振俊宏子思雨欣佳嘉浩宇博梓若一家紫")
    static let givenB = Array("华平强军伟芳敏静丽杰涛磊洋勇艳娟霞刚辉鹏飞宁婷琳峰斌超颖萍然轩涵")
    static let posts = ["支部书记", "组织委员", "宣传委员", "纪检委员", "青年委员", "党小组长"]

    /// SplitMix64: the same sequence on every machine.
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func seed(_ app: Application, records: Bool = true) async throws {
        if try await OrgModel.query(on: app.db).filter(\.$code == "JZ-SZGW").count() > 0 { return }
        let ctxUser = CurrentUser(id: UUID(), username: "demo", displayName: "演示数据", memberID: nil,
                                  scope: Scope(grants: [Grant(role: .admin, orgID: "", orgPath: "/")]), credentialStamp: "")
        let ctx = Ctx(db: app.db, user: ctxUser, actor: Audit.Actor(id: nil, name: "演示数据", requestID: nil, ip: nil), now: app.clock.now())
        var byCode: [String: OrgModel] = [:]
        for (code, name, type, parent, start, years, sec) in orgs {
            let o = try await OrgService.create(["code": code, "name": name, "type": type.rawValue, "parent": parent.flatMap { byCode[$0]?.idString } ?? "",
                                                 "foundedOn": "2010-07-01", "termStart": start ?? "", "termYears": years.map(String.init) ?? "",
                                                 "secretary": sec ?? ""], ctx: ctx)
            byCode[code] = o
            if type == .branch {
                for g in 1...2 {
                    let gc = "\(code)-G\(g)"
                    byCode[gc] = try await OrgService.create(["code": gc, "name": "第\(g == 1 ? "一" : "二")党小组", "type": OrgType.group.rawValue,
                                                              "parent": o.idString], ctx: ctx)
                }
            }
        }
        var rng = RNG(state: 20_261_121)
        var members: [MemberModel] = []
        var used = Set<String>()
        let branchCodes = orgs.filter { $0.2 == .branch }.map(\.0)
        for (bi, code) in branchCodes.enumerated() {
            let branch = byCode[code]!
            let size = code == "ZR-B09" ? 18 : 12 + rng.int(6)
            let sec = orgs.first { $0.0 == code }?.6
            for i in 0..<size {
                var name: String
                if i == 0, let s = sec { name = s }
                else if code == "ZR-B01" && i == 1 { name = "李娜" }
                else if code == "ZR-B01" && i == 2 { name = "张伟" }
                else {
                    repeat {
                        name = String(surnames[rng.int(surnames.count)]) + String(givenA[rng.int(givenA.count)]) + (rng.int(3) == 0 ? "" : String(givenB[rng.int(givenB.count)]))
                    } while used.contains(name)
                }
                used.insert(name)
                let retiredBranch = code == "ZR-B09"
                let birthYear = retiredBranch ? 1945 + rng.int(15) : 1966 + rng.int(34)
                let birth = Day(year: birthYear, month: 1 + rng.int(12), day: 1 + rng.int(28))!
                let roll = rng.int(20)
                let status: PoliticalStatus = i < 3 ? .full : (roll < 15 ? .full : roll < 17 ? .probationary : roll < 18 ? .candidate : roll < 19 ? .activist : .applicant)
                var join: Day?
                if status == .full { join = Day(year: min(2024, birthYear + 22 + rng.int(12)), month: [7, 6, 12, 3][rng.int(4)], day: 1 + rng.int(28)) }
                if status == .probationary { join = Day(year: 2026, month: 1 + rng.int(6), day: 1 + rng.int(28)) }
                let m = MemberModel()
                m.id = UUID()
                let group = byCode["\(code)-G\(1 + i % 2)"]!
                let draft = MemberDraft(name: name, gender: rng.int(2) == 0 ? .male : .female, birthDate: birth, status: status, joinDate: join,
                                        orgRef: code, groupRef: nil, post: i < posts.count - 1 ? posts[i] : (i % 7 == 0 ? "党小组长" : nil),
                                        phone: "1\([3, 5, 7, 8, 9][rng.int(5)])\(String(format: "%09d", rng.int(1_000_000_000)))",
                                        retired: retiredBranch, hardship: rng.int(25) == 0)
                m.apply(draft, org: branch, group: group)
                if name == "张伟" { m.gender = Gender.male.rawValue }
                if name == "李娜" { m.gender = Gender.female.rawValue }
                members.append(m)
            }
            _ = bi
        }
        let allMembers = members
        try await app.db.transaction { db in
            for chunk in allMembers.chunked(200) {
                try await chunk.create(on: db)
                try await chunk.map { ImportExport.auditEntry(ctx, "create", "member", id: $0.idString, label: $0.name, orgID: $0.$org.id, orgPath: $0.orgPath, after: MemberDTO.snapshot($0)) }.create(on: db)
            }
        }
        for l in logins {
            var f = ["username": l.username, "displayName": l.name, "password": password, "role": l.role.rawValue, "org": l.orgCode]
            if let mn = l.memberName, let m = members.first(where: { $0.name == mn }) { f["memberId"] = m.idString }
            _ = try await UserService.create(f, ctx: ctx)
        }
        try await seedRatings(app, ctx: ctx, byCode: byCode)
        if records {
            try await seedRecords(app, ctx: ctx, byCode: byCode)
            try await seedSupervision(app, ctx: ctx, byCode: byCode)
            try await seedBrands(app, ctx: ctx, byCode: byCode)
        }
        app.logger.notice("演示数据已生成：\(byCode.count)个组织，\(members.count)名党员，\(logins.count)个用户")
    }

    /// 2025: a finished rating year (results, model-organ verdicts); 2026: opened, a few branches under way.
    static func seedRatings(_ app: Application, ctx: Ctx, byCode: [String: OrgModel]) async throws {
        guard let scheme = try await SchemeModel.query(on: app.db).filter(\.$builtin == true).first(), let root = byCode["JZ-SW"] else { return }
        var rounds: [Int: RoundModel] = [:]
        for year in [2025, 2026] {
            let r = RoundModel()
            r.year = year; r.orgID = root.id!; r.orgPath = root.path; r.schemeID = scheme.id!; r.openedBy = "演示数据"
            try await r.create(on: app.db)
            rounds[year] = r
        }
        let all = Star.allCases
        // 2025 levels: 自然资源局 1×5★ 7×3★ 1×2★ (model organ); 不动产中心 weaker
        let levels2025: [String: Int] = ["ZR-B01": 5, "ZR-B02": 4, "ZR-B03": 3, "ZR-B04": 3, "ZR-B05": 3, "ZR-B06": 3, "ZR-B07": 2, "ZR-B08": 3, "ZR-B09": 3,
                                         "BDC-B01": 4, "BDC-B02": 2, "BDC-B03": 3, "BDC-B04": 1, "BDC-B05": 2]
        let at = Date(timeIntervalSince1970: 1_765_000_000)   // 2025-12
        for (code, level) in levels2025.sorted(by: { $0.key < $1.key }) {
            guard let b = byCode[code] else { continue }
            let anc = try await RatingService.ancestors(b.path, on: app.db)
            let set = StarSet(Set(all.prefix(level)))
            let r = RatingModel()
            r.id = UUID(); r.roundID = rounds[2025]!.id!; r.year = 2025; r.branchID = b.id!; r.branchPath = b.path; r.branchName = b.name
            r.unitID = RatingService.unit(of: anc)?.id; r.stage = RatingStage.final.rawValue; r.requested = set.stored; r.stars = set.stored
            r.currentStars = set.stored; r.setAnswers([:]); r.version = 1; r.submittedAt = at
            try await r.create(on: app.db)
            let s = RatingStepModel()
            s.ratingID = r.id!; s.action = "submit"; s.actorKind = ReviewerKind.branch.rawValue; s.deciderName = "演示数据（2025年度结果）"; s.at = at; s.seq = 1
            s.stageBefore = RatingStage.draft.rawValue; s.stageAfter = RatingStage.final.rawValue; s.starsBefore = ""; s.starsAfter = set.stored
            s.comment = "2025年度评定结果（演示数据）"
            try await s.create(on: app.db)
        }
    }

    static func printLogins(_ app: Application, address: String = "http://127.0.0.1:8080") {
        var lines = ["", "党建工作平台 · 演示数据", "浏览器打开 \(address) ，演示账号（密码均为 \(password)）："]
        for l in logins { lines.append("  \(l.username.padding(toLength: 10, withPad: " ", startingAt: 0)) \(l.role.label)（\(l.name)）") }
        print(lines.joined(separator: "\n") + "\n")
    }
}
