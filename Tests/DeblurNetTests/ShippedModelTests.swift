import Foundation
import Testing
@testable import DeblurNet

/// The shipped default model (package resource): loads, stays in budget, matches its PyTorch output and really
/// deblurs held-out samples (golden from `scripts/make_golden_model.py --shipped`).
@Suite struct ShippedModelTests {
    @Test func bundledDefaultLoadsWithDefaultConfig() throws {
        let g = try Generator.bundledDefault()
        #expect(g.config == .default)
        #expect(g.macs(height: 720, width: 1280) <= 15_000_000_000)
    }

    @Test(arguments: ["synth", "pan"]) func deblursHeldOutSamplesLikePyTorch(_ key: String) throws {
        let f = try Safetensors.read(contentsOf: Golden.directory.appendingPathComponent("GAN/shipped_model.safetensors"))
        let g = try Generator.bundledDefault()
        let blurry = try f.tensor("\(key).blurry"), sharp = try f.tensor("\(key).sharp")
        let y = try g.deblur(blurry)
        #expect(y.maxAbsDifference(try f.tensor("\(key).output")) < 2e-3)
        let pin = Trainer.psnr(blurry.array, sharp.array), pout = Trainer.psnr(y.array, sharp.array)
        #expect(pout > pin + 1, "PSNR \(pin) → \(pout)")
    }

    /// Inference computes the full-resolution stage in bands of rows; recording gradients computes it whole. Both
    /// give the same picture, also where the last band is shorter than the others.
    @Test(arguments: [(65, 48), (96, 80), (97, 33), (161, 50)])
    func bandedFullResolutionStageEqualsTheWholeOne(height: Int, width: Int) throws {
        let g = try Generator.bundledDefault()
        let x = Tensor.uniform([2, 3, height, width], lo: 0, hi: 1, seed: UInt64(height))
        let banded = noGrad { g(Variable(x)) }.value
        let whole = g(Variable(x)).value   // gradients recorded: the unbanded path
        #expect(banded.shape == whole.shape)
        #expect(banded.maxAbsDifference(whole) < 1e-5, "\(banded.maxAbsDifference(whole))")
        #expect(height > 2 * Generator.fullResolutionBand, "tall enough to be cut into bands")
    }
}
