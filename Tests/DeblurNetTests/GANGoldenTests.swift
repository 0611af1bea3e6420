import Foundation
import Testing
@testable import DeblurNet

/// The Swift generator, discriminator and losses against scripts/make_golden_model.py (PyTorch reference).
@Suite struct GANGoldenTests {
    static func file(_ name: String) throws -> SafetensorsFile {
        try Safetensors.read(contentsOf: Golden.directory.appendingPathComponent("GAN/\(name).safetensors"))
    }

    static func prefixed(_ f: SafetensorsFile, _ prefix: String) -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (k, v) in f.tensors where k.hasPrefix(prefix) { d[String(k.dropFirst(prefix.count))] = v }
        return d
    }

    @Test func configJSONRoundTripsAndMatchesReference() throws {
        let f = try Self.file("tiny_forward")
        let json = try #require(f.metadata[GeneratorConfig.metadataKey])
        let cfg = try GeneratorConfig(json: json)
        #expect(cfg == .tiny)
        #expect(try GeneratorConfig(json: cfg.json) == cfg)
        let d = try Self.file("default_forward")
        #expect(try GeneratorConfig(json: #require(d.metadata[GeneratorConfig.metadataKey])) == .default)
    }

    @Test func stateDictKeysMatchPyTorch() throws {
        let f = try Self.file("tiny_forward")
        let g = try Generator(config: .tiny)
        let ours = Set(g.stateDict().keys)
        let theirs = Set(Self.prefixed(f, "model.").keys)
        #expect(ours == theirs)
    }

    @Test func tinyForwardMatchesPyTorch() throws {
        let f = try Self.file("tiny_forward")
        let g = try Generator(config: .tiny)
        try g.loadStateDict(Self.prefixed(f, "model."), strict: true)
        let x = try f.tensor("input")
        let y = noGrad { g.forward(Variable(x), clamp: false).value }
        let yc = try g.deblur(x)
        #expect(y.shape == [1, 3, 37, 45])
        #expect(relativeError(y, try f.tensor("output_unclamped")) < 1e-4)
        #expect(yc.maxAbsDifference(try f.tensor("output")) < 1e-4)
    }

    @Test func defaultConfigForwardMatchesPyTorch() throws {
        let f = try Self.file("default_forward")
        let g = try Generator(config: .default)
        let classifier = Golden.directory.appendingPathComponent("Classifier/efficientnet-lite0-f16.safetensors")
        try g.encoder.loadPretrained(from: classifier)
        try g.loadStateDict(Self.prefixed(f, "decoder."), strict: false)
        let x = try f.tensor("input")
        let y = noGrad { g.forward(Variable(x), clamp: false).value }
        #expect(relativeError(y, try f.tensor("output_unclamped")) < 1e-3)
    }

    @Test func trainingStepGradientsMatchPyTorch() throws {
        let f = try Self.file("tiny_train_step")
        let g = try Generator(config: .tiny)
        try g.loadStateDict(Self.prefixed(try Self.file("tiny_forward"), "model."), strict: true)
        let d = PatchDiscriminator(ndf: 4)
        try d.loadStateDict(Self.prefixed(f, "d."), strict: true)
        let weights = LossWeights(adversarial: 0.1, multiScale: 1, pixel: 0.5)
        let blurry = Variable(try f.tensor("blurry")), sharp = Variable(try f.tensor("sharp"))
        let losses = try #require(Golden.meta(f, "losses") as? [String: Double])

        let fake = g.forward(blurry, clamp: false)
        #expect(relativeError(fake.value, try f.tensor("fake")) < 1e-4)
        let dFake = d(clamp(fake, min: 0, max: 1))
        #expect(relativeError(dFake.value, try f.tensor("d_fake")) < 1e-4)
        let (lg, parts) = GANLoss.generator(fake: fake, sharp: sharp, discriminatorLogits: dFake, weights: weights)
        for k in ["pix", "ms", "adv", "total"] {
            let ref = try #require(losses[k])
            #expect(abs(Double(parts[k] ?? .nan) - ref) < 1e-5 * max(1, abs(ref)), "\(k)")
        }
        g.zeroGrad(); d.zeroGrad()
        lg.backward()
        for (name, p) in g.namedParameters() {
            let ref = try f.tensor("grad.g." + name)
            let grad = try #require(p.grad, "no gradient for \(name)")
            #expect(relativeError(grad, ref) < 2e-3, "grad.g.\(name)")
        }
        d.zeroGrad()
        let ld = GANLoss.discriminator(realLogits: d(sharp), fakeLogits: d(clamp(fake.detached(), min: 0, max: 1)))
        #expect(abs(Double(ld.value.scalar) - (losses["d"] ?? .nan)) < 1e-5)
        ld.backward()
        for (name, p) in d.namedParameters() {
            let ref = try f.tensor("grad.d." + name)
            let grad = try #require(p.grad, "no gradient for \(name)")
            #expect(relativeError(grad, ref) < 2e-3, "grad.d.\(name)")
        }
    }

    @Test func macCountMatchesReferenceAndBudget() throws {
        let g = try Generator(config: .default)
        let macs = g.macs(height: 720, width: 1280)
        // scripts/reference_model.py: default 12.73 GMACs, small 7.36, quality 21.87 (hook-based count).
        #expect(abs(Double(macs) / 1e9 - 12.73) < 0.01)
        #expect(abs(Double(try Generator(config: .small).macs(height: 720, width: 1280)) / 1e9 - 7.36) < 0.01)
        #expect(abs(Double(try Generator(config: .quality).macs(height: 720, width: 1280)) / 1e9 - 21.87) < 0.01)
        // `default` plus 2 + 2 refinement blocks at strides 8 and 4 ("mid" in the reference): 14.81 GMACs.
        var coarse = GeneratorConfig.default
        coarse.refineEighth = 2; coarse.refineQuarter = 2
        #expect(abs(Double(try Generator(config: coarse).macs(height: 720, width: 1280)) / 1e9 - 14.81) < 0.01)
        #expect(macs <= 15_000_000_000)
    }

    @Test func presetsAreFoundByName() throws {
        #expect(GeneratorConfig.presetNames == ["default", "quality", "small", "paper", "tiny"])
        #expect(GeneratorConfig.preset("quality") == .quality)
        #expect(GeneratorConfig.preset("default") == .default)
        #expect(GeneratorConfig.preset("small") == .small)
        #expect(GeneratorConfig.preset("wide") == nil)
        // `small` is `default` at half the decoder width (what scripts/widen_model.py widened to make it).
        #expect(GeneratorConfig.small.decoder.map { $0 * 2 } == GeneratorConfig.default.decoder)
        #expect(GeneratorConfig.small.halfChannels * 2 == GeneratorConfig.default.halfChannels)
        #expect(GeneratorConfig.small.fullChannels * 2 == GeneratorConfig.default.fullChannels)
        for p in GeneratorConfig.presets { try p.validate() }
    }

    @Test func refinementConfigFieldsDecodeValidateAndStayOutOfOldJSON() throws {
        // Configs written before refinement blocks existed load with none, and write the same JSON back.
        #expect(!GeneratorConfig.default.json.contains("refine"))
        #expect(try GeneratorConfig(json: GeneratorConfig.default.json) == .default)
        let q = try GeneratorConfig(json: GeneratorConfig.quality.json)
        #expect(q == .quality && q.refineHalf == 2 && q.refineFull == 2)
        var bad = GeneratorConfig.default
        bad.refineFull = -1
        #expect(throws: ModelError.self) { try bad.validate() }
        var plain = GeneratorConfig.paper
        plain.refineHalf = 1
        #expect(throws: ModelError.self) { try plain.validate() }
        plain.refineHalf = 0; plain.refineEighth = 1
        #expect(throws: ModelError.self) { try plain.validate() }
        var coarse = GeneratorConfig.default
        coarse.refineEighth = 2; coarse.refineQuarter = 1
        #expect(coarse.json.contains("\"refine_eighth\":2") && coarse.json.contains("\"refine_quarter\":1"))
        #expect(try GeneratorConfig(json: coarse.json) == coarse)
        coarse.refineQuarter = -1
        #expect(throws: ModelError.self) { try coarse.validate() }
    }

    /// What scripts/widen_model.py relies on: adding refinement blocks to a trained model keeps its output.
    @Test func newRefinementBlocksStartAsTheIdentity() throws {
        let f = try Self.file("tiny_forward")
        var plainConfig = GeneratorConfig.tiny
        plainConfig.refineEighth = 0; plainConfig.refineQuarter = 0; plainConfig.refineHalf = 0; plainConfig.refineFull = 0
        let plain = try Generator(config: plainConfig)
        let refined = try Generator(config: .tiny)
        let trained = Self.prefixed(f, "model.").filter { !$0.key.hasPrefix("refine") }
        try plain.loadStateDict(trained, strict: true)
        try refined.loadStateDict(trained, strict: false)
        #expect(Set(refined.stateDict().keys).subtracting(trained.keys).allSatisfy { $0.hasPrefix("refine") })
        let x = try f.tensor("input")
        let a = noGrad { plain.forward(Variable(x), clamp: false).value }
        let b = noGrad { refined.forward(Variable(x), clamp: false).value }
        #expect(a.maxAbsDifference(b) == 0)
        // …and the golden weights, whose refinement blocks are not zero, do change it.
        try refined.loadStateDict(Self.prefixed(f, "model."), strict: true)
        let c = noGrad { refined.forward(Variable(x), clamp: false).value }
        #expect(a.maxAbsDifference(c) > 1e-3)
    }

    @Test func untrainedGeneratorIsIdentity() throws {
        let g = try Generator(config: .tiny)
        let x = Tensor.uniform([1, 3, 20, 33], lo: 0, hi: 1, seed: 3)
        #expect(try g.deblur(x).maxAbsDifference(x) == 0)
        // Sides shorter than the stride (16) are mirrored out and cropped back: still the identity, pixel for pixel.
        for shape in [[1, 3, 8, 40], [2, 3, 1, 5], [1, 3, 15, 2]] {
            let small = Tensor.uniform(shape, lo: 0, hi: 1, seed: 4)
            #expect(try g.deblur(small).shape == shape)
            #expect(try g.deblur(small).maxAbsDifference(small) == 0, "\(shape)")
        }
        #expect(throws: ModelError.self) { try g.deblur(Tensor.zeros([1, 3, 0, 40])) }
        let planar = try PlanarRGBImage(width: 33, height: 20, pixels: x.array)
        #expect(try g.deblur(planar) == planar)
        #expect(throws: ModelError.self) { try PlanarRGBImage(width: 33, height: 20, pixels: [0.5]) }
    }

    @Test func saveLoadRoundTripKeepsConfigAndWeights() throws {
        let f = try Self.file("tiny_forward")
        let g = try Generator(config: .tiny)
        try g.loadStateDict(Self.prefixed(f, "model."), strict: true)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gan-roundtrip-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try g.save(to: url, dtype: .f32)
        let h = try Generator.load(from: url)
        #expect(h.config == .tiny)
        let x = try f.tensor("input")
        #expect(try h.deblur(x).maxAbsDifference(try g.deblur(x)) == 0)
    }
}

