import Evaluation
import Foundation
import LinearAlgebra
import OODCore

/// Trains the adapter (README, "train"): splits off validation folds, starts P from the class
/// prompts and N from k-means of the synthetic captions, runs AdamW over minibatches for every
/// outlier weight λ, and keeps the (λ, epoch) with the best validation AUROC of ID-val against
/// synthetic-val, among those that keep the zero-shot validation accuracy. Epoch 0, the untrained
/// start, is a candidate too, so the result is never worse on validation than not training.
public struct AdapterTrainer {
    public struct Options: Codable, Equatable, Sendable {
        /// K; nil: as many as classes.
        public var negatives: Int?
        /// h; nil: d / 4.
        public var hidden: Int?
        /// s; nil: chosen on the training fold (the zero-shot cross-entropy's minimum over a grid).
        public var scale: Float?
        public var epochs = 10
        /// Epochs at the start that train N alone.
        public var warmupEpochs = 1
        /// ID images per step; the synthetic set and the gaps are spread over the same steps.
        public var batch = 256
        public var learningRate: Float = 1e-3
        public var weightDecay: Float = 1e-4
        public var outlierWeights: [Float] = [0, 0.25, 0.5, 1]
        public var syntheticWeight: Float = 0.5
        public var gapWeight: Float = 0.1
        public var diversityWeight: Float = 0.2
        public var anchorWeight: Float = 1
        /// Every `validationEvery`-th ID image of each class and synthetic sample is held out.
        public var validationEvery = 5
        /// Validation accuracy a candidate may lose against the untrained start.
        public var accuracyTolerance = 0.01
        public var kmeansIterations = 20
        public var seed: UInt64 = 0

        public init() {}

        enum CodingKeys: String, CodingKey {
            case negatives, hidden, scale, epochs, warmupEpochs = "warmup_epochs", batch, learningRate = "lr"
            case weightDecay = "weight_decay", outlierWeights = "outlier_weights", syntheticWeight = "synthetic_weight"
            case gapWeight = "gap_weight", diversityWeight = "diversity_weight", anchorWeight = "anchor_weight"
            case validationEvery = "validation_every", accuracyTolerance = "accuracy_tolerance"
            case kmeansIterations = "kmeans_iterations", seed
        }

        public var problems: [String] {
            var problems: [String] = []
            if let negatives, negatives < 1 { problems.append("--negatives must be at least 1") }
            if let hidden, hidden < 1 { problems.append("--hidden must be at least 1") }
            if let scale, !(scale > 0) { problems.append("--scale must be positive") }
            if epochs < 0 || warmupEpochs < 0 { problems.append("--epochs and --warmup-epochs must be at least 0") }
            if batch < 1 { problems.append("--batch must be at least 1") }
            if !(learningRate > 0) || weightDecay < 0 { problems.append("--lr must be positive and --weight-decay at least 0") }
            if outlierWeights.isEmpty || outlierWeights.contains(where: { !($0 >= 0) }) { problems.append("--outlier-weights must be values of at least 0") }
            if validationEvery < 2 { problems.append("--validation-every must be at least 2") }
            return problems
        }
    }

    /// One validated candidate: an outlier weight and an epoch (0: untrained).
    public struct Candidate: Codable, Equatable, Sendable {
        public var outlierWeight: Float
        public var epoch: Int
        public var auroc: Double
        public var accuracy: Double
        public var loss: Double?

        enum CodingKeys: String, CodingKey { case outlierWeight = "outlier_weight", epoch, auroc, accuracy, loss }
    }

    public struct Record: Codable, Equatable, Sendable {
        public var scale: Float
        public var negatives: Int
        public var hidden: Int
        public var trainID: Int
        public var validationID: Int
        public var trainSynthetic: Int
        public var validationSynthetic: Int
        public var gaps: Int
        public var stepsPerEpoch: Int
        public var candidates: [Candidate]
        public var selected: Candidate

