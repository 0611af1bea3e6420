import Foundation

/// Element-wise op: forward `f(x)` and backward `dL/dx = g · d(x, y)` computed from input and output.
@inline(__always)
func elementwise(_ x: Variable, _ f: (Float) -> Float, _ d: @escaping (Float, Float) -> Float) -> Variable {
    var y = Tensor(uninitializedShape: x.shape)
    let yp = y.mutablePtr(), xp = x.value.ptr, n = x.value.count
    for i in 0..<n { yp[i] = f(xp[i]) }
    return record(y, [x]) { [xv = x.value] g in
        var dx = Tensor(uninitializedShape: xv.shape)
        let dp = dx.mutablePtr(), gp = g.ptr, xp = xv.ptr, yp = y.ptr
        for i in 0..<n { dp[i] = gp[i] * d(xp[i], yp[i]) }
        x.accumulate(dx)
    }
}

/// max(x, 0); gradient 1 where x > 0 (as PyTorch).
public func relu(_ x: Variable) -> Variable { elementwise(x, { max($0, 0) }, { x, _ in x > 0 ? 1 : 0 }) }

/// min(max(x, 0), 6); gradient 1 where 0 < x < 6 (PyTorch hardtanh).
public func relu6(_ x: Variable) -> Variable {
    elementwise(x, { min(max($0, 0), 6) }, { x, _ in (x > 0 && x < 6) ? 1 : 0 })
}

/// x for x > 0, slope·x otherwise.
public func leakyReLU(_ x: Variable, slope: Float = 0.01) -> Variable {
    elementwise(x, { $0 > 0 ? $0 : $0 * slope }, { x, _ in x > 0 ? 1 : slope })
}

/// Hyperbolic tangent.
public func tanh(_ x: Variable) -> Variable { elementwise(x, { Foundation.tanh($0) }, { _, y in 1 - y * y }) }

/// Logistic sigmoid (numerically stable for large |x|).
public func sigmoid(_ x: Variable) -> Variable {
    elementwise(x, { v in v >= 0 ? 1 / (1 + Foundation.exp(-v)) : Foundation.exp(v) / (1 + Foundation.exp(v)) },
                { _, y in y * (1 - y) })
}

/// Clamps to [lo, hi]; gradient 1 where lo ≤ x ≤ hi (as PyTorch).
public func clamp(_ x: Variable, min lo: Float, max hi: Float) -> Variable {
    elementwise(x, { Swift.min(Swift.max($0, lo), hi) }, { x, _ in (x >= lo && x <= hi) ? 1 : 0 })
}
