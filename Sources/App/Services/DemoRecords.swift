import Vapor
import Fluent
import Domain

/// Demo everyday records: a year of organizational life for every branch, group and party
/// group up to the demo day (a few gaps, so the calendar has something to show), two
/// communities with their 共建协议, and residents' needs at every step.
extension DemoData {
    static func seedRecords(_ app: Application, ctx: Ctx, byCode: [String: OrgModel]) async throws {
        var settings = RecordSettings()
        settings.orgLifeSince = "2026-01-01"
        let row = SettingModel()
        row.id = RecordSettings.key; row.value = JSON.encode(settings); row.updatedBy = "演示数据"; row.updatedAt = ctx.now
        try await row.create(on: app.db)

        let today = ctx.today
        let topics = ["学习习近平新时代中国特色社会主义思想", "学习贯彻党的二十届四中全会精神", "学习《中国共产党纪律处分条例》",
                      "围绕耕地保护开展专题研讨", "学习《中国共产党支部工作条例》", "开展优化营商环境大讨论"]
        var meetings: [MeetingModel] = []
        var points: [PointEntryModel] = []
        let attendRule = settings.pointRule(source: .attendance)
        func add(_ org: OrgModel, _ day: Day, _ types: [MeetingType], _ topic: String, _ members: [MemberModel]) {
            guard day <= today else { return }
            let m = MeetingModel()
            m.id = UUID(); m.orgID = org.id!; m.orgPath = org.path; m.orgName = org.name; m.date = day.iso
            m.types = types.map(\.rawValue).joined(separator: ","); m.topic = topic; m.place = "局机关会议室"; m.host = org.secretary
            let absent = members.isEmpty ? [] : [members[(day.month + day.day) % members.count]]
            let present = members.filter { p in !absent.contains { $0.id == p.id } }
            m.attendees = JSON.encode(present.map(\.idString))
            m.absentees = JSON.encode(absent.map { MeetingModel.Absentee(memberId: $0.idString, name: $0.name, reason: "外出公务") })
            m.attendeeCount = present.count; m.minutes = "会议由\(org.secretary ?? "支部书记")主持，传达学习了有关精神，与会同志结合工作实际作了交流发言。"
            m.createdBy = "演示数据"; m.createdAt = ctx.now; m.updatedAt = ctx.now
            meetings.append(m)
            if let rule = attendRule {
                for p in present {
                    let e = PointEntryModel()
                    e.memberID = p.id!; e.memberName = p.name; e.orgID = p.$org.id; e.orgPath = p.orgPath; e.year = day.year; e.date = day.iso
                    e.ruleKey = rule.key; e.item = rule.item; e.points = rule.points; e.reason = "参加\(types.map(\.label).joined(separator: "、"))：\(topic)"
                    e.source = PointSource.attendance.rawValue; e.sourceID = m.idString; e.status = PointStatus.approved.rawValue
                    e.proposedBy = "系统（据记录自动计分）"; e.proposerID = ""; e.createdAt = ctx.now
                    points.append(e)
                }
            }
        }
        let eligible = PoliticalStatus.partyMemberValues
        for (code, org) in byCode.sorted(by: { $0.key < $1.key }) {
            switch org.orgType {
            case .branch:
                let members = try await MemberModel.query(on: app.db).filter(\.$org.$id == org.id!).filter(\.$status ~~ eligible).sort(\.$name).all()
                for month in 1...12 {
                    let t = topics[month % topics.count]
                    // a weak branch skips some theme days; 国土空间规划科 has one study so far in November
                    add(org, Day(year: 2026, month: month, day: 6)!, [.committeeMeeting, .study], t, members)
                    if !(code == "ZR-B07" && [3, 7, 10].contains(month)) {
                        let second: [MeetingType] = code == "ZR-B02" && month == 11 ? [.themeDay] : [.themeDay, .study]
                        add(org, Day(year: 2026, month: month, day: 16)!, second, "主题党日：" + t, members)
                    }
                    if month % 3 == 0 { add(org, Day(year: 2026, month: month, day: 20)!, [.generalMeeting, .partyLecture], "支部书记讲党课：" + t, members) }
                }
            case .group:
                let members = try await MemberModel.query(on: app.db).filter(\.$group.$id == org.id!).filter(\.$status ~~ eligible).sort(\.$name).all()
                for month in 1...12 {
                    add(org, Day(year: 2026, month: month, day: 9)!, [.groupMeeting, .study], topics[(month + 1) % topics.count], members)
                    add(org, Day(year: 2026, month: month, day: 19)!, [.study], topics[(month + 2) % topics.count], members)
                }
            case .partyGroup:
                for month in 1...12 {
                    add(org, Day(year: 2026, month: month, day: 12)!, month == 6 || month == 12 ? [.centralGroupStudy, .specialStudy] : [.centralGroupStudy],
                        "党组理论学习中心组学习：" + topics[month % topics.count], [])
                }
            default: break
            }
        }
        let (allMeetings, allPoints) = (meetings, points)
        try await app.db.transaction { db in
            for c in stride(from: 0, to: allMeetings.count, by: 200) { try await Array(allMeetings[c..<min(c + 200, allMeetings.count)]).create(on: db) }
            for c in stride(from: 0, to: allPoints.count, by: 200) { try await Array(allPoints[c..<min(c + 200, allPoints.count)]).create(on: db) }
            try await MeetingTallies.rebuildAll(on: db)
        }

        // seed 001 §四(二)1: the bureau's party group and branches pair with 黄河社区; the inspection team with 宛棉社区
        guard let unit = byCode["ZR-JGDW"] else { return }
        let huanghe = try await CommunityService.create(["name": "黄河社区", "street": "五里堡街道", "contact": "社区党委 孙书记", "phone": "0377-63100001", "org": unit.idString], ctx: ctx)
        let wanmian = try await CommunityService.create(["name": "宛棉社区", "street": "宛城区", "contact": "社区居委会 钱主任", "phone": "0377-63100002", "org": unit.idString], ctx: ctx)
        for code in ["ZR-B01", "ZR-B02", "ZR-B03", "ZR-B04"] {
            _ = try await CommunityService.pair(huanghe, ["org": byCode[code]!.idString, "signedOn": "2026-02-28", "content": "组织联建、资源共享、活动共办、服务共推、难题共解"], ctx: ctx)
        }
        _ = try await CommunityService.pair(wanmian, ["org": byCode["ZR-B07"]!.idString, "signedOn": "2026-03-05", "content": "执法普法进社区、治安巡逻"], ctx: ctx)

        try await seedListsAndTasks(app, ctx: ctx, byCode: byCode, community: huanghe)

        // residents' needs at every step
        let officer = Ctx(db: app.db, user: ctx.user, actor: Audit.Actor(id: nil, name: "陈丽华（jiguan）", requestID: nil, ip: nil), now: ctx.now)
        func post(_ c: CommunityModel, _ title: String, _ content: String, _ name: String) async throws -> DemandModel {
            try await DemandService.post(.init(community: c.idString, title: title, content: content, name: name, phone: "13900001234", address: "黄河路"), ip: nil, ctx: ctx)
        }
        let b01 = byCode["ZR-B01"]!.idString, b02 = byCode["ZR-B02"]!.idString
        let liNa = try await MemberModel.query(on: app.db).filter(\.$name == "李娜").first()
        _ = try await post(huanghe, "小区门口人行道破损", "黄河路12号小区门口人行道地砖破损，老人出行不便。", "王大爷")
        var d = try await post(huanghe, "想了解宅基地确权政策", "家里老宅想办不动产登记，不清楚要准备哪些材料。", "周女士")
        d = try await DemandService.dispatch(d, unitRef: b02, ctx: officer)
        d = try await post(huanghe, "社区活动室需要宣传展板", "社区想办一期节约集约用地宣传，缺少展板内容。", "社区网格员")
        d = try await DemandService.dispatch(d, unitRef: b01, ctx: officer)
        d = try await DemandService.accept(d, ctx: officer)
        if let liNa {
            d = try await post(huanghe, "楼道路灯不亮", "3号楼2单元楼道灯坏了一个多月。", "张阿姨")
            d = try await DemandService.dispatch(d, unitRef: b01, ctx: officer)
            d = try await DemandService.accept(d, ctx: officer)
            d = try await DemandService.claim(d, memberRef: liNa.idString, ctx: officer)
            d = try await post(huanghe, "帮助查询房屋测绘成果", "想查自家房屋的测绘面积。", "刘先生")
            d = try await DemandService.dispatch(d, unitRef: b01, ctx: officer)
            d = try await DemandService.accept(d, ctx: officer)
            d = try await DemandService.claim(d, memberRef: liNa.idString, ctx: officer)
            d = try await DemandService.finish(d, result: "已协助在不动产登记中心窗口查询并打印测绘成果。", ctx: officer)
            _ = try await DemandService.rate(code: d.code, stars: 5, comment: "办事热情，很快就办好了", ctx: ctx)
        }
    }

