import COpenBLAS
import Testing
@testable import LinearAlgebra

@Suite struct OpenBLASKernelTests {
    @Test func picksTheWidestKernelTheFlagsAllow() {
        let avx512: Set<String> = ["sse2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
        #expect(OpenBLASKernel.coreType(forFlags: avx512) == "SkylakeX")
        #expect(OpenBLASKernel.coreType(forFlags: ["sse2", "avx", "avx2", "fma"]) == "Haswell")
        #expect(OpenBLASKernel.coreType(forFlags: ["sse2", "avx"]) == nil)
        #expect(OpenBLASKernel.coreType(forFlags: []) == nil)
    }

    @Test func respectsTheUsersChoice() {
        #expect(OpenBLASKernel.override(environment: ["OPENBLAS_CORETYPE": "Haswell"]) == nil)
    }

    @Test func theLoadedLibraryReportsACore() {
        // Whatever kernel runs, the library must answer; the CLI's restart makes it the one above.
        let name = String(cString: openblas_get_corename())
        #expect(!name.isEmpty)
    }
}
