import Vapor
import Fluent
import Domain

/// Use of results: per branch and member, whether they may be put forward for awards
/// (先锋岗, 示范岗, 青年文明号, 两优一先…) this year, and why — the awards committee's list.
enum AwardService {
    struct BranchRow: Sendable {
        var org: OrgNode
        var unitName: String
        var level: Int?
        var verdict: AwardEligibility.Verdict
    }

    struct MemberRow: Sendable {
        var member: MemberModel
        var branchName: String
        var points: Int
        var verdict: AwardEligibility.Verdict
    }

    static func branches(year: Int, ctx: Ctx) async throws -> [BranchRow] {
        guard ctx.scope.allows(.readSupervision) else { throw await ctx.deny("无权查看评先评优资格", entity: "awards") }
        let weak = Set(try await ProblemService.escalations(ctx: ctx).filter { Escalation.wasWeak($0.state.history, in: year) }.map(\.orgID))
        var out: [BranchRow] = []
        let units = try await RatingResults.units(year: year, ctx: ctx)
        let brands = try await BrandFollowUpService.brandStatus(branchPaths: units.flatMap { $0.branches.map(\.org.path) }, year: year, on: ctx.db)
        for u in units {
            for b in u.branches where ctx.scope.allows(.readSupervision, at: b.org.path) {
                let facts = AwardEligibility.BranchFacts(level: b.decided ? b.effective.level : nil, market: b.market, weakAndLax: weak.contains(b.org.id),
                                                         unitBelowAwardableShare: u.pending == 0 && !u.verdict.awardable, namedBrand: brands[b.org.path] == .named)
                out.append(BranchRow(org: b.org, unitName: u.org.name, level: facts.level, verdict: AwardEligibility.branch(facts, thresholds: u.scheme.thresholds)))
            }
        }
        return out
    }

    static func members(year: Int, branches: [BranchRow], ctx: Ctx) async throws -> [MemberRow] {
        let ids = branches.compactMap(\.org.id)
        guard !ids.isEmpty else { return [] }
        let members = try await MemberModel.query(on: ctx.db).filter(\.$org.$id ~~ ids)
            .filter(\.$status ~~ PoliticalStatus.partyMemberValues).sort(\.$orgPath).sort(\.$name).all()
        let entries = try await PointEntryModel.query(on: ctx.db).filter(\.$orgID ~~ ids).filter(\.$year == year)
            .filter(\.$status == PointStatus.approved.rawValue).all()
        var balance: [UUID: Int] = [:]
        var disciplined = Set<UUID>()
        for e in entries {
            balance[e.memberID, default: 0] += e.points
            if e.ruleKey == "violation" { disciplined.insert(e.memberID) }
        }
        var out: [MemberRow] = []
        for b in branches {
            let mine = members.filter { $0.$org.id == b.org.id }
            let sorted = mine.map { balance[$0.id!] ?? 0 }.sorted(by: >)
            for m in mine {
                let p = balance[m.id!] ?? 0
                // the share of the branch at or above this member's points, in percent
                let above = sorted.filter { $0 > p }.count
                let pct = mine.isEmpty || p <= 0 ? nil : Int((Double(above + 1) / Double(mine.count) * 100).rounded(.up))
                let v = AwardEligibility.member(.init(branch: b.verdict, disciplined: disciplined.contains(m.id!), points: p, pointsRankPercent: pct))
                out.append(MemberRow(member: m, branchName: b.org.name, points: p, verdict: v))
            }
        }
        return out
    }

    static func table(year: Int, ctx: Ctx) async throws -> SheetTable {
        let bs = try await branches(year: year, ctx: ctx)
        let ms = try await members(year: year, branches: bs, ctx: ctx)
        var rows: [[String]] = [["类别", "单位", "党支部", "姓名", "星级", "积分", "可否推荐", "不得推荐的原因", "优先推荐的理由"]]
        for b in bs {
            rows.append(["党支部", b.unitName, b.org.name, "", b.level.map { "\($0)星" } ?? "未评定", "", b.verdict.eligible ? "可推荐" : "不得推荐",
                         b.verdict.reasons.joined(separator: "；"), b.verdict.priority.joined(separator: "；")])
        }
        for m in ms {
            rows.append(["党员", "", m.branchName, m.member.name, "", String(m.points), m.verdict.eligible ? "可推荐" : "不得推荐",
                         m.verdict.reasons.joined(separator: "；"), m.verdict.priority.joined(separator: "；")])
        }
        return SheetTable(rows: rows)
    }
}
