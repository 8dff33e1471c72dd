import Foundation

/// The one source of randomness in oodsynth: xoshiro256** seeded through SplitMix64, optionally keyed
/// by a string (a sample key, a stage name) so every sample draws from its own reproducible stream
/// whatever order the work runs in.
///
/// It draws integers, uniforms and normals with its own fixed algorithms rather than the standard
/// library's `random(in:using:)`, whose algorithms are not promised to stay the same across Swift
/// releases: the same seed must give the same bytes on every toolchain.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64, key: String = "") {
        // FNV-1a of the key, mixed with the seed: distinct keys give unrelated streams.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        var mixer = seed ^ hash
        func splitMix() -> UInt64 {
            mixer &+= 0x9e37_79b9_7f4a_7c15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }

    /// Uniform in 0..<bound (bound > 0), without modulo bias (Lemire's multiply-and-reject).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "nextIndex(below:) needs a positive bound")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Standard normal by the Box-Muller transform (one draw per call; the pair's twin is dropped so
    /// the stream position never depends on earlier calls' parity).
    public mutating func nextNormal() -> Double {
        let u = 1 - nextUniform()
        let v = nextUniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// `count` distinct indices from 0..<population, in draw order (partial Fisher-Yates).
    public mutating func sample(_ count: Int, from population: Int) -> [Int] {
        var pool = Array(0..<population)
        let taken = min(count, population)
        for index in 0..<taken {
            pool.swapAt(index, index + nextIndex(below: population - index))
        }
        return Array(pool.prefix(taken))
    }
}
