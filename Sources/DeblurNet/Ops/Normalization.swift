/// Batch and instance normalisation over NCHW tensors, forward and backward.
///
/// Both normalise groups of elements: BatchNorm one group per channel spanning all images, InstanceNorm one
/// group per (image, channel) plane. `planes(group)` lists the plane indices (n·C + c) of a group.
enum NormKernels {
    /// Per-group mean and biased variance (accumulated in Double).
    static func stats(_ x: Tensor, groups: Int, hw: Int, planes: (Int) -> [Int]) -> ([Float], [Float]) {
        var means = [Float](repeating: 0, count: groups), vars = [Float](repeating: 0, count: groups)
        let xp = x.ptr
        means.withUnsafeMutableBufferPointer { mp in
            vars.withUnsafeMutableBufferPointer { vp in
                let mp = mp.baseAddress!, vp = vp.baseAddress!
                Threading.parallelFor(groups) { gi in
                    // Per-plane SIMD partial sums in Float, combined in Double; two passes (mean, then deviations).
                    let ps = planes(gi)
                    var s = 0.0
                    for p in ps { s += Double(VectorMath.sum(xp + p * hw, hw)) }
                    let m = s / Double(ps.count * hw)
                    var v = 0.0
                    for p in ps { v += Double(VectorMath.sumSquaredDeviation(xp + p * hw, hw, mean: Float(m))) }
                    mp[gi] = Float(m); vp[gi] = Float(v / Double(ps.count * hw))
                }
            }
        }
        return (means, vars)
    }

    /// y = (x − mean[g])·invstd[g]·γ[c] + β[c].
    static func normalize(_ x: Tensor, mean: [Float], invstd: [Float], gamma: Tensor?, beta: Tensor?,
                          channels c: Int, hw: Int, groupOfPlane: (Int) -> Int) -> Tensor {
        var y = Tensor(uninitializedShape: x.shape)
        let yp = y.mutablePtr(), xp = x.ptr, gp = gamma?.ptr, bp = beta?.ptr
        let planes = x.count / hw
        Threading.parallelFor(planes) { p in
            let gi = groupOfPlane(p), ci = p % c
            let a = invstd[gi] * (gp?[ci] ?? 1), b = (bp?[ci] ?? 0) - mean[gi] * a
            let s = xp + p * hw, d = yp + p * hw
            for i in 0..<hw { d[i] = s[i] * a + b }
        }
        return y
    }

    /// Backward through batch statistics: dx = γ·invstd/M · (M·dy − Σdy − x̂·Σ(dy·x̂)), plus dγ = Σ dy·x̂ and dβ = Σ dy
    /// per channel. With `useBatchStats` false (eval BatchNorm) dx = dy·γ·invstd.
    static func backward(_ dy: Tensor, _ x: Tensor, mean: [Float], invstd: [Float], gamma: Tensor?, channels c: Int, hw: Int,
                         groups: Int, planes: (Int) -> [Int], useBatchStats: Bool, needInput: Bool, needAffine: Bool)
        -> (Tensor?, Tensor?, Tensor?) {
        let xp = x.ptr, gyp = dy.ptr, gp = gamma?.ptr
        // Per-plane sums Σdy and Σdy·x̂ (x̂ uses the plane's group statistics).
        let nplanes = x.count / hw
        var sumDy = [Double](repeating: 0, count: nplanes), sumDyXhat = [Double](repeating: 0, count: nplanes)
        var groupOf = [Int](repeating: 0, count: nplanes)
        for gi in 0..<groups { for p in planes(gi) { groupOf[p] = gi } }
        sumDy.withUnsafeMutableBufferPointer { sd in
            sumDyXhat.withUnsafeMutableBufferPointer { sx in
                let sd = sd.baseAddress!, sx = sx.baseAddress!
                Threading.parallelFor(nplanes) { p in
                    let gi = groupOf[p], m = mean[gi], inv = invstd[gi]
                    let q = xp + p * hw, g = gyp + p * hw
                    sd[p] = Double(VectorMath.sum(g, hw))
                    sx[p] = Double(VectorMath.dotCentered(g, q, hw, mean: m)) * Double(inv)
                }
            }
        }
        var dgamma: Tensor? = nil, dbeta: Tensor? = nil
        if needAffine {
            var dg = Tensor.zeros([c]), db = Tensor.zeros([c])
            let dgp = dg.mutablePtr(), dbp = db.mutablePtr()
            for p in 0..<nplanes { dgp[p % c] += Float(sumDyXhat[p]); dbp[p % c] += Float(sumDy[p]) }
            dgamma = dg; dbeta = db
        }
        var dx: Tensor? = nil
        if needInput {
            // Group totals of Σdy and Σdy·x̂.
            var gDy = [Double](repeating: 0, count: groups), gDyX = [Double](repeating: 0, count: groups), gCount = [Int](repeating: 0, count: groups)
            for p in 0..<nplanes { gDy[groupOf[p]] += sumDy[p]; gDyX[groupOf[p]] += sumDyXhat[p]; gCount[groupOf[p]] += hw }
            var r = Tensor(uninitializedShape: x.shape)
            let rp = r.mutablePtr()
            Threading.parallelFor(nplanes) { p in
                let gi = groupOf[p], ci = p % c, inv = invstd[gi], m = mean[gi]
                let gam = gp?[ci] ?? 1
                let q = xp + p * hw, g = gyp + p * hw, d = rp + p * hw
                if useBatchStats {
                    let count = Float(gCount[gi])
                    let k = gam * inv / count, mdy = Float(gDy[gi]), mdx = Float(gDyX[gi])
                    for i in 0..<hw { let xh = (q[i] - m) * inv; d[i] = k * (count * g[i] - mdy - xh * mdx) }
                } else {
                    let k = gam * inv
                    for i in 0..<hw { d[i] = k * g[i] }
                }
            }
            dx = r
        }
        return (dx, dgamma, dbeta)
    }
}

