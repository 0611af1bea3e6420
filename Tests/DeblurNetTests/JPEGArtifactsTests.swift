import Foundation
import Testing
@testable import DeblurNet

/// `JPEGArtifacts` (the `--jpeg-fraction` augmentation) against scripts/blur_synth.py `jpeg_artifacts`, whose
/// generator script also checks it against a real libjpeg round trip.
@Suite struct JPEGArtifactsTests {
    static func golden() throws -> SafetensorsFile {
        try Safetensors.read(contentsOf: Golden.directory.appendingPathComponent("GAN/jpeg_artifacts.safetensors"))
    }

    static func psnr(_ a: [Float], _ b: [Float]) -> Double { Trainer.psnr(a, b) }

    @Test(arguments: ["photo", "noise"]) func matchesPython(_ name: String) throws {
        let f = try Self.golden()
        let x = try f.tensor("\(name).input"), want = try f.tensor("\(name).output").array
        let q = Int(try f.tensor("\(name).quality").array[0])
        let got = JPEGArtifacts.apply(x.array, n: x.shape[1], quality: q)
        // Same 8-bit steps in both: values agree to the last level but for rare rounding ties.
        let off = zip(got, want).filter { abs($0 - $1) > 1e-6 }
        #expect(off.count * 200 <= got.count, "\(off.count) of \(got.count) values differ")
        #expect(off.allSatisfy { abs($0 - $1) <= 2.5 / 255 })
        // And it is not the identity: the golden output really is compressed.
        #expect(Self.psnr(want, x.array) < 45)
    }

    @Test func lowerQualityLosesMoreAndFlatStaysFlat() throws {
        let x = try Self.golden().tensor("photo.input")
        let n = x.shape[1]
        let p = [30, 60, 90, 100].map { Self.psnr(JPEGArtifacts.apply(x.array, n: n, quality: $0), x.array) }
        #expect(p[0] < p[1] && p[1] < p[2] && p[2] < p[3], "PSNR by quality: \(p)")
        #expect(p[3] > 40)
        // A flat grey patch has only a DC coefficient, kept to within one 8-bit level.
        let flat = [Float](repeating: 0.4, count: 3 * 20 * 20)
        #expect(JPEGArtifacts.apply(flat, n: 20, quality: 30).allSatisfy { abs($0 - 0.4) <= 1.5 / 255 })
    }

    @Test func jpegFractionCompressesOnlyTheInputAndZeroKeepsTheStream() throws {
        let photo = try TestPhotos.make(80) { c, y, x in Float((x / 3 + y / 5 + c) % 4) / 3 }
        var a = TrainingRNG(seed: 4), b = TrainingRNG(seed: 4), c = TrainingRNG(seed: 4)
        let plain = BlurSynthesis.makePair(from: photo, size: 32, maxLength: 2, using: &a)
        let off = BlurSynthesis.makePair(from: photo, size: 32, maxLength: 2, jpegFraction: 0, using: &b)
        let jpeg = BlurSynthesis.makePair(from: photo, size: 32, maxLength: 2, jpegFraction: 1, using: &c)
        #expect(plain.sharp.array == off.sharp.array && plain.blurry.array == off.blurry.array)
        // Same draws up to the compression: the same clean target, a degraded input.
        #expect(jpeg.sharp.array == plain.sharp.array)
        #expect(Self.psnr(jpeg.blurry.array, plain.sharp.array) < Self.psnr(plain.blurry.array, plain.sharp.array))
    }
}
