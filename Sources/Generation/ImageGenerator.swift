/// An image-generation backend. A stage hands it batches of requests and gets one result per request,
/// in request order: a failed request never fails its batch, and a backend that cannot go on fails
/// each remaining request with the reason.
///
/// Cancelling the calling task cancels the requests in flight (a worker process is stopped, HTTP
/// requests are dropped); their results are `.cancelled`.
public protocol ImageGenerator: Sendable {
    var identity: GeneratorIdentity { get }
    /// How many requests a batch should hold to keep the backend busy (cores, worker batch, HTTP
    /// concurrency).
    var preferredBatchSize: Int { get }
    /// Whether the backend conditions on `GenerationRequest.imageEmbedding` of this many values.
    func acceptsImageEmbedding(dimension: Int) -> Bool
    func generate(_ batch: [GenerationRequest]) async -> [Result<GeneratedImage, GenerationError>]
    /// Stops child processes and connections. Results of later calls are `.unavailable`.
    func close() async
}
