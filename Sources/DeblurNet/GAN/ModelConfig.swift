import Foundation

/// Errors building, loading or running a deblurring model.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case missingConfig(path: String)
    case invalidConfig(String)
    case inputTooSmall(height: Int, width: Int, minimum: Int)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .missingConfig(let p): return "\(p) has no '\(GeneratorConfig.metadataKey)' metadata (not a deblur-video model)"
        case .invalidConfig(let s): return "invalid generator config: \(s)"
        case .inputTooSmall(let h, let w, let m): return "input \(w)×\(h) is smaller than the model's minimum \(m)×\(m)"
        case .invalidInput(let s): return "invalid input: \(s)"
        }
    }
}

/// Architecture of a DeblurGAN-v2-style generator. Stored as JSON (snake_case keys, as written by
/// scripts/reference_model.py) in the safetensors metadata under `GeneratorConfig.metadataKey`.
public struct GeneratorConfig: Codable, Sendable, Equatable {
    /// Metadata key holding the JSON config in a model's safetensors file.
    public static let metadataKey = "deblur.config"

    public var name: String
    public var version: Int
    /// Backbone name; only "efficientnet-lite0" exists.
    public var encoder: String
    /// Number of MBConv blocks kept (11 = up to the stride-16 stage).
    public var encoderBlocks: Int
    /// Channel multiplier of the encoder (1 for the pretrained one; tiny test configs use less).
    public var encoderWidth: Double
    /// U-Net/FPN skips from the stride 2/4/8 features and the input (false = the paper's plain form).
    public var skips: Bool
    /// Channels of the 1×1 bottleneck after the encoder.
    public var bottleneck: Int
    /// Channels after the two transposed convolutions.
    public var decoder: [Int]
    /// Channels of the stride-2 fusion stage (skips only).
    public var halfChannels: Int
    /// Channels of the full-resolution stage that sees the input (skips only).
    public var fullChannels: Int
    /// Residual refinement blocks after the stride-2 stage (skips only; 0 in the 15-GMAC configs).
    public var refineHalf: Int
    /// Residual refinement blocks after the full-resolution stage (skips only).
    public var refineFull: Int
    /// Residual refinement blocks after `fuse1` (stride 8, `decoder[0]` channels), where long blurs span few pixels.
    public var refineEighth: Int
    /// Residual refinement blocks after `fuse2` (stride 4, `decoder[1]` channels).
    public var refineQuarter: Int
    /// Depthwise-separable decoder convolutions (false = plain 3×3).
    public var separable: Bool
    /// Consecutive frames the model takes, oldest first, stacked on the channel axis (odd; 1 = a single image).
    /// The neighbours enter at the stem and at the full-resolution fusion; the output is the middle frame restored.
    public var frames: Int
    /// Input normalisation (x − mean) / std per RGB channel, for inputs in [0, 1].
    public var mean: [Float]
    public var std: [Float]

    enum CodingKeys: String, CodingKey {
        case name, version, encoder, skips, bottleneck, decoder, separable, mean, std, frames
        case encoderBlocks = "encoder_blocks", encoderWidth = "encoder_width"
        case halfChannels = "half_channels", fullChannels = "full_channels"
        case refineHalf = "refine_half", refineFull = "refine_full"
        case refineEighth = "refine_eighth", refineQuarter = "refine_quarter"
    }

