/// Layer normalization over each row: (x - mean) / sqrt(var + eps) · weight + bias, with the biased
/// variance, as torch.nn.LayerNorm computes it.
public struct LayerNorm: Sendable {
    public let weight: [Float]
    public let bias: [Float]
    public let epsilon: Float

    public init(weight: [Float], bias: [Float], epsilon: Float) throws(LinearAlgebraError) {
        guard weight.count == bias.count else {
            throw .shapeMismatch("LayerNorm weight has \(weight.count) values, bias \(bias.count)")
        }
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    public var width: Int { weight.count }

    /// Normalizes every row of `input` into `output`; the two may be the same matrix.
    public func apply(_ input: Matrix, into output: Matrix) throws(LinearAlgebraError) {
        guard input.columns == width, output.columns == width, output.rows == input.rows else {
            throw .shapeMismatch("LayerNorm of width \(width) on [\(input.rows), \(input.columns)] into [\(output.rows), \(output.columns)]")
        }
        let parts = input.count >= Parallel.minimumElements ? Parallel.workers : 1
        let rowsPerPart = (input.rows + parts - 1) / parts
        Parallel.run(parts) { part in
            for row in (part * rowsPerPart)..<min(input.rows, (part + 1) * rowsPerPart) {
                normalize(input.pointer(row: row), into: output.pointer(row: row))
            }
        }
    }

    /// Normalizes one row of `width` floats; `source` and `destination` may alias.
    public func normalize(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>) {
        let n = width
        guard n > 0 else { return }
        let mean = VectorMath.sum(source, count: n) / Float(n)
        // Two passes (mean, then squared deviations) keep the variance exact for rows with a large mean.
        for index in 0..<n { destination[index] = source[index] - mean }
        let variance = VectorMath.sumOfSquares(destination, count: n) / Float(n)
        let scale = 1 / (variance + epsilon).squareRoot()
        weight.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                for index in 0..<n { destination[index] = destination[index] * scale * w[index] + b[index] }
            }
        }
    }
}
