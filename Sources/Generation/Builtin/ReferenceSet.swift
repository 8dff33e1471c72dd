/// The ID images the builtin sampler may compose from, all at one working size.
public struct ReferenceSet: Sendable {
    public let side: Int
    public let dimension: Int
    public private(set) var images: [ReferenceImage]

    /// Images of another size or embedding width are a programming error of the caller, who built them
    /// for this set; they are left out rather than trusted.
    public init(side: Int, dimension: Int, images: [ReferenceImage]) {
        self.side = side
        self.dimension = dimension
        self.images = images.filter { $0.pixels.count == side * side * 3 && $0.embedding.count == dimension }
    }

    public var count: Int { images.count }

    /// Indices of the `count` references most similar to `target`, at most `perClass` from any one
    /// class, so that the sampler mixes several classes (a gap lies between classes). Ties go to the
    /// earlier reference.
    public func nearest(to target: [Float], count: Int, perClass: Int) -> [Int] {
        let similarities = images.map { Self.dot($0.embedding, target) }
        let order = images.indices.sorted { (similarities[$0], -$0) > (similarities[$1], -$1) }
        var taken: [Int] = []
        var perClassTaken: [Int: Int] = [:]
        for index in order where taken.count < count {
            let label = images[index].classIndex ?? -1 - index
            guard perClassTaken[label, default: 0] < perClass else { continue }
            perClassTaken[label, default: 0] += 1
            taken.append(index)
        }
        // Fewer classes than count / perClass: fill up with the next most similar of any class.
        for index in order where taken.count < count && !taken.contains(index) { taken.append(index) }
        return taken
    }

    /// The nearest reference in pixel space to `pixels` (RMSE over values in [0, 1]).
    public func nearestInPixels(_ pixels: [UInt8]) -> (index: Int, distance: Double)? {
        var best: (index: Int, distance: Double)?
        for (index, image) in images.enumerated() {
            var sum = 0
            pixels.withUnsafeBufferPointer { a in
                image.pixels.withUnsafeBufferPointer { b in
                    for i in 0..<min(a.count, b.count) {
                        let d = Int(a[i]) - Int(b[i])
                        sum += d * d
                    }
                }
            }
            let distance = (Double(sum) / Double(max(1, pixels.count))).squareRoot() / 255
            if best == nil || distance < best!.distance { best = (index, distance) }
        }
        return best
    }

    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for i in 0..<min(a.count, b.count) { sum += a[i] * b[i] }
        return sum
    }
}
