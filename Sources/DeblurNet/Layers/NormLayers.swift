/// Batch normalisation layer (PyTorch `nn.BatchNorm2d`: `weight`, `bias`, buffers `running_mean`, `running_var`).
public final class BatchNorm2d: Layer, @unchecked Sendable {
    public let weight: Variable, bias: Variable
    public let runningMean: Variable, runningVar: Variable
    public let eps: Float, momentum: Float
    /// Training mode uses batch statistics and updates the running ones.
    public var training = true

    public init(_ channels: Int, eps: Float = 1e-5, momentum: Float = 0.1) {
        weight = Parameter(.ones([channels])); bias = Parameter(.zeros([channels]))
        runningMean = Buffer(.zeros([channels])); runningVar = Buffer(.ones([channels]))
        self.eps = eps; self.momentum = momentum
    }
    public var ownParameters: [(String, Variable)] { [("weight", weight), ("bias", bias)] }
    public var ownBuffers: [(String, Variable)] { [("running_mean", runningMean), ("running_var", runningVar)] }
    public func setTraining(_ training: Bool) { self.training = training }
    public func callAsFunction(_ x: Variable) -> Variable {
        batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                  training: training, momentum: momentum, eps: eps)
    }
}

/// Instance normalisation layer (PyTorch `nn.InstanceNorm2d`, no running stats; `affine` adds `weight`/`bias`).
public final class InstanceNorm2d: Layer, @unchecked Sendable {
    public let weight: Variable?, bias: Variable?
    public let eps: Float
    public init(_ channels: Int, affine: Bool = false, eps: Float = 1e-5) {
        weight = affine ? Parameter(.ones([channels])) : nil
        bias = affine ? Parameter(.zeros([channels])) : nil
        self.eps = eps
    }
    public var ownParameters: [(String, Variable)] {
        guard let weight, let bias else { return [] }
        return [("weight", weight), ("bias", bias)]
    }
    public func callAsFunction(_ x: Variable) -> Variable { instanceNorm(x, weight: weight, bias: bias, eps: eps) }
}
