// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "oodsynth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "oodsynth", targets: ["oodsynth"]),
        .library(name: "OODSynth", targets: ["Pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System libraries from Debian, found through pkg-config.
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // SHA-256 by OpenSSL's EVP digests (OODCore's SHA256), not a copy of BoringSSL built from source.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libpng and libjpeg report errors with longjmp, which Swift frames must never see:
        // this thin C layer owns every setjmp and returns plain error codes.
        .target(name: "CCodecs", dependencies: ["CPNG", "CJPEG"]),
        // Matrix products on BLIS (Debian's libblis-pthread-dev for blis.h; libblis.so.4 loaded at run
        // time, privately, since it exports the same BLAS symbols as OpenBLAS). See GEMMKernel.
        .target(name: "CGEMM", linkerSettings: [.linkedLibrary("dl")]),
        // The builtin generator's patch denoiser, eight pixels at a time on AVX2 and FMA (which Swift
        // built for baseline x86-64 cannot use), bit-identical to its portable scalar loop.
        .target(name: "CDiffusion"),

        .target(name: "OODCore", dependencies: ["CCrypto"]),
        // posix_spawn with glibc's closefrom_np, which Swift's Glibc module does not import.
        .target(name: "CSpawn"),
        // Child processes (ChildProcess), and those spoken to in JSON Lines: the worker backends of
        // generate and embed.
        .target(name: "Workers", dependencies: ["CSpawn"]),
        .target(name: "WebDataset", dependencies: ["OODCore", "CArchive"]),
        // JSON web APIs over Foundation's URLSession: deadlines, retries with backoff, one-line errors.
        .target(name: "WebAPI", dependencies: ["OODCore"]),
        .target(name: "Imaging", dependencies: ["OODCore", "CCodecs"]),
        .target(name: "Tokenizers"),
        .target(name: "LinearAlgebra", dependencies: ["COpenBLAS", "CGEMM"]),
        .target(name: "Encoders", dependencies: [
            "OODCore", "LinearAlgebra", "Tokenizers", "Imaging", "Workers",
        ]),
        .target(name: "Gaps", dependencies: ["OODCore", "LinearAlgebra"]),
        .target(name: "Captions", dependencies: ["OODCore", "WebAPI"]),
        .target(name: "Generation", dependencies: [
            "OODCore", "Imaging", "Workers", "WebAPI", "CDiffusion",
        ]),
        .target(name: "Curation", dependencies: ["Gaps", "LinearAlgebra"]),
        .target(name: "Evaluation", dependencies: ["LinearAlgebra", "Gaps"]),
        .target(name: "Training", dependencies: ["OODCore", "LinearAlgebra", "Evaluation"]),
        .target(name: "Pipeline", dependencies: ["OODCore", "WebDataset", "Imaging", "LinearAlgebra", "Encoders", "Gaps", "Captions", "Generation", "Curation", "Evaluation", "Training",
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "oodsynth", dependencies: [
            "Pipeline", "Imaging", "LinearAlgebra", "Gaps", "Captions", "Generation", "Curation", "Training", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Timing harness that scripts/bench runs beside the Python peers on the same files.
        .executableTarget(name: "oodsynth-bench", dependencies: [
            "Pipeline", "Imaging", "WebDataset", "Encoders", "LinearAlgebra", "COpenBLAS", "Gaps", "Captions", "Generation", "Training",
        ]),

        // The checkout's .venv on PATH for the tests that run Python peers (scripts/setup test makes it).
        .target(name: "TestVenv", dependencies: ["Workers"], path: "Tests/TestVenv"),
        .testTarget(name: "OODCoreTests", dependencies: ["OODCore"]),
        .testTarget(name: "WorkersTests", dependencies: ["Workers"]),
        .testTarget(name: "WebDatasetTests", dependencies: ["WebDataset", "OODCore", "TestVenv", "Workers"], resources: [.copy("Resources")]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], resources: [.copy("Resources")]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"], resources: [.copy("Resources")]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "COpenBLAS", "CGEMM", "TestVenv", "Workers"]),
        .testTarget(name: "EncodersTests", dependencies: ["Encoders", "Imaging"], resources: [.copy("Resources")]),
        .testTarget(name: "GapsTests", dependencies: ["Gaps", "LinearAlgebra", "OODCore"]),
        .testTarget(name: "CaptionsTests", dependencies: ["Captions", "TestVenv", "Workers"]),
        .testTarget(name: "GenerationTests", dependencies: ["Generation", "CDiffusion", "Imaging", "OODCore", "TestVenv", "Workers"]),
        .testTarget(name: "WebAPITests", dependencies: ["WebAPI", "TestVenv"]),
        .testTarget(name: "CurationTests", dependencies: ["Curation", "LinearAlgebra"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestVenv", "Workers"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "LinearAlgebra", "OODCore", "TestVenv", "Workers"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "oodsynth", "Captions", "TestVenv", "Workers"]),
    ]
)
