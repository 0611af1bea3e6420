/// Richardson–Lucy deconvolution with scikit-image `restoration.richardson_lucy(image, psf,
/// num_iter, clip, filter_epsilon)` semantics, per channel:
/// start from 0.5 everywhere; each iteration `u *= (image / (u ⊛ psf + 1e-12)) ⊛ flip(psf)`,
/// with scipy `convolve(mode="same")` (zero padding); ratios where the blurred estimate is below
/// `filterEpsilon` are set to 0; finally clip to [−1, 1] if `clip`. Float arithmetic.
///
/// `margin > 0` first mirror-pads the image by that many pixels and crops the result, so the border
/// is not deconvolved against the black that zero padding assumes outside the frame.
public struct RichardsonLucy: Sendable, Equatable {
    public var psf: PointSpreadFunction
    public var iterations: Int
    public var clip: Bool
    public var filterEpsilon: Float?
    /// Mirror padding in pixels on each side (0 = scikit-image's zero padding).
    public var margin: Int

    public init(psf: PointSpreadFunction, iterations: Int = 30, clip: Bool = true, filterEpsilon: Float? = nil,
                margin: Int = 0) throws {
        guard iterations >= 0 else { throw RestorationError.invalidParameter("Richardson–Lucy iterations must be ≥ 0") }
        guard margin >= 0 else { throw RestorationError.invalidParameter("margin must be ≥ 0 (got \(margin))") }
        self.psf = psf
        self.iterations = iterations
        self.clip = clip
        self.filterEpsilon = filterEpsilon
        self.margin = margin
    }

    /// The deconvolved image. Throws if the PSF is larger than the image.
    public func apply(_ image: PlanarImage) throws(RestorationError) -> PlanarImage {
        try psf.checkFits(width: image.width, height: image.height)
        guard margin > 0 else { return deconvolve(image) }
        return deconvolve(image.mirrorPadded(by: margin)).cropped(by: margin)
    }

    private func deconvolve(_ image: PlanarImage) -> PlanarImage {
        let forward = Convolution.taps(psf)
        let adjoint = Convolution.taps(psf.mirrored)
        let w = image.width, h = image.height, n = image.planeSize
        var out = image
        var estimate = [Float](repeating: 0, count: n)
        var blurred = [Float](repeating: 0, count: n)
        var correction = [Float](repeating: 0, count: n)
        for c in 0..<image.channels {
            let observed = Array(image.pixels[(c * n)..<((c + 1) * n)])
            for i in 0..<n { estimate[i] = 0.5 }
            for _ in 0..<iterations {
                estimate.withUnsafeBufferPointer { e in
                    blurred.withUnsafeMutableBufferPointer { b in
                        guard let eb = e.baseAddress, let bb = b.baseAddress else { return }
                        Convolution.same(eb, bb, width: w, height: h, taps: forward)
                    }
                }
                for i in 0..<n {
                    let conv = blurred[i] + 1e-12
                    if let eps = filterEpsilon, conv < eps {
                        blurred[i] = 0
                    } else {
                        blurred[i] = observed[i] / conv
                    }
                }
                blurred.withUnsafeBufferPointer { b in
                    correction.withUnsafeMutableBufferPointer { d in
                        guard let bb = b.baseAddress, let db = d.baseAddress else { return }
                        Convolution.same(bb, db, width: w, height: h, taps: adjoint)
                    }
                }
                for i in 0..<n { estimate[i] *= correction[i] }
            }
            for i in 0..<n {
                var v = estimate[i]
                if clip { v = min(1, max(-1, v)) }
                out.pixels[c * n + i] = v
            }
        }
        return out
    }
}
