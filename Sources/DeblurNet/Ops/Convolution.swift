/// Zero padding of the four sides of an image (asymmetric padding gives TensorFlow "same" convs).
public struct Padding2d: Sendable, Equatable, CustomStringConvertible {
    public var top: Int, bottom: Int, left: Int, right: Int
    /// Explicit sides.
    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top; self.bottom = bottom; self.left = left; self.right = right
    }
    /// The same padding on every side.
    public init(_ p: Int) { self.init(top: p, bottom: p, left: p, right: p) }
    /// Symmetric padding per axis (PyTorch's `padding=(h, w)`).
    public init(h: Int, w: Int) { self.init(top: h, bottom: h, left: w, right: w) }
    /// TensorFlow/EfficientNet "same" padding for an input of `height`×`width` (extra pixel at bottom/right).
    public static func same(height: Int, width: Int, kernel: Int, stride: Int, dilation: Int = 1) -> Padding2d {
        func axis(_ n: Int) -> (Int, Int) {
            let out = (n + stride - 1) / stride
            let total = max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - n)
            return (total / 2, total - total / 2)
        }
        let (t, b) = axis(height), (l, r) = axis(width)
        return Padding2d(top: t, bottom: b, left: l, right: r)
    }
    public var description: String { "(t\(top) b\(bottom) l\(left) r\(right))" }
}

/// An activation fused into a convolution's output (applied after the bias).
public enum FusedActivation: Sendable, Equatable {
    case none, relu, relu6
    case leakyReLU(Float)

    @inline(__always) func apply(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
        switch self {
        case .none: break
        case .relu: for i in 0..<n { p[i] = max(p[i], 0) }
        case .relu6: for i in 0..<n { p[i] = min(max(p[i], 0), 6) }
        case .leakyReLU(let s): for i in 0..<n { let v = p[i]; p[i] = v > 0 ? v : v * s }
        }
    }

    /// dL/dpre from dL/dout using only the output (valid for all these piecewise-linear activations).
    func backward(_ grad: Tensor, output: Tensor) -> Tensor {
        if self == .none { return grad }
        var r = Tensor(uninitializedShape: grad.shape)
        let d = r.mutablePtr(), g = grad.ptr, y = output.ptr
        switch self {
        case .none: break
        case .relu: for i in 0..<grad.count { d[i] = y[i] > 0 ? g[i] : 0 }
        case .relu6: for i in 0..<grad.count { d[i] = g[i] * (y[i] > 0 ? 1 : 0) * (y[i] < 6 ? 1 : 0) }
        case .leakyReLU(let s): for i in 0..<grad.count { d[i] = y[i] > 0 ? g[i] : g[i] * s }
        }
        return r
    }
}

/// Hyper-parameters of a 2-D convolution.
public struct Conv2dConfig: Sendable, Equatable {
    public var stride: (h: Int, w: Int)
    public var padding: Padding2d
    public var dilation: (h: Int, w: Int)
    public var groups: Int
    public init(stride: Int = 1, padding: Padding2d = Padding2d(0), dilation: Int = 1, groups: Int = 1) {
        self.stride = (stride, stride); self.padding = padding; self.dilation = (dilation, dilation); self.groups = groups
    }
    public init(stride: (Int, Int), padding: Padding2d, dilation: (Int, Int) = (1, 1), groups: Int = 1) {
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
    }
    public static func == (a: Conv2dConfig, b: Conv2dConfig) -> Bool {
        a.stride == b.stride && a.padding == b.padding && a.dilation == b.dilation && a.groups == b.groups
    }
}

/// Tensor-level convolution kernels (forward and backward). NCHW input, OIHW weight (PyTorch layout).
public enum ConvKernels {
    static func geometry(input x: [Int], weight w: [Int], _ cfg: Conv2dConfig) -> ConvGeometry {
        precondition(x.count == 4 && w.count == 4, "conv2d expects NCHW input and OIHW weight, got \(x) and \(w)")
        precondition(x[1] == w[1] * cfg.groups, "conv2d: input has \(x[1]) channels, weight expects \(w[1])×\(cfg.groups) groups")
        precondition(w[0] % cfg.groups == 0, "conv2d: \(w[0]) output channels not divisible by \(cfg.groups) groups")
        let p = cfg.padding
        let oh = (x[2] + p.top + p.bottom - cfg.dilation.h * (w[2] - 1) - 1) / cfg.stride.h + 1
        let ow = (x[3] + p.left + p.right - cfg.dilation.w * (w[3] - 1) - 1) / cfg.stride.w + 1
        precondition(oh > 0 && ow > 0, "conv2d: kernel larger than padded input \(x)")
        return ConvGeometry(channels: x[1] / cfg.groups, height: x[2], width: x[3], kh: w[2], kw: w[3],
                            sh: cfg.stride.h, sw: cfg.stride.w, dh: cfg.dilation.h, dw: cfg.dilation.w,
                            padTop: p.top, padLeft: p.left, outH: oh, outW: ow)
    }

