/// Average pooling with a square window and no padding (PyTorch `F.avg_pool2d(x, k, stride)`).
public func avgPool2d(_ x: Variable, kernelSize k: Int, stride s: Int? = nil) -> Variable {
    let st = s ?? k, h = x.shape[2], w = x.shape[3], planes = x.shape[0] * x.shape[1]
    let oh = (h - k) / st + 1, ow = (w - k) / st + 1
    precondition(oh > 0 && ow > 0, "avgPool2d: window \(k) larger than \(h)×\(w)")
    let inv = 1 / Float(k * k)
    var y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], oh, ow])
    let yp = y.mutablePtr(), xp = x.value.ptr
    Threading.parallelFor(planes) { p in
        let src = xp + p * h * w
        for oy in 0..<oh {
            for ox in 0..<ow {
                var acc: Float = 0
                for ky in 0..<k { let r = src + (oy * st + ky) * w + ox * st; for kx in 0..<k { acc += r[kx] } }
                yp[(p * oh + oy) * ow + ox] = acc * inv
            }
        }
    }
    return record(y, [x]) { g in
        var dx = Tensor.zeros(x.shape)
        let dp = dx.mutablePtr(), gp = g.ptr
        Threading.parallelFor(planes) { p in
            let d = dp + p * h * w
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let v = gp[(p * oh + oy) * ow + ox] * inv
                    for ky in 0..<k { let r = d + (oy * st + ky) * w + ox * st; for kx in 0..<k { r[kx] += v } }
                }
            }
        }
        x.accumulate(dx)
    }
}

/// Global average pooling: [N, C, H, W] → [N, C, 1, 1] (PyTorch `adaptive_avg_pool2d(x, 1)`).
public func globalAvgPool(_ x: Variable) -> Variable {
    avgPool2dGlobal(x)
}

func avgPool2dGlobal(_ x: Variable) -> Variable {
    let n = x.shape[0], c = x.shape[1], hw = x.shape[2] * x.shape[3]
    var y = Tensor(uninitializedShape: [n, c, 1, 1])
    let yp = y.mutablePtr(), xp = x.value.ptr
    for p in 0..<(n * c) { var s: Float = 0; for i in 0..<hw { s += xp[p * hw + i] }; yp[p] = s / Float(hw) }
    return record(y, [x]) { g in
        var dx = Tensor(uninitializedShape: x.shape); let dp = dx.mutablePtr()
        for p in 0..<(n * c) { let v = g.ptr[p] / Float(hw); for i in 0..<hw { dp[p * hw + i] = v } }
        x.accumulate(dx)
    }
}

/// Strided subsampling `x[:, :, ::stride, ::stride]`.
public func subsample(_ x: Variable, stride s: Int) -> Variable {
    let h = x.shape[2], w = x.shape[3], planes = x.shape[0] * x.shape[1]
    let oh = (h + s - 1) / s, ow = (w + s - 1) / s
    var y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], oh, ow])
    let yp = y.mutablePtr(), xp = x.value.ptr
    for p in 0..<planes { for oy in 0..<oh { for ox in 0..<ow { yp[(p * oh + oy) * ow + ox] = xp[(p * h + oy * s) * w + ox * s] } } }
    return record(y, [x]) { g in
        var dx = Tensor.zeros(x.shape); let dp = dx.mutablePtr()
        for p in 0..<planes { for oy in 0..<oh { for ox in 0..<ow { dp[(p * h + oy * s) * w + ox * s] = g.ptr[(p * oh + oy) * ow + ox] } } }
        x.accumulate(dx)
    }
}
