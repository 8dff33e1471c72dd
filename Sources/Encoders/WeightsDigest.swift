import Foundation
import OODCore

/// SHA-256 of a weights file (or any input file), read in large chunks: the model identity in every
/// stream header names the exact weights, not just a folder name.
public enum WeightsDigest {
    public static func sha256(of path: String) throws(EncoderError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: "cannot open")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            while let chunk = try handle.read(upToCount: 8 << 20), !chunk.isEmpty {
                hasher.update(chunk)
            }
        } catch {
            throw .unreadable(path: path, reason: String(describing: error))
        }
        return Hex.string(hasher.finalize())
    }
}
