/// A planar float image on the 0…1 scale: `pixels[(c * height + y) * width + x]`.
///
/// The scale and layout are those of the pipeline's `Frame` (planar RGB in [0, 1]), so a frame
/// converts by handing over its pixel array. Metrics quantise to 8 bit (`round(v * 255)` after
/// clamping to [0, 1]); the classical restorers work on the float values directly, as
/// scikit-image's float API does.
public struct PlanarImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [Float]

    /// Wraps `pixels`; throws if the count is not `channels × height × width`.
    public init(width: Int, height: Int, channels: Int, pixels: [Float]) throws {
        guard width > 0, height > 0, channels > 0 else {
            throw RestorationError.invalidSize(width: width, height: height, channels: channels)
        }
        guard pixels.count == width * height * channels else {
            throw RestorationError.pixelCountMismatch(expected: width * height * channels, actual: pixels.count)
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An all-zero image.
    public init(width: Int, height: Int, channels: Int) {
        precondition(width > 0 && height > 0 && channels > 0, "image dimensions must be positive")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = [Float](repeating: 0, count: width * height * channels)
    }

    /// Builds an image from 8-bit samples in the same planar layout (value / 255).
    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) throws {
        try self.init(width: width, height: height, channels: channels,
                      pixels: bytes.map { Float($0) / 255 })
    }

    /// Number of samples in one plane.
    public var planeSize: Int { width * height }

    /// The sample at channel `c`, row `y`, column `x`.
    public subscript(c: Int, y: Int, x: Int) -> Float {
        get { pixels[(c * height + y) * width + x] }
        set { pixels[(c * height + y) * width + x] = newValue }
    }

    /// A copy of one channel as a single-channel image.
    public func channel(_ c: Int) -> PlanarImage {
        precondition(c >= 0 && c < channels, "channel out of range")
        var out = PlanarImage(width: width, height: height, channels: 1)
        let n = planeSize
        out.pixels.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                for i in 0..<n { dst[i] = src[c * n + i] }
            }
        }
        return out
    }

    /// Stacks single-channel images of equal size into one multi-channel image.
    public static func stacking(_ planes: [PlanarImage]) throws -> PlanarImage {
        guard let first = planes.first else { throw RestorationError.invalidSize(width: 0, height: 0, channels: 0) }
        var all = [Float]()
        all.reserveCapacity(first.planeSize * planes.reduce(0) { $0 + $1.channels })
        for p in planes {
            guard p.width == first.width, p.height == first.height else {
                throw RestorationError.sizeMismatch(reference: "\(first.width)x\(first.height)", test: "\(p.width)x\(p.height)")
            }
            all.append(contentsOf: p.pixels)
        }
        return try PlanarImage(width: first.width, height: first.height,
                               channels: all.count / first.planeSize, pixels: all)
    }

    /// The samples rounded to 8 bit: `round(clamp(v, 0, 1) * 255)`, same layout.
    public func quantized8() -> [UInt8] {
        pixels.map { Quantize.to8Bit($0) }
    }
}

/// 8-bit quantisation shared by the metrics.
enum Quantize {
    /// `round(clamp(v, 0, 1) * 255)`, NaN → 0. Rounds half away from zero, like `lrintf` would not:
    /// values from 8-bit sources are exact multiples of 1/255 and never sit on a half.
    @inline(__always)
    static func to8Bit(_ v: Float) -> UInt8 {
        guard v > 0 else { return 0 }
        guard v < 1 else { return 255 }
        return UInt8((v * 255).rounded())
    }

    /// The quantised values as floats (0…255 integers), which keeps products exact in Float.
    static func planes8(_ image: PlanarImage) -> [Float] {
        image.pixels.map { Float(to8Bit($0)) }
    }
}
