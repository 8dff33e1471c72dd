import Foundation

/// The cosine noise schedule of improved DDPM (Nichol & Dhariwal 2021): the signal share
/// alphaBar(t) = f(t) / f(0) with f(t) = cos^2(((t + s) / (1 + s)) * pi / 2), for t from 0 (clean) to 1.
public struct CosineSchedule: Sendable, Equatable {
    public var offset = 0.008
    /// Where sampling starts. At t = 1 the schedule has no signal left at all, and a denoiser that
    /// sees only noise returns the plain mean of its references; improved DDPM clips its last betas for
    /// the same reason. At 0.98, alphaBar is about 1e-3.
    public var start = 0.98

    public init() {}

    public func alphaBar(_ t: Double) -> Double {
        let f = { (t: Double) in pow(cos((t + offset) / (1 + offset) * Double.pi / 2), 2) }
        return min(1, max(0, f(t) / f(0)))
    }

    /// The signal shares a DDIM sampler visits: `steps + 1` values from `alphaBar(start)` up to 1
    /// (clean), evenly spaced in t.
    public func alphaBars(steps: Int) -> [Double] {
        (0...steps).map { alphaBar(start * Double(steps - $0) / Double(steps)) }
    }
}
