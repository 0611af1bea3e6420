/// Wiener–Hunt deconvolution with scikit-image `restoration.wiener(image, psf, balance, clip=...)`
/// semantics, per channel (each channel is a 2-D image to skimage):
/// `out = ifft2( conj(H) / (|H|² + balance·|L|²) · fft2(image) )`, where `H` is the transfer function
/// of `psf` zero-padded to the image size and rolled so its centre (`size / 2`, floor) sits at the
/// origin (skimage `ir2tf`), and `L` that of the 3×3 Laplacian `[[0,−1,0],[−1,4,−1],[0,−1,0]]`.
/// Circular boundaries, exactly as skimage. If `clip`, the result is clipped to [−1, 1].
/// Computed in Double with an exact-size mixed-radix/Bluestein FFT (no padding).
///
/// `margin > 0` first mirror-pads the image by at least that many pixels (`PlanarImage.mirrorPadded`;
/// right and bottom a little more, up to the next size whose factors are 2, 3 and 5, for the FFT) and
/// crops the result, so the circular wrap-around sees a continuation of the frame, not its opposite edge.
public struct WienerDeconvolution: Sendable {
    public var psf: PointSpreadFunction
    public var balance: Double
    public var clip: Bool
    /// Mirror padding in pixels on each side (0 = scikit-image's circular boundary).
    public var margin: Int
    /// The filter `conj(H) / (|H|² + balance·|L|²)` for the last image size, reused across frames.
    private var cache: (width: Int, height: Int, plan: FFT2DPlan, re: [Double], im: [Double])?

    public init(psf: PointSpreadFunction, balance: Double = 0.01, clip: Bool = true, margin: Int = 0) throws {
        guard balance >= 0, balance.isFinite else {
            throw RestorationError.invalidParameter("Wiener balance must be ≥ 0 (got \(balance))")
        }
        guard margin >= 0 else { throw RestorationError.invalidParameter("margin must be ≥ 0 (got \(margin))") }
        self.psf = psf
        self.balance = balance
        self.clip = clip
        self.margin = margin
    }

    /// The deconvolved image. Throws if the PSF is larger than the image.
    public mutating func apply(_ image: PlanarImage) throws(RestorationError) -> PlanarImage {
        try psf.checkFits(width: image.width, height: image.height)
        guard margin > 0 else { return deconvolve(image) }
        let w = FFTPlan.fastSize(atLeast: image.width + 2 * margin)
        let h = FFTPlan.fastSize(atLeast: image.height + 2 * margin)
        let padded = image.mirrorPadded(left: margin, top: margin, width: w, height: h)
        return deconvolve(padded).cropped(left: margin, top: margin, width: image.width, height: image.height)
    }

    private mutating func deconvolve(_ image: PlanarImage) -> PlanarImage {
        let w = image.width, h = image.height, n = image.planeSize
        if cache == nil || cache?.width != w || cache?.height != h {
            cache = Self.filter(psf: psf, balance: balance, width: w, height: h)
        }
        guard let f = cache.map({ FilterArrays(plan: $0.plan, re: $0.re, im: $0.im) }) else { return image }
        let plan = f.plan
        var out = image
        let scale = 1 / Double(n)
        // Two real channels per complex transform (first in the real part, second in the imaginary):
        // the filter is the transform of a real kernel (Hermitian), so the two results come back
        // separated in the real and imaginary parts.
        var c = 0
        while c < image.channels {
            let paired = c + 1 < image.channels
            var re = image.pixels[(c * n)..<((c + 1) * n)].map(Double.init)
            var im = paired ? image.pixels[((c + 1) * n)..<((c + 2) * n)].map(Double.init) : [Double](repeating: 0, count: n)
            plan.transform(re: &re, im: &im, inverse: false)
            re.withUnsafeMutableBufferPointer { rp in
                im.withUnsafeMutableBufferPointer { ip in
                    f.re.withUnsafeBufferPointer { fr in
                        f.im.withUnsafeBufferPointer { fi in
                            for i in 0..<n {
                                let r = rp[i] * fr[i] - ip[i] * fi[i]
                                let j = rp[i] * fi[i] + ip[i] * fr[i]
                                rp[i] = r
                                ip[i] = j
                            }
                        }
                    }
                }
            }
            plan.transform(re: &re, im: &im, inverse: true)
            let lo: Double = clip ? -1 : -.infinity, hi: Double = clip ? 1 : .infinity
            out.pixels.withUnsafeMutableBufferPointer { op in
                for i in 0..<n { op[c * n + i] = Float(min(hi, max(lo, re[i] * scale))) }
                if paired {
                    for i in 0..<n { op[(c + 1) * n + i] = Float(min(hi, max(lo, im[i] * scale))) }
                }
            }
            c += paired ? 2 : 1
        }
        return out
    }

    static func filter(psf: PointSpreadFunction, balance: Double, width w: Int, height h: Int)
        -> (width: Int, height: Int, plan: FFT2DPlan, re: [Double], im: [Double]) {
        let plan = FFT2DPlan(width: w, height: h)
        var hr = transferInput(psf, width: w, height: h), hi = [Double](repeating: 0, count: w * h)
        plan.transform(re: &hr, im: &hi, inverse: false)
        let laplacian = PointSpreadFunction(unchecked: 3, 3, [0, -1, 0, -1, 4, -1, 0, -1, 0])
        var lr = transferInput(laplacian, width: w, height: h), li = [Double](repeating: 0, count: w * h)
        plan.transform(re: &lr, im: &li, inverse: false)
        var fr = [Double](repeating: 0, count: w * h), fi = fr
        for i in 0..<(w * h) {
            let den = hr[i] * hr[i] + hi[i] * hi[i] + balance * (lr[i] * lr[i] + li[i] * li[i])
            fr[i] = hr[i] / den
            fi[i] = -hi[i] / den
        }
        return (w, h, plan, fr, fi)
    }

    /// skimage `ir2tf` before its FFT: kernel at the top-left, rolled by −(size / 2) on each axis.
    static func transferInput(_ k: PointSpreadFunction, width w: Int, height h: Int) -> [Double] {
        var out = [Double](repeating: 0, count: w * h)
        let cy = k.height / 2, cx = k.width / 2
        for i in 0..<k.height {
            for j in 0..<k.width {
                let y = ((i - cy) % h + h) % h, x = ((j - cx) % w + w) % w
                out[y * w + x] += k.weights[i * k.width + j]
            }
        }
        return out
    }
}

/// The cached filter taken out of the optional tuple once, so the loops do not re-copy it.
private struct FilterArrays {
    let plan: FFT2DPlan
    let re: [Double]
    let im: [Double]
}
