import Foundation

/// OpenBLAS chooses its kernels once, when it loads, from the CPU model it recognizes. Debian 12's
/// OpenBLAS 0.3.21 does not know recent Xeons and falls back to its Prescott kernels (no AVX), an
/// order of magnitude slower at sgemm. `OPENBLAS_CORETYPE` overrides the choice, so the command-line
/// tool sets it from the CPU's own feature flags and restarts itself before any BLAS call.
public enum OpenBLASKernel {
    public static let environmentKey = "OPENBLAS_CORETYPE"

    /// The OpenBLAS core type for a CPU with these `/proc/cpuinfo` flags, or nil to leave the choice
    /// to OpenBLAS.
    public static func coreType(forFlags flags: Set<String>) -> String? {
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// The feature flags of the first CPU in `/proc/cpuinfo` (empty where there is none).
    public static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            return Set(line.split(separator: ":", maxSplits: 1).last?.split(separator: " ").map(String.init) ?? [])
        }
        return []
    }

    /// The core type this process should run with when the user has not chosen one: nil when
    /// `OPENBLAS_CORETYPE` is already set or the CPU needs no override.
    public static func override(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard environment[environmentKey] == nil else { return nil }
        return coreType(forFlags: cpuFlags())
    }

    /// Restarts this process with `OPENBLAS_CORETYPE` set when `override()` asks for one. OpenBLAS reads
    /// it when the library loads, before any Swift code runs, so a restart is the only way; call this
    /// first thing in `main`. If exec fails, the process goes on with OpenBLAS's own choice.
    public static func restartIfNeeded() {
        guard let core = override() else { return }
        setenv(environmentKey, core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
    }
}
