import Foundation

/// A blur kernel (point spread function), row-major `weights[y * width + x]`.
///
/// Odd sizes put the centre on a pixel; for even sizes the centre is at `size / 2` (floor), the
/// convention of scipy's `convolve(mode="same")` and scikit-image's `ir2tf`.
public struct PointSpreadFunction: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let weights: [Double]
    /// Longest side of a PSF we build (motion length, image): a bigger one would cost minutes per frame.
    public static let maxSide = 1001

    /// Throws `RestorationError.psfLargerThanImage` unless the PSF fits inside a `width`×`height` image. Checked
    /// on the image itself, before any mirror margin makes the padded one large enough.
    public func checkFits(width: Int, height: Int) throws(RestorationError) {
        guard self.width <= width, self.height <= height else {
            throw .psfLargerThanImage(psf: "\(self.width)x\(self.height)", image: "\(width)x\(height)")
        }
    }

    /// Uses `weights` as given (no normalisation), as scikit-image does.
    public init(width: Int, height: Int, weights: [Double]) throws {
        guard width > 0, height > 0 else { throw RestorationError.invalidParameter("PSF size \(width)x\(height)") }
        guard weights.count == width * height else {
            throw RestorationError.pixelCountMismatch(expected: width * height, actual: weights.count)
        }
        self.width = width
        self.height = height
        self.weights = weights
    }

    /// A kernel from an image's pixels: channels averaged, then normalised to sum 1.
    /// Throws if a sample is negative or NaN, or the sum is zero.
    public init(image: PlanarImage) throws {
        guard image.width <= Self.maxSide, image.height <= Self.maxSide else {
            throw RestorationError.invalidParameter(
                "a PSF image is at most \(Self.maxSide)×\(Self.maxSide) pixels (got \(image.width)×\(image.height)); crop it to the blur")
        }
        let n = image.planeSize
        var w = [Double](repeating: 0, count: n)
        for c in 0..<image.channels {
            for i in 0..<n { w[i] += Double(image.pixels[c * n + i]) / Double(image.channels) }
        }
        try self.init(width: image.width, height: image.height, weights: Self.normalised(w))
    }

    /// Linear motion blur of `length` pixels at `angleDegrees` (counter-clockwise from +x, with
    /// image rows growing downwards).
    ///
    /// Construction: the segment `t·(cos θ, −sin θ)`, `|t| ≤ length/2`, centred on the centre pixel of a
    /// square kernel of side `2R + 1`, `R = ceil(length/2 − 1/2)`; each pixel's weight is the length of the
    /// segment inside that pixel's unit square; weights are normalised to sum 1. So `length` 5 at 0°
    /// is the box `[1,1,1,1,1]/5`, a non-integer length gives partial end pixels, and `length` ≤ 1 is
    /// the identity.
    public static func motion(length: Double, angleDegrees: Double) throws -> PointSpreadFunction {
        guard length.isFinite, length > 0, angleDegrees.isFinite else {
            throw RestorationError.invalidParameter("motion PSF length must be > 0 and angle finite (got \(length), \(angleDegrees))")
        }
        guard length <= Double(maxSide) else { throw RestorationError.invalidParameter("motion PSF length \(length) exceeds \(maxSide)") }
        let theta = angleDegrees * Double.pi / 180
        let dx = cos(theta), dy = -sin(theta)
        let r = max(0, Int((length / 2 - 0.5 - 1e-9).rounded(.up)))
        let side = 2 * r + 1
        var w = [Double](repeating: 0, count: side * side)
        let half = length / 2
        for row in 0..<side {
            for col in 0..<side {
                let x = Double(col - r), y = Double(row - r)
                var t0 = -half, t1 = half
                for (d, centre) in [(dx, x), (dy, y)] {
                    let lo = centre - 0.5, hi = centre + 0.5
                    if abs(d) < 1e-12 {
                        if !(lo <= 0 && 0 < hi) { t0 = 1; t1 = 0 }
                    } else {
                        let a = lo / d, b = hi / d
                        t0 = max(t0, min(a, b))
                        t1 = min(t1, max(a, b))
                    }
                }
                if t1 > t0 { w[row * side + col] = t1 - t0 }
            }
        }
        return try PointSpreadFunction(width: side, height: side, weights: normalised(w))
    }

    /// The kernel flipped in both axes (for the adjoint convolution).
    public var mirrored: PointSpreadFunction {
        // Safe: same size and count as self.
        PointSpreadFunction(unchecked: width, height, weights.reversed())
    }

    /// The same kernel scaled to sum 1.
    public func normalisedToUnitSum() throws -> PointSpreadFunction {
        try PointSpreadFunction(width: width, height: height, weights: Self.normalised(weights))
    }

    init(unchecked width: Int, _ height: Int, _ weights: [Double]) {
        self.width = width
        self.height = height
        self.weights = weights
    }

    static func normalised(_ w: [Double]) throws -> [Double] {
        guard w.allSatisfy({ $0 >= 0 }) else { throw RestorationError.emptyPSF }
        let s = w.reduce(0, +)
        guard s > 0, s.isFinite else { throw RestorationError.emptyPSF }
        return w.map { $0 / s }
    }
}
