import Foundation

/// Depthwise k×k then pointwise 1×1 (names "dw", "pw"), or one plain k×k conv ("pw") when not separable;
/// the activation is fused into the last conv.
public final class SeparableConv: Layer, @unchecked Sendable {
    public let dw: PaddedConv?
    public let pw: PaddedConv

    public init(_ cin: Int, _ cout: Int, kernel k: Int = 3, separable: Bool, activation: FusedActivation, seed: UInt64) {
        let p = Padding2d(k / 2)
        if separable {
            dw = PaddedConv(cin, cin, kernel: k, groups: cin, padding: p, seed: seed)
            pw = PaddedConv(cin, cout, kernel: 1, padding: Padding2d(0), activation: activation, seed: seed &+ 2)
        } else {
            dw = nil
            pw = PaddedConv(cin, cout, kernel: k, padding: p, activation: activation, seed: seed &+ 2)
        }
    }

    public var children: [(String, any Module)] { (dw.map { [("dw", $0 as any Module)] } ?? []) + [("pw", pw)] }
    public func callAsFunction(_ x: Variable) -> Variable { pw(dw.map { $0(x) } ?? x) }
}

/// DeblurGAN-v2-style generator (see scripts/reference_model.py, the specification it is tested against):
/// EfficientNet-Lite0 encoder → 1×1 bottleneck → two transposed convs (+ skips from strides 8, 4, 2 and the input,
/// optional residual refinement blocks at strides 2 and 1) → conv to RGB → bilinear resize to the input size → residual add → clamp to [0, 1].
/// Input normalisation and reflect-padding to the stride (and cropping back) happen inside.
public final class Generator: Module, @unchecked Sendable {
    public let config: GeneratorConfig
    public let encoder: EfficientNetLite0Encoder
    public let bottleneck: PaddedConv
    public let up1: ConvTranspose2d
    public let up2: ConvTranspose2d
    public let fuse1: SeparableConv?
    public let fuse2: SeparableConv?
    public let fuseHalf: SeparableConv?
    public let fuseFull: SeparableConv?
    /// Residual blocks after the stride-8, stride-4, stride-2 and full-resolution stages (empty unless the config
    /// asks for them).
    public let refineEighth: Sequential
    public let refineQuarter: Sequential
    public let refineHalf: Sequential
    public let refineFull: Sequential
    public let toRGB: PaddedConv

    /// Builds the network with random decoder weights (seeded), a random encoder and a zero RGB head
    /// (so an untrained model is the identity). Load weights with `load(from:)` or `encoder.loadPretrained(from:)`.
    public init(config: GeneratorConfig, seed: UInt64 = 1) throws {
        try config.validate()
        self.config = config
        encoder = EfficientNetLite0Encoder(blocks: config.encoderBlocks, width: config.encoderWidth,
                                           inputChannels: config.inputChannels, seed: seed)
        let ch = encoder.channels
        let (d1, d2) = (config.decoder[0], config.decoder[1])
        bottleneck = PaddedConv(ch[ch.count - 1], config.bottleneck, kernel: 1, activation: .relu, seed: seed &+ 1000)
        up1 = ConvTranspose2d(config.bottleneck, d1, kernelSize: 4, stride: 2, padding: 1, activation: .relu, seed: seed &+ 1010)
        up2 = ConvTranspose2d(d1, d2, kernelSize: 4, stride: 2, padding: 1, activation: .relu, seed: seed &+ 1020)
        let headIn: Int
        if config.skips {
            let n = ch.count
            fuse1 = SeparableConv(d1 + ch[n - 2], d1, separable: config.separable, activation: .relu, seed: seed &+ 1030)
            fuse2 = SeparableConv(d2 + ch[n - 3], d2, separable: config.separable, activation: .relu, seed: seed &+ 1040)
            fuseHalf = SeparableConv(d2 + ch[n - 4], config.halfChannels, separable: config.separable, activation: .relu, seed: seed &+ 1050)
            fuseFull = SeparableConv(config.halfChannels + config.inputChannels, config.fullChannels, separable: config.separable, activation: .relu, seed: seed &+ 1060)
            headIn = config.fullChannels
        } else {
            fuse1 = nil; fuse2 = nil; fuseHalf = nil; fuseFull = nil
            headIn = d2
        }
        refineEighth = Sequential((0..<config.refineEighth).map {
            ResidualBlock(d1, separable: config.separable, seed: seed &+ 1300 &+ UInt64($0) &* 10)
        })
        refineQuarter = Sequential((0..<config.refineQuarter).map {
            ResidualBlock(d2, separable: config.separable, seed: seed &+ 1400 &+ UInt64($0) &* 10)
        })
        refineHalf = Sequential((0..<config.refineHalf).map {
            ResidualBlock(config.halfChannels, separable: config.separable, seed: seed &+ 1100 &+ UInt64($0) &* 10)
        })
        refineFull = Sequential((0..<config.refineFull).map {
            ResidualBlock(config.fullChannels, separable: config.separable, seed: seed &+ 1200 &+ UInt64($0) &* 10)
        })
        toRGB = PaddedConv(headIn, 3, kernel: 3, padding: Padding2d(1), seed: seed &+ 1070)
        toRGB.conv.weight.value.fill(0)
        toRGB.conv.bias?.value.fill(0)
    }