/// The converted ImageNet encoder really is pretrained: the bundled coffee photo is classified as espresso.
@Suite struct PretrainedEncoderTests {
    @Test func coffeePhotoIsClassifiedAsEspresso() throws {
        let dir = Golden.directory.appendingPathComponent("Classifier")
        let fixture = try Safetensors.read(contentsOf: dir.appendingPathComponent("coffee224.safetensors"))
        let clf = EfficientNetLite0Classifier()
        try clf.load(from: dir.appendingPathComponent("efficientnet-lite0-f16.safetensors"))
        let image = try fixture.tensor("image")
        let logits = noGrad { clf(Variable(image.reshaped([1, 3, 224, 224]))).value }
        let ref = try fixture.tensor("logits")
        let top5 = try fixture.tensor("top5").array.map { Int($0) }
        let ours = logits.array.enumerated().sorted { $0.element > $1.element }.prefix(5).map { $0.offset }
        #expect(ours[0] == 967)  // ImageNet "espresso"
        #expect(Set(ours) == Set(top5))
        #expect(logits.maxAbsDifference(ref) < 0.1)  // F16 weights vs the F32 reference
    }

    @Test func bundledEncoderMatchesConvertedWeights() throws {
        let url = try #require(EfficientNetLite0Encoder.pretrainedURL)
        let enc = EfficientNetLite0Encoder(blocks: 11)
        try enc.loadPretrained(from: url)
        let ref = EfficientNetLite0Encoder(blocks: 11)
        try ref.loadPretrained(from: Golden.directory.appendingPathComponent("Classifier/efficientnet-lite0-f16.safetensors"))
        for ((k, a), (_, b)) in zip(enc.namedParameters(), ref.namedParameters()) {
            #expect(a.value.maxAbsDifference(b.value) == 0, "\(k)")
        }
    }
}
