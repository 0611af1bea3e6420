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

/// With a large-frame rule, a frame above its pixel count gets the smaller tiles; others keep the usual ones.
@Test func largeFramesGetTheirOwnTileSize() throws {
    func largestTile(width: Int, height: Int) throws -> Int {
        let recorder = SizeRecorder()
        var tiled = try TiledProcessor(RecordingProcessor(recorder: recorder), tileSize: 256, overlap: 16,
                                       largeFrames: (pixelsAbove: 600 * 400, tileSize: 128))
        #expect(tiled.tileSize(width: width, height: height) == (width * height > 600 * 400 ? 128 : 256))
        let out = try tiled.process(Frame(width: width, height: height,
                                          pixels: [Float](repeating: 0.25, count: 3 * width * height)))
        #expect(out.width == width && out.height == height && out.pixels.allSatisfy { abs($0 - 0.25) < 1e-6 })
        return max(recorder.largestWidth, recorder.largestHeight)
    }
    // TilePlan evens out the tiles, so they may be smaller than the limit, but only the large frame's fit in 128.
    let usual = try largestTile(width: 600, height: 400), large = try largestTile(width: 601, height: 400)
    #expect(usual > 128 && usual <= 256, "\(usual)")
    #expect(large <= 128, "\(large)")
    #expect(throws: TilingError.self) {
        try TiledProcessor(PassThrough(), tileSize: 256, overlap: 16, largeFrames: (pixelsAbove: 1, tileSize: 16))
    }
}
