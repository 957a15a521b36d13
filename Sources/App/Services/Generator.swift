import Vapor
import Fluent
import Domain

/// `dangjian generate`: a deterministic, realistic dataset at province scale (issue 7) for
/// benchmarks and load tests. A 5-level tree (工委 → 党组 → 机关党委 → 党总支 → 党支部),
/// members, three years of organizational life, tasks, points and service hours, ratings at
/// every step with their audit entries, 市场主体评 scores, brands in every state with their
/// archive, and problems. Rows go in as multi-row inserts, many per transaction; the same
/// seed gives the same ids and the same data.
struct Generator {
    struct Options: Sendable {
        var branches = 20_000
        var members = 500_000
        var years = 3
        var seed: UInt64 = 1
    }

    let db: any Database
    let options: Options
    let today: Day
    var log: @Sendable (String) -> Void
    var rng: SplitMix

    init(db: any Database, options: Options, today: Day, log: @escaping @Sendable (String) -> Void) {
        self.db = db; self.options = options; self.today = today; self.log = log
        rng = SplitMix(seed: options.seed)
    }

    /// Counts per table.
    private(set) var counts: [(String, Int)] = []
    private var started = Date()

    // MARK: the run

    mutating func run(ctx: Ctx) async throws -> [String: Int] {
        guard try await OrgModel.query(on: db).count() == 0 else {
            throw ConfigError("目标数据库已有组织数据；请指定一个新的数据库文件（--to）或空的 PostgreSQL 数据库")
        }
        let firstYear = today.year - options.years + 1
        var settings = try await RecordSettings.load(on: db)
        settings.orgLifeSince = "\(firstYear)-01-01"
        try await RecordSettings.save(settings, ctx: ctx)

        let tree = try await orgs()
        try await users(tree, ctx: ctx)
        let roster = try await members(tree)
        try await meetings(tree, firstYear: firstYear)
        try await tasks(tree, firstYear: firstYear)
        try await points(roster, tree: tree, firstYear: firstYear)
        try await ratings(tree, firstYear: firstYear)
        try await brands(tree)
        try await problems(tree)
        var out: [String: Int] = [:]
        for (k, v) in counts { out[k, default: 0] += v }
        return out
    }

    // MARK: orgs

    struct Tree {
        var root: OrgModel
        var units: [OrgModel] = []
        var organs: [OrgModel] = []
        var generals: [OrgModel] = []
        var branches: [OrgModel] = []
        /// branch index → its unit's index
        var unitOf: [Int] = []
    }

    private mutating func org(_ name: String, _ code: String, _ type: OrgType, parent: OrgModel?) -> OrgModel {
        let o = OrgModel()
        let id = rng.uuid()
        o.id = id; o.name = name; o.code = code; o.type = type.rawValue; o.parentID = parent?.id
        o.path = OrgModel.childPath(parentPath: parent?.path, id: id); o.depth = (parent?.depth ?? -1) + 1
        o.status = OrgStatus.active.rawValue
        let founded = today.year - 30 + rng.int(25)
        o.foundedOn = "\(founded)-0\(1 + rng.int(9))-1\(rng.int(9))"
        if let years = type.defaultTermYears {
            o.termYears = years
            // most terms current, about 4% overdue
            let back = rng.chance(0.04) ? years + 1 : rng.int(years)
            o.termStart = "\(today.year - back)-0\(1 + rng.int(9))-15"
            o.secretary = rng.chance(0.03) ? nil : rng.name()
        }
        return o
    }