    static func isPointwise(_ g: ConvGeometry, _ p: Padding2d) -> Bool {
        g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && p == Padding2d(0)
    }

    static func isDepthwise(_ x: [Int], _ cfg: Conv2dConfig) -> Bool { cfg.groups > 1 && cfg.groups == x[1] }

    /// y = act(conv(x, w) + b).
    public static func forward(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ cfg: Conv2dConfig, activation: FusedActivation = .none) -> Tensor {
        let g = geometry(input: x.shape, weight: w.shape, cfg)
        let n = x.shape[0], cout = w.shape[0], groups = cfg.groups, coutG = cout / groups
        var y = Tensor(uninitializedShape: [n, cout, g.outH, g.outW])
        let yp = y.mutablePtr(), xp = x.ptr, wp = w.ptr, bp = b?.ptr
        let ohw = g.outH * g.outW, hw = g.height * g.width, kv = g.kernelVolume
        if isDepthwise(x.shape, cfg) {
            depthwiseForward(xp, wp, yp, n: n, cin: x.shape[1], mult: coutG, g, bias: bp, activation: activation)
        } else if coutG <= 4 && !isPointwise(g, cfg.padding) {
            // Few output channels (an RGB head): im2col would copy K× the input to feed a GEMM with M ≤ 4;
            // a direct kernel streams each input row once per output channel instead (measured 1.5× faster for 32→3 at 720p).
            directForward(xp, wp, yp, n: n, cin: x.shape[1], cout: cout, groups: groups, g, bias: bp, activation: activation)
        } else {
            let pointwise = isPointwise(g, cfg.padding)
            let rows = g.tileRows(budget: pointwise ? Int.max / 4 : Threading.im2colBudget,
                                  minTiles: max(1, Threading.threads / max(1, n * groups)), scatters: false)
            let tiles = (g.outH + rows - 1) / rows
            let items = n * groups * tiles
            Threading.parallelChunks(items) { range in
                let colCount = pointwise ? 1 : kv * rows * g.outW
                withScratch(colCount) { col in
                    for item in range {
                        let t = item % tiles, ng = item / tiles, gi = ng % groups, ni = ng / groups
                        let oy0 = t * rows, oy1 = min(g.outH, oy0 + rows), cols = (oy1 - oy0) * g.outW
                        let src = xp + (ni * x.shape[1] + gi * g.channels) * hw
                        let dst = yp + (ni * cout + gi * coutG) * ohw + oy0 * g.outW
                        // With a bias, pre-fill the tile with it and accumulate (beta = 1): OpenBLAS then skips
                        // its own zeroing pass over C and no separate bias pass is needed.
                        var beta: Float = 0
                        if let bp {
                            for co in 0..<coutG { (dst + co * ohw).update(repeating: bp[gi * coutG + co], count: cols) }
                            beta = 1
                        }
                        if pointwise {
                            sgemm(m: coutG, n: cols, k: kv, a: wp + gi * coutG * kv, lda: kv,
                                  b: src + oy0 * g.outW, ldb: hw, beta: beta, c: dst, ldc: ohw)
                        } else {
                            im2col(src, g, rows: oy0, oy1, into: col)
                            sgemm(m: coutG, n: cols, k: kv, a: wp + gi * coutG * kv, lda: kv,
                                  b: col, ldb: cols, beta: beta, c: dst, ldc: ohw)
                        }
                        if activation != .none { for co in 0..<coutG { activation.apply(dst + co * ohw, cols) } }
                    }
                }
            }
            return y
        }
        return y
    }

