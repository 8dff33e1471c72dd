import CGEMM
import COpenBLAS

/// Elementwise kernels over raw Float32 runs.
///
/// Transformers spend their non-GEMM time in exp (softmax, sigmoid) and erf (GELU); libm calls cost
/// more than the matrix products of a small model, so these are branch-free polynomial versions,
/// accurate to a few ulp (exp) and 5e-7 absolute (erf), well inside the 1e-4 the models are held to.
/// They are plain scalar code in simple loops, which LLVM vectorizes in release builds; Swift's
/// generic SIMD types would also vectorize there but run a hundred times slower in debug (tests).
public enum VectorMath {
    /// e^x (Cephes expf: range reduction by ln 2, degree-6 polynomial, exponent bits).
    @inline(__always)
    public static func exp(_ input: Float) -> Float {
        let x = min(max(input, -87.3), 88.7)
        // Round x / ln 2 to the nearest integer with the 1.5 · 2^23 trick: no libm call, and the
        // integer lands in the low mantissa bits, ready to become the exponent.
        let magic: Float = 12582912
        let shifted = x * 1.44269504088896341 + magic
        let n = shifted - magic
        var r = x - n * 0.693359375
        r = r + n * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * (r * r) + r + 1
        let exponent = (shifted.bitPattern &- magic.bitPattern &+ 127) &<< 23
        return y * Float(bitPattern: exponent)
    }

    /// erf(x) (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7 before rounding).
    @inline(__always)
    public static func erf(_ x: Float) -> Float {
        let a = Swift.abs(x)
        let t = 1 / (a * 0.3275911 + 1)
        var p: Float = 1.061405429
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        let magnitude = 1 - p * t * exp(-(a * a))
        return Float(bitPattern: magnitude.bitPattern | (x.bitPattern & 0x8000_0000))
    }

    /// Applies `kernel` to `count` floats in place.
    @inline(__always)
    public static func map(_ data: UnsafeMutablePointer<Float>, count: Int, _ kernel: (Float) -> Float) {
        for index in 0..<count { data[index] = kernel(data[index]) }
    }

    /// Sum of `count` floats (BLAS dot product with a broadcast one: vectorized in every build).
    @inline(__always)
    public static func sum(_ data: UnsafePointer<Float>, count: Int) -> Float {
        var one: Float = 1
        return cblas_sdot(blasint(count), data, 1, &one, 0)
    }

    /// Sum of squares of `count` floats.
    @inline(__always)
    public static func sumOfSquares(_ data: UnsafePointer<Float>, count: Int) -> Float {
        cblas_sdot(blasint(count), data, 1, data, 1)
    }

    /// Softmax of `count` floats in place: subtract the maximum so exp never overflows.
    public static func softmax(_ data: UnsafeMutablePointer<Float>, count: Int) {
        softmax(data, count: count, allowVector: true)
    }

    /// Without `allowVector`, the exponentials by the scalar `exp` rather than CGEMM's AVX2 copy of it
    /// (the same bits; tests compare the two).
    static func softmax(_ data: UnsafeMutablePointer<Float>, count: Int, allowVector: Bool) {
        guard count > 0 else { return }
        var maximum = -Float.infinity
        for index in 0..<count { maximum = max(maximum, data[index]) }
        if !allowVector || cgemm_exp_shifted(data, count, maximum) == 0 {
            map(data, count: count) { exp($0 - maximum) }
        }
        cblas_sscal(blasint(count), 1 / sum(data, count: count), data, 1)
    }
}
