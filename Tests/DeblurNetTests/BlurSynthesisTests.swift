import Foundation
import Testing
@testable import DeblurNet

/// Blur synthesis against scripts/blur_synth.py (golden kernels and blurs) and its invariants.
@Suite struct BlurSynthesisTests {
    static func golden() throws -> SafetensorsFile {
        try Safetensors.read(contentsOf: Golden.directory.appendingPathComponent("GAN/blur_kernel.safetensors"))
    }

    static func points(_ t: Tensor) -> [SIMD2<Double>] {
        let a = t.array
        return (0..<(a.count / 2)).map { SIMD2(Double(a[2 * $0]), Double(a[2 * $0 + 1])) }
    }

    @Test(arguments: ["a", "b"]) func kernelAndBlurMatchPython(_ name: String) throws {
        let f = try Self.golden()
        let k = BlurSynthesis.kernel(trajectory: Self.points(try f.tensor("\(name).trajectory")))
        let ref = try f.tensor("\(name).kernel")
        #expect([k.size, k.size] == ref.shape)
        #expect(Tensor(shape: ref.shape, data: k.weights).maxAbsDifference(ref) < 1e-5)
        let blurred = BlurSynthesis.blurValid(try f.tensor("\(name).sharp"), kernel: k)
        let want = try f.tensor("\(name).blurry")
        #expect(blurred.shape == want.shape)
        #expect(blurred.maxAbsDifference(want) < 1e-4)
        let coded = BlurSynthesis.blurValid(try f.tensor("\(name).sharp"), kernel: k, gamma: 1)
        #expect(coded.maxAbsDifference(try f.tensor("\(name).blurry_coded")) < 1e-4)
        #expect(coded.maxAbsDifference(want) > 1e-2, "a gamma-1 blur must differ from the linear-light one")
    }

    @Test func gammaBlurFractionAveragesCodedValuesAndZeroKeepsTheStream() throws {
        // Black and white stripes: averaging light gives brighter grey than averaging coded values.
        let photo = try TestPhotos.make(80) { _, y, x in Float((x / 2 + y / 3) % 2) }
        var a = TrainingRNG(seed: 8), b = TrainingRNG(seed: 8), c = TrainingRNG(seed: 8)
        let plain = BlurSynthesis.makePair(from: photo, size: 32, maxLength: 12, using: &a)
        let off = BlurSynthesis.makePair(from: photo, size: 32, maxLength: 12, gammaBlurFraction: 0, using: &b)
        let coded = BlurSynthesis.makePair(from: photo, size: 32, maxLength: 12, gammaBlurFraction: 1, using: &c)
        #expect(plain.sharp.array == off.sharp.array && plain.blurry.array == off.blurry.array)
        #expect(coded.sharp.array == plain.sharp.array)
        let mean = { (t: Tensor) in t.array.reduce(0, +) / Float(t.count) }
        #expect(mean(coded.blurry) < mean(plain.blurry) - 0.05, "\(mean(coded.blurry)) vs \(mean(plain.blurry))")
    }


