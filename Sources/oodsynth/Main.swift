import Foundation
import LinearAlgebra

@main
enum Main {
    static func main() {
        // A stage whose reader went away (`oodsynth decode | head`) ends quietly, as Unix filters do,
        // even when started by a parent that ignores SIGPIPE (the ignored state is inherited).
        signal(SIGPIPE, SIG_DFL)
        // OpenBLAS reads OPENBLAS_CORETYPE when the library loads, before any Swift code runs, so the
        // only way to pick the right kernels is to restart with it set. If exec fails, run as we are.
        if let core = OpenBLASKernel.override() {
            setenv(OpenBLASKernel.environmentKey, core, 1)
            let arguments = CommandLine.unsafeArgv
            execv("/proc/self/exe", arguments)
        }
        OODSynthCommand.main()
    }
}
