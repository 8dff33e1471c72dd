import ArgumentParser
import Foundation
import Gaps
import OODCore
import Pipeline

struct GapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "Find points just outside the ID data in the embedding space (gap records emb.npy + json).",
        discussion: """
        Reads an embedded ID stream (from embed), holds only its embeddings, and emits --count gap \
        samples: KEY.emb.npy (a unit vector) and KEY.json (method, parameters, nearest ID classes with \
        similarities, the k-th-nearest-neighbour distance to the ID set and its percentile among the ID \
        points' own, the ID keys it came from). A gap lies beyond the --support-percentile of the ID \
        points' own k-th-NN distances (outside the support) and below the far limit (by default halfway \
        to where random directions lie): just outside, not noise. The header gains the class prototypes \
        and these density statistics (id_set) for later stages.

        Methods (METHODS.md has the sources and published defaults; small classes scale k and select):
          knn-boundary       NPOS / Dream-OOD: noise around the points farthest from their class
          class-gaussian     VOS: least likely draws of class Gaussians with a shared covariance
          interpolate        slerp between neighbouring class prototypes, and past them
          boundary-crossing  BOOD: gradient steps on a cosine classifier until the class flips, then beyond
          mix                the count split over all four

        Examples:
          oodsynth decode Samples/openclipart-12.tar | oodsynth embed | oodsynth gaps --count 200 > gaps.tar
          oodsynth gaps --method mix --count 1000 --seed 7 -i embedded.tar -o gaps.tar
          oodsynth gaps --space text --method interpolate < embedded.tar > gaps.tar
        """)

    @Option(help: "Gap points to emit.")
    var count = 100

    @Option(help: "knn-boundary, class-gaussian, interpolate, boundary-crossing or mix.")
    var method = "knn-boundary"

    @Option(help: "Seed of every random draw.")
    var seed: UInt64 = 0

    @Option(help: "Embeddings to use: image (img.npy) or text (txt.npy).")
    var space = GapsStage.Space.image

    @Option(help: "Neighbours for the density (k-th-NN distance); at most a tenth of the ID set.")
    var k = 50

    @Option(help: "Gaps lie beyond this percentile of the ID points' own k-th-NN distances.")
    var supportPercentile = 95.0

    @Option(help: "Gaps lie below this k-th-NN distance (default: halfway to random directions).")
    var far: Float?

    @Option(help: "knn-boundary: k for the within-class distance (NPOS: 300).")
    var boundaryK = KNNBoundarySampler().k

    @Option(help: "knn-boundary: boundary points per class (NPOS: 50-300).")
    var select = KNNBoundarySampler().select

    @Option(help: "knn-boundary: noisy draws around each boundary point (Dream-OOD: 1500).")
    var candidates = KNNBoundarySampler().candidates

    @Option(help: "knn-boundary: draws kept per boundary point (Dream-OOD: 2).")
    var keep = KNNBoundarySampler().keep

    @Option(help: "knn-boundary: noise per dimension (Dream-OOD: 0.03-0.1).")
    var sigma = KNNBoundarySampler().sigma

    @Option(help: "class-gaussian: draws per kept point (VOS: 10000).")
    var draws = ClassGaussianSampler().draws

    @Option(help: "interpolate: nearest classes paired with each class.")
    var neighbours = InterpolationSampler().neighbours

    @Option(help: "boundary-crossing: cosine classifier temperature.")
    var temperature = BoundaryCrossingSampler().temperature

    @Option(help: "boundary-crossing: angle of one step, in radians.")
    var stepSize = BoundaryCrossingSampler().stepSize

    @Option(help: "boundary-crossing: steps past the boundary.")
    var extraSteps = BoundaryCrossingSampler().extraSteps

    @Option(name: .customLong("self-knn"), help: ArgumentHelp(
        "The ID points' own k-th-NN distances from oodsynth knn, block by block in order (repeatable); default: computed here. The gaps are the same.",
        valueName: "FILE.npy"))
    var selfKNN: [String] = []

    @OptionGroup var stream: StreamOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard GapsStage.Options.methods.contains(method) else {
            throw ValidationError("--method must be one of \(GapsStage.Options.methods.joined(separator: ", "))")
        }
        guard k >= 1, boundaryK >= 1, select >= 1, candidates >= 1, keep >= 1, draws >= 1, neighbours >= 1 else {
            throw ValidationError("--k, --boundary-k, --select, --candidates, --keep, --draws and --neighbours must be at least 1")
        }
        guard keep <= candidates else { throw ValidationError("--keep must not exceed --candidates") }
        guard (50..<100).contains(supportPercentile) else { throw ValidationError("--support-percentile must be in [50, 100)") }
        guard sigma > 0, temperature > 0, stepSize > 0, extraSteps >= 0 else {
            throw ValidationError("--sigma, --temperature and --step-size must be positive, --extra-steps not negative")
        }
        if let far, !(far > 0 && far <= 2) { throw ValidationError("--far must be in (0, 2]") }
    }

    func run() throws {
        try StageRunner.run("gaps", quiet: common.quiet, input: .some(stream.input), output: .some(stream.output), make: makeStage)
    }

    func makeStage(diagnostics: Diagnostics) throws -> PipelineStage {
        var options = GapsStage.Options()
        options.count = count
        options.method = method
        options.seed = seed
        options.space = space
        options.k = k
        options.supportPercentile = supportPercentile
        options.far = far
        options.knnBoundary.k = boundaryK
        options.knnBoundary.select = select
        options.knnBoundary.candidates = candidates
        options.knnBoundary.keep = keep
        options.knnBoundary.sigma = sigma
        options.classGaussian.draws = draws
        options.interpolate.neighbours = neighbours
        options.boundaryCrossing.temperature = temperature
        options.boundaryCrossing.stepSize = stepSize
        options.boundaryCrossing.extraSteps = extraSteps
        options.selfKNN = selfKNN
        let stage = GapsStage(options: options, diagnostics: diagnostics)
        return PipelineStage(name: "gaps") { input, name, output in
            guard let input, var output else { throw PipelineError.unconnected("gaps") }
            return try stage.run(reading: input, inputName: name, into: &output).description
        }
    }
}

extension GapsStage.Space: ExpressibleByArgument {}
