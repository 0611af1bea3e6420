/// Keeps a restoration's change only where the picture moved: motion blur needs motion.
///
/// A still camera's static background, or a clip where nothing moves, has no motion blur to remove, yet a
/// deblurring model still sharpens it (noise, compression artefacts). Between consecutive frames a video shows
/// where nothing moved. Per pixel, on luma (BT.601 weights), over a `(2·radius+1)²` window cut at the borders:
///
///     motion = scale · mean|Y − Yₙ| / max(mean(|∂Y/∂x| + |∂Y/∂y|), gradientFloor)
///
/// the largest over the neighbours n, is the first-order estimate of the shift in pixels per frame (`scale`
/// = 2: edges at all angles to a small shift, and the gradient's two axes, make the ratio about half the shift;
/// `scripts/motion_gate_experiment.py calibrate`). Noise and large motion only raise it, so it errs towards
/// keeping the change. The change is then scaled by a ramp from 0 at `low` to 1 at `high` pixels.
/// `scripts/motion_gate_experiment.py` is the NumPy reference and the measurement (docs/gan.md, "Motion gate").
public struct MotionGate: Sendable, Equatable {
    /// Half the window's side, in pixels.
    public var radius = 16
    /// Smallest mean gradient (per window), so flat areas count as moving rather than divide by zero.
    public var gradientFloor: Float = 1.0 / 255
    /// Motion (pixels per frame) below which the change is dropped, and above which it is kept whole.
    public var low: Float = 0.5
    public var high: Float = 1.5
    /// Turns the ratio into pixels (see above).
    public var scale: Float = 2

    public init() {}

    /// The per-pixel motion estimate (pixels per frame, row-major `width × height`) of `frame` against
    /// `neighbours`; neighbours of another size are no evidence and are skipped.
    public func motion(of frame: Frame, neighbours: [PackedFrame]) -> [Float] {
        let w = frame.width, h = frame.height, n = w * h
        // Five planes in all, reused; each neighbour's luma is made in `difference`, not as a float RGB frame.
        var y = [Float](repeating: 0, count: n)
        y.withUnsafeMutableBufferPointer { PackedFrame(frame).luma(into: $0) }
        var scratch = [Float](repeating: 0, count: n)
        var texture = Self.gradientL1(y, width: w, height: h)
        boxMean(&texture, width: w, height: h, scratch: &scratch)
        var motion = [Float](repeating: 0, count: n)
        var difference = [Float](repeating: 0, count: n)
        for neighbour in neighbours where neighbour.width == w && neighbour.height == h {
            difference.withUnsafeMutableBufferPointer { d in
                neighbour.luma(into: d)
                for i in 0..<n { d[i] = abs(y[i] - d[i]) }
            }
            boxMean(&difference, width: w, height: h, scratch: &scratch)
            for i in motion.indices { motion[i] = max(motion[i], scale * difference[i] / max(texture[i], gradientFloor)) }
        }
        return motion
    }

    /// `original` plus the share of `restored − original` that `motion(of: original, neighbours:)` allows.
    /// Without neighbours of its size (a still image) `restored` is returned as it is.
    public func apply(original: Frame, restored: consuming Frame, neighbours: [PackedFrame]) -> Frame {
        let neighbours = neighbours.filter { $0.width == original.width && $0.height == original.height }
        guard !neighbours.isEmpty else { return restored }
        let motion = self.motion(of: original, neighbours: neighbours)
        let n = original.width * original.height
        var out = restored
        out.pixels.withUnsafeMutableBufferPointer { dst in
            original.pixels.withUnsafeBufferPointer { src in
                for i in 0..<n {
                    let keep = min(1, max(0, (motion[i] - low) / (high - low)))
                    if keep == 1 { continue }
                    for c in 0..<3 {
                        let j = c * n + i
                        dst[j] = src[j] + keep * (dst[j] - src[j])
                    }
                }
            }
        }
        return out
    }

    /// |∂Y/∂x| + |∂Y/∂y| by central differences, one-sided at the borders (none across a side of 1 pixel).
    static func gradientL1(_ y: [Float], width w: Int, height h: Int) -> [Float] {
        var g = [Float](repeating: 0, count: w * h)
        func derivative(_ i: Int, _ k: Int, stride: Int, count: Int) -> Float {
            guard count > 1 else { return 0 }
            if k == 0 { return y[i + stride] - y[i] }
            if k == count - 1 { return y[i] - y[i - stride] }
            return (y[i + stride] - y[i - stride]) / 2
        }
        for row in 0..<h {
            for col in 0..<w {
                let i = row * w + col
                g[i] = abs(derivative(i, col, stride: 1, count: w)) + abs(derivative(i, row, stride: w, count: h))
            }
        }
        return g
    }

    /// Replaces `a` by its mean over the `(2·radius+1)²` window around each pixel, cut at the borders
    /// (`scratch`: a plane of the same size). Separable running sums in Double, so long rows of small values keep
    /// their precision.
    func boxMean(_ a: inout [Float], width w: Int, height h: Int, scratch rows: inout [Float]) {
        let r = radius
        var prefix = [Double](repeating: 0, count: w + 1)
        for row in 0..<h {
            for col in 0..<w { prefix[col + 1] = prefix[col] + Double(a[row * w + col]) }
            for col in 0..<w {
                let lo = max(0, col - r), hi = min(w, col + r + 1)
                rows[row * w + col] = Float((prefix[hi] - prefix[lo]) / Double(hi - lo))
            }
        }
        var sum = [Double](repeating: 0, count: w)
        var top = 0, bottom = 0  // rows [top, bottom) are in `sum`
        for row in 0..<h {
            let lo = max(0, row - r), hi = min(h, row + r + 1)
            while bottom < hi { for col in 0..<w { sum[col] += Double(rows[bottom * w + col]) }; bottom += 1 }
            while top < lo { for col in 0..<w { sum[col] -= Double(rows[top * w + col]) }; top += 1 }
            let count = Double(hi - lo)
            for col in 0..<w { a[row * w + col] = Float(sum[col] / count) }
        }
    }
}
