import Foundation
import Testing
@testable import LinearAlgebra

@Suite struct MatrixTests {
    @Test func valuesRoundTripRowMajor() throws {
        let m = try Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6])
        #expect(m[1, 0] == 4)
        #expect(m.rowArrays == [[1, 2, 3], [4, 5, 6]])
        #expect(Int(bitPattern: m.base) % 64 == 0)
        let copy = m.copy()
        copy[0, 0] = 9
        #expect(m[0, 0] == 1)
    }

    @Test func rejectsWrongValueCount() {
        #expect(throws: LinearAlgebraError.self) { try Matrix(rows: 2, columns: 2, values: [1, 2, 3]) }
    }

    @Test func productMatchesDefinition() throws {
        var seed: UInt64 = 1
        for (m, n, k) in [(1, 1, 1), (7, 5, 3), (33, 17, 64), (64, 96, 200)] {
            let a = Reference.matrix(m, k, seed: &seed), b = Reference.matrix(n, k, seed: &seed)
            let c = Matrix(rows: m, columns: n)
            try c.assign(a, timesTransposeOf: b)
            #expect(Reference.maxError(c.values, Reference.productTransposed(a.values, b.values, m: m, n: n, k: k)) < 1e-4)
        }
        let a = Reference.matrix(3, 4, seed: &seed), b = Reference.matrix(4, 5, seed: &seed)
        let c = Matrix(rows: 3, columns: 5)
        try c.assign(a, times: b)
        #expect(abs(c[2, 4] - (0..<4).reduce(Float(0)) { $0 + a[2, $1] * b[$1, 4] }) < 1e-5)
        #expect(throws: LinearAlgebraError.self) { try c.assign(a, timesTransposeOf: b) }
    }

    @Test func linearAddsBiasAndStacks() throws {
        var seed: UInt64 = 2
        let x = Reference.matrix(9, 16, seed: &seed)
        let first = try Linear(weight: Reference.matrix(8, 16, seed: &seed), bias: Reference.random(8, seed: &seed))
        let second = try Linear(weight: Reference.matrix(4, 16, seed: &seed), bias: nil)
        let y = try first(x)
        #expect(Reference.maxError(y.values, Reference.productTransposed(x.values, first.weight.values, m: 9, n: 8, k: 16, bias: first.bias)) < 1e-5)
        let stacked = try Linear(stacking: [first, second])
        let both = try stacked(x)
        let alone = try second(x)
        for row in 0..<9 {
            #expect(Array(both.rowArrays[row][0..<8]) == y.rowArrays[row])
            #expect(Array(both.rowArrays[row][8...]) == alone.rowArrays[row])
        }
        #expect(throws: LinearAlgebraError.self) { try Linear(weight: Matrix(rows: 2, columns: 2), bias: [1]) }
        #expect(throws: LinearAlgebraError.self) { try first(Matrix(rows: 1, columns: 3)) }
    }

    /// A slice of a layer's outputs, written at a column of a wider matrix, is the same bits as those
    /// columns of the whole product, with and without bias, and leaves the other columns alone.
    @Test func linearOutputSliceIsTheBitsOfTheWholeProduct() throws {
        try GEMMKernel.requireBLIS()
        var seed: UInt64 = 5
        for (rows, inputs, outputs, bias) in [(9, 16, 24, false), (50, 96, 288, true), (1, 40, 120, true), (33, 7, 9, true)] {
            let layer = try Linear(weight: Reference.matrix(outputs, inputs, seed: &seed), bias: bias ? Reference.random(outputs, seed: &seed) : nil)
            let x = Reference.matrix(rows, inputs, seed: &seed)
            let whole = try layer(x)
            for range in [0..<(outputs / 3), (outputs / 3)..<outputs, 1..<(outputs - 1)] {
                let part = Matrix(rows: rows, columns: outputs + 5)
                part.fill(.nan)
                try layer.apply(x, outputs: range, into: part, column: 2)
                for row in 0..<rows {
                    #expect(part.rowArrays[row][(2)..<(2 + range.count)].map(\.bitPattern) == whole.rowArrays[row][range].map(\.bitPattern))
                    #expect(part.rowArrays[row][0..<2].allSatisfy(\.isNaN) && part.rowArrays[row][(2 + range.count)...].allSatisfy(\.isNaN))
                }
            }
            #expect(throws: LinearAlgebraError.self) { try layer.apply(x, outputs: 0..<(outputs + 1), into: Matrix(rows: rows, columns: outputs + 1), column: 0) }
            #expect(throws: LinearAlgebraError.self) { try layer.apply(x, outputs: 0..<outputs, into: Matrix(rows: rows, columns: outputs), column: 1) }
        }
    }

    @Test func addIsElementwise() throws {
        let a = try Matrix(rows: 1, columns: 3, values: [1, 2, 3])
        try a.add(Matrix(rows: 1, columns: 3, values: [10, 20, 30]))
        #expect(a.values == [11, 22, 33])
    }
}
