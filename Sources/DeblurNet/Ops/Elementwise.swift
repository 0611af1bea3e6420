/// Shape-preserving arithmetic, concatenation, slicing and reductions.

@inline(__always)
func binary(_ a: Variable, _ b: Variable, _ name: String) -> (Int, Bool) {
    // b may equal a's shape or be a single element broadcast over a.
    if a.value.count == b.value.count {
        precondition(a.shape == b.shape || a.value.count == 1, "\(name): shapes \(a.shape) and \(b.shape) differ")
        return (a.value.count, false)
    }
    precondition(b.value.count == 1, "\(name): shapes \(a.shape) and \(b.shape) differ (only scalar broadcast supported)")
    return (a.value.count, true)
}

/// a + b (same shape, or b a one-element tensor).
public func add(_ a: Variable, _ b: Variable) -> Variable {
    let (n, bcast) = binary(a, b, "add")
    var y = Tensor(uninitializedShape: a.shape)
    let yp = y.mutablePtr(), ap = a.value.ptr, bp = b.value.ptr
    Threading.parallelChunks(n, minChunk: 1 << 16) { r in
        if bcast { let s = bp[0]; for i in r { yp[i] = ap[i] + s } } else { for i in r { yp[i] = ap[i] + bp[i] } }
    }
    return record(y, [a, b]) { g in
        if a.requiresGrad { a.accumulate(g) }
        if b.requiresGrad { b.accumulate(bcast ? Tensor(shape: b.shape, repeating: Float(g.sum)) : g) }
    }
}

/// a − b (same shape, or b a one-element tensor).
public func sub(_ a: Variable, _ b: Variable) -> Variable { add(a, scale(b, -1)) }

/// a ⊙ b (same shape, or b a one-element tensor).
public func mul(_ a: Variable, _ b: Variable) -> Variable {
    let (n, bcast) = binary(a, b, "mul")
    var y = Tensor(uninitializedShape: a.shape)
    let yp = y.mutablePtr(), ap = a.value.ptr, bp = b.value.ptr
    if bcast { let s = bp[0]; for i in 0..<n { yp[i] = ap[i] * s } } else { for i in 0..<n { yp[i] = ap[i] * bp[i] } }
    return record(y, [a, b]) { [av = a.value, bv = b.value] g in
        let gp = g.ptr
        if a.requiresGrad {
            var da = Tensor(uninitializedShape: av.shape); let d = da.mutablePtr(), bp = bv.ptr
            if bcast { for i in 0..<n { d[i] = gp[i] * bp[0] } } else { for i in 0..<n { d[i] = gp[i] * bp[i] } }
            a.accumulate(da)
        }
        if b.requiresGrad {
            let ap = av.ptr
            if bcast {
                var s: Double = 0; for i in 0..<n { s += Double(gp[i] * ap[i]) }
                b.accumulate(Tensor(shape: bv.shape, repeating: Float(s)))
            } else {
                var db = Tensor(uninitializedShape: bv.shape); let d = db.mutablePtr()
                for i in 0..<n { d[i] = gp[i] * ap[i] }
                b.accumulate(db)
            }
        }
    }
}

/// s·x + t for constants s, t.
public func scale(_ x: Variable, _ s: Float, shift t: Float = 0) -> Variable {
    var y = Tensor(uninitializedShape: x.shape)
    let yp = y.mutablePtr(), xp = x.value.ptr
    for i in 0..<x.value.count { yp[i] = s * xp[i] + t }
    return record(y, [x]) { g in
        var d = Tensor(uninitializedShape: g.shape); let dp = d.mutablePtr(), gp = g.ptr
        for i in 0..<g.count { dp[i] = s * gp[i] }
        x.accumulate(d)
    }
}

