/// `config.json` of a builtin model folder: what the folder is, which text tower it pairs with (and
/// that tower's exact weights), the image recipe, and how it was fitted.
public struct BuiltinModelConfig: Codable, Sendable, Equatable {
    public static let modelType = "oodsynth-builtin"
    /// Raised whenever the recipe changes what a folder computes, so a cached default is refitted.
    public static let currentVersion = 1

    public var modelType = Self.modelType
    public var version = Self.currentVersion
    /// A model-store name (`all-MiniLM-L6-v2`) or a folder path, relative to this folder if not absolute.
    public var textModel: String
    public var textModelSHA256: String
    public var dimension: Int
    public var image: BuiltinImageConfig
    public var fit: FitRecord

    public struct FitRecord: Codable, Sendable, Equatable {
        public var seed: UInt64
        /// Image/caption pairs the map was fitted on (before mirroring).
        public var samples: Int
        /// Samples kept out of fitting and scored in `evaluation`.
        public var heldOut: Int
        public var classes: [String]
        /// Samples without a caption, which got `prompt` with their label.
        public var templated: Int
        public var prompt: String
        /// SHA-256 of the input file, when fitting read one.
        public var inputSHA256: String?
        public var evaluation: ZeroShotScores?
        /// The matrix-product kernel that fitted the weights (`GEMMKernel.name`): the same input, seed
        /// and kernel give the same bytes.
        public var kernel: String?

        public init(seed: UInt64, samples: Int, heldOut: Int, classes: [String], templated: Int, prompt: String,
                    inputSHA256: String? = nil, evaluation: ZeroShotScores? = nil, kernel: String? = nil) {
            (self.seed, self.samples, self.heldOut, self.classes) = (seed, samples, heldOut, classes)
            (self.templated, self.prompt, self.inputSHA256, self.evaluation) = (templated, prompt, inputSHA256, evaluation)
            self.kernel = kernel
        }

        enum CodingKeys: String, CodingKey {
            case seed, samples, heldOut = "held_out", classes, templated, prompt
            case inputSHA256 = "input_sha256", evaluation, kernel
        }
    }

    public init(textModel: String, textModelSHA256: String, dimension: Int, image: BuiltinImageConfig, fit: FitRecord) {
        (self.textModel, self.textModelSHA256, self.dimension) = (textModel, textModelSHA256, dimension)
        (self.image, self.fit) = (image, fit)
    }

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", version, textModel = "text_model", textModelSHA256 = "text_model_sha256"
        case dimension, image, fit
    }
}
