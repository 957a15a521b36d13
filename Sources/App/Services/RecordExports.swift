import Vapor
import Fluent
import Domain

/// Every list of everyday records as CSV or XLSX, from the same scoped queries as the pages
/// and the API: `GET …/export.csv|xlsx` with the list's own filters.
enum RecordExports {
    enum Kind: String, CaseIterable { case meetings, compliance, tasks, filings, points, service = "service-records", demands }

    static let all = Paging(page: 1, per: 1_000_000)

    static func serve(_ req: Request, kind: Kind, format: String) async throws -> Response {
        let ctx = try req.ctx()
        let year = try req.yearQuery(ctx)
        let org = try await RecordAPIController.optionalOrg(req, ctx: ctx)
        var rows: [[String]]
        let name: String
        switch kind {
        case .meetings:
            try await req.require(.readRecords, entity: "meeting")
            name = "\(year)年组织生活记录"
            rows = [["日期", "党组织", "类型", "主题", "地点", "主持人", "参会人数", "缺席人员及原因", "记录人"]]
            for m in try await OrgLifeService.list(org: org, year: year, ctx: ctx, paging: all).0 {
                rows.append([m.date, m.orgName, m.typeSet.map(\.label).joined(separator: "、"), m.topic, m.place ?? "", m.host ?? "", String(m.attendeeCount),
                             m.absenteeList.map { "\($0.name)（\($0.reason)）" }.joined(separator: "、"), m.createdBy])
            }
        case .compliance:
            try await req.require(.readRecords, entity: "meeting")
            name = "\(year)年组织生活达标情况"
            let settings = try await RecordSettings.load(on: req.db)
            rows = [["党组织", "类型"] + (1...12).map { "\($0)月" } + ["达标月份占比", "未达标事项"]]
            for (o, cal) in try await OrgLifeService.scopeCalendars(ctx: ctx, year: year, settings: settings, under: org).rows {
                rows.append([o.name, o.orgType.label] + cal.map(\.status.label) + [OrgLifeCompliance.share(cal).map { "\(Int(($0 * 100).rounded()))%" } ?? "",
                             cal.filter { $0.status == .missing }.map { "\($0.month)月：" + $0.missingLabels.joined(separator: "、") }.joined(separator: "；")])
            }
        case .tasks:
            try await req.require(.readRecords, entity: "task")
            name = "任务清单"
            let settings = try await RecordSettings.load(on: req.db)
            let cal = try await CalendarService.calendar(req.application, db: req.db)
            rows = [["任务", "党组织", "来源", "责任人", "交办日期", "重大事项", "状态", "超期环节", "销号日期"]]
            for t in try await TaskService.list(ctx: ctx, filter: .init(orgID: org?.id, status: nil, mine: false), paging: all).0 {
                let tl = TaskService.timeline(t, events: try await TaskService.events(t, on: req.db), settings: settings, calendar: cal, today: ctx.today)
                rows.append([t.title, t.orgName, t.source, t.ownerName, t.startDate, t.major ? "是" : "否", t.statusValue.label,
                             t.statusValue == .closed ? "" : tl.stages.filter(\.state.flagged).map(\.label).joined(separator: "、"), t.closedOn ?? ""])
            }
        case .filings:
            try await req.require(.readRecords, entity: "filing")
            name = "\(year)年清单报送情况"
            rows = [["党组织", "责任清单", "主题党日年度计划"]]
            for s in try await FilingService.statuses(year: year, today: ctx.today, ctx: ctx) { rows.append([s.org.name, s.duties.label, s.plan?.label ?? "—"]) }
        case .points:
            try await req.require(.readRecords, entity: "points")
            name = "\(year)年党员积分明细"
            rows = [["日期", "党员", "项目", "分值", "事由", "来源", "状态", "录入人", "审核人"]]
            for e in try await PointsService.entries(ctx: ctx, filter: .init(orgID: org?.id, memberID: nil, year: year, status: nil), paging: all).0 {
                rows.append([e.date, e.memberName, e.item, String(e.points), e.reason, PointSource(rawValue: e.source)?.label ?? e.source, e.statusValue.label, e.proposedBy, e.decidedBy ?? ""])
            }
        case .service:
            try await req.require(.readRecords, entity: "service")
            name = "\(year)年社区服务记录"
            let communities = Dictionary(uniqueKeysWithValues: try await CommunityModel.query(on: req.db).all().map { ($0.id!, $0.name) })
            rows = [["日期", "党员", "社区", "时长（小时）", "服务内容", "状态", "登记人", "确认人"]]
            for r in try await ServiceRecordService.list(ctx: ctx, filter: .init(orgID: org?.id, memberID: nil, status: nil, year: year), paging: all).0 {
                rows.append([r.date, r.memberName, communities[r.communityID] ?? "", String(format: "%.1f", Double(r.minutes) / 60), r.activity, r.statusValue.label, r.recordedBy, r.confirmedBy ?? ""])
            }
        case .demands:
            try await req.require(.readRecords, entity: "demand")
            name = "群众点单办理情况"
            let communities = Dictionary(uniqueKeysWithValues: try await CommunityModel.query(on: req.db).all().map { ($0.id!, $0.name) })
            rows = [["提交日期", "需求", "社区", "状态", "承办单位", "领办党员", "办结日期", "办理结果", "评价"]]
            for d in try await DemandService.list(ctx: ctx, filter: .init(state: nil, overdueOnly: false, communityID: nil), paging: all).0 {
                rows.append([d.postedOn, d.title, communities[d.communityID] ?? "", d.stateValue.label, d.unitName ?? "", d.memberName ?? "",
                             d.doneOn ?? "", d.result ?? "", d.stars.map { "\($0)星" + (d.ratingComment.map { "：\($0)" } ?? "") } ?? ""])
            }
        }
        return try ImportExport.download(SheetTable(rows: rows), name: name, format: format)
    }
}