    /// Gradients of conv(x, w) + b given dL/dy (pre-activation). Returns (dx, dw, db) for the requested ones.
    public static func backward(_ dy: Tensor, _ x: Tensor, _ w: Tensor, _ cfg: Conv2dConfig,
                                needInput: Bool, needWeight: Bool, needBias: Bool) -> (Tensor?, Tensor?, Tensor?) {
        let g = geometry(input: x.shape, weight: w.shape, cfg)
        let n = x.shape[0], cin = x.shape[1], cout = w.shape[0], groups = cfg.groups, coutG = cout / groups
        let ohw = g.outH * g.outW, hw = g.height * g.width, kv = g.kernelVolume
        var db: Tensor? = nil
        if needBias { db = channelSums(dy) }
        if !needInput && !needWeight { return (nil, nil, db) }
        var dx: Tensor? = needInput ? Tensor.zeros(x.shape) : nil
        var dw: Tensor? = needWeight ? Tensor.zeros(w.shape) : nil
        let xp = x.ptr, wp = w.ptr, dyp = dy.ptr
        let dxp = dx?.mutablePtr(), dwp = dw?.mutablePtr()
        if isDepthwise(x.shape, cfg) {
            depthwiseBackward(xp, wp, dyp, dx: dxp, dw: dwp, n: n, cin: cin, mult: coutG, g)
            return (dx, dw, db)
        }
        let pointwise = isPointwise(g, cfg.padding)
        let rows = g.tileRows(budget: pointwise ? Int.max / 4 : Threading.im2colBudget, minTiles: max(1, Threading.threads / max(1, n * groups)))
        let tiles = (g.outH + rows - 1) / rows
        let workers = Threading.workerCount(n * groups * ((tiles + 1) / 2))
        // Per-block weight-gradient accumulators (block 0 accumulates into dw directly), added in block order.
        let wCount = w.count
        let dwPrivate = needWeight && workers > 1 ? BufferPool.shared.take(wCount * (workers - 1)) : nil
        dwPrivate?.update(repeating: 0, count: wCount * (workers - 1))
        defer { if let p = dwPrivate { BufferPool.shared.give(p, count: wCount * (workers - 1)) } }
        // Even tiles, then odd tiles: tiles of one parity never scatter into the same input rows.
        for phase in 0..<2 {
            let perPlane = phase == 0 ? (tiles + 1) / 2 : tiles / 2
            if perPlane == 0 { continue }
            let items = n * groups * perPlane
            Threading.parallelBlocks(items, blocks: workers) { block, range in
                let colCount = kv * rows * g.outW
                withScratch(colCount) { col in
                    let dwAcc: UnsafeMutablePointer<Float>? = dwp.map { block == 0 ? $0 : dwPrivate! + (block - 1) * wCount }
                    for item in range {
                        let t = (item % perPlane) * 2 + phase, ng = item / perPlane, gi = ng % groups, ni = ng / groups
                        let oy0 = t * rows, oy1 = min(g.outH, oy0 + rows), cols = (oy1 - oy0) * g.outW
                        let src = xp + (ni * cin + gi * g.channels) * hw
                        let dyt = dyp + (ni * cout + gi * coutG) * ohw + oy0 * g.outW
                        let wg = wp + gi * coutG * kv
                        if let dwAcc {
                            if pointwise {
                                sgemm(transB: true, m: coutG, n: kv, k: cols, a: dyt, lda: ohw,
                                      b: src + oy0 * g.outW, ldb: hw, beta: 1, c: dwAcc + gi * coutG * kv, ldc: kv)
                            } else {
                                im2col(src, g, rows: oy0, oy1, into: col)
                                sgemm(transB: true, m: coutG, n: kv, k: cols, a: dyt, lda: ohw,
                                      b: col, ldb: cols, beta: 1, c: dwAcc + gi * coutG * kv, ldc: kv)
                            }
                        }
                        if let dxp {
                            let dst = dxp + (ni * cin + gi * g.channels) * hw
                            if pointwise {
                                sgemm(transA: true, m: kv, n: cols, k: coutG, a: wg, lda: kv, b: dyt, ldb: ohw,
                                      beta: 0, c: dst + oy0 * g.outW, ldc: hw)
                            } else {
                                sgemm(transA: true, m: kv, n: cols, k: coutG, a: wg, lda: kv, b: dyt, ldb: ohw,
                                      beta: 0, c: col, ldc: cols)
                                col2im(col, g, rows: oy0, oy1, into: dst)
                            }
                        }
                    }
                }
            }
        }
        if let dwp, let dwPrivate {
            for k in 0..<(workers - 1) { let s = dwPrivate + k * wCount; for i in 0..<wCount { dwp[i] += s[i] } }
        }
        return (dx, dw, db)
    }

