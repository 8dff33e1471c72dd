/// The first line of a worker protocol: which protocol and version the worker speaks, then whatever
/// that protocol's workers say about themselves.
public protocol WorkerHandshaking: Decodable {
    static var protocolName: String { get }
    static var protocolVersion: Int { get }
    var `protocol`: String { get }
    var version: Int { get }
}