    @Test func sharpFractionLeavesTheInputUnblurredAndZeroKeepsTheStream() throws {
        let photo = try TestPhotos.make(96) { _, y, x in Float((x / 2 + y / 3) % 2) }
        // Off: the same draws as before the option existed.
        var a = TrainingRNG(seed: 9), b = TrainingRNG(seed: 9)
        let plain = BlurSynthesis.makePair(from: photo, size: 32, maxLength: 30, using: &a)
        let off = BlurSynthesis.makePair(from: photo, size: 32, maxLength: 30, sharpFraction: 0, using: &b)
        #expect(plain.sharp.array == off.sharp.array && plain.blurry.array == off.blurry.array)
        // On: the input is its target plus noise (σ ≤ 0.02) and 8-bit rounding only; blurred stripes differ far more.
        var c = TrainingRNG(seed: 9)
        for _ in 0..<8 {
            let pair = BlurSynthesis.makePair(from: photo, size: 32, maxLength: 30, sharpFraction: 1, using: &c)
            let meanAbs = zip(pair.blurry.array, pair.sharp.array).map { abs($0 - $1) }.reduce(0, +) / Float(pair.sharp.count)
            #expect(pair.blurry.shape == pair.sharp.shape)
            #expect(meanAbs < 0.02, "unblurred input differs from its target by \(meanAbs) on average")
        }
        let blurredDiff = zip(plain.blurry.array, plain.sharp.array).map { abs($0 - $1) }.reduce(0, +) / Float(plain.sharp.count)
        #expect(blurredDiff > 0.05, "the blurred control should differ clearly (\(blurredDiff))")
    }
    @Test func randomKernelsAreNormalisedCentredAndBounded() {
        var rng = TrainingRNG(seed: 42)
        for _ in 0..<200 {
            let tr = BlurSynthesis.randomTrajectory(maxLength: 40, using: &rng)
            var arc = 0.0
            for i in 1..<tr.count { let d = tr[i] - tr[i - 1]; arc += (d * d).sum().squareRoot() }
            #expect(arc <= 40 + 1e-6)
            let k = BlurSynthesis.kernel(trajectory: tr)
            #expect(k.size % 2 == 1 && k.size <= 2 * 40 + 3)
            #expect(abs(k.weights.reduce(0, +) - 1) < 1e-4)
            // Bilinear splatting keeps the first moment: the kernel's centroid is its centre.
            var cx: Float = 0, cy: Float = 0
            for y in 0..<k.size { for x in 0..<k.size { cx += Float(x) * k.weights[y * k.size + x]; cy += Float(y) * k.weights[y * k.size + x] } }
            let r = Float(k.size / 2)
            #expect(abs(cx - r) < 1e-3 && abs(cy - r) < 1e-3)
        }
    }

    @Test func blurKeepsConstantImagesAndDeltaIsIdentity() {
        let constant = Tensor(shape: [3, 20, 20], repeating: 0.37)
        var rng = TrainingRNG(seed: 1)
        let k = BlurSynthesis.kernel(trajectory: BlurSynthesis.randomTrajectory(maxLength: 10, using: &rng))
        let out = BlurSynthesis.blurValid(constant, kernel: k)
        #expect(out.shape == [3, 20 - k.size + 1, 20 - k.size + 1])
        #expect(out.maxAbsDifference(Tensor(shape: out.shape, repeating: 0.37)) < 1e-5)
        let img = Tensor.uniform([3, 9, 9], lo: 0, hi: 1, seed: 5)
        let delta = BlurKernel(size: 1, weights: [1])
        #expect(BlurSynthesis.blurValid(img, kernel: delta).maxAbsDifference(img) < 1e-5)
    }

    @Test func pairsAreEightBitAndShaped() throws {
        var rng = TrainingRNG(seed: 3)
        let img = try PlanarRGBImage(width: 90, height: 80, pixels: Tensor.uniform([3 * 80 * 90], lo: 0, hi: 1, seed: 9).array)
        for _ in 0..<5 {
            let (b, s) = BlurSynthesis.makePair(from: img, size: 24, maxLength: 12, using: &rng)
            #expect(b.shape == [3, 24, 24] && s.shape == [3, 24, 24])
            for v in b.array + s.array { #expect(abs(v * 255 - (v * 255).rounded()) < 1e-3 && v >= 0 && v <= 1) }
        }
    }
}

/// Trainer: learning-rate schedule, atomic checkpoints and exact resume.
@Suite struct TrainerTests {
    static func options() -> TrainingOptions {
        var o = TrainingOptions()
        o.steps = 4; o.batch = 2; o.crops = [32]; o.maxBlur = 4; o.unfreezeAt = 0.5; o.adversarialFrom = 0.5
        o.weights = LossWeights(adversarial: 0.1); o.ndf = 4; o.warmupSteps = 1; o.learningRate = 1e-3
        return o
    }

    static func photos() throws -> [RGB8Image] {
        try (0..<2).map { RGB8Image(try PlanarRGBImage(width: 48, height: 46, pixels: Tensor.uniform([3 * 46 * 48], lo: 0, hi: 1, seed: UInt64(20 + $0)).array)) }
    }

    static func generator() throws -> Generator {
        let g = try Generator(config: .tiny, seed: 5)
        g.toRGB.conv.weight.value = Tensor.uniform(g.toRGB.conv.weight.shape, lo: -0.1, hi: 0.1, seed: 6)
        return g
    }

