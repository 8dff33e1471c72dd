import Imaging

extension ImageError {
    /// The short reason a skipped sample is counted under in the stage summary.
    var reason: String {
        switch self {
        case .notAnImage: "not-an-image"
        case .corrupt: "corrupt"
        case .tooManyPixels: "too-many-pixels"
        case .unsupported: "unsupported"
        case .outOfMemory: "out-of-memory"
        }
    }
}
