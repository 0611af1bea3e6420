/// 70×70 PatchGAN discriminator (pix2pix): 4×4 convs C(ndf)-C(2ndf)-C(4ndf)-C(8ndf) with strides 2, 2, 2, 1,
/// instance norm from the second layer on, LeakyReLU 0.2, then a 4×4 conv to one logit per patch.
/// State-dict keys `convs.<i>.weight` (`convs.0.bias`), `out.weight`, `out.bias`, as the reference.
public final class PatchDiscriminator: Module, @unchecked Sendable {
    public let convs: Sequential
    public let out: Conv2d
    public let ndf: Int

    public init(ndf: Int = 64, seed: UInt64 = 7) {
        self.ndf = ndf
        let chans = [3, ndf, ndf * 2, ndf * 4, ndf * 8], strides = [2, 2, 2, 1]
        convs = Sequential((0..<4).map { i in
            Conv2d(chans[i], chans[i + 1], kernelSize: 4, stride: strides[i], padding: 1, bias: i == 0,
                   activation: i == 0 ? .leakyReLU(0.2) : .none, seed: seed &+ UInt64(2 * i))
        })
        out = Conv2d(chans[4], 1, kernelSize: 4, stride: 1, padding: 1, bias: true, seed: seed &+ 100)
    }

    public var children: [(String, any Module)] { [("convs", convs), ("out", out)] }

    /// Patch logits [N, 1, h, w] for images in [0, 1].
    public func callAsFunction(_ x: Variable) -> Variable {
        var h = scale(x, 2, shift: -1)
        for (i, c) in convs.layers.enumerated() {
            h = c(h)
            if i > 0 { h = leakyReLU(instanceNorm(h, eps: 1e-5), slope: 0.2) }
        }
        return out(h)
    }
}
