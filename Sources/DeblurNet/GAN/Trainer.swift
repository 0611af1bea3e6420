import Foundation
import Logging

/// Hyper-parameters of GAN training (defaults: what worked on 2 CPU cores; see scripts/train_reference.py).
public struct TrainingOptions: Codable, Sendable, Equatable {
    public var steps = 4500
    public var batch = 8
    /// Square crop sizes, one drawn per batch.
    public var crops = [128, 144, 160]
    /// The shortest photo side that holds the largest crop plus the longest blur kernel.
    public var photoSideNeeded: Int { (crops.max() ?? 128) + Int(2 * maxBlur.rounded(.up)) + 3 }
    public var learningRate: Float = 5e-4
    /// Linear warm-up steps, then cosine decay to `learningRateFloor`·lr.
    public var warmupSteps = 100
    public var learningRateFloor: Float = 0.02
    /// Longest synthetic camera-shake trajectory (pixels).
    public var maxBlur = 40.0
    /// Fraction of synthetic samples made from a softened photo (target soft too: undo motion blur, don't sharpen).
    public var softFraction = 0.0
    /// Fraction of synthetic samples whose blurry input is JPEG-compressed (quality 30–90; target clean).
    public var jpegFraction = 0.0
    /// Fraction of synthetic samples blurred in gamma-coded values (as blended frames are) instead of linear light.
    public var gammaBlurFraction = 0.0
    /// Fraction of synthetic samples with no blur (input = target + noise, rounding, JPEG): leave sharp footage alone.
    public var sharpFraction = 0.0
    /// Fraction of the steps with the encoder frozen (then fine-tuned at `encoderLearningRateScale`× the rate).
    public var unfreezeAt = 0.7
    /// Encoder learning rate relative to the decoder's once unfrozen (small: its ImageNet features are kept).
    public var encoderLearningRateScale: Float = 0.1
    /// Fraction of the steps before the adversarial loss (and D) start.
    public var adversarialFrom = 0.85
    public var weights = LossWeights()
    /// Width of the PatchGAN (64 in the paper; 32 on CPU).
    public var ndf = 32
    public var seed: UInt64 = 7
    /// Probability that a sample comes from the paired data (when both sources are given).
    public var pairFraction = 0.5
    /// Multi-frame models: fraction of the clip samples whose neighbours are replaced by the frame itself, so the
    /// model also serves stills and a frozen camera (photos and plain pairs always give such windows).
    public var staticFraction = 0.0
    /// Decay of the exponential moving average of the generator's weights (0: off). When on, the average is the
    /// model that is validated and written: it smooths the last steps' noise, as averaging finished runs did.
    public var emaDecay: Float = 0

    public init() {}
}

extension TrainingOptions {
    /// Decodes saved options, taking today's defaults for keys an older checkpoint lacks.
    static func decodeOverDefaults(_ json: Data) throws -> TrainingOptions {
        let defaults = try JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingOptions())) as? [String: Any] ?? [:]
        guard let saved = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw TrainerError.invalidCheckpoint("options are not a JSON object")
        }
        let merged = defaults.merging(saved) { _, new in new }
        return try JSONDecoder().decode(TrainingOptions.self, from: JSONSerialization.data(withJSONObject: merged))
    }
}

/// One step's numbers for progress reports.
public struct TrainingProgress: Sendable {
    public let step: Int, steps: Int
    public let learningRate: Float
    public let losses: [String: Float]
    public let stepsPerSecond: Double
    public var eta: TimeInterval { stepsPerSecond > 0 ? Double(steps - step) / stepsPerSecond : .infinity }
}

/// Errors of the trainer.
public enum TrainerError: Error, CustomStringConvertible {
    case noData
    case imageTooSmall(width: Int, height: Int, needed: Int)
    /// Every photo is smaller than the largest crop plus the margin the longest blur needs.
    case photosTooSmall(width: Int, height: Int, needed: Int, crop: Int, maxBlur: Double)
    case invalidCheckpoint(String)
    /// A loss became NaN or infinite: the weights are no longer usable, so nothing more is saved.
    case diverged(step: Int, loss: String)