    public init(name: String, version: Int = 1, encoder: String = "efficientnet-lite0", encoderBlocks: Int, encoderWidth: Double = 1,
                skips: Bool, bottleneck: Int, decoder: [Int], halfChannels: Int, fullChannels: Int,
                refineEighth: Int = 0, refineQuarter: Int = 0, refineHalf: Int = 0, refineFull: Int = 0, separable: Bool = true, frames: Int = 1, mean: [Float] = GeneratorConfig.lite0Mean, std: [Float] = GeneratorConfig.lite0Std) {
        self.name = name; self.version = version; self.encoder = encoder; self.encoderBlocks = encoderBlocks
        self.encoderWidth = encoderWidth; self.skips = skips; self.bottleneck = bottleneck; self.decoder = decoder
        self.halfChannels = halfChannels; self.fullChannels = fullChannels; self.separable = separable
        self.refineEighth = refineEighth; self.refineQuarter = refineQuarter
        self.refineHalf = refineHalf; self.refineFull = refineFull
        self.frames = frames; self.mean = mean; self.std = std
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
        encoder = try c.decode(String.self, forKey: .encoder)
        encoderBlocks = try c.decode(Int.self, forKey: .encoderBlocks)
        encoderWidth = try c.decodeIfPresent(Double.self, forKey: .encoderWidth) ?? 1
        skips = try c.decode(Bool.self, forKey: .skips)
        bottleneck = try c.decode(Int.self, forKey: .bottleneck)
        self.decoder = try c.decode([Int].self, forKey: .decoder)
        halfChannels = try c.decodeIfPresent(Int.self, forKey: .halfChannels) ?? 0
        fullChannels = try c.decodeIfPresent(Int.self, forKey: .fullChannels) ?? 0
        refineEighth = try c.decodeIfPresent(Int.self, forKey: .refineEighth) ?? 0
        refineQuarter = try c.decodeIfPresent(Int.self, forKey: .refineQuarter) ?? 0
        refineHalf = try c.decodeIfPresent(Int.self, forKey: .refineHalf) ?? 0
        refineFull = try c.decodeIfPresent(Int.self, forKey: .refineFull) ?? 0
        separable = try c.decodeIfPresent(Bool.self, forKey: .separable) ?? true
        frames = try c.decodeIfPresent(Int.self, forKey: .frames) ?? 1
        mean = try c.decode([Float].self, forKey: .mean)
        std = try c.decode([Float].self, forKey: .std)
    }

