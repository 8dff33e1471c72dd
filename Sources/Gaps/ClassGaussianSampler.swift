import Foundation
import LinearAlgebra
import OODCore

/// `class-gaussian` (VOS, ICLR 2022): a Gaussian per class with the class mean and one covariance
/// shared by all classes (+ 1e-4 I); of `draws` samples from it, the least likely one is kept.
///
/// The least likely of the draws is the one with the largest Mahalanobis radius |z|, and the direction
/// of z is uniform and independent of its radius; so instead of `draws` full d-dimensional samples, one
/// direction and the largest of `draws` radii are drawn (the radius from the chi distribution through
/// the Wilson-Hilferty transform of a normal, exact to a few parts in 10⁴ for d in the hundreds), and
/// the largest of M normals itself in one draw, as the normal quantile of U^(1/M). Same distribution,
/// d·M times less work. Where the classes fill the space, the least likely of 10,000 can still lie
/// inside the support, so each later round (asked for when too few passed) keeps 1 of 10x more draws.
public struct ClassGaussianSampler: GapSampler {
    public var draws = 10_000
    public var regularization = 1e-4

    public init() {}

    public var name: String { "class-gaussian" }

    public var parameters: [String: String] {
        ["draws": String(draws), "regularization": String(regularization)]
    }

    public func propose(_ count: Int, set: IDSet, density: IDDensity, seed: UInt64, round: Int) throws(GapsError) -> [GapCandidate] {
        let d = set.dimension
        let means = classMeans(set)
        let root = try covarianceRoot(set, means: means)
        var proposals: [GapCandidate] = []
        for (label, needed) in perClass(count, classes: set.classes, round: round) {
            guard let mean = means[label] else { continue }
            var random = SeededGenerator(seed: seed, key: "class-gaussian/\(round)/\(label)")
            let roundDraws = Double(draws) * pow(10, Double(round))
            for _ in 0..<needed {
                // The largest of M standard normals: P(max > z) = 1 - (1 - P(Z > z))^M.
                let uniform = 1 - random.nextUniform()
                let best = NormalQuantile.upper(tail: -expm1(log(uniform) / roundDraws))
                // Wilson-Hilferty: chi-square(d) ≈ d·(1 - 2/(9d) + z·sqrt(2/(9d)))³.
                let spread = 2 / (9 * Double(d))
                let radius = (Double(d) * pow(max(0, 1 - spread + best * spread.squareRoot()), 3)).squareRoot()
                let direction = UnitVector.normalized((0..<d).map { _ in Float(random.nextNormal()) }) ?? [Float](repeating: 0, count: d)
                var point = mean
                for row in 0..<d {
                    var sum: Double = 0
                    for column in 0..<d { sum += root[row * d + column] * Double(direction[column]) }
                    point[row] += Float(radius * sum)
                }
                guard let unit = UnitVector.normalized(point) else { continue }
                let nearest = set.members[label]?.max { UnitVector.dot(unit, row: $0, in: set) < UnitVector.dot(unit, row: $1, in: set) }
                proposals.append(GapCandidate(
                    vector: unit, method: name,
                    details: ["mahalanobis-radius": String(format: "%.3f", radius), "round-draws": String(format: "%.0f", roundDraws)],
                    sources: nearest.map { [$0] } ?? []))
            }
        }
        return proposals
    }

    func classMeans(_ set: IDSet) -> [Int: [Float]] {
        var means: [Int: [Float]] = [:]
        for (label, rows) in set.members {
            var sum = [Float](repeating: 0, count: set.dimension)
            for row in rows {
                let values = set.vectors.pointer(row: row)
                for column in 0..<set.dimension { sum[column] += values[column] }
            }
            means[label] = sum.map { $0 / Float(rows.count) }
        }
        return means
    }

    /// The symmetric square root V·diag(sqrt(λ))·Vᵀ of the shared covariance, in double.
    func covarianceRoot(_ set: IDSet, means: [Int: [Float]]) throws(GapsError) -> [Double] {
        let (n, d) = (set.count, set.dimension)
        var centred = [Double](repeating: 0, count: n * d)
        for row in 0..<n {
            let values = set.vectors.pointer(row: row)
            let mean = means[set.labels[row]] ?? [Float](repeating: 0, count: d)
            for column in 0..<d { centred[row * d + column] = Double(values[column] - mean[column]) }
        }
        do {
            var covariance = try LAPACK.product(centred, centred, m: d, n: d, k: n, transposeA: true)
            for index in covariance.indices { covariance[index] /= Double(n) }
            for index in 0..<d { covariance[index * d + index] += regularization }
            let (values, vectors) = try LAPACK.symmetricEigen(covariance, n: d)
            var scaled = vectors
            for j in 0..<d {
                let factor = max(values[j], 0).squareRoot()
                for column in 0..<d { scaled[j * d + column] *= factor }
            }
            return try LAPACK.product(vectors, scaled, m: d, n: d, k: d, transposeA: true)
        } catch {
            throw .invalidParameter("class-gaussian covariance: \(error)")
        }
    }
}
