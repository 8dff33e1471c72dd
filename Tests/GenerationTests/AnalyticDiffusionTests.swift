import Foundation
import Imaging
import OODCore
import Testing
@testable import Generation

@Suite struct AnalyticDiffusionTests {
    /// Eight smooth synthetic "ID images" in four classes, with embeddings that tell the classes apart.
    static func references(side: Int) -> ReferenceSet {
        let images = (0..<8).map { index -> ReferenceImage in
            var pixels = [UInt8](repeating: 0, count: side * side * 3)
            for y in 0..<side {
                for x in 0..<side {
                    let base = (y * side + x) * 3
                    let phase = Double(index) * 0.7
                    pixels[base] = UInt8(127.5 + 127 * sin(Double(x) * 0.3 + phase))
                    pixels[base + 1] = UInt8(127.5 + 127 * cos(Double(y) * 0.25 * Double(index % 3 + 1)))
                    pixels[base + 2] = UInt8((x * 7 + y * 3 + index * 40) % 256)
                }
            }
            var embedding = [Float](repeating: 0, count: 4)
            embedding[index % 4] = 1
            embedding[(index + 1) % 4] = 0.5
            let norm = embedding.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return ReferenceImage(key: String(format: "%09d", index), classIndex: index % 4, pixels: pixels, embedding: embedding.map { $0 / norm })
        }
        return ReferenceSet(side: side, dimension: 4, images: images)
    }

    static func options(side: Int) -> AnalyticDiffusion.Options {
        var options = AnalyticDiffusion.Options()
        options.side = side
        options.steps = 8
        options.referencesPerImage = 4
        options.perClass = 1
        options.maxShift = 2
        return options
    }

    static let target: [Float] = [0.6, 0.6, 0.4, 0.35]

    @Test func sameSeedSameImageOtherSeedAnotherImage() throws {
        let diffusion = AnalyticDiffusion(references: Self.references(side: 24), options: Self.options(side: 24))
        let a = try diffusion.generate(target: Self.target, seed: 11)
        let b = try diffusion.generate(target: Self.target, seed: 11)
        let c = try diffusion.generate(target: Self.target, seed: 12)
        #expect(a.image == b.image)
        #expect(a.image != c.image)
        #expect(a.references.count == 4)
        // perClass 1: four references from four classes.
        #expect(Set(a.references.map { $0 % 4 }).count == 4)
    }

    @Test func imagesAreNewMosaicsNotCopies() throws {
        let references = Self.references(side: 24)
        let diffusion = AnalyticDiffusion(references: references, options: Self.options(side: 24))
        for seed in UInt32(0)..<6 {
            let output = try diffusion.generate(target: Self.target, seed: seed)
            // Measured independently of the sampler's own check.
            let nearest = try #require(references.nearestInPixels(output.image.pixels))
            #expect(nearest.distance >= 0.1, "seed \(seed): RMSE \(nearest.distance) to reference \(nearest.index)")
            #expect(abs(nearest.distance - output.nearestDistance) < 1e-12)
        }
    }

    @Test func aSingleReferenceCanOnlyBeCopiedAndIsRefused() throws {
        let one = ReferenceSet(side: 16, dimension: 4, images: [Self.references(side: 16).images[0]])
        var options = Self.options(side: 16)
        options.attempts = 2
        let diffusion = AnalyticDiffusion(references: one, options: options)
        #expect(throws: GenerationError.self) { try diffusion.generate(target: Self.target, seed: 1) }
        do {
            _ = try diffusion.generate(target: Self.target, seed: 1)
        } catch {
            guard case .copiesReference(let key, let distance) = error else { Issue.record("\(error)"); return }
            #expect(key == "000000000" && distance < 0.1)
        }
    }

    @Test func referencesFollowTheTargetAndMixClasses() {
        let set = Self.references(side: 8)
        let chosen = set.nearest(to: [1, 0, 0, 0], count: 4, perClass: 1)
        #expect(chosen.first == 0 || chosen.first == 4)
        #expect(Set(chosen.map { $0 % 4 }).count == 4)
        let capped = set.nearest(to: [1, 0, 0, 0], count: 4, perClass: 2)
        #expect(Set(capped.prefix(2)) == [0, 4])
    }

    @Test func wrongEmbeddingWidthIsAnInvalidRequest() {
        let diffusion = AnalyticDiffusion(references: Self.references(side: 8), options: Self.options(side: 8))
        #expect(throws: GenerationError.invalidRequest("the target embedding has 3 values; the references have 4")) {
            try diffusion.generate(target: [1, 0, 0], seed: 0)
        }
    }

    /// The continuous cosine schedule against diffusers' discrete one (squaredcos_cap_v2, 1000 steps),
    /// whose cumulative product telescopes to alphaBar((i + 1) / 1000) wherever betas are not clipped.
    @Test func cosineScheduleMatchesDiffusers() throws {
        let run = try Python.run("""
            from diffusers import DDIMScheduler
            s = DDIMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2")
            print(" ".join(repr(float(s.alphas_cumprod[i])) for i in (0, 99, 499, 899, 979)))
            """)
        try #require(run.status == 0, "diffusers is not installed (scripts/setup test installs it): \(run.stderr)")
        let theirs = run.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let schedule = CosineSchedule()
        for (i, value) in zip([0, 99, 499, 899, 979], theirs) {
            #expect(abs(schedule.alphaBar(Double(i + 1) / 1000) - value) < 1e-5, "step \(i): \(schedule.alphaBar(Double(i + 1) / 1000)) vs \(value)")
        }
        let bars = schedule.alphaBars(steps: 20)
        #expect(bars.count == 21 && bars.last == 1 && bars.first! < 2e-3)
        #expect(zip(bars, bars.dropFirst()).allSatisfy { $0 < $1 })
    }
}
