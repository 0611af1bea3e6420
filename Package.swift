// swift-tools-version:6.0
import PackageDescription
import Foundation

// The tensor engine's SIMD loops (SIMD16 axpy, reductions, depthwise/direct convs) compile to SSE2 on the default
// x86-64 baseline; AVX2+FMA makes 720p inference ~1.7× faster. Set DEBLUR_PORTABLE=1 to build for any x86-64 CPU.
#if arch(x86_64)
let deblurNetCPUSettings: [SwiftSetting] = ProcessInfo.processInfo.environment["DEBLUR_PORTABLE"] == nil
    ? [.unsafeFlags(["-target-cpu", "haswell"]), .define("DEBLURNET_FMA")] : []
#else
let deblurNetCPUSettings: [SwiftSetting] = []
#endif

let package = Package(
    name: "deblur-video",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "deblur-video", targets: ["deblur-video"]),
        .library(name: "Stream", targets: ["Stream"]),
        .library(name: "DeblurNet", targets: ["DeblurNet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // FFmpeg 5.1 (Debian 12) through a shim header for the macros Swift cannot import.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libswresample-dev", "libavutil-dev"])]
        ),
        // OpenBLAS' CBLAS interface.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // The per-pixel colour conversion loops, in C so they vectorise fully (AVX2 when available).
        .target(name: "CPixelKernels"),
        // Demux/decode → bounded pipeline → encode. Knows nothing of neural networks.
        .target(
            name: "Stream",
            dependencies: ["CFFmpeg", "CPixelKernels", .product(name: "Logging", package: "swift-log")]
        ),
        // Tensor engine, autograd, layers, the GAN. Knows nothing of FFmpeg.
        .target(
            name: "DeblurNet",
            dependencies: ["CBLAS", .product(name: "Logging", package: "swift-log")],
            exclude: ["README.md"],
            resources: [.copy("Resources")],
            swiftSettings: deblurNetCPUSettings
        ),
        // Classical deblurring and image-quality metrics on planar float images.
        .target(name: "Restoration"),
        // The web page and HTTP API around a FrameProcessor. Knows nothing of neural networks.
        .target(
            name: "DeblurWeb",
            dependencies: [
                "Stream", "Restoration", "CFFmpeg",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The command line: wires Stream, Restoration and DeblurNet together.
        .executableTarget(
            name: "deblur-video",
            dependencies: [
                "Stream",
                "DeblurNet",
                "Restoration",
                "DeblurWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Per-layer timing against PyTorch (see benchmarks/layers/main.swift).
        .executableTarget(name: "bench-layers", dependencies: ["DeblurNet"], path: "benchmarks/layers", exclude: ["torch_layers.py", "README.md"]),
        // ffmpeg/ffprobe CLI helpers and the built binary, shared by the tests that make or inspect media.
        .target(name: "MediaTestSupport", path: "Tests/MediaTestSupport"),
        .testTarget(name: "StreamTests", dependencies: ["Stream", "MediaTestSupport", .product(name: "Logging", package: "swift-log")],
                    resources: [.copy("Golden")]),
        .testTarget(name: "RestorationTests", dependencies: ["Restoration"], resources: [.copy("Golden")]),
        .testTarget(name: "DeblurNetTests", dependencies: ["DeblurNet"], resources: [.copy("Golden")]),
        .testTarget(
            name: "DeblurWebTests",
            dependencies: [
                "DeblurWeb", "Stream", "MediaTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        // Runs the built `deblur-video` binary; the dependency makes `swift test` build it first.
        .testTarget(name: "DeblurVideoTests", dependencies: ["deblur-video", "DeblurNet", "MediaTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
