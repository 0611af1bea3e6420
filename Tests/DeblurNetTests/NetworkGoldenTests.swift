import Foundation
import Testing
@testable import DeblurNet

/// A small generator + discriminator graph against PyTorch end to end: TF-"same" stride-2 conv, BatchNorm in
/// training mode, depthwise and 1×1 convs, transposed conv, bilinear resize, concat, a residual from the input
/// (fan-out: x feeds three places), clamp, a PatchGAN-like head with InstanceNorm, and the three losses.
@Suite struct NetworkGoldenTests {
    final class Net: Module, @unchecked Sendable {
        let c1 = Conv2d(3, 8, kernelSize: 3, stride: 2, padding: .same, bias: false)
        let bn1 = BatchNorm2d(8), bn2 = BatchNorm2d(8)
        let dw = Conv2d(8, 8, kernelSize: 3, padding: 1, groups: 8)
        let pw = Conv2d(8, 4, kernelSize: 1)
        let up = ConvTranspose2d(4, 4, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, activation: .relu)
        let head = Conv2d(7, 3, kernelSize: 3, padding: 1)
        let d1 = Conv2d(3, 4, kernelSize: 4, stride: 2, padding: 1), d2 = Conv2d(4, 1, kernelSize: 3, padding: 1)
        var children: [(String, any Module)] {
            [("c1", c1), ("bn1", bn1), ("dw", dw), ("bn2", bn2), ("pw", pw), ("up", up), ("head", head), ("d1", d1), ("d2", d2)]
        }

        func loss(_ x: Variable, _ t: Variable) -> Variable {
            var h = relu6(bn1(c1(x)))
            h = relu6(bn2(dw(h)))
            h = resizeBilinear(up(pw(h)), height: 17, width: 14)
            let out = clamp(x + DeblurNet.tanh(head(concatChannels([h, x]))), min: 0, max: 1)
            let logits = d2(leakyReLU(instanceNorm(d1(out)), slope: 0.2))
            let ms = mseLoss(resizeBilinear(out, height: 9, width: 7), resizeBilinear(t, height: 9, width: 7))
            return l1Loss(out, t) + 0.5 * ms + 0.1 * bceWithLogitsLoss(logits, label: 1)
        }
    }

    @Test("loss, BN running stats and every gradient match PyTorch")
    func matchesPyTorch() throws {
        let f = try Golden.load("network")
        let net = Net()
        var sd: [String: Tensor] = [:]
        for (k, _) in net.namedParameters() { sd[k] = try f.tensor(k) }
        for (k, _) in net.namedBuffers() { sd[k] = try f.tensor("init." + k) }
        try net.loadStateDict(sd)
        let x = Variable(try f.tensor("x"), requiresGrad: true), t = Variable(try f.tensor("t"))
        let loss = net.loss(x, t)
        #expect(abs(loss.value.scalar - (try f.tensor("loss")).scalar) < 1e-5 * abs((try f.tensor("loss")).scalar))
        loss.backward()
        #expect(relativeError(x.grad!, try f.tensor("dx")) < 1e-4)
        for (k, p) in net.namedParameters() {
            let ref = try f.tensor("grad." + k), ours = p.grad ?? .zeros(p.shape)
            if ref.maxAbs < 1e-9 {
                // Biases right before a normalisation (dw → BatchNorm, d1 → InstanceNorm) have zero gradient;
                // both sides are rounding noise, so bound it absolutely.
                #expect(ours.maxAbs < 1e-6, "\(k) should have ~0 gradient, max \(ours.maxAbs)")
            } else {
                let e = relativeError(ours, ref)
                #expect(e < 1e-4, "\(k) grad rel err \(e)")
            }
        }
        for (k, b) in net.namedBuffers() {
            #expect(relativeError(b.value, try f.tensor("after." + k)) < 1e-5, "\(k)")
        }
    }
}
