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
}