/// Per-channel constant affine map y[n,c] = x[n,c]·scale[c] + shift[c] (e.g. ImageNet input normalisation).
public func channelAffine(_ x: Variable, scale s: [Float], shift t: [Float]) -> Variable {
    let c = x.shape[1], hw = x.value.count / (x.shape[0] * c)
    precondition(s.count == c && t.count == c, "channelAffine: \(c) channels, got \(s.count)/\(t.count) coefficients")
    var y = Tensor(uninitializedShape: x.shape)
    let yp = y.mutablePtr(), xp = x.value.ptr
    for p in 0..<(x.shape[0] * c) { let a = s[p % c], b = t[p % c]; for i in 0..<hw { yp[p * hw + i] = xp[p * hw + i] * a + b } }
    return record(y, [x]) { g in
        var d = Tensor(uninitializedShape: g.shape); let dp = d.mutablePtr(), gp = g.ptr
        for p in 0..<(g.shape[0] * c) { let a = s[p % c]; for i in 0..<hw { dp[p * hw + i] = gp[p * hw + i] * a } }
        x.accumulate(d)
    }
}

/// Concatenation along the channel axis (dim 1) of NCHW tensors with equal N, H, W.
public func concatChannels(_ xs: [Variable]) -> Variable {
    precondition(!xs.isEmpty, "concatChannels of nothing")
    let n = xs[0].shape[0], h = xs[0].shape[2], w = xs[0].shape[3]
    for v in xs { precondition(v.shape.count == 4 && v.shape[0] == n && v.shape[2] == h && v.shape[3] == w, "concatChannels: \(v.shape) vs \(xs[0].shape)") }
    let ctot = xs.reduce(0) { $0 + $1.shape[1] }
    var y = Tensor(uninitializedShape: [n, ctot, h, w])
    copyChannels(xs, into: y.mutablePtr(), from: 0, of: ctot)
    return record(y, xs) { g in accumulateChannelGradients(g, to: xs, from: 0) }
}

/// Copies the channels of `xs` (all [n, c_k, h, w]) one after another into channels `first…` of the
/// [n, total, h, w] tensor at `yp`.
func copyChannels(_ xs: [Variable], into yp: UnsafeMutablePointer<Float>, from first: Int, of total: Int) {
    var off = first
    for v in xs {
        let n = v.shape[0], cv = v.shape[1], hw = v.shape[2] * v.shape[3]
        for ni in 0..<n { (yp + (ni * total + off) * hw).update(from: v.value.ptr + ni * cv * hw, count: cv * hw) }
        off += cv
    }
}

/// The backward of `copyChannels`: each of `xs` that wants a gradient gets its channels of `g`.
func accumulateChannelGradients(_ g: Tensor, to xs: [Variable], from first: Int) {
    let total = g.shape[1]
    var off = first
    for v in xs {
        let n = v.shape[0], cv = v.shape[1], hw = v.shape[2] * v.shape[3]
        if v.requiresGrad {
            var d = Tensor(uninitializedShape: v.shape); let dp = d.mutablePtr()
            for ni in 0..<n { (dp + ni * cv * hw).update(from: g.ptr + (ni * total + off) * hw, count: cv * hw) }
            v.accumulate(d)
        }
        off += cv
    }
}

/// Channels `start..<start+count` of an NCHW tensor.
public func sliceChannels(_ x: Variable, start: Int, count: Int) -> Variable {
    let n = x.shape[0], c = x.shape[1], hw = x.shape[2] * x.shape[3]
    precondition(start >= 0 && count > 0 && start + count <= c, "sliceChannels \(start)+\(count) of \(c)")
    var y = Tensor(uninitializedShape: [n, count, x.shape[2], x.shape[3]])
    let yp = y.mutablePtr()
    for ni in 0..<n { (yp + ni * count * hw).update(from: x.value.ptr + (ni * c + start) * hw, count: count * hw) }
    return record(y, [x]) { g in
        var d = Tensor.zeros(x.shape); let dp = d.mutablePtr()
        for ni in 0..<n { (dp + (ni * c + start) * hw).update(from: g.ptr + ni * count * hw, count: count * hw) }
        x.accumulate(d)
    }
}

