import Foundation
import Testing
@testable import DeblurNet

/// Training images held as bytes: exact for 8-bit pictures, and the same samples as the floats they stand for.
@Suite struct RGB8ImageTests {
    /// A 37×29 picture as the pipeline's decoders give it: 8-bit values times 1/255.
    static func decoded() throws -> PlanarRGBImage {
        let inv: Float = 1 / 255
        let px = (0..<(3 * 37 * 29)).map { (i: Int) -> Float in
            let v: Int = (i * 7919 + i / 37) % 256
            return Float(v) * inv
        }
        return try PlanarRGBImage(width: 37, height: 29, pixels: px)
    }

    @Test func aDecodedPictureRoundTripsBitForBit() throws {
        let floats = try Self.decoded()
        let bytes = RGB8Image(floats)
        #expect(bytes.bytes.count == 3 * 37 * 29)
        #expect(bytes.planar == floats)
        #expect(bytes.region(x: 5, y: 3, width: 20, height: 11) == floats.region(x: 5, y: 3, width: 20, height: 11))
        // The region is the rectangle, read independently here.
        let r = floats.region(x: 5, y: 3, width: 20, height: 11)
        let inRegion = (2 * 11 + 4) * 20 + 7, inImage = (2 * 29 + 3 + 4) * 37 + 5 + 7  // blue, row 4, column 7
        #expect(r[inRegion] == floats.pixels[inImage])
    }

    @Test func otherValuesRoundToTheNearestByteAndClamp() throws {
        let im = try PlanarRGBImage(width: 2, height: 1, pixels: [-0.2, 1.3, 0.5, .nan, .infinity, 0.2])
        #expect(RGB8Image(im).bytes == [0, 255, 128, 0, 255, 51])
        #expect(throws: ModelError.self) { try RGB8Image(width: 2, height: 2, bytes: [0, 1, 2]) }
    }

    @Test func samplesFromBytesEqualSamplesFromTheFloats() throws {
        let floats = try PlanarRGBImage(width: 96, height: 80, pixels: RGB8Image(
            try PlanarRGBImage(width: 96, height: 80, pixels: Tensor.uniform([3 * 80 * 96], lo: 0, hi: 1, seed: 4).array)).planar.pixels)
        let bytes = RGB8Image(floats)
        var a = TrainingRNG(seed: 11), b = TrainingRNG(seed: 11)
        for _ in 0..<4 {
            let x = BlurSynthesis.makePair(from: floats, size: 32, maxLength: 12, softFraction: 0.5, jpegFraction: 0.5, using: &a)
            let y = BlurSynthesis.makePair(from: bytes, size: 32, maxLength: 12, softFraction: 0.5, jpegFraction: 0.5, using: &b)
            #expect(x.blurry.array == y.blurry.array && x.sharp.array == y.sharp.array)
            let cx = Trainer.crop([floats, floats], size: 24, using: &a), cy = Trainer.crop([bytes, bytes], size: 24, using: &b)
            #expect(cx == cy)
        }
    }
}
