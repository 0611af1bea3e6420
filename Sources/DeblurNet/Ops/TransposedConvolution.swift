/// Hyper-parameters of a transposed 2-D convolution (PyTorch `ConvTranspose2d` semantics).
public struct ConvTranspose2dConfig: Sendable, Equatable {
    public var stride: Int, padding: Int, outputPadding: Int, dilation: Int, groups: Int
    public init(stride: Int = 1, padding: Int = 0, outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        self.stride = stride; self.padding = padding; self.outputPadding = outputPadding
        self.dilation = dilation; self.groups = groups
    }
}

/// Tensor-level transposed convolution: the adjoint of conv2d. Weight layout [Cin, Cout/groups, kh, kw].
public enum ConvTransposeKernels {
    /// Geometry of the conv that maps the *output* y back onto x (x rows are that conv's output rows).
    static func geometry(input x: [Int], weight w: [Int], _ c: ConvTranspose2dConfig) -> ConvGeometry {
        precondition(x.count == 4 && w.count == 4, "conv_transpose2d expects NCHW input and [Cin, Cout/g, kh, kw] weight")
        precondition(x[1] == w[0] && w[0] % c.groups == 0, "conv_transpose2d: input channels \(x[1]) vs weight \(w)")
        precondition(c.outputPadding < max(c.stride, c.dilation), "output_padding must be smaller than stride or dilation")
        let oh = (x[2] - 1) * c.stride - 2 * c.padding + c.dilation * (w[2] - 1) + c.outputPadding + 1
        let ow = (x[3] - 1) * c.stride - 2 * c.padding + c.dilation * (w[3] - 1) + c.outputPadding + 1
        precondition(oh > 0 && ow > 0, "conv_transpose2d: empty output")
        return ConvGeometry(channels: w[1], height: oh, width: ow, kh: w[2], kw: w[3], sh: c.stride, sw: c.stride,
                            dh: c.dilation, dw: c.dilation, padTop: c.padding, padLeft: c.padding, outH: x[2], outW: x[3])
    }

    /// y = conv_transpose(x, w) + b.
    public static func forward(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ cfg: ConvTranspose2dConfig,
                               activation: FusedActivation = .none) -> Tensor {
        let g = geometry(input: x.shape, weight: w.shape, cfg)
        let n = x.shape[0], cin = x.shape[1], groups = cfg.groups, cinG = cin / groups, coutG = w.shape[1], cout = coutG * groups
        let yhw = g.height * g.width, xhw = g.outH * g.outW, kv = g.kernelVolume
        var y = Tensor.zeros([n, cout, g.height, g.width])
        let yp = y.mutablePtr(), xp = x.ptr, wp = w.ptr
        let rows = g.tileRows(budget: Threading.im2colBudget, minTiles: max(1, 2 * Threading.threads / max(1, n * groups)))
        let tiles = (g.outH + rows - 1) / rows
        for phase in 0..<2 {
            let perPlane = phase == 0 ? (tiles + 1) / 2 : tiles / 2
            if perPlane == 0 { continue }
            Threading.parallelChunks(n * groups * perPlane) { range in
                withScratch(kv * rows * g.outW) { col in
                    for item in range {
                        let t = (item % perPlane) * 2 + phase, ng = item / perPlane, gi = ng % groups, ni = ng / groups
                        let r0 = t * rows, r1 = min(g.outH, r0 + rows), cols = (r1 - r0) * g.outW
                        let src = xp + (ni * cin + gi * cinG) * xhw + r0 * g.outW
                        sgemm(transA: true, m: kv, n: cols, k: cinG, a: wp + gi * cinG * kv, lda: kv,
                              b: src, ldb: xhw, beta: 0, c: col, ldc: cols)
                        col2im(col, g, rows: r0, r1, into: yp + (ni * cout + gi * coutG) * yhw)
                    }
                }
            }
        }
        let bp = b?.ptr
        if bp != nil || activation != .none {
            Threading.parallelFor(n * cout) { plane in
                let row = yp + plane * yhw
                if let bp { let bv = bp[plane % cout]; for i in 0..<yhw { row[i] += bv } }
                activation.apply(row, yhw)
            }
        }
        return y
    }