/// The spatial window rows `top..<top+height`, columns `left..<left+width` of an NCHW tensor.
public func crop(_ x: Variable, top: Int, left: Int, height: Int, width: Int) -> Variable {
    let nc = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
    precondition(top >= 0 && left >= 0 && top + height <= h && left + width <= w && height > 0 && width > 0,
                 "crop \(top),\(left) \(height)×\(width) of \(h)×\(w)")
    var y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], height, width])
    let yp = y.mutablePtr(), xp = x.value.ptr
    for p in 0..<nc { for r in 0..<height { (yp + (p * height + r) * width).update(from: xp + (p * h + top + r) * w + left, count: width) } }
    return record(y, [x]) { g in
        var d = Tensor.zeros(x.shape); let dp = d.mutablePtr()
        for p in 0..<nc { for r in 0..<height { (dp + (p * h + top + r) * w + left).update(from: g.ptr + (p * height + r) * width, count: width) } }
        x.accumulate(d)
    }
}

/// The same elements viewed with another shape.
public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
    let y = x.value.reshaped(shape)
    return record(y, [x]) { g in x.accumulate(g.reshaped(x.shape)) }
}

/// Mean of all elements (a scalar, shape []).
public func mean(_ x: Variable) -> Variable {
    let n = x.value.count
    let y = Tensor(scalar: Float(x.value.sum / Double(n)))
    return record(y, [x]) { g in x.accumulate(Tensor(shape: x.shape, repeating: g.scalar / Float(n))) }
}

/// Sum of all elements (a scalar, shape []).
public func sum(_ x: Variable) -> Variable {
    let y = Tensor(scalar: Float(x.value.sum))
    return record(y, [x]) { g in x.accumulate(Tensor(shape: x.shape, repeating: g.scalar)) }
}

/// Fully connected layer y = x·Wᵀ + b. `x`: [N, F], `weight`: [O, F], `bias`: [O].
public func linear(_ x: Variable, weight: Variable, bias: Variable? = nil) -> Variable {
    let n = x.shape[0], f = x.value.count / n, o = weight.shape[0]
    precondition(weight.shape.count == 2 && weight.shape[1] == f, "linear: input \(x.shape) vs weight \(weight.shape)")
    var y = Tensor(uninitializedShape: [n, o])
    let yp = y.mutablePtr()
    sgemm(transB: true, m: n, n: o, k: f, a: x.value.ptr, lda: f, b: weight.value.ptr, ldb: f, beta: 0, c: yp, ldc: o)
    if let bp = bias?.value.ptr { for i in 0..<n { for j in 0..<o { yp[i * o + j] += bp[j] } } }
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    return record(y, inputs) { [xv = x.value, wv = weight.value] g in
        if x.requiresGrad {
            var dx = Tensor(uninitializedShape: xv.shape)
            sgemm(m: n, n: f, k: o, a: g.ptr, lda: o, b: wv.ptr, ldb: f, beta: 0, c: dx.mutablePtr(), ldc: f)
            x.accumulate(dx)
        }
        if weight.requiresGrad {
            var dw = Tensor(uninitializedShape: wv.shape)
            sgemm(transA: true, m: o, n: f, k: n, a: g.ptr, lda: o, b: xv.ptr, ldb: f, beta: 0, c: dw.mutablePtr(), ldc: f)
            weight.accumulate(dw)
        }
        if let bias, bias.requiresGrad {
            var db = Tensor.zeros([o]); let d = db.mutablePtr()
            for i in 0..<n { for j in 0..<o { d[j] += g.ptr[i * o + j] } }
            bias.accumulate(db)
        }
    }
}

extension Variable {
    /// `add(a, b)`.
    public static func + (a: Variable, b: Variable) -> Variable { add(a, b) }
    /// `sub(a, b)`.
    public static func - (a: Variable, b: Variable) -> Variable { sub(a, b) }
    /// `mul(a, b)`.
    public static func * (a: Variable, b: Variable) -> Variable { mul(a, b) }
    /// `scale(a, s)`.
    public static func * (a: Variable, s: Float) -> Variable { scale(a, s) }
    /// `scale(a, s)`.
    public static func * (s: Float, a: Variable) -> Variable { scale(a, s) }
}
