import Foundation
import Logging
import MediaTestSupport
import Synchronization
import Testing
@testable import Stream

@Suite struct AudioWarningTests {
    /// Encodes `input`'s video and audio into `output` and returns the warnings logged on the way.
    private func warnings(_ input: URL, _ output: URL, settings: EncoderSettings) throws -> [String] {
        let recorded = RecordedMessages()
        let decoder = try FrameDecoder(location: input.path)
        let encoder = try FrameEncoder(location: output.path, settings: settings, video: decoder.videoInfo,
                                       audio: decoder.audioTrack, logger: recorded.logger)
        _ = try Pipeline(workers: 1).run(source: decoder, sink: encoder) { PassThrough() }
        return recorded.lines.withLock { $0 }
    }

    @Test func vorbisIntoMP4IsReencodedAsAAC() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("vorbis.mkv"), output = dir.appendingPathComponent("out.mp4")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48:r=25:d=1", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
                               "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "libvorbis", input.path])
        // FFmpeg's MP4 muxer would take Vorbis as is, under an object type most players do not play.
        let lines = try warnings(input, output, settings: EncoderSettings())
        #expect(lines == ["warning: mp4 holds only non-standard vorbis audio; re-encoded as aac (write .mkv to copy it as is)"])
        let codec = try MediaTools.run("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=codec_name",
                                                   "-of", "csv=p=0", output.path])
        #expect(String(decoding: codec, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "aac")
        // Matroska holds Vorbis: copied, without a word.
        #expect(try warnings(input, dir.appendingPathComponent("out.mkv"), settings: EncoderSettings()).isEmpty)
    }

    @Test func aacIntoPSPIsCopied() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("aac.mp4"), output = dir.appendingPathComponent("out.mp4")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48:r=25:d=1", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
                               "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "40k", input.path])
        // PSP mode takes AAC; it was re-encoded (AAC as AAC, with a warning) because the audio-only probe failed.
        #expect(try warnings(input, output, settings: EncoderSettings(format: "psp")).isEmpty)
        let rate = try MediaTools.run("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=codec_name,bit_rate",
                                                  "-of", "csv=p=0", output.path])
        let fields = String(decoding: rate, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
        #expect(fields.first == "aac")
        // Copied, so the source's 40 kb/s stays (a re-encode would use 64 kb/s per channel).
        #expect((fields.last.flatMap { Int($0) } ?? 0) < 50_000, "\(fields)")
    }

    @Test func aServiceIsNotToldToPickAnotherContainer() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("pcm.mov")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48:r=25:d=1", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
                               "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "pcm_s16le", input.path])
        let told = try warnings(input, dir.appendingPathComponent("cli.mp4"), settings: EncoderSettings())
        #expect(told == ["warning: mp4 cannot hold pcm_s16le audio; re-encoded as aac (write .mkv to copy it as is)"])
        let service = try warnings(input, dir.appendingPathComponent("web.mp4"), settings: EncoderSettings(suggestsContainer: false))
        #expect(service == ["warning: mp4 cannot hold pcm_s16le audio; re-encoded as aac"])
        let dropped = try warnings(input, dir.appendingPathComponent("web.gif"), settings: EncoderSettings(suggestsContainer: false))
        #expect(dropped == ["warning: gif has no audio; audio dropped"])
    }
}
