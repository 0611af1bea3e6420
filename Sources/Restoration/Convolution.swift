/// 2-D convolution of planes with scipy's `convolve(image, kernel, mode="same")` semantics:
/// zero padding, output aligned so that `out[y][x] = Σ k[i][j] · in[y + kh/2 − i][x + kw/2 − j]`
/// (integer halves of `size − 1`). Only non-zero taps are visited, so sparse motion kernels are cheap.
enum Convolution {
    struct Tap: Sendable { let dy: Int; let dx: Int; let w: Float }

    static func taps(_ k: PointSpreadFunction) -> [Tap] {
        var out: [Tap] = []
        let cy = (k.height - 1) / 2, cx = (k.width - 1) / 2
        for i in 0..<k.height {
            for j in 0..<k.width where k.weights[i * k.width + j] != 0 {
                out.append(Tap(dy: cy - i, dx: cx - j, w: Float(k.weights[i * k.width + j])))
            }
        }
        return out
    }

    /// `dst = src ⊛ taps` on one `width × height` plane, parallel over rows.
    static func same(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, width w: Int, height h: Int, taps: [Tap]) {
        let s = SharedPointer(base: src), d = SharedMutablePointer(base: dst)
        let chunks = Parallel.chunks(h, parts: 16)
        Parallel.forEach(chunks.count) { c in
            for y in chunks[c] {
                let out = d.base + y * w
                for x in 0..<w { out[x] = 0 }
                for t in taps {
                    let sy = y + t.dy
                    guard sy >= 0, sy < h else { continue }
                    let row = s.base + sy * w
                    let x0 = max(0, -t.dx), x1 = min(w, w - t.dx)
                    guard x0 < x1 else { continue }
                    let wt = t.w
                    let shifted = row + t.dx
                    for x in x0..<x1 { out[x] += wt * shifted[x] }
                }
            }
        }
    }
}

/// Separable filtering with scipy.ndimage's `mode="reflect"` boundary (`d c b a | a b c d | d c b a`).
enum SeparableFilter {
    /// scipy's reflect index for any offset (the extension repeats with period 2n).
    @inline(__always)
    static func reflect(_ i: Int, _ n: Int) -> Int {
        let period = 2 * n
        var m = i % period
        if m < 0 { m += period }
        return m < n ? m : period - 1 - m
    }

    /// Correlates one plane with `kernel` along rows, then along columns (symmetric kernels: = convolution).
    static func apply(_ plane: [Float], width w: Int, height h: Int, kernel: [Double]) -> [Float] {
        let r = kernel.count / 2
        let k = kernel.map(Float.init)
        var tmp = [Float](repeating: 0, count: w * h)
        var out = tmp
        plane.withUnsafeBufferPointer { src in
            tmp.withUnsafeMutableBufferPointer { t in
                guard let sb = src.baseAddress, let tb = t.baseAddress else { return }
                let s = SharedPointer(base: sb), d = SharedMutablePointer(base: tb)
                let chunks = Parallel.chunks(h, parts: 16)
                Parallel.forEach(chunks.count) { c in
                    var padded = [Float](repeating: 0, count: w + 2 * r)
                    padded.withUnsafeMutableBufferPointer { p in
                        for y in chunks[c] {
                            let row = s.base + y * w
                            for i in 0..<(w + 2 * r) { p[i] = row[reflect(i - r, w)] }
                            let o = d.base + y * w
                            for x in 0..<w { o[x] = 0 }
                            for (j, kj) in k.enumerated() {
                                for x in 0..<w { o[x] += kj * p[x + j] }
                            }
                        }
                    }
                }
            }
        }
        tmp.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { o in
                guard let sb = src.baseAddress, let ob = o.baseAddress else { return }
                let s = SharedPointer(base: sb), d = SharedMutablePointer(base: ob)
                let chunks = Parallel.chunks(h, parts: 16)
                Parallel.forEach(chunks.count) { c in
                    for y in chunks[c] {
                        let orow = d.base + y * w
                        for x in 0..<w { orow[x] = 0 }
                        for (j, kj) in k.enumerated() {
                            let row = s.base + reflect(y - r + j, h) * w
                            for x in 0..<w { orow[x] += kj * row[x] }
                        }
                    }
                }
            }
        }
        return out
    }
}
