import CFFmpeg

/// A turn by a multiple of 90° clockwise: what a player does with a display matrix, done to the pixels instead
/// for containers that cannot store the matrix (`EncoderSettings.appliesRotation`), as the ffmpeg CLI's
/// autorotation does.
public enum FrameRotation: Int, Sendable, Equatable {
    case none = 0, clockwise90 = 1, halfTurn = 2, counterclockwise90 = 3

    /// The turn that shows `displayMatrix`'s picture upright, if it is a plain rotation by a multiple of 90°
    /// (nil for a flip, another angle, or no matrix); `.none` for the identity.
    public init?(displayMatrix: [Int32]?) {
        guard let m = displayMatrix, m.count == 9 else { return nil }
        // A mirror has a negative determinant; av_display_rotation_get alone would take it for a rotation.
        guard Int64(m[0]) * Int64(m[4]) - Int64(m[1]) * Int64(m[3]) > 0 else { return nil }
        let degrees = m.withUnsafeBufferPointer { av_display_rotation_get($0.baseAddress) }
        guard degrees.isFinite else { return nil }
        // FFmpeg's angle is counter-clockwise; players turn the picture clockwise by its negative (ffmpeg's
        // `get_rotation`).
        let clockwise = (-degrees).truncatingRemainder(dividingBy: 360) + 360
        let quarters = (clockwise / 90).rounded()
        guard abs(clockwise - quarters * 90) < 1 else { return nil }
        self.init(rawValue: Int(quarters) % 4)
    }

    /// Whether width and height trade places.
    public var swapsSides: Bool { rawValue % 2 == 1 }

    /// The stream as written turned: sides (and a non-square pixel's shape) swapped for a quarter turn, no matrix.
    public func applied(to video: VideoStreamInfo) -> VideoStreamInfo {
        guard self != .none else { return video }
        var out = video
        out.displayMatrix = nil
        if swapsSides {
            (out.width, out.height) = (video.height, video.width)
            out.sampleAspectRatio = video.sampleAspectRatio.map { Rational($0.denominator, $0.numerator) }
        }
        return out
    }

    /// The frame turned (planar RGB, each plane on its own).
    public func applied(to frame: Frame) -> Frame {
        guard self != .none else { return frame }
        let w = frame.width, h = frame.height, plane = w * h
        var pixels = [Float](repeating: 0, count: 3 * plane)
        frame.pixels.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 { turn(src, c * plane, width: w, height: h, into: dst, c * plane) }
            }
        }
        let size = swapsSides ? (w: h, h: w) : (w: w, h: h)
        return Frame(width: size.w, height: size.h, pixels: pixels, pts: frame.pts, index: frame.index)
    }

    /// Copies the `width × height` plane at `from` in `src` into `dst` at `to`, turned.
    func turn<T>(_ src: UnsafeBufferPointer<T>, _ from: Int, width w: Int, height h: Int,
                 into dst: UnsafeMutableBufferPointer<T>, _ to: Int) {
        switch self {
        case .none:
            for i in 0..<(w * h) { dst[to + i] = src[from + i] }
        case .clockwise90:  // out is h wide: out(x', y') = in(y', h − 1 − x')
            for y in 0..<h { for x in 0..<w { dst[to + x * h + (h - 1 - y)] = src[from + y * w + x] } }
        case .halfTurn:
            for y in 0..<h { for x in 0..<w { dst[to + (h - 1 - y) * w + (w - 1 - x)] = src[from + y * w + x] } }
        case .counterclockwise90:  // out(x', y') = in(w − 1 − y', x')
            for y in 0..<h { for x in 0..<w { dst[to + (w - 1 - x) * h + y] = src[from + y * w + x] } }
        }
    }
}
