import Foundation
import Imaging
import OODCore

/// The builtin backend's sampler: training-free diffusion whose denoiser is the closed-form
/// `PatchDenoiser` over the references nearest to a target embedding, run by a deterministic DDIM
/// sampler (eta = 0) on the cosine schedule.
///
/// Patches shrink as the noise falls (Kamb & Ganguli's calibrated locality): large patches place the
/// coarse layout while the image is mostly noise, 3x3 patches settle the detail at the end.
public struct AnalyticDiffusion: Sendable {
    public struct Options: Sendable, Equatable {
        public var side = 96
        public var steps = 20
        /// References composed into one image.
        public var referencesPerImage = 8
        /// At most this many of them from one ID class, so an image mixes at least three classes.
        public var perClass = 3
        /// Each reference is a candidate at every shift up to this many pixels each way.
        public var maxShift = 3
        /// Patch radius at full noise (9x9 patches); it shrinks with the noise level to 1 (3x3).
        public var maxPatchRadius = 4
        /// Strength of the preference for references nearer the target: log prior weight =
        /// guidance x (similarity - best similarity).
        public var guidance = 7.5
        /// An image closer than this (pixel RMSE, values in [0, 1]) to any reference is a copy: the
        /// sampler tries again with the next seed, `attempts` times in all.
        public var minReferenceDistance = 0.1
        public var attempts = 3
        public var schedule = CosineSchedule()

        public init() {}

        public var record: [String: String] {
            ["size": String(side), "steps": String(steps), "references-per-image": String(referencesPerImage),
             "per-class": String(perClass), "max-shift": String(maxShift), "max-patch-radius": String(maxPatchRadius),
             "guidance": String(guidance), "min-reference-distance": String(minReferenceDistance), "attempts": String(attempts)]
        }
    }

    /// One finished image and how it was made.
    public struct Output: Sendable {
        public var image: RGBImage
        /// Indices into the reference set of the references composed.
        public var references: [Int]
        /// The nearest reference in pixel space, over the whole set, and its RMSE.
        public var nearest: Int
        public var nearestDistance: Double
        /// 0 for the first attempt; later attempts drew new noise.
        public var attempt: Int
    }

    public let references: ReferenceSet
    public let options: Options

    public init(references: ReferenceSet, options: Options) {
        self.references = references
        self.options = options
    }

    /// An image for a unit `target` embedding, from noise drawn by `seed` (and the attempt number).
    public func generate(target: [Float], seed: UInt32, isCancelled: () -> Bool = { false }) throws(GenerationError) -> Output {
        guard references.count > 0 else { throw .unavailable("the builtin backend has no reference images") }
        guard target.count == references.dimension else {
            throw .invalidRequest("the target embedding has \(target.count) values; the references have \(references.dimension)")
        }
        let chosen = references.nearest(to: target, count: options.referencesPerImage, perClass: options.perClass)
        let similarities = chosen.map { ReferenceSet.dot(references.images[$0].embedding, target) }
        let top = similarities.max() ?? 0
        let denoiser = PatchDenoiser(
            side: options.side, maxShift: options.maxShift, references: chosen.map { references.images[$0].pixels },
            logPriors: similarities.map { Float(options.guidance) * ($0 - top) })
        var closest: (index: Int, distance: Double) = (0, 0)
        for attempt in 0..<max(1, options.attempts) {
            let image = try sample(denoiser, seed: seed, attempt: attempt, isCancelled: isCancelled)
            guard let nearest = references.nearestInPixels(image.pixels) else { break }
            if nearest.distance >= options.minReferenceDistance {
                return Output(image: image, references: chosen, nearest: nearest.index, nearestDistance: nearest.distance, attempt: attempt)
            }
            if attempt == 0 || nearest.distance > closest.distance { closest = nearest }
        }
        throw .copiesReference(key: references.images[closest.index].key, distance: closest.distance)
    }

    /// DDIM (eta = 0) from pure noise: x0 = D(x), eps = (x - sqrt(a) x0) / sqrt(1 - a), then
    /// x' = sqrt(a') x0 + sqrt(1 - a') eps; the last step lands on x0.
    private func sample(_ denoiser: PatchDenoiser, seed: UInt32, attempt: Int, isCancelled: () -> Bool) throws(GenerationError) -> RGBImage {
        let n = options.side * options.side
        var random = SeededGenerator(seed: UInt64(seed), key: "analytic-diffusion/\(attempt)")
        var x = (0..<(3 * n)).map { _ in Float(random.nextNormal()) }
        let alphaBars = options.schedule.alphaBars(steps: options.steps)
        var clean = x
        for step in 0..<options.steps {
            if isCancelled() { throw .cancelled }
            let a = alphaBars[step], next = alphaBars[step + 1]
            let sigma = (1 - a).squareRoot()
            let radius = max(1, Int((Double(options.maxPatchRadius) * sigma).rounded()))
            clean = denoiser.denoise(x, signal: Float(a.squareRoot()), variance: Float(1 - a), patchRadius: radius)
            let keep = Float(next.squareRoot()), spread = Float(((1 - next) / (1 - a)).squareRoot())
            let scale = Float(a.squareRoot())
            for i in 0..<(3 * n) {
                // x' = sqrt(a') x0 + sqrt(1 - a') (x - sqrt(a) x0) / sqrt(1 - a)
                x[i] = keep * clean[i] + spread * (x[i] - scale * clean[i])
            }
        }
        var pixels = [UInt8](repeating: 0, count: 3 * n)
        for q in 0..<n {
            for c in 0..<3 {
                let value = ((clean[c * n + q] + 1) * 127.5).rounded()
                pixels[q * 3 + c] = UInt8(max(0, min(255, value)))
            }
        }
        var image = RGBImage(width: options.side, height: options.side)
        image.pixels = pixels
        return image
    }
}
