import Foundation

/// Baseline-JPEG compression artifacts on a planar RGB patch, for training on compressed-looking input.
///
/// What a JPEG encoder/decoder pair does to the picture, without the entropy coding: JFIF RGB → 8-bit YCbCr,
/// 4:2:0 chroma (2×2 means, replicated back), 8×8 orthonormal DCT-II per plane (edges replicated to whole
/// blocks), quantisation with the standard tables (ITU T.81 Annex K) scaled by the IJG quality formula,
/// inverse DCT to 8-bit samples, back to RGB, 8-bit rounding. H.264/H.265 intra frames lose detail the same
/// way (transform coefficients quantised, chroma subsampled), so a model that has seen these artifacts on its
/// input learns not to sharpen them. `scripts/blur_synth.py` `jpeg_artifacts` is the NumPy twin (golden test).
///
/// Shapes: [3, n, n] planar RGB in [0, 1] → [3, n, n].
public enum JPEGArtifacts {
    static let luminance: [Double] = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ]
    static let chrominance: [Double] = [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
        47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ]

    /// The IJG (libjpeg `jpeg_quality_scaling`) table for `quality` in 1...100.
    static func table(_ base: [Double], quality: Int) -> [Double] {
        let q = min(max(quality, 1), 100)
        let scale = q < 50 ? 5000 / q : 200 - 2 * q
        return base.map { min(max(((Int($0) * scale + 50) / 100), 1), 255) }.map(Double.init)
    }

    /// Orthonormal 8-point DCT-II basis: c[u * 8 + x] = α(u) cos((2x + 1)uπ / 16).
    static let basis: [Double] = (0..<64).map { i in
        let u = i / 8, x = i % 8
        return (u == 0 ? (1.0 / 8).squareRoot() : (2.0 / 8).squareRoot()) * cos(Double((2 * x + 1) * u) * .pi / 16)
    }

    /// Applies the compression round trip to a [3, n, n] patch at JPEG `quality` (1–100).
    public static func apply(_ a: [Float], n: Int, quality: Int) -> [Float] {
        precondition(a.count == 3 * n * n && n > 0, "expected a [3, \(n), \(n)] patch")
        var y = [Double](repeating: 0, count: n * n), cb = y, cr = y
        for i in 0..<(n * n) {
            let r = Double(a[i]) * 255, g = Double(a[n * n + i]) * 255, b = Double(a[2 * n * n + i]) * 255
            y[i] = sample(0.299 * r + 0.587 * g + 0.114 * b)
            cb[i] = sample(-0.168736 * r - 0.331264 * g + 0.5 * b + 128)
            cr[i] = sample(0.5 * r - 0.418688 * g - 0.081312 * b + 128)
        }
        let m = (n + 1) / 2
        let ly = quantise(y, width: n, height: n, table: table(luminance, quality: quality))
        let qc = table(chrominance, quality: quality)
        let lcb = quantise(subsample(cb, n: n), width: m, height: m, table: qc)
        let lcr = quantise(subsample(cr, n: n), width: m, height: m, table: qc)
        var out = [Float](repeating: 0, count: 3 * n * n)
        for yy in 0..<n { for xx in 0..<n {
            let i = yy * n + xx, j = (yy / 2) * m + xx / 2
            let l = ly[i], u = lcb[j] - 128, v = lcr[j] - 128
            out[i] = Float(sample(l + 1.402 * v) / 255)
            out[n * n + i] = Float(sample(l - 0.344136 * u - 0.714136 * v) / 255)
            out[2 * n * n + i] = Float(sample(l + 1.772 * u) / 255)
        } }
        return out
    }

    /// An 8-bit sample, as the codec stores planes between its steps.
    static func sample(_ v: Double) -> Double { min(max(v, 0), 255).rounded() }

    /// 2×2 means (the last row/column replicated when n is odd): [n, n] → [⌈n/2⌉, ⌈n/2⌉].
    static func subsample(_ p: [Double], n: Int) -> [Double] {
        let m = (n + 1) / 2
        var o = [Double](repeating: 0, count: m * m)
        for y in 0..<m { for x in 0..<m {
            let y0 = 2 * y, x0 = 2 * x, y1 = min(y0 + 1, n - 1), x1 = min(x0 + 1, n - 1)
            o[y * m + x] = (p[y0 * n + x0] + p[y0 * n + x1] + p[y1 * n + x0] + p[y1 * n + x1]) / 4
        } }
        return o
    }

    /// DCT, quantise, dequantise, inverse DCT of one plane in 8×8 blocks (edge pixels replicated into the
    /// partial blocks, as encoders pad).
    static func quantise(_ p: [Double], width w: Int, height h: Int, table q: [Double]) -> [Double] {
        var o = p
        var block = [Double](repeating: 0, count: 64), tmp = block, coef = block
        for by in stride(from: 0, to: h, by: 8) { for bx in stride(from: 0, to: w, by: 8) {
            for y in 0..<8 { for x in 0..<8 { block[y * 8 + x] = p[min(by + y, h - 1) * w + min(bx + x, w - 1)] - 128 } }
            // coef = C · block · Cᵀ
            for u in 0..<8 { for x in 0..<8 {
                var s = 0.0
                for y in 0..<8 { s += basis[u * 8 + y] * block[y * 8 + x] }
                tmp[u * 8 + x] = s
            } }
            for u in 0..<8 { for v in 0..<8 {
                var s = 0.0
                for x in 0..<8 { s += tmp[u * 8 + x] * basis[v * 8 + x] }
                coef[u * 8 + v] = (s / q[u * 8 + v]).rounded() * q[u * 8 + v]
            } }
            // block = Cᵀ · coef · C
            for y in 0..<8 { for v in 0..<8 {
                var s = 0.0
                for u in 0..<8 { s += basis[u * 8 + y] * coef[u * 8 + v] }
                tmp[y * 8 + v] = s
            } }
            for y in 0..<8 where by + y < h { for x in 0..<8 where bx + x < w {
                var s = 0.0
                for v in 0..<8 { s += tmp[y * 8 + v] * basis[v * 8 + x] }
                o[(by + y) * w + bx + x] = sample(s + 128)
            } }
        } }
        return o
    }
}
