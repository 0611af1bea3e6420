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
    /// `round(clamp(v, 0, 1) * 255)` (halves round up), NaN → 0.
    @inline(__always)
    static func to8Bit(_ v: Float) -> UInt8 {
        UInt8(level(v))
    }

    /// The quantised level as an integer-valued Float; branch-free so that loops over it vectorise.
    @inline(__always)
    static func level(_ v: Float) -> Float {
        var t = v * 255
        t = t > 0 ? t : 0          // also maps NaN to 0
        t = t < 255 ? t : 255
        // Adding and removing 2^23 rounds to the nearest integer (ties to even) without a libm call;
        // then ties go up, so the rule is round-half-up for every input.
        let magic: Float = 8_388_608
        let r = (t + magic) - magic
        return t - r == 0.5 ? r + 1 : r
    }

    /// The quantised values as floats (0…255 integers), which keeps products exact in Float.
    static func planes8(_ image: PlanarImage) -> [Float] {
        let n = image.pixels.count
        return [Float](unsafeUninitializedCapacity: n) { out, count in
            image.pixels.withUnsafeBufferPointer { src in
                for i in 0..<n { out[i] = level(src[i]) }
            }
            count = n
        }
    }
}

extension PlanarImage {
    /// The image extended by `margin` pixels on every side with its mirror image, edge sample repeated
    /// (numpy `pad(mode="symmetric")`, scipy `mode="reflect"`): `d c b a | a b c d | d c b a`.
    public func mirrorPadded(by margin: Int) -> PlanarImage {
        mirrorPadded(left: margin, top: margin, width: width + 2 * margin, height: height + 2 * margin)
    }

    /// The image placed at (`left`, `top`) in a `width × height` canvas filled by mirroring.
    public func mirrorPadded(left: Int, top: Int, width w: Int, height h: Int) -> PlanarImage {
        if left == 0, top == 0, w == width, h == height { return self }
        var out = PlanarImage(width: w, height: h, channels: channels)
        let columns = (0..<w).map { SeparableFilter.reflect($0 - left, width) }
        for c in 0..<channels {
            for y in 0..<h {
                let src = (c * height + SeparableFilter.reflect(y - top, height)) * width
                let dst = (c * h + y) * w
                for x in 0..<w { out.pixels[dst + x] = pixels[src + columns[x]] }
            }
        }
        return out
    }

    /// The image without a border of `margin` pixels on every side.
    public func cropped(by margin: Int) -> PlanarImage {
        cropped(left: margin, top: margin, width: width - 2 * margin, height: height - 2 * margin)
    }

    /// The `width × height` region whose top-left corner is (`left`, `top`).
    public func cropped(left: Int, top: Int, width w: Int, height h: Int) -> PlanarImage {
        if left == 0, top == 0, w == width, h == height { return self }
        precondition(w > 0 && h > 0 && left >= 0 && top >= 0 && left + w <= width && top + h <= height,
                     "crop region outside the image")
        var out = PlanarImage(width: w, height: h, channels: channels)
        for c in 0..<channels {
            for y in 0..<h {
                let src = (c * height + y + top) * width + left
                let dst = (c * h + y) * w
                for x in 0..<w { out.pixels[dst + x] = pixels[src + x] }
            }
        }
        return out
    }
}
