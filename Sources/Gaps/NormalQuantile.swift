import Foundation

/// Quantiles of the standard normal distribution by Acklam's rational approximation (relative error
/// below 1.2e-9), refined by one Halley step on erfc. Used to draw the largest of M normals directly.
enum NormalQuantile {
    /// z with P(Z > z) = tail, for tail in (0, 1). Taking the tail probability (not 1 - tail) keeps
    /// full precision for the extreme quantiles that the least likely of 10⁸ draws needs.
    static func upper(tail: Double) -> Double {
        let q = min(max(tail, 1e-300), 1 - 1e-16)
        let low = 0.02425
        var z: Double
        if q < low {
            // Acklam's lower-tail branch gives Φ⁻¹(q) < 0; the upper quantile is its negative.
            let r = (-2 * log(q)).squareRoot()
            z = -(((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5])
                / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1)
        } else if q > 1 - low {
            let r = (-2 * log(1 - q)).squareRoot()
            z = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5])
                / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1)
        } else {
            let p = 0.5 - q
            let r = p * p
            z = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * p
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        // Halley refinement against the exact tail 0.5·erfc(z/√2).
        let error = 0.5 * erfc(z / 2.0.squareRoot()) - q
        let u = -error * (2 * Double.pi).squareRoot() * exp(z * z / 2)
        z -= u / (1 + z * u / 2)
        return z
    }

    private static let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    private static let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                            6.680131188771972e+01, -1.328068155288572e+01]
    private static let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    private static let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                            3.754408661907416e+00]
}
