import Foundation
import Testing
@testable import Restoration

/// Unsharp mask, Wiener and Richardson–Lucy against scikit-image; the motion PSF against a NumPy
/// implementation of the documented construction. Tolerances: max absolute difference per sample.
@Suite struct ClassicalGoldenTests {
    static func classical() throws -> [String: Any] { try Golden.dict(Golden.meta()["classical"]) }

    @Test func motionPSFMatchesReferenceConstruction() throws {
        let psfs = try Golden.dict(Self.classical()["motion_psfs"])
        #expect(psfs.count == 5)
        for (key, any) in psfs {
            let e = try Golden.dict(any)
            let want = try Golden.psf(e)
            let got = try PointSpreadFunction.motion(length: Golden.number(e, "length"), angleDegrees: Golden.number(e, "angle"))
            #expect(got.width == want.width && got.height == want.height, "\(key)")
            #expect(maxAbsDifference(got.weights.map(Float.init), want.weights.map(Float.init)) < 1e-6, "\(key)")
        }
        // A horizontal length-5 blur is the 5-tap box.
        let box = try PointSpreadFunction.motion(length: 5, angleDegrees: 0)
        #expect(box.height == 5 && box.weights[10..<15].allSatisfy { abs($0 - 0.2) < 1e-12 })
        // Beyond 1001 pixels a PSF would take minutes per frame: refused, from a length or from an image.
        #expect(throws: RestorationError.self) { try PointSpreadFunction.motion(length: 1002, angleDegrees: 0) }
        let wide = PlanarImage(width: PointSpreadFunction.maxSide + 1, height: 3, channels: 1)
        #expect(throws: RestorationError.self) { try PointSpreadFunction(image: wide) }
        #expect(throws: RestorationError.self) { try UnsharpMask(sigma: UnsharpMask.maxSigma * 2) }
        _ = try UnsharpMask(sigma: UnsharpMask.maxSigma)
    }

    @Test func unsharpMaskMatchesScikitImage() throws {
        let c = try Self.classical()
        let blurred = try Golden.imageF(Golden.dict(c["blurred"]))
        let e = try Golden.dict(c["unsharp"])
        let got = try UnsharpMask(sigma: Golden.number(e, "radius"), amount: Golden.number(e, "amount")).apply(blurred)
        let diff = maxAbsDifference(got.pixels, try Golden.imageF(e).pixels)
        #expect(diff < 1e-5, "max difference \(diff)")
    }

    @Test func wienerMatchesScikitImage() throws {
        let c = try Self.classical()
        let blurred = try Golden.imageF(Golden.dict(c["blurred"]))
        let e = try Golden.dict(c["wiener"])
        var wiener = try WienerDeconvolution(psf: Golden.psf(Golden.dict(c["psf"])), balance: Golden.number(e, "balance"))
        let got = try wiener.apply(blurred)
        #expect(maxAbsDifference(got.pixels, try Golden.imageF(e).pixels) < 1e-5)
        // Second frame reuses the cached filter and must give the same answer.
        #expect(try wiener.apply(blurred) == got)
    }

    @Test func wienerEvenPSFAndPrimeSize() throws {
        let c = try Self.classical()
        let gray = try Golden.imageF(Golden.dict(c["gray"]))
        let e = try Golden.dict(c["wiener_even"])
        var wiener = try WienerDeconvolution(psf: Golden.psf(Golden.dict(c["even_psf"])), balance: Golden.number(e, "balance"), clip: false)
        #expect(maxAbsDifference(try wiener.apply(gray).pixels, try Golden.imageF(e).pixels) < 1e-5)
    }

    @Test func richardsonLucyMatchesScikitImage() throws {
        let c = try Self.classical()
        let blurred = try Golden.imageF(Golden.dict(c["blurred"]))
        let e = try Golden.dict(c["richardson_lucy"])
        let rl = try RichardsonLucy(psf: Golden.psf(Golden.dict(c["psf"])), iterations: Int(Golden.number(e, "num_iter")))
        #expect(maxAbsDifference(try rl.apply(blurred).pixels, try Golden.imageF(e).pixels) < 1e-4)
    }

    @Test func richardsonLucyEvenPSF() throws {
        let c = try Self.classical()
        let gray = try Golden.imageF(Golden.dict(c["gray"]))
        let e = try Golden.dict(c["rl_even"])
        let rl = try RichardsonLucy(psf: Golden.psf(Golden.dict(c["even_psf"])), iterations: Int(Golden.number(e, "num_iter")), clip: false)
        #expect(maxAbsDifference(try rl.apply(gray).pixels, try Golden.imageF(e).pixels) < 1e-4)
    }

    @Test func mirrorBoundaryMatchesScikitImageOnPaddedImage() throws {
        let c = try Self.classical()
        let gray = try Golden.imageF(Golden.dict(c["gray"]))
        let psf = try Golden.psf(Golden.dict(c["even_psf"]))
        let we = try Golden.dict(c["wiener_mirror"])
        var wiener = try WienerDeconvolution(psf: psf, balance: Golden.number(we, "balance"), margin: Int(Golden.number(we, "margin")))
        let w = try wiener.apply(gray)
        #expect(w.width == 67 && w.height == 37)
        #expect(maxAbsDifference(w.pixels, try Golden.imageF(we).pixels) < 1e-5)
        let re = try Golden.dict(c["rl_mirror"])
        let rl = try RichardsonLucy(psf: psf, iterations: Int(Golden.number(re, "num_iter")), margin: Int(Golden.number(re, "margin")))
        #expect(maxAbsDifference(try rl.apply(gray).pixels, try Golden.imageF(re).pixels) < 1e-4)
    }

    @Test("a PSF larger than the image is refused, with or without a mirror margin")
    func psfLargerThanImageIsRefused() throws {
        let psf = try PointSpreadFunction.motion(length: 12, angleDegrees: 0)   // 13×1 or wider
        let image = PlanarImage(width: 10, height: 6, channels: 3)
        let expected = RestorationError.psfLargerThanImage(psf: "\(psf.width)x\(psf.height)", image: "10x6")
        for margin in [0, 2 * psf.width] {
            var wiener = try WienerDeconvolution(psf: psf, balance: 0.01, margin: margin)
            #expect(throws: expected) { try wiener.apply(image) }
            let rl = try RichardsonLucy(psf: psf, iterations: 2, margin: margin)
            #expect(throws: expected) { try rl.apply(image) }
        }
        // The same PSF on an image it fits is deconvolved.
        var wiener = try WienerDeconvolution(psf: psf, balance: 0.01, margin: 2 * psf.width)
        #expect(try wiener.apply(PlanarImage(width: psf.width, height: psf.height, channels: 3)).width == psf.width)
        #expect(expected.description.contains("larger than the image (10x6)"))
    }

    @Test func mirrorPaddingIsNumpySymmetric() throws {
        // np.pad([[1, 2, 3]], ((0, 0), (2, 4)), mode="symmetric") == [[2, 1, 1, 2, 3, 3, 2, 1, 1]]
        let row = try PlanarImage(width: 3, height: 1, channels: 1, pixels: [1, 2, 3])
        let p = row.mirrorPadded(left: 2, top: 0, width: 9, height: 1)
        #expect(p.pixels == [2, 1, 1, 2, 3, 3, 2, 1, 1])
        #expect(p.cropped(left: 2, top: 0, width: 3, height: 1) == row)
        #expect(FFTPlan.fastSize(atLeast: 91) == 96 && FFTPlan.fastSize(atLeast: 61) == 64 && FFTPlan.fastSize(atLeast: 7) == 8)
    }
}
