/// Bilinear resampling of planar RGB frames (half-pixel centres, like `align_corners=False`).
///
/// Halving lands every output sample between two input samples, so a 1/2 downscale is an exact
/// 2×2 box average; that keeps the realtime downscale path from aliasing without a separate filter.
public enum FrameResize {
    /// Resamples `pixels` (3 planes of `width` × `height`) to `newWidth` × `newHeight`.
    public static func bilinear(_ pixels: [Float], width: Int, height: Int, to newWidth: Int, _ newHeight: Int) -> [Float] {
        precondition(pixels.count == 3 * width * height && newWidth > 0 && newHeight > 0)
        if newWidth == width && newHeight == height { return pixels }
        let xs = taps(from: width, to: newWidth)
        let ys = taps(from: height, to: newHeight)
        var out = [Float](repeating: 0, count: 3 * newWidth * newHeight)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    let inPlane = c * width * height, outPlane = c * newWidth * newHeight
                    for (oy, ty) in ys.enumerated() {
                        let r0 = inPlane + ty.i0 * width, r1 = inPlane + ty.i1 * width
                        let o = outPlane + oy * newWidth
                        for (ox, tx) in xs.enumerated() {
                            let top = src[r0 + tx.i0] * (1 - tx.f) + src[r0 + tx.i1] * tx.f
                            let bottom = src[r1 + tx.i0] * (1 - tx.f) + src[r1 + tx.i1] * tx.f
                            dst[o + ox] = top * (1 - ty.f) + bottom * ty.f
                        }
                    }
                }
            }
        }
        return out
    }

    private struct Tap { var i0: Int, i1: Int, f: Float }

    /// Source indices and weight for each output position along one axis (edges clamped).
    private static func taps(from n: Int, to m: Int) -> [Tap] {
        let scale = Double(n) / Double(m)
        return (0..<m).map { o in
            let s = max(0, (Double(o) + 0.5) * scale - 0.5)
            let i0 = min(Int(s), n - 1)
            let i1 = min(i0 + 1, n - 1)
            return Tap(i0: i0, i1: i1, f: Float(s - Double(i0)))
        }
    }
}