    /// Writes every field except refinement counts of 0 and `frames` 1, so configs without them keep the JSON
    /// that scripts/reference_model.py writes for them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name); try c.encode(version, forKey: .version)
        try c.encode(self.encoder, forKey: .encoder); try c.encode(encoderBlocks, forKey: .encoderBlocks)
        try c.encode(encoderWidth, forKey: .encoderWidth); try c.encode(skips, forKey: .skips)
        try c.encode(bottleneck, forKey: .bottleneck); try c.encode(decoder, forKey: .decoder)
        try c.encode(halfChannels, forKey: .halfChannels); try c.encode(fullChannels, forKey: .fullChannels)
        if refineEighth > 0 { try c.encode(refineEighth, forKey: .refineEighth) }
        if refineQuarter > 0 { try c.encode(refineQuarter, forKey: .refineQuarter) }
        if refineHalf > 0 { try c.encode(refineHalf, forKey: .refineHalf) }
        if refineFull > 0 { try c.encode(refineFull, forKey: .refineFull) }
        if frames != 1 { try c.encode(frames, forKey: .frames) }
        try c.encode(separable, forKey: .separable); try c.encode(mean, forKey: .mean); try c.encode(std, forKey: .std)
    }

    /// EfficientNet-Lite input scaling (255·x − 127) / 128.
    public static let lite0Mean: [Float] = [127.0 / 255.0, 127.0 / 255.0, 127.0 / 255.0]
    public static let lite0Std: [Float] = [128.0 / 255.0, 128.0 / 255.0, 128.0 / 255.0]

    /// The shipped model: encoder up to stride 16, skips, separable decoder (12.73 GMACs at 1280×720).
    public static let `default` = GeneratorConfig(name: "default", encoderBlocks: 11, skips: true, bottleneck: 128,
                                                  decoder: [128, 64], halfChannels: 64, fullChannels: 32)
    /// The earlier shipped model's architecture: `default` at half the decoder width (7.36 GMACs at 1280×720).
    public static let small = GeneratorConfig(name: "small", encoderBlocks: 11, skips: true, bottleneck: 128,
                                              decoder: [64, 32], halfChannels: 32, fullChannels: 16)
    /// `default` plus two residual refinement blocks at stride 2 and two at full resolution (about 22 GMACs at
    /// 1280×720): the second, slower model for quality over the video speed target.
    public static let quality = GeneratorConfig(name: "quality", encoderBlocks: 11, skips: true, bottleneck: 128,
                                                decoder: [128, 64], halfChannels: 64, fullChannels: 32,
                                                refineHalf: 2, refineFull: 2)
    /// The paper's plain form (last feature map only), for the ablation.
    public static let paper = GeneratorConfig(name: "paper", encoderBlocks: 11, skips: false, bottleneck: 128,
                                              decoder: [64, 32], halfChannels: 0, fullChannels: 0)
    /// A tiny random-weight config for fast tests (same code paths as `default`).
    public static let tiny = GeneratorConfig(name: "tiny", encoderBlocks: 6, encoderWidth: 0.25, skips: true, bottleneck: 8,
                                             decoder: [8, 4], halfChannels: 4, fullChannels: 4,
                                             refineEighth: 1, refineQuarter: 1, refineHalf: 1, refineFull: 1)

    /// The presets, each found by its `name`, in the order help lists them.
    public static let presets: [GeneratorConfig] = [.default, .quality, .small, .paper, .tiny]

    /// Names of the presets, for help and error messages.
    public static var presetNames: [String] { presets.map(\.name) }

    /// A named preset ("default", "quality", "small", "paper", "tiny").
    public static func preset(_ name: String) -> GeneratorConfig? {
        presets.first { $0.name == name }
    }

    /// Parses the JSON form.
    public init(json: String) throws {
        do { self = try JSONDecoder().decode(GeneratorConfig.self, from: Data(json.utf8)) } catch {
            throw ModelError.invalidConfig("\(error)")
        }
    }

    /// The JSON form (sorted keys, like the Python reference).
    public var json: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return (try? e.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }

    /// Checks the fields make a buildable network.
    public func validate() throws {
        guard encoder == "efficientnet-lite0" else { throw ModelError.invalidConfig("unknown encoder '\(encoder)'") }
        guard (1...EfficientNetLite0.blocks.count).contains(encoderBlocks) else {
            throw ModelError.invalidConfig("encoder_blocks \(encoderBlocks) outside 1...\(EfficientNetLite0.blocks.count)")
        }
        guard decoder.count == 2, decoder.allSatisfy({ $0 > 0 }), bottleneck > 0 else {
            throw ModelError.invalidConfig("decoder needs two positive widths and a positive bottleneck")
        }
        guard mean.count == 3, std.count == 3, std.allSatisfy({ $0 > 0 }) else {
            throw ModelError.invalidConfig("mean/std need 3 values (std > 0)")
        }
        guard encoderWidth > 0 else { throw ModelError.invalidConfig("encoder_width must be positive") }
        guard frames >= 1, frames % 2 == 1 else {
            throw ModelError.invalidConfig("frames must be odd and positive (the output is the middle frame), got \(frames)")
        }
        let refine = [refineEighth, refineQuarter, refineHalf, refineFull]
        guard refine.allSatisfy({ $0 >= 0 }) else { throw ModelError.invalidConfig("refinement block counts must not be negative") }
        guard skips || refine.allSatisfy({ $0 == 0 }) else { throw ModelError.invalidConfig("refinement blocks need skips") }
        if skips {
            let taps = EfficientNetLite0.taps(blocks: encoderBlocks)
            guard taps.count >= 4 else { throw ModelError.invalidConfig("skips need encoder features at 4 strides (encoder_blocks ≥ 6)") }
            guard halfChannels > 0, fullChannels > 0 else { throw ModelError.invalidConfig("skips need half_channels and full_channels > 0") }
        }
    }
}

extension GeneratorConfig {
    /// Input channels: 3 (RGB) per frame.
    public var inputChannels: Int { 3 * frames }
}
