import Foundation
import LinearAlgebra

@main
enum Main {
    static func main() {
        // A stage whose reader went away (`oodsynth decode | head`) ends quietly, as Unix filters do,
        // even when started by a parent that ignores SIGPIPE (the ignored state is inherited).
        signal(SIGPIPE, SIG_DFL)
        OpenBLASKernel.restartIfNeeded()
        OODSynthCommand.main()
    }
}
