/// Byte-pair merging of one pre-tokenized word, on token ids rather than strings: each UTF-8 byte
/// starts as its own token (the last one with the end-of-word suffix), then the adjacent pair of lowest
/// merge rank is merged, leftmost first, until no pair has a merge. Same order as Hugging Face's BPE.
struct BPEModel: Sendable {
    struct Merge: Sendable {
        let rank: Int32
        let result: Int32
    }

    /// Keyed by `pairKey(left, right)`.
    let merges: [UInt64: Merge]
    /// The token of each byte inside a word, and at its end (with `</w>`).
    let byteTokens: [Int32]
    let finalByteTokens: [Int32]

    static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    func encode(_ word: [UInt8]) -> [Int32] {
        var tokens = word.map { byteTokens[Int($0)] }
        guard let last = word.last else { return [] }
        tokens[tokens.count - 1] = finalByteTokens[Int(last)]
        let count = tokens.count
        guard count > 1 else { return tokens }

        // Symbols form a linked list over positions; a merged-away symbol gets the token -1.
        var next = Array(1...count)
        var previous = Array(-1..<(count - 1))
        var candidates = CandidateHeap()
        func propose(_ position: Int) {
            let right = next[position]
            guard right < count, let merge = merges[Self.pairKey(tokens[position], tokens[right])] else { return }
            candidates.push(Candidate(rank: merge.rank, position: Int32(position),
                                      left: tokens[position], right: tokens[right], result: merge.result))
        }
        for position in 0..<(count - 1) { propose(position) }

        while let candidate = candidates.popMin() {
            let position = Int(candidate.position)
            let right = next[position]
            // Earlier merges may have changed either side since this candidate was proposed.
            guard tokens[position] == candidate.left, right < count, tokens[right] == candidate.right else { continue }
            tokens[position] = candidate.result
            tokens[right] = -1
            next[position] = next[right]
            if next[right] < count { previous[next[right]] = position }
            if previous[position] >= 0 { propose(previous[position]) }
            propose(position)
        }
        return tokens.filter { $0 >= 0 }
    }
}

private struct Candidate {
    let rank: Int32
    let position: Int32
    let left: Int32
    let right: Int32
    let result: Int32

    /// Lower rank first; on equal rank the leftmost pair.
    var order: Int64 { Int64(rank) << 32 | Int64(position) }
}

/// A binary min-heap: words are short, but a long run of letters must not cost quadratic time.
private struct CandidateHeap {
    private var items: [Candidate] = []

    mutating func push(_ item: Candidate) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].order < items[parent].order else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> Candidate? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return top }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < items.count else { break }
            let right = left + 1
            let smaller = right < items.count && items[right].order < items[left].order ? right : left
            guard items[smaller].order < items[parent].order else { break }
            items.swapAt(smaller, parent)
            parent = smaller
        }
        return top
    }
}
