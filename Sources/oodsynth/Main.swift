import Foundation
import LinearAlgebra

@main
enum Main {
    static func main() {
        // A stage whose reader went away (`oodsynth decode | head`) ends quietly, as Unix filters do,
        // even when started by a parent that ignores SIGPIPE (the ignored state is inherited).
        signal(SIGPIPE, SIG_DFL)
        OpenBLASKernel.restartIfNeeded()
        // Without BLIS a sample's embedding and scores would depend on its batch: refuse, in one line.
        do {
            try GEMMKernel.requireBLIS()
        } catch {
            FileHandle.standardError.write(Data("oodsynth: \(error)\n".utf8))
            exit(1)
        }
        OODSynthCommand.main()
    }
}
