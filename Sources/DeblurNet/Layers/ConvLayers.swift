import Foundation

/// How a convolution pads its input.
public enum ConvPadding: Sendable, Equatable {
    /// Fixed sides.
    case explicit(Padding2d)
    /// TensorFlow "same": output = ceil(input/stride), extra pixel at bottom/right (EfficientNet).
    case same
}

/// 2-D convolution layer (PyTorch `nn.Conv2d`: `weight` [out, in/groups, k, k], optional `bias`), with an
/// optional fused activation.
public final class Conv2d: Layer, @unchecked Sendable {
    public let weight: Variable
    public let bias: Variable?
    public let stride: Int, dilation: Int, groups: Int
    public let padding: ConvPadding
    public var activation: FusedActivation

    /// PyTorch's default init (uniform ±1/√fan_in for weight and bias).
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize k: Int, stride: Int = 1, padding: ConvPadding = .explicit(Padding2d(0)),
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, activation: FusedActivation = .none, seed: UInt64 = 0) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0, "Conv2d: channels not divisible by groups")
        let fanIn = inChannels / groups * k * k, bound = 1 / Float(fanIn).squareRoot()
        weight = Parameter(.uniform([outChannels, inChannels / groups, k, k], lo: -bound, hi: bound, seed: seed))
        self.bias = bias ? Parameter(.uniform([outChannels], lo: -bound, hi: bound, seed: seed &+ 1)) : nil
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups; self.activation = activation
    }

    /// Convenience: symmetric integer padding.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize k: Int, stride: Int = 1, padding: Int,
                            dilation: Int = 1, groups: Int = 1, bias: Bool = true, activation: FusedActivation = .none, seed: UInt64 = 0) {
        self.init(inChannels, outChannels, kernelSize: k, stride: stride, padding: .explicit(Padding2d(padding)),
                  dilation: dilation, groups: groups, bias: bias, activation: activation, seed: seed)
    }

    /// A layer with the given tensors.
    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: ConvPadding, dilation: Int = 1, groups: Int = 1,
                activation: FusedActivation = .none) {
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups; self.activation = activation
    }

    public var ownParameters: [(String, Variable)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }

    /// The conv config for an input of the given size.
    public func config(height: Int, width: Int) -> Conv2dConfig {
        let p: Padding2d
        switch padding {
        case .explicit(let e): p = e
        case .same: p = .same(height: height, width: width, kernel: weight.shape[2], stride: stride, dilation: dilation)
        }
        return Conv2dConfig(stride: stride, padding: p, dilation: dilation, groups: groups)
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        conv2d(x, weight: weight, bias: bias, config: config(height: x.shape[2], width: x.shape[3]), activation: activation)
    }

    /// An inference copy with an eval-mode BatchNorm folded in: w' = w·γ/√(var+ε), b' = (b−μ)·γ/√(var+ε) + β.
    public func foldingBatchNorm(_ bn: BatchNorm2d, activation: FusedActivation? = nil) -> Conv2d {
        let cout = weight.shape[0], per = weight.value.count / cout
        var w = weight.value, b = Tensor.zeros([cout])
        let wp = w.mutablePtr(), bp = b.mutablePtr()
        for c in 0..<cout {
            let s = bn.weight.value[flat: c] / (bn.runningVar.value[flat: c] + bn.eps).squareRoot()
            for i in 0..<per { wp[c * per + i] *= s }
            let b0 = bias?.value[flat: c] ?? 0
            bp[c] = (b0 - bn.runningMean.value[flat: c]) * s + bn.bias.value[flat: c]
        }
        return Conv2d(weight: w, bias: b, stride: stride, padding: padding, dilation: dilation, groups: groups,
                      activation: activation ?? self.activation)
    }
}

/// Transposed 2-D convolution layer (PyTorch `nn.ConvTranspose2d`: `weight` [in, out/groups, k, k]).
public final class ConvTranspose2d: Layer, @unchecked Sendable {
    public let weight: Variable
    public let bias: Variable?
    public let config: ConvTranspose2dConfig
    public var activation: FusedActivation

    /// PyTorch's default init (uniform ±1/√fan_in with fan_in = out/groups·k·k).
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize k: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool = true,
                activation: FusedActivation = .none, seed: UInt64 = 0) {
        let fanIn = outChannels / groups * k * k, bound = 1 / Float(fanIn).squareRoot()
        weight = Parameter(.uniform([inChannels, outChannels / groups, k, k], lo: -bound, hi: bound, seed: seed))
        self.bias = bias ? Parameter(.uniform([outChannels], lo: -bound, hi: bound, seed: seed &+ 1)) : nil
        config = ConvTranspose2dConfig(stride: stride, padding: padding, outputPadding: outputPadding, dilation: dilation, groups: groups)
        self.activation = activation
    }

    public var ownParameters: [(String, Variable)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }

    public func callAsFunction(_ x: Variable) -> Variable {
        convTranspose2d(x, weight: weight, bias: bias, config: config, activation: activation)
    }
}

/// Fully connected layer (PyTorch `nn.Linear`: `weight` [out, in], `bias` [out]).
public final class Linear: Layer, @unchecked Sendable {
    public let weight: Variable
    public let bias: Variable?
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, seed: UInt64 = 0) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = Parameter(.uniform([outFeatures, inFeatures], lo: -bound, hi: bound, seed: seed))
        self.bias = bias ? Parameter(.uniform([outFeatures], lo: -bound, hi: bound, seed: seed &+ 1)) : nil
    }
    public var ownParameters: [(String, Variable)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }
    public func callAsFunction(_ x: Variable) -> Variable { linear(x, weight: weight, bias: bias) }
}

/// A parameter-free layer wrapping an op (ReLU, LeakyReLU, Tanh …), so it can sit in a `Sequential`.
public final class Activation: Layer, @unchecked Sendable {
    let fn: @Sendable (Variable) -> Variable
    /// Wraps `fn`.
    public init(_ fn: @escaping @Sendable (Variable) -> Variable) { self.fn = fn }
    public func callAsFunction(_ x: Variable) -> Variable { fn(x) }
    public static func relu() -> Activation { Activation { DeblurNet.relu($0) } }
    public static func relu6() -> Activation { Activation { DeblurNet.relu6($0) } }
    public static func leakyReLU(_ slope: Float = 0.01) -> Activation { Activation { DeblurNet.leakyReLU($0, slope: slope) } }
    public static func tanh() -> Activation { Activation { DeblurNet.tanh($0) } }
    public static func sigmoid() -> Activation { Activation { DeblurNet.sigmoid($0) } }
}
