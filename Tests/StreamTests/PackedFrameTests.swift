import Foundation
import MediaTestSupport
import Testing
@testable import Stream

/// Frames travel the pipeline as 8-bit YUV 4:2:0 where decoder and encoder allow it; these tests pin
/// that the compact path gives exactly what the float path gives.
@Suite struct PackedFrameTests {
    /// An odd-sized 4:2:0 clip (FFV1 allows odd sizes), so the chroma planes are rounded up.
    private func makeOddClip(_ url: URL) throws {
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=68x46:r=25:d=0.4", "-vf", "scale=67:45", "-c:v", "ffv1",
                               "-pix_fmt", "yuv420p", url.path])
    }

    @Test func decoderPacksYUVAndUnpacksToTheSameFloatFrames() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("odd.mkv")
        try makeOddClip(input)
        let floats = try FrameDecoder(location: input.path), packs = try FrameDecoder(location: input.path)
        var count = 0
        while let frame = try floats.nextFrame() {
            let packed = try #require(try packs.nextPackedFrame())
            #expect(packed.isCompact)
            // 1.5 bytes a pixel (chroma rounded up), not 12.
            if case .yuv420(let picture) = packed.storage {
                #expect(picture.bytes.count == 67 * 45 + 2 * 34 * 23)
            }
            #expect(packed.index == frame.index && packed.pts == frame.pts)
            #expect(packed.unpacked() == frame)
            #expect(packed.unpacked(using: PixelBufferPool(limit: 1)) == frame)
            count += 1
        }
        #expect(count == 10)
        #expect(try packs.nextPackedFrame() == nil)
    }

    @Test func decoderFallsBackToFloatForOtherPixelFormats() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("rgb.mkv")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48:r=25:d=0.2", "-c:v", "ffv1", "-pix_fmt", "bgr0", input.path])
        let packed = try #require(try FrameDecoder(location: input.path).nextPackedFrame())
        #expect(!packed.isCompact)
        #expect(packed.unpacked() == (try FrameDecoder(location: input.path).nextFrame()))
    }

    /// Lossless x264 (any difference in the planes handed over would show in the decoded frames) and
    /// full-range MJPEG at an odd size.
    @Test(arguments: [("x264.mkv", "libx264", "66:46"), ("mjpeg.avi", "mjpeg", "67:45")])
    func packedWritesEncodeTheSameAsFloatWrites(name: String, codec: String, size: String) throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=68x46:r=25:d=0.4", "-vf", "scale=\(size)", "-c:v", "ffv1",
                               "-pix_fmt", "yuv420p", input.path])
        let settings = EncoderSettings(codec: codec, crf: codec == "libx264" ? 0 : nil)
        func encode(_ prefix: String, packed: Bool) throws -> URL {
            let url = dir.appendingPathComponent(prefix + name)
            let decoder = try FrameDecoder(location: input.path)
            let encoder = try FrameEncoder(location: url.path, settings: settings, video: decoder.videoInfo, audio: nil)
            while let frame = try decoder.nextFrame() {
                if packed {
                    let p = encoder.pack(frame)
                    #expect(p.isCompact)
                    try encoder.write(p)
                } else {
                    try encoder.write(frame)
                }
            }
            try encoder.finish()
            return url
        }
        let viaFloat = try encode("float-", packed: false), viaPacked = try encode("packed-", packed: true)
        #expect(try MediaTools.videoProperty(viaPacked, "width,height") == size.replacingOccurrences(of: ":", with: ","))
        let a = try FrameDecoder(location: viaFloat.path), b = try FrameDecoder(location: viaPacked.path)
        var count = 0
        while let fa = try a.nextFrame() {
            let fb = try #require(try b.nextFrame())
            #expect(fa == fb)
            count += 1
        }
        #expect(count == 10)
        #expect(try MediaTools.framePTS(viaPacked) == MediaTools.framePTS(viaFloat))
    }

    @Test func sinksWithoutAPackedFormKeepFloatFrames() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let info = VideoStreamInfo(width: 8, height: 6, timeBase: Rational(1, 25), frameRate: Rational(25, 1))
        let frame = Frame(width: 8, height: 6, pixels: (0..<144).map { Float($0 % 7) / 6 })
        // PNG is written as RGB: nothing to pack, the frame passes as it is.
        let png = try FrameEncoder(location: dir.appendingPathComponent("out.png").path, settings: EncoderSettings(),
                                   video: info, audio: nil)
        #expect(!png.pack(frame).isCompact)
        // A frame of the wrong size is not packed either, so `write` still reports the mismatch.
        let mkv = try FrameEncoder(location: dir.appendingPathComponent("out.mkv").path, settings: EncoderSettings(),
                                   video: info, audio: nil)
        let wrong = Frame(width: 4, height: 6)
        #expect(!mkv.pack(wrong).isCompact)
        #expect(throws: EncodeError.self) { try mkv.write(mkv.pack(wrong)) }
    }

    /// The pipeline unpacks into arrays it reuses frame after frame; a processor that writes in place
    /// and one that returns new arrays must both give exactly the sequential float path's output.
    @Test(arguments: [true, false])
    func pipelineWithPackedFramesMatchesTheSequentialFloatPath(inPlace: Bool) throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv")
        try MediaTools.makeClip(input, seconds: 1, size: "96x64")
        let settings = EncoderSettings(codec: "libx264", crf: 0)
        let invert = Invert(inPlace: inPlace)

        let expected = dir.appendingPathComponent("expected.mkv")
        let decoder = try FrameDecoder(location: input.path)
        let direct = try FrameEncoder(location: expected.path, settings: settings, video: decoder.videoInfo, audio: nil)
        let sequential = invert
        while let frame = try decoder.nextFrame() { try direct.write(sequential.process(frame)) }
        try direct.finish()

        let output = dir.appendingPathComponent("pipeline.mkv")
        let source = try FrameDecoder(location: input.path)
        let sink = try FrameEncoder(location: output.path, settings: settings, video: source.videoInfo, audio: nil)
        let stats = try Pipeline(workers: 2, queueCapacity: 2).run(source: source, sink: sink) { invert }
        #expect(stats.frames == 25)

        let a = try FrameDecoder(location: expected.path), b = try FrameDecoder(location: output.path)
        var count = 0
        while let fa = try a.nextFrame() {
            #expect(fa == (try b.nextFrame()))
            count += 1
        }
        #expect(count == 25)
        #expect(try b.nextFrame() == nil)
    }
}