    public var children: [(String, any Module)] {
        var c: [(String, any Module)] = [("encoder", encoder), ("bottleneck", bottleneck), ("up1", up1), ("up2", up2)]
        if let fuse1, let fuse2, let fuseHalf, let fuseFull {
            c += [("fuse1", fuse1), ("fuse2", fuse2), ("fuse_half", fuseHalf), ("fuse_full", fuseFull)]
        }
        // Empty refinement stages own no parameters, so they add no state-dict keys.
        return c + [("refine_eighth", refineEighth), ("refine_quarter", refineQuarter), ("refine_half", refineHalf),
                    ("refine_full", refineFull), ("to_rgb", toRGB)]
    }

    /// Total stride: inputs are reflect-padded to a multiple of it.
    public var stride: Int { encoder.stride }
    /// Smallest accepted input side (reflect padding needs pad < size).
    public var minimumSize: Int { stride }

    /// Loads a model saved by `save(to:)` or scripts/reference_model.py (config from the metadata), or the model
    /// in a training checkpoint (`Trainer.saveCheckpoint`): what the run would write, its average if it kept one.
    public static func load(from url: URL) throws -> Generator {
        let f = try Safetensors.read(contentsOf: url)
        guard let json = f.metadata[GeneratorConfig.metadataKey] else { throw ModelError.missingConfig(path: url.path) }
        let g = try Generator(config: GeneratorConfig(json: json))
        let isCheckpoint = f.metadata[Trainer.stepKey] != nil
        try g.loadStateDict(isCheckpoint ? Trainer.outputGeneratorTensors(f.tensors) : f.tensors, strict: true)
        return g
    }

    /// URL of the shipped default model (package resource), if bundled.
    public static var bundledDefaultURL: URL? {
        Bundle.module.url(forResource: "default", withExtension: "safetensors", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "default", withExtension: "safetensors")
    }

    /// The shipped default model.
    public static func bundledDefault() throws -> Generator {
        guard let url = bundledDefaultURL else { throw ModelError.missingConfig(path: "<bundle>/Resources/default.safetensors") }
        return try load(from: url)
    }

    /// Writes the weights (F16 by default) with the config in the metadata.
    public func save(to url: URL, dtype: SafetensorsDType = .f16, metadata: [String: String] = [:]) throws {
        var m = metadata
        m[GeneratorConfig.metadataKey] = config.json
        try Safetensors.write(stateDict(), metadata: m, dtype: dtype, to: url)
    }

    /// Deblurs `x` [N, 3·frames, H, W] in [0, 1] (H, W ≥ `minimumSize`) to [N, 3, H, W], clamped to [0, 1].
    public func callAsFunction(_ x: Variable) -> Variable { forward(x) }

