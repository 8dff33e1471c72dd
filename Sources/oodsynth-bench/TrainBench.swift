import Foundation
import LinearAlgebra
import OODCore
import Training

/// One epoch of `train`'s objective and AdamW steps on seeded random unit vectors, the recipe and
/// sizes of scripts/peers/train_torch.py: prints the epoch's samples/s (ID + synthetic images).
func benchTrain() throws {
    let (n, m, g) = (option("--id", default: 50000), option("--synthetic", default: 100000), option("--gaps", default: 10000))
    let (c, k, d) = (option("--classes", default: 400), option("--negatives", default: 1600), option("--dim", default: 512))
    var random = SeededGenerator(seed: 0)
    func unit(_ rows: Int) -> Matrix {
        let matrix = Matrix(rows: rows, columns: d)
        for index in 0..<matrix.count { matrix.base[index] = Float(random.nextNormal()) }
        SphericalKMeans.normalizeRows(matrix, fallback: nil)
        return matrix
    }
    let (ids, labels) = (unit(n), (0..<n).map { _ in random.nextIndex(below: c) })
    let (syn, captions, gaps) = (unit(m), unit(m), unit(g))
    let (p0, n0) = (unit(c), unit(k))
    // Each caption's target: its nearest initial negative.
    let scores = Matrix(rows: m, columns: k)
    Matrix.gemm(transposeA: false, transposeB: true, m: m, n: k, k: d, a: captions.base, lda: d, b: n0.base, ldb: d, c: scores.base, ldc: k)
    let targets = (0..<m).map { row in c + (0..<k).max { scores[row, $0] < scores[row, $1] }! }
    let parameters = try AdapterParameters.initial(prototypes: p0, negatives: n0, hidden: d / 4, seed: 0)
    let objective = AdapterObjective(initialPrototypes: p0, initialNegatives: n0, weights: .init(scale: 1 / 0.07, outlier: 1))
    var optimizer = AdamW(learningRate: 1e-3, weightDecay: 1e-4, shapeOf: parameters)
    let gradient = parameters.zeros()
    let steps = (n + 255) / 256
    func gather(_ matrix: Matrix, _ rows: ArraySlice<Int>) -> Matrix {
        let result = Matrix(rows: rows.count, columns: d)
        for (row, index) in rows.enumerated() { result.pointer(row: row).update(from: matrix.pointer(row: index), count: d) }
        return result
    }
    func step(_ index: Int, _ orders: (id: [Int], syn: [Int], gap: [Int])) {
        let part = { (order: [Int]) in order[(order.count * index / steps)..<(order.count * (index + 1) / steps)] }
        let (i, s) = (part(orders.id), part(orders.syn))
        let batch = TrainingBatch(idImages: gather(ids, i), idLabels: i.map { labels[$0] }, syntheticImages: gather(syn, s),
                                  syntheticCaptions: gather(captions, s), syntheticTargets: s.map { targets[$0] },
                                  gaps: gather(gaps, part(orders.gap)))
        _ = objective.evaluate(parameters, on: batch, gradient: gradient)
        optimizer.update(parameters, gradient: gradient)
    }
    var shuffle = SeededGenerator(seed: 1)
    let warmup = (shuffle.sample(n, from: n), shuffle.sample(m, from: m), shuffle.sample(g, from: g))
    for index in 0..<3 { step(index, warmup) }
    let start = ProcessInfo.processInfo.systemUptime
    let orders = (shuffle.sample(n, from: n), shuffle.sample(m, from: m), shuffle.sample(g, from: g))
    for index in 0..<steps { step(index, orders) }
    let seconds = ProcessInfo.processInfo.systemUptime - start
    print(String(format: "%.1f", Double(n + m) / seconds))
    FileHandle.standardError.write(Data(String(format: "oodsynth: one epoch, %d steps, %.2f s (%@)\n", steps, seconds, GEMMKernel.name).utf8))
}
