import Foundation

/// A complex FFT of one length, any length: mixed-radix Stockham (radix 4, 2 and odd primes ≤ 61),
/// Bluestein's chirp-z for lengths with a larger prime factor. Double precision, split re/im.
///
/// Forward uses `exp(-2πi·jk/n)`; the inverse uses `exp(+2πi·jk/n)` and is not scaled (divide by n).
public struct FFTPlan: Sendable {
    public let count: Int
    private let stages: [Stage]
    private let bluestein: BluesteinPlan?

    private struct Stage: Sendable {
        let radix: Int
        let m: Int          // butterflies per stride group: current length / radix
        let stride: Int
        let twRe: [Double]  // w^(t·q) for q < m, t < radix, at [q * radix + t]; w = exp(-2πi / current length)
        let twIm: [Double]
        let rootRe: [Double] // exp(-2πi·u / radix) for u < radix
        let rootIm: [Double]
    }

    public init(count n: Int) {
        precondition(n >= 1, "FFT length must be positive")
        count = n
        let factors = FFTPlan.factor(n)
        if let largest = factors.max(), largest > 61 {
            stages = []
            bluestein = BluesteinPlan(count: n)
            return
        }
        bluestein = nil
        var built: [Stage] = []
        var current = n, stride = 1
        for p in factors {
            let m = current / p
            var twRe = [Double](repeating: 0, count: m * p), twIm = twRe
            for q in 0..<m {
                for t in 0..<p {
                    let angle = -2 * Double.pi * Double(t * q) / Double(current)
                    twRe[q * p + t] = cos(angle)
                    twIm[q * p + t] = sin(angle)
                }
            }
            let rootRe = (0..<p).map { cos(-2 * Double.pi * Double($0) / Double(p)) }
            let rootIm = (0..<p).map { sin(-2 * Double.pi * Double($0) / Double(p)) }
            built.append(Stage(radix: p, m: m, stride: stride, twRe: twRe, twIm: twIm, rootRe: rootRe, rootIm: rootIm))
            current = m
            stride *= p
        }
        stages = built
    }

    /// The smallest n' ≥ n whose only prime factors are 2, 3 and 5 (fast with the specialised radices).
    public static func fastSize(atLeast n: Int) -> Int {
        var m = max(1, n)
        while true {
            var r = m
            for p in [2, 3, 5] { while r % p == 0 { r /= p } }
            if r == 1 { return m }
            m += 1
        }
    }

    /// Radix order: 4s, then a 2, then odd primes ascending.
    static func factor(_ n: Int) -> [Int] {
        var n = n
        var out: [Int] = []
        while n % 4 == 0 { out.append(4); n /= 4 }
        if n % 2 == 0 { out.append(2); n /= 2 }
        var p = 3
        while p * p <= n {
            while n % p == 0 { out.append(p); n /= p }
            p += 2
        }
        if n > 1 { out.append(n) }
        return out
    }

    /// Scratch needed by `transform`: `count` doubles per part (Bluestein needs more, it allocates its own).
    public var scratchCount: Int { count }

