import Foundation

/// `inspect --html`: one self-contained page (inline CSS, SVG histograms, images as data URIs) that
/// opens anywhere, offline: the summary, the counts, the score histograms and a contact sheet.
public enum HTMLReport {
    public static func render(_ report: DatasetReport) -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <title>oodsynth: \(escape(report.directory))</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; background: #fafafa; }
            h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
            .summary { color: #555; } .bad { color: #b00; font-weight: bold; }
            .row { display: flex; flex-wrap: wrap; gap: 16px; }
            .box { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px; }
            table { border-collapse: collapse; } td { padding: 1px 10px 1px 0; } td.n { text-align: right; color: #555; }
            .sheet { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }
            .card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px; }
            .card img { width: 100%; aspect-ratio: 1; object-fit: contain; image-rendering: pixelated; background: #eee; border-radius: 4px; }
            .caption { font-weight: 600; margin: 6px 0 2px; } .meta { font-size: 12px; color: #666; }
            </style></head><body>
            <h1>oodsynth dataset: \(escape(report.directory))</h1>

            """
        html += "<p class=\"summary\">\(report.samples) samples (\(report.withImage) with images) in \(report.manifest.shards.count) shard(s), "
            + String(format: "%.0f KB", Double(report.manifest.totalBytes) / 1024) + "; "
            + (report.damaged.isEmpty ? "every shard matches its sha256" : "<span class=\"bad\">damaged: \(escape(report.damaged.joined(separator: ", ")))</span>")
        if let header = report.manifest.header {
            if let model = header.model { html += "<br>model: \(escape(model.name)), \(model.dimension)-d" }
            html += "<br>stages: " + escape(header.stages.map(\.name).joined(separator: " → "))
            html += "<br>ID classes: " + escape(header.classes.joined(separator: ", "))
        }
        html += "</p>\n<h2>Counts</h2><div class=\"row\">\n"
        for category in DatasetReport.categories {
            guard let values = report.counts[category] else { continue }
            html += "<div class=\"box\"><b>\(escape(category))</b><table>"
            for (value, count) in values.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                html += "<tr><td>\(escape(value))</td><td class=\"n\">\(count)</td></tr>"
            }
            html += "</table></div>\n"
        }
        html += "</div>\n<h2>Filter scores</h2><div class=\"row\">\n"
        for (name, _) in DatasetReport.scoreFields {
            guard let values = report.scores[name], !values.isEmpty else { continue }
            html += "<div class=\"box\"><b>\(escape(name))</b><br>\(histogram(values))</div>\n"
        }
        html += "</div>\n<h2>Contact sheet (\(report.sheet.count) of \(report.samples), evenly spaced)</h2><div class=\"sheet\">\n"
        for item in report.sheet {
            let scores = item.scores.map { String(format: "%@ %.3f", $0.name, $0.value) }.joined(separator: "<br>")
            html += """
                <div class="card"><img alt="\(escape(item.key))" src="data:\(item.imageType);base64,\(Data(item.image).base64EncodedString())">
                <div class="caption">\(escape(item.caption))</div>
                <div class="meta">\(escape(item.key)) · \(escape(item.gapMethod)) · \(escape(item.family))<br>nearest ID class: \(escape(item.nearestClass))<br>\(scores)</div></div>

                """
        }
        html += "</div>\n</body></html>\n"
        return html
    }

    /// An SVG bar chart of ten equal-width bins, labelled with the range.
    static func histogram(_ values: [Double]) -> String {
        let (low, high, counts) = DatasetReport.histogram(values)
        let top = max(1, counts.max() ?? 1)
        let width = 200.0, height = 60.0, bar = width / Double(max(1, counts.count))
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height) + 16)\" viewBox=\"0 0 \(Int(width)) \(Int(height) + 16)\">"
        for (index, count) in counts.enumerated() {
            let h = height * Double(count) / Double(top)
            svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4a7bd0\"><title>%d</title></rect>",
                          Double(index) * bar + 1, height - h, bar - 2, h, count)
        }
        svg += String(format: "<text x=\"0\" y=\"%.0f\" font-size=\"11\">%.3f</text>", height + 13, low)
        svg += String(format: "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"end\">%.3f</text>", width, height + 13, high)
        return svg + "</svg>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
