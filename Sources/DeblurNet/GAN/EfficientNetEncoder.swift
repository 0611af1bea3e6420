import Foundation

/// One MBConv block of EfficientNet-Lite: expand ratio, kernel, stride, input and output channels.
public struct MBConvSpec: Sendable, Equatable {
    public var expand: Int, kernel: Int, stride: Int, input: Int, output: Int
}

/// The EfficientNet-Lite0 block table (7 stages, ReLU6, no squeeze-excite) and its TF "same" padding.
public enum EfficientNetLite0 {
    /// Blocks of the ImageNet model: stage 1 = block 0 (stride 2), 2 = 1–2 (4), 3 = 3–4 (8), 4–5 = 5–10 (16), 6–7 = 11–15 (32).
    public static let blocks: [MBConvSpec] = [
        (1, 3, 1, 32, 16),
        (6, 3, 2, 16, 24), (6, 3, 1, 24, 24),
        (6, 5, 2, 24, 40), (6, 5, 1, 40, 40),
        (6, 3, 2, 40, 80), (6, 3, 1, 80, 80), (6, 3, 1, 80, 80),
        (6, 5, 1, 80, 112), (6, 5, 1, 112, 112), (6, 5, 1, 112, 112),
        (6, 5, 2, 112, 192), (6, 5, 1, 192, 192), (6, 5, 1, 192, 192), (6, 5, 1, 192, 192),
        (6, 3, 1, 192, 320),
    ].map { MBConvSpec(expand: $0.0, kernel: $0.1, stride: $0.2, input: $0.3, output: $0.4) }

    /// Stem width of the ImageNet model.
    public static let stemChannels = 32

    /// Block table and stem width scaled by `width` (Python's round-half-even, minimum 2), as the reference.
    public static func scaled(width: Double) -> (blocks: [MBConvSpec], stem: Int) {
        if width == 1 { return (blocks, stemChannels) }
        func s(_ c: Int) -> Int { max(2, Int((Double(c) * width).rounded(.toNearestOrEven))) }
        return (blocks.map { MBConvSpec(expand: $0.expand, kernel: $0.kernel, stride: $0.stride, input: s($0.input), output: s($0.output)) },
                s(stemChannels))
    }

    /// (block index, stride) of the last block of each resolution among the first `blocks` blocks.
    public static func taps(blocks n: Int) -> [(block: Int, stride: Int)] {
        let specs = Array(blocks.prefix(n))
        var stride = 2, out: [(Int, Int)] = []
        for (i, b) in specs.enumerated() {
            stride *= b.stride
            if i + 1 == specs.count || specs[i + 1].stride != 1 { out.append((i, stride)) }
        }
        return out
    }

    /// TensorFlow "same" padding for an even input: total k − s, the extra pixel after (bottom/right).
    public static func samePadding(kernel: Int, stride: Int) -> Padding2d {
        let total = max(kernel - stride, 0), a = total / 2
        return Padding2d(top: a, bottom: total - a, left: a, right: total - a)
    }
}

/// A convolution with explicit padding wrapped under the name "conv" (state-dict keys `<name>.conv.weight`, `.bias`),
/// matching the reference's `PadConv`.
public final class PaddedConv: Layer, @unchecked Sendable {
    /// The convolution (bias, fused activation).
    public let conv: Conv2d

    public init(_ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1, groups: Int = 1, padding: Padding2d? = nil,
                activation: FusedActivation = .none, seed: UInt64) {
        conv = Conv2d(cin, cout, kernelSize: kernel, stride: stride,
                      padding: .explicit(padding ?? EfficientNetLite0.samePadding(kernel: kernel, stride: stride)),
                      groups: groups, bias: true, activation: activation, seed: seed)
    }

    public var children: [(String, any Module)] { [("conv", conv)] }
    public func callAsFunction(_ x: Variable) -> Variable { conv(x) }
}

/// EfficientNet-Lite MBConv with BatchNorm folded into the convolutions: expand 1×1 → ReLU6 → depthwise k×k → ReLU6
/// → project 1×1, plus the identity when stride 1 and the widths match.
public final class MBConvBlock: Layer, @unchecked Sendable {
    public let expand: PaddedConv?
    public let dw: PaddedConv
    public let project: PaddedConv
    public let residual: Bool

    public init(_ s: MBConvSpec, seed: UInt64) {
        let mid = s.input * s.expand
        expand = s.expand != 1 ? PaddedConv(s.input, mid, kernel: 1, activation: .relu6, seed: seed) : nil
        dw = PaddedConv(mid, mid, kernel: s.kernel, stride: s.stride, groups: mid, activation: .relu6, seed: seed &+ 2)
        project = PaddedConv(mid, s.output, kernel: 1, seed: seed &+ 4)
        residual = s.stride == 1 && s.input == s.output
    }

