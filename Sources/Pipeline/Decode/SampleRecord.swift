/// The `json` field `decode` writes: where the sample came from and what it was before downscaling.
struct SampleRecord: Codable {
    let input: String
    let path: String
    let label: String?
    let format: String
    let width: Int
    let height: Int
    let sha256: String
}
