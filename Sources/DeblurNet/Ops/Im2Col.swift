import CBLAS

/// Geometry of a 2-D convolution window sweep over one (group of an) image plane stack.
struct ConvGeometry {
    var channels: Int, height: Int, width: Int           // input planes of one group
    var kh: Int, kw: Int, sh: Int, sw: Int, dh: Int, dw: Int
    var padTop: Int, padLeft: Int
    var outH: Int, outW: Int
    var kernelVolume: Int { channels * kh * kw }

    /// Rows per tile for a column buffer of at most `budget` floats, and large enough that even tiles and
    /// odd tiles never touch the same input rows in col2im ((rows+1)·stride > dilation·(kh−1)).
    func tileRows(budget: Int, minTiles: Int, scatters: Bool = true) -> Int {
        var rows = max(1, budget / max(1, kernelVolume * outW))
        rows = min(rows, max(1, (outH + minTiles - 1) / minTiles))
        let minRows = scatters ? max(1, (dh * (kh - 1)) / sh) : 1
        return min(outH, max(rows, minRows))
    }

    /// For kernel column `kx`: the input x of output column 0 (`xoff`, may be negative) and the output columns
    /// `lo..<hi` whose input x = ox·sw + xoff lies inside the row; the others read padding.
    func validColumns(kx: Int) -> (xoff: Int, lo: Int, hi: Int) {
        let xoff = kx * dw - padLeft
        let lo = xoff >= 0 ? 0 : min(outW, (-xoff + sw - 1) / sw)
        let hi = max(lo, min(outW, (width - 1 - xoff) >= 0 ? (width - 1 - xoff) / sw + 1 : 0))
        return (xoff, lo, hi)
    }
}

/// Copies the receptive fields of output rows `oy0..<oy1` into `col` ([kernelVolume, (oy1-oy0)·outW], row-major).
func im2col(_ src: UnsafePointer<Float>, _ g: ConvGeometry, rows oy0: Int, _ oy1: Int, into col: UnsafeMutablePointer<Float>) {
    let ow = g.outW, n = (oy1 - oy0) * ow
    for c in 0..<g.channels {
        let plane = src + c * g.height * g.width
        for ky in 0..<g.kh {
            for kx in 0..<g.kw {
                let row = col + ((c * g.kh + ky) * g.kw + kx) * n
                let (xoff, oxLo, oxHi) = g.validColumns(kx: kx)
                for oy in oy0..<oy1 {
                    let dst = row + (oy - oy0) * ow
                    let iy = oy * g.sh - g.padTop + ky * g.dh
                    if iy < 0 || iy >= g.height { dst.update(repeating: 0, count: ow); continue }
                    if oxLo > 0 { dst.update(repeating: 0, count: oxLo) }
                    let s = plane + iy * g.width + xoff
                    if g.sw == 1 {
                        if oxHi > oxLo { (dst + oxLo).update(from: s + oxLo, count: oxHi - oxLo) }
                    } else {
                        var ox = oxLo
                        while ox < oxHi { dst[ox] = s[ox * g.sw]; ox += 1 }
                    }
                    if oxHi < ow { (dst + oxHi).update(repeating: 0, count: ow - oxHi) }
                }
            }
        }
    }
}

/// Scatter-adds a column buffer (as produced by `im2col` for rows `oy0..<oy1`) back into image planes.
func col2im(_ col: UnsafePointer<Float>, _ g: ConvGeometry, rows oy0: Int, _ oy1: Int, into dst: UnsafeMutablePointer<Float>) {
    let ow = g.outW, n = (oy1 - oy0) * ow
    for c in 0..<g.channels {
        let plane = dst + c * g.height * g.width
        for ky in 0..<g.kh {
            for kx in 0..<g.kw {
                let row = col + ((c * g.kh + ky) * g.kw + kx) * n
                let (xoff, oxLo, oxHi) = g.validColumns(kx: kx)
                for oy in oy0..<oy1 {
                    let iy = oy * g.sh - g.padTop + ky * g.dh
                    if iy < 0 || iy >= g.height { continue }
                    let s = row + (oy - oy0) * ow
                    let d = plane + iy * g.width + xoff
                    if g.sw == 1 {
                        for ox in oxLo..<oxHi { d[ox] += s[ox] }
                    } else {
                        var ox = oxLo
                        while ox < oxHi { d[ox * g.sw] += s[ox]; ox += 1 }
                    }
                }
            }
        }
    }
}

/// Row-major single-precision GEMM: C = alpha·op(A)·op(B) + beta·C.
@inline(__always)
func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    _ = Threading.configured
    if k == 0 {
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
        return
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Scratch space from the shared pool for the duration of `body`.
@inline(__always)
func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
    let p = BufferPool.shared.take(count)
    defer { BufferPool.shared.give(p, count: count) }
    return body(p)
}
