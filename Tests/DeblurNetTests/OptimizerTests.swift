import Foundation
import Testing
@testable import DeblurNet

/// Adam/AdamW trajectories against torch.optim over 6 steps with fixed gradients, and state save/restore.
@Suite struct OptimizerTests {
    static func make(_ f: SafetensorsFile) -> (Adam, Variable, Variable) {
        let p0 = Parameter(f.tensors["p0_init"]!), p1 = Parameter(f.tensors["p1_init"]!)
        let lr = Golden.float(f, "lr"), wd = Golden.float(f, "weight_decay"), eps = Golden.float(f, "eps")
        let betas = (Golden.meta(f, "betas") as? [NSNumber])!.map { $0.doubleValue }
        let opt = Adam([("p0", p0), ("p1", p1)], learningRate: lr, beta1: betas[0], beta2: betas[1], eps: eps,
                       weightDecay: wd, decoupledWeightDecay: (Golden.meta(f, "decoupled") as? Bool) ?? false)
        return (opt, p0, p1)
    }

    @Test("trajectory matches torch.optim", arguments: ["adam", "adam_l2", "adamw"])
    func matchesTorch(_ name: String) throws {
        let f = try Golden.load(name)
        let (opt, p0, p1) = Self.make(f)
        for s in 0..<6 {
            p0.grad = f.tensors["g0_\(s)"]; p1.grad = f.tensors["g1_\(s)"]
            opt.step()
            #expect(relativeError(p0.value, f.tensors["p0_\(s)"]!) < 1e-5, "\(name) step \(s) p0")
            #expect(relativeError(p1.value, f.tensors["p1_\(s)"]!) < 1e-5, "\(name) step \(s) p1")
        }
        let st = opt.stateDict()
        #expect(relativeError(st["p0.exp_avg"]!, f.tensors["p0_exp_avg"]!) < 1e-5)
        #expect(relativeError(st["p0.exp_avg_sq"]!, f.tensors["p0_exp_avg_sq"]!) < 1e-5)
        #expect(st["p0.step"]!.scalar == 6)
    }

    @Test("state round trip through safetensors continues the same trajectory")
    func resumeIsExact() throws {
        let f = try Golden.load("adamw")
        let (opt, p0, p1) = Self.make(f)
        for s in 0..<3 { p0.grad = f.tensors["g0_\(s)"]; p1.grad = f.tensors["g1_\(s)"]; opt.step() }
        let saved = Safetensors.encode(opt.stateDict().merging(["p0": p0.value, "p1": p1.value]) { a, _ in a })
        let loaded = try Safetensors.decode(saved)
        let (opt2, q0, q1) = Self.make(f)
        q0.value = loaded.tensors["p0"]!; q1.value = loaded.tensors["p1"]!
        try opt2.loadStateDict(loaded.tensors)
        #expect(opt2.stepCount == 3)
        for s in 3..<6 { q0.grad = f.tensors["g0_\(s)"]; q1.grad = f.tensors["g1_\(s)"]; opt2.step() }
        #expect(relativeError(q0.value, f.tensors["p0_5"]!) < 1e-5)
        #expect(relativeError(q1.value, f.tensors["p1_5"]!) < 1e-5)
    }
}

@Suite struct GradientClippingTests {
    @Test("clipGradNorm scales to the max norm like torch.nn.utils.clip_grad_norm_")
    func clips() {
        let a = Parameter(.zeros([2])), b = Parameter(.zeros([1]))
        a.grad = Tensor(shape: [2], data: [3, 0]); b.grad = Tensor(shape: [1], data: [4])
        let n = clipGradNorm([a, b], maxNorm: 1)
        #expect(abs(n - 5) < 1e-6)
        #expect(abs(a.grad![flat: 0] - 0.6) < 1e-5 && abs(b.grad![flat: 0] - 0.8) < 1e-5)
        let n2 = clipGradNorm([a, b], maxNorm: 10)   // already below: unchanged
        #expect(abs(n2 - 1) < 1e-5 && abs(a.grad![flat: 0] - 0.6) < 1e-5)
    }
}
