import Foundation
import MediaTestSupport
import Testing
@testable import Stream

/// Runs decoder → pass-through → encoder.
private func transcode(_ input: URL, _ output: URL, settings: EncoderSettings = EncoderSettings()) throws -> PipelineStats {
    let decoder = try FrameDecoder(location: input.path)
    let encoder = try FrameEncoder(location: output.path, settings: settings, video: decoder.videoInfo, audio: decoder.audioTrack)
    return try Pipeline(workers: 2).run(source: decoder, sink: encoder) { PassThrough() }
}

@Suite struct DecoderEncoderTests {
    @Test func roundTripKeepsFramesSizeTimestampsDurationAndAudio() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv"), output = dir.appendingPathComponent("out.mkv")
        try MediaTools.makeClip(input)

        let stats = try transcode(input, output)

        let sourcePTS = try MediaTools.framePTS(input)
        let outputPTS = try MediaTools.framePTS(output)
        #expect(sourcePTS.count == 50)
        #expect(stats.frames == 50)
        #expect(outputPTS == sourcePTS)
        #expect(try MediaTools.videoProperty(output, "width,height") == "320,240")
        #expect(try MediaTools.videoProperty(output, "r_frame_rate") == "25/1")
        let inPackets = try MediaTools.packetCounts(input), outPackets = try MediaTools.packetCounts(output)
        #expect(outPackets["audio"] != nil)
        #expect(outPackets["audio"] == inPackets["audio"])
        #expect(outPackets["video"] == 50)
        // Last frame ends where the source's does: pts of the last frame + one frame duration.
        let end = (outputPTS.last ?? 0) + 0.04
        let sourceEnd = (sourcePTS.last ?? 0) + 0.04
        #expect(abs(end - sourceEnd) < 1e-6)
    }

    @Test func mp4RoundTripKeepsTimestamps() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mp4"), output = dir.appendingPathComponent("out.mp4")
        try MediaTools.makeClip(input, seconds: 1)
        _ = try transcode(input, output)
        #expect(try MediaTools.framePTS(output) == MediaTools.framePTS(input))
        #expect(try MediaTools.videoProperty(output, "duration") == MediaTools.videoProperty(input, "duration"))
        #expect(try MediaTools.packetCounts(output)["audio"] == MediaTools.packetCounts(input)["audio"])
    }

    @Test func rotationOfAPortraitVideoIsKept() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("plain.mp4"), input = dir.appendingPathComponent("in.mp4")
        let output = dir.appendingPathComponent("out.mp4"), unrotated = dir.appendingPathComponent("unrotated.mp4")
        try MediaTools.makeClip(plain, seconds: 0.4)
        // The ffmpeg CLI turns this tag into the display-matrix side data a phone writes.
        try MediaTools.ffmpeg(["-i", plain.path, "-c", "copy", "-metadata:s:v:0", "rotate=90", input.path])
        let rotation = { (url: URL) in
            String(decoding: try MediaTools.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                             "stream_side_data=rotation", "-of", "csv=p=0", url.path]),
                   as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let expected = try rotation(input)
        #expect(!expected.isEmpty && expected != "0")
        let decoder = try FrameDecoder(location: input.path)
        #expect(decoder.videoInfo.displayMatrix?.count == 9)
        _ = try transcode(input, output)
        #expect(try rotation(output) == expected)
        _ = try transcode(plain, unrotated)
        #expect(try rotation(unrotated).isEmpty)
    }

    /// `lowLatency` (what `--realtime` sets) turns off x264's lookahead and B-frames, which hold frames back.
    @Test func lowLatencyX264HasNoBFrames() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv")
        try MediaTools.makeClip(input, seconds: 1)
        func pictureTypes(lowLatency: Bool) throws -> String {
            let output = dir.appendingPathComponent("out-\(lowLatency).mkv")
            _ = try transcode(input, output, settings: EncoderSettings(lowLatency: lowLatency))
            return String(decoding: try MediaTools.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                                   "frame=pict_type", "-of", "csv=p=0", output.path]), as: UTF8.self)
        }
        let normal = try pictureTypes(lowLatency: false), live = try pictureTypes(lowLatency: true)
        #expect(normal.contains("B"))
        #expect(!live.contains("B") && live.split(whereSeparator: \.isNewline).count == 25)
    }

    @Test func colourTagsAreKept() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv"), output = dir.appendingPathComponent("out.mkv")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48:r=25:d=0.2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                               "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", input.path])
        _ = try transcode(input, output)
        let tags = "color_space,color_primaries,color_transfer"
        #expect(try MediaTools.videoProperty(input, tags) == "bt709,bt709,bt709")
        #expect(try MediaTools.videoProperty(output, tags) == "bt709,bt709,bt709")
    }

    @Test func decodedPixelsMatchFFmpegRGB() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Lossless RGB source, so FFmpeg's RGB and ours must agree exactly.
        let input = dir.appendingPathComponent("rgb.mkv")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48:r=25:d=0.2", "-c:v", "ffv1", "-pix_fmt", "bgr0", input.path])
        let decoder = try FrameDecoder(location: input.path)
        let frame = try #require(try decoder.nextFrame())
        let reference = try MediaTools.rgb24Frame(input)
        #expect(frame.width == 64 && frame.height == 48)
        #expect(reference.count == 64 * 48 * 3)
        var mismatches = 0
        for y in 0..<48 { for x in 0..<64 { for c in 0..<3 {
            let ours = frame.pixels[(c * 48 + y) * 64 + x]
            // Same 8-bit value (ours is v × (1/255), one float ulp from v / 255).
            if abs(ours * 255 - Float(reference[(y * 64 + x) * 3 + c])) > 1e-3 { mismatches += 1 }
        } } }
        #expect(mismatches == 0)
        #expect(frame.index == 0 && frame.pts == 0)
    }

    @Test func ffv1RoundTripIsBitExact() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("rgb.mkv"), output = dir.appendingPathComponent("out.mkv")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=96x64:r=25:d=0.4", "-c:v", "ffv1", "-pix_fmt", "bgr0", input.path])
        _ = try transcode(input, output, settings: EncoderSettings(codec: "ffv1"))
        for i in 0..<10 {
            #expect(try MediaTools.rgb24Frame(output, index: i) == MediaTools.rgb24Frame(input, index: i))
        }
        #expect(try MediaTools.videoProperty(output, "codec_name") == "ffv1")
    }

    @Test func pngInPngOutIsExactAndJpegIsWritten() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.png")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=80x60", "-frames:v", "1", input.path])
        let png = dir.appendingPathComponent("out.png"), jpg = dir.appendingPathComponent("out.jpg")
        #expect(try transcode(input, png).frames == 1)
        #expect(try MediaTools.rgb24Frame(png) == MediaTools.rgb24Frame(input))
        _ = try transcode(input, jpg)
        #expect(try MediaTools.videoProperty(jpg, "codec_name,width,height") == "mjpeg,80,60")
        // JPEG is lossy but must stay close to the source.
        let a = try MediaTools.rgb24Frame(jpg), b = try MediaTools.rgb24Frame(input)
        let meanError = zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(b.count)
        #expect(meanError < 8)
    }

    @Test func oddSizedVideoKeepsItsSizeInH264() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("odd.mkv"), output = dir.appendingPathComponent("odd.mp4")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=96x64:r=25:d=0.2", "-vf", "scale=97:63", "-c:v", "ffv1", "-pix_fmt", "yuv444p", input.path])
        _ = try transcode(input, output)
        #expect(try MediaTools.videoProperty(output, "codec_name,width,height,pix_fmt") == "h264,97,63,yuv444p")
        #expect(try MediaTools.framePTS(output).count == 5)
    }

    @Test func errorsNameTheProblem() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: DecodeError.fileNotFound(dir.appendingPathComponent("nope.mp4").path)) {
            try FrameDecoder(location: dir.appendingPathComponent("nope.mp4").path)
        }
        let text = dir.appendingPathComponent("text.mp4")
        try Data("not a video at all\n".utf8).write(to: text)
        #expect {
            try FrameDecoder(location: text.path)
        } throws: { error in
            if case .cannotOpen = error as? DecodeError { return true } else { return false }
        }
        let audioOnly = dir.appendingPathComponent("tone.wav")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "sine=duration=0.2", audioOnly.path])
        #expect(throws: DecodeError.noVideoStream(audioOnly.path)) { try FrameDecoder(location: audioOnly.path) }

        let video = VideoStreamInfo(width: 16, height: 16, timeBase: Rational(1, 25), frameRate: Rational(25, 1))
        #expect(throws: EncodeError.unknownFormat("nosuchformat")) {
            try FrameEncoder(location: dir.appendingPathComponent("x").path, settings: EncoderSettings(format: "nosuchformat"), video: video)
        }
        #expect(throws: EncodeError.codecNotSupportedByContainer(codec: "ffv1", format: "mp4")) {
            try FrameEncoder(location: dir.appendingPathComponent("x.mp4").path, settings: EncoderSettings(codec: "ffv1"), video: video)
        }
        #expect {
            try FrameEncoder(location: "/nonexistent-dir/x.mkv", video: video)
        } throws: { error in
            if case .cannotOpenOutput = error as? EncodeError { return true } else { return false }
        }
    }

    @Test func aSilentServerTimesOutInsteadOfHanging() throws {
        // A TCP server that accepts and never answers.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        #expect(bound && listen(fd, 4) == 0)
        let port = UInt16(bigEndian: addr.sin_port)
        let start = Date()
        #expect {
            try FrameDecoder(location: "http://127.0.0.1:\(port)/clip.mp4", networkTimeout: .seconds(1))
        } throws: { error in
            if case .cannotOpen = error as? DecodeError { return true } else { return false }
        }
        #expect(Date().timeIntervalSince(start) < 20)
    }

    /// Through a FIFO (no seeking), a fragmented MP4 states only its first fragment's length.
    @Test func fragmentedMP4FromAPipeHasNoFrameCountButItsFirstFragmentBoundsTruncation() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("frag.mp4"), fifo = dir.appendingPathComponent("fifo.mp4")
        // Four fragments of 25 frames.
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=96x64:r=25:d=4", "-c:v", "libx264", "-preset", "ultrafast",
                               "-g", "25", "-movflags", "frag_keyframe+empty_moov+default_base_moof", file.path])
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let whole = try Data(contentsOf: file)
        func decode(_ data: Data) throws -> (info: VideoStreamInfo, frames: Int) {
            let writer = Thread { try? FileHandle(forWritingTo: fifo).write(contentsOf: data) }
            writer.start()
            let decoder = try FrameDecoder(location: fifo.path)
            var frames = 0
            while try decoder.nextPackedFrame() != nil { frames += 1 }
            return (decoder.videoInfo, frames)
        }
        let full = try decode(whole)
        #expect(full.frames == 100)
        #expect(full.info.frameCount == nil && full.info.duration == nil, "the first fragment is not the video's length")
        // Cut inside the first fragment: less than it states, so truncated.
        #expect(throws: DecodeError.self) { _ = try decode(whole.prefix(whole.count / 8)) }
    }

    @Test func truncatedMatroskaReportsWhereItStopped() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = dir.appendingPathComponent("full.mkv"), cut = dir.appendingPathComponent("cut.mkv")
        try MediaTools.makeClip(full)
        let data = try Data(contentsOf: full)
        try data.prefix(data.count / 2).write(to: cut)
        let decoder = try FrameDecoder(location: cut.path)
        var frames = 0
        #expect {
            while try decoder.nextFrame() != nil { frames += 1 }
        } throws: { error in
            guard case .truncated(let n, let t, let expected) = error as? DecodeError else { return false }
            return n == frames && n > 0 && n < 50 && t < expected && abs(expected - 2) < 0.1
        }
    }
}
