import Foundation

/// One WebDataset sample: a key and its fields, each field named by its extension (`jpg`, `txt`,
/// `img.npy`, ...). Fields keep sorted order so a sample always serializes the same way.
public struct Sample: Sendable, Equatable {
    public var key: String
    public private(set) var fields: [(ext: String, bytes: [UInt8])]

    public init(key: String, fields: [String: [UInt8]] = [:]) {
        self.key = key
        self.fields = fields.sorted { $0.key < $1.key }.map { (ext: $0.key, bytes: $0.value) }
    }

    public subscript(ext: String) -> [UInt8]? {
        get { fields.first { $0.ext == ext }?.bytes }
        set {
            let index = fields.firstIndex { $0.ext >= ext } ?? fields.endIndex
            if index < fields.endIndex && fields[index].ext == ext {
                if let newValue { fields[index].bytes = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.insert((ext: ext, bytes: newValue), at: index)
            }
        }
    }

    /// The caption as text, if the sample has a `txt` field that is valid UTF-8.
    public var text: String? {
        self["txt"].flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// The class index in the `cls` field (ASCII digits, surrounding whitespace allowed), if any.
    public var classIndex: Int? {
        self["cls"].flatMap { Int(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    public var byteCount: Int { fields.reduce(0) { $0 + $1.bytes.count } }

    public var isStreamHeader: Bool { key == StreamHeader.key }

    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.key == rhs.key && lhs.fields.elementsEqual(rhs.fields) { $0.ext == $1.ext && $0.bytes == $1.bytes }
    }
}
