import Foundation
import WebDataset

/// Opens where a stage reads its tar stream from: a file, or stdin.
enum StreamInput {
    /// The reader and the name errors use for it.
    static func open(_ path: String?) throws -> (reader: SampleReader, name: String) {
        if let path, path != "-" {
            return (try SampleReader(path: path), path)
        }
        return (try SampleReader(fileDescriptor: STDIN_FILENO, name: "<stdin>"), "<stdin>")
    }
}