extension PackedFrameTests {
    /// Pass-through hands the decoded 4:2:0 planes to the encoder untouched, so a lossless encode gives
    /// back exactly the source pictures (a float round trip would move luma by rounding).
    @Test func passThroughKeepsTheDecodedPlanesExactly() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv"), output = dir.appendingPathComponent("out.mkv")
        try MediaTools.makeClip(input, seconds: 1, size: "96x64")
        let source = try FrameDecoder(location: input.path)
        let sink = try FrameEncoder(location: output.path, settings: EncoderSettings(codec: "libx264", crf: 0),
                                    video: source.videoInfo, audio: nil)
        #expect(PassThrough().isIdentity && !Invert(inPlace: false).isIdentity)
        _ = try Pipeline(workers: 2).run(source: source, sink: sink) { PassThrough() }
        let a = try FrameDecoder(location: input.path), b = try FrameDecoder(location: output.path)
        var count = 0
        while let pa = try a.nextPackedFrame() {
            let pb = try #require(try b.nextPackedFrame())
            guard case .yuv420(let ya) = pa.storage, case .yuv420(let yb) = pb.storage else {
                Issue.record("expected 4:2:0 pictures")
                return
            }
            #expect(ya.bytes == yb.bytes, "frame \(count)")
            count += 1
        }
        #expect(count == 25)
    }
}

extension PackedFrameTests {
    /// Float pixels go back to the source only if it handed out float frames: a decoder of packed frames
    /// never draws from its float pool, so recycled arrays would pile up there (16 × 100 MB at 4K).
    @Test(arguments: [true, false])
    func onlyFloatSourcesGetPixelsBack(packed: Bool) throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv")
        try MediaTools.makeClip(input, seconds: 0.4, size: "64x48")
        let source = RecycleCounter(try FrameDecoder(location: input.path), packed: packed)
        let sink = CollectingSink()  // keeps float frames: nothing to pack
        _ = try Pipeline(workers: 2).run(source: source, sink: sink) { Invert(inPlace: false) }
        #expect(sink.received.count == 10)
        #expect(source.recycled == (packed ? 0 : 10))
    }
}