    private mutating func orgs() async throws -> Tree {
        let b = options.branches
        let generalsPerUnit = 10, branchesPerGeneral = max(1, min(10, b / 10))
        let unitCount = max(1, Int((Double(b) / Double(generalsPerUnit * branchesPerGeneral)).rounded(.up)))
        var tree = Tree(root: org("中共某省直属机关工作委员会", "SZGW", .committee, parent: nil))
        var all = [tree.root]
        var made = 0
        for u in 0..<unitCount where made < b {
            let place = Names.places[u % Names.places.count] + (u >= Names.places.count ? "\(u / Names.places.count + 1)" : "")
            let dept = Names.departments[u % Names.departments.count]
            let code = String(format: "U%04d", u + 1)
            let unit = org("中共\(place)\(dept)党组", code, .partyGroup, parent: tree.root)
            let organ = org("\(place)\(dept)机关党委", code + "-JG", .organCommittee, parent: unit)
            tree.units.append(unit); tree.organs.append(organ); all += [unit, organ]
            for g in 0..<generalsPerUnit where made < b {
                let gen = org("\(place)\(dept)\(Names.divisions[g % Names.divisions.count])党总支", code + String(format: "-Z%02d", g + 1), .generalBranch, parent: organ)
                tree.generals.append(gen); all.append(gen)
                for k in 0..<branchesPerGeneral where made < b {
                    let br = org("\(Names.divisions[g % Names.divisions.count])\(Names.sections[k % Names.sections.count])党支部", gen.code + String(format: "-B%02d", k + 1), .branch, parent: gen)
                    tree.branches.append(br); tree.unitOf.append(tree.units.count - 1); all.append(br)
                    made += 1
                }
            }
        }
        try await insert(all, table: "orgs")
        return tree
    }

    // MARK: users

    private func users(_ tree: Tree, ctx: Ctx) async throws {
        let logins: [(String, String, Role, OrgModel)] = [
            ("admin", "系统管理员", .admin, tree.root), ("gongwei", "工委干部", .committeeOfficer, tree.root),
            ("danwei", "单位党务干部", .unitOfficer, tree.units[0]), ("zhibu", "支部书记", .branchSecretary, tree.branches[0]),
        ]
        for (u, name, role, org) in logins {
            _ = try await UserService.create(["username": u, "displayName": name, "password": "Dangjian2026", "role": role.rawValue, "org": org.idString], ctx: ctx)
        }
    }

    // MARK: members

    struct Roster { var perBranch: [[(UUID, String)]] }

    private mutating func members(_ tree: Tree) async throws -> Roster {
        let n = tree.branches.count, total = options.members
        var roster = Roster(perBranch: Array(repeating: [], count: n))
        var batch: [MemberModel] = []
        let t0 = Date()
        for i in 0..<total {
            let bi = i < n ? i : rng.int(n)
            let br = tree.branches[bi]
            let m = MemberModel()
            m.id = rng.uuid(); m.name = rng.name(); m.gender = rng.chance(0.42) ? "female" : "male"
            let born = today.year - 24 - rng.int(40)
            m.birthDate = Self.date(born, rng.int(12) + 1, rng.int(28) + 1)
            let st = rng.int(100)
            m.status = st < 90 ? PoliticalStatus.full.rawValue : st < 95 ? PoliticalStatus.probationary.rawValue : PoliticalStatus.activist.rawValue
            m.joinDate = Self.date(min(today.year - 1, born + 22 + rng.int(15)), rng.int(12) + 1, 1)
            m.$org.id = br.id!; m.orgPath = br.path; m.retired = rng.chance(0.08); m.hardship = rng.chance(0.02)
            m.post = i < n ? "支部书记" : (rng.chance(0.1) ? "支部委员" : nil)
            m.phone = "13" + String(format: "%09d", rng.int(1_000_000_000))
            roster.perBranch[bi].append((m.id!, m.name))
            batch.append(m)
            if batch.count == 20_000 {
                try await insert(batch, table: "members", progress: (i + 1, total, t0)); batch.removeAll(keepingCapacity: true)
            }
        }
        try await insert(batch, table: "members", progress: (total, total, t0))
        return roster
    }

    // MARK: organizational life, tasks, points and service

