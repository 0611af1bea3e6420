@testable import DeblurNet

/// Synthetic photos for the data-augmentation tests.
enum TestPhotos {
    /// An n×n planar RGB image whose sample at (channel, y, x) is `value(c, y, x)`.
    static func make(_ n: Int, _ value: (Int, Int, Int) -> Float) throws -> PlanarRGBImage {
        var pixels = [Float](repeating: 0, count: 3 * n * n)
        for c in 0..<3 { for y in 0..<n { for x in 0..<n { pixels[(c * n + y) * n + x] = value(c, y, x) } } }
        return try PlanarRGBImage(width: n, height: n, pixels: pixels)
    }
}
