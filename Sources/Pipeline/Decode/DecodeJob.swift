/// One image member handed to a worker, with everything the pre-scan knows about it.
struct DecodeJob: Sendable {
    /// The image's position among the inputs' images: its sample key.
    let ordinal: Int
    let inputName: String
    let path: String
    let bytes: [UInt8]
    let label: String?
    let classIndex: Int?
    let caption: String
}
