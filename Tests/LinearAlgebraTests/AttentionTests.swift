import Testing
@testable import LinearAlgebra

@Suite struct AttentionTests {
    /// Short sequences take the direct head products, the 80-token one BLAS (Attention.directHeadProduct).
    @Test(arguments: [(false, 24, 3, 9), (true, 24, 3, 9), (false, 128, 2, 80), (true, 128, 2, 80)])
    func matchesDefinitionWithPaddingMask(causal: Bool, hidden: Int, heads: Int, sequence: Int) throws {
        var seed: UInt64 = causal ? 11 : 12
        let lengths = [sequence, 4, 1, 0]
        let qkv = Reference.matrix(lengths.count * sequence, 3 * hidden, seed: &seed, scale: 2)
        let out = Matrix(rows: qkv.rows, columns: hidden)
        out.fill(.nan)
        try Attention.apply(qkv: qkv, into: out, batch: lengths.count, sequence: sequence, heads: heads, lengths: lengths, causal: causal)
        for (item, length) in lengths.enumerated() {
            let rows = Array(qkv.values[(item * sequence * 3 * hidden)..<((item + 1) * sequence * 3 * hidden)])
            let expected = Reference.attention(qkv: rows, hidden: hidden, heads: heads, length: length, padded: sequence, causal: causal)
            let actual = Array(out.values[(item * sequence * hidden)..<((item + 1) * sequence * hidden)])
            #expect(Reference.maxError(actual, expected) < 1e-5, "item \(item)")
        }
    }

    /// Changing what sits in padded positions must not change a single bit of the real positions.
    @Test func paddingNeverReachesRealTokens() throws {
        var seed: UInt64 = 13
        let (hidden, heads, sequence) = (16, 2, 6)
        let qkv = Reference.matrix(sequence, 3 * hidden, seed: &seed)
        let first = Matrix(rows: sequence, columns: hidden)
        try Attention.apply(qkv: qkv, into: first, batch: 1, sequence: sequence, heads: heads, lengths: [3], causal: true)
        for row in 3..<sequence { for c in 0..<(3 * hidden) { qkv[row, c] = 1e6 } }
        let second = Matrix(rows: sequence, columns: hidden)
        try Attention.apply(qkv: qkv, into: second, batch: 1, sequence: sequence, heads: heads, lengths: [3], causal: true)
        #expect(first.values == second.values)
    }

    /// Attention for one kept row per sequence is the same bits as that row of the full attention,
    /// for the direct head products and for BLAS (the 80-token sequence), causal or not, and wherever
    /// the kept row sits.
    @Test(arguments: [false, true])
    func keptRowsAreTheBitsOfTheFullAttention(causal: Bool) throws {
        try GEMMKernel.requireBLIS()
        var seed: UInt64 = causal ? 21 : 22
        let (hidden, heads) = (128, 2)
        let lengths = [9, 1, 80, 4, 50]
        let qkv = Reference.matrix(lengths.reduce(0, +), 3 * hidden, seed: &seed, scale: 2)
        let full = Matrix(rows: qkv.rows, columns: hidden)
        try Attention.apply(qkv: qkv, into: full, packedLengths: lengths, heads: heads, causal: causal)
        for positions in [lengths.map { $0 - 1 }, lengths.map { _ in 0 }, [4, 0, 37, 2, 49]] {
            let starts = lengths.indices.map { lengths[..<$0].reduce(0, +) }
            let queries = Matrix(rows: lengths.count, columns: hidden)
            for (index, (start, position)) in zip(starts, positions).enumerated() {
                queries.pointer(row: index).update(from: qkv.pointer(row: start + position), count: hidden)
            }
            // The kept path must not read the query columns of the qkv matrix.
            let poisoned = qkv.copy()
            for row in 0..<poisoned.rows { poisoned.pointer(row: row).update(repeating: .nan, count: hidden) }
            let kept = Matrix(rows: lengths.count, columns: hidden)
            try Attention.apply(queries: queries, qkv: poisoned, into: kept, positions: positions, packedLengths: lengths,
                                heads: heads, causal: causal)
            for (index, (start, position)) in zip(starts, positions).enumerated() {
                #expect(kept.rowArrays[index].map(\.bitPattern) == full.rowArrays[start + position].map(\.bitPattern),
                        "sequence \(index) at \(position)")
            }
        }
        #expect(throws: LinearAlgebraError.self) {
            try Attention.apply(queries: Matrix(rows: 5, columns: hidden), qkv: qkv, into: Matrix(rows: 5, columns: hidden),
                                positions: [9, 0, 0, 0, 0], packedLengths: lengths, heads: heads)
        }
    }

    @Test func rejectsBadShapes() {
        let qkv = Matrix(rows: 4, columns: 12)
        #expect(throws: LinearAlgebraError.self) {
            try Attention.apply(qkv: qkv, into: Matrix(rows: 4, columns: 4), batch: 2, sequence: 2, heads: 3)
        }
        #expect(throws: LinearAlgebraError.self) {
            try Attention.apply(qkv: qkv, into: Matrix(rows: 4, columns: 4), batch: 2, sequence: 2, heads: 2, lengths: [3, 1])
        }
    }
}

@Suite struct PackedAttentionTests {
    /// Packed sequences give exactly the real rows of the padded layout.
    @Test(arguments: [false, true])
    func packedEqualsPadded(causal: Bool) throws {
        var seed: UInt64 = 21
        let (hidden, heads, sequence) = (16, 4, 7)
        let lengths = [7, 2, 5]
        let padded = Reference.matrix(lengths.count * sequence, 3 * hidden, seed: &seed)
        let paddedOut = Matrix(rows: padded.rows, columns: hidden)
        try Attention.apply(qkv: padded, into: paddedOut, batch: 3, sequence: sequence, heads: heads, lengths: lengths, causal: causal)
        let packed = Matrix(rows: lengths.reduce(0, +), columns: 3 * hidden)
        let packedOut = Matrix(rows: packed.rows, columns: hidden)
        var row = 0
        for (item, length) in lengths.enumerated() {
            packed.pointer(row: row).update(from: padded.pointer(row: item * sequence), count: length * 3 * hidden)
            row += length
        }
        try Attention.apply(qkv: packed, into: packedOut, packedLengths: lengths, heads: heads, causal: causal)
        row = 0
        for (item, length) in lengths.enumerated() {
            for r in 0..<length { #expect(packedOut.rowArrays[row + r] == paddedOut.rowArrays[item * sequence + r]) }
            row += length
        }
    }
}
