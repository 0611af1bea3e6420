/// Bilinear and nearest resizing of NCHW tensors with PyTorch `F.interpolate` semantics (size given).

/// Source taps of one output coordinate for bilinear, `align_corners=False`, no antialias.
struct LinearTaps {
    var i0: [Int], i1: [Int], w0: [Float], w1: [Float]
    init(inSize: Int, outSize: Int) {
        let scale = Float(inSize) / Float(outSize)
        i0 = []; i1 = []; w0 = []; w1 = []
        for o in 0..<outSize {
            let src = max((Float(o) + 0.5) * scale - 0.5, 0)
            let a = min(Int(src), inSize - 1)
            let l1 = src - Float(a)
            i0.append(a); i1.append(a < inSize - 1 ? a + 1 : a)
            w0.append(1 - l1); w1.append(l1)
        }
    }
}

/// Bilinear resize to `height`×`width` (PyTorch `align_corners=False`, `antialias=False`; downsampling by any
/// factor samples just like PyTorch, i.e. without low-pass filtering), followed by the channels of `rest` when given:
/// `concatChannels([resizeBilinear(x, …)] + rest)` without writing the resized tensor twice (the decoder resizes its
/// features to the skip connection's size and concatenates them, at full resolution a 50 MB copy per 720p tile).
/// `rows` computes only those output rows (a band of the full result; `rest` then holds the same rows).
public func resizeBilinear(_ x: Variable, height oh: Int, width ow: Int, rows: Range<Int>? = nil,
                           appending rest: [Variable] = []) -> Variable {
    precondition(x.shape.count == 4 && oh > 0 && ow > 0, "resizeBilinear expects NCHW and a positive size")
    let band = rows ?? 0..<oh, rh = band.count, r0 = band.lowerBound
    precondition(r0 >= 0 && band.upperBound <= oh && rh > 0, "resizeBilinear rows \(band) of \(oh)")
    let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], planes = n * c
    for v in rest { precondition(v.shape == [n, v.shape[1], rh, ow], "resizeBilinear appending \(v.shape) to [\(n), _, \(rh), \(ow)]") }
    let ctot = c + rest.reduce(0) { $0 + $1.shape[1] }
    // Output plane of input plane p (image p / c, channel p % c) in the [n, ctot, oh, ow] result.
    @inline(__always) func outPlane(_ p: Int) -> Int { (p / c) * ctot + p % c }
    let ty = LinearTaps(inSize: h, outSize: oh), tx = LinearTaps(inSize: w, outSize: ow)
    var y = Tensor(uninitializedShape: [n, ctot, rh, ow])
    let yp = y.mutablePtr(), xp = x.value.ptr
    // Separable: blend the two source rows vertically (contiguous, vectorises), then gather horizontally.
    // Same products as PyTorch's a0·(w0·p00 + w1·p01) + a1·(w0·p10 + w1·p11) up to float reassociation.
    let items = planes * rh
    let doubling = ow == 2 * w && w >= 3
    Threading.parallelChunks(items, minChunk: 8) { range in
        withScratch(w) { tmp in
            for item in range {
                let p = item / rh, row = item % rh, oy = r0 + row
                let s = xp + p * h * w, d = yp + (outPlane(p) * rh + row) * ow
                let s0 = s + ty.i0[oy] * w, s1 = s + ty.i1[oy] * w, a0 = ty.w0[oy], a1 = ty.w1[oy]
                for x in 0..<w { tmp[x] = a0 * s0[x] + a1 * s1[x] }
                if doubling {
                    // Exactly 2× wider: output 2i blends inputs i−1 and i, output 2i+1 inputs i and i+1, with the
                    // same two weight pairs everywhere (the taps' own values, so the result is unchanged); without
                    // the index gathers this loop vectorises.
                    let (ea, eb, oa, ob) = (tx.w0[2], tx.w1[2], tx.w0[1], tx.w1[1])
                    d[0] = tx.w0[0] * tmp[tx.i0[0]] + tx.w1[0] * tmp[tx.i1[0]]
                    for i in 1..<(w - 1) {
                        let c = tmp[i]
                        d[2 * i] = ea * tmp[i - 1] + eb * c
                        d[2 * i - 1] = oa * tmp[i - 1] + ob * c
                    }
                    d[2 * w - 2] = ea * tmp[w - 2] + eb * tmp[w - 1]
                    d[2 * w - 3] = oa * tmp[w - 2] + ob * tmp[w - 1]
                    d[2 * w - 1] = tx.w0[2 * w - 1] * tmp[tx.i0[2 * w - 1]] + tx.w1[2 * w - 1] * tmp[tx.i1[2 * w - 1]]
                    continue
                }
                tx.i0.withUnsafeBufferPointer { i0 in tx.i1.withUnsafeBufferPointer { i1 in
                    tx.w0.withUnsafeBufferPointer { w0 in tx.w1.withUnsafeBufferPointer { w1 in
                        for ox in 0..<ow { d[ox] = w0[ox] * tmp[i0[ox]] + w1[ox] * tmp[i1[ox]] }
                    } }
                } }
            }
        }
    }
    copyChannels(rest, into: yp, from: c, of: ctot)
    return record(y, [x] + rest) { g in
        if x.requiresGrad {
            var dx = Tensor.zeros(x.shape)
            let dp = dx.mutablePtr(), gp = g.ptr
            Threading.parallelFor(planes) { p in
                let d = dp + p * h * w, s = gp + outPlane(p) * rh * ow
                for row in 0..<rh {
                    let oy = r0 + row
                    let q0 = d + ty.i0[oy] * w, q1 = d + ty.i1[oy] * w, a0 = ty.w0[oy], a1 = ty.w1[oy]
                    for ox in 0..<ow {
                        let v = s[row * ow + ox], x0 = tx.i0[ox], x1 = tx.i1[ox]
                        q0[x0] += a0 * tx.w0[ox] * v; q0[x1] += a0 * tx.w1[ox] * v
                        q1[x0] += a1 * tx.w0[ox] * v; q1[x1] += a1 * tx.w1[ox] * v
                    }
                }
            }
            x.accumulate(dx)
        }
        accumulateChannelGradients(g, to: rest, from: c)
    }
}