    /// Forward pass. `clamp: false` returns the unclamped residual sum (training losses);
    /// `frozenEncoder` runs the encoder without recording gradients (faster training with a frozen backbone).
    public func forward(_ x: Variable, clamp doClamp: Bool = true, frozenEncoder: Bool = false) -> Variable {
        precondition(x.shape.count == 4 && x.shape[1] == config.inputChannels,
                     "Generator expects [N, \(config.inputChannels), H, W], got \(x.shape)")
        let h = x.shape[2], w = x.shape[3]
        precondition(h >= minimumSize && w >= minimumSize, "\(ModelError.inputTooSmall(height: h, width: w, minimum: minimumSize))")
        let ph = (stride - h % stride) % stride, pw = (stride - w % stride) % stride
        let xp = (ph > 0 || pw > 0) ? pad(x, Padding2d(top: 0, bottom: ph, left: 0, right: pw), mode: .reflect) : x
        var r = residual(xp, frozenEncoder: frozenEncoder)
        if ph > 0 || pw > 0 { r = crop(r, top: 0, left: 0, height: h, width: w) }
        // The residual restores the middle frame; a one-frame model's input is that frame.
        let middle = config.frames == 1 ? x : sliceChannels(x, start: 3 * (config.frames / 2), count: 3)
        let y = add(middle, r)
        return doClamp ? clamp(y, min: 0, max: 1) : y
    }

    /// The RGB residual for an input already padded to the stride.
    func residual(_ xp: Variable, frozenEncoder: Bool) -> Variable {
        let scale = config.std.map { 1 / $0 }, shift = zip(config.mean, config.std).map { -$0 / $1 }
        let xn = channelAffine(xp, scale: Array(repeating: scale, count: config.frames).flatMap { $0 },
                               shift: Array(repeating: shift, count: config.frames).flatMap { $0 })
        let feats = frozenEncoder ? noGrad { encoder.features(xn) } : encoder.features(xn)
        let n = feats.count
        var h = up1(bottleneck(feats[n - 1]))
        if let fuse1, let fuse2, let fuseHalf, let fuseFull {
            h = refineEighth(fuse1(concatChannels([h, feats[n - 2]])))
            h = refineQuarter(fuse2(concatChannels([up2(h), feats[n - 3]])))
            let f2 = feats[n - 4]
            h = refineHalf(fuseHalf(resizeBilinear(h, height: f2.shape[2], width: f2.shape[3], appending: [f2])))
            if let banded = fullResolutionInBands(h, xn) { return banded }
            h = refineFull(fuseFull(resizeBilinear(h, height: xp.shape[2], width: xp.shape[3], appending: [xn])))
            return toRGB(h)
        }
        let r = toRGB(up2(h))
        return resizeBilinear(r, height: xp.shape[2], width: xp.shape[3])
    }

    /// Output rows per band of the full-resolution stage at inference (`fullResolutionInBands`).
    static let fullResolutionBand = 32