    @Test func learningRateScheduleMatchesReference() throws {
        // scripts/train_reference.py lr_at(step, 4500, 5e-4): warm-up 100, cosine to 2 %.
        let t = try Trainer(generator: Self.generator(), options: TrainingOptions(), photos: [
            RGB8Image(width: 260, height: 260, bytes: [UInt8](repeating: 128, count: 3 * 260 * 260))])
        #expect(abs(t.learningRate(at: 0) - 5e-6) < 1e-9)
        #expect(abs(t.learningRate(at: 99) - 5e-4) < 1e-9)
        #expect(abs(t.learningRate(at: 2300) - 2.55e-4) < 1e-7)
        #expect(abs(t.learningRate(at: 4500) - 1e-5) < 1e-9)
    }

    @Test func photosTooSmallForTheCropsAreSkippedUnlessNoneFit() throws {
        let o = Self.options()  // crops [32], blur ≤ 4 px: a photo needs 32 + 2·4 + 3 = 43 px a side
        #expect(o.photoSideNeeded == 43)
        let small = try RGB8Image(width: 60, height: 42, bytes: [UInt8](repeating: 128, count: 3 * 42 * 60))
        let t = try Trainer(generator: Self.generator(), options: o, photos: [small] + Self.photos())
        #expect(t.photos.count == 2 && t.photos.allSatisfy { $0.height == 46 })
        do {
            _ = try Trainer(generator: Self.generator(), options: o, photos: [small])
            Issue.record("a set with no usable photo must fail")
        } catch {
            #expect("\(error)" == "no photo is large enough: e.g. 60×42, but 43×43 is needed (crop 32 + margin for blurs up to 4 px); lower --crops or --max-blur")
        }
    }

    @Test func resumeContinuesExactly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gan-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ckpt = dir.appendingPathComponent("ckpt.safetensors")

        let straight = try Trainer(generator: Self.generator(), options: Self.options(), photos: Self.photos())
        var lossesA: [[String: Float]] = []
        for _ in 0..<4 { lossesA.append(straight.trainStep()) }

        let first = try Trainer(generator: Self.generator(), options: Self.options(), photos: Self.photos())
        var lossesB: [[String: Float]] = [first.trainStep(), first.trainStep()]
        try first.saveCheckpoint(to: ckpt)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["ckpt.safetensors"])  // no temp file left
        let resumed = try Trainer.resume(from: ckpt, photos: Self.photos())
        #expect(resumed.step == 2 && resumed.rng == first.rng)
        lossesB += [resumed.trainStep(), resumed.trainStep()]

