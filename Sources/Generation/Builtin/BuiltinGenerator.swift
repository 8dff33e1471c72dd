import Foundation
import Imaging

/// `--backend builtin`: analytic diffusion on the CPU, from the ID images. It has no text encoder: it
/// steers by the gap embedding plus `captionWeight` times the caption's embedding (both in the joint
/// space the references' embeddings live in), so the prompt still chooses the references.
public struct BuiltinGenerator: ImageGenerator {
    public let diffusion: AnalyticDiffusion
    public let captionWeight: Float
    public let workers: Int

    public init(diffusion: AnalyticDiffusion, captionWeight: Float = 1, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.diffusion = diffusion
        self.captionWeight = captionWeight
        self.workers = max(1, workers)
    }

    public var identity: GeneratorIdentity {
        var details = diffusion.options.record
        details["caption-weight"] = String(captionWeight)
        details["reference-count"] = String(diffusion.references.count)
        return GeneratorIdentity(backend: "builtin", model: "analytic-diffusion/patch-local-v1", details: details)
    }

    public var preferredBatchSize: Int { 2 * workers }

    public func acceptsImageEmbedding(dimension: Int) -> Bool { dimension == diffusion.references.dimension }

    public func generate(_ batch: [GenerationRequest]) async -> [Result<GeneratedImage, GenerationError>] {
        // One image per task: each is independent and deterministic, so the order they finish in
        // does not matter; results are put back in request order.
        await withTaskGroup(of: (Int, Result<GeneratedImage, GenerationError>).self) { group in
            var next = 0
            var results = [Result<GeneratedImage, GenerationError>?](repeating: nil, count: batch.count)
            func submit(_ index: Int) {
                let request = batch[index]
                group.addTask { (index, self.generateOne(request)) }
            }
            while next < min(workers, batch.count) { submit(next); next += 1 }
            for await (index, result) in group {
                results[index] = result
                if next < batch.count { submit(next); next += 1 }
            }
            return results.map { $0 ?? .failure(.cancelled) }
        }
    }

    public func close() async {}

    func generateOne(_ request: GenerationRequest) -> Result<GeneratedImage, GenerationError> {
        do throws(GenerationError) {
            guard request.width == diffusion.options.side, request.height == diffusion.options.side else {
                throw .invalidRequest("the builtin backend makes \(diffusion.options.side)x\(diffusion.options.side) images, not \(request.width)x\(request.height)")
            }
            let target = try target(for: request)
            var options = self.diffusion.options
            options.steps = request.steps
            options.guidance = request.guidance
            let diffusion = AnalyticDiffusion(references: self.diffusion.references, options: options)
            let output = try diffusion.generate(target: target, seed: request.seed, isCancelled: { Task.isCancelled })
            let png: [UInt8]
            do {
                png = try PNGEncoder.encode(output.image)
            } catch {
                throw .badImage("cannot encode PNG: \(error)")
            }
            let images = diffusion.references.images
            return .success(GeneratedImage(png: png, width: output.image.width, height: output.image.height, details: [
                "references": output.references.map { images[$0].key }.joined(separator: ","),
                "nearest_reference": images[output.nearest].key,
                "nearest_reference_rmse": String(format: "%.4f", output.nearestDistance),
                "attempt": String(output.attempt),
            ]))
        } catch {
            return .failure(error)
        }
    }

    /// The unit vector the references are chosen by.
    func target(for request: GenerationRequest) throws(GenerationError) -> [Float] {
        let d = diffusion.references.dimension
        var target = [Float](repeating: 0, count: d)
        if let gap = request.imageEmbedding, gap.count == d { target = gap }
        if let caption = request.textEmbedding, caption.count == d {
            for i in 0..<d { target[i] += captionWeight * caption[i] }
        }
        let norm = target.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else {
            throw .invalidRequest("no gap or caption embedding of \(d) values to choose references by")
        }
        return target.map { $0 / norm }
    }
}