    /// The full-resolution stage (upsample the stride-2 features, join the input, `fuseFull`, `toRGB`) computed band
    /// by band of output rows, each band with the rows its 3×3 convs reach beyond it: the same result, but its
    /// tensors (about 70 channels × 36 rows) stay in cache where the whole stage's (50 MB for a 720p tile) went to
    /// memory and back between ops. Inference only (nil while gradients are recorded, or for configs with
    /// full-resolution refinement blocks or an unseparated `fuseFull`).
    func fullResolutionInBands(_ half: Variable, _ xn: Variable) -> Variable? {
        guard !GradMode.isEnabled, let fuseFull, let dw = fuseFull.dw, refineFull.layers.isEmpty else { return nil }
        let n = xn.shape[0], height = xn.shape[2], width = xn.shape[3], band = Self.fullResolutionBand
        guard height > 2 * band else { return nil }
        // Rows each conv reaches above and below an output row.
        let dwReach = dw.conv.weight.shape[2] / 2, rgbReach = toRGB.conv.weight.shape[2] / 2
        var out = Tensor(uninitializedShape: [n, 3, height, width])
        let op = out.mutablePtr()
        /// `layer` on rows whose neighbours above/below are in `x` except `missingTop`/`missingBottom` rows outside
        /// the picture, which are zero as in the whole-picture conv.
        func conv(_ layer: PaddedConv, _ x: Variable, missingTop: Int, missingBottom: Int) -> Variable {
            let c = layer.conv, p = c.config(height: x.shape[2], width: x.shape[3])
            let cfg = Conv2dConfig(stride: c.stride, padding: Padding2d(top: missingTop, bottom: missingBottom, left: p.padding.left,
                                                                        right: p.padding.right), dilation: c.dilation, groups: c.groups)
            return conv2d(x, weight: c.weight, bias: c.bias, config: cfg, activation: c.activation)
        }
        for y0 in Swift.stride(from: 0, to: height, by: band) {
            let y1 = min(height, y0 + band)
            // Rows of fuseFull's output that toRGB reads, and rows of the joined input that dw reads for them.
            let mixTop = max(0, y0 - rgbReach), mixEnd = min(height, y1 + rgbReach)
            let joinTop = max(0, mixTop - dwReach), joinEnd = min(height, mixEnd + dwReach)
            let input = crop(xn, top: joinTop, left: 0, height: joinEnd - joinTop, width: width)
            let joined = resizeBilinear(half, height: height, width: width, rows: joinTop..<joinEnd, appending: [input])
            let filtered = conv(dw, joined, missingTop: dwReach - (mixTop - joinTop), missingBottom: dwReach - (joinEnd - mixEnd))
            let rgb = conv(toRGB, fuseFull.pw(filtered), missingTop: rgbReach - (y0 - mixTop), missingBottom: rgbReach - (mixEnd - y1)).value
            let rows = (y1 - y0) * width
            for ni in 0..<n { for ch in 0..<3 {
                (op + ((ni * 3 + ch) * height + y0) * width).update(from: rgb.ptr + (ni * 3 + ch) * rows, count: rows)
            } }
        }
        return Variable(out)
    }

    /// Inference on a batch tensor [N, 3·frames, H, W] in [0, 1], without recording gradients; [N, 3, H, W] out.
    /// Inputs smaller than `minimumSize` are mirrored out to it first (as often as needed) and cropped back.
    public func deblur(_ image: Tensor) throws -> Tensor {
        let c = config.inputChannels
        guard image.rank == 4, image.shape[1] == c else {
            let what = config.frames == 1 ? "" : " (\(config.frames) frames of RGB, oldest first)"
            throw ModelError.invalidInput("expected [N, \(c), H, W]\(what), got \(image.shape)")
        }
        let (n, h, w) = (image.shape[0], image.shape[2], image.shape[3])
        guard h > 0, w > 0 else { throw ModelError.invalidInput("empty image \(w)×\(h)") }
        guard h < minimumSize || w < minimumSize else { return noGrad { forward(Variable(image)).value } }
        let (bh, bw) = (max(h, minimumSize), max(w, minimumSize))
        // Whole-period mirroring: index i of the enlarged side reads the input at its reflection, which reflect
        // padding (pad < size) cannot do for a side shorter than the pad.
        func mirror(_ i: Int, _ size: Int) -> Int {
            guard size > 1 else { return 0 }
            let m = i % (2 * (size - 1))
            return m < size ? m : 2 * (size - 1) - m
        }
        var big = [Float](repeating: 0, count: n * c * bh * bw)
        for p in 0..<(n * c) { for y in 0..<bh { for x in 0..<bw {
            big[(p * bh + y) * bw + x] = image[flat: (p * h + mirror(y, h)) * w + mirror(x, w)]
        } } }
        let y = noGrad { forward(Variable(Tensor(shape: [n, c, bh, bw], data: big))).value }
        var out = [Float](repeating: 0, count: n * 3 * h * w)
        for p in 0..<(n * 3) { for r in 0..<h { for x in 0..<w { out[(p * h + r) * w + x] = y[flat: (p * bh + r) * bw + x] } } }
        return Tensor(shape: [n, 3, h, w], data: out)
    }

    /// Multiply-accumulates of one forward pass at `height`×`width` (convolutions only), e.g. 12.73 G at 1280×720 for `default`.
    public func macs(height: Int, width: Int) -> Int {
        MACCounter.generator(self, height: height, width: width)
    }
}