    public var children: [(String, any Module)] {
        (expand.map { [("expand", $0 as any Module)] } ?? []) + [("dw", dw), ("project", project)]
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        var h = x
        if let expand { h = expand(h) }
        h = project(dw(h))
        return residual ? add(h, x) : h
    }
}

/// EfficientNet-Lite0 feature extractor: stem + the first `blocks` MBConv blocks. Returns the output of the last
/// block of each stride (2, 4, 8, 16, …); state-dict keys `stem.conv.*`, `blocks.<i>.{expand,dw,project}.conv.*`.
public final class EfficientNetLite0Encoder: Module, @unchecked Sendable {
    public let stem: PaddedConv
    public let blocks: Sequential
    /// Tapped block indices and their strides.
    public let taps: [(block: Int, stride: Int)]
    /// Channels of each tapped feature.
    public let channels: [Int]
    /// Total stride of the deepest feature.
    public var stride: Int { taps.last?.stride ?? 2 }

    /// `inputChannels`: 3 for an RGB image, 3 per frame for a multi-frame generator.
    public init(blocks n: Int, width: Double = 1, inputChannels: Int = 3, seed: UInt64 = 1) {
        let (specs, stemWidth) = EfficientNetLite0.scaled(width: width)
        let kept = Array(specs.prefix(n))
        stem = PaddedConv(inputChannels, stemWidth, kernel: 3, stride: 2, activation: .relu6, seed: seed)
        blocks = Sequential(kept.enumerated().map { MBConvBlock($0.element, seed: seed &+ UInt64(10 * ($0.offset + 1))) })
        taps = EfficientNetLite0.taps(blocks: n)
        channels = taps.map { kept[$0.block].output }
    }

    public var children: [(String, any Module)] { [("stem", stem), ("blocks", blocks)] }

    /// Features at every tapped stride, shallowest first.
    public func features(_ x: Variable) -> [Variable] {
        var h = stem(x)
        var out: [Variable] = []
        var next = 0
        for (i, b) in blocks.layers.enumerated() {
            h = b(h)
            if next < taps.count && taps[next].block == i { out.append(h); next += 1 }
        }
        return out
    }

    /// URL of the bundled ImageNet weights (stem + blocks 0–10, BN folded, F16; keys `encoder.*`).
    public static var pretrainedURL: URL? {
        Bundle.module.url(forResource: "efficientnet-lite0-encoder", withExtension: "safetensors", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "efficientnet-lite0-encoder", withExtension: "safetensors")
    }

    /// Loads `prefix`-named tensors (default `encoder.`) from a converted EfficientNet-Lite0 file into this encoder.
    /// Every encoder parameter must be present; other keys (deeper blocks, classifier head) are ignored.
    public func loadPretrained(from url: URL, prefix: String = "encoder.") throws {
        let f = try Safetensors.read(contentsOf: url)
        var d: [String: Tensor] = [:]
        for (k, v) in f.tensors where k.hasPrefix(prefix) { d[String(k.dropFirst(prefix.count))] = v }
        try loadStateDict(d, strict: false)
        for (k, _) in namedParameters() where d[k] == nil { throw StateDictError.missingKey(prefix + k) }
    }
}

/// The full EfficientNet-Lite0 ImageNet classifier (encoder + 1×1 head to 1280 + ReLU6 + global pool + linear),
/// used to prove the converted encoder weights are really pretrained.
public final class EfficientNetLite0Classifier: Module, @unchecked Sendable {
    public let encoder: EfficientNetLite0Encoder
    public let head: PaddedConv
    public let fc: Linear

    public init() {
        encoder = EfficientNetLite0Encoder(blocks: EfficientNetLite0.blocks.count)
        head = PaddedConv(320, 1280, kernel: 1, activation: .relu6, seed: 900)
        fc = Linear(1280, 1000, seed: 901)
    }

    public var children: [(String, any Module)] { [("encoder", encoder), ("head", head), ("fc", fc)] }

    /// ImageNet logits [N, 1000] for RGB images in [0, 1].
    public func callAsFunction(_ x: Variable) -> Variable {
        let xn = channelAffine(x, scale: GeneratorConfig.lite0Std.map { 1 / $0 },
                               shift: zip(GeneratorConfig.lite0Mean, GeneratorConfig.lite0Std).map { -$0 / $1 })
        let feats = encoder.features(xn)
        let pooled = globalAvgPool(head(feats[feats.count - 1]))
        return fc(reshape(pooled, [x.shape[0], 1280]))
    }
}