    private mutating func meetings(_ tree: Tree, firstYear: Int) async throws {
        var batch: [MeetingModel] = []
        let t0 = Date(), total = tree.branches.count * options.years
        var done = 0
        for br in tree.branches {
            let weak = rng.chance(0.08)   // a few branches skip months
            for y in firstYear...today.year {
                let last = y == today.year ? today.month - 1 : 12
                guard last >= 1 else { continue }
                for month in 1...last {
                    if weak && rng.chance(0.3) { continue }
                    let quarterEnd = month % 3 == 0
                    let m = MeetingModel()
                    m.id = rng.uuid(); m.orgID = br.id!; m.orgPath = br.path; m.orgName = br.name
                    m.date = Self.date(y, month, 5 + rng.int(20))
                    m.types = quarterEnd ? "committeeMeeting,themeDay,generalMeeting,partyLecture" : "committeeMeeting,themeDay"
                    m.topic = quarterEnd ? "\(month / 3)季度党员大会暨专题党课" : "\(month)月主题党日暨支委会"
                    m.place = "党员活动室"; m.host = br.secretary; m.attendees = "[]"; m.absentees = "[]"
                    m.attendeeCount = 10 + rng.int(30); m.createdBy = "数据生成"; m.createdAt = Self.noon(m.date)
                    batch.append(m)
                }
                done += 1
            }
            if batch.count >= 20_000 { try await insert(batch, table: "meetings", progress: (done, total, t0)); batch.removeAll(keepingCapacity: true) }
        }
        try await insert(batch, table: "meetings", progress: (total, total, t0))
    }

    private mutating func tasks(_ tree: Tree, firstYear: Int) async throws {
        var ts: [TaskModel] = [], evs: [TaskEventModel] = []
        for br in tree.branches {
            for y in firstYear...today.year {
                let t = TaskModel()
                t.id = rng.uuid(); t.orgID = br.id!; t.orgPath = br.path; t.orgName = br.name
                t.title = Names.tasks[rng.int(Names.tasks.count)]; t.source = "上级交办"; t.ownerName = br.secretary ?? "支部书记"
                t.preset = "13710"; t.major = rng.chance(0.1)
                let start = Self.date(y, 1 + rng.int(y == today.year ? max(1, today.month - 1) : 12), 1 + rng.int(27))
                t.startDate = start
                let status: TaskStatus = y < today.year ? .closed : [TaskStatus.open, .done, .closed][rng.int(3)]
                t.status = status.rawValue; t.closedOn = status == .closed ? start : nil
                t.version = status == .open ? 2 : 3; t.createdBy = "数据生成"; t.createdAt = Self.noon(start)
                ts.append(t)
                let kinds: [TaskEventKind] = status == .open ? [.decision] : status == .done ? [.decision, .done] : [.decision, .done, .close]
                for (i, k) in kinds.enumerated() {
                    let e = TaskEventModel()
                    e.id = rng.uuid(); e.taskID = t.id!; e.date = start; e.kind = k.rawValue; e.text = k.label; e.actorName = t.ownerName
                    e.seq = i + 1; e.createdAt = t.createdAt
                    evs.append(e)
                }
            }
            if ts.count >= 10_000 { try await insert(ts, table: "tasks"); try await insert(evs, table: "task_events"); ts.removeAll(); evs.removeAll() }
        }
        try await insert(ts, table: "tasks"); try await insert(evs, table: "task_events")
    }