    /// Sum of an NCHW tensor over N, H, W (the bias gradient).
    static func channelSums(_ t: Tensor) -> Tensor {
        let n = t.shape[0], c = t.shape[1], hw = t.count / max(1, n * c)
        var r = Tensor.zeros([c])
        let rp = r.mutablePtr(), tp = t.ptr
        Threading.parallelFor(c) { ci in
            var s: Float = 0
            for ni in 0..<n { let p = tp + (ni * c + ci) * hw; for i in 0..<hw { s += p[i] } }
            rp[ci] = s
        }
        return r
    }

    // MARK: Depthwise (groups == in channels): direct kernels, inner loops over contiguous x vectorise.

    /// One kernel tap of a depthwise output row: `weight · base[ox]` for output columns `lo..<hi`.
    struct DepthwiseTap { var base: UnsafePointer<Float>; var weight: Float; var lo: Int; var hi: Int }

    /// One depthwise output row of `width` columns from taps read contiguously (step 1); every tap is valid on
    /// `interior`. All taps of 16 outputs accumulate in registers: one store per output instead of a load and a
    /// store per tap. Blocks of 64 first: four independent sums hide the add latency that bounds a single 16-wide
    /// sum. The last block overlaps the one before rather than leaving a tail; the rest is bounds-checked.
    @inline(__always) static func depthwiseRow(_ taps: UnsafeBufferPointer<DepthwiseTap>, bias: Float,
                                               _ out: UnsafeMutablePointer<Float>, width: Int, interior: Range<Int>) {
        let (inner, innerEnd) = (interior.lowerBound, interior.upperBound)
        guard innerEnd - inner >= 16 else { depthwiseEdge(taps, bias: bias, step: 1, out, 0..<width); return }
        depthwiseEdge(taps, bias: bias, step: 1, out, 0..<inner)
        var ox = inner
        while ox + 64 <= innerEnd {
            var a0 = SIMD16<Float>(repeating: bias), a1 = a0, a2 = a0, a3 = a0
            for t in taps {
                let w = SIMD16<Float>(repeating: t.weight), p = t.base + ox
                a0 = VectorMath.fma(a0, w, VectorMath.load16(p)); a1 = VectorMath.fma(a1, w, VectorMath.load16(p + 16))
                a2 = VectorMath.fma(a2, w, VectorMath.load16(p + 32)); a3 = VectorMath.fma(a3, w, VectorMath.load16(p + 48))
            }
            let o = UnsafeMutableRawPointer(out + ox)
            o.storeBytes(of: a0, as: SIMD16<Float>.self); o.storeBytes(of: a1, toByteOffset: 64, as: SIMD16<Float>.self)
            o.storeBytes(of: a2, toByteOffset: 128, as: SIMD16<Float>.self); o.storeBytes(of: a3, toByteOffset: 192, as: SIMD16<Float>.self)
            ox += 64
        }
        while ox < innerEnd {
            let at = min(ox, innerEnd - 16)
            var acc = SIMD16<Float>(repeating: bias)
            for t in taps { acc = VectorMath.fma(acc, SIMD16(repeating: t.weight), VectorMath.load16(t.base + at)) }
            UnsafeMutableRawPointer(out + at).storeBytes(of: acc, as: SIMD16<Float>.self)
            if at == innerEnd - 16 { break }
            ox += 16
        }
        depthwiseEdge(taps, bias: bias, step: 1, out, innerEnd..<width)
    }

    /// Output columns `r` of a depthwise row with bounds-checked taps (the borders, or narrow rows).
    @inline(__always) static func depthwiseEdge(_ taps: UnsafeBufferPointer<DepthwiseTap>, bias: Float, step: Int,
                                                _ out: UnsafeMutablePointer<Float>, _ r: Range<Int>) {
        for ox in r {
            var acc = bias
            for t in taps where t.lo <= ox && ox < t.hi { acc += t.weight * t.base[ox * step] }
            out[ox] = acc
        }
    }

    /// Valid output x range for kernel column `kx`: 0 ≤ ox·sw + kx·dw − padLeft < width.
    @inline(__always) static func validX(_ g: ConvGeometry, _ kx: Int) -> (Int, Int, Int) {
        let xoff = kx * g.dw - g.padLeft
        let lo = xoff >= 0 ? 0 : min(g.outW, (-xoff + g.sw - 1) / g.sw)
        let hi = max(lo, min(g.outW, (g.width - 1 - xoff) >= 0 ? (g.width - 1 - xoff) / g.sw + 1 : 0))
        return (lo, hi, xoff)
    }

