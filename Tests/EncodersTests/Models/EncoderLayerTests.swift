import Testing
@testable import Encoders
@testable import LinearAlgebra

@Suite struct EncoderLayerTests {
    /// A layer with random weights of the given shape.
    static func layer(_ placement: EncoderLayer.NormPlacement, hidden: Int, intermediate: Int, heads: Int, seed: UInt64) throws -> EncoderLayer {
        var state = seed
        func values(_ count: Int, scale: Float) -> [Float] {
            (0..<count).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return (Float(state >> 40) / Float(1 << 24) - 0.5) * 2 * scale
            }
        }
        func linear(_ outputs: Int, _ inputs: Int) throws -> Linear {
            try Linear(weight: Matrix(rows: outputs, columns: inputs, values: values(outputs * inputs, scale: 1 / Float(inputs).squareRoot())),
                       bias: values(outputs, scale: 0.1))
        }
        func norm() throws -> LayerNorm {
            try LayerNorm(weight: values(hidden, scale: 0.5).map { $0 + 1 }, bias: values(hidden, scale: 0.1), epsilon: 1e-5)
        }
        return EncoderLayer(
            placement: placement, heads: heads, queryKeyValue: try linear(3 * hidden, hidden), attentionOutput: try linear(hidden, hidden),
            attentionNorm: try norm(), expand: try linear(intermediate, hidden), contract: try linear(hidden, intermediate),
            mlpNorm: try norm(), activation: .quickGELU)
    }

    /// The last layer of a pooling model runs for the pooled rows only; each must be the same bits as
    /// that row of the whole layer, or embeddings would change with the shortcut.
    @Test(arguments: [(EncoderLayer.NormPlacement.beforeBlock, false), (.beforeBlock, true), (.afterBlock, false)])
    func keptRowsAreTheBitsOfTheWholeLayer(placement: EncoderLayer.NormPlacement, causal: Bool) throws {
        try GEMMKernel.requireBLIS()
        let (hidden, intermediate, heads) = (96, 384, 3)
        let layer = try Self.layer(placement, hidden: hidden, intermediate: intermediate, heads: heads, seed: causal ? 3 : 4)
        let lengths = [50, 7, 1, 90]
        let tokens = lengths.reduce(0, +)
        var state: UInt64 = 9
        let input = try Matrix(rows: tokens, columns: hidden, values: (0..<(tokens * hidden)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 4 - 2
        })
        let whole = input.copy()
        try layer.apply(whole, lengths: lengths, causal: causal, workspace: .init(tokens: tokens, hidden: hidden, intermediate: intermediate))
        let starts = lengths.indices.map { lengths[..<$0].reduce(0, +) }
        for positions in [lengths.map { _ in 0 }, lengths.map { $0 - 1 }, [17, 3, 0, 88]] {
            let states = input.copy()
            let kept = try layer.apply(states, lengths: lengths, causal: causal, keeping: positions,
                                       workspace: .init(tokens: tokens, hidden: hidden, intermediate: intermediate))
            for (index, (start, position)) in zip(starts, positions).enumerated() {
                #expect(kept.rowArrays[index].map(\.bitPattern) == whole.rowArrays[start + position].map(\.bitPattern),
                        "sequence \(index) at \(position)")
            }
            if placement == .beforeBlock { #expect(states.values == input.values, "the states are left as they were") }
        }
    }
}
