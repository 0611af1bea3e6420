import Foundation
import Stream

/// A small synthetic picture with edges at several scales, blurred by a horizontal motion streak.
///
/// Served at `/selftest/sample.png` so the page can test itself without any file on disk.
public enum SampleImage {
    /// The sharp card: checkerboard, bars of rising frequency, coloured discs.
    public static func testCard(width: Int = 320, height: Int = 240) -> Frame {
        var frame = Frame(width: width, height: height)
        let plane = width * height
        for y in 0..<height {
            for x in 0..<width {
                var rgb: (Float, Float, Float)
                if y < height / 2 {
                    let on = ((x / 16) + (y / 16)) % 2 == 0
                    rgb = on ? (0.92, 0.9, 0.85) : (0.12, 0.14, 0.2)
                } else {
                    let period = max(2, 24 - (x * 22) / max(1, width))  // bars get finer to the right
                    let on = (x / period) % 2 == 0
                    rgb = on ? (0.95, 0.95, 0.95) : (0.05, 0.05, 0.05)
                }
                for (cx, cy, r, color) in discs(width, height) {
                    let dx = x - cx, dy = y - cy
                    if dx * dx + dy * dy <= r * r { rgb = color }
                }
                let p = y * width + x
                frame.pixels[p] = rgb.0
                frame.pixels[plane + p] = rgb.1
                frame.pixels[2 * plane + p] = rgb.2
            }
        }
        return frame
    }

    /// `testCard` averaged over a horizontal streak of `length` pixels (edges clamp).
    public static func blurredTestCard(width: Int = 320, height: Int = 240, length: Int = 9) -> Frame {
        let sharp = testCard(width: width, height: height)
        var out = sharp
        let half = length / 2
        for c in 0..<3 {
            for y in 0..<height {
                let row = (c * height + y) * width
                for x in 0..<width {
                    var sum: Float = 0
                    for k in -half...half {
                        sum += sharp.pixels[row + min(width - 1, max(0, x + k))]
                    }
                    out.pixels[row + x] = sum / Float(2 * half + 1)
                }
            }
        }
        return out
    }

    private static func discs(_ w: Int, _ h: Int) -> [(Int, Int, Int, (Float, Float, Float))] {
        [(w / 4, h / 4, h / 8, (0.85, 0.2, 0.15)),
         (3 * w / 4, h / 4, h / 8, (0.15, 0.65, 0.25)),
         (w / 2, 3 * h / 4, h / 10, (0.2, 0.35, 0.9))]
    }

    /// A short clip of the blurred card panning sideways, encoded as H.264 MP4 (for the page's video self-test).
    public static func panningClipMP4(frames: Int = 12, width: Int = 160, height: Int = 120) throws -> Data {
        let card = blurredTestCard(width: width, height: height)
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let url = scratch.file("sample.mp4")
        let info = VideoStreamInfo(width: width, height: height, timeBase: Rational(1, 12), frameRate: Rational(12, 1),
                                   frameCount: frames)
        let encoder = try FrameEncoder(location: url.path, settings: EncoderSettings(format: "mp4", threads: 1), video: info)
        let plane = width * height
        for i in 0..<frames {
            var frame = Frame(width: width, height: height, pts: Int64(i), index: i)
            let shift = (4 * i) % width
            for c in 0..<3 {
                for y in 0..<height {
                    for x in 0..<width {
                        frame.pixels[c * plane + y * width + x] = card.pixels[c * plane + y * width + (x + shift) % width]
                    }
                }
            }
            try encoder.write(frame)
        }
        try encoder.finish()
        return try Data(contentsOf: url)
    }
}
