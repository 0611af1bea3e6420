import Foundation

/// Losses with mean reduction (as PyTorch's defaults). Gradients flow to both arguments when they require them.

@inline(__always)
func pairwiseLoss(_ x: Variable, _ t: Variable, _ name: String, value: (Float, Float) -> Double,
                  grad: @escaping (Float, Float) -> Float) -> Variable {
    precondition(x.value.count == t.value.count, "\(name): \(x.shape) vs \(t.shape)")
    let n = x.value.count, xp = x.value.ptr, tp = t.value.ptr
    var s = 0.0
    for i in 0..<n { s += value(xp[i], tp[i]) }
    let y = Tensor(scalar: Float(s / Double(n)))
    return record(y, [x, t]) { [xv = x.value, tv = t.value] g in
        let k = g.scalar / Float(n)
        var d = Tensor(uninitializedShape: xv.shape); let dp = d.mutablePtr(), xp = xv.ptr, tp = tv.ptr
        for i in 0..<n { dp[i] = k * grad(xp[i], tp[i]) }
        if x.requiresGrad { x.accumulate(d) }
        if t.requiresGrad {
            // Only L1/MSE are symmetric in (x, t) up to sign; BCE targets are treated separately below.
            var dt = d; let q = dt.mutablePtr()
            for i in 0..<n { q[i] = -q[i] }
            t.accumulate(dt.reshaped(tv.shape))
        }
    }
}

/// mean |x − t|; gradient sign(x − t)/N with sign(0) = 0.
public func l1Loss(_ x: Variable, _ target: Variable) -> Variable {
    pairwiseLoss(x, target, "l1Loss", value: { Double(abs($0 - $1)) }, grad: { a, b in a > b ? 1 : (a < b ? -1 : 0) })
}

/// mean (x − t)².
public func mseLoss(_ x: Variable, _ target: Variable) -> Variable {
    pairwiseLoss(x, target, "mseLoss", value: { let d = Double($0 - $1); return d * d }, grad: { 2 * ($0 - $1) })
}

/// mean [max(x,0) − x·t + log(1 + e^(−|x|))] — binary cross-entropy on logits, stable for any |x|.
/// Gradient w.r.t. logits (σ(x) − t)/N; targets are constants.
public func bceWithLogitsLoss(_ logits: Variable, _ target: Variable) -> Variable {
    precondition(logits.value.count == target.value.count, "bceWithLogitsLoss: \(logits.shape) vs \(target.shape)")
    let n = logits.value.count, xp = logits.value.ptr, tp = target.value.ptr
    var s = 0.0
    for i in 0..<n { let x = Double(xp[i]); s += max(x, 0) - x * Double(tp[i]) + Foundation.log1p(Foundation.exp(-abs(x))) }
    let y = Tensor(scalar: Float(s / Double(n)))
    return record(y, [logits]) { [xv = logits.value, tv = target.value] g in
        let k = g.scalar / Float(n)
        var d = Tensor(uninitializedShape: xv.shape); let dp = d.mutablePtr(), xp = xv.ptr, tp = tv.ptr
        for i in 0..<n {
            let x = xp[i], sg = x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
            dp[i] = k * (sg - tp[i])
        }
        logits.accumulate(d)
    }
}

/// BCE-with-logits against a constant label everywhere (e.g. 1 for "real").
public func bceWithLogitsLoss(_ logits: Variable, label: Float) -> Variable {
    bceWithLogitsLoss(logits, Variable(Tensor(shape: logits.shape, repeating: label)))
}