/// Nearest-neighbour source index like PyTorch's legacy `mode='nearest'`.
func nearestIndex(_ o: Int, inSize: Int, outSize: Int) -> Int {
    if outSize == inSize { return o }
    if outSize == 2 * inSize { return o >> 1 }
    let scale = Float(inSize) / Float(outSize)
    return min(Int((Float(o) * scale).rounded(.down)), inSize - 1)
}

/// Nearest-neighbour resize to `height`×`width` (PyTorch `mode='nearest'`).
public func resizeNearest(_ x: Variable, height oh: Int, width ow: Int) -> Variable {
    let h = x.shape[2], w = x.shape[3], planes = x.shape[0] * x.shape[1]
    let iy = (0..<oh).map { nearestIndex($0, inSize: h, outSize: oh) }, ix = (0..<ow).map { nearestIndex($0, inSize: w, outSize: ow) }
    var y = Tensor(uninitializedShape: [x.shape[0], x.shape[1], oh, ow])
    let yp = y.mutablePtr(), xp = x.value.ptr
    Threading.parallelFor(planes) { p in
        for oy in 0..<oh { let r = xp + (p * h + iy[oy]) * w, d = yp + (p * oh + oy) * ow; for ox in 0..<ow { d[ox] = r[ix[ox]] } }
    }
    return record(y, [x]) { g in
        var dx = Tensor.zeros(x.shape)
        let dp = dx.mutablePtr(), gp = g.ptr
        for p in 0..<planes {
            for oy in 0..<oh { let r = dp + (p * h + iy[oy]) * w, s = gp + (p * oh + oy) * ow; for ox in 0..<ow { r[ix[ox]] += s[ox] } }
        }
        x.accumulate(dx)
    }
}

/// Nearest upsampling by an integer factor.
public func upsampleNearest(_ x: Variable, factor: Int) -> Variable {
    resizeNearest(x, height: x.shape[2] * factor, width: x.shape[3] * factor)
}
