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
        let eligible = [PoliticalStatus.full.rawValue, PoliticalStatus.probationary.rawValue]
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
        }

        // seed 001 §四(二)1: the bureau's party group and branches pair with 黄河社区; the inspection team with 宛棉社区
        guard let unit = byCode["ZR-JGDW"] else { return }
        let huanghe = try await CommunityService.create(["name": "黄河社区", "street": "五里堡街道", "contact": "社区党委 孙书记", "phone": "0377-63100001", "org": unit.idString], ctx: ctx)
        let wanmian = try await CommunityService.create(["name": "宛棉社区", "street": "宛城区", "contact": "社区居委会 钱主任", "phone": "0377-63100002", "org": unit.idString], ctx: ctx)
        for code in ["ZR-B01", "ZR-B02", "ZR-B03", "ZR-B04"] {
            _ = try await CommunityService.pair(huanghe, ["org": byCode[code]!.idString, "signedOn": "2026-02-28", "content": "组织联建、资源共享、活动共办、服务共推、难题共解"], ctx: ctx)
        }
        _ = try await CommunityService.pair(wanmian, ["org": byCode["ZR-B07"]!.idString, "signedOn": "2026-03-05", "content": "执法普法进社区、治安巡逻"], ctx: ctx)

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
}
