/// Adam / AdamW with PyTorch's exact update rule (`torch.optim.Adam`/`AdamW`, non-amsgrad, single-tensor path):
///
///     [AdamW] p ← p·(1 − lr·wd)            [Adam] g ← g + wd·p
///     m ← m + (1−β1)(g − m);  v ← β2·v + (1−β2)·g²
///     p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)
///
/// `t` counts per parameter (a parameter without a gradient is skipped, as in PyTorch).
public final class Adam: @unchecked Sendable {
    /// Parameters with their state-dict names (the names key the optimizer state).
    public let namedParameters: [(String, Variable)]
    public var learningRate: Float
    /// Betas are Double like PyTorch's Python floats: 1 − β₂ formed from Float(0.999) would be off by 5e-5.
    public let beta1: Double, beta2: Double, eps: Float, weightDecay: Float
    /// true = AdamW (decoupled weight decay), false = Adam (L2 added to the gradient).
    public let decoupledWeightDecay: Bool
    var expAvg: [Tensor?], expAvgSq: [Tensor?], steps: [Int]

    public init(_ namedParameters: [(String, Variable)], learningRate: Float = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                eps: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.namedParameters = namedParameters
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        self.weightDecay = weightDecay; self.decoupledWeightDecay = decoupledWeightDecay
        expAvg = Array(repeating: nil, count: namedParameters.count)
        expAvgSq = Array(repeating: nil, count: namedParameters.count)
        steps = Array(repeating: 0, count: namedParameters.count)
    }

    /// AdamW with PyTorch's default weight decay 0.01.
    public static func adamW(_ namedParameters: [(String, Variable)], learningRate: Float = 1e-3, beta1: Double = 0.9,
                             beta2: Double = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(namedParameters, learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps,
             weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    /// Number of updates applied to the first parameter (the global step for logging).
    public var stepCount: Int { steps.first ?? 0 }

    /// Applies one update to every parameter that has a gradient.
    public func step() {
        for (k, (_, p)) in namedParameters.enumerated() {
            guard let grad = p.grad else { continue }
            steps[k] += 1
            let t = steps[k], n = p.value.count
            if expAvg[k] == nil { expAvg[k] = .zeros(p.shape); expAvgSq[k] = .zeros(p.shape) }
            let lr = learningRate, b1 = beta1, b2 = beta2, wd = weightDecay
            let bc1 = 1 - b1.power(t), bc2 = 1 - b2.power(t)
            let stepSize = Float(Double(lr) / bc1), bc2Sqrt = Float(bc2.squareRoot())
            let pp = p.value.mutablePtr(), gp = grad.ptr
            let mp = expAvg[k]!.mutablePtr(), vp = expAvgSq[k]!.mutablePtr()
            let omb1 = Float(1 - b1), omb2 = Float(1 - b2), b2f = Float(b2)
            let decay = decoupledWeightDecay && wd != 0 ? Float(1 - Double(lr) * Double(wd)) : 1
            for i in 0..<n {
                var g = gp[i]
                if !decoupledWeightDecay && wd != 0 { g += wd * pp[i] }
                if decoupledWeightDecay { pp[i] *= decay }
                let m = mp[i] + omb1 * (g - mp[i])
                let v = vp[i] * b2f + omb2 * g * g
                mp[i] = m; vp[i] = v
                pp[i] -= stepSize * (m / (v.squareRoot() / bc2Sqrt + eps))
            }
        }
    }

    /// Sets every parameter's gradient to nil (PyTorch `zero_grad(set_to_none=True)`).
    public func zeroGrad() { for (_, p) in namedParameters { p.grad = nil } }

    /// Optimizer state as tensors: `<name>.exp_avg`, `<name>.exp_avg_sq`, `<name>.step` (scalar).
    public func stateDict() -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (k, (name, _)) in namedParameters.enumerated() {
            guard let m = expAvg[k], let v = expAvgSq[k] else { continue }
            d[name + ".exp_avg"] = m; d[name + ".exp_avg_sq"] = v; d[name + ".step"] = Tensor(scalar: Float(steps[k]))
        }
        return d
    }

    /// Restores state written by `stateDict()`; parameters without saved state start fresh.
    public func loadStateDict(_ d: [String: Tensor]) throws {
        for (k, (name, p)) in namedParameters.enumerated() {
            guard let m = d[name + ".exp_avg"], let v = d[name + ".exp_avg_sq"], let s = d[name + ".step"] else {
                expAvg[k] = nil; expAvgSq[k] = nil; steps[k] = 0; continue
            }
            guard m.count == p.value.count else { throw StateDictError.shapeMismatch(key: name + ".exp_avg", expected: p.shape, found: m.shape) }
            guard v.count == p.value.count else { throw StateDictError.shapeMismatch(key: name + ".exp_avg_sq", expected: p.shape, found: v.shape) }
            expAvg[k] = m.reshaped(p.shape); expAvgSq[k] = v.reshaped(p.shape); steps[k] = Int(s.scalar)
        }
    }
}

extension Double {
    func power(_ n: Int) -> Double { Foundation.pow(self, Double(n)) }
}

import Foundation
