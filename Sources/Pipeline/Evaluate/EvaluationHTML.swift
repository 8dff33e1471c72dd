import Foundation

/// `evaluate --html`: the table, every detector's ROC curve (inline SVG), and for each synthetic set a
/// contact sheet of the samples the best baseline finds most ID-like, in one self-contained page.
public enum EvaluationHTML {
    static let colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    public static func render(_ report: OODEvaluator.Report, synthetic: [EmbeddedSet], sheetSize: Int = 24) -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>oodsynth evaluate</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; background: #fafafa; }
            h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 24px; }
            table { border-collapse: collapse; background: #fff; } td, th { border: 1px solid #ddd; padding: 3px 8px; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; }
            .sheet { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
            .card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 6px; font-size: 12px; }
            .card img { width: 100%; aspect-ratio: 1; object-fit: contain; background: #eee; }
            </style></head><body><h1>OOD detection with and without synthetic outliers</h1>
            <table><tr><th>detector</th><th>synthetic</th><th>AUROC</th><th>FPR95</th><th>AUPR-In</th><th>AUPR-Out</th><th>ID acc.</th></tr>

            """
        for row in report.rows {
            let cells = [row.auroc, row.fpr95, row.auprIn, row.auprOut].map { String(format: "<td class=\"n\">%.2f</td>", $0) }.joined()
            html += "<tr><td>\(HTMLReport.escape(row.detector))</td><td>\(HTMLReport.escape(row.syntheticSet ?? "-"))</td>\(cells)"
                + "<td class=\"n\">\(row.idAccuracy.map { String(format: "%.2f", $0) } ?? "-")</td></tr>\n"
        }
        html += "</table>\n"
        if let base = report.bestBaseline, let synthetic = report.bestSynthetic, let gain = report.aurocGain {
            html += String(format: "<p>best baseline: %@; best with synthetic data: %@; AUROC gain %+.2f points</p>\n",
                           HTMLReport.escape(base), HTMLReport.escape(synthetic), gain)
        }
        html += "<h2>ROC curves (ID positive)</h2>\n" + roc(report) + "\n"
        for set in synthetic {
            guard let order = report.hardest[set.name] else { continue }
            html += "<h2>\(HTMLReport.escape(set.name)): the \(min(sheetSize, order.count)) synthetic samples \(HTMLReport.escape(report.bestBaseline ?? "")) finds most ID-like</h2><div class=\"sheet\">\n"
            for (index, score) in order.prefix(sheetSize) where set.images.indices.contains(index) {
                let type = set.images[index].starts(with: [0xFF, 0xD8]) ? "image/jpeg" : "image/png"
                html += "<div class=\"card\"><img alt=\"\(HTMLReport.escape(set.keys[index]))\" src=\"data:\(type);base64,\(Data(set.images[index]).base64EncodedString())\">"
                    + "<br><b>\(HTMLReport.escape(set.captions[index]))</b><br>" + String(format: "score %.4f", score) + "</div>\n"
            }
            html += "</div>\n"
        }
        return html + "</body></html>\n"
    }

    /// All curves on one 360 px square, with a legend.
    static func roc(_ report: OODEvaluator.Report) -> String {
        let size = 360.0, pad = 30.0
        var svg = "<svg width=\"\(Int(size + 2 * pad + 260))\" height=\"\(Int(size + 2 * pad))\" font-size=\"11\">"
        svg += String(format: "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\" stroke=\"#999\"/>", pad, pad, size, size)
        svg += String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#ccc\" stroke-dasharray=\"4\"/>", pad, pad + size, pad + size, pad)
        svg += String(format: "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">FPR</text>", pad + size / 2, pad + size + 22)
        svg += String(format: "<text x=\"10\" y=\"%.0f\" transform=\"rotate(-90 10 %.0f)\" text-anchor=\"middle\">TPR</text>", pad + size / 2, pad + size / 2)
        for (index, (row, curve)) in zip(report.rows, report.curves).enumerated() {
            let colour = colours[index % colours.count]
            let points = curve.map { String(format: "%.1f,%.1f", pad + $0.fpr * size, pad + size - $0.tpr * size) }.joined(separator: " ")
            let dash = row.syntheticSet == nil ? "" : " stroke-dasharray=\"6 3\""
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\"\(dash) points=\"\(points)\"/>"
            let label = row.detector + (row.syntheticSet.map { " + " + ($0 as NSString).lastPathComponent } ?? "")
            svg += String(format: "<text x=\"%.0f\" y=\"%.0f\" fill=\"%@\">%@ (%.1f)</text>", pad * 2 + size, pad + 14 + Double(index) * 16,
                          colour, HTMLReport.escape(label), row.auroc)
        }
        return svg + "</svg>"
    }
}
