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
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System libraries from Debian, found through pkg-config.
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // libpng and libjpeg report errors with longjmp, which Swift frames must never see:
        // this thin C layer owns every setjmp and returns plain error codes.
        .target(name: "CCodecs", dependencies: ["CPNG", "CJPEG"]),
        // Matrix products on BLIS (Debian's libblis-pthread-dev for blis.h; libblis.so.4 loaded at run
        // time, privately, since it exports the same BLAS symbols as OpenBLAS). See GEMMKernel.
        .target(name: "CGEMM", linkerSettings: [.linkedLibrary("dl")]),

        .target(name: "OODCore"),
        // Child processes spoken to in JSON Lines: the worker backends of generate and embed.
        .target(name: "Workers"),
        .target(name: "WebDataset", dependencies: [
            "OODCore", "CArchive", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Imaging", dependencies: ["OODCore", "CCodecs"]),
        .target(name: "Tokenizers"),
        .target(name: "LinearAlgebra", dependencies: ["COpenBLAS", "CGEMM"]),
        .target(name: "Encoders", dependencies: [
            "OODCore", "LinearAlgebra", "Tokenizers", "Imaging", "Workers",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Gaps", dependencies: ["OODCore", "LinearAlgebra"]),
        .target(name: "Captions", dependencies: ["OODCore"]),
        .target(name: "Generation", dependencies: [
            "OODCore", "Imaging", "Workers", .product(name: "AsyncHTTPClient", package: "async-http-client"),
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

        .testTarget(name: "OODCoreTests", dependencies: ["OODCore"]),
        .testTarget(name: "WorkersTests", dependencies: ["Workers"]),
        .testTarget(name: "WebDatasetTests", dependencies: [
            "WebDataset", .product(name: "Crypto", package: "swift-crypto"),
        ], resources: [.copy("Resources")]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], resources: [.copy("Resources")]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"], resources: [.copy("Resources")]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "COpenBLAS", "CGEMM"]),
        .testTarget(name: "EncodersTests", dependencies: ["Encoders", "Imaging"], resources: [.copy("Resources")]),
        .testTarget(name: "GapsTests", dependencies: ["Gaps", "LinearAlgebra", "OODCore"]),
        .testTarget(name: "CaptionsTests", dependencies: ["Captions"]),
        .testTarget(name: "GenerationTests", dependencies: ["Generation", "Imaging", "OODCore"]),
        .testTarget(name: "CurationTests", dependencies: ["Curation", "LinearAlgebra"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "LinearAlgebra", "OODCore"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "oodsynth", "Captions"]),
    ]
)
