/// One stage that ran: its name and the options it ran with, as strings for a stable, readable record.
public struct StageRecord: Codable, Sendable, Equatable {
    public var name: String
    public var options: [String: String]

    public init(name: String, options: [String: String] = [:]) {
        self.name = name
        self.options = options
    }
}