    static func depthwiseForward(_ xp: UnsafePointer<Float>, _ wp: UnsafePointer<Float>, _ yp: UnsafeMutablePointer<Float>,
                                 n: Int, cin: Int, mult: Int, _ g: ConvGeometry,
                                 bias: UnsafePointer<Float>?, activation: FusedActivation) {
        let cout = cin * mult, hw = g.height * g.width, ohw = g.outH * g.outW, kk = g.kh * g.kw
        let ranges = (0..<g.kw).map { validX(g, $0) }   // hoisted: integer divisions per row were measurable
        let half = (g.width + 1) / 2
        // Columns where every kernel column is inside the row: there the taps need no bounds checks.
        let inner = ranges.map(\.0).max() ?? 0, innerEnd = max(inner, ranges.map(\.1).min() ?? 0)
        let split2 = g.sw == 2
        // Below: strides 1 and 2 only, on rows wide enough that their few bounds-checked border columns cost little.
        if g.outW < paddedRowsBelowWidth || g.sw > 2 {
            depthwiseForwardPaddedRows(xp, wp, yp, n: n, cin: cin, mult: mult, g, bias: bias, activation: activation)
            return
        }
        Threading.parallelFor(n * cout) { plane in
            let ni = plane / cout, co = plane % cout, ci = co / mult
            let src = xp + (ni * cin + ci) * hw, dst = yp + plane * ohw, wk = wp + co * kk
            let bv = bias?[co] ?? 0
            // Stride 2: de-interleave each input row into even/odd columns so every tap reads contiguously.
            withScratch(split2 ? 2 * half * g.kh : 1) { split in
            withUnsafeTemporaryAllocation(of: DepthwiseTap.self, capacity: kk) { taps in
                for oy in 0..<g.outH {
                    // The row's taps: output column ox reads tap.base[ox] for ox in tap.lo..<tap.hi.
                    var count = 0
                    for ky in 0..<g.kh {
                        let iy = oy * g.sh - g.padTop + ky * g.dh
                        if iy < 0 || iy >= g.height { continue }
                        let row = src + iy * g.width
                        let even = split + ky * 2 * half, odd = even + half
                        if split2 {
                            for j in 0..<(g.width / 2) { even[j] = row[2 * j]; odd[j] = row[2 * j + 1] }
                            if g.width % 2 == 1 { even[half - 1] = row[g.width - 1] }
                        }
                        for kx in 0..<g.kw {
                            let (lo, hi, xoff) = ranges[kx]
                            if hi <= lo { continue }
                            let base: UnsafePointer<Float>
                            if split2 {
                                // Input column 2·ox + xoff = 2·(ox + e) + parity.
                                let e = xoff >= 0 ? xoff / 2 : -((-xoff + 1) / 2)
                                base = UnsafePointer((xoff - 2 * e) == 0 ? even : odd) + e
                            } else {
                                base = row + xoff
                            }
                            taps[count] = DepthwiseTap(base: base, weight: wk[ky * g.kw + kx], lo: lo, hi: hi)
                            count += 1
                        }
                    }
                    let out = dst + oy * g.outW
                    depthwiseRow(UnsafeBufferPointer(rebasing: taps[..<count]), bias: bv, out, width: g.outW, interior: inner..<innerEnd)
                    activation.apply(out, g.outW)   // fused while the row is in L1
                }
            }
            }
        }
    }

    /// Output rows narrower than this copy their input rows into zero-padded scratch rows, so that every column,
    /// the borders too, takes the SIMD path: on the encoder's deep, narrow layers the bounds-checked border columns
    /// cost more than the rest of the row. Wider rows skip the copy (their borders are a small share).
    static let paddedRowsBelowWidth = 64