    private mutating func points(_ roster: Roster, tree: Tree, firstYear: Int) async throws {
        // a community per 20 branches; each branch serves one
        var communities: [CommunityModel] = []
        for (i, br) in tree.branches.enumerated() where i % 20 == 0 {
            let c = CommunityModel()
            c.id = rng.uuid(); c.name = Names.places[(i / 20) % Names.places.count] + Names.communities[(i / 20) % Names.communities.count] + "社区"
            c.street = "人民路\(1 + rng.int(300))号"; c.contact = rng.name(); c.phone = "0371-6\(String(format: "%07d", rng.int(10_000_000)))"
            c.orgID = br.id!; c.orgPath = tree.root.path; c.createdAt = Self.noon("\(firstYear)-01-10")
            communities.append(c)
        }
        try await insert(communities, table: "communities")
        var ps: [PointEntryModel] = [], ss: [ServiceRecordModel] = []
        let t0 = Date(), total = roster.perBranch.count
        for (bi, people) in roster.perBranch.enumerated() {
            let br = tree.branches[bi], community = communities[bi / 20]
            for (mid, name) in people {
                for y in firstYear...today.year where rng.chance(0.5) {
                    let day = Self.date(y, 1 + rng.int(y == today.year ? max(1, today.month - 1) : 12), 1 + rng.int(27))
                    let e = PointEntryModel()
                    e.id = rng.uuid(); e.memberID = mid; e.memberName = name; e.orgID = br.id!; e.orgPath = br.path; e.year = y; e.date = day
                    e.ruleKey = "attend"; e.item = "参加组织生活"; e.points = 2; e.reason = "参加主题党日"; e.source = PointSource.attendance.rawValue
                    e.sourceID = e.idString; e.status = PointStatus.approved.rawValue; e.proposedBy = "系统（据记录自动计分）"; e.proposerID = ""
                    e.createdAt = Self.noon(day)
                    ps.append(e)
                    if rng.chance(0.3) {
                        let s = ServiceRecordModel()
                        s.id = rng.uuid(); s.memberID = mid; s.memberName = name; s.orgPath = br.path; s.communityID = community.id!
                        s.date = day; s.minutes = 60 * (1 + rng.int(4)); s.activity = Names.services[rng.int(Names.services.count)]
                        s.status = ServiceRecordModel.Status.confirmed.rawValue; s.recordedBy = name; s.confirmedBy = community.contact
                        s.createdAt = Self.noon(day)
                        ss.append(s)
                    }
                }
            }
            if ps.count >= 20_000 {
                try await insert(ps, table: "point_entries", progress: (bi + 1, total, t0)); try await insert(ss, table: "service_records")
                ps.removeAll(keepingCapacity: true); ss.removeAll(keepingCapacity: true)
            }
        }
        try await insert(ps, table: "point_entries", progress: (total, total, t0)); try await insert(ss, table: "service_records")
    }

    // MARK: ratings (R-4) with their steps, audit entries and 市场主体评 scores (R-6)

