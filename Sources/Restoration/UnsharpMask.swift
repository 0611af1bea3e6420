/// Unsharp masking with scikit-image `filters.unsharp_mask(image, radius=sigma, amount=amount,
/// channel_axis=-1)` semantics: `out = image + amount · (image − G_σ * image)` per channel, where
/// `G_σ` is scipy's Gaussian (truncate 4.0, `mode="reflect"`), then clipped to [0, 1]
/// (to [−1, 1] if the input has negative samples).
public struct UnsharpMask: Sendable, Equatable {
    /// Gaussian standard deviation in pixels (skimage's `radius`). Default 1.0 (skimage's default).
    public var sigma: Double
    /// Gain on the high-pass detail. Default 1.0 (skimage's default).
    public var amount: Double

    /// Largest `sigma`: its kernel (8σ + 1 taps) then spans the largest PSF we accept, 1001 pixels.
    public static let maxSigma = 125.0

    public init(sigma: Double = 1.0, amount: Double = 1.0) throws {
        guard sigma > 0, sigma <= Self.maxSigma, amount.isFinite else {
            throw RestorationError.invalidParameter(
                "unsharp mask needs sigma > 0 and at most \(Int(Self.maxSigma)) pixels, and a finite amount (got \(sigma), \(amount))")
        }
        self.sigma = sigma
        self.amount = amount
    }

    /// The sharpened image.
    public func apply(_ image: PlanarImage) -> PlanarImage {
        let kernel = GaussianKernel.weights(sigma: sigma, radius: GaussianKernel.radius(sigma: sigma, truncate: 4.0))
        let negative = image.pixels.contains { $0 < 0 }
        let lo: Float = negative ? -1 : 0, hi: Float = 1
        let n = image.planeSize
        let a = Float(amount)
        var out = image
        for c in 0..<image.channels {
            let plane = Array(image.pixels[(c * n)..<((c + 1) * n)])
            let blurred = SeparableFilter.apply(plane, width: image.width, height: image.height, kernel: kernel)
            for i in 0..<n {
                let v = plane[i] + (plane[i] - blurred[i]) * a
                out.pixels[c * n + i] = min(hi, max(lo, v))
            }
        }
        return out
    }
}
