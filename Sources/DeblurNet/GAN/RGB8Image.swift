import Foundation

/// Planar RGB pixels read as floats in [0, 1], however they are stored (`PlanarRGBImage`, `RGB8Image`).
public protocol PlanarRGBSource: Sendable {
    var width: Int { get }
    var height: Int { get }
    /// The planar floats of the `w`×`h` rectangle at (x, y): `[(c·h + row)·w + col]`.
    func region(x: Int, y: Int, width w: Int, height h: Int) -> [Float]
}

extension PlanarRGBImage: PlanarRGBSource {
    public func region(x: Int, y: Int, width w: Int, height h: Int) -> [Float] {
        var out = [Float](repeating: 0, count: 3 * w * h)
        for c in 0..<3 { for row in 0..<h {
            let s = (c * height + y + row) * width + x, d = (c * h + row) * w
            for col in 0..<w { out[d + col] = pixels[s + col] }
        } }
        return out
    }
}

/// A planar RGB image of 8-bit values (`bytes[(c·height + y)·width + x]` = round(255·v)): how training sets are held
/// in memory, at a quarter of `PlanarRGBImage`'s size. Pictures decoded from 8-bit RGB files round-trip exactly;
/// frames converted from YUV move by less than half a level.
public struct RGB8Image: PlanarRGBSource, Equatable {
    public let width: Int, height: Int
    public let bytes: [UInt8]

    public init(width: Int, height: Int, bytes: [UInt8]) throws {
        try PlanarRGBImage.checkSize(width: width, height: height, count: bytes.count, of: "bytes")
        self.width = width; self.height = height; self.bytes = bytes
    }

    /// `image` rounded to 8 bits (values outside [0, 1] clamped, NaN as 0).
    public init(_ image: PlanarRGBImage) {
        width = image.width; height = image.height
        bytes = image.pixels.map { $0.isNaN ? 0 : UInt8((min(max($0, 0), 1) * 255).rounded()) }
    }

    /// As floats in [0, 1].
    public var planar: PlanarRGBImage {
        PlanarRGBImage(checkedWidth: width, height: height, pixels: bytes.map { Self.float[Int($0)] })
    }

    public func region(x: Int, y: Int, width w: Int, height h: Int) -> [Float] {
        var out = [Float](repeating: 0, count: 3 * w * h)
        bytes.withUnsafeBufferPointer { src in
            for c in 0..<3 { for row in 0..<h {
                let s = (c * height + y + row) * width + x, d = (c * h + row) * w
                for col in 0..<w { out[d + col] = Self.float[Int(src[s + col])] }
            } }
        }
        return out
    }

    /// v · (1/255) for each byte, as the pipeline's decoders compute it, so a decoded 8-bit picture round-trips
    /// bit for bit.
    static let float: [Float] = { let inv: Float = 1 / 255; return (0...255).map { Float($0) * inv } }()
}