    /// In-place transform of `count` complex samples at `re`/`im`, using `scratchRe`/`scratchIm` (≥ `count` each).
    public func transform(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>,
                          scratchRe: UnsafeMutablePointer<Double>, scratchIm: UnsafeMutablePointer<Double>,
                          inverse: Bool) {
        if let b = bluestein {
            b.transform(re: re, im: im, inverse: inverse)
            return
        }
        let sign: Double = inverse ? -1 : 1
        var xr = re, xi = im, yr = scratchRe, yi = scratchIm
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * 64)  // one generic-radix butterfly
        defer { scratch.deallocate() }
        let ar = scratch, ai = scratch + 64
        for st in stages {
            let p = st.radix, m = st.m, s = st.stride
            let sm = s * m
            st.twRe.withUnsafeBufferPointer { twr in
            st.twIm.withUnsafeBufferPointer { twi in
            st.rootRe.withUnsafeBufferPointer { rr in
            st.rootIm.withUnsafeBufferPointer { ri in
                switch p {
                case 2:
                    for q in 0..<m {
                        let wr = twr[q * 2 + 1], wi = sign * twi[q * 2 + 1]
                        for j in 0..<s {
                            let i0 = j + s * q, i1 = i0 + sm
                            let a0r = xr[i0], a0i = xi[i0], a1r = xr[i1], a1i = xi[i1]
                            let o = j + s * 2 * q
                            yr[o] = a0r + a1r; yi[o] = a0i + a1i
                            let dr = a0r - a1r, di = a0i - a1i
                            yr[o + s] = dr * wr - di * wi; yi[o + s] = dr * wi + di * wr
                        }
                    }
                case 4:
                    for q in 0..<m {
                        let w1r = twr[q * 4 + 1], w1i = sign * twi[q * 4 + 1]
                        let w2r = twr[q * 4 + 2], w2i = sign * twi[q * 4 + 2]
                        let w3r = twr[q * 4 + 3], w3i = sign * twi[q * 4 + 3]
                        for j in 0..<s {
                            let i0 = j + s * q
                            let a0r = xr[i0], a0i = xi[i0]
                            let a1r = xr[i0 + sm], a1i = xi[i0 + sm]
                            let a2r = xr[i0 + 2 * sm], a2i = xi[i0 + 2 * sm]
                            let a3r = xr[i0 + 3 * sm], a3i = xi[i0 + 3 * sm]
                            let t0r = a0r + a2r, t0i = a0i + a2i
                            let t1r = a0r - a2r, t1i = a0i - a2i
                            let t2r = a1r + a3r, t2i = a1i + a3i
                            // -i·sign·(a1 - a3)
                            let dr = a1r - a3r, di = a1i - a3i
                            let t3r = sign * di, t3i = -sign * dr
                            let o = j + s * 4 * q
                            yr[o] = t0r + t2r; yi[o] = t0i + t2i
                            let c1r = t1r + t3r, c1i = t1i + t3i
                            let c2r = t0r - t2r, c2i = t0i - t2i
                            let c3r = t1r - t3r, c3i = t1i - t3i
                            yr[o + s] = c1r * w1r - c1i * w1i; yi[o + s] = c1r * w1i + c1i * w1r
                            yr[o + 2 * s] = c2r * w2r - c2i * w2i; yi[o + 2 * s] = c2r * w2i + c2i * w2r
                            yr[o + 3 * s] = c3r * w3r - c3i * w3i; yi[o + 3 * s] = c3r * w3i + c3i * w3r
                        }
                    }
                case 3:
                    // c1,2 = a0 − (a1 + a2)/2 ∓ i·sign·(√3/2)(a1 − a2)
                    let h = sign * 0.866_025_403_784_438_6
                    for q in 0..<m {
                        let w1r = twr[q * 3 + 1], w1i = sign * twi[q * 3 + 1]
                        let w2r = twr[q * 3 + 2], w2i = sign * twi[q * 3 + 2]
                        for j in 0..<s {
                            let i0 = j + s * q
                            let a0r = xr[i0], a0i = xi[i0]
                            let a1r = xr[i0 + sm], a1i = xi[i0 + sm]
                            let a2r = xr[i0 + 2 * sm], a2i = xi[i0 + 2 * sm]
                            let tr = a1r + a2r, ti = a1i + a2i
                            let mr = a0r - 0.5 * tr, mi = a0i - 0.5 * ti
                            let dr = h * (a1r - a2r), di = h * (a1i - a2i)
                            let o = j + s * 3 * q
                            yr[o] = a0r + tr; yi[o] = a0i + ti
                            let c1r = mr + di, c1i = mi - dr
                            let c2r = mr - di, c2i = mi + dr
                            yr[o + s] = c1r * w1r - c1i * w1i; yi[o + s] = c1r * w1i + c1i * w1r
                            yr[o + 2 * s] = c2r * w2r - c2i * w2i; yi[o + 2 * s] = c2r * w2i + c2i * w2r
                        }
                    }
                case 5:
                    let c1 = cos(2 * Double.pi / 5), c2 = cos(4 * Double.pi / 5)
                    let s1 = sign * sin(2 * Double.pi / 5), s2 = sign * sin(4 * Double.pi / 5)
                    for q in 0..<m {
                        let w1r = twr[q * 5 + 1], w1i = sign * twi[q * 5 + 1]
                        let w2r = twr[q * 5 + 2], w2i = sign * twi[q * 5 + 2]
                        let w3r = twr[q * 5 + 3], w3i = sign * twi[q * 5 + 3]
                        let w4r = twr[q * 5 + 4], w4i = sign * twi[q * 5 + 4]
                        for j in 0..<s {
                            let i0 = j + s * q
                            let a0r = xr[i0], a0i = xi[i0]
                            let a1r = xr[i0 + sm], a1i = xi[i0 + sm]
                            let a2r = xr[i0 + 2 * sm], a2i = xi[i0 + 2 * sm]
                            let a3r = xr[i0 + 3 * sm], a3i = xi[i0 + 3 * sm]
                            let a4r = xr[i0 + 4 * sm], a4i = xi[i0 + 4 * sm]
                            let t1r = a1r + a4r, t1i = a1i + a4i, t2r = a2r + a3r, t2i = a2i + a3i
                            let t3r = a1r - a4r, t3i = a1i - a4i, t4r = a2r - a3r, t4i = a2i - a3i
                            let b1r = a0r + c1 * t1r + c2 * t2r, b1i = a0i + c1 * t1i + c2 * t2i
                            let b2r = a0r + c2 * t1r + c1 * t2r, b2i = a0i + c2 * t1i + c1 * t2i
                            // d1 = s1·t3 + s2·t4, d2 = s2·t3 − s1·t4; y1,4 = b1 ∓ i·d1, y2,3 = b2 ∓ i·d2
                            let d1r = s1 * t3r + s2 * t4r, d1i = s1 * t3i + s2 * t4i
                            let d2r = s2 * t3r - s1 * t4r, d2i = s2 * t3i - s1 * t4i
                            let o = j + s * 5 * q
                            yr[o] = a0r + t1r + t2r; yi[o] = a0i + t1i + t2i
                            let y1r = b1r + d1i, y1i = b1i - d1r, y4r = b1r - d1i, y4i = b1i + d1r
                            let y2r = b2r + d2i, y2i = b2i - d2r, y3r = b2r - d2i, y3i = b2i + d2r
                            yr[o + s] = y1r * w1r - y1i * w1i; yi[o + s] = y1r * w1i + y1i * w1r
                            yr[o + 2 * s] = y2r * w2r - y2i * w2i; yi[o + 2 * s] = y2r * w2i + y2i * w2r
                            yr[o + 3 * s] = y3r * w3r - y3i * w3i; yi[o + 3 * s] = y3r * w3i + y3i * w3r
                            yr[o + 4 * s] = y4r * w4r - y4i * w4i; yi[o + 4 * s] = y4r * w4i + y4i * w4r
                        }
                    }
                default:
                    for q in 0..<m {
                        for j in 0..<s {
                            let i0 = j + s * q
                            for k in 0..<p { ar[k] = xr[i0 + k * sm]; ai[k] = xi[i0 + k * sm] }
                            let o = j + s * p * q
                            for t in 0..<p {
                                var cr = ar[0], ci = ai[0]
                                var u = 0
                                for k in 1..<p {
                                    u += t
                                    if u >= p { u -= p }  // u = t·k mod p without a division
                                    let wr = rr[u], wi = sign * ri[u]
                                    cr += ar[k] * wr - ai[k] * wi
                                    ci += ar[k] * wi + ai[k] * wr
                                }
                                let wr = twr[q * p + t], wi = sign * twi[q * p + t]
                                yr[o + t * s] = cr * wr - ci * wi
                                yi[o + t * s] = cr * wi + ci * wr
                            }
                        }
                    }
                }
            }}}}
            swap(&xr, &yr)
            swap(&xi, &yi)
        }
        if xr != re {
            re.update(from: xr, count: count)
            im.update(from: xi, count: count)
        }
    }

    /// Convenience: transforms arrays in place.
    public func transform(re: inout [Double], im: inout [Double], inverse: Bool) {
        precondition(re.count == count && im.count == count, "FFT input length mismatch")
        var sr = [Double](repeating: 0, count: count), si = sr
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { i in
                sr.withUnsafeMutableBufferPointer { a in
                    si.withUnsafeMutableBufferPointer { b in
                        guard let rb = r.baseAddress, let ib = i.baseAddress, let ab = a.baseAddress,
                              let bb = b.baseAddress else { return }  // count ≥ 1, so never taken
                        transform(re: rb, im: ib, scratchRe: ab, scratchIm: bb, inverse: inverse)
                    }
                }
            }
        }
    }
}