        #expect(lossesA == lossesB)
        #expect(lossesA[3]["d"] != nil && lossesA[0]["d"] == nil)  // the GAN phase was exercised
        for ((k, a), (_, b)) in zip(straight.generator.namedParameters(), resumed.generator.namedParameters()) {
            #expect(a.value.maxAbsDifference(b.value) == 0, "\(k)")
        }
        for ((k, a), (_, b)) in zip(straight.discriminator.namedParameters(), resumed.discriminator.namedParameters()) {
            #expect(a.value.maxAbsDifference(b.value) == 0, "\(k)")
        }
    }

    @Test func aNonFiniteLossStopsTheRunBeforeAnythingIsSaved() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gan-diverge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ckpt = dir.appendingPathComponent("ckpt.safetensors")
        let g = try Self.generator()
        var w = g.toRGB.conv.weight.value.array
        w[0] = .nan  // as a diverged update leaves it
        g.toRGB.conv.weight.value = Tensor(shape: g.toRGB.conv.weight.shape, data: w)
        let trainer = try Trainer(generator: g, options: Self.options(), photos: Self.photos())
        do {
            try trainer.run(checkpoint: ckpt, checkpointInterval: 0)
            Issue.record("a NaN weight must stop the run")
        } catch {
            #expect("\(error)".contains("not finite at step 1"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: ckpt.path), "no checkpoint of NaN weights")
    }

    @Test func aStoppedRunCheckpointsWithoutTheFinalValidation() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gan-stop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ckpt = dir.appendingPathComponent("ckpt.safetensors")
        var validations = 0, polls = 0
        let stopped = try Trainer(generator: Self.generator(), options: Self.options(), photos: Self.photos())
        // Stop after two steps, as Ctrl-C does: the user waits for the run to end, so no validation then.
        try stopped.run(checkpoint: ckpt, validationInterval: 1e9, validate: { _ in validations += 1 },
                        shouldStop: { polls += 1; return polls > 2 })
        #expect(stopped.step == 2 && validations == 0)
        #expect(try Trainer.resume(from: ckpt, photos: Self.photos()).step == 2)
        // Run to the end, it validates once at the end, and leaves no temporary file beside the checkpoint.
        let finished = try Trainer(generator: Self.generator(), options: Self.options(), photos: Self.photos())
        try finished.run(checkpoint: ckpt, validationInterval: 1e9, validate: { _ in validations += 1 })
        #expect(finished.step == Self.options().steps && validations == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["ckpt.safetensors"])
    }

    @Test func movingAverageFollowsTheWeightsAndResumesExactly() throws {
        var o = Self.options(); o.emaDecay = 0.75
        let t = try Trainer(generator: Self.generator(), options: o, photos: Self.photos())
        let average = try #require(t.averaged)
        #expect(t.outputGenerator === average)
        let before = t.generator.namedParameters().map { $0.1.value }
        t.trainStep()
        var moved: Float = 0
        for ((k, a), (p0, w)) in zip(average.namedParameters(), zip(before, t.generator.namedParameters().map { $0.1.value })) {
            // One step from equal weights: average = 0.75·before + 0.25·after.
            let want = Tensor(shape: w.shape, data: zip(p0.array, w.array).map { 0.75 * $0 + 0.25 * $1 })
            #expect(a.value.maxAbsDifference(want) < 1e-6, "\(k)")
            moved = max(moved, p0.maxAbsDifference(w))
        }
        #expect(moved > 0, "the step must move the weights, or the check above proves nothing")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gan-ema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ckpt = dir.appendingPathComponent("ckpt.safetensors")
        for _ in 0..<3 { t.trainStep() }
        let first = try Trainer(generator: Self.generator(), options: o, photos: Self.photos())
        first.trainStep(); first.trainStep()
        try first.saveCheckpoint(to: ckpt)
        let resumed = try Trainer.resume(from: ckpt, photos: Self.photos())
        resumed.trainStep(); resumed.trainStep()
        let a = try #require(resumed.averaged)
        for ((k, x), (_, y)) in zip(average.namedParameters(), a.namedParameters()) {
            #expect(x.value.maxAbsDifference(y.value) == 0, "\(k)")
        }
        let plain = try Trainer(generator: Self.generator(), options: Self.options(), photos: Self.photos())
        #expect(plain.averaged == nil && plain.outputGenerator === plain.generator)
    }

    @Test func encoderLearningRateScaleGovernsTheEncoderUpdate() throws {
        // Unfrozen from step 0: scale 0 must leave every encoder weight as it was, scale 1 must move them,
        // and the decoder learns either way.
        func moved(scale: Float) throws -> (encoder: Float, decoder: Float) {
            var o = Self.options(); o.unfreezeAt = 0; o.adversarialFrom = 1; o.encoderLearningRateScale = scale
            let t = try Trainer(generator: Self.generator(), options: o, photos: Self.photos())
            let before = t.generator.namedParameters().map { ($0.0, $0.1.value) }
            t.trainStep(); t.trainStep()
            var enc: Float = 0, dec: Float = 0
            for ((k, a), (_, b)) in zip(before, t.generator.namedParameters()) {
                let d = a.maxAbsDifference(b.value)
                if k.hasPrefix("encoder.") { enc = max(enc, d) } else { dec = max(dec, d) }
            }
            return (enc, dec)
        }
        let off = try moved(scale: 0), on = try moved(scale: 1)
        #expect(off.encoder == 0 && off.decoder > 0)
        #expect(on.encoder > 0)
    }

    @Test func optionsSavedByAnOlderVersionTakeTodaysDefaults() throws {
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.options())) as? [String: Any] ?? [:]
        json.removeValue(forKey: "encoderLearningRateScale")
        let decoded = try TrainingOptions.decodeOverDefaults(JSONSerialization.data(withJSONObject: json))
        #expect(decoded == Self.options())
        #expect(throws: TrainerError.self) { try TrainingOptions.decodeOverDefaults(Data("[1]".utf8)) }
    }

    @Test func trainingReducesTheLossOnAFixedBatch() throws {
        // Overfitting one synthetic sample must lower the pixel loss: gradients flow through the whole decoder.
        var o = Self.options(); o.steps = 40; o.adversarialFrom = 1; o.unfreezeAt = 0; o.batch = 1; o.learningRate = 3e-3
        let t = try Trainer(generator: Self.generator(), options: o, photos: Self.photos())
        var rng = TrainingRNG(seed: 77)
        let (b, s) = BlurSynthesis.makePair(from: try Self.photos()[0], size: 32, maxLength: 4, using: &rng)
        let blurry = Variable(b.reshaped([1, 3, 32, 32])), sharp = Variable(s.reshaped([1, 3, 32, 32]))
        let opt = Adam(t.generator.namedParameters(), learningRate: 3e-3)
        func loss() -> Variable { GANLoss.generator(fake: t.generator.forward(blurry, clamp: false), sharp: sharp,
                                                    discriminatorLogits: nil, weights: o.weights).total }
        let before = loss().value.scalar
        for _ in 0..<30 { opt.zeroGrad(); loss().backward(); opt.step() }
        #expect(loss().value.scalar < 0.7 * before)
    }
}

/// `soften`: what `--soft-fraction` does to a training photo.
@Suite struct SoftenTests {
    static func image(_ n: Int, _ value: (Int, Int) -> Float) -> [Float] {
        (0..<3).flatMap { _ in (0..<n).flatMap { y in (0..<n).map { x in value(y, x) } } }
    }

    @Test func keepsFlatAndSmoothContentAndRemovesFineDetail() {
        let n = 48
        let flat = BlurSynthesis.soften(Self.image(n) { _, _ in 0.3 }, n: n, factor: 2)
        #expect(flat.allSatisfy { abs($0 - 0.3) < 1e-6 })
        // A ramp is linear, which bilinear upscaling reproduces away from the clamped edges.
        let ramp = Self.image(n) { _, x in Float(x) / Float(n) }
        let softRamp = BlurSynthesis.soften(ramp, n: n, factor: 2)
        for y in 0..<n { for x in 2..<(n - 2) { #expect(abs(softRamp[y * n + x] - ramp[y * n + x]) < 1e-5) } }
        // A one-pixel checkerboard is detail finer than the softened resolution: it turns flat grey.
        let checker = BlurSynthesis.soften(Self.image(n) { y, x in Float((x + y) % 2) }, n: n, factor: 2)
        #expect(checker.allSatisfy { abs($0 - 0.5) < 1e-5 })
        // A 4-pixel-period pattern survives 1.5× but loses contrast.
        let stripes = Self.image(n) { _, x in x % 4 < 2 ? 1 : 0 }
        let ratio = Self.deviation(BlurSynthesis.soften(stripes, n: n, factor: 1.5)) / Self.deviation(stripes)
        #expect(ratio > 0.2 && ratio < 0.8, "contrast kept: \(ratio)")
    }

    /// Standard deviation of the values.
    static func deviation(_ a: [Float]) -> Float {
        let mean = a.reduce(0, +) / Float(a.count)
        return (a.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(a.count)).squareRoot()
    }

    @Test func softFractionOneSoftensTheTargetAndZeroKeepsTheStream() throws {
        let n = 80
        let photo = try PlanarRGBImage(width: n, height: n, pixels: Self.image(n) { _, x in x % 8 < 4 ? 1 : 0 })
        var a = TrainingRNG(seed: 3), b = TrainingRNG(seed: 3), c = TrainingRNG(seed: 3)
        let plain = BlurSynthesis.makePair(from: photo, size: 32, maxLength: 2, using: &a)
        let off = BlurSynthesis.makePair(from: photo, size: 32, maxLength: 2, softFraction: 0, using: &b)
        let soft = BlurSynthesis.makePair(from: photo, size: 32, maxLength: 2, softFraction: 1, using: &c)
        #expect(plain.sharp.array == off.sharp.array && plain.blurry.array == off.blurry.array)
        // Same draws up to the softening, so the same crop: softened, the target's stripes lose contrast.
        let ratio = Self.deviation(soft.sharp.array) / Self.deviation(plain.sharp.array)
        #expect(ratio < 0.75, "contrast kept: \(ratio)")
    }
}
