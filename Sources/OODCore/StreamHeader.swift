import Foundation

/// The first record of every stream (`__stream__.json`): which stages ran with which options and what
/// later stages need to know about the ID set, so no stage needs a side file.
public struct StreamHeader: Codable, Sendable, Equatable {
    public static let key = "__stream__"
    public static let formatName = "oodsynth-stream"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    public var stages: [StageRecord]
    /// ID class names; a sample's `cls` indexes this list.
    public var classes: [String]
    /// The model whose space the stream's `*.npy` embeddings live in, once `embed` ran.
    public var model: ModelIdentity?
    /// The ID set's prototypes and density, once `gaps` ran.
    public var idSet: IDStatistics?

    enum CodingKeys: String, CodingKey {
        case format, version, stages, classes, model, idSet = "id_set"
    }

    public init(stages: [StageRecord] = [], classes: [String] = []) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.stages = stages
        self.classes = classes
    }

    /// The header as the stream carries it: a sample keyed `__stream__` with one `json` field.
    public func sample() throws -> Sample {
        Sample(key: Self.key, fields: ["json": try CanonicalJSON.encode(self)])
    }

    public init(sample: Sample) throws(StreamError) {
        guard sample.isStreamHeader, let bytes = sample["json"] else {
            throw .missingHeader(found: sample.key)
        }
        let header: StreamHeader
        do {
            header = try JSONDecoder().decode(StreamHeader.self, from: Data(bytes))
        } catch {
            throw .badHeader(reason: String(describing: error))
        }
        guard header.format == Self.formatName else { throw .badHeader(reason: "format is \"\(header.format)\"") }
        guard header.version <= Self.currentVersion else { throw .unsupportedVersion(header.version) }
        self = header
    }

    public func appending(_ stage: StageRecord) -> StreamHeader {
        var copy = self
        copy.stages.append(stage)
        return copy
    }
}
