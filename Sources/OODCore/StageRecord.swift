/// One stage that ran: its name and the options it ran with, as strings for a stable, readable record.
public struct StageRecord: Codable, Sendable, Equatable {
    public var name: String
    public var options: [String: String]
    /// The matrix-product kernel behind the stage's numbers (`blis 0.9.0 zen3`), for stages whose
    /// embeddings or scores come from products: the same kernel gives the same bits, another CPU
    /// kind's kernel rounds differently. Absent for stages that do no arithmetic on embeddings.
    public var kernel: String?

    public init(name: String, options: [String: String] = [:], kernel: String? = nil) {
        self.name = name
        self.options = options
        self.kernel = kernel
    }
}