    public var description: String {
        switch self {
        case .noData: return "no training data (give photos and/or blurry/sharp pairs)"
        case .imageTooSmall(let w, let h, let n): return "training pair \(w)×\(h) is smaller than the \(n)×\(n) crops (lower --crops)"
        case .photosTooSmall(let w, let h, let n, let crop, let blur):
            return "no photo is large enough: e.g. \(w)×\(h), but \(n)×\(n) is needed (crop \(crop) + margin for blurs up to \(Int(blur)) px); lower --crops or --max-blur"
        case .invalidCheckpoint(let s): return "invalid checkpoint: \(s)"
        case .diverged(let step, let loss):
            return "the \(loss) loss is not finite at step \(step); nothing was saved after it (the last checkpoint is kept): lower --lr"
        }
    }
}

/// DeblurGAN-v2 training: on-the-fly blur synthesis from photos and/or paired crops, pixel + multi-scale loss
/// warm-up, then alternating PatchGAN updates; frozen-then-fine-tuned encoder; exact checkpoint/resume.
/// A multi-frame model (`config.frames` > 1) sees each clip's window of blurry frames; photos and plain pairs give
/// it static windows (the frame repeated).
public final class Trainer: @unchecked Sendable {
    public let generator: Generator
    public let discriminator: PatchDiscriminator
    public let options: TrainingOptions
    public private(set) var step = 0
    /// The data RNG (saved in checkpoints).
    public private(set) var rng: TrainingRNG
    let photos: [RGB8Image]
    let pairs: [ImagePair]
    let optDecoder: Adam, optEncoder: Adam, optD: Adam
    /// The moving average of `generator`'s weights (`options.emaDecay` > 0), else nil.
    public let averaged: Generator?
    /// The model training produces: the moving average when on, else the trained generator itself.
    public var outputGenerator: Generator { averaged ?? generator }
    let logger = Logger(label: "deblur.trainer")

    /// A trainer for `generator` (fresh from `Generator.pretrained(config:)` or a shipped model for `--init`).
    public init(generator: Generator, options: TrainingOptions, photos: [RGB8Image], pairs: [ImagePair] = []) throws {
        guard !photos.isEmpty || !pairs.isEmpty else { throw TrainerError.noData }
        let largest = (options.crops.max() ?? 128)
        // A photo must hold the largest crop plus the longest blur kernel. Smaller ones are skipped, not fatal,
        // so a folder of mixed sizes still trains with large crops; only a set with nothing usable fails.
        let needed = options.photoSideNeeded
        let usable = photos.filter { min($0.width, $0.height) >= needed }
        if let small = photos.first(where: { min($0.width, $0.height) < needed }) {
            guard !usable.isEmpty else {
                throw TrainerError.photosTooSmall(width: small.width, height: small.height, needed: needed, crop: largest,
                                                  maxBlur: options.maxBlur)
            }
            Logger(label: "deblur.trainer").warning("""
                skipping \(photos.count - usable.count) of \(photos.count) photos smaller than \(needed)×\(needed) \
                (largest crop \(largest) + blur margin), e.g. \(small.width)×\(small.height)
                """)
        }
        for p in pairs where min(p.sharp.width, p.sharp.height) < largest {
            throw TrainerError.imageTooSmall(width: p.sharp.width, height: p.sharp.height, needed: largest)
        }
        self.generator = generator
        self.options = options
        self.photos = usable
        self.pairs = pairs
        discriminator = PatchDiscriminator(ndf: options.ndf, seed: options.seed &+ 17)
        rng = TrainingRNG(seed: options.seed)
        let all = generator.namedParameters()
        // A multi-frame model's neighbours enter at the stem: it learns at the decoder's rate, as at the encoder's
        // small one its zero-started neighbour weights barely move in a fine-tuning run.
        let slow = { (name: String) in
            name.hasPrefix("encoder.") && !(generator.config.frames > 1 && name.hasPrefix("encoder.stem."))
        }
        optEncoder = Adam(all.filter { slow($0.0) }, learningRate: options.learningRate * options.encoderLearningRateScale)
        optDecoder = Adam(all.filter { !slow($0.0) }, learningRate: options.learningRate)
        optD = Adam(discriminator.namedParameters(), learningRate: options.learningRate, beta1: 0.5)
        if options.emaDecay > 0 {
            // Starts at the initial weights (copy-on-write storage: training does not move them).
            let a = try Generator(config: generator.config)
            try a.loadStateDict(generator.stateDict())
            averaged = a
        } else {
            averaged = nil
        }
    }

