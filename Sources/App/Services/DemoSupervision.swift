import Vapor
import Fluent
import Domain

/// Demo supervision and evaluation: problems that put one branch under a leader's charge and
/// one on the 软弱涣散 list, a verified one, the unit's risk register (two not reviewed this
/// year), monthly reports and quarterly scores, and an open survey with answers.
extension DemoData {
    static func seedSupervision(_ app: Application, ctx: Ctx, byCode: [String: OrgModel]) async throws {
        let db = app.db, today = ctx.today, year = today.year
        func problem(_ code: String, _ source: ProblemSource, _ aspect: Star, _ text: String, found: String, deadline: String, leader: String,
                     steps: [(ProblemStep, String, String, String)] = []) async throws {
            guard let o = byCode[code] else { return }
            let p = ProblemModel()
            p.id = UUID(); p.orgID = o.id!; p.orgPath = o.path; p.orgName = o.name; p.year = Day(iso: found)!.year; p.kind = "rectification"
            p.source = source.rawValue; p.reason = text; p.problemDescription = text; p.aspect = aspect.rawValue; p.foundOn = found; p.deadline = deadline
            p.leader = leader; p.measures = "建立问题清单，明确责任人和时限，逐项整改销号。"; p.status = ProblemStatus.open.rawValue; p.version = steps.count
            p.createdBy = "演示数据"; p.updatedAt = ctx.now
            for (s, _, _, day) in steps {
                if let n = s.next(from: p.statusValue) { p.status = n.rawValue }
                if s == .verify { p.verifiedOn = day; p.verifiedBy = "赵工委" }
            }
            try await p.create(on: db)
            for (i, (s, text, actor, day)) in steps.enumerated() {
                let m = ProblemStepModel()
                m.problemID = p.id!; m.seq = i + 1; m.step = s.rawValue; m.day = day; m.text = text; m.actorName = actor
                try await m.create(on: db)
            }
            if steps.contains(where: { $0.0 == .verify }) {
                let a = AttachmentService.make(ownerType: "problem", ownerID: p.id!, orgPath: o.path, slot: nil, name: "整改报告.pdf", kind: .pdf,
                                               data: Data("%PDF-1.4\n% 演示\n".utf8), ctx: ctx)
                try await a.create(on: db)
            }
        }
        // 执法监察支队: three aspects at once → 软弱涣散
        try await problem("ZR-B07", .inspection, .strong, "支部委员会长期缺额，组织生活不经常、不认真", found: "\(year)-05-12", deadline: "\(year)-08-31", leader: "陈副局长")
        try await problem("ZR-B07", .complaint, .integrity, "执法过程中存在吃拿卡要问题反映，经查部分属实", found: "\(year)-05-20", deadline: "\(year)-09-30", leader: "陈副局长")
        try await problem("ZR-B07", .noNotice, .service, "明察暗访发现窗口服务态度生硬、一次性告知不到位", found: "\(year)-06-03", deadline: "\(year)-09-30", leader: "陈副局长",
                          steps: [(.progress, "已组织窗口人员开展服务礼仪培训", "演示数据", "\(year)-07-10")])
        // 测绘地理信息科: one aspect past its deadline → a party-group leader
        try await problem("ZR-B08", .quarterly, .business, "测绘成果质量抽检不合格率偏高，业务与党建“两张皮”", found: "\(year)-06-15", deadline: "\(year)-09-15", leader: "孙副局长",
                          steps: [(.progress, "已制定质量提升方案", "演示数据", "\(year)-07-20")])
        // 耕地保护监督科: found, rectified and verified
        try await problem("ZR-B03", .spotCheck, .political, "第一议题学习记录不完整", found: "\(year)-03-10", deadline: "\(year)-05-31", leader: "杨帆",
                          steps: [(.progress, "补充完善学习记录，建立学习台账", "杨帆", "\(year)-04-02"), (.rectified, "已整改到位，学习台账规范", "杨帆", "\(year)-04-20"),
                                  (.verify, "经查验，学习台账完整规范，同意销号", "赵工委", "\(year)-04-28")])

        // the unit's risk register
        if let unit = byCode["ZR-JGDW"] {
            let risks: [(String, String, String, RiskLevel, String, String, String, String, String?)] = [
                ("规划审批科科长", "规划审批", "违规调整容积率等规划条件", .high, "规划条件集体研究、公开公示", "审批全程留痕、双人复核", "批后抽查、廉政回访", "刘海燕", "\(year)-01-20"),
                ("土地利用管理科科长", "土地征收与出让", "出让底价泄露、围标串标", .high, "底价集体决策、专人保管", "网上交易、全程监控", "结果公开、纪检监督", "徐磊", "\(year)-01-25"),
                ("执法监察支队队长", "批后监管", "对违法用地查处不力、以罚代管", .high, "执法计划公开", "执法记录仪全程记录", "案件评查、回访", "陈明", nil),
                ("不动产登记中心主任", "不动产登记", "违规办理登记、吃拿卡要", .medium, "办事指南一次性告知", "系统留痕、限时办结", "满意度回访", "周丽", "\(year)-01-18"),
                ("财务室主任", "资金管理", "专项资金挪用", .medium, "预算审批", "大额支出集体研究", "审计检查", "郑洁", "\(year - 1)-01-20"),
                ("测绘地理信息科科长", "项目招投标", "指定中标单位", .low, "招标文件合规审查", "专家随机抽取", "合同履约检查", "朱晓明", "\(year)-01-28"),
            ]
            for (post, process, text, level, b, d, a, owner, reviewed) in risks {
                let r = RiskPointModel()
                r.orgID = unit.id!; r.orgPath = unit.path; r.orgName = unit.name; r.post = post; r.process = process; r.riskDescription = text
                r.level = level.rawValue; r.before = b; r.during = d; r.after = a; r.owner = owner; r.lastReviewed = reviewed
                r.reviewedBy = reviewed == nil ? nil : "赵工委"; r.version = 0; r.createdBy = "演示数据"; r.updatedAt = ctx.now
                try await r.create(on: db)
            }
        }

        // 月晒 and 季评 for the unit's branches
        let branches = byCode.values.filter { $0.orgType == .branch || $0.orgType == .generalBranch }.sorted { $0.code < $1.code }
        let due = Assessment.monthsDue(year: year, today: today, dueDay: 5)
        for (bi, b) in branches.enumerated() {
            for m in due {
                if b.code == "ZR-B07" && m >= 5 { continue }                     // stopped reporting
                let late = b.code == "ZR-B08" && m % 3 == 0
                let r = SelfReportModel()
                r.orgID = b.id!; r.orgPath = b.path; r.orgName = b.name; r.year = year; r.month = m
                r.text = "本月开展主题党日1次、支部学习2次；围绕\(["耕地保护", "营商环境", "规划服务", "执法规范"][m % 4])推进重点工作，为群众办实事\(1 + (m + bi) % 3)件。"
                let dueDay = Assessment.reportDue(year: year, month: m, dueDay: 5)
                r.submittedOn = dueDay.adding(days: late ? 6 : -(1 + (m + bi) % 4)).iso; r.submittedBy = b.secretary ?? "支部书记"; r.updatedAt = ctx.now
                try await r.create(on: db)
            }
            for q in 1...Assessment.quartersOver(year: year, today: today) {
                let s = QuarterScoreModel()
                s.orgID = b.id!; s.orgPath = b.path; s.orgName = b.name; s.year = year; s.quarter = q
                s.score = b.code == "ZR-B07" ? 62 + Double(q) : b.code == "ZR-B08" ? 75 : 82 + Double((bi * 7 + q * 3) % 15)
                s.comment = s.score >= 85 ? "工作扎实，特色鲜明" : s.score < 70 ? "组织生活不规范，须限期整改" : "完成规定动作，亮点不多"
                s.scoredBy = "赵工委"; s.version = 0; s.updatedAt = ctx.now
                try await s.create(on: db)
            }
        }

        // an open survey of the unit with answers
        if let unit = byCode["ZR-JGDW"] {
            let s = SurveyModel()
            s.id = UUID(); s.orgID = unit.id!; s.orgPath = unit.path; s.orgName = unit.name; s.year = year
            s.title = "\(year)年度服务对象满意度调查"; s.intro = "为了解您对我们服务的评价，请花一两分钟填写。问卷匿名，每个链接只能提交一次。"
            s.questions = JSON.encode(SurveyRules.template); s.status = "open"; s.version = 0; s.createdBy = "演示数据"; s.updatedAt = ctx.now
            try await s.create(on: db)
            let texts = ["窗口服务很热情", "希望周末也能办理", "", "网上办理很方便", "", "材料一次就告知清楚了"]
            for i in 0..<16 {
                let l = SurveyLinkModel()
                l.id = UUID(); l.surveyID = s.id!; l.token = Tokens.random(bytes: 12); l.label = i < 8 ? "政务服务窗口" : "企业走访"
                try await l.create(on: db)
                guard i < 12 else { continue }
                let r = SurveyResponseModel()
                r.surveyID = s.id!; r.linkID = l.id!
                let a: [SurveyAnswer] = [.scale(3 + i % 3), .scale(4 + i % 2), .scale(i % 5 == 0 ? 3 : 5), .choices([i == 7 ? 1 : 0]),
                                         .choices([i % 4, (i + 1) % 5].sorted()), texts[i % texts.count].isEmpty ? .skipped : .text(texts[i % texts.count])]
                r.answers = JSON.encode(a)
                try await r.create(on: db)
            }
        }
    }
}
