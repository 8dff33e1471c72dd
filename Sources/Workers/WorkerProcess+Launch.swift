import Foundation

extension WorkerProcess {
    /// Starts `command` and reads its handshake line (see `readHandshake`).
    public static func launch<Handshake: WorkerHandshaking>(
        _ command: String, startupTimeout: Double, handshake: Handshake.Type
    ) throws(WorkerProcessError) -> (WorkerProcess, Handshake) {
        let process = try WorkerProcess(command: command)
        return (process, try process.readHandshake(Handshake.self, timeout: startupTimeout))
    }

    /// Reads the worker's first line, waiting at most `timeout` seconds (a worker loads its model
    /// first). A worker that says anything else, or nothing, is stopped.
    public func readHandshake<Handshake: WorkerHandshaking>(
        _ type: Handshake.Type, timeout: Double
    ) throws(WorkerProcessError) -> Handshake {
        switch readLine(timeout: timeout) {
        case .line(let text):
            guard let handshake = try? JSONDecoder().decode(Handshake.self, from: Data(text.utf8)),
                  handshake.protocol == Handshake.protocolName else {
                stop()
                throw .notAHandshake(command: command, expected: Handshake.protocolName, line: text)
            }
            guard handshake.version == Handshake.protocolVersion else {
                stop()
                throw .wrongVersion(command: command, version: handshake.version, expected: Handshake.protocolVersion)
            }
            return handshake
        case .ended:
            throw .endedBeforeHandshake(command: command, exit: exitDescription)
        case .timedOut:
            kill()
            throw .noHandshake(command: command, seconds: timeout)
        }
    }
}
