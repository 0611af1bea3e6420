/// How `pad` fills the border.
public enum PadMode: Sendable, Equatable {
    /// Zeros (PyTorch `F.pad(mode='constant')` with value 0).
    case zero
    /// Mirror without repeating the edge (PyTorch `mode='reflect'`; each pad must be < the dimension).
    case reflect
}

/// Reflect index for padding: maps −1 → 1, n → n−2.
@inline(__always) func reflectIndex(_ i: Int, _ n: Int) -> Int {
    if n == 1 { return 0 }
    var j = i
    let period = 2 * (n - 1)
    j = ((j % period) + period) % period
    return j < n ? j : period - j
}

/// Pads the spatial dims of an NCHW tensor.
public func pad(_ x: Variable, _ p: Padding2d, mode: PadMode = .zero) -> Variable {
    let h = x.shape[2], w = x.shape[3], planes = x.shape[0] * x.shape[1]
    if mode == .reflect { precondition(p.top < h && p.bottom < h && p.left < w && p.right < w, "reflect pad \(p) too large for \(h)×\(w)") }
    let oh = h + p.top + p.bottom, ow = w + p.left + p.right
    precondition(oh > 0 && ow > 0 && p.top >= 0 && p.bottom >= 0 && p.left >= 0 && p.right >= 0, "pad: invalid \(p)")
    // Source index per output row/column (−1 = zero).
    func src(_ o: Int, _ before: Int, _ n: Int) -> Int {
        let i = o - before
        if i >= 0 && i < n { return i }
        return mode == .zero ? -1 : reflectIndex(i, n)
    }
    let sy = (0..<oh).map { src($0, p.top, h) }, sx = (0..<ow).map { src($0, p.left, w) }
    var y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], oh, ow])
    let yp = y.mutablePtr(), xp = x.value.ptr
    Threading.parallelFor(planes) { pl in
        for oy in 0..<oh {
            let d = yp + (pl * oh + oy) * ow
            guard sy[oy] >= 0 else { d.update(repeating: 0, count: ow); continue }
            let r = xp + (pl * h + sy[oy]) * w
            for ox in 0..<ow { d[ox] = sx[ox] >= 0 ? r[sx[ox]] : 0 }
        }
    }
    return record(y, [x]) { g in
        var dx = Tensor.zeros(x.shape); let dp = dx.mutablePtr(), gp = g.ptr
        Threading.parallelFor(planes) { pl in
            for oy in 0..<oh where sy[oy] >= 0 {
                let r = dp + (pl * h + sy[oy]) * w, s = gp + (pl * oh + oy) * ow
                for ox in 0..<ow where sx[ox] >= 0 { r[sx[ox]] += s[ox] }
            }
        }
        x.accumulate(dx)
    }
}
