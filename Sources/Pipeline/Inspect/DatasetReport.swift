import Foundation
import OODCore
import WebDataset

/// What `oodsynth inspect` found in a written dataset: its manifest, whether each shard still has
/// the sha256 its stats recorded, counts by gap method, caption family and nearest ID class, the
/// filter's score distributions, and a few samples for a contact sheet.
public struct DatasetReport: Sendable {
    public struct SheetItem: Sendable {
        public var key: String
        public var image: [UInt8]
        public var imageType: String
        public var caption: String
        public var gapMethod: String
        public var family: String
        public var nearestClass: String
        /// Name and value of each filter score the sample has.
        public var scores: [(name: String, value: Double)]
    }

    /// A score's name as shown, and where it lives in `json.filter`.
    public static let scoreFields = [("alignment", "alignment"), ("novelty (k-NN distance)", "knn_distance"),
                                     ("ID similarity", "id_similarity"), ("nearest ID image", "nearest_id_similarity")]

    public var directory: String
    public var manifest: ShardManifest
    /// Shards whose bytes no longer match their recorded sha256 (or that are missing).
    public var damaged: [String] = []
    public var samples = 0
    public var withImage = 0
    /// Counts per category ("gap method", "caption family", "nearest ID class"), by value.
    public var counts: [String: [String: Int]] = [:]
    /// Values of each score, by the names in `scoreFields`.
    public var scores: [String: [Double]] = [:]
    public var sheet: [SheetItem] = []

    public static let categories = ["gap method", "caption family", "nearest ID class"]

    /// Reads `directory` (a `write` output). `sheetSize` samples, spread evenly over the dataset,
    /// are kept whole for the contact sheet; of the others only their scores and labels.
    public static func read(_ directory: String, sheetSize: Int = 48, progress: (String) -> Void = { _ in }) throws -> DatasetReport {
        let manifestPath = directory + "/" + ShardManifest.fileName
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw PipelineError.inputFailed(directory, reason: "no \(ShardManifest.fileName): not a folder written by oodsynth write (or run)")
        }
        let manifest: ShardManifest
        do {
            manifest = try JSONDecoder().decode(ShardManifest.self, from: data)
        } catch {
            throw PipelineError.inputFailed(manifestPath, reason: "not a shard manifest: \(error)")
        }
        var report = DatasetReport(directory: directory, manifest: manifest)
        let total = max(1, manifest.totalCount)
        let wanted = Set((0..<min(sheetSize, manifest.totalCount)).map { $0 * total / max(1, min(sheetSize, manifest.totalCount)) })
        var index = 0
        for shard in manifest.shards {
            let path = directory + "/" + shard.name
            guard let bytes = FileManager.default.contents(atPath: path) else {
                report.damaged.append(shard.name)
                continue
            }
            if SHA256.hex(SHA256.hash([UInt8](bytes))) != shard.sha256 { report.damaged.append(shard.name) }
            // A shard that cannot be read to its end is damaged; the samples before the break count.
            do {
                let reader = try SampleReader(path: path)
                while let sample = try reader.next() {
                    report.add(sample, keepWhole: wanted.contains(index))
                    index += 1
                    progress("inspect: \(index) samples")
                }
            } catch {
                if report.damaged.last != shard.name { report.damaged.append(shard.name) }
            }
        }
        return report
    }

    mutating func add(_ sample: Sample, keepWhole: Bool) {
        samples += 1
        let json = JSONValue.object(from: sample["json"] ?? []) ?? [:]
        var filter: [String: JSONValue] = [:]
        if case .object(let object)? = json["filter"] { filter = object }
        let method = json["gap_method"]?.stringValue ?? "-"
        let family = json["family"]?.stringValue ?? "-"
        let nearest = filter["nearest_class"]?.stringValue ?? "-"
        for (category, value) in zip(Self.categories, [method, family, nearest]) {
            counts[category, default: [:]][value, default: 0] += 1
        }
        var sampleScores: [(name: String, value: Double)] = []
        for (name, field) in Self.scoreFields {
            guard let value = filter[field].flatMap(Self.number) else { continue }
            scores[name, default: []].append(value)
            sampleScores.append((name, value))
        }
        let image = sample["png"].map { ($0, "image/png") } ?? sample["jpg"].map { ($0, "image/jpeg") }
        if image != nil { withImage += 1 }
        if keepWhole, let image {
            sheet.append(SheetItem(key: sample.key, image: image.0, imageType: image.1, caption: sample.text ?? "",
                                   gapMethod: method, family: family, nearestClass: nearest, scores: sampleScores))
        }
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let n): return n
        case .integer(let n): return Double(n)
        default: return nil
        }
    }

    /// Ten equal-width bins from the smallest to the largest value.
    public static func histogram(_ values: [Double], bins: Int = 10) -> (low: Double, high: Double, counts: [Int]) {
        guard let low = values.min(), let high = values.max() else { return (0, 0, []) }
        var counts = [Int](repeating: 0, count: bins)
        let width = (high - low) / Double(bins)
        for value in values {
            let bin = width > 0 ? min(bins - 1, Int((value - low) / width)) : 0
            counts[bin] += 1
        }
        return (low, high, counts)
    }

    /// The plain-text summary `inspect` prints.
    public var text: String {
        var lines: [String] = []
        let kb = Double(manifest.totalBytes) / 1024
        lines.append("dataset \(directory): \(samples) samples (\(withImage) with images) in \(manifest.shards.count) shard(s), "
                     + String(format: "%.0f KB", kb) + "; "
                     + (damaged.isEmpty ? "every shard matches its sha256" : "DAMAGED: \(damaged.joined(separator: ", "))"))
        if let header = manifest.header {
            if let model = header.model { lines.append("model: \(model.name), \(model.dimension)-d") }
            lines.append("stages: " + header.stages.map(\.name).joined(separator: " > "))
            lines.append("ID classes: \(header.classes.count)")
        }
        for category in Self.categories {
            guard let values = counts[category] else { continue }
            lines.append("\(category): " + values.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        for (name, _) in Self.scoreFields {
            guard let values = scores[name], !values.isEmpty else { continue }
            let sorted = values.sorted()
            let bars = Self.histogram(values).counts
            let top = max(1, bars.max() ?? 1)
            let blocks = Array("▁▂▃▄▅▆▇█")
            let spark = String(bars.map { $0 == 0 ? " " : blocks[min(7, ($0 * 8 - 1) / top)] })
            lines.append(String(format: "%@: min %.3f, median %.3f, max %.3f  [%@]", name, sorted.first!, sorted[sorted.count / 2], sorted.last!, spark))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
