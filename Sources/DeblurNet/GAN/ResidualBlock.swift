/// x + conv2(ReLU(conv1(x))) with two same-width `SeparableConv`s (names "c1", "c2"), as the reference's `ResBlock`.
///
/// `conv2` starts at zero, so a new block is the identity: a model with refinement blocks added to a trained one
/// computes exactly what the trained one did, and training starts from there.
///
/// Shapes: x [N, C, H, W] → [N, C, H, W].
public final class ResidualBlock: Layer, @unchecked Sendable {
    public let c1: SeparableConv
    public let c2: SeparableConv

    public init(_ channels: Int, separable: Bool, seed: UInt64) {
        c1 = SeparableConv(channels, channels, separable: separable, activation: .relu, seed: seed)
        c2 = SeparableConv(channels, channels, separable: separable, activation: .none, seed: seed &+ 4)
        c2.pw.conv.weight.value.fill(0)
        c2.pw.conv.bias?.value.fill(0)
    }

    public var children: [(String, any Module)] { [("c1", c1), ("c2", c2)] }
    public func callAsFunction(_ x: Variable) -> Variable { add(x, c2(c1(x))) }
}