    private mutating func ratings(_ tree: Tree, firstYear: Int) async throws {
        guard let scheme = try await SchemeModel.query(on: db).filter(\.$builtin == true).first() else { throw ConfigError("缺少内置评星方案") }
        var rounds: [Int: UUID] = [:]
        var rs: [RoundModel] = []
        for y in firstYear...today.year {
            let r = RoundModel()
            r.id = rng.uuid(); r.year = y; r.orgID = tree.root.id!; r.orgPath = tree.root.path; r.schemeID = scheme.id!; r.openedBy = "工委干部（gongwei）"
            rounds[y] = r.id!; rs.append(r)
        }
        try await insert(rs, table: "rating_rounds")
        let stars = Star.allCases
        var ratings: [RatingModel] = [], steps: [RatingStepModel] = [], audits: [AuditEntryModel] = [], market: [MarketScoreModel] = []
        let t0 = Date(), total = tree.branches.count
        for (bi, br) in tree.branches.enumerated() {
            let unit = tree.units[tree.unitOf[bi]]
            for y in firstYear...today.year {
                // the current year spreads over the chain; earlier years are final
                let stage: RatingStage = y < today.year ? (rng.chance(0.01) ? .disqualified : .final)
                    : [RatingStage.draft, .submitted, .unitProposed, .filed, .unitRecommended, .countyRecommended, .inNotice, .final][rng.int(8)]
                if y == today.year && rng.chance(0.05) { continue }   // not yet applied
                var level = [1, 2, 3, 3, 3, 4, 4, 5][rng.int(8)]
                if stage == .filed { level = min(level, 3) }
                if [.unitRecommended, .countyRecommended, .inNotice, .disqualified].contains(stage) { level = max(level, 4) }
                let set = StarSet(Array(stars.prefix(level)))
                let r = RatingModel()
                r.id = rng.uuid(); r.roundID = rounds[y]!; r.year = y; r.branchID = br.id!; r.branchPath = br.path; r.branchName = br.name
                r.unitID = unit.id; r.stage = stage.rawValue; r.requested = set.stored
                r.stars = stage == .draft || stage == .submitted ? "" : set.stored
                r.currentStars = [.filed, .final].contains(stage) ? set.stored : ""
                r.answers = "{}"; r.version = 1
                // the chain of R-4 up to the rating's stage: ≤3 stars end with the party group (filed),
                // 4 and 5 go up to the county and city, through the public notice
                let low: [RatingStage] = [.draft, .submitted, .unitProposed, .filed, .final]
                let high: [RatingStage] = [.draft, .submitted, .unitProposed, .unitRecommended, .countyRecommended, .candidate, .inNotice, .final]
                var seq = level <= 3 ? low : high
                if stage == .disqualified { seq = Array(high.prefix(7)) + [.disqualified] }
                let upto = seq.firstIndex(of: stage) ?? 0
                var at = AppClock.date(of: Day(year: y, month: 3, day: 1)!, hour: 9)
                if upto > 0 {
                    for i in 1...upto {
                        let (from, to) = (seq[i - 1], seq[i])
                        let kind: ReviewerKind = [.submitted: .branch, .unitProposed: .organCommittee, .filed: .partyGroup, .unitRecommended: .partyGroup,
                                                  .countyRecommended: .county, .candidate: .city][to] ?? .county
                        let s = RatingStepModel()
                        s.id = rng.uuid(); s.ratingID = r.id!; s.action = to.rawValue; s.actorKind = kind.rawValue; s.deciderName = kind.label
                        s.at = at; s.seq = r.version; s.stageBefore = from.rawValue; s.stageAfter = to.rawValue
                        s.starsBefore = from == .draft || from == .submitted ? "" : set.stored; s.starsAfter = to == .submitted ? "" : set.stored; s.comment = "同意"
                        steps.append(s); r.version += 1
                        audits.append(audit(at: at, actor: kind.label, action: "transition", entity: "rating", id: r.idString, label: "\(y)年\(br.name)", org: br,
                                            after: "{\"stage\":\"\(to.rawValue)\",\"stars\":\"\(set.stored)\"}"))
                        at = at.addingTimeInterval(86_400 * Double(5 + rng.int(20)))
                    }
                }
                ratings.append(r)
                if rng.chance(0.3) {   // the branch's section in the 市场主体评 ranking
                    let m = MarketScoreModel()
                    m.id = rng.uuid(); m.year = y; m.section = br.name.replacingOccurrences(of: "党支部", with: ""); m.branchID = br.id; m.branchPath = br.path
                    m.total = 1000; m.rank = 1 + rng.int(1000); m.score = m.rank > 990 ? 70 + Double(rng.int(50)) / 10 : 80 + Double(rng.int(200)) / 10
                    market.append(m)
                }
            }
            if ratings.count >= 6_000 {
                try await insert(ratings, table: "ratings", progress: (bi + 1, total, t0)); try await insert(steps, table: "rating_steps")
                try await insert(audits, table: "audit_entries"); try await insert(market, table: "market_scores")
                ratings.removeAll(); steps.removeAll(); audits.removeAll(); market.removeAll()
            }
        }
        try await insert(ratings, table: "ratings", progress: (total, total, t0)); try await insert(steps, table: "rating_steps")
        try await insert(audits, table: "audit_entries"); try await insert(market, table: "market_scores")
    }

    private mutating func audit(at: Date, actor: String, action: String, entity: String, id: String, label: String, org: OrgModel, after: String) -> AuditEntryModel {
        let a = AuditEntryModel()
        a.id = rng.uuid(); a.at = at; a.actorName = actor; a.action = action; a.entityType = entity; a.entityID = id; a.entityLabel = label
        a.orgID = org.id; a.orgPath = org.path; a.after = after; a.requestID = "gen"; a.ip = "127.0.0.1"
        return a
    }

    // MARK: brands (R-9) in every state, with their archive