/// Batch normalisation (PyTorch `F.batch_norm`). In training uses batch statistics and updates the running
/// buffers in place (momentum, unbiased variance); otherwise uses the running statistics.
public func batchNorm(_ x: Variable, weight: Variable?, bias: Variable?, runningMean: Variable, runningVar: Variable,
                      training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) -> Variable {
    precondition(x.shape.count == 4, "batchNorm expects NCHW, got \(x.shape)")
    let n = x.shape[0], c = x.shape[1], hw = x.shape[2] * x.shape[3]
    let planes: @Sendable (Int) -> [Int] = { ci in (0..<n).map { $0 * c + ci } }
    var mean: [Float], invstd: [Float]
    if training {
        let (m, v) = NormKernels.stats(x.value, groups: c, hw: hw, planes: planes)
        mean = m
        invstd = v.map { 1 / ($0 + eps).squareRoot() }
        let count = Float(n * hw)
        let rm = runningMean.value.ptr, rv = runningVar.value.ptr
        var newM = runningMean.value, newV = runningVar.value
        let nm = newM.mutablePtr(), nv = newV.mutablePtr()
        for ci in 0..<c {
            nm[ci] = (1 - momentum) * rm[ci] + momentum * m[ci]
            nv[ci] = (1 - momentum) * rv[ci] + momentum * v[ci] * count / max(count - 1, 1)
        }
        runningMean.value = newM; runningVar.value = newV
    } else {
        mean = runningMean.value.array
        invstd = runningVar.value.array.map { 1 / ($0 + eps).squareRoot() }
    }
    return normalized(x, weight: weight, bias: bias, mean: mean, invstd: invstd, groups: c, planes: planes,
                      groupOfPlane: { $0 % c }, useBatchStats: training)
}

/// Instance normalisation (PyTorch `F.instance_norm` without running stats): each (image, channel) plane is
/// normalised by its own mean and biased variance, then optionally scaled and shifted per channel.
public func instanceNorm(_ x: Variable, weight: Variable? = nil, bias: Variable? = nil, eps: Float = 1e-5) -> Variable {
    precondition(x.shape.count == 4, "instanceNorm expects NCHW, got \(x.shape)")
    let c = x.shape[1], hw = x.shape[2] * x.shape[3], nplanes = x.shape[0] * c
    let planes: @Sendable (Int) -> [Int] = { [$0] }
    let (mean, v) = NormKernels.stats(x.value, groups: nplanes, hw: hw, planes: planes)
    let invstd = v.map { 1 / ($0 + eps).squareRoot() }
    return normalized(x, weight: weight, bias: bias, mean: mean, invstd: invstd, groups: nplanes, planes: planes,
                      groupOfPlane: { $0 }, useBatchStats: true)
}

/// Normalises `x` with the given per-group statistics, applies the affine parameters and records the backward
/// pass; shared by batch and instance norm, which differ only in how planes are grouped.
private func normalized(_ x: Variable, weight: Variable?, bias: Variable?, mean: [Float], invstd: [Float],
                        groups: Int, planes: @escaping @Sendable (Int) -> [Int], groupOfPlane: (Int) -> Int,
                        useBatchStats: Bool) -> Variable {
    let c = x.shape[1], hw = x.shape[2] * x.shape[3]
    let y = NormKernels.normalize(x.value, mean: mean, invstd: invstd, gamma: weight?.value, beta: bias?.value,
                                  channels: c, hw: hw, groupOfPlane: groupOfPlane)
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    return record(y, inputs) { [xv = x.value] g in
        let needAffine = (weight?.requiresGrad ?? false) || (bias?.requiresGrad ?? false)
        let (dx, dg, db) = NormKernels.backward(g, xv, mean: mean, invstd: invstd, gamma: weight?.value, channels: c, hw: hw,
                                                groups: groups, planes: planes, useBatchStats: useBatchStats,
                                                needInput: x.requiresGrad, needAffine: needAffine)
        if let dx { x.accumulate(dx) }
        if let weight, weight.requiresGrad, let dg { weight.accumulate(dg) }
        if let bias, bias.requiresGrad, let db { bias.accumulate(db) }
    }
}
