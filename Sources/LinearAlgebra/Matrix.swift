/// A dense rows x columns matrix of Float32 in contiguous row-major storage.
///
/// A class over one aligned allocation rather than a copy-on-write array: the transformer hot loops
/// hand the same buffers to BLAS and to the kernels many times per layer, and must never copy them.
/// Not synchronized: share a matrix across threads only while nobody writes it (model weights).
public final class Matrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    /// Start of the `rows * columns` elements, 64-byte aligned for the SIMD kernels and BLAS.
    public let base: UnsafeMutablePointer<Float>

    /// A zero-filled matrix.
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "negative matrix dimension")
        self.rows = rows
        self.columns = columns
        let count = max(1, rows * columns)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.initializeMemory(as: Float.self, repeating: 0, count: count)
    }

    /// A matrix holding `values` in row-major order.
    public convenience init(rows: Int, columns: Int, values: [Float]) throws(LinearAlgebraError) {
        guard rows >= 0, columns >= 0, values.count == rows * columns else {
            throw .shapeMismatch("Matrix(rows: \(rows), columns: \(columns)) given \(values.count) values")
        }
        self.init(rows: rows, columns: columns)
        values.withUnsafeBufferPointer { source in
            if let from = source.baseAddress { base.update(from: from, count: values.count) }
        }
    }

    deinit {
        base.deallocate()
    }

    public var count: Int { rows * columns }

    public var shape: [Int] { [rows, columns] }

    public subscript(row: Int, column: Int) -> Float {
        get { base[row * columns + column] }
        set { base[row * columns + column] = newValue }
    }

    /// Pointer to the first element of `row`.
    @inline(__always)
    public func pointer(row: Int) -> UnsafeMutablePointer<Float> {
        base + row * columns
    }

    /// All elements in row-major order.
    public var values: [Float] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// One array per row.
    public var rowArrays: [[Float]] {
        (0..<rows).map { Array(UnsafeBufferPointer(start: pointer(row: $0), count: columns)) }
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) {
        base.update(repeating: value, count: count)
    }

    /// An independent copy.
    public func copy() -> Matrix {
        let result = Matrix(rows: rows, columns: columns)
        result.base.update(from: base, count: count)
        return result
    }
}
