import ArgumentParser
import Foundation

/// Runs a command body so that any failure becomes one line on stderr (`oodsynth CMD: problem`)
/// and exit status 1, instead of a stack of wrapped errors.
func reportingFailure(_ command: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        let line = "oodsynth \(command): \(String(describing: error))\n"
        FileHandle.standardError.write(Data(line.utf8))
        throw ExitCode(1)
    }
}