/// Bluestein's algorithm: a length-n DFT as a circular convolution of power-of-two length.
private final class BluesteinPlan: Sendable {
    let n: Int
    let m: Int
    let inner: FFTPlan
    let chirpRe: [Double]   // exp(-πi k²/n)
    let chirpIm: [Double]
    let kernelRe: [Double]  // FFT of conj(chirp) wrapped to length m (forward direction)
    let kernelIm: [Double]

    init(count n: Int) {
        self.n = n
        var m = 1
        while m < 2 * n - 1 { m *= 2 }
        self.m = m
        inner = FFTPlan(count: m)
        var cr = [Double](repeating: 0, count: n), ci = cr
        for k in 0..<n {
            let k2 = (k * k) % (2 * n)  // exact angle reduction keeps precision for large k
            let angle = -Double.pi * Double(k2) / Double(n)
            cr[k] = cos(angle)
            ci[k] = sin(angle)
        }
        chirpRe = cr
        chirpIm = ci
        var br = [Double](repeating: 0, count: m), bi = br
        for k in 0..<n {
            br[k] = cr[k]; bi[k] = -ci[k]
            if k > 0 { br[m - k] = cr[k]; bi[m - k] = -ci[k] }
        }
        inner.transform(re: &br, im: &bi, inverse: false)
        kernelRe = br
        kernelIm = bi
    }

    /// The inverse is the forward transform of the conjugate, conjugated.
    func transform(re: UnsafeMutablePointer<Double>, im: UnsafeMutablePointer<Double>, inverse: Bool) {
        let s: Double = inverse ? -1 : 1
        var ar = [Double](repeating: 0, count: m), ai = ar
        for k in 0..<n {
            let xr = re[k], xi = s * im[k]
            ar[k] = xr * chirpRe[k] - xi * chirpIm[k]
            ai[k] = xr * chirpIm[k] + xi * chirpRe[k]
        }
        inner.transform(re: &ar, im: &ai, inverse: false)
        for k in 0..<m {
            let r = ar[k] * kernelRe[k] - ai[k] * kernelIm[k]
            let i = ar[k] * kernelIm[k] + ai[k] * kernelRe[k]
            ar[k] = r; ai[k] = i
        }
        inner.transform(re: &ar, im: &ai, inverse: true)
        let scale = 1 / Double(m)
        for k in 0..<n {
            let vr = ar[k] * scale, vi = ai[k] * scale
            re[k] = vr * chirpRe[k] - vi * chirpIm[k]
            im[k] = s * (vr * chirpIm[k] + vi * chirpRe[k])
        }
    }
}
