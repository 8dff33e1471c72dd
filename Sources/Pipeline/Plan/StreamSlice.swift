import OODCore
import WebDataset

/// A task's input: stream files read one after another as one stream, and the slice of its samples
/// the task takes. The files are the shards an earlier map wrote, so their headers must be one header
/// (a shard's header is its whole set's); the stream starts with it once.
public struct StreamSlice: Sendable {
    public let files: [String]
    /// Sample positions taken (the header not counted): `from..<to`.
    public let from: Int
    public let to: Int
    /// The only fields kept (nil: all): the embeddings without the images, for the tasks that read
    /// every ID point.
    public let fields: Set<String>?

    public init(files: [String], from: Int? = nil, to: Int? = nil, fields: [String]? = nil) {
        self.files = files
        self.from = from ?? 0
        self.to = to ?? Int.max
        self.fields = fields.map(Set.init)
    }

    /// The slice as the first stage of a task: a source with no input.
    public func stage() -> PipelineStage {
        PipelineStage(name: "read") { _, _, output in
            guard var output else { throw PipelineError.invalidOption("read: the stage was run without its output stream") }
            return try copy(into: &output)
        }
    }

    func copy(into sink: inout some SampleSink) throws -> String {
        var header: StreamHeader?
        var position = 0
        for file in files {
            let reader: SampleReader
            do {
                reader = try SampleReader(path: file)
            } catch {
                throw PipelineError.unreadableInput(file, reason: "\(error)")
            }
            let own = try reader.requireHeader(inputName: file)
            if let header {
                guard own == header else {
                    throw PipelineError.inputFailed(file, reason: "its stream header differs from \(files[0])'s: not a shard of the same stream")
                }
            } else {
                header = own
                try sink.write(try own.sample())
            }
            while position < to, let sample = try reader.nextSample() {
                if position >= from {
                    if let fields {
                        var kept = Sample(key: sample.key)
                        for field in sample.fields where fields.contains(field.ext) { kept[field.ext] = field.bytes }
                        try sink.write(kept)
                    } else {
                        try sink.write(sample)
                    }
                }
                position += 1
            }
            if position >= to { break }
        }
        let taken = max(0, min(position, to) - from)
        return "read: \(taken) samples from \(files.count) file\(files.count == 1 ? "" : "s")"
    }
}
