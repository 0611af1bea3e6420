import Foundation
import Testing
@testable import Stream

/// Records the largest frame it was given; returns it unchanged.
private final class SizeRecorder: @unchecked Sendable {
    var largestWidth = 0, largestHeight = 0, largestPixels = 0, calls = 0
}

private struct RecordingProcessor: FrameProcessor {
    let recorder: SizeRecorder
    func process(_ frame: Frame) throws -> Frame {
        recorder.largestWidth = max(recorder.largestWidth, frame.width)
        recorder.largestHeight = max(recorder.largestHeight, frame.height)
        recorder.largestPixels = max(recorder.largestPixels, frame.width * frame.height)
        recorder.calls += 1
        return frame
    }
}

/// The processor's working set scales with what it is handed: on a frame much larger than a tile,
/// TiledProcessor must never hand it more than one tile.
@Test func tiledProcessorNeverHandsTheInnerProcessorMoreThanOneTile() throws {
    let recorder = SizeRecorder()
    var tiled = try TiledProcessor(RecordingProcessor(recorder: recorder), tileSize: 256, overlap: 16)
    let w = 1920, h = 1080
    let frame = Frame(width: w, height: h, pixels: (0..<(3 * w * h)).map { Float($0 % 251) / 251 })
    let out = try tiled.process(frame)
    #expect(recorder.largestWidth <= 256 && recorder.largestHeight <= 256)
    #expect(recorder.largestPixels <= 256 * 256)
    #expect(recorder.calls >= (w / 256) * (h / 256))
    // Identity inner processor: blending tiles gives the frame back.
    let maxError = zip(out.pixels, frame.pixels).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
    #expect(maxError < 1e-5)
}

/// Frames within `wholeFramePixels` go through whole (no overlap computed twice); larger ones are still tiled.
@Test func framesWithinTheWholeFrameLimitAreNotTiled() throws {
    func run(width: Int, height: Int) throws -> SizeRecorder {
        let recorder = SizeRecorder()
        var tiled = try TiledProcessor(RecordingProcessor(recorder: recorder), tileSize: 256, overlap: 16,
                                       wholeFramePixels: 640 * 360)
        _ = try tiled.process(Frame(width: width, height: height,
                                    pixels: [Float](repeating: 0.5, count: 3 * width * height)))
        return recorder
    }
    let small = try run(width: 640, height: 360)
    #expect(small.calls == 1 && small.largestWidth == 640 && small.largestHeight == 360)
    let large = try run(width: 642, height: 360)
    #expect(large.calls > 2 && large.largestWidth <= 256 && large.largestHeight <= 256)
}
