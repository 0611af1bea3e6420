/// Wiener–Hunt deconvolution with scikit-image `restoration.wiener(image, psf, balance, clip=...)`
/// semantics, per channel (each channel is a 2-D image to skimage):
/// `out = ifft2( conj(H) / (|H|² + balance·|L|²) · fft2(image) )`, where `H` is the transfer function
/// of `psf` zero-padded to the image size and rolled so its centre (`size / 2`, floor) sits at the
/// origin (skimage `ir2tf`), and `L` that of the 3×3 Laplacian `[[0,−1,0],[−1,4,−1],[0,−1,0]]`.
/// Circular boundaries, exactly as skimage. If `clip`, the result is clipped to [−1, 1].
/// Computed in Double with an exact-size mixed-radix/Bluestein FFT (no padding).
public struct WienerDeconvolution: Sendable {
    public var psf: PointSpreadFunction
    public var balance: Double
    public var clip: Bool
    /// The filter `conj(H) / (|H|² + balance·|L|²)` for the last image size, reused across frames.
    private var cache: (width: Int, height: Int, plan: FFT2DPlan, re: [Double], im: [Double])?

    public init(psf: PointSpreadFunction, balance: Double = 0.01, clip: Bool = true) throws {
        guard balance >= 0, balance.isFinite else {
            throw RestorationError.invalidParameter("Wiener balance must be ≥ 0 (got \(balance))")
        }
        self.psf = psf
        self.balance = balance
        self.clip = clip
    }

    /// The deconvolved image. Throws if the PSF is larger than the image.
    public mutating func apply(_ image: PlanarImage) throws -> PlanarImage {
        let w = image.width, h = image.height, n = image.planeSize
        guard psf.width <= w, psf.height <= h else {
            throw RestorationError.invalidParameter("PSF \(psf.width)x\(psf.height) larger than image \(w)x\(h)")
        }
        if cache == nil || cache?.width != w || cache?.height != h {
            cache = Self.filter(psf: psf, balance: balance, width: w, height: h)
        }
        guard let f = cache else { return image }
        var out = image
        let scale = 1 / Double(n)
        for c in 0..<image.channels {
            var re = image.pixels[(c * n)..<((c + 1) * n)].map(Double.init)
            var im = [Double](repeating: 0, count: n)
            f.plan.transform(re: &re, im: &im, inverse: false)
            for i in 0..<n {
                let r = re[i] * f.re[i] - im[i] * f.im[i]
                let j = re[i] * f.im[i] + im[i] * f.re[i]
                re[i] = r
                im[i] = j
            }
            f.plan.transform(re: &re, im: &im, inverse: true)
            for i in 0..<n {
                var v = re[i] * scale
                if clip { v = min(1, max(-1, v)) }
                out.pixels[c * n + i] = Float(v)
            }
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