    /// `depthwiseForward` through zero-padded copies of the input rows (and, at stride 2, their even and odd
    /// columns side by side), so no tap needs a bounds check.
    static func depthwiseForwardPaddedRows(_ xp: UnsafePointer<Float>, _ wp: UnsafePointer<Float>, _ yp: UnsafeMutablePointer<Float>,
                                           n: Int, cin: Int, mult: Int, _ g: ConvGeometry,
                                           bias: UnsafePointer<Float>?, activation: FusedActivation) {
        let cout = cin * mult, hw = g.height * g.width, ohw = g.outH * g.outW, kk = g.kh * g.kw
        // A padded row holds every column a tap reads: padded column c is input column c − padLeft.
        let rowLength = max(g.padLeft + g.width, (g.outW - 1) * g.sw + (g.kw - 1) * g.dw + 1)
        let copied = max(0, min(g.width, rowLength - g.padLeft)), half = (rowLength + 1) / 2
        let split2 = g.sw == 2, rowScratch = g.kh * rowLength, splitScratch = split2 ? g.kh * 2 * half : 0
        Threading.parallelFor(n * cout) { plane in
            let ni = plane / cout, co = plane % cout, ci = co / mult
            let src = xp + (ni * cin + ci) * hw, dst = yp + plane * ohw, wk = wp + co * kk
            let bv = bias?[co] ?? 0
            withScratch(rowScratch + splitScratch) { scratch in
            withUnsafeTemporaryAllocation(of: DepthwiseTap.self, capacity: kk) { taps in
                for oy in 0..<g.outH {
                    var count = 0
                    for ky in 0..<g.kh {
                        let iy = oy * g.sh - g.padTop + ky * g.dh
                        if iy < 0 || iy >= g.height { continue }   // a zero row adds nothing
                        let row = scratch + ky * rowLength
                        row.update(repeating: 0, count: min(g.padLeft, rowLength))
                        if copied > 0 { (row + g.padLeft).update(from: src + iy * g.width, count: copied) }
                        let tail = g.padLeft + copied
                        if tail < rowLength { (row + tail).update(repeating: 0, count: rowLength - tail) }
                        var even = UnsafeMutablePointer(row), odd = even
                        if split2 {
                            even = scratch + rowScratch + ky * 2 * half; odd = even + half
                            for j in 0..<(rowLength / 2) { even[j] = row[2 * j]; odd[j] = row[2 * j + 1] }
                            if rowLength % 2 == 1 { even[half - 1] = row[rowLength - 1] }
                        }
                        for kx in 0..<g.kw {
                            let c0 = kx * g.dw
                            // Stride 2: padded column 2·ox + c0 is entry ox + c0/2 of the even or odd columns.
                            let base = split2 ? UnsafePointer(c0 % 2 == 0 ? even : odd) + c0 / 2 : UnsafePointer(row) + c0
                            taps[count] = DepthwiseTap(base: base, weight: wk[ky * g.kw + kx], lo: 0, hi: g.outW)
                            count += 1
                        }
                    }
                    let out = dst + oy * g.outW, used = UnsafeBufferPointer(rebasing: taps[..<count])
                    if g.sw > 2 {
                        depthwiseEdge(used, bias: bv, step: g.sw, out, 0..<g.outW)
                    } else {
                        depthwiseRow(used, bias: bv, out, width: g.outW, interior: 0..<g.outW)
                    }
                    activation.apply(out, g.outW)
                }
            }
            }
        }
    }

    /// Direct convolution for few output channels: the output rows of all of a group's output channels accumulate
    /// w·(shifted input row) over input channels and taps, so each input row is loaded once for all of them (L1).
    /// Work items are (image, group, block of rows).
    static func directForward(_ xp: UnsafePointer<Float>, _ wp: UnsafePointer<Float>, _ yp: UnsafeMutablePointer<Float>,
                              n: Int, cin: Int, cout: Int, groups: Int, _ g: ConvGeometry,
                              bias: UnsafePointer<Float>?, activation: FusedActivation) {
        let hw = g.height * g.width, ohw = g.outH * g.outW, kk = g.kh * g.kw, coutG = cout / groups
        let ranges = (0..<g.kw).map { validX(g, $0) }
        let inner = ranges.map(\.0).max() ?? 0, innerEnd = max(inner, ranges.map(\.1).min() ?? 0)
        if g.sw == 1 && coutG <= 4 && innerEnd - inner >= 16 {
            directForwardBlocked(xp, wp, yp, n: n, cin: cin, cout: cout, groups: groups, g, bias: bias,
                                 activation: activation, interior: inner..<innerEnd)
            return
        }
        let blockRows = max(1, min(g.outH, 8)), blocks = (g.outH + blockRows - 1) / blockRows
        Threading.parallelFor(n * groups * blocks) { item in
            let b = item % blocks, ng = item / blocks, ni = ng / groups, gi = ng % groups
            let dst = yp + (ni * cout + gi * coutG) * ohw, wg = wp + gi * coutG * g.channels * kk
            let oy0 = b * blockRows, oy1 = min(g.outH, oy0 + blockRows)
            for co in 0..<coutG {
                (dst + co * ohw + oy0 * g.outW).update(repeating: bias?[gi * coutG + co] ?? 0, count: (oy1 - oy0) * g.outW)
            }
            for oy in oy0..<oy1 {
                let out = dst + oy * g.outW
                for c in 0..<g.channels {
                    let src = xp + (ni * cin + gi * g.channels + c) * hw
                    for ky in 0..<g.kh {
                        let iy = oy * g.sh - g.padTop + ky * g.dh
                        if iy < 0 || iy >= g.height { continue }
                        let row = src + iy * g.width
                        for kx in 0..<g.kw {
                            let (lo, hi, xoff) = ranges[kx]
                            if hi <= lo { continue }
                            let s = row + xoff, tap = (c * g.kh + ky) * g.kw + kx
                            for co in 0..<coutG {
                                let wv = wg[co * g.channels * kk + tap], o = out + co * ohw
                                if g.sw == 1 { VectorMath.axpy(wv, s + lo, o + lo, hi - lo) }
                                else { for ox in lo..<hi { o[ox] += wv * s[ox * g.sw] } }
                            }
                        }
                    }
                }
                for co in 0..<coutG { activation.apply(out + co * ohw, g.outW) }
            }
        }
    }

