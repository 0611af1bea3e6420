import Foundation
import Testing
@testable import DeblurNet

/// A generator that takes 3 consecutive frames (`frames` in the config) against scripts/make_golden_model.py's
/// `tiny_frames3` (PyTorch reference): forward, gradients, config JSON, cost and input checks.
@Suite struct MultiFrameGeneratorTests {
    static func golden() throws -> (SafetensorsFile, Generator) {
        let f = try GANGoldenTests.file("tiny_frames3")
        let config = try GeneratorConfig(json: try #require(f.metadata[GeneratorConfig.metadataKey]))
        let g = try Generator(config: config)
        try g.loadStateDict(GANGoldenTests.prefixed(f, "model."), strict: true)
        return (f, g)
    }

    @Test func configCarriesFramesAndOnlyWhenMoreThanOne() throws {
        let (_, g) = try Self.golden()
        var expected = GeneratorConfig.tiny
        expected.frames = 3
        #expect(g.config == expected)
        #expect(g.config.inputChannels == 9)
        #expect(g.config.json.contains("\"frames\":3"))
        #expect(!GeneratorConfig.default.json.contains("frames"))
        #expect(try GeneratorConfig(json: g.config.json) == g.config)
        for bad in [0, 2, -1] {
            var c = GeneratorConfig.tiny
            c.frames = bad
            #expect(throws: ModelError.self) { try c.validate() }
        }
        #expect(throws: ModelError.self) { try Generator.pretrained(config: expected) }
    }

    @Test func forwardMatchesPyTorch() throws {
        let (f, g) = try Self.golden()
        let x = try f.tensor("input")
        let y = noGrad { g.forward(Variable(x), clamp: false).value }
        #expect(y.shape == [2, 3, 37, 45])
        #expect(relativeError(y, try f.tensor("output_unclamped")) < 1e-4)
        #expect(try g.deblur(x).maxAbsDifference(try f.tensor("output")) < 1e-4)
        // Self-ensemble transforms all nine planes alike, so it runs on windows too.
        #expect(try g.deblur(x, ensemble: 2).shape == [2, 3, 37, 45])
    }

    @Test func aWindowOfPlanarImagesIsTheStackedInput() throws {
        let (f, g) = try Self.golden()
        let x = try f.tensor("input").array, plane = 37 * 45
        // Sample 0 of the batch: three RGB frames, oldest first.
        let window = try (0..<3).map { try PlanarRGBImage(width: 45, height: 37, pixels: Array(x[($0 * 3 * plane)..<(($0 + 1) * 3 * plane)])) }
        let y = try g.deblur(window: window)
        let expected = Array(try f.tensor("output").array[0..<(3 * plane)])
        #expect(zip(y.pixels, expected).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(throws: ModelError.self) { try g.deblur(window: Array(window.prefix(2))) }
        // One image is a still: its own neighbours.
        let still = try g.deblur(window[1])
        #expect(still == (try g.deblur(window: [window[1], window[1], window[1]])))
        #expect(still != y)
    }

    @Test func gradientsMatchPyTorch() throws {
        let (f, g) = try Self.golden()
        let fake = g.forward(Variable(try f.tensor("input")), clamp: false)
        let (loss, _) = GANLoss.generator(fake: fake, sharp: Variable(try f.tensor("sharp")), discriminatorLogits: nil,
                                          weights: LossWeights(adversarial: 0, multiScale: 1, pixel: 0.5))
        let text = try #require(f.metadata["loss"])
        let ref = try #require(Double(text))
        #expect(abs(Double(loss.value.scalar) - ref) < 1e-5 * max(1, abs(ref)))
        g.zeroGrad()
        loss.backward()
        for (name, p) in g.namedParameters() {
            let grad = try #require(p.grad, "no gradient for \(name)")
            #expect(relativeError(grad, try f.tensor("grad." + name)) < 2e-3, "grad.\(name)")
        }
    }

    @Test func macCountMatchesReferenceAndBudget() throws {
        var c = GeneratorConfig.default
        c.frames = 3
        // scripts/reference_model.py count_macs: 13,350,700,800 at 1280×720 (one frame: 12,725,856,000).
        let macs = try Generator(config: c).macs(height: 720, width: 1280)
        #expect(macs == 13_350_700_800)
        #expect(macs <= 15_000_000_000)
    }

    @Test func aSingleFrameIsRefusedWithTheExpectedShape() throws {
        let (_, g) = try Self.golden()
        let single = Tensor(shape: [1, 3, 32, 32], data: [Float](repeating: 0.5, count: 3 * 32 * 32))
        #expect {
            _ = try g.deblur(single)
        } throws: { error in
            "\(error)".contains("[N, 9, H, W] (3 frames of RGB, oldest first)")
        }
    }
}
