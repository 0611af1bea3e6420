import Testing
@testable import DeblurNet

/// The direct kernel for few output channels (an RGB head, the discriminator's last layer) against the im2col + GEMM
/// path that the golden tests pin to PyTorch: the same weights as the first channels of a wider conv, which takes
/// the GEMM path, give the same outputs — also for strides the golden files do not cover (rows 2, columns 1).
@Suite struct ConvKernelPathTests {
    @Test(arguments: [(3, 1, 1), (4, 1, 1), (3, 2, 1), (3, 1, 2), (5, 2, 1)])
    func fewOutputChannelsMatchTheGEMMPath(kernel: Int, strideH: Int, dilation: Int) {
        let x = Tensor.uniform([2, 5, 9, 45], lo: -1, hi: 1, seed: 5)
        let wide = Tensor.uniform([8, 5, kernel, kernel], lo: -0.5, hi: 0.5, seed: 6), bias = Tensor.uniform([8], lo: -0.5, hi: 0.5, seed: 7)
        let cfg = Conv2dConfig(stride: (strideH, 1), padding: Padding2d(top: 1, bottom: 0, left: 2, right: 1), dilation: (dilation, dilation))
        let reference = noGrad { conv2d(Variable(x), weight: Variable(wide), bias: Variable(bias), config: cfg, activation: .relu) }.value
        let head = Tensor(shape: [3, 5, kernel, kernel], data: Array(wide.array.prefix(3 * 5 * kernel * kernel)))
        let headBias = Tensor(shape: [3], data: Array(bias.array.prefix(3)))
        let y = noGrad { conv2d(Variable(x), weight: Variable(head), bias: Variable(headBias), config: cfg, activation: .relu) }.value
        let (n, oh, ow) = (2, reference.shape[2], reference.shape[3])
        #expect(y.shape == [n, 3, oh, ow])
        #expect(ow - 2 * kernel >= 16, "wide enough for the kernel's register blocks")
        var worst: Float = 0
        for ni in 0..<n { for c in 0..<3 { for i in 0..<(oh * ow) {
            worst = max(worst, abs(y[flat: (ni * 3 + c) * oh * ow + i] - reference[flat: (ni * 8 + c) * oh * ow + i]))
        } } }
        #expect(worst < 1e-5, "max difference \(worst)")
    }

    /// Depthwise convs (both row paths: narrow rows through padded copies, wide rows with bounds-checked borders)
    /// against each channel convolved alone by the GEMM path, for mixed strides and dilation.
    @Test(arguments: [(30, 1, 2, 1), (30, 2, 1, 1), (150, 1, 2, 1), (150, 2, 1, 2), (150, 2, 2, 1), (31, 2, 2, 2)])
    func depthwiseMatchesPerChannelGEMM(width: Int, strideH: Int, strideW: Int, dilation: Int) {
        let (n, c, h, k) = (2, 3, 11, 3)
        let x = Tensor.uniform([n, c, h, width], lo: -1, hi: 1, seed: 8)
        let w = Tensor.uniform([c, 1, k, k], lo: -0.5, hi: 0.5, seed: 9), b = Tensor.uniform([c], lo: -0.5, hi: 0.5, seed: 10)
        let pad = Padding2d(top: 1, bottom: 2, left: 2, right: 0)
        let cfg = Conv2dConfig(stride: (strideH, strideW), padding: pad, dilation: (dilation, dilation), groups: c)
        let y = noGrad { conv2d(Variable(x), weight: Variable(w), bias: Variable(b), config: cfg, activation: .relu6) }.value
        var worst: Float = 0
        for ci in 0..<c {
            // Channel ci alone, its kernel as output 0 of a 5-output conv (5 > 4 outputs: the GEMM path).
            let plane = h * width, all = x.array
            var planes: [Float] = []
            for ni in 0..<n { planes += all[((ni * c + ci) * plane)..<((ni * c + ci + 1) * plane)] }
            let xc = Tensor(shape: [n, 1, h, width], data: planes)
            var wk = [Float](repeating: 0.1, count: 5 * k * k)
            for i in 0..<(k * k) { wk[i] = w[flat: ci * k * k + i] }
            let single = Conv2dConfig(stride: (strideH, strideW), padding: pad, dilation: (dilation, dilation))
            let r = noGrad { conv2d(Variable(xc), weight: Variable(Tensor(shape: [5, 1, k, k], data: wk)),
                                    bias: Variable(Tensor(shape: [5], data: [b[flat: ci], 0, 0, 0, 0])), config: single, activation: .relu6) }.value
            let outPlane = r.shape[2] * r.shape[3]
            #expect(y.shape == [n, c, r.shape[2], r.shape[3]])
            for ni in 0..<n { for i in 0..<outPlane {
                worst = max(worst, abs(y[flat: (ni * c + ci) * outPlane + i] - r[flat: ni * 5 * outPlane + i]))
            } }
        }
        #expect(worst < 1e-5, "max difference \(worst)")
    }
}
