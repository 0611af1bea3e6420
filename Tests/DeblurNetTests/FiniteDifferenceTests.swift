import Testing
@testable import DeblurNet

/// Gradients checked against central finite differences of L = Σ y·r (r fixed random), independently of PyTorch.
/// Float32 engine, step h = 1e-2, loss summed in Double: the bound |num − ana| ≤ 2e-3·(1 + |ana|) covers
/// rounding (≈1e-7·Σ|terms|/h) and the O(h²) curvature of the non-linear ops.
@Suite struct FiniteDifferenceTests {
    static func check(_ name: String, inputs: [Variable], samples: Int = 12, _ f: ([Variable]) -> Variable) {
        let y0 = f(inputs)
        let r = Tensor.uniform(y0.shape, seed: 99)
        func loss() -> Double {
            let y = noGrad { f(inputs) }
            var s = 0.0
            for i in 0..<y.value.count { s += Double(y.value[flat: i]) * Double(r[flat: i]) }
            return s
        }
        y0.backward(seed: r)
        var rng = SplitMix64(seed: 7)
        for (k, v) in inputs.enumerated() where v.requiresGrad {
            guard let g = v.grad else { Issue.record("\(name): input \(k) got no gradient"); continue }
            for _ in 0..<samples {
                let i = Int(rng.next() % UInt64(v.value.count))
                let h: Float = 1e-2, orig = v.value[flat: i]
                v.value[flat: i] = orig + h; let lp = loss()
                v.value[flat: i] = orig - h; let lm = loss()
                v.value[flat: i] = orig
                let num = (lp - lm) / Double(2 * h), ana = Double(g[flat: i])
                #expect(abs(num - ana) <= 2e-3 * (1 + abs(ana)), "\(name) input \(k)[\(i)]: numeric \(num) vs analytic \(ana)")
            }
        }
    }

    @Test func convolutionStride2AsymmetricGroups() {
        let x = Variable(.uniform([2, 4, 9, 8], seed: 1), requiresGrad: true)
        let w = Variable(.uniform([6, 2, 3, 3], seed: 2), requiresGrad: true)
        let b = Variable(.uniform([6], seed: 3), requiresGrad: true)
        let cfg = Conv2dConfig(stride: 2, padding: Padding2d(top: 0, bottom: 1, left: 1, right: 1), groups: 2)
        Self.check("conv2d", inputs: [x, w, b]) { conv2d($0[0], weight: $0[1], bias: $0[2], config: cfg) }
    }

    @Test func depthwiseConvolution() {
        let x = Variable(.uniform([1, 5, 7, 9], seed: 4), requiresGrad: true)
        let w = Variable(.uniform([5, 1, 3, 3], seed: 5), requiresGrad: true)
        Self.check("depthwise", inputs: [x, w]) { conv2d($0[0], weight: $0[1], config: Conv2dConfig(stride: 2, padding: Padding2d(1), groups: 5)) }
    }

    @Test func transposedConvolution() {
        let x = Variable(.uniform([2, 3, 4, 5], seed: 6), requiresGrad: true)
        let w = Variable(.uniform([3, 2, 3, 3], seed: 7), requiresGrad: true)
        let cfg = ConvTranspose2dConfig(stride: 2, padding: 1, outputPadding: 1)
        Self.check("convT", inputs: [x, w]) { convTranspose2d($0[0], weight: $0[1], config: cfg) }
    }

    @Test func instanceNormAndBilinear() {
        let x = Variable(.uniform([2, 3, 6, 5], seed: 8), requiresGrad: true)
        let g = Variable(.uniform([3], lo: 0.5, hi: 1.5, seed: 9), requiresGrad: true)
        Self.check("instanceNorm→bilinear", inputs: [x, g]) {
            resizeBilinear(instanceNorm($0[0], weight: $0[1], bias: nil), height: 4, width: 9)
        }
    }

    @Test func batchNormTraining() {
        let x = Variable(.uniform([3, 2, 4, 5], seed: 10), requiresGrad: true)
        let g = Variable(.uniform([2], lo: 0.5, hi: 1.5, seed: 11), requiresGrad: true)
        let b = Variable(.uniform([2], seed: 12), requiresGrad: true)
        Self.check("batchNorm", inputs: [x, g, b]) {
            batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: Buffer(.zeros([2])), runningVar: Buffer(.ones([2])), training: true)
        }
    }

    @Test func reflectPadAndLosses() {
        let x = Variable(.uniform([1, 2, 5, 6], seed: 13), requiresGrad: true)
        let t = Variable(.uniform([1, 2, 8, 9], seed: 14))
        Self.check("reflect pad + mse + bce", inputs: [x], samples: 20) {
            let p = pad($0[0], Padding2d(top: 2, bottom: 1, left: 1, right: 2), mode: .reflect)
            return add(mseLoss(p, t), bceWithLogitsLoss(p, label: 1))
        }
    }
}