    /// `directForward` at stride 1 for up to 4 output channels: 16 columns of every output channel accumulate in
    /// registers over all input channels and taps, so each output is stored once (the row-axpy form loaded and
    /// stored the output rows once per input channel and tap). Columns outside `interior` are bounds-checked.
    static func directForwardBlocked(_ xp: UnsafePointer<Float>, _ wp: UnsafePointer<Float>, _ yp: UnsafeMutablePointer<Float>,
                                     n: Int, cin: Int, cout: Int, groups: Int, _ g: ConvGeometry,
                                     bias: UnsafePointer<Float>?, activation: FusedActivation, interior: Range<Int>) {
        let hw = g.height * g.width, ohw = g.outH * g.outW, kk = g.kh * g.kw, coutG = cout / groups
        let xoffs = (0..<g.kw).map { $0 * g.dw - g.padLeft }
        let blockRows = max(1, min(g.outH, 8)), blocks = (g.outH + blockRows - 1) / blockRows
        Threading.parallelFor(n * groups * blocks) { item in
            let b = item % blocks, ng = item / blocks, ni = ng / groups, gi = ng % groups
            let dst = yp + (ni * cout + gi * coutG) * ohw, wg = wp + gi * coutG * g.channels * kk
            var biases = SIMD4<Float>(repeating: 0)
            for co in 0..<coutG { biases[co] = bias?[gi * coutG + co] ?? 0 }
            // Weights by tap, the output channels side by side (zero for missing ones).
            withUnsafeTemporaryAllocation(of: SIMD4<Float>.self, capacity: g.channels * kk) { wt in
            withUnsafeTemporaryAllocation(of: (UnsafePointer<Float>, Int).self, capacity: g.channels * g.kh) { rows in
            withUnsafeTemporaryAllocation(of: (UnsafePointer<Float>, SIMD4<Float>).self, capacity: g.channels * kk) { taps in
                for tap in 0..<(g.channels * kk) {
                    var v = SIMD4<Float>(repeating: 0)
                    for co in 0..<coutG { v[co] = wg[co * g.channels * kk + tap] }
                    wt[tap] = v
                }
                for oy in (b * blockRows)..<min(g.outH, (b + 1) * blockRows) {
                    // The input rows this output row reads, with the index of their first tap.
                    var count = 0
                    for c in 0..<g.channels {
                        let src = xp + (ni * cin + gi * g.channels + c) * hw
                        for ky in 0..<g.kh {
                            let iy = oy * g.sh - g.padTop + ky * g.dh
                            if iy < 0 || iy >= g.height { continue }
                            rows[count] = (src + iy * g.width, (c * g.kh + ky) * g.kw)
                            count += 1
                        }
                    }
                    let used = UnsafeBufferPointer(rebasing: rows[..<count]), out = dst + oy * g.outW
                    // Every tap as (shifted row, weights): the interior loop then reads nothing else.
                    var tapCount = 0
                    for (row, tap) in used {
                        for kx in 0..<g.kw { taps[tapCount] = (row + xoffs[kx], wt[tap + kx]); tapCount += 1 }
                    }
                    let flat = UnsafeBufferPointer(rebasing: taps[..<tapCount])
                    for ox in 0..<g.outW where !interior.contains(ox) {
                        var acc = biases
                        for (row, tap) in used {
                            for kx in 0..<g.kw {
                                let ix = ox + xoffs[kx]
                                if ix >= 0 && ix < g.width { acc += wt[tap + kx] * row[ix] }
                            }
                        }
                        for co in 0..<coutG { out[co * ohw + ox] = acc[co] }
                    }
                    // Blocks of 16 columns; the last overlaps the one before rather than leaving a tail.
                    var ox = interior.lowerBound
                    while true {
                        let at = min(ox, interior.upperBound - 16)
                        var a0 = SIMD16<Float>(repeating: biases[0]), a1 = SIMD16<Float>(repeating: biases[1])
                        var a2 = SIMD16<Float>(repeating: biases[2]), a3 = SIMD16<Float>(repeating: biases[3])
                        for (p, w) in flat {
                            let v = VectorMath.load16(p + at)
                            a0 = VectorMath.fma(a0, SIMD16(repeating: w[0]), v); a1 = VectorMath.fma(a1, SIMD16(repeating: w[1]), v)
                            a2 = VectorMath.fma(a2, SIMD16(repeating: w[2]), v); a3 = VectorMath.fma(a3, SIMD16(repeating: w[3]), v)
                        }
                        func store(_ a: SIMD16<Float>, _ co: Int) {
                            if co < coutG { UnsafeMutableRawPointer(out + co * ohw + at).storeBytes(of: a, as: SIMD16<Float>.self) }
                        }
                        store(a0, 0); store(a1, 1); store(a2, 2); store(a3, 3)
                        if at == interior.upperBound - 16 { break }
                        ox += 16
                    }
                    for co in 0..<coutG { activation.apply(out + co * ohw, g.outW) }
                }
            }
            }
            }
        }
    }

