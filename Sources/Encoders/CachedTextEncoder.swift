import Foundation
import LinearAlgebra
import OODCore

/// A text tower behind an on-disk cache: each `embed` call's vectors are stored under the SHA-256 of
/// the model's weights, the GEMM kernel and the texts, so the same call again (the caption pool of the
/// same model, seed and options, the NegLabel nouns) reads them back instead of running the tower.
/// The kernel is in the key because it may move the last bits of an embedding: a hit gives exactly
/// the floats a fresh run on this machine would. A missing, short or unreadable entry is recomputed.
public final class CachedTextEncoder: TextEncoder {
    public let base: TextEncoder
    public let folder: URL
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init(base: TextEncoder, folder: URL) {
        self.base = base
        self.folder = folder
    }

    public var identity: ModelIdentity { base.identity }

    public func embed(texts: [String]) throws -> [[Float]] {
        let d = identity.dimension
        let file = folder.appendingPathComponent(key(texts) + ".f32")
        if let data = try? Data(contentsOf: file), data.count == texts.count * d * 4 {
            hits += 1
            let floats = data.withUnsafeBytes { raw in (0..<(texts.count * d)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
            return (0..<texts.count).map { Array(floats[($0 * d)..<(($0 + 1) * d)]) }
        }
        misses += 1
        let vectors = try base.embed(texts: texts)
        store(vectors, at: file)
        return vectors
    }

    /// Best effort: a cache that cannot be written costs only the next run's time.
    private func store(_ vectors: [[Float]], at file: URL) {
        var data = Data(capacity: vectors.count * identity.dimension * 4)
        for vector in vectors {
            for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? data.write(to: file, options: .atomic)
    }

    func key(_ texts: [String]) -> String {
        var hasher = SHA256()
        hasher.update(Data("oodsynth-text-embeddings-v1\n\(identity.name)\n\(identity.weightsSHA256)\n\(identity.dimension)\n\(GEMMKernel.name)\n".utf8))
        for text in texts {
            // Length-prefixed: no two lists of texts hash alike.
            hasher.update(Data("\(text.utf8.count):".utf8))
            hasher.update(Data(text.utf8))
        }
        return SHA256.hex(hasher.finalize())
    }
}
