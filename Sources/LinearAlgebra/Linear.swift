import COpenBLAS

/// A fully connected layer y = x · Wᵀ + b with Hugging Face's weight layout [out, in].
public struct Linear: Sendable {
    /// [outputs, inputs].
    public let weight: Matrix
    /// `outputs` values, or nil for a layer without bias.
    public let bias: [Float]?

    public init(weight: Matrix, bias: [Float]?) throws(LinearAlgebraError) {
        if let bias, bias.count != weight.rows {
            throw .shapeMismatch("Linear bias has \(bias.count) values for \(weight.rows) outputs")
        }
        self.weight = weight
        self.bias = bias
    }

    /// Stacks layers that read the same input into one (query, key and value become one GEMM that
    /// streams the input once and gives BLAS a wider, more efficient problem).
    public init(stacking layers: [Linear]) throws(LinearAlgebraError) {
        guard let first = layers.first, layers.allSatisfy({ $0.inputs == first.inputs }) else {
            throw .shapeMismatch("stacked Linear layers need the same, non-empty input width")
        }
        let stacked = Matrix(rows: layers.reduce(0) { $0 + $1.outputs }, columns: first.inputs)
        var row = 0
        for layer in layers {
            stacked.pointer(row: row).update(from: layer.weight.base, count: layer.weight.count)
            row += layer.outputs
        }
        let hasBias = layers.contains { $0.bias != nil }
        let bias: [Float]? = hasBias ? layers.flatMap { $0.bias ?? [Float](repeating: 0, count: $0.outputs) } : nil
        try self.init(weight: stacked, bias: bias)
    }

    public var inputs: Int { weight.columns }
    public var outputs: Int { weight.rows }

    /// output = input · Wᵀ + b. The bias is written first and BLAS accumulates onto it (beta = 1),
    /// which fuses the bias add into the GEMM instead of a second pass over the output.
    public func apply(_ input: Matrix, into output: Matrix) throws(LinearAlgebraError) {
        try run(input, into: output, accumulate: false)
    }

    /// output += input · Wᵀ + b: a residual connection fused into the layer's GEMM.
    public func accumulate(_ input: Matrix, into output: Matrix) throws(LinearAlgebraError) {
        try run(input, into: output, accumulate: true)
    }

    /// Only the outputs `range` of the layer: output[r, column + j] = input[r] · W[range.lowerBound + j] + b,
    /// the other columns of `output` untouched. A stacked query/key/value layer gives keys and values
    /// for every row this way and queries for just the rows that need them. Each value is the same
    /// bits as in the whole layer's product on BLIS, which never lets the shape of a call change an
    /// element's sum.
    public func apply(_ input: Matrix, outputs range: Range<Int>, into output: Matrix, column: Int) throws(LinearAlgebraError) {
        guard input.columns == inputs, range.lowerBound >= 0, range.upperBound <= outputs, column >= 0,
              column + range.count <= output.columns, output.rows == input.rows else {
            throw .shapeMismatch(
                "Linear [\(outputs), \(inputs)] outputs \(range) applied to [\(input.rows), \(input.columns)] " +
                "into [\(output.rows), \(output.columns)] at column \(column)")
        }
        run(input, outputs: range, into: output.base + column, ldc: output.columns, accumulate: false)
    }

    private func run(_ input: Matrix, into output: Matrix, accumulate: Bool) throws(LinearAlgebraError) {
        guard input.columns == inputs, output.columns == outputs, output.rows == input.rows else {
            throw .shapeMismatch(
                "Linear [\(outputs), \(inputs)] applied to [\(input.rows), \(input.columns)] into [\(output.rows), \(output.columns)]")
        }
        run(input, outputs: 0..<outputs, into: output.base, ldc: output.columns, accumulate: accumulate)
    }

    private func run(_ input: Matrix, outputs range: Range<Int>, into output: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        var beta: Float = accumulate ? 1 : 0
        if let bias {
            bias.withUnsafeBufferPointer { source in
                guard let from = source.baseAddress?.advanced(by: range.lowerBound) else { return }
                for row in 0..<input.rows {
                    if accumulate {
                        cblas_saxpy(blasint(range.count), 1, from, 1, output + row * ldc, 1)
                    } else {
                        (output + row * ldc).update(from: from, count: range.count)
                    }
                }
            }
            beta = 1
        }
        Matrix.gemm(transposeA: false, transposeB: true, m: input.rows, n: range.count, k: inputs,
                    a: input.base, lda: inputs, b: weight.pointer(row: range.lowerBound), ldb: inputs,
                    beta: beta, c: output, ldc: ldc)
    }

    /// A new matrix holding input · Wᵀ + b.
    public func callAsFunction(_ input: Matrix) throws(LinearAlgebraError) -> Matrix {
        let output = Matrix(rows: input.rows, columns: outputs)
        try apply(input, into: output)
        return output
    }
}