    static func depthwiseBackward(_ xp: UnsafePointer<Float>, _ wp: UnsafePointer<Float>, _ dyp: UnsafePointer<Float>,
                                  dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
                                  n: Int, cin: Int, mult: Int, _ g: ConvGeometry) {
        let cout = cin * mult, hw = g.height * g.width, ohw = g.outH * g.outW, kk = g.kh * g.kw
        let ranges = (0..<g.kw).map { validX(g, $0) }
        // One work item per input channel: it owns dx planes of that channel and the weights of its outputs.
        Threading.parallelFor(cin) { ci in
            for m in 0..<mult {
                let co = ci * mult + m, wk = wp + co * kk
                for ni in 0..<n {
                    let src = xp + (ni * cin + ci) * hw, gy = dyp + (ni * cout + co) * ohw
                    let gx = dx.map { $0 + (ni * cin + ci) * hw }
                    for oy in 0..<g.outH {
                        let grow = gy + oy * g.outW
                        for ky in 0..<g.kh {
                            let iy = oy * g.sh - g.padTop + ky * g.dh
                            if iy < 0 || iy >= g.height { continue }
                            for kx in 0..<g.kw {
                                let (lo, hi, xoff) = ranges[kx]
                                if let dw {
                                    let s = src + iy * g.width + xoff
                                    var acc: Float = 0
                                    if g.sw == 1 { if hi > lo { acc = VectorMath.dot(grow + lo, s + lo, hi - lo) } }
                                    else { for ox in lo..<hi { acc += grow[ox] * s[ox * g.sw] } }
                                    dw[co * kk + ky * g.kw + kx] += acc
                                }
                                if let gx {
                                    let wv = wk[ky * g.kw + kx]
                                    let d = gx + iy * g.width + xoff
                                    if g.sw == 1 { for ox in lo..<hi { d[ox] += wv * grow[ox] } }
                                    else { for ox in lo..<hi { d[ox * g.sw] += wv * grow[ox] } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// 2-D convolution with optional bias and fused activation, recorded for autograd.
/// `x`: [N, Cin, H, W]; `weight`: [Cout, Cin/groups, kh, kw]; `bias`: [Cout].
public func conv2d(_ x: Variable, weight: Variable, bias: Variable? = nil, config: Conv2dConfig = Conv2dConfig(),
                   activation: FusedActivation = .none) -> Variable {
    let y = ConvKernels.forward(x.value, weight.value, bias?.value, config, activation: activation)
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    return record(y, inputs) { [xv = x.value, wv = weight.value] gy in
        let g = activation.backward(gy, output: y)
        let (dx, dw, db) = ConvKernels.backward(g, xv, wv, config, needInput: x.requiresGrad,
                                               needWeight: weight.requiresGrad, needBias: bias?.requiresGrad ?? false)
        if let dx { x.accumulate(dx) }
        if let dw { weight.accumulate(dw) }
        if let db, let bias { bias.accumulate(db) }
    }
}
