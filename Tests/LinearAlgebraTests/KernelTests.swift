import Foundation
import Testing
@testable import LinearAlgebra

@Suite struct KernelTests {
    @Test func expIsAccurateOverTheUsefulRange() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(VectorMath.exp(x)) - exact) / exact)
            x += 0.0137
        }
        #expect(worst < 5e-7)
        #expect(VectorMath.exp(-1000) < 1e-37)
    }

    @Test func erfIsAccurate() {
        var worst = 0.0
        var x: Float = -6
        while x < 6 {
            let fast = VectorMath.erf(x)
            worst = max(worst, abs(Double(fast) - Foundation.erf(Double(x))))
            x += 0.001
        }
        #expect(worst < 5e-7)
    }

    @Test(arguments: [1, 7, 8, 13, 77])
    func softmaxSumsToOneAndMatches(count: Int) {
        var seed = UInt64(count)
        var x = Reference.random(count, seed: &seed, scale: 30)
        let expected = Reference.softmax(x.map(Double.init))
        x.withUnsafeMutableBufferPointer { VectorMath.softmax($0.baseAddress!, count: count) }
        #expect(Reference.maxError(x, expected) < 1e-6)
    }

    @Test func activationsMatchTheirDefinitions() throws {
        let inputs: [Float] = (0..<203).map { Float($0) * 0.1 - 10 }
        let definitions: [(Activation, (Double) -> Double)] = [
            (.gelu, { $0 * 0.5 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }),
            (.quickGELU, { $0 / (1 + Foundation.exp(-1.702 * $0)) }),
            (.geluTanh, { 0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }),
            (.relu, { max(0, $0) }),
        ]
        for (activation, definition) in definitions {
            let m = try Matrix(rows: 1, columns: inputs.count, values: inputs)
            activation.apply(m)
            #expect(Reference.maxError(m.values, inputs.map { definition(Double($0)) }) < 2e-6, "\(activation)")
        }
        #expect(try Activation(configName: "gelu_pytorch_tanh") == .geluTanh)
        #expect(throws: LinearAlgebraError.unknownActivation("swish")) { try Activation(configName: "swish") }
    }

    @Test func layerNormMatchesDefinition() throws {
        var seed: UInt64 = 3
        for width in [1, 5, 32, 387] {
            let x = Reference.matrix(4, width, seed: &seed, scale: 5)
            for i in 0..<x.count { x.base[i] += 100 }  // a large mean must not cost precision
            let norm = try LayerNorm(weight: Reference.random(width, seed: &seed), bias: Reference.random(width, seed: &seed), epsilon: 1e-5)
            let y = Matrix(rows: 4, columns: width)
            try norm.apply(x, into: y)
            var expected: [Double] = []
            for row in x.rowArrays {
                let values = row.map(Double.init)
                let mean = values.reduce(0, +) / Double(width)
                let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
                for (i, v) in values.enumerated() {
                    expected.append((v - mean) / (variance + 1e-5).squareRoot() * Double(norm.weight[i]) + Double(norm.bias[i]))
                }
            }
            #expect(Reference.maxError(y.values, expected) < 1e-4)
            try norm.apply(x, into: x)  // in place
            #expect(x.values == y.values)
        }
    }
}
