import LinearAlgebra
import OODCore

/// What `train` learns: ID prototypes P [C, d], negative prototypes N [K, d], and the residual image
/// adapter a(x) = normalize(x + W2 · relu(W1 · x + b1)) with W1 [h, d], b1 [h], W2 [d, h].
///
/// Stored in `adapter.safetensors` under the names of `tensorNames`, the names
/// `scripts/oodsynth_adapter.py` reads.
public struct AdapterParameters {
    public var prototypes: Matrix
    public var negatives: Matrix
    public var w1: Matrix
    public var b1: Matrix
    public var w2: Matrix

    public static let tensorNames = ["prototypes", "negatives", "adapter.w1", "adapter.b1", "adapter.w2"]

    public var classes: Int { prototypes.rows }
    public var negativeCount: Int { negatives.rows }
    public var dimension: Int { prototypes.columns }
    public var hidden: Int { w1.rows }

    public init(prototypes: Matrix, negatives: Matrix, w1: Matrix, b1: Matrix, w2: Matrix) throws(TrainingError) {
        let (d, h) = (prototypes.columns, w1.rows)
        guard prototypes.rows > 0, negatives.columns == d, w1.columns == d, b1.rows == 1, b1.columns == h,
              w2.rows == d, w2.columns == h else {
            throw .badInput("adapter parameters of shapes P \(prototypes.shape), N \(negatives.shape), W1 \(w1.shape), "
                            + "b1 \(b1.shape), W2 \(w2.shape) do not fit together")
        }
        (self.prototypes, self.negatives, self.w1, self.b1, self.w2) = (prototypes, negatives, w1, b1, w2)
    }

    /// The starting point: P and N as given, W1 small random (He), b1 and W2 zero, so the adapter is the
    /// identity and the first logits are zero-shot ones.
    public static func initial(prototypes: Matrix, negatives: Matrix, hidden: Int, seed: UInt64) throws(TrainingError) -> AdapterParameters {
        let d = prototypes.columns
        let w1 = Matrix(rows: hidden, columns: d)
        var random = SeededGenerator(seed: seed, key: "adapter.w1")
        let spread = Float((2.0 / Double(d)).squareRoot())
        for index in 0..<w1.count { w1.base[index] = Float(random.nextNormal()) * spread }
        return try AdapterParameters(prototypes: prototypes.copy(), negatives: negatives.copy(), w1: w1,
                                     b1: Matrix(rows: 1, columns: hidden), w2: Matrix(rows: d, columns: hidden))
    }

    /// Every tensor in `tensorNames` order.
    public var tensors: [Matrix] { [prototypes, negatives, w1, b1, w2] }

    public func copy() -> AdapterParameters {
        // Shapes are those of self, which were checked when it was made.
        AdapterParameters(unchecked: prototypes.copy(), negatives.copy(), w1.copy(), b1.copy(), w2.copy())
    }

    /// Zero tensors of the same shapes: a gradient.
    public func zeros() -> AdapterParameters {
        AdapterParameters(unchecked: Matrix(rows: prototypes.rows, columns: prototypes.columns),
                          Matrix(rows: negatives.rows, columns: negatives.columns), Matrix(rows: w1.rows, columns: w1.columns),
                          Matrix(rows: 1, columns: b1.columns), Matrix(rows: w2.rows, columns: w2.columns))
    }

    private init(unchecked prototypes: Matrix, _ negatives: Matrix, _ w1: Matrix, _ b1: Matrix, _ w2: Matrix) {
        (self.prototypes, self.negatives, self.w1, self.b1, self.w2) = (prototypes, negatives, w1, b1, w2)
    }
}
