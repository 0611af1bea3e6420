// swift-tools-version:6.0
import PackageDescription

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
    ],
    targets: [
        // FFmpeg 5.1 (Debian 12) through a shim header for the macros Swift cannot import.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
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
            dependencies: ["CBLAS", .product(name: "Logging", package: "swift-log")]
        ),
        // Classical deblurring and image-quality metrics on planar float images.
        .target(name: "Restoration"),
        // The command line: wires Stream, Restoration and DeblurNet together.
        .executableTarget(
            name: "deblur-video",
            dependencies: [
                "Stream",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "StreamTests", dependencies: ["Stream"]),
        // Runs the built `deblur-video` binary; the dependency makes `swift test` build it first.
        .testTarget(name: "DeblurVideoTests", dependencies: ["deblur-video"]),
        // Test targets of DeblurNet, Restoration and the CLI are added with their first tests.
    ],
    swiftLanguageModes: [.v6]
)