/// Passes a decoder's frames on (packed or as floats) and counts the arrays handed back.
private final class RecycleCounter: FrameSource, @unchecked Sendable {
    let inner: FrameDecoder
    let packed: Bool
    private let lock = NSLock()
    private var count = 0
    var recycled: Int { lock.withLock { count } }
    init(_ inner: FrameDecoder, packed: Bool) { self.inner = inner; self.packed = packed }

    var expectedFrameCount: Int? { inner.expectedFrameCount }
    func nextFrame() throws -> Frame? { try inner.nextFrame() }
    func nextPackedFrame() throws -> PackedFrame? { packed ? try inner.nextPackedFrame() : try inner.nextFrame().map(PackedFrame.init) }
    func takePassthroughPackets() -> [MediaPacket] { inner.takePassthroughPackets() }
    func recycle(_ pixels: [Float]) { lock.withLock { count += 1 } }
}

/// 1 − pixel, in place or into a new array.
private struct Invert: FrameProcessor {
    var inPlace: Bool
    func process(_ frame: Frame) throws -> Frame {
        var out = frame
        if inPlace {
            for i in out.pixels.indices { out.pixels[i] = 1 - out.pixels[i] }
        } else {
            out.pixels = frame.pixels.map { 1 - $0 }
        }
        return out
    }
}

/// Neighbours stay packed until a processor reads them: the motion gate reads only their luma.
@Suite struct PackedNeighbourTests {
    @Test("a packed frame's luma is the BT.601 luma of its float frame, exactly")
    func lumaMatchesTheUnpackedFrame() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 67×45: chroma rounded up, and 45 rows are two 16-row bands and a part of one.
        let input = dir.appendingPathComponent("odd.mkv")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=68x46:r=25:d=0.2", "-vf", "scale=67:45", "-c:v", "ffv1",
                               "-pix_fmt", "yuv420p", input.path])
        let decoder = try FrameDecoder(location: input.path)
        var count = 0
        while let packed = try decoder.nextPackedFrame() {
            #expect(packed.isCompact && packed.width == 67 && packed.height == 45)
            let frame = packed.unpacked(), n = 67 * 45
            let expected = (0..<n).map { 0.299 * frame.pixels[$0] + 0.587 * frame.pixels[n + $0] + 0.114 * frame.pixels[2 * n + $0] }
            var luma = [Float](repeating: .nan, count: n)
            luma.withUnsafeMutableBufferPointer { packed.luma(into: $0) }
            #expect(luma == expected)
            var fromFloat = [Float](repeating: .nan, count: n)
            fromFloat.withUnsafeMutableBufferPointer { PackedFrame(frame).luma(into: $0) }
            #expect(fromFloat == expected)
            count += 1
        }
        #expect(count == 5)
    }

    @Test("the pipeline hands a processor its neighbours packed, and the gate gives what it gives on float ones")
    func pipelineKeepsNeighboursPacked() throws {
        final class Seen: @unchecked Sendable {
            let lock = NSLock()
            var compact: [Bool] = []
        }
        struct Inspector: FrameProcessor {
            let seen: Seen
            var temporalRadius: Int { 1 }
            func process(_ frame: Frame) throws -> Frame {
                seen.lock.withLock { seen.compact += frame.neighbours.map(\.isCompact) }
                // The gate's motion on the packed neighbours and on the same neighbours as floats: the same map.
                let gate = MotionGate()
                let packed = gate.motion(of: frame, neighbours: frame.neighbours)
                let floats = gate.motion(of: frame, neighbours: frame.neighbours.map { PackedFrame($0.unpacked()) })
                guard packed == floats, packed.contains(where: { $0 > 0 }) else { throw CancellationError() }
                return frame
            }
        }
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv")
        try MediaTools.makeClip(input, seconds: 0.4, size: "96x64")
        let source = try FrameDecoder(location: input.path)
        let sink = try FrameEncoder(location: dir.appendingPathComponent("out.mkv").path,
                                    settings: EncoderSettings(codec: "ffv1"), video: source.videoInfo, audio: nil)
        let seen = Seen()
        let stats = try Pipeline(workers: 2).run(source: source, sink: sink) { Inspector(seen: seen) }
        #expect(stats.frames == 10)
        #expect(seen.compact.count == 20 && seen.compact.allSatisfy { $0 })
    }
}
