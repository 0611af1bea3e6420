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
        // Specialise on the two window radii so the tap loops unroll.
        switch weights.count / 2 {
        case 5: return rowRangeSum(a: a, b: b, width: w, weights: weights, covNorm: covNorm, outputRows: outputRows, radius: 5)
        case 3: return rowRangeSum(a: a, b: b, width: w, weights: weights, covNorm: covNorm, outputRows: outputRows, radius: 3)
        default: return rowRangeSum(a: a, b: b, width: w, weights: weights, covNorm: covNorm, outputRows: outputRows,
                                    radius: weights.count / 2)
        }
    }

    /// The separable filtering in Float without catastrophic cancellation.
    ///
    /// Horizontal pass, per window: shift by the (integer) centre sample c, so d = x − c are exact
    /// integers, and keep the row mean m = c + Σw·d and the row (co)variance v = Σw·d² − (Σw·d)²
    /// (pairs of d² are exact in Float). Because c is a sample with weight w₀, (m − c)² ≤ v / w₀, so
    /// v carries a relative error of a few Float ulps instead of an absolute error of ulps of 255².
    /// Vertical pass: the law of total variance, σ² = Σᵢ wᵢ·vᵢ + Σᵢ wᵢ·(mᵢ − m₀)² − (Σᵢ wᵢ·(mᵢ − m₀))²,
    /// again shifted by the centre row's mean m₀. Against scikit-image's float64 this agrees to ~1e-7.
    @inline(__always)
    private static func rowRangeSum(a: UnsafePointer<Float>, b: UnsafePointer<Float>, width w: Int,
                                    weights: [Double], covNorm: Double, outputRows: Range<Int>, radius r: Int) -> Double {
        typealias F8 = SIMD8<Float>  // 8 lanes: two SSE registers per op, enough independent work to hide latency
        let taps = 2 * r + 1
        let wv = w - 2 * r
        let wvPad = (wv + 7) & ~7
        let c1 = Float((k1 * dataRange) * (k1 * dataRange))
        let c2 = Float((k2 * dataRange) * (k2 * dataRange))
        let norm = Float(covNorm)
        // Padded copies of the current input rows, the ring of horizontal results
        // (5 quantities × taps rows × wvPad) and the weights.
        let rowA = UnsafeMutablePointer<Float>.allocate(capacity: wvPad + 2 * r)
        let rowB = UnsafeMutablePointer<Float>.allocate(capacity: wvPad + 2 * r)
        let ring = UnsafeMutablePointer<Float>.allocate(capacity: 5 * taps * wvPad)
        let wt = UnsafeMutablePointer<Float>.allocate(capacity: taps)
        defer { rowA.deallocate(); rowB.deallocate(); ring.deallocate(); wt.deallocate() }
        rowA.initialize(repeating: 0, count: wvPad + 2 * r)
        rowB.initialize(repeating: 0, count: wvPad + 2 * r)
        ring.initialize(repeating: 0, count: 5 * taps * wvPad)
        for k in 0..<taps { wt[k] = Float(weights[k]) }

        @inline(__always) func ld(_ p: UnsafePointer<Float>) -> F8 { UnsafeRawPointer(p).loadUnaligned(as: F8.self) }
        @inline(__always) func st(_ p: UnsafeMutablePointer<Float>, _ v: F8) {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: F8.self)
        }
        @inline(__always) func ringRow(_ quantity: Int, _ inputRow: Int) -> UnsafeMutablePointer<Float> {
            ring + (quantity * taps + inputRow % taps) * wvPad
        }

        @inline(__always) func filterInputRow(_ row: Int) {
            rowA.update(from: a + row * w, count: w)
            rowB.update(from: b + row * w, count: w)
            let om = ringRow(0, row), on = ringRow(1, row), ova = ringRow(2, row), ovb = ringRow(3, row), ovab = ringRow(4, row)
            var x = 0
            while x < wvPad {
                let ca = ld(rowA + x + r), cb = ld(rowB + x + r)
                var sa = F8(repeating: 0), sb = sa, saa = sa, sbb = sa, sab = sa
                var k = 1
                while k <= r {
                    let wk = wt[r + k]
                    let la = ld(rowA + x + r - k) - ca, ra = ld(rowA + x + r + k) - ca
                    let lb = ld(rowB + x + r - k) - cb, rb = ld(rowB + x + r + k) - cb
                    sa += wk * (la + ra)
                    sb += wk * (lb + rb)
                    saa += wk * (la * la + ra * ra)
                    sbb += wk * (lb * lb + rb * rb)
                    sab += wk * (la * lb + ra * rb)
                    k += 1
                }
                st(om + x, ca + sa)
                st(on + x, cb + sb)
                st(ova + x, saa - sa * sa)
                st(ovb + x, sbb - sb * sb)
                st(ovab + x, sab - sa * sb)
                x += 8
            }
        }

        var total: Double = 0
        guard let first = outputRows.first else { return 0 }
        for row in (first - r)..<(first + r) { filterInputRow(row) }
        let w0 = wt[r]
        // Row pointers of the ring for the current output row: [quantity * taps + r + offset].
        let rows = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(capacity: 5 * taps)
        defer { rows.deallocate() }
        for y in outputRows {
            filterInputRow(y + r)
            for q in 0..<5 {
                for o in -r...r { rows[q * taps + r + o] = ringRow(q, y + o) }
            }
            let ma0 = ringRow(0, y), mb0 = ringRow(1, y), va0 = ringRow(2, y), vb0 = ringRow(3, y), vab0 = ringRow(4, y)
            var rowSum = SIMD8<Double>(repeating: 0)
            var x = 0
            while x < wvPad {
                let ca = ld(ma0 + x), cb = ld(mb0 + x)
                var va = w0 * ld(va0 + x), vb = w0 * ld(vb0 + x), vab = w0 * ld(vab0 + x)
                var ea = F8(repeating: 0), eb = ea, eaa = ea, ebb = ea, eab = ea
                var k = 1
                while k <= r {
                    let wk = wt[r + k]
                    let up = r - k, down = r + k
                    let ua = ld(rows[up] + x) - ca, da = ld(rows[down] + x) - ca
                    let ub = ld(rows[taps + up] + x) - cb, db = ld(rows[taps + down] + x) - cb
                    ea += wk * (ua + da)
                    eb += wk * (ub + db)
                    eaa += wk * (ua * ua + da * da)
                    ebb += wk * (ub * ub + db * db)
                    eab += wk * (ua * ub + da * db)
                    va += wk * (ld(rows[2 * taps + up] + x) + ld(rows[2 * taps + down] + x))
                    vb += wk * (ld(rows[3 * taps + up] + x) + ld(rows[3 * taps + down] + x))
                    vab += wk * (ld(rows[4 * taps + up] + x) + ld(rows[4 * taps + down] + x))
                    k += 1
                }
                let ux = ca + ea, uy = cb + eb
                let sx = norm * (va + (eaa - ea * ea))
                let sy = norm * (vb + (ebb - eb * eb))
                let sxy = norm * (vab + (eab - ea * eb))
                let num = (2 * ux * uy + c1) * (2 * sxy + c2)
                let den = (ux * ux + uy * uy + c1) * (sx + sy + c2)
                let map = num / den
                if x + 8 <= wv {
                    rowSum += SIMD8<Double>(map)
                } else {
                    for lane in 0..<(wv - x) { rowSum[0] += Double(map[lane]) }
                }
                x += 8
            }
            total += rowSum.sum()
        }
        return total
    }
}

/// A read-only pointer that concurrent workers may share.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
}
