import Foundation
import MediaTestSupport
import Testing
@testable import Stream

/// A stream cut off mid-frame loses only that frame; damage with video after it is still an error.
@Suite struct DamagedInputTests {
    /// Decodes every frame of `url`, returning the count and the warnings logged.
    private func decodeAll(_ url: URL) throws -> (frames: Int, warnings: [String]) {
        let recorded = RecordedMessages()
        let decoder = try FrameDecoder(location: url.path, logger: recorded.logger)
        var frames = 0
        while try decoder.nextFrame() != nil { frames += 1 }
        return (frames, recorded.lines.withLock { $0 })
    }

    /// Writes a 2 s 25 fps testsrc2 clip with `codec` into `container` (extra encoder `options`).
    private func clip(in dir: URL, codec: String, container: String, options: [String] = []) throws -> Data {
        let full = dir.appendingPathComponent("full.\(container)")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2", "-c:v", codec] + options + [full.path])
        return try Data(contentsOf: full)
    }

    /// The first `fraction` of `data`'s bytes, written to `dir`/`name`.
    private func write(_ data: Data, fraction: Double, to dir: URL, name: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try data.prefix(Int(Double(data.count) * fraction)).write(to: url)
        return url
    }

    /// FFmpeg 5.1's MPEG-4 Part 2 decoder aborts the process on damage when told to explode (the codec of
    /// `ffmpeg … -f nut -` camera pipes): without the fix this test takes the whole test process down.
    @Test func aCutMPEG4StreamEndsWithAWarningInsteadOfAborting() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cut = try write(try clip(in: dir, codec: "mpeg4", container: "nut", options: ["-g", "10"]),
                            fraction: 0.6, to: dir, name: "cut.nut")
        let (frames, warnings) = try decodeAll(cut)
        #expect(frames > 10 && frames < 50, "\(frames)")
        #expect(warnings.contains { $0.contains("damaged data, concealed") || $0.contains("ends inside a frame") }, "\(warnings)")
    }

    /// The H.263 family is left to conceal damage: with more video after it, decoding goes on, as in the
    /// ffmpeg CLI, and a warning counts the damaged pictures.
    @Test func damagedMPEG4InTheMiddleIsConcealedAndCounted() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var data = try clip(in: dir, codec: "mpeg4", container: "avi", options: ["-g", "10"])
        let start = data.count / 2
        for j in stride(from: start, to: start + 2000, by: 5) { data[j] ^= 0x55 }
        let (frames, warnings) = try decodeAll(try write(data, fraction: 1, to: dir, name: "damaged.avi"))
        #expect(frames > 35, "\(frames)")  // of 50: the damaged pictures at most are lost
        #expect(warnings.contains { $0.contains("of the mpeg4 input had damaged data, concealed by the decoder") }, "\(warnings)")
    }

    /// Where the cut lands decides whether the last frame is partial (an MPEG-TS demuxer drops a partial
    /// packet of its own); every cut keeps its frames, and the ones ending mid-frame say so.
    @Test func aCutH264StreamKeepsTheFramesBeforeTheCut() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = try clip(in: dir, codec: "libx264", container: "ts", options: ["-g", "10"])
        var warned = 0
        for (i, fraction) in [0.4, 0.5, 0.6, 0.7, 0.77].enumerated() {
            let (frames, warnings) = try decodeAll(try write(full, fraction: fraction, to: dir, name: "cut\(i).ts"))
            #expect(frames > 10 && frames < 50, "\(fraction): \(frames)")
            if warnings.contains(where: { $0.contains("the input ends inside a frame (cut off?)") }) { warned += 1 }
        }
        #expect(warned > 0)
    }

    @Test func damageFollowedByMoreVideoIsStillAnError() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = try clip(in: dir, codec: "libx264", container: "nut")
        var reported = 0
        for (i, offset) in [0.4, 0.5, 0.6, 0.7].enumerated() {
            var data = full
            let start = Int(Double(data.count) * offset)
            for j in stride(from: start, to: start + 400, by: 7) { data[j] ^= 0x55 }
            let damaged = try write(data, fraction: 1, to: dir, name: "damaged\(i).nut")
            do { _ = try decodeAll(damaged) } catch DecodeError.corruptStream(let n, _, _) where n > 0 && n < 50 { reported += 1 }
        }
        // NUT drops some damaged packets by their checksums, so not every offset reaches the decoder.
        #expect(reported > 0)
    }
}
