import Foundation
import Gaps
import OODCore
import WebDataset

/// `oodsynth knn`: the map half of gaps' density. Reads the embedded ID set as gaps does and writes
/// the k-th-NN distances of one block of its points (`rows`) to an `.npy` vector; `gaps --self-knn`
/// takes the blocks in order instead of computing the N x N products itself. The blocks are fixed by
/// the plan, and each point's distance has the same bits in any block, so the density (and every gap)
/// is the single-process one.
public struct KNNStage {
    public let gaps: GapsStage
    public let rows: Range<Int>
    public let output: String

    public init(gaps: GapsStage, rows: Range<Int>, output: String) {
        self.gaps = gaps
        self.rows = rows
        self.output = output
    }

    public func run(reading reader: SampleReader, inputName: String) throws -> String {
        let started = ProcessInfo.processInfo.systemUptime
        var summary = GapsSummary()
        let (_, set) = try gaps.readSet(reader, inputName: inputName, summary: &summary)
        let k = gaps.densityK(count: set.count)
        let distances = try KNNIndex(vectors: set.vectors).selfKthDistances(k: k, rows: rows)
        let bytes = NPY.encode(distances, shape: [distances.count])
        // Written whole, then renamed (.atomic): a retried task never leaves half a block behind.
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw PipelineError.outputFailed(output, reason: "cannot write: \(error.localizedDescription)")
        }
        let clamped = rows.clamped(to: 0..<set.count)
        return String(format: "knn: k-th-NN distances (k=%d) of ID points %d..<%d of %d, %.1f s",
                      k, clamped.lowerBound, clamped.upperBound, set.count, ProcessInfo.processInfo.systemUptime - started)
    }
}
