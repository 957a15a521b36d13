import Foundation

/// A horizontal bar chart drawn on the server as SVG, sized for a 375 px phone: one row per
/// bar with its label above, the bar, and its figure. Used by the supervision dashboard
/// (problems per aspect), survey results (answers per option) and the assessment ranking.
enum BarChart {
    struct Bar: Sendable { var label: String; var value: Double; var text: String; var tone: String = "#c8102e" }

    static func svg(_ bars: [Bar], title: String, max: Double? = nil) -> String {
        guard !bars.isEmpty else { return "" }
        let rowH = 38, width = 360, barW = 280, left = 2
        let top = 4, h = top + rowH * bars.count + 4
        let m = Swift.max(max ?? bars.map(\.value).max() ?? 1, 1e-9)
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(h)\" role=\"img\" aria-label=\"\(StarChart.esc(title))\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" font-size=\"12\">"
        for (i, b) in bars.enumerated() {
            let y = top + i * rowH
            let w = Swift.max(0, Double(barW) * b.value / m)
            s += "<text x=\"\(left)\" y=\"\(y + 12)\">\(StarChart.esc(String(b.label.prefix(30))))</text>"
            s += "<rect x=\"\(left)\" y=\"\(y + 17)\" width=\"\(barW)\" height=\"14\" fill=\"#f1f1f1\"/>"
            s += "<rect x=\"\(left)\" y=\"\(y + 17)\" width=\"\(String(format: "%.1f", w))\" height=\"14\" fill=\"\(b.tone)\"><title>\(StarChart.esc(b.label))：\(StarChart.esc(b.text))</title></rect>"
            s += "<text x=\"\(left + barW + 6)\" y=\"\(y + 29)\">\(StarChart.esc(b.text))</text>"
        }
        return s + "</svg>"
    }
}
