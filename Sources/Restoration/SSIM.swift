/// Structural similarity (Wang et al. 2004) on 8-bit samples, data range 255.
///
/// Matches scikit-image `structural_similarity(..., data_range=255, channel_axis=-1)` with
/// `gaussian_weights=True, sigma=1.5, use_sample_covariance=False` (`.gaussian`) or its defaults
/// (`.uniform7`): the SSIM map is averaged over the valid region only (a border of `radius`
/// pixels is dropped, exactly skimage's `crop(S, pad)`), per channel, then the channel means are
/// averaged. K1 = 0.01, K2 = 0.03. Statistics are accumulated in Double.
public enum SSIM {
    public static let k1 = 0.01
    public static let k2 = 0.03
    public static let dataRange = 255.0

    /// Mean SSIM over channels of two images quantised to 8 bit (RGB, or BT.601 luma if `lumaOnly`).
    public static func ssim(_ reference: PlanarImage, _ test: PlanarImage,
                            window: SSIMWindow = .gaussian, lumaOnly: Bool = false) throws -> Double {
        try ssim(EightBitPlanes(reference, lumaOnly: lumaOnly), EightBitPlanes(test, lumaOnly: lumaOnly), window: window)
    }

    /// Mean SSIM over channels of two 8-bit plane sets.
    public static func ssim(_ a: EightBitPlanes, _ b: EightBitPlanes, window: SSIMWindow = .gaussian) throws -> Double {
        let per = try perChannel(a, b, window: window)
        return per.reduce(0, +) / Double(per.count)
    }

    /// Mean SSIM of each channel.
    public static func perChannel(_ a: EightBitPlanes, _ b: EightBitPlanes, window: SSIMWindow = .gaussian) throws -> [Double] {
        try a.checkComparable(with: b)
        let r = window.radius
        let size = 2 * r + 1
        guard a.width >= size, a.height >= size else {
            throw RestorationError.imageTooSmall(width: a.width, height: a.height, window: size)
        }
        let w = a.width, h = a.height, channels = a.channels
        let validRows = h - 2 * r
        let weights = window.weights
        let covNorm = window.covarianceNormalisation
        // Enough row chunks per channel to balance the cores, few enough that scratch stays cheap.
        let chunks = Parallel.chunks(validRows, parts: 8)
        var partial = [Double](repeating: 0, count: channels * chunks.count)
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                partial.withUnsafeMutableBufferPointer { out in
                    guard let aBase = pa.baseAddress, let bBase = pb.baseAddress, let outBase = out.baseAddress else { return }
                    let sa = SharedPointer(base: aBase), sb = SharedPointer(base: bBase)
                    let so = SharedMutablePointer(base: outBase)
                    Parallel.forEach(channels * chunks.count) { task in
                        let c = task / chunks.count
                        let rows = chunks[task % chunks.count]
                        let offset = c * w * h
                        so.base[task] = rowRangeSum(a: sa.base + offset, b: sb.base + offset, width: w, height: h,
                                                    weights: weights, covNorm: covNorm,
                                                    outputRows: (rows.lowerBound + r)..<(rows.upperBound + r))
                    }
                }
            }
        }
        let count = Double(validRows * (w - 2 * r))
        return (0..<channels).map { c in
            partial[(c * chunks.count)..<((c + 1) * chunks.count)].reduce(0, +) / count
        }
    }

    /// Sum of the SSIM map over `outputRows` × valid columns of one plane.
    private static func rowRangeSum(a: UnsafePointer<Float>, b: UnsafePointer<Float>, width w: Int, height h: Int,
                                    weights: [Double], covNorm: Double, outputRows: Range<Int>) -> Double {
        let taps = weights.count
        let r = taps / 2
        let wv = w - 2 * r
        let c1 = (k1 * dataRange) * (k1 * dataRange)
        let c2 = (k2 * dataRange) * (k2 * dataRange)
        // Vertical sums (full width) then horizontal sums (valid width) of x, y, x², y², xy.
        var vert = [Double](repeating: 0, count: 5 * w)
        var horz = [Double](repeating: 0, count: 5 * wv)
        var total: Double = 0
        weights.withUnsafeBufferPointer { wt in
            vert.withUnsafeMutableBufferPointer { vb in
                horz.withUnsafeMutableBufferPointer { hb in
                    guard let v = vb.baseAddress, let hp = hb.baseAddress else { return }
                    let vx = v, vy = v + w, vxx = v + 2 * w, vyy = v + 3 * w, vxy = v + 4 * w
                    let hx = hp, hy = hp + wv, hxx = hp + 2 * wv, hyy = hp + 3 * wv, hxy = hp + 4 * wv
                    for y in outputRows {
                        for i in 0..<(5 * w) { v[i] = 0 }
                        for k in 0..<taps {
                            let wk = wt[k]
                            let ra = a + (y - r + k) * w, rb = b + (y - r + k) * w
                            for x in 0..<w {
                                let xa = Double(ra[x]), xb = Double(rb[x])
                                let wa = wk * xa, wb = wk * xb
                                vx[x] += wa
                                vy[x] += wb
                                vxx[x] += wa * xa
                                vyy[x] += wb * xb
                                vxy[x] += wa * xb
                            }
                        }
                        for i in 0..<(5 * wv) { hp[i] = 0 }
                        for k in 0..<taps {
                            let wk = wt[k]
                            for x in 0..<wv {
                                hx[x] += wk * vx[x + k]
                                hy[x] += wk * vy[x + k]
                                hxx[x] += wk * vxx[x + k]
                                hyy[x] += wk * vyy[x + k]
                                hxy[x] += wk * vxy[x + k]
                            }
                        }
                        // The SSIM map of this row overwrites hx; then a 4-way sum.
                        for x in 0..<wv {
                            let ux = hx[x], uy = hy[x]
                            let sx = covNorm * (hxx[x] - ux * ux)
                            let sy = covNorm * (hyy[x] - uy * uy)
                            let sxy = covNorm * (hxy[x] - ux * uy)
                            let num = (2 * ux * uy + c1) * (2 * sxy + c2)
                            let den = (ux * ux + uy * uy + c1) * (sx + sy + c2)
                            hx[x] = num / den
                        }
                        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                        var x = 0
                        while x + 4 <= wv {
                            s0 += hx[x]; s1 += hx[x + 1]; s2 += hx[x + 2]; s3 += hx[x + 3]
                            x += 4
                        }
                        while x < wv { s0 += hx[x]; x += 1 }
                        total += (s0 + s1) + (s2 + s3)
                    }
                }
            }
        }
        return total
    }
}

/// A read-only pointer that concurrent workers may share.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
}
