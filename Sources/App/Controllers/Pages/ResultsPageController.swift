import Vapor
import Fluent
import Domain

struct ResultsPage: Encodable {
    struct Cond: Encodable { var label: String; var met: Bool; var detail: String }
    struct Row: Encodable { var id: String?; var name: String; var glyphs: String; var level: Int; var stage: String; var reasons: String; var consequences: String }
    struct Unit: Encodable {
        var name: String; var isModel: Bool; var awardable: Bool; var awardableDetail: String; var conditions: [Cond]
        var consequences: [String]; var pending: Int; var rows: [Row]
    }
    var meta: PageMeta
    var year: Int
    var years: [SelectOption]
    var units: [Unit]
    var chart: String
    var printMode: Bool
    var issuer: String
    var date: String
}

/// R-7/R-8 results per unit and branch, with the star distribution chart and a printable notice.
struct ResultsPageController {
    func show(_ req: Request) async throws -> View {
        let ctx = try req.ctx()
        try await req.require(.readRatings, entity: "rating")
        let year = try req.yearQuery(ctx)
        let units = try await RatingResults.units(year: year, ctx: ctx)
        let printMode = Check.bool(try? req.query.get(String.self, at: "print"))
        // the notice is issued by the committee that ran the year, whoever prints it
        var issuer = try await OrgService.all(ctx: ctx, includeClosed: false).first { $0.orgType == .committee }?.name ?? ""
        if let round = try await RoundModel.query(on: ctx.db).filter(\.$year == year).all().min(by: { $0.orgPath.count < $1.orgPath.count }),
           let org = try await OrgModel.find(round.orgID, on: ctx.db) { issuer = org.name }
        let page = ResultsPage(
            meta: await PageMeta.make(req, title: "\(year)年度五星支部评定结果", crumbs: [("五星支部评定", "/ratings?year=\(year)"), ("评定结果", nil)]),
            year: year,
            years: Options.years(selected: year, ctx: ctx),
            units: units.map { u in
                .init(name: u.org.name, isModel: u.verdict.isModel, awardable: u.verdict.awardable, awardableDetail: u.verdict.awardableDetail,
                      conditions: u.verdict.conditions.map { .init(label: $0.label, met: $0.met, detail: $0.detail) },
                      consequences: u.verdict.isModel ? [u.scheme.modelOrgan.commendation, "年度考核优秀等次比例提高\(u.scheme.modelOrgan.quotaDeltaPercent)%"] : [],
                      pending: u.pending,
                      rows: u.branches.map { b in
                          .init(id: b.rating?.idString, name: b.org.name, glyphs: b.effective.level.starGlyphs, level: b.effective.level, stage: b.stageLabel,
                                reasons: b.effective.reasons.joined(separator: "；"), consequences: b.consequences.joined(separator: "；"))
                      })
            },
            chart: StarChart.svg(units), printMode: printMode, issuer: issuer, date: ctx.today.chinese)
        return try await req.view.render("ratings/results", page)
    }
}

/// Star distribution per unit as a server-drawn SVG (stacked bars 0★…5★) with the 80% line
/// for the share at ≥3★. Text is escaped; no script.
enum StarChart {
    static let colors = ["#bbbbbb", "#f4b6b6", "#f08a8a", "#e25b5b", "#c8102e", "#8c0a20"]

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func svg(_ units: [RatingResults.Unit]) -> String {
        guard !units.isEmpty else { return "" }
        let rowH = 46, top = 28, left = 4, width = 360, barW = 256   // about 1:1 on a 375 px phone
        let h = top + rowH * units.count + 30
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(h)\" role=\"img\" aria-label=\"各单位支部星级分布\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" font-size=\"12\">"
        // legend
        for l in 0...5 {
            let x = left + l * 48
            s += "<rect x=\"\(x)\" y=\"4\" width=\"12\" height=\"12\" fill=\"\(colors[l])\"/><text x=\"\(x + 16)\" y=\"14\">\(l == 0 ? "无星" : "\(l)星")</text>"
        }
        for (i, u) in units.enumerated() {
            let y = top + i * rowH
            s += "<text x=\"\(left)\" y=\"\(y + 12)\">\(esc(String(u.org.name.prefix(28))))</text>"
            let total = max(1, u.verdict.branches)
            var x = Double(left)
            for l in 0...5 where u.verdict.distribution[l] > 0 {
                let w = Double(barW) * Double(u.verdict.distribution[l]) / Double(total)
                s += "<rect x=\"\(String(format: "%.1f", x))\" y=\"\(y + 17)\" width=\"\(String(format: "%.1f", w))\" height=\"18\" fill=\"\(colors[l])\"><title>\(l)星：\(u.verdict.distribution[l])个</title></rect>"
                if w > 16 { s += "<text x=\"\(String(format: "%.1f", x + w / 2 - 4))\" y=\"\(y + 30)\" fill=\"\(l >= 3 ? "#fff" : "#333")\">\(u.verdict.distribution[l])</text>" }
                x += w
            }
            // the share at ≥ good level is the right part of the bar; the line marks where 80% begins
            let line = Double(left) + Double(barW) * Double(100 - u.scheme.thresholds.modelOrganSharePercent) / 100
            s += "<line x1=\"\(String(format: "%.1f", line))\" y1=\"\(y + 14)\" x2=\"\(String(format: "%.1f", line))\" y2=\"\(y + 38)\" stroke=\"#1a4fa0\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>"
            let pct = Int((u.verdict.goodShare * 100).rounded())
            s += "<text x=\"\(left + barW + 8)\" y=\"\(y + 31)\" fill=\"\(u.verdict.good * 100 >= u.scheme.thresholds.modelOrganSharePercent * max(1, u.verdict.branches) ? "#1e6b35" : "#c8102e")\">\(u.scheme.thresholds.goodLevel)星以上\(pct)%</text>"
        }
        let t = units[0].scheme.thresholds
        s += "<text x=\"\(left)\" y=\"\(h - 8)\" fill=\"#1a4fa0\">虚线：\(t.goodLevel)星及以上占\(t.modelOrganSharePercent)%处，右段越过即达标；无星含未评</text></svg>"
        return s
    }
}
