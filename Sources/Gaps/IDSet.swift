import LinearAlgebra

/// The ID embeddings `gaps` holds, one unit vector per sample, with their classes. Built by
/// `IDSet.Builder`, which skips what cannot be used and says why.
public struct IDSet: Sendable {
    public let vectors: Matrix
    /// Class index of each row (an index into `classNames`).
    public let labels: [Int]
    /// Stream key of each row, for provenance.
    public let keys: [String]
    public let classNames: [String]
    /// Row indices of each class, for the classes that were kept (at least 2 members).
    public let members: [Int: [Int]]
    /// Unit mean of each kept class, indexed like `classNames` (nil for dropped classes).
    public let prototypes: [[Float]?]

    public var count: Int { vectors.rows }
    public var dimension: Int { vectors.columns }
    /// Kept classes in index order.
    public var classes: [Int] { members.keys.sorted() }

    /// Collects (key, label, vector) triples; `build` drops bad vectors and classes too small.
    public struct Builder {
        public private(set) var skipped: [String: Int] = [:]
        public private(set) var notes: [String] = []
        private var rows: [(key: String, label: Int, vector: [Float])] = []
        private let classNames: [String]
        private var dimension: Int?

        public init(classNames: [String]) {
            self.classNames = classNames
        }

        /// Adds one embedding; returns the reason when it is not usable.
        @discardableResult
        public mutating func add(key: String, label: Int?, vector: [Float]) -> String? {
            guard let label, classNames.indices.contains(label) else { return skip("no-label") }
            if let dimension, vector.count != dimension { return skip("wrong-dimension") }
            guard vector.allSatisfy(\.isFinite) else { return skip("not-finite") }
            guard let unit = UnitVector.normalized(vector) else { return skip("zero-norm") }
            dimension = vector.count
            rows.append((key, label, unit))
            return nil
        }

        private mutating func skip(_ reason: String) -> String {
            skipped[reason, default: 0] += 1
            return reason
        }

        public mutating func build() throws(GapsError) -> IDSet {
            var byClass: [Int: [Int]] = [:]
            for (row, entry) in rows.enumerated() { byClass[entry.label, default: []].append(row) }
            for (label, members) in byClass.sorted(by: { $0.key < $1.key }) where members.count < 2 {
                notes.append("class \(classNames[label]) has \(members.count) usable sample; skipped (needs 2)")
                skipped["small-class", default: 0] += members.count
            }
            let kept = rows.enumerated().filter { (byClass[$0.element.label]?.count ?? 0) >= 2 }.map(\.element)
            guard let dimension, !kept.isEmpty else {
                throw .notEnoughData("no usable embeddings in classes with at least 2 samples")
            }
            let matrix = Matrix(rows: kept.count, columns: dimension)
            var members: [Int: [Int]] = [:]
            for (row, entry) in kept.enumerated() {
                matrix.pointer(row: row).update(from: entry.vector, count: dimension)
                members[entry.label, default: []].append(row)
            }
            guard members.count >= 2 else {
                throw .notEnoughData("gaps needs at least two classes with 2 or more usable samples, found \(members.count)")
            }
            var prototypes = [[Float]?](repeating: nil, count: classNames.count)
            for (label, rows) in members {
                var sum = [Float](repeating: 0, count: dimension)
                for row in rows {
                    let values = matrix.pointer(row: row)
                    for column in 0..<dimension { sum[column] += values[column] }
                }
                prototypes[label] = UnitVector.normalized(sum)
            }
            return IDSet(vectors: matrix, labels: kept.map(\.label), keys: kept.map(\.key), classNames: classNames,
                         members: members, prototypes: prototypes)
        }
    }
}
