import Foundation
import LinearAlgebra
import Testing
@testable import Encoders

/// Ridge regression is checked on data that is exactly linear, where a vanishing penalty must give
/// the generating map back (or, with fewer samples than features, reproduce the training targets).
@Suite struct RidgeMapTests {
    /// A small deterministic source of values in (-1, 1), independent of the code under test.
    struct Values {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) * 2 - 1
        }
        mutating func array(_ count: Int) -> [Float] { (0..<count).map { _ in next() } }
    }

    /// Features in (-1, 1) plus an offset per column, so centring actually matters.
    static func features(_ rows: Int, _ columns: Int, values: inout Values) throws -> Matrix {
        let raw = values.array(rows * columns)
        return try Matrix(rows: rows, columns: columns, values: raw.indices.map { raw[$0] * 2 + Float($0 % columns) })
    }

    /// y = x·W + b computed in Double; `w` is `features x outputs`.
    static func linear(_ x: Matrix, w: [Float], b: [Float]) throws -> Matrix {
        let outputs = b.count
        var y = [Float](repeating: 0, count: x.rows * outputs)
        for row in 0..<x.rows {
            for output in 0..<outputs {
                var total = Double(b[output])
                for feature in 0..<x.columns { total += Double(x[row, feature]) * Double(w[feature * outputs + output]) }
                y[row * outputs + output] = Float(total)
            }
        }
        return try Matrix(rows: x.rows, columns: outputs, values: y)
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test func recoversLinearMapWithMoreSamplesThanFeatures() throws {
        // 60 samples, 5 features: the primal (features x features) system.
        var values = Values(state: 1)
        let (n, f, d) = (60, 5, 3)
        let x = try Self.features(n, f, values: &values)
        let w = values.array(f * d).map { $0 * 3 }
        let b: [Float] = [0.5, -2, 10]
        let y = try Self.linear(x, w: w, b: b)
        let map = try RidgeMap.fit(features: x, targets: y, penalty: 1e-8)
        #expect(map.weight.shape == [d, f])
        #expect(map.bias.count == d)
        // weight is outputs x features, the transpose of w.
        var worst: Float = 0
        for output in 0..<d {
            for feature in 0..<f { worst = max(worst, abs(map.weight[output, feature] - w[feature * d + output])) }
        }
        #expect(worst < 1e-3)
        #expect(Self.maxDifference(map.bias, b) < 1e-3)
        // Unseen points follow the same map.
        let fresh = try Self.features(7, f, values: &values)
        #expect(Self.maxDifference(try map.apply(fresh).values, try Self.linear(fresh, w: w, b: b).values) < 1e-3)
    }

    @Test func reproducesTargetsWithFewerSamplesThanFeatures() throws {
        // 8 samples, 30 features: the dual (samples x samples) system. W is not identifiable, but the
        // minimum-norm fit still passes through every training point.
        var values = Values(state: 2)
        let (n, f, d) = (8, 30, 4)
        let x = try Self.features(n, f, values: &values)
        let w = values.array(f * d)
        let b: [Float] = [1, -1, 0.25, 3]
        let y = try Self.linear(x, w: w, b: b)
        let map = try RidgeMap.fit(features: x, targets: y, penalty: 1e-6)
        #expect(map.weight.shape == [d, f])
        let predicted = try map.apply(x)
        #expect(predicted.shape == [n, d])
        // Targets span several units, so 1e-3 is a tight relative match.
        #expect(Self.maxDifference(predicted.values, y.values) < 1e-3)
    }

    @Test(arguments: [(40, 6), (5, 12)])
    func hugePenaltyPredictsTheTargetMean(samples: Int, features: Int) throws {
        // Both paths: with the weights shrunk to nothing, the bias alone must be the target mean,
        // which checks that the centring is folded back into the bias correctly.
        var values = Values(state: 3)
        let x = try Self.features(samples, features, values: &values)
        let y = try Matrix(rows: samples, columns: 2, values: values.array(samples * 2).map { $0 + 5 })
        let map = try RidgeMap.fit(features: x, targets: y, penalty: 1e12)
        #expect(map.weight.values.allSatisfy { abs($0) < 1e-6 })
        let mean = (0..<2).map { column in (0..<samples).reduce(Float(0)) { $0 + y[$1, column] } / Float(samples) }
        #expect(Self.maxDifference(map.bias, mean) < 1e-4)
    }

    @Test func constantFeatureGetsNoWeight() throws {
        // A constant column carries no information; it must not blow up the standardization.
        var values = Values(state: 4)
        let (n, f) = (30, 3)
        let base = try Self.features(n, f, values: &values)
        let x = Matrix(rows: n, columns: f + 1)
        for row in 0..<n {
            for column in 0..<f { x[row, column] = base[row, column] }
            x[row, f] = 7
        }
        let w: [Float] = [1, -2, 0.5]
        let y = try Self.linear(base, w: w, b: [3])
        let map = try RidgeMap.fit(features: x, targets: y, penalty: 1e-8)
        #expect(map.weight.values.allSatisfy { $0.isFinite })
        #expect(abs(map.weight[0, f]) < 1e-4)
        #expect(Self.maxDifference(Array(map.weight.values.prefix(f)), w) < 1e-3)
        #expect(abs(map.bias[0] - 3) < 1e-3)
    }

    @Test func applyIsFeaturesTimesWeightTransposedPlusBias() throws {
        var values = Values(state: 5)
        let weight = try Matrix(rows: 3, columns: 5, values: values.array(15))
        let bias: [Float] = [0.5, -1, 2]
        let map = try RidgeMap(weight: weight, bias: bias)
        let x = try Matrix(rows: 4, columns: 5, values: values.array(20))
        let output = try map.apply(x)
        #expect(output.shape == [4, 3])
        for row in 0..<4 {
            for out in 0..<3 {
                var expected = Double(bias[out])
                for k in 0..<5 { expected += Double(x[row, k]) * Double(weight[out, k]) }
                #expect(abs(Double(output[row, out]) - expected) < 1e-5, "[\(row), \(out)]")
            }
        }
        #expect(try map.apply(Matrix(rows: 0, columns: 5)).shape == [0, 3])
    }

    @Test func mismatchedShapesThrow() throws {
        #expect(throws: LinearAlgebraError.self) { try RidgeMap(weight: Matrix(rows: 3, columns: 2), bias: [0, 0]) }
        let map = try RidgeMap(weight: Matrix(rows: 2, columns: 3), bias: [0, 0])
        #expect(throws: LinearAlgebraError.self) { try map.apply(Matrix(rows: 4, columns: 2)) }
        #expect(throws: LinearAlgebraError.self) {
            try RidgeMap.fit(features: Matrix(rows: 5, columns: 3), targets: Matrix(rows: 4, columns: 2), penalty: 1)
        }
        #expect(throws: LinearAlgebraError.self) {
            try RidgeMap.fit(features: Matrix(rows: 0, columns: 3), targets: Matrix(rows: 0, columns: 2), penalty: 1)
        }
        #expect(throws: LinearAlgebraError.self) {
            try RidgeMap.fit(features: Matrix(rows: 5, columns: 3), targets: Matrix(rows: 5, columns: 0), penalty: 1)
        }
    }
}