        enum CodingKeys: String, CodingKey {
            case scale, negatives, hidden, trainID = "train_id", validationID = "validation_id", trainSynthetic = "train_synthetic"
            case validationSynthetic = "validation_synthetic", gaps, stepsPerEpoch = "steps_per_epoch", candidates, selected
        }
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    public func train(_ data: TrainingData, progress: (String) -> Void = { _ in }) throws(TrainingError) -> (OODAdapter, Record) {
        try data.check()
        guard options.problems.isEmpty else { throw .badInput(options.problems.joined(separator: "; ")) }
        let c = data.classes.count
        let folds = Folds(data, every: options.validationEvery)
        guard !folds.trainID.isEmpty, !folds.validationID.isEmpty, !folds.trainSynthetic.isEmpty, !folds.validationSynthetic.isEmpty else {
            throw .badInput("too few samples for a validation fold (every \(options.validationEvery)th): \(data.idImages.rows) ID images, "
                            + "\(data.syntheticImages.rows) synthetic")
        }
        let trainImages = Self.rows(data.idImages, folds.trainID), trainLabels = folds.trainID.map { data.idLabels[$0] }
        let validationImages = Self.rows(data.idImages, folds.validationID), validationLabels = folds.validationID.map { data.idLabels[$0] }
        let synImages = Self.rows(data.syntheticImages, folds.trainSynthetic)
        let synCaptions = Self.rows(data.syntheticCaptions, folds.trainSynthetic)
        let validationSynthetic = Self.rows(data.syntheticImages, folds.validationSynthetic)
        let gaps = Self.distinctRows(Self.rows(data.syntheticGaps, folds.trainSynthetic))

        let prompts = data.prompts.copy()
        SphericalKMeans.normalizeRows(prompts, fallback: nil)
        let scale = options.scale ?? Self.zeroShotScale(images: trainImages, labels: trainLabels, prompts: prompts)
        let k = min(options.negatives ?? c, synCaptions.rows)
        var random = SeededGenerator(seed: options.seed, key: "negatives")
        let negatives: Matrix
        do {
            negatives = try SphericalKMeans.fit(synCaptions, initial: random.sample(k, from: synCaptions.rows),
                                                iterations: options.kmeansIterations)
        } catch {
            throw .badInput("k-means of the synthetic captions: \(error)")
        }
        let targets = Self.nearest(synCaptions, negatives).map { c + $0 }
        let hidden = options.hidden ?? max(1, prompts.columns / 4)
        let start = try AdapterParameters.initial(prototypes: prompts, negatives: negatives, hidden: hidden, seed: options.seed)
        progress(String(format: "train: %d classes, %d negatives, scale %.1f, %d ID + %d synthetic (validation %d + %d), %d gaps",
                        c, k, scale, trainImages.rows, synImages.rows, validationImages.rows, validationSynthetic.rows, gaps.rows))

        func validate(_ parameters: AdapterParameters, weight: Float, epoch: Int, loss: Double?) throws(TrainingError) -> Candidate {
            let adapter = OODAdapter(parameters: parameters, scale: scale)
            let id = try adapter.scores(validationImages), ood = try adapter.scores(validationSynthetic)
            let auroc = (try? OODMetrics(id: id.idScores, ood: ood.idScores).auroc) ?? 0
            let correct = zip(id.classes, validationLabels).filter { $0 == $1 }.count
            return Candidate(outlierWeight: weight, epoch: epoch, auroc: auroc * 100,
                             accuracy: Double(correct) / Double(validationLabels.count), loss: loss)
        }
        let untrained = try validate(start, weight: 0, epoch: 0, loss: nil)
        var candidates = [untrained]
        var best = (candidate: untrained, parameters: start)
        let steps = (trainImages.rows + options.batch - 1) / options.batch
        for weight in options.outlierWeights {
            var weights = AdapterObjective.Weights(scale: scale, outlier: weight)
            (weights.synthetic, weights.gap) = (options.syntheticWeight, options.gapWeight)
            (weights.diversity, weights.anchor) = (options.diversityWeight, options.anchorWeight)
            let objective = AdapterObjective(initialPrototypes: start.prototypes, initialNegatives: start.negatives, weights: weights)
            let parameters = start.copy()
            let gradient = start.zeros()
            var optimizer = AdamW(learningRate: options.learningRate, weightDecay: options.weightDecay, shapeOf: start)
            for epoch in 1...max(options.epochs, 1) where options.epochs > 0 {
                // The same shuffles for every λ, so candidates differ only in what λ changes.
                var shuffle = SeededGenerator(seed: options.seed, key: "epoch-\(epoch)")
                let idOrder = shuffle.sample(trainImages.rows, from: trainImages.rows)
                let synOrder = shuffle.sample(synImages.rows, from: synImages.rows)
                let gapOrder = shuffle.sample(gaps.rows, from: gaps.rows)
                var total = 0.0
                for step in 0..<steps {
                    let ids = Self.slice(idOrder, step: step, of: steps)
                    let syn = Self.slice(synOrder, step: step, of: steps)
                    let batch = TrainingBatch(
                        idImages: Self.rows(trainImages, ids), idLabels: ids.map { trainLabels[$0] },
                        syntheticImages: Self.rows(synImages, syn), syntheticCaptions: Self.rows(synCaptions, syn),
                        syntheticTargets: syn.map { targets[$0] }, gaps: Self.rows(gaps, Self.slice(gapOrder, step: step, of: steps)))
                    total += objective.evaluate(parameters, on: batch, gradient: gradient).total
                    // The warm-up moves the negatives alone: the ID side starts from zero-shot.
                    let frozen: Set<Int> = epoch <= options.warmupEpochs ? [0, 2, 3, 4] : []
                    optimizer.update(parameters, gradient: gradient, frozen: frozen)
                }
                let candidate = try validate(parameters, weight: weight, epoch: epoch, loss: total / Double(steps))
                candidates.append(candidate)
                progress(String(format: "train: λ %.2f epoch %d/%d: loss %.4f, validation AUROC %.2f, accuracy %.3f",
                                weight, epoch, options.epochs, total / Double(steps), candidate.auroc, candidate.accuracy))
                if candidate.accuracy >= untrained.accuracy - options.accuracyTolerance, candidate.auroc > best.candidate.auroc {
                    best = (candidate, parameters.copy())
                }
            }
        }
        let record = Record(scale: scale, negatives: k, hidden: hidden, trainID: trainImages.rows, validationID: validationImages.rows,
                            trainSynthetic: synImages.rows, validationSynthetic: validationSynthetic.rows, gaps: gaps.rows,
                            stepsPerEpoch: steps, candidates: candidates, selected: best.candidate)
        return (OODAdapter(parameters: best.parameters, scale: scale), record)
    }

