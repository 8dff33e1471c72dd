import Foundation

/// A synset's address: the data file it lives in and its byte offset there, WordNet's own key
/// (written like `02121620-n`, the form NLTK's `offset()` and `pos()` give).
public struct SynsetID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public enum File: String, Sendable, CaseIterable {
        case noun = "n", verb = "v", adjective = "a", adverb = "r"

        var name: String {
            switch self {
            case .noun: "noun"
            case .verb: "verb"
            case .adjective: "adj"
            case .adverb: "adv"
            }
        }

        /// The file of a synset type letter as data lines and pointers spell it (`s` is an adjective satellite).
        init?(letter: UInt8) {
            switch letter {
            case UInt8(ascii: "n"): self = .noun
            case UInt8(ascii: "v"): self = .verb
            case UInt8(ascii: "a"), UInt8(ascii: "s"): self = .adjective
            case UInt8(ascii: "r"): self = .adverb
            default: return nil
            }
        }
    }

    public let file: File
    public let offset: Int

    public init(file: File, offset: Int) {
        self.file = file
        self.offset = offset
    }

    public var description: String { String(format: "%08d-%@", offset, file.rawValue) }

    public static func < (a: SynsetID, b: SynsetID) -> Bool {
        (a.file.rawValue, a.offset) < (b.file.rawValue, b.offset)
    }
}
