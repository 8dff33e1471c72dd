import Foundation

/// Reads a model's JSON config with a one-line error naming the file.
enum ConfigFile {
    static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws(TransformerError) -> T {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .invalidConfig(file: url.path, reason: "cannot read the file")
        }
        do { return try JSONDecoder().decode(type, from: data) } catch let error as DecodingError {
            throw .invalidConfig(file: url.path, reason: summary(of: error))
        } catch {
            throw .invalidConfig(file: url.path, reason: "\(error)")
        }
    }

    private static func summary(of error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): "not valid JSON (\(context.debugDescription))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            "\((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is missing"
        @unknown default: "\(error)"
        }
    }
}
