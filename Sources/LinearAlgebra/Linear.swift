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

    private func run(_ input: Matrix, into output: Matrix, accumulate: Bool) throws(LinearAlgebraError) {
        guard input.columns == inputs, output.columns == outputs, output.rows == input.rows else {
            throw .shapeMismatch(
                "Linear [\(outputs), \(inputs)] applied to [\(input.rows), \(input.columns)] into [\(output.rows), \(output.columns)]")
        }
        var beta: Float = accumulate ? 1 : 0
        if let bias {
            bias.withUnsafeBufferPointer { source in
                guard let from = source.baseAddress else { return }
                for row in 0..<output.rows {
                    if accumulate {
                        cblas_saxpy(blasint(outputs), 1, from, 1, output.pointer(row: row), 1)
                    } else {
                        output.pointer(row: row).update(from: from, count: outputs)
                    }
                }
            }
            beta = 1
        }
        Matrix.gemm(transposeA: false, transposeB: true, m: input.rows, n: outputs, k: inputs,
                    a: input.base, lda: inputs, b: weight.base, ldb: inputs,
                    beta: beta, c: output.base, ldc: outputs)
    }

    /// A new matrix holding input · Wᵀ + b.
    public func callAsFunction(_ input: Matrix) throws(LinearAlgebraError) -> Matrix {
        let output = Matrix(rows: input.rows, columns: outputs)
        try apply(input, into: output)
        return output
    }
}