    /// Lists of 2025 and 2026 (one filed late, one missing), tasks in every state, service hours.
    static func seedListsAndTasks(_ app: Application, ctx: Ctx, byCode: [String: OrgModel], community: CommunityModel) async throws {
        let duties = ["履行直接责任人职责，把全面从严治党落实到每名党员", "落实“三会一课”、主题党日等组织生活制度", "每季度向机关党委报告一次党建工作",
                      "做好党员教育管理监督服务", "组织党员到社区报到服务，每月不少于2小时"]
        let plan = (1...12).map { "\($0)月：" + ["重温入党誓词", "学习党章", "参观红色教育基地", "志愿服务进社区"][$0 % 4] }
        for code in ["ZR-B01", "ZR-B02", "ZR-B03", "ZR-B04", "ZR-B05", "ZR-B06", "ZR-B07", "ZR-B08", "ZR-B09"] {
            guard let b = byCode[code] else { continue }
            for year in [2025, 2026] {
                if code == "ZR-B08" && year == 2026 { continue }   // missing: flagged
                for (kind, title, items) in [("duties", "\(year)年党支部责任清单", duties), ("themePlan", "\(year)年主题党日活动计划", plan)] {
                    let f = try await FilingService.save(nil, .init(orgRef: b.idString, kind: kind, year: year, title: title, listKind: "org", post: "", holder: b.secretary ?? "", items: items), ctx: ctx)
                    f.filedOn = (code == "ZR-B07" && year == 2026) ? "\(year)-01-16" : "\(year)-01-08"
                    try await f.save(on: app.db)
                }
            }
        }
        // tasks: one overdue, one done awaiting closure, one closed, one major under an approved plan
        guard let b01 = byCode["ZR-B01"], let liNa = try await MemberModel.query(on: app.db).filter(\.$name == "李娜").first() else { return }
        func task(_ title: String, _ source: String, start: String, major: Bool, owner: MemberModel?, ownerName: String,
                  events: [(String, TaskEventKind, String)], status: TaskStatus, planDue: String? = nil) async throws {
            let t = TaskModel()
            t.id = UUID(); t.orgID = b01.id!; t.orgPath = b01.path; t.orgName = b01.name; t.title = title; t.source = source
            t.ownerMemberID = owner?.id; t.ownerName = owner?.name ?? ownerName; t.preset = "13710"; t.major = major; t.startDate = start
            t.planDue = planDue; t.planApprovedOn = planDue == nil ? nil : events.first { $0.1 == .plan }?.0
            t.status = status.rawValue; t.closedOn = status == .closed ? events.last?.0 : nil; t.version = events.count + 1
            t.createdBy = "王建国（zhibu）"; t.createdAt = ctx.now
            try await t.create(on: app.db)
            for (i, e) in events.enumerated() {
                let ev = TaskEventModel()
                ev.taskID = t.id!; ev.date = e.0; ev.kind = e.1.rawValue; ev.text = e.2; ev.actorName = e.1 == .close || e.1 == .plan ? "王建国（zhibu）" : "\(t.ownerName)"
                ev.seq = i + 1; ev.createdAt = ctx.now
                try await ev.create(on: app.db)
            }
        }
        try await task("梳理群众反映的登记难问题清单", "市场主体评反馈", start: "2026-11-09", major: false, owner: liNa, ownerName: "",
                       events: [("2026-11-09", .decision, "支委会研究，明确由李娜牵头"), ("2026-11-12", .feedback, "已梳理问题8条")], status: .open)
        try await task("更新支部党员信息台账", "机关党委通知", start: "2026-11-16", major: false, owner: liNa, ownerName: "",
                       events: [("2026-11-16", .decision, "当日布置"), ("2026-11-18", .feedback, "已核对一半"), ("2026-11-20", .done, "台账已更新并报机关党委")], status: .done)
        try await task("组织党员参加“我为群众办实事”志愿服务", "主题党日计划", start: "2026-10-12", major: false, owner: nil, ownerName: "王建国",
                       events: [("2026-10-12", .decision, "确定服务内容"), ("2026-10-14", .feedback, "已对接黄河社区"), ("2026-10-20", .done, "12名党员参加"), ("2026-10-21", .close, "核实完成，销号")], status: .closed)
        try await task("推进不动产登记“一窗受理”改造", "党组交办", start: "2026-07-06", major: true, owner: nil, ownerName: "王建国",
                       events: [("2026-07-06", .decision, "成立工作专班"), ("2026-07-08", .feedback, "完成调研"), ("2026-07-20", .plan, "方案完成期限2026-12-31：分三阶段推进"),
                                ("2026-08-25", .feedback, "第一阶段完成"), ("2026-10-15", .feedback, "第二阶段完成")], status: .open, planDue: "2026-12-31")

        // community service: confirmed hours for 办公室党支部 in October and November, one waiting for confirmation
        let members = try await MemberModel.query(on: app.db).filter(\.$org.$id == b01.id!).filter(\.$retired == false).sort(\.$name).all()
        var records: [ServiceRecordModel] = []
        for (i, m) in members.enumerated() {
            // most members serve 2–3 hours a month; a few fall short now and then; November is under way
            let months = (1...11).map { mo -> (Int, Int) in (mo, mo == 11 ? (i % 3 == 0 ? 0 : 120) : ((i + mo) % 7 == 0 ? 60 : 120 + 30 * ((i + mo) % 3))) }
            for (month, minutes) in months where minutes > 0 {
                let r = ServiceRecordModel()
                r.id = UUID(); r.memberID = m.id!; r.memberName = m.name; r.orgPath = m.orgPath; r.communityID = community.id!
                r.date = String(format: "2026-%02d-%02d", month, 8 + i % 10); r.minutes = minutes; r.activity = ["政策宣讲", "环境整治", "治安巡逻", "法律援助"][i % 4]
                r.status = m.id == liNa.id && month == 11 ? ServiceRecordModel.Status.pending.rawValue : ServiceRecordModel.Status.confirmed.rawValue
                r.recordedBy = "\(m.name)"; r.confirmedBy = r.status == "confirmed" ? "王建国（zhibu）" : nil; r.createdAt = ctx.now
                r.confirmToken = r.statusValue == .pending ? DemandService.newCode() + DemandService.newCode() : nil
                records.append(r)
            }
        }
        let all = records
        let settings = try await RecordSettings.load(on: app.db)
        let byID = Dictionary(uniqueKeysWithValues: members.map { ($0.id!, $0) })
        try await app.db.transaction { db in
            try await all.create(on: db)
            for r in all where r.statusValue == .confirmed { try await ServiceRecordService.awardPoints(r, member: byID[r.memberID]!, settings: settings, ctx: ctx, on: db) }
        }
    }
}