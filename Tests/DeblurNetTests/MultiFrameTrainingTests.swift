import Foundation
import Testing
@testable import DeblurNet

/// Training a model that sees several frames: clip windows, the expansion of a one-frame model (against
/// scripts/make_golden_model.py `tiny_expand3`, PyTorch's `with_frames`), batches, and exact resume.
@Suite struct MultiFrameTrainingTests {
    static func image(_ seed: UInt64, width: Int = 48, height: Int = 46) throws -> PlanarRGBImage {
        try PlanarRGBImage(width: width, height: height,
                           pixels: Tensor.uniform([3 * width * height], lo: 0, hi: 1, seed: seed).array)
    }

    /// Clips whose neighbours differ from the frame, the sharp frame, and each other.
    static func clips() throws -> [ImagePair] {
        try (0..<2).map { i in
            let s = UInt64(40 + 4 * i)
            return try ImagePair(blurry: image(s), sharp: image(s + 1), neighbours: [image(s + 2), image(s + 3)])
        }
    }

    static func options() -> TrainingOptions {
        var o = TrainerTests.options()
        o.unfreezeAt = 0; o.adversarialFrom = 0.5
        return o
    }

    @Test func aWindowRepeatsTheNearestFrameWhereNeighboursAreMissing() throws {
        let (a, b, c, d, x) = try (Self.image(1), Self.image(2), Self.image(3), Self.image(4), Self.image(5))
        let bytes = { (images: [PlanarRGBImage]) in images.map(RGB8Image.init) }  // pairs hold 8-bit images
        let still = try ImagePair(blurry: x, sharp: x)
        #expect(still.window(frames: 3) == bytes([x, x, x]))
        #expect(still.window(frames: 1) == bytes([x]))
        let clip = try ImagePair(blurry: x, sharp: x, neighbours: [a, b])  // a before, b after
        #expect(clip.window(frames: 3) == bytes([a, x, b]))
        #expect(clip.window(frames: 5) == bytes([a, a, x, b, b]))
        let wide = try ImagePair(blurry: x, sharp: x, neighbours: [a, b, c, d])  // a, b before (a oldest); c, d after
        #expect(wide.window(frames: 3) == bytes([b, x, c]))
        #expect(wide.window(frames: 5) == bytes([a, b, x, c, d]))
        #expect(throws: ModelError.self) { try ImagePair(blurry: x, sharp: x, neighbours: [a]) }
        #expect(throws: ModelError.self) { try ImagePair(blurry: x, sharp: x, neighbours: [a, Self.image(6, width: 40)]) }
    }

    @Test func expansionMatchesPyTorchWithFramesAndComputesWhatTheModelDid() throws {
        let f = try GANGoldenTests.file("tiny_expand3")
        let single = try Generator(config: .tiny)
        try single.loadStateDict(GANGoldenTests.prefixed(f, "single."), strict: true)
        let expanded = try single.expanded(toFrames: 3)
        #expect(expanded.config.frames == 3)
        #expect(try expanded.config == GeneratorConfig(json: try #require(f.metadata[GeneratorConfig.metadataKey])))
        let want = GANGoldenTests.prefixed(f, "expanded.")
        let got = expanded.stateDict()
        #expect(Set(got.keys) == Set(want.keys))
        for (k, v) in want { #expect(try #require(got[k]).maxAbsDifference(v) == 0, "\(k)") }
        // Any neighbours: the output is the one-frame model's on the middle frame.
        let window = try (0..<3).map { try Self.image(60 + UInt64($0), width: 45, height: 37) }
        let y = try expanded.deblur(window: window), y1 = try single.deblur(window[1])
        #expect(zip(y.pixels, y1.pixels).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(throws: ModelError.self) { try expanded.expanded(toFrames: 5) }
        #expect(throws: ModelError.self) { try single.expanded(toFrames: 2) }
    }

    @Test func aBatchStacksEachClipsWindowCutAlikeAndStillsRepeatTheFrame() throws {
        let g = try TrainerTests.generator().expanded(toFrames: 3)
        var o = Self.options(); o.batch = 6
        let t = try Trainer(generator: g, options: o, photos: [], pairs: Self.clips())
        let (b, s) = t.makeBatch(size: 32)
        #expect(b.shape == [6, 9, 32, 32] && s.shape == [6, 3, 32, 32])
        let plane = 3 * 32 * 32, x = b.array, y = s.array
        var reversed = 0
        for n in 0..<6 {
            let frames = (0..<3).map { Array(x[((3 * n + $0) * plane)..<((3 * n + $0 + 1) * plane)]) }
            let sharp = Array(y[(n * plane)..<((n + 1) * plane)])
            // Which clip and crop: find the sharp crop in the clip's sharp image, then check the window against it.
            let clip = try #require(Self.clips().first { c in Self.locate(sharp, in: c.sharp) != nil })
            let (x0, y0, flip) = try #require(Self.locate(sharp, in: clip.sharp))
            let cut = { (im: RGB8Image) in Self.cut(im.planar, x0: x0, y0: y0, flip: flip) }
            #expect(frames[1] == cut(clip.blurry))
            let forward = frames[0] == cut(clip.neighbours[0]) && frames[2] == cut(clip.neighbours[1])
            let backward = frames[0] == cut(clip.neighbours[1]) && frames[2] == cut(clip.neighbours[0])
            #expect(forward || backward)
            if backward { reversed += 1 }
        }
        #expect(reversed > 0 && reversed < 6, "time reversal is a coin flip per sample")

        var still = o; still.staticFraction = 1
        let ts = try Trainer(generator: g, options: still, photos: [], pairs: Self.clips())
        let xs = ts.makeBatch(size: 32).0.array
        for n in 0..<6 {
            let f = (0..<3).map { Array(xs[((3 * n + $0) * plane)..<((3 * n + $0 + 1) * plane)]) }
            #expect(f[0] == f[1] && f[2] == f[1])
        }
        // Photos are stills: their synthetic blur repeated.
        let tp = try Trainer(generator: g, options: o, photos: TrainerTests.photos())
        let xp = tp.makeBatch(size: 32).0.array
        let f = (0..<3).map { Array(xp[($0 * plane)..<(($0 + 1) * plane)]) }
        #expect(f[0] == f[1] && f[2] == f[1])
    }

    @Test func trainingMovesTheNeighbourWeightsOfTheStem() throws {
        // The expanded model's stem reads the neighbours through zero weights; clips must train them (the stem
        // learns at the decoder's rate, so with the encoder's rate at 0 it still moves).
        var o = Self.options(); o.encoderLearningRateScale = 0; o.adversarialFrom = 1
        let t = try Trainer(generator: try TrainerTests.generator().expanded(toFrames: 3), options: o, photos: [],
                            pairs: Self.clips())
        let stem = t.generator.encoder.stem.conv.weight
        func neighbourMagnitude() -> Float {
            let w = stem.value.array, perOut = 9 * 9  // [out, 9, 3, 3]
            var m: Float = 0
            for (i, v) in w.enumerated() where !(3..<6).contains((i % perOut) / 9) { m = max(m, abs(v)) }
            return m
        }
        #expect(neighbourMagnitude() == 0)
        let blockBefore = t.generator.encoder.namedParameters().first { $0.0.hasPrefix("blocks.") }?.1.value
        t.trainStep(); t.trainStep()
        #expect(neighbourMagnitude() > 0)
        let blockAfter = t.generator.encoder.namedParameters().first { $0.0.hasPrefix("blocks.") }?.1.value
        #expect(try #require(blockBefore).maxAbsDifference(try #require(blockAfter)) == 0, "the rest of the encoder keeps its rate (0)")
    }

    @Test func aMultiFrameRunResumesExactly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mf-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ckpt = dir.appendingPathComponent("ckpt.safetensors")
        var o = Self.options(); o.staticFraction = 0.5
        let g = { try TrainerTests.generator().expanded(toFrames: 3) }
        let straight = try Trainer(generator: g(), options: o, photos: TrainerTests.photos(), pairs: Self.clips())
        let lossesA = (0..<4).map { _ in straight.trainStep() }
        let first = try Trainer(generator: g(), options: o, photos: TrainerTests.photos(), pairs: Self.clips())
        var lossesB = [first.trainStep(), first.trainStep()]
        try first.saveCheckpoint(to: ckpt)
        let resumed = try Trainer.resume(from: ckpt, photos: TrainerTests.photos(), pairs: Self.clips())
        #expect(resumed.generator.config.frames == 3 && resumed.options.staticFraction == 0.5)
        lossesB += [resumed.trainStep(), resumed.trainStep()]
        #expect(lossesA == lossesB)
        for ((k, a), (_, b)) in zip(straight.generator.namedParameters(), resumed.generator.namedParameters()) {
            #expect(a.value.maxAbsDifference(b.value) == 0, "\(k)")
        }
    }

    /// The crop (x0, y0, flip) of `image` that `crop` is, if any.
    static func locate(_ crop: [Float], in image: RGB8Image) -> (Int, Int, Bool)? {
        let planar = image.planar
        for y0 in 0...(image.height - 32) { for x0 in 0...(image.width - 32) { for flip in [false, true] {
            if cut(planar, x0: x0, y0: y0, flip: flip) == crop { return (x0, y0, flip) }
        } } }
        return nil
    }

    static func cut(_ im: PlanarRGBImage, x0: Int, y0: Int, flip: Bool) -> [Float] {
        var o = [Float](repeating: 0, count: 3 * 32 * 32)
        for c in 0..<3 { for y in 0..<32 { for x in 0..<32 {
            o[(c * 32 + y) * 32 + x] = im.pixels[(c * im.height + y0 + y) * im.width + (flip ? x0 + 31 - x : x0 + x)]
        } } }
        return o
    }
}