    /// average ← decay·average + (1 − decay)·weights, for every parameter; buffers are copied.
    func updateAverage() {
        guard let averaged else { return }
        let keep = options.emaDecay
        for ((name, a), (other, w)) in zip(averaged.namedParameters(), generator.namedParameters()) {
            precondition(name == other, "parameter order differs: \(name) vs \(other)")
            let wp = w.value.ptr, ap = a.value.mutablePtr()
            for i in 0..<w.value.count { ap[i] = keep * ap[i] + (1 - keep) * wp[i] }
        }
        for ((_, a), (_, w)) in zip(averaged.namedBuffers(), generator.namedBuffers()) { a.value = w.value }
    }

    /// Learning rate at a step: linear warm-up, cosine decay to the floor.
    public func learningRate(at s: Int) -> Float {
        let base = options.learningRate
        if s < options.warmupSteps { return base * Float(s + 1) / Float(options.warmupSteps) }
        let p = min(1, Double(s - options.warmupSteps) / Double(max(1, options.steps - options.warmupSteps)))
        let floor = options.learningRateFloor
        return base * (floor + (1 - floor) * Float(0.5 * (1 + Foundation.cos(Double.pi * p))))
    }

    /// Whether the encoder is frozen at the current step.
    public var encoderFrozen: Bool { Double(step) < options.unfreezeAt * Double(options.steps) }
    /// Whether the adversarial loss is active at the current step.
    public var adversarialActive: Bool {
        Double(step) >= options.adversarialFrom * Double(options.steps) && options.weights.adversarial > 0
    }

    /// A batch of (blurry, sharp) tensors, [B, 3·frames, S, S] (each window oldest first) and [B, 3, S, S].
    func makeBatch(size: Int) -> (Tensor, Tensor) {
        let frames = generator.config.frames
        var b: [Float] = [], s: [Float] = []
        b.reserveCapacity(options.batch * 3 * frames * size * size); s.reserveCapacity(options.batch * 3 * size * size)
        for _ in 0..<options.batch {
            let usePair = !pairs.isEmpty && (photos.isEmpty || rng.uniform() < options.pairFraction)
            if usePair {
                let p = pairs[rng.int(0, pairs.count)]
                var window = p.window(frames: frames)
                // Random draws only for what this sample can use, so one-frame runs keep their data stream.
                if frames > 1 && !p.neighbours.isEmpty {
                    if rng.uniform() < 0.5 { window.reverse() }  // time reversed: the same blur, neighbours swapped
                    if options.staticFraction > 0 && rng.uniform() < options.staticFraction {
                        window = Array(repeating: p.blurry, count: frames)
                    }
                }
                let cuts = Self.crop(window + [p.sharp], size: size, using: &rng)
                for c in cuts.dropLast() { b += c }
                s += cuts[cuts.count - 1]
            } else {
                let (bb, ss) = BlurSynthesis.makePair(from: photos[rng.int(0, photos.count)], size: size,
                                                      maxLength: options.maxBlur, softFraction: options.softFraction,
                                                      jpegFraction: options.jpegFraction,
                                                      gammaBlurFraction: options.gammaBlurFraction,
                                                      sharpFraction: options.sharpFraction, using: &rng)
                let blurry = bb.array
                for _ in 0..<frames { b += blurry }  // a still: its own neighbours
                s += ss.array
            }
        }
        return (Tensor(shape: [options.batch, 3 * frames, size, size], data: b),
                Tensor(shape: [options.batch, 3, size, size], data: s))
    }

    /// The same random crop (+ horizontal flip) of equal-size images (a window and its sharp frame).
    static func crop<Image: PlanarRGBSource>(_ images: [Image], size: Int, using rng: inout TrainingRNG) -> [[Float]] {
        guard let first = images.first else { return [] }
        let y0 = rng.int(0, first.height - size + 1), x0 = rng.int(0, first.width - size + 1), flip = rng.uniform() < 0.5
        return images.map { im in
            let o = im.region(x: x0, y: y0, width: size, height: size)
            return flip ? BlurSynthesis.flipHorizontal(o, n: size) : o
        }
    }