    private mutating func brands(_ tree: Tree) async throws {
        let path: [BrandState] = [.draft, .cultivating, .submitted, .forwarded, .preliminary, .review, .named]
        var bs: [BrandModel] = [], evs: [BrandEventModel] = [], audits: [AuditEntryModel] = []
        for (bi, br) in tree.branches.enumerated() where bi % 25 == 3 {
            let unit = tree.units[tree.unitOf[bi]]
            let target: BrandState = [.draft, .cultivating, .cultivating, .submitted, .forwarded, .returned, .preliminary, .review, .named, .named, .named, .rectifying, .revoked][rng.int(13)]
            let b = BrandModel()
            b.id = rng.uuid(); b.orgID = br.id!; b.orgPath = br.path; b.orgName = br.name; b.orgType = br.type; b.unitPath = unit.path; b.unitName = unit.name
            b.name = Names.brandHeads[rng.int(Names.brandHeads.count)] + Names.brandTails[rng.int(Names.brandTails.count)] + "·\(bi)"
            b.theme = "党建引领·服务为民"; b.connotation = "以党建品牌创建带动业务工作提质增效"
            b.philosophy = "党建引领、融合发展"; b.carriers = "党员先锋岗、主题党日"; b.longPlan = "三年打造特色品牌"
            b.yearPlan = "每季度一次品牌活动"; b.achievements = "群众满意度持续提升"
            b.state = target.rawValue; b.year = target == .named || target == .rectifying || target == .revoked ? today.year - 1 - rng.int(max(1, options.years - 1)) : today.year
            b.version = 1; b.createdBy = "数据生成"
            if [.named, .rectifying, .revoked].contains(target) { b.namedOn = "\(b.year)-12-10" }
            if target == .rectifying { b.deadline = "\(today.year + (rng.chance(0.5) ? 0 : 1))-0\(1 + rng.int(9))-15" }
            if target == .returned { b.returned = "品牌概念模糊：请提炼品牌内涵" }
            var states = Array(path.prefix(upTo: (path.firstIndex(of: target) ?? (target == .returned ? 2 : path.count - 1)) + 1))
            if target == .returned { states.append(.returned) }
            if target == .rectifying || target == .revoked { states.append(.rectifying) }
            if target == .revoked { states.append(.revoked) }
            var day = Day(year: b.year, month: 2, day: 1)!
            for (i, s) in states.enumerated() {
                let e = BrandEventModel()
                e.id = rng.uuid(); e.brandID = b.id!; e.seq = i + 1; e.kind = i == 0 ? "create" : s.rawValue
                e.fromState = i == 0 ? nil : states[i - 1].rawValue; e.toState = s.rawValue; e.day = day.iso; e.text = s.label; e.actorName = "数据生成"
                evs.append(e)
                audits.append(audit(at: AppClock.date(of: day, hour: 10), actor: "数据生成", action: i == 0 ? "create" : "transition", entity: "brand",
                                    id: b.idString, label: b.name, org: br, after: "{\"state\":\"\(s.rawValue)\"}"))
                day = day.adding(days: 20 + rng.int(20))
                b.version = i + 1
            }
            bs.append(b)
        }
        try await insert(bs, table: "brands"); try await insert(evs, table: "brand_events"); try await insert(audits, table: "audit_entries")
    }

    // MARK: problems (R-22)

    private mutating func problems(_ tree: Tree) async throws {
        var ps: [ProblemModel] = [], steps: [ProblemStepModel] = []
        for (bi, br) in tree.branches.enumerated() where bi % 33 == 7 {
            let found = today.adding(days: -(30 + rng.int(400)))
            let p = ProblemModel()
            p.id = rng.uuid(); p.orgID = br.id!; p.orgPath = br.path; p.orgName = br.name; p.year = found.year; p.kind = "rectification"
            p.source = [ProblemSource.quarterly, .spotCheck, .inspection, .noNotice][rng.int(4)].rawValue
            p.reason = "组织生活不规范"; p.aspect = Star.allCases[rng.int(5)].rawValue; p.problemDescription = "“三会一课”记录不完整，部分月份缺少支委会记录"
            p.foundOn = found.iso; p.deadline = found.adding(days: 60 + rng.int(60)).iso; p.leader = br.secretary ?? "支部书记"
            p.measures = "建立台账，按月补齐记录"; p.createdBy = "数据生成"; p.version = 1
            let st = rng.int(3)
            p.status = [ProblemStatus.open, .rectified, .verified][st].rawValue
            if st == 2 { p.verifiedOn = found.adding(days: 50).iso; p.verifiedBy = "工委干部" }
            ps.append(p)
            for i in 0...st {
                let s = ProblemStepModel()
                s.id = rng.uuid(); s.problemID = p.id!; s.seq = i + 1; s.step = ["progress", "rectified", "verify"][i]
                s.day = found.adding(days: 10 + 20 * i).iso; s.text = ["已制定整改措施", "已整改完成", "验收销号"][i]; s.actorName = "数据生成"
                steps.append(s)
            }
        }
        try await insert(ps, table: "rectifications"); try await insert(steps, table: "problem_steps")
    }

