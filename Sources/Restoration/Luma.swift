/// BT.601 limited-range luma, the Y that FFmpeg's RGB→YUV conversion (swscale) produces.
///
/// From 8-bit R, G, B (0…255): `Y = 16 + (65.481·R + 128.553·G + 24.966·B) / 255`, i.e.
/// `16 + 0.256788·R + 0.504129·G + 0.097906·B`, rounded to the nearest integer (16…235).
/// This is the plane FFmpeg's `psnr` filter scores as `y:` after `format=yuv444p`.
public enum Luma {
    public static let kr = 65.481 / 255.0
    public static let kg = 128.553 / 255.0
    public static let kb = 24.966 / 255.0

    /// Luma of one 8-bit RGB triple, rounded to 8 bit.
    @inline(__always)
    public static func bt601(r: Float, g: Float, b: Float) -> Float {
        // Same operation order as the golden script, so ties round identically.
        let y = 16.0 + (65.481 * Double(r) + 128.553 * Double(g) + 24.966 * Double(b)) / 255.0
        return Float(y.rounded())
    }

    /// The 8-bit luma plane (as integer-valued floats) of an image, after quantising RGB to 8 bit.
    /// Single-channel images are returned quantised but otherwise unchanged.
    static func plane8(_ image: PlanarImage) -> [Float] {
        let q = Quantize.planes8(image)
        guard image.channels >= 3 else { return Array(q[0..<image.planeSize]) }
        let n = image.planeSize
        var out = [Float](repeating: 0, count: n)
        q.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n { dst[i] = bt601(r: src[i], g: src[n + i], b: src[2 * n + i]) }
            }
        }
        return out
    }
}
