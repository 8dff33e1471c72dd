import OODCore
import WebDataset

extension SampleReader {
    /// The stream's `__stream__` header, or an error saying what the stream started with instead.
    func requireHeader(inputName: String) throws -> StreamHeader {
        if let header { return header }
        let first = (try? next())?.key ?? "(nothing)"
        throw PipelineError.stream(inputName, .missingHeader(found: first))
    }

    /// The next sample, with a broken stream as the stage error that names it.
    func nextSample() throws(PipelineError) -> Sample? {
        do {
            return try next()
        } catch {
            throw .sampleStream(error)
        }
    }
}