    /// Gradients given dL/dy (pre-activation).
    public static func backward(_ dy: Tensor, _ x: Tensor, _ w: Tensor, _ cfg: ConvTranspose2dConfig,
                                needInput: Bool, needWeight: Bool, needBias: Bool) -> (Tensor?, Tensor?, Tensor?) {
        let g = geometry(input: x.shape, weight: w.shape, cfg)
        let n = x.shape[0], cin = x.shape[1], groups = cfg.groups, cinG = cin / groups, coutG = w.shape[1], cout = coutG * groups
        let yhw = g.height * g.width, xhw = g.outH * g.outW, kv = g.kernelVolume
        let db: Tensor? = needBias ? ConvKernels.channelSums(dy) : nil
        if !needInput && !needWeight { return (nil, nil, db) }
        var dx: Tensor? = needInput ? Tensor(uninitializedShape: x.shape) : nil
        var dw: Tensor? = needWeight ? Tensor.zeros(w.shape) : nil
        let xp = x.ptr, wp = w.ptr, dyp = dy.ptr, dxp = dx?.mutablePtr(), dwp = dw?.mutablePtr()
        let rows = g.tileRows(budget: Threading.im2colBudget, minTiles: max(1, Threading.threads / max(1, n * groups)))
        let tiles = (g.outH + rows - 1) / rows
        let items = n * groups * tiles
        let workers = Threading.workerCount(items)
        let wCount = w.count
        let dwPrivate = needWeight && workers > 1 ? BufferPool.shared.take(wCount * (workers - 1)) : nil
        dwPrivate?.update(repeating: 0, count: wCount * (workers - 1))
        defer { if let p = dwPrivate { BufferPool.shared.give(p, count: wCount * (workers - 1)) } }
        // Per-block weight-gradient accumulators (block 0 accumulates into dw directly), added in block order.
        Threading.parallelBlocks(items, blocks: workers) { block, range in
            withScratch(kv * rows * g.outW) { col in
                let dwAcc: UnsafeMutablePointer<Float>? = dwp.map { block == 0 ? $0 : dwPrivate! + (block - 1) * wCount }
                for item in range {
                    let t = item % tiles, ng = item / tiles, gi = ng % groups, ni = ng / groups
                    let r0 = t * rows, r1 = min(g.outH, r0 + rows), cols = (r1 - r0) * g.outW
                    im2col(dyp + (ni * cout + gi * coutG) * yhw, g, rows: r0, r1, into: col)
                    let xoff = (ni * cin + gi * cinG) * xhw + r0 * g.outW
                    if let dxp {
                        sgemm(m: cinG, n: cols, k: kv, a: wp + gi * cinG * kv, lda: kv, b: col, ldb: cols,
                              beta: 0, c: dxp + xoff, ldc: xhw)
                    }
                    if let dwAcc {
                        sgemm(transB: true, m: cinG, n: kv, k: cols, a: xp + xoff, lda: xhw, b: col, ldb: cols,
                              beta: 1, c: dwAcc + gi * cinG * kv, ldc: kv)
                    }
                }
            }
        }
        if let dwp, let dwPrivate {
            for k in 0..<(workers - 1) { let s = dwPrivate + k * wCount; for i in 0..<wCount { dwp[i] += s[i] } }
        }
        return (dx, dw, db)
    }
}

/// Transposed 2-D convolution (PyTorch `conv_transpose2d`), recorded for autograd.
/// `x`: [N, Cin, H, W]; `weight`: [Cin, Cout/groups, kh, kw]; `bias`: [Cout].
public func convTranspose2d(_ x: Variable, weight: Variable, bias: Variable? = nil,
                            config: ConvTranspose2dConfig = ConvTranspose2dConfig(),
                            activation: FusedActivation = .none) -> Variable {
    let y = ConvTransposeKernels.forward(x.value, weight.value, bias?.value, config, activation: activation)
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    return record(y, inputs) { [xv = x.value, wv = weight.value] gy in
        let g = activation.backward(gy, output: y)
        let (dx, dw, db) = ConvTransposeKernels.backward(g, xv, wv, config, needInput: x.requiresGrad,
                                                        needWeight: weight.requiresGrad, needBias: bias?.requiresGrad ?? false)
        if let dx { x.accumulate(dx) }
        if let dw { weight.accumulate(dw) }
        if let db, let bias { bias.accumulate(db) }
    }
}