    // MARK: inserting

    /// Multi-row inserts in one transaction, chunked under the drivers' bind limits.
    private mutating func insert<M: Model>(_ rows: [M], table: String, progress: (Int, Int, Date)? = nil) async throws {
        guard !rows.isEmpty else { return }
        let fields = max(1, M.keys.count)
        let chunk = max(1, 30_000 / fields)
        try await db.transaction { db in
            var i = 0
            while i < rows.count {
                try await Array(rows[i..<min(i + chunk, rows.count)]).create(on: db)
                i += chunk
            }
        }
        counts.append((table, rows.count))
        if let (done, total, t0) = progress {
            let secs = Date().timeIntervalSince(t0)
            let n = counts.filter { $0.0 == table }.reduce(0) { $0 + $1.1 }
            log("\(table): \(done)/\(total) · \(n) 行 · \(Int(Double(n) / max(secs, 0.001))) 行/秒")
        }
    }

    static func date(_ y: Int, _ m: Int, _ d: Int) -> String { String(format: "%04d-%02d-%02d", y, m, d) }
    static func noon(_ iso: String) -> Date { AppClock.date(of: Day(iso: iso) ?? Day(year: 2000, month: 1, day: 1)!, hour: 12) }
}

/// A small, fast deterministic generator (SplitMix64): the same seed gives the same data.
struct SplitMix: Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < p }
    /// A version-4 UUID from the stream.
    mutating func uuid() -> UUID {
        let a = next(), b = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * UInt64(i))); bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * UInt64(i))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40; bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
    mutating func name() -> String {
        Names.surnames[int(Names.surnames.count)] + Names.given[int(Names.given.count)] + (chance(0.6) ? Names.given[int(Names.given.count)] : "")
    }
}

enum Names {
    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤").map(String.init)
    static let given = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕文博晓东红梅玉兰春生德明永刚佳怡子涵浩然宇轩欣怡梓萱思远").map(String.init)
    static let places = ["郑州", "开封", "洛阳", "平顶山", "安阳", "鹤壁", "新乡", "焦作", "濮阳", "许昌", "漯河", "三门峡", "南阳", "商丘", "信阳", "周口", "驻马店", "济源",
                         "巩义", "兰考", "汝州", "滑县", "长垣", "邓州", "永城", "固始", "鹿邑", "新蔡", "登封", "新郑", "荥阳", "新密", "中牟", "尉氏", "杞县", "通许"]
    static let departments = ["自然资源局", "规划局", "不动产登记中心", "国土空间规划研究院", "自然资源执法支队", "测绘地理信息中心"]
    static let divisions = ["办公室", "规划科", "耕地保护科", "调查监测科", "用途管制科", "生态修复科", "执法监察科", "测绘地理科", "确权登记科", "财务审计科"]
    static let sections = ["第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九", "第十"]
    static let communities = ["东风", "建设", "胜利", "光明", "幸福", "和平", "团结", "新华", "朝阳", "长青"]
    static let tasks = ["开展第一议题学习", "落实意识形态工作责任制", "组织主题党日活动", "开展廉政风险排查", "推进“我为群众办实事”", "完成党费收缴核对"]
    static let services = ["社区环境整治", "政策宣讲", "帮扶困难群众", "文明交通劝导", "防汛值守"]
    static let brandHeads = ["规划", "耕保", "测绘", "登记", "生态", "监测", "执法", "先锋", "红色", "为民"]
    static let brandTails = ["先锋", "卫士", "匠心", "为民", "党旗红", "之眼", "零距离", "连心桥"]
}