    /// One update of G (and of D once the adversarial phase started). Returns the losses.
    @discardableResult
    public func trainStep() -> [String: Float] {
        let frozen = encoderFrozen, useAdv = adversarialActive
        let lr = learningRate(at: step)
        optDecoder.learningRate = lr; optEncoder.learningRate = lr * options.encoderLearningRateScale
        optD.learningRate = lr
        let size = options.crops[rng.int(0, options.crops.count)]
        let (b, s) = makeBatch(size: size)
        let blurry = Variable(b), sharp = Variable(s)
        let fake = generator.forward(blurry, clamp: false, frozenEncoder: frozen)
        var dFake: Variable? = nil
        var extra: [String: Float] = [:]
        if useAdv {
            optD.zeroGrad()
            let ld = GANLoss.discriminator(realLogits: discriminator(sharp),
                                           fakeLogits: discriminator(clamp(fake.detached(), min: 0, max: 1)))
            ld.backward()
            optD.step()
            extra["d"] = ld.value.scalar
            dFake = discriminator(clamp(fake, min: 0, max: 1))
        }
        optDecoder.zeroGrad(); optEncoder.zeroGrad()
        let (lg, parts) = GANLoss.generator(fake: fake, sharp: sharp, discriminatorLogits: dFake, weights: options.weights)
        lg.backward()
        optDecoder.step()
        if !frozen { optEncoder.step() }
        discriminator.zeroGrad()
        updateAverage()
        step += 1
        return parts.merging(extra) { a, _ in a }
    }

    /// PSNR for signals in [0, 1].
    public static func psnr(_ a: [Float], _ b: [Float]) -> Double {
        var se = 0.0
        for i in a.indices { let d = Double(a[i] - b[i]); se += d * d }
        return 10 * Foundation.log10(1 / max(se / Double(max(1, a.count)), 1e-12))
    }

    /// Trains until `options.steps` (or `shouldStop()`), reporting progress every `reportEvery` steps and at the last, calling
    /// `validate` every `validationInterval` seconds and at the end (unless stopped), and checkpointing atomically every
    /// `checkpointInterval` seconds and at the end (also when stopped early).
    public func run(checkpoint: URL?, checkpointInterval: TimeInterval = 240,
                    validationInterval: TimeInterval = 600, validate: ((Trainer) throws -> Void)? = nil,
                    reportEvery: Int = 20,
                    shouldStop: () -> Bool = { false }, progress: (TrainingProgress) -> Void = { _ in }) throws {
        let t0 = Date(), step0 = step
        var lastCkpt = Date(), lastVal = Date()
        var ema: [String: Float] = [:]
        while step < options.steps && !shouldStop() {
            let lr = learningRate(at: step)
            let parts = trainStep()
            // Checked before anything is saved, so no checkpoint or model ever holds NaN weights.
            if let bad = parts.keys.sorted().first(where: { !(parts[$0] ?? 0).isFinite }) {
                throw TrainerError.diverged(step: step, loss: bad)
            }
            for (k, v) in parts { ema[k] = 0.98 * (ema[k] ?? v) + 0.02 * v }
            let rate = Double(step - step0) / max(Date().timeIntervalSince(t0), 1e-9)
            if step % reportEvery == 0 || step == options.steps {  // short runs report at least their end
                progress(TrainingProgress(step: step, steps: options.steps, learningRate: lr, losses: ema, stepsPerSecond: rate))
            }
            if let validate, Date().timeIntervalSince(lastVal) > validationInterval {
                try validate(self)
                lastVal = Date()
            }
            if let checkpoint, Date().timeIntervalSince(lastCkpt) > checkpointInterval {
                try saveCheckpoint(to: checkpoint)
                lastCkpt = Date()
            }
        }
        if let checkpoint { try saveCheckpoint(to: checkpoint) }
        // Not when stopped: the user is waiting for the run to end (and a second Ctrl-C would lose the model).
        if let validate, step > step0, !shouldStop() { try validate(self) }
    }

    // MARK: Checkpoints

    static let stepKey = "deblur.trainer.step", rngKey = "deblur.trainer.rng", optionsKey = "deblur.trainer.options"

