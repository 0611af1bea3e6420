/// 8-bit planes ↔ planar float `[0, 1]`. Plain loops over contiguous rows so the optimiser vectorises them.
enum PixelConversion {
    private static let inv255: Float = 1 / 255

    /// Copies one 8-bit plane (rows `linesize` bytes apart) into `dst` as floats in `[0, 1]`.
    @inline(__always)
    static func toFloat(_ src: UnsafePointer<UInt8>, linesize: Int, width: Int, height: Int,
                        into dst: UnsafeMutablePointer<Float>) {
        for y in 0..<height {
            let s = src + y * linesize
            let d = dst + y * width
            for x in 0..<width {
                d[x] = Float(s[x]) * inv255
            }
        }
    }

    /// Writes one float plane into an 8-bit plane, clamping to `[0, 1]` and rounding to nearest.
    @inline(__always)
    static func toBytes(_ src: UnsafePointer<Float>, width: Int, height: Int,
                        into dst: UnsafeMutablePointer<UInt8>, linesize: Int) {
        for y in 0..<height {
            let s = src + y * width
            let d = dst + y * linesize
            for x in 0..<width {
                // Clamp (max(0, NaN) is 0, so NaN maps to 0), then round to nearest by adding 1.5 × 2^23: the integer
                // lands in the low mantissa bits. A bit cast cannot trap, so the loop vectorises.
                let v = Swift.min(255, Swift.max(0, s[x] * 255)) + 12_582_912
                d[x] = UInt8(truncatingIfNeeded: v.bitPattern)
            }
        }
    }
}
