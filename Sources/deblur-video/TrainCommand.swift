import ArgumentParser
import DeblurNet
import Foundation
import Logging
import Restoration
import Stream

/// `deblur-video train`: trains the generator (and PatchGAN) on photos, blurry/sharp pairs and video.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the deblurring GAN on photos, image pairs and videos.",
        discussion: """
        Data, any mix (images and videos are decoded with FFmpeg):
          --photos DIR  sharp photos, blurred on the fly by random camera-shake
                        trajectories (straight and curved, up to --max-blur px)
                        plus noise and 8-bit rounding
          --pairs DIR   blurry/sharp pairs: DIR/blur/X + DIR/sharp/X, or the
                        GoPro layout DIR/*/blur/X + DIR/*/sharp/X; clips add
                        the blurry frames before and after: DIR/prev/X and
                        DIR/next/X (scripts/multiframe_experiment.py render)
          --video FILE  GoPro-style pairs: the mean of --video-window
                        consecutive frames (linear light) is the blurry frame,
                        the middle frame the sharp one (with --frames 3, the
                        windows before and after are its neighbours)
        Validation: --val-pairs DIR (same layout as --pairs); PSNR/SSIM of input
        and output are printed before training, every --validate-every minutes
        and at the end.

        The checkpoint (weights, optimizer states, step, RNG) is written
        atomically every --checkpoint-every minutes, at the end and on Ctrl-C;
        --resume continues exactly from it (flags such as --steps may change);
        a new run refuses to start over an existing checkpoint.
        --init starts from a trained model, e.g. the shipped one. The final
        generator (with --ema, its weights' moving average) goes to --output
        (F16 safetensors, config in its metadata), ready for
        `deblur-video --model`.

        Multi-frame models: --frames 3 trains a model that sees the frames
        before and after the one it restores. With --init, the one-frame model
        is expanded to it, starting exactly as it was (the neighbours' weights
        at zero). It learns from clips (--pairs with prev/next, --video);
        photos and plain pairs give it the frame as its own neighbours, as a
        still does at run time, and --static-fraction does so for that share
        of the clips too, so it keeps working on stills. The neighbours enter
        through the encoder's stem, which learns only once the encoder trains:
        fine-tune with --unfreeze-at 0.

        Paper defaults (DeblurGAN-v2): --paper-defaults sets Adam 1e-4, batch 8,
        224² crops, λadv 0.001, λms 1, λpix 0.5 from the first step. Our
        defaults suit 2 CPU cores: encoder frozen for the first 70 % of the
        steps, crops 128-160, warm-up + cosine learning rate from 5e-4,
        adversarial loss after 85 %. To fine-tune a trained model, train the
        encoder from the start: --init default --unfreeze-at 0 (the shipped
        model was made so, see README).

        EXAMPLES:
          deblur-video train --photos /work/data/photos/train \\
              --val-pairs /work/data/val_synth -o my.safetensors
          deblur-video train --photos photos/ --init default --unfreeze-at 0 \\
              --lr 3e-4 --steps 6000 -o tuned.safetensors
          deblur-video train --photos photos/ --resume -o my.safetensors
          deblur-video train --pairs /work/data/clips3_train --init default \\
              --frames 3 --static-fraction 0.25 --unfreeze-at 0 --lr 1e-4 \\
              --adversarial-from 1 --crops 192 --batch 4 -o mf3.safetensors
        """
    )

    @Option(help: "Folder of sharp photos (repeatable).")
    var photos: [String] = []

    @Option(help: "Folder of blurry/sharp pairs (repeatable).")
    var pairs: [String] = []

    @Option(help: "Video for GoPro-style pairs (repeatable).")
    var video: [String] = []

    @Option(parsing: .unconditional, help: "Consecutive frames averaged into one blurry video frame.")
    var videoWindow: Int = 7

    @Option(parsing: .unconditional, help: "Most pairs taken from one video (windows spread evenly over it).")
    var videoPairs: Int = 40

    @Option(help: "Folder of held-out blurry/sharp pairs for validation.")
    var valPairs: String?

    @Option(name: [.short, .long], help: "Where to write the trained generator.")
    var output: String

    @Option(help: "Checkpoint file (default: OUTPUT with .ckpt.safetensors).")
    var checkpoint: String?

    @Flag(help: "Continue from --checkpoint exactly where it stopped.")
    var resume = false

    @Option(name: .customLong("init"), help: "Start from this trained model ('default' = the shipped one) instead of the ImageNet encoder.")
    var initModel: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Consecutive frames the model sees (odd; the output restores the middle one). With --init, a one-frame model is expanded to it. (default: 1, or the --init model's)", valueName: "n"))
    var frames: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --frames > 1: fraction of the clip samples given the frame itself as its neighbours, as a still gives them. (default: 0)", valueName: "fraction"))
    var staticFraction: Double?

    @Option(help: "Architecture when training from scratch: default (the shipped one), quality (slower, refinement blocks), small (faster), paper, tiny. (default: default)")
    var config: String?

    @Option(parsing: .unconditional, help: "Total optimisation steps. (default: \(TrainingOptions().steps))")
    var steps: Int?

    @Option(parsing: .unconditional, help: "Batch size. (default: \(TrainingOptions().batch))")
    var batch: Int?

    @Option(help: "Square crop sizes, comma-separated (one drawn per batch). (default: \(TrainingOptions().crops.map(String.init).joined(separator: ",")))")
    var crops: String?

    @Option(parsing: .unconditional, help: "Peak learning rate (Adam). (default: \(TrainingOptions().learningRate))")
    var lr: Float?

    @Option(parsing: .unconditional, help: "Longest synthetic blur trajectory in pixels. (default: \(Int(TrainingOptions().maxBlur)))")
    var maxBlur: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Fraction of synthetic samples made from a softened photo (downscaled 1.5-3x and back), target included, so the model learns to undo motion blur without sharpening soft footage. (default: 0)", valueName: "fraction"))
    var softFraction: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Fraction of synthetic samples whose blurry input is JPEG-compressed (quality 30-90, 4:2:0; the target stays clean), so the model learns to deblur compressed footage without sharpening its block artifacts. (default: 0)", valueName: "fraction"))
    var jpegFraction: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Fraction of synthetic samples blurred by averaging gamma-coded values, as video editors blend frames, instead of linear light as cameras do. (default: 0)", valueName: "fraction"))
    var gammaBlurFraction: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Fraction of synthetic samples left unblurred (only noise, rounding and --jpeg-fraction's compression on the input), so the model learns to leave sharp footage as it is. (default: 0)", valueName: "fraction"))
    var sharpFraction: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Fraction of the samples taken from --pairs/--video when photos are given too (default 0.5).", valueName: "fraction"))
    var pairFraction: Double?

    @Option(parsing: .unconditional, help: "Fraction of the steps with the encoder frozen (0: train it from the start). (default: \(TrainingOptions().unfreezeAt))")
    var unfreezeAt: Double?

    @Option(parsing: .unconditional, help: "Encoder learning rate as a fraction of --lr once unfrozen. (default: \(TrainingOptions().encoderLearningRateScale))")
    var encoderLrScale: Float?

    @Option(parsing: .unconditional, help: "Fraction of the steps before the adversarial loss and the discriminator start (1: never). (default: \(TrainingOptions().adversarialFrom))")
    var adversarialFrom: Double?

    @Option(parsing: .unconditional, help: "Minutes between validations (with --val-pairs).")
    var validateEvery: Double = 10

    @Option(parsing: .unconditional, help: "Minutes between checkpoints.")
    var checkpointEvery: Double = 4

    @Option(parsing: .unconditional, help: "Weight of the adversarial loss (BCE with logits against 'real'). (default: \(TrainingOptions().weights.adversarial))")
    var lambdaAdv: Float?

    @Option(parsing: .unconditional, help: "Weight of the multi-scale L1 loss (scales 1, 1/2, 1/4). (default: \(TrainingOptions().weights.multiScale))")
    var lambdaMs: Float?

    @Option(parsing: .unconditional, help: "Weight of the pixel L1 loss. (default: \(TrainingOptions().weights.pixel))")
    var lambdaPix: Float?

    @Flag(help: "Use MSE instead of L1 for the content losses (the paper's first formulation).")
    var mse = false

    @Flag(help: "The reference paper's settings (see above).")
    var paperDefaults = false

    @Option(parsing: .unconditional, help: "Random seed of data sampling and blur synthesis. (default: \(TrainingOptions().seed))")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: ArgumentHelp("Keep an exponential moving average of the generator's weights with this decay per step (e.g. 0.999) and validate, checkpoint and write the average as the model (default 0: off).", valueName: "decay"))
    var ema: Float?

    @Option(parsing: .unconditional, help: "Compute threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Only errors on stderr.")
    var quiet = false

    func validate() throws {
        if photos.isEmpty && pairs.isEmpty && video.isEmpty {
            throw ValidationError(resume ? "--resume needs the run's training data again: the same --photos, --pairs and --video"
                                         : "give training data: --photos, --pairs or --video")
        }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let lr, !(lr > 0) { throw ValidationError("--lr must be positive") }
        if videoWindow < 2 { throw ValidationError("--video-window must be at least 2") }
        if resume && initModel != nil { throw ValidationError("--resume and --init exclude each other") }
        if let config, GeneratorConfig.preset(config) == nil { throw ValidationError("unknown --config \(config); use \(GeneratorConfig.presetNames.joined(separator: ", "))") }
        if let frames, frames < 1 || frames % 2 == 0 {
            throw ValidationError("--frames must be odd and positive (the model restores the middle frame), got \(frames)")
        }
        if frames != nil && resume { throw ValidationError("--frames comes from the checkpoint when resuming") }
        if config != nil && (resume || initModel != nil) {
            throw ValidationError("--config is for training from scratch; with --init or --resume the architecture comes from the model or checkpoint")
        }
        for (name, f) in [("--unfreeze-at", unfreezeAt), ("--adversarial-from", adversarialFrom)] {
            if let f, !(0...1).contains(f) { throw ValidationError("\(name) is a fraction of the steps, from 0 to 1") }
        }
        for (name, f) in [("--soft-fraction", softFraction), ("--jpeg-fraction", jpegFraction),
                          ("--gamma-blur-fraction", gammaBlurFraction), ("--sharp-fraction", sharpFraction),
                          ("--pair-fraction", pairFraction),
                          ("--static-fraction", staticFraction)] {
            if let f, !(0...1).contains(f) { throw ValidationError("\(name) is a fraction of the samples, from 0 to 1") }
        }
        if let encoderLrScale, !(encoderLrScale >= 0) { throw ValidationError("--encoder-lr-scale must be 0 or more") }
        if let ema, !(0..<1).contains(ema) { throw ValidationError("--ema is a decay from 0 (off) up to, not including, 1") }
        if !(validateEvery > 0) || !(checkpointEvery > 0) {
            throw ValidationError("--validate-every and --checkpoint-every take a positive number of minutes")
        }
        if let crops, parsedCrops(crops) == nil { throw ValidationError("--crops takes sizes ≥ 32 like 128,144,160") }
    }

    private func parsedCrops(_ s: String) -> [Int]? {
        let v = s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return v.isEmpty || v.count != s.split(separator: ",").count || v.contains(where: { $0 < 32 }) ? nil : v
    }

    func run() throws {
        let log = Logger(label: "deblur-video.train")
        FFmpegSupport.setLogging(verbose: false)  // --video decoding: our own errors say what went wrong
        if let threads { Threading.setThreads(threads) }
        // Before any work: a bad path would otherwise surface at the first checkpoint, minutes in. Links are
        // followed (the saves rename over their targets), special files such as /dev/null refused.
        let outputURL = URL(fileURLWithPath: try OutputFile.regularFileTarget(output))
        let checkpointURL = URL(fileURLWithPath: try OutputFile.regularFileTarget(checkpoint ?? Self.defaultCheckpoint(for: output)))
        // A second Ctrl-C quits at once: the half-written save must not stay behind as hidden junk.
        let partials = [outputURL, checkpointURL].map { Safetensors.temporaryURL(for: $0).path }
        for p in partials { PartialFiles.add(p) }
        defer { for p in partials { PartialFiles.remove(p) } }
        // The model written at the end would overwrite the checkpoint, and --resume could not continue.
        if outputURL.standardizedFileURL.resolvingSymlinksInPath() == checkpointURL.standardizedFileURL.resolvingSymlinksInPath() {
            throw CLIFailure(.usage, "--checkpoint must differ from -o: \(output) would hold the model and the checkpoint in turn")
        }
        if resume && !FileManager.default.fileExists(atPath: checkpointURL.path) {
            throw CLIFailure(.input, "no checkpoint at \(checkpointURL.path) to resume from")
        }
        if !resume && FileManager.default.fileExists(atPath: checkpointURL.path) {
            throw CLIFailure(.usage, "a checkpoint exists at \(checkpointURL.path): continue it with --resume, or delete it (or give another --checkpoint) to start over")
        }

        let photoImages = try photos.flatMap { dir -> [RGB8Image] in
            let urls = try Self.list(dir) { try TrainingData.discoverPhotos(in: $0) }
            guard !urls.isEmpty else {
                let kinds = TrainingData.imageExtensions.sorted().map { "." + $0 }.joined(separator: ", ")
                throw CLIFailure(.input, "\(dir) holds no photos (\(kinds); subfolders are not searched)")
            }
            // One unreadable photo in a folder of many costs only itself; a folder with none readable is an error.
            var images: [RGB8Image] = [], failed: [String] = [], firstError: (any Error)?
            for url in urls {
                do { images.append(try Self.loadImage(url.path)) } catch {
                    failed.append(url.lastPathComponent)
                    firstError = firstError ?? error
                }
            }
            if let firstError {
                guard !images.isEmpty else { throw firstError }  // names the file
                warn("warning: \(dir): \(failed.count) file(s) that are not readable images, left out: \(Self.shortList(failed))")
            }
            return images
        }
        // The model first: whether it sees several frames decides whether clips' neighbours are loaded at all.
        let generator = resume ? nil : try makeGenerator()
        let modelFrames = generator?.config.frames ?? Self.checkpointFrames(checkpointURL)
        // Training pairs must hold the largest crop; checked here, where the file is known (a resumed run's crops
        // come from its checkpoint, and the trainer checks those).
        let crop = resume ? nil : options(base: TrainingOptions()).crops.max()
        var pairList = try pairs.flatMap { try Self.loadPairs($0, minimumSide: crop, frames: modelFrames) }
        for v in video {
            pairList += try Self.videoPairs(v, window: videoWindow, limit: videoPairs, minimumSide: crop, frames: modelFrames)
        }
        let validation = try valPairs.map { try Self.loadPairs($0, frames: modelFrames) } ?? []
        if !quiet {
            let clips = pairList.filter { !$0.neighbours.isEmpty }.count
            log.info("data: \(photoImages.count) photos, \(pairList.count) pairs\(clips > 0 ? " (\(clips) with neighbours)" : ""), \(validation.count) validation pairs\(modelFrames > 1 ? "; the model sees \(modelFrames) frames" : "")")
        }
        if pairFraction != nil && (photoImages.isEmpty || pairList.isEmpty) {
            warn("warning: --pair-fraction only splits samples between photos and pairs/video; with one kind of data it does nothing")
        }
        if modelFrames > 1 && !pairList.contains(where: { !$0.neighbours.isEmpty }) {
            warn("warning: the model sees \(modelFrames) frames but no clip gives it neighbours (--pairs with prev/ and next/, or --video): it only learns stills")
        }
        if staticFraction != nil && modelFrames == 1 {
            warn("warning: --static-fraction only matters for a model that sees several frames (--frames)")
        }

        let trainer: Trainer
        if let generator {
            do {
                trainer = try Trainer(generator: generator, options: options(base: TrainingOptions()),
                                      photos: photoImages, pairs: pairList)
            } catch { throw CLIFailure(.input, "\(error)") }
        } else {
            do {
                trainer = try Trainer.resume(from: checkpointURL, photos: photoImages, pairs: pairList,
                                             adjusting: { options(base: $0) })
            } catch { throw CLIFailure(.input, "cannot resume from \(checkpointURL.path): \(error)") }
            if trainer.step > trainer.options.steps {
                throw CLIFailure(.usage, "the checkpoint is at step \(trainer.step), past --steps \(trainer.options.steps); give more steps to go on")
            }
            log.info("resuming at step \(trainer.step) of \(trainer.options.steps)")
        }

        let stop = CancellationToken()  // set by the first interrupt, read between steps
        let interrupt = InterruptSignals {
            stop.cancel()
            FileHandle.standardError.write(Data("\nstopping after this step; saving the checkpoint (Ctrl-C again quits at once)\n".utf8))
        }
        defer { interrupt.cancel() }

        let quiet = self.quiet
        do {
            let validate: ((Trainer) throws -> Void)? = validation.isEmpty ? nil : { t in
                let v = try Self.validate(t, on: validation)
                FileHandle.standardError.write(Data(String(
                    format: "validation at step %d: PSNR %.2f dB (input %.2f, %+.2f), SSIM %.4f (input %.4f), %d of %d pairs worse\n",
                    t.step, v.output.psnr, v.input.psnr, v.output.psnr - v.input.psnr, v.output.ssim, v.input.ssim,
                    v.worse, validation.count).utf8))
            }
            if let validate, !resume { try validate(trainer) }
            try trainer.run(checkpoint: checkpointURL, checkpointInterval: checkpointEvery * 60,
                            validationInterval: validateEvery * 60, validate: validate,
                            shouldStop: { stop.isCancelled }) { p in
                guard !quiet else { return }
                let losses = p.losses.keys.sorted().map { "\($0) \(String(format: "%.4f", p.losses[$0] ?? 0))" }.joined(separator: " ")
                let eta = p.eta.isFinite ? String(format: "%.0f min", p.eta / 60) : "?"
                FileHandle.standardError.write(Data(String(format: "step %d/%d lr %.2e | %@ | %.2f it/s ETA %@\n",
                                                           p.step, p.steps, p.learningRate, losses, p.stepsPerSecond, eta).utf8))
            }
            try trainer.outputGenerator.save(to: outputURL)
        } catch {
            throw CLIFailure(.processing, "training failed: \(error)")
        }
        log.info("step \(trainer.step): model written to \(output), checkpoint \(checkpointURL.path)")
        if stop.isCancelled { throw CLIFailure(.interrupted, "interrupted at step \(trainer.step); continue with --resume") }
    }

    /// The generator a new run starts from: --init's model (expanded to --frames), or a fresh one of --config.
    private func makeGenerator() throws -> Generator {
        let configName = config ?? "default"  // validate() checked that it names a preset
        var generator: Generator
        do {
            let preset = GeneratorConfig.preset(configName) ?? .default
            if let initModel {
                generator = initModel == "default" ? try Generator.bundledDefault()
                    : try Generator.load(from: URL(fileURLWithPath: initModel))
            } else if preset.encoderWidth == 1 {
                generator = try Generator.pretrained(config: preset)
            } else {
                generator = try Generator(config: preset)
            }
        } catch {
            // A checkpoint holds the trainer's state too, under other names: it is continued, not fine-tuned from.
            let hint = initModel?.hasSuffix(".ckpt.safetensors") == true ? " (a checkpoint: continue it with --resume --checkpoint FILE)" : ""
            throw CLIFailure(.input, "cannot load model \(initModel ?? configName): \(error)\(hint)")
        }
        if let frames, frames != generator.config.frames {
            guard generator.config.frames == 1 else {
                throw CLIFailure(.usage, "--frames \(frames): \(initModel ?? configName) already takes \(generator.config.frames) frames; only a one-frame model is expanded")
            }
            do { generator = try generator.expanded(toFrames: frames) } catch {
                throw CLIFailure(.input, "cannot expand \(initModel ?? configName) to \(frames) frames: \(error)")
            }
        }
        return generator
    }

    /// How many frames the model in a checkpoint sees (1 when the file is missing or unreadable: `resume` then
    /// reports what is wrong with it).
    static func checkpointFrames(_ url: URL) -> Int {
        guard let metadata = try? Safetensors.readMetadata(contentsOf: url), let json = metadata[GeneratorConfig.metadataKey],
              let config = try? GeneratorConfig(json: json) else { return 1 }
        return config.frames
    }

    /// Mean PSNR/SSIM (Restoration's, 8-bit like `eval`) of the blurry inputs and of the generator's outputs,
    /// and how many pairs the generator made worse.
    static func validate(_ trainer: Trainer, on pairs: [ImagePair])
        throws -> (input: (psnr: Double, ssim: Double), output: (psnr: Double, ssim: Double), worse: Int) {
        var inP = 0.0, inS = 0.0, outP = 0.0, outS = 0.0, worse = 0
        func planar(_ im: PlanarRGBImage) throws -> PlanarImage {
            try PlanarImage(width: im.width, height: im.height, channels: 3, pixels: im.pixels)
        }
        let g = trainer.outputGenerator
        for p in pairs {
            let y = try g.deblur(window: p.window(frames: g.config.frames).map(\.planar))
            let sharp = try planar(p.sharp.planar)
            let a = try FrameQuality.measure(reference: sharp, test: try planar(p.blurry.planar))
            let b = try FrameQuality.measure(reference: sharp, test: try planar(y))
            inP += a.psnr; inS += a.ssim; outP += b.psnr; outS += b.ssim
            if b.psnr < a.psnr { worse += 1 }
        }
        let n = Double(pairs.count)
        return ((inP / n, inS / n), (outP / n, outS / n), worse)
    }

    /// The options from the flags over `base`.
    private func options(base: TrainingOptions) -> TrainingOptions {
        var o = base
        if paperDefaults {
            o.learningRate = 1e-4; o.batch = 8; o.crops = [224]
            o.unfreezeAt = 0; o.adversarialFrom = 0; o.warmupSteps = 0; o.learningRateFloor = 1
            o.weights = LossWeights(adversarial: 0.001, multiScale: 1, pixel: 0.5, mse: false)
        }
        if let steps { o.steps = steps }
        if let batch { o.batch = batch }
        if let crops, let c = parsedCrops(crops) { o.crops = c }
        if let lr { o.learningRate = lr }
        if let maxBlur { o.maxBlur = maxBlur }
        if let softFraction { o.softFraction = softFraction }
        if let jpegFraction { o.jpegFraction = jpegFraction }
        if let gammaBlurFraction { o.gammaBlurFraction = gammaBlurFraction }
        if let sharpFraction { o.sharpFraction = sharpFraction }
        if let pairFraction { o.pairFraction = pairFraction }
        if let unfreezeAt { o.unfreezeAt = unfreezeAt }
        if let encoderLrScale { o.encoderLearningRateScale = encoderLrScale }
        if let adversarialFrom { o.adversarialFrom = adversarialFrom }
        if let lambdaAdv { o.weights.adversarial = lambdaAdv }
        if let lambdaMs { o.weights.multiScale = lambdaMs }
        if let lambdaPix { o.weights.pixel = lambdaPix }
        if mse { o.weights.mse = true }
        if let seed { o.seed = seed }
        if let staticFraction { o.staticFraction = staticFraction }
        if let ema { o.emaDecay = ema }
        return o
    }

    /// The first five names, then "…" if there are more (for warnings about left-out files).
    static func shortList(_ names: [String]) -> String {
        names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
    }

    static func defaultCheckpoint(for output: String) -> String {
        let base = output.hasSuffix(".safetensors") ? String(output.dropLast(".safetensors".count)) : output
        return base + ".ckpt.safetensors"
    }

    private static func checkDirectory(_ dir: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) else {
            throw CLIFailure(.input, "cannot read \(dir): no such directory")
        }
        guard isDirectory.boolValue else { throw CLIFailure(.input, "cannot read \(dir): not a directory") }
    }

    private static func list(_ dir: String, _ body: (URL) throws -> [URL]) throws -> [URL] {
        try checkDirectory(dir)
        do { return try body(URL(fileURLWithPath: dir)) } catch {
            throw CLIFailure(.input, "cannot read \(dir): \(error.localizedDescription)")
        }
    }

    /// The first frame of an image (or video) file, as 8-bit values (training sets stay in memory).
    static func loadImage(_ path: String) throws -> RGB8Image {
        do {
            let decoder = try FrameDecoder(location: path)
            guard let frame = try decoder.nextFrame() else { throw CLIFailure(.input, "\(path) has no picture") }
            return RGB8Image(try PlanarRGBImage(width: frame.width, height: frame.height, pixels: frame.pixels))
        } catch let e as CLIFailure { throw e } catch {
            let reason = "\(error)"
            throw CLIFailure(.input, reason.contains(path) ? reason : "cannot read \(path): \(reason)")
        }
    }

    /// The pairs under `dir`; with `minimumSide`, a pair smaller than that is an error naming its file. A clip's
    /// neighbours are loaded for a model that sees several `frames`.
    static func loadPairs(_ dir: String, minimumSide: Int? = nil, frames: Int = 1) throws -> [ImagePair] {
        try checkDirectory(dir)
        let (found, unmatched) = TrainingData.listPairs(in: URL(fileURLWithPath: dir))
        guard !found.isEmpty else { throw CLIFailure(.input, "no blur/sharp pairs under \(dir)") }
        if !unmatched.isEmpty {
            warn("warning: \(dir): \(unmatched.count) image(s) without a partner of the same name, left out: \(shortList(unmatched))")
        }
        return try found.map { p in
            let b = try loadImage(p.blurry.path), s = try loadImage(p.sharp.path)
            if let minimumSide, min(s.width, s.height) < minimumSide {
                throw CLIFailure(.input, "\(p.sharp.path) is \(s.width)×\(s.height), smaller than the \(minimumSide)×\(minimumSide) crops; lower --crops or leave it out")
            }
            let neighbours = frames > 1 ? try p.neighbours.map { try loadImage($0.path) } : []
            do { return try ImagePair(blurry: b, sharp: s, neighbours: neighbours) } catch {
                throw CLIFailure(.input, "\(p.blurry.path) and \(p.sharp.path): \(error)")
            }
        }
    }

    /// GoPro-style pairs from windows of consecutive frames, spread evenly, at most `limit`. For a model that sees
    /// several `frames`, the windows just before and after a pair's are its neighbours.
    static func videoPairs(_ path: String, window: Int, limit: Int, minimumSide: Int? = nil, frames: Int = 1) throws -> [ImagePair] {
        let decoder: FrameDecoder
        do { decoder = try FrameDecoder(location: path) } catch { throw CLIFailure(.input, "cannot read \(path): \(error)") }
        let total = decoder.videoInfo.frameCount ?? 0
        let (w, h) = (decoder.videoInfo.width, decoder.videoInfo.height)
        if let minimumSide, min(w, h) < minimumSide {
            throw CLIFailure(.input, "\(path): frames \(w)×\(h) are smaller than the \(minimumSide)×\(minimumSide) crops; lower --crops or leave it out")
        }
        let group = window * frames  // consecutive frames one pair uses
        let stride = max(group, total > 0 ? total / max(1, limit) : group)
        var out: [ImagePair] = [], buffer: [PlanarRGBImage] = [], index = 0
        while out.count < limit, let frame = try decoder.nextFrame() {
            defer { index += 1 }
            guard index % stride < group else { continue }
            buffer.append(try PlanarRGBImage(width: frame.width, height: frame.height, pixels: frame.pixels))
            if buffer.count == group {
                let windows = try (0..<frames).map { try TrainingData.goproPair(frames: Array(buffer[($0 * window)..<(($0 + 1) * window)])) }
                let mid = windows[frames / 2]
                let neighbours = windows.enumerated().filter { $0.offset != frames / 2 }.map(\.element.blurry)
                out.append(try ImagePair(blurry: mid.blurry, sharp: mid.sharp, neighbours: neighbours))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        guard !out.isEmpty else { throw CLIFailure(.input, "\(path) has fewer than \(group) frames") }
        return out
    }
}

extension Train: ChoosesLogLevel {
    var logLevel: Logger.Level { quiet ? .error : .info }
}