    /// The tensors of a checkpoint whose names start with `prefix` (`g.`, `d.`, …), under their names without it.
    static func tensors(_ all: [String: Tensor], under prefix: String) -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (k, v) in all where k.hasPrefix(prefix) { d[String(k.dropFirst(prefix.count))] = v }
        return d
    }

    /// The generator weights a checkpoint's run would write (`outputGenerator`): its average if it kept one.
    static func outputGeneratorTensors(_ all: [String: Tensor]) -> [String: Tensor] {
        let averaged = tensors(all, under: "ema.")
        return averaged.isEmpty ? tensors(all, under: "g.") : averaged
    }

    /// Writes weights, optimizer states, step and RNG state (F32) to `url` atomically (temporary file + rename).
    public func saveCheckpoint(to url: URL) throws {
        var t: [String: Tensor] = [:]
        for (k, v) in generator.stateDict() { t["g." + k] = v }
        for (k, v) in discriminator.stateDict() { t["d." + k] = v }
        for (k, v) in optDecoder.stateDict() { t["opt_dec." + k] = v }
        for (k, v) in optEncoder.stateDict() { t["opt_enc." + k] = v }
        for (k, v) in optD.stateDict() { t["opt_d." + k] = v }
        for (k, v) in averaged?.stateDict() ?? [:] { t["ema." + k] = v }
        let opts = String(data: try JSONEncoder().encode(options), encoding: .utf8) ?? "{}"
        let meta = [GeneratorConfig.metadataKey: generator.config.json, Self.stepKey: String(step),
                    Self.rngKey: String(rng.state), Self.optionsKey: opts]
        try Safetensors.write(t, metadata: meta, dtype: .f32, to: url)
    }

    /// Restores a trainer from a checkpoint; training continues exactly where it stopped.
    /// `options` overrides the saved ones (e.g. more steps); data must be the same for an exact continuation.
    public static func resume(from url: URL, photos: [RGB8Image], pairs: [ImagePair] = [],
                              options override: TrainingOptions? = nil) throws -> Trainer {
        try resume(from: url, photos: photos, pairs: pairs, adjusting: { override ?? $0 })
    }

    /// Restores a trainer from a checkpoint with `adjust` applied to the saved options (e.g. more steps).
    public static func resume(from url: URL, photos: [RGB8Image], pairs: [ImagePair] = [],
                              adjusting adjust: (TrainingOptions) -> TrainingOptions) throws -> Trainer {
        let f = try Safetensors.read(contentsOf: url)
        guard let cfgJSON = f.metadata[GeneratorConfig.metadataKey], let stepS = f.metadata[stepKey], let s = Int(stepS),
              let rngS = f.metadata[rngKey], let r = UInt64(rngS), let optS = f.metadata[optionsKey] else {
            throw TrainerError.invalidCheckpoint("\(url.path) lacks trainer metadata")
        }
        let saved: TrainingOptions
        do { saved = try TrainingOptions.decodeOverDefaults(Data(optS.utf8)) } catch {
            throw TrainerError.invalidCheckpoint("options: \(error)")
        }
        let g = try Generator(config: GeneratorConfig(json: cfgJSON))
        func sub(_ p: String) -> [String: Tensor] { tensors(f.tensors, under: p) }
        try g.loadStateDict(sub("g."), strict: true)
        var opts = adjust(saved)
        opts.ndf = saved.ndf
        let tr = try Trainer(generator: g, options: opts, photos: photos, pairs: pairs)
        try tr.discriminator.loadStateDict(sub("d."), strict: true)
        try tr.optDecoder.loadStateDict(sub("opt_dec."))
        try tr.optEncoder.loadStateDict(sub("opt_enc."))
        try tr.optD.loadStateDict(sub("opt_d."))
        // A checkpoint from a run without the average (or --ema newly given) starts it at the current weights.
        let ema = sub("ema.")
        if let averaged = tr.averaged, !ema.isEmpty { try averaged.loadStateDict(ema, strict: true) }
        tr.step = s
        tr.rng = TrainingRNG(seed: r)
        return tr
    }
}

extension Generator {
    /// A new generator with the bundled ImageNet EfficientNet-Lite0 encoder weights (training from scratch).
    public static func pretrained(config: GeneratorConfig = .default) throws -> Generator {
        let g = try Generator(config: config)
        guard config.encoderWidth == 1, config.encoderBlocks <= 11, config.frames == 1 else {
            throw ModelError.invalidConfig("the bundled encoder covers width 1, blocks 0–10 and one RGB frame only")
        }
        guard let url = EfficientNetLite0Encoder.pretrainedURL else {
            throw ModelError.missingConfig(path: "<bundle>/Resources/efficientnet-lite0-encoder.safetensors")
        }
        try g.encoder.loadPretrained(from: url)
        return g
    }
}
