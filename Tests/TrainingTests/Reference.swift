import Foundation
import Workers
import LinearAlgebra
import OODCore
@testable import Training
import TestVenv

/// Small seeded problems, and the PyTorch reference of the objective (Tests/interop/adapter_objective.py).
enum Reference {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func unitRows(_ rows: Int, _ columns: Int, _ random: inout SeededGenerator) -> Matrix {
        let matrix = Matrix(rows: rows, columns: columns)
        for row in 0..<rows {
            let values = (0..<columns).map { _ in Float(random.nextNormal()) }
            let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            matrix.pointer(row: row).update(from: values.map { $0 / norm }, count: columns)
        }
        return matrix
    }

    static func random(_ rows: Int, _ columns: Int, scale: Float, _ random: inout SeededGenerator) -> Matrix {
        let matrix = Matrix(rows: rows, columns: columns)
        for index in 0..<matrix.count { matrix.base[index] = Float(random.nextNormal()) * scale }
        return matrix
    }

    struct Problem {
        var parameters: AdapterParameters
        var objective: AdapterObjective
        var batch: TrainingBatch
    }

    /// d 16, C 3, K 4, h 4; parameters away from their start (W2 nonzero) so every path is exercised.
    static func problem(seed: UInt64 = 1, id: Int = 10, synthetic: Int = 6, gaps: Int = 3, outlier: Float = 0.7) throws -> Problem {
        var random = SeededGenerator(seed: seed)
        let (d, c, k, h) = (16, 3, 4, 4)
        let p0 = unitRows(c, d, &random), n0 = unitRows(k, d, &random)
        let parameters = try AdapterParameters(
            prototypes: try add(p0, Self.random(c, d, scale: 0.1, &random)), negatives: try add(n0, Self.random(k, d, scale: 0.1, &random)),
            w1: Self.random(h, d, scale: 0.5, &random), b1: Self.random(1, h, scale: 0.1, &random), w2: Self.random(d, h, scale: 0.3, &random))
        var weights = AdapterObjective.Weights(scale: 10, outlier: outlier)
        weights.anchor = 0.5
        let objective = AdapterObjective(initialPrototypes: p0, initialNegatives: n0, weights: weights)
        let batch = TrainingBatch(
            idImages: unitRows(id, d, &random), idLabels: (0..<id).map { $0 % c },
            syntheticImages: unitRows(synthetic, d, &random), syntheticCaptions: unitRows(synthetic, d, &random),
            syntheticTargets: (0..<synthetic).map { c + $0 % k }, gaps: unitRows(gaps, d, &random))
        return Problem(parameters: parameters, objective: objective, batch: batch)
    }

    static func add(_ a: Matrix, _ b: Matrix) throws -> Matrix {
        let result = a.copy()
        for index in 0..<a.count { result.base[index] += b.base[index] }
        return result
    }

    /// Writes the problem as the reference reads it.
    static func write(_ problem: Problem, to url: URL) throws {
        var writer = SafeTensorsWriter()
        let p = problem.parameters, b = problem.batch, w = problem.objective.weights
        try writer.add("prototypes", matrix: p.prototypes)
        try writer.add("negatives", matrix: p.negatives)
        try writer.add("adapter.w1", matrix: p.w1)
        try writer.add("adapter.b1", shape: [p.hidden], values: p.b1.values)
        try writer.add("adapter.w2", matrix: p.w2)
        try writer.add("p0", matrix: problem.objective.initialPrototypes)
        try writer.add("n0", matrix: problem.objective.initialNegatives)
        try writer.add("id_images", matrix: b.idImages)
        try writer.add("id_labels", shape: [b.idLabels.count], values: b.idLabels.map(Float.init))
        try writer.add("syn_images", matrix: b.syntheticImages)
        try writer.add("syn_captions", matrix: b.syntheticCaptions)
        try writer.add("syn_targets", shape: [b.syntheticTargets.count], values: b.syntheticTargets.map(Float.init))
        try writer.add("gaps", matrix: b.gaps)
        try writer.add("weights", shape: [6], values: [w.scale, w.outlier, w.synthetic, w.gap, w.diversity, w.anchor])
        try Data(writer.bytes()).write(to: url)
    }

    /// Runs the reference (`grad` or `train STEPS`) and returns its output file.
    static func run(_ arguments: [String], problem: Problem) throws -> SafeTensors {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("oodsynth-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("problem.safetensors"), output = dir.appendingPathComponent("out.safetensors")
        try write(problem, to: input)
        let run = try ChildProcess.run(
            "/usr/bin/env", ["python3", repository.appendingPathComponent("Tests/interop/adapter_objective.py").path,
                             arguments[0], input.path, output.path] + arguments.dropFirst(),
            environment: Venv.environment)
        guard run.status == 0 else {
            throw TrainingError.badInput("adapter_objective.py failed: \(String(decoding: run.stderr, as: UTF8.self))")
        }
        let data = try Data(contentsOf: output)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("oodsynth-train-\(UUID().uuidString).safetensors")
        try data.write(to: copy)
        return try SafeTensors(url: copy)
    }

    static func maxAbs(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }
}
