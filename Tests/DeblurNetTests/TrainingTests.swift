import Foundation
import Testing
@testable import DeblurNet

/// End-to-end: a two-layer conv net learns a fixed 3×3 filter (a sharpening kernel) with Adam.
@Suite struct TrainingTests {
    final class TwoLayerNet: Layer, @unchecked Sendable {
        let conv1 = Conv2d(1, 8, kernelSize: 3, padding: 1, activation: .relu, seed: 1)
        let conv2 = Conv2d(8, 1, kernelSize: 3, padding: 1, seed: 2)
        var children: [(String, any Module)] { [("conv1", conv1), ("conv2", conv2)] }
        func callAsFunction(_ x: Variable) -> Variable { conv2(conv1(x)) }
    }

    @Test("two-layer conv net: loss falls at least 20× in 150 Adam steps")
    func learnsSharpeningFilter() {
        let net = TwoLayerNet()
        #expect(net.namedParameters().map { $0.0 } == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"])
        let sharpen = Variable(Tensor(shape: [1, 1, 3, 3], data: [0, -1, 0, -1, 5, -1, 0, -1, 0]))
        let x = Variable(.uniform([8, 1, 12, 12], lo: 0, hi: 1, seed: 3))
        let target = noGrad { conv2d(x, weight: sharpen, config: Conv2dConfig(padding: Padding2d(1))) }.detached()
        let opt = Adam(net.namedParameters(), learningRate: 1e-2)
        var first: Float = 0, last: Float = 0
        for step in 0..<150 {
            opt.zeroGrad()
            let loss = mseLoss(net(x), target)
            if step == 0 { first = loss.value.scalar }
            last = loss.value.scalar
            loss.backward()
            opt.step()
        }
        #expect(last < first / 20, "loss \(first) → \(last)")
    }

    @Test("noGrad inference records no graph and keeps parameter gradients empty")
    func noGradRecordsNothing() {
        let conv = Conv2d(3, 4, kernelSize: 3, padding: 1)
        let y = noGrad { conv(Variable(.uniform([1, 3, 8, 8], seed: 1))) }
        #expect(y.isLeaf && !y.requiresGrad)
        #expect(conv.weight.grad == nil)
    }

    @Test("BatchNorm folded into the preceding conv gives the eval-mode output")
    func batchNormFolding() {
        let conv = Conv2d(3, 5, kernelSize: 3, stride: 2, padding: .same, seed: 4)
        let bn = BatchNorm2d(5)
        bn.weight.value = .uniform([5], lo: 0.5, hi: 2, seed: 5); bn.bias.value = .uniform([5], seed: 6)
        bn.runningMean.value = .uniform([5], seed: 7); bn.runningVar.value = .uniform([5], lo: 0.3, hi: 2, seed: 8)
        bn.setTraining(false)
        let x = Variable(.uniform([2, 3, 11, 10], seed: 9))
        let ref = noGrad { relu6(bn(conv(x))) }
        let folded = conv.foldingBatchNorm(bn, activation: .relu6)
        let y = noGrad { folded(x) }
        #expect(relativeError(y.value, ref.value) < 1e-5)
        #expect(y.shape == [2, 5, 6, 5])   // TF "same": ceil(11/2) × ceil(10/2)
    }

    @Test("tiles bound the im2col buffer: 3×3 conv, 64 channels at 1280×720 uses a few MB, not GBs")
    func im2colIsTiled() {
        let g = ConvKernels.geometry(input: [1, 64, 720, 1280], weight: [64, 64, 3, 3], Conv2dConfig(padding: Padding2d(1)))
        let rows = g.tileRows(budget: Threading.im2colBudget, minTiles: Threading.threads)
        let bytes = g.kernelVolume * rows * g.outW * 4
        #expect(bytes <= 8 << 20, "column tile \(bytes) bytes")
        #expect(g.kernelVolume * g.outH * g.outW * 4 > 2_000_000_000)   // what a whole-frame im2col would take
    }
}

@Suite struct BufferPoolTests {
    @Test("pool reuses same-size buffers and evicts the least recently used sizes when full")
    func reuseAndEviction() {
        let pool = BufferPool(capacityBytes: 4 * 1000)
        let a = pool.take(400)
        pool.give(a, count: 400)
        let b = pool.take(400)
        #expect(a == b)                      // same size comes back from the pool
        #expect(pool.freshAllocationCount == 1)
        pool.give(b, count: 400)
        let c = pool.take(700)               // new size: fresh buffer
        pool.give(c, count: 700)             // 400 + 700 > 1000: the stale 400-float class is evicted
        #expect(pool.pooledBufferCount == 1)
        let d = pool.take(700)
        #expect(d == c && pool.freshAllocationCount == 2)
        pool.give(d, count: 700)
        pool.drain()
        #expect(pool.pooledBufferCount == 0)
    }
}

@Suite struct AutogradTests {
    @Test("fan-out accumulates gradients from every use; backward frees the graph links")
    func fanOutAndRelease() {
        let x = Variable(Tensor(shape: [3], data: [1, -2, 3]), requiresGrad: true)
        // L = Σ (x·x + 3x) → dL/dx = 2x + 3
        let y = mul(x, x) + x * 3
        let loss = sum(y)
        loss.backward()
        #expect(x.grad!.array == [5, -1, 9])
        #expect(y.parents.isEmpty && y.released)   // graph released after backward
        #expect(loss.value.scalar == 1 + 4 + 9 + 3 * (1 - 2 + 3))
    }
}
