import Foundation

/// Element-wise op: forward `f(x)` and backward `dL/dx = g · d(x, y)` computed from input and output.
@inline(__always)
func elementwise(_ x: Variable, _ f: (Float) -> Float, _ d: @escaping (Float, Float) -> Float) -> Variable {
    var y = Tensor(uninitializedShape: x.shape)
    let yp = y.mutablePtr(), xp = x.value.ptr, n = x.value.count
    Threading.parallelChunks(n, minChunk: 1 << 16) { r in for i in r { yp[i] = f(xp[i]) } }
    return record(y, [x]) { [xv = x.value] g in
        var dx = Tensor(uninitializedShape: xv.shape)
        let dp = dx.mutablePtr(), gp = g.ptr, xp = xv.ptr, yp = y.ptr
        Threading.parallelChunks(n, minChunk: 1 << 16) { r in for i in r { dp[i] = gp[i] * d(xp[i], yp[i]) } }
        x.accumulate(dx)
    }
}

/// Piecewise-linear clamp to [lo, hi] with gradient 1 strictly inside (ReLU: hi = ∞, ReLU6: hi = 6), written as
/// plain loops so they vectorise (the closure-based `elementwise` does not inline its closures).
func clampLinear(_ x: Variable, lo: Float, hi: Float, inclusive: Bool) -> Variable {
    var y = Tensor(uninitializedShape: x.shape)
    let yp = y.mutablePtr(), xp = x.value.ptr, n = x.value.count
    Threading.parallelChunks(n, minChunk: 1 << 16) { r in for i in r { yp[i] = min(max(xp[i], lo), hi) } }
    return record(y, [x]) { [xv = x.value] g in
        var dx = Tensor(uninitializedShape: xv.shape)
        let dp = dx.mutablePtr(), gp = g.ptr, xp = xv.ptr
        Threading.parallelChunks(n, minChunk: 1 << 16) { r in
            // Branch-free masks (a short-circuit `&&` compiles to unpredictable branches on random data).
            if inclusive { for i in r { let v = xp[i]; dp[i] = gp[i] * (v >= lo ? 1 : 0) * (v <= hi ? 1 : 0) } }
            else { for i in r { let v = xp[i]; dp[i] = gp[i] * (v > lo ? 1 : 0) * (v < hi ? 1 : 0) } }
        }
        x.accumulate(dx)
    }
}

/// max(x, 0); gradient 1 where x > 0 (as PyTorch).
public func relu(_ x: Variable) -> Variable { clampLinear(x, lo: 0, hi: .infinity, inclusive: false) }

/// min(max(x, 0), 6); gradient 1 where 0 < x < 6 (PyTorch hardtanh).
public func relu6(_ x: Variable) -> Variable { clampLinear(x, lo: 0, hi: 6, inclusive: false) }

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
public func clamp(_ x: Variable, min lo: Float, max hi: Float) -> Variable { clampLinear(x, lo: lo, hi: hi, inclusive: true) }