    /// The part of `order` that step `step` of `steps` takes: consecutive, as even as can be.
    static func slice(_ order: [Int], step: Int, of steps: Int) -> [Int] {
        Array(order[(order.count * step / steps)..<(order.count * (step + 1) / steps)])
    }

    static func rows(_ matrix: Matrix, _ indices: [Int]) -> Matrix {
        let result = Matrix(rows: indices.count, columns: matrix.columns)
        for (row, index) in indices.enumerated() {
            result.pointer(row: row).update(from: matrix.pointer(row: index), count: matrix.columns)
        }
        return result
    }

    /// The rows of `matrix` without exact repeats (captions of one gap share its vector), first
    /// occurrences in order.
    static func distinctRows(_ matrix: Matrix) -> Matrix {
        var seen: Set<[UInt32]> = []
        var keep: [Int] = []
        for row in 0..<matrix.rows {
            let bits = UnsafeBufferPointer(start: matrix.pointer(row: row), count: matrix.columns).map(\.bitPattern)
            if seen.insert(bits).inserted { keep.append(row) }
        }
        return rows(matrix, keep)
    }

    /// For each row of `points`, the index of the most similar row of `centres` (ties: the lower).
    static func nearest(_ points: Matrix, _ centres: Matrix) -> [Int] {
        let scores = Matrix(rows: points.rows, columns: centres.rows)
        Matrix.gemm(transposeA: false, transposeB: true, m: points.rows, n: centres.rows, k: points.columns,
                    a: points.base, lda: points.columns, b: centres.base, ldb: centres.columns, c: scores.base, ldc: centres.rows)
        return (0..<points.rows).map { row in
            let score = scores.pointer(row: row)
            var best = 0
            for j in 1..<centres.rows where score[j] > score[best] { best = j }
            return best
        }
    }

    /// The logit scale whose zero-shot softmax over the class prompts fits the training fold best
    /// (smallest mean cross-entropy), from a grid spanning CLIP's 100 down to the builtin space's.
    static func zeroShotScale(images: Matrix, labels: [Int], prompts: Matrix) -> Float {
        let c = prompts.rows
        let cosines = Matrix(rows: images.rows, columns: c)
        Matrix.gemm(transposeA: false, transposeB: true, m: images.rows, n: c, k: images.columns, a: images.base, lda: images.columns,
                    b: prompts.base, ldb: prompts.columns, c: cosines.base, ldc: c)
        let grid: [Float] = [5, 7, 10, 14, 20, 28, 40, 56, 80, 100, 140]
        let losses = grid.map { scale -> Double in
            var sum = 0.0
            let row = [Float](repeating: 0, count: c)
            var scaled = row
            for index in 0..<images.rows {
                for j in 0..<c { scaled[j] = scale * cosines[index, j] }
                sum += scaled.withUnsafeBufferPointer { LogitLoss.logSumExp($0.baseAddress!, 0..<c) } - Double(scaled[labels[index]])
            }
            return sum
        }
        return grid[losses.indices.min { losses[$0] < losses[$1] } ?? 0]
    }
}

/// Which rows train and which validate: every `every`-th ID image of each class (in input order)
/// and every `every`-th synthetic sample.
struct Folds {
    var trainID: [Int] = [], validationID: [Int] = [], trainSynthetic: [Int] = [], validationSynthetic: [Int] = []

    init(_ data: TrainingData, every: Int) {
        var seen: [Int: Int] = [:]
        for (index, label) in data.idLabels.enumerated() {
            let position = seen[label, default: 0]
            seen[label] = position + 1
            if position % every == every - 1 { validationID.append(index) } else { trainID.append(index) }
        }
        for index in 0..<data.syntheticImages.rows {
            if index % every == every - 1 { validationSynthetic.append(index) } else { trainSynthetic.append(index) }
        }
    }
}
