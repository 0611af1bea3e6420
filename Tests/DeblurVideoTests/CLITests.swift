import Foundation
import MediaTestSupport
import Synchronization
import Testing

private struct Run {
    var status: Int32
    var stdout: Data
    var stderr: String
}

/// Runs the CLI with `arguments`, optional stdin bytes, and waits.
/// These tests are about the pipeline, so they pass `--method none` unless they name a method
/// (the default GAN is covered by GANCLITests; in a debug build it is too slow for long clips).
private func deblurVideo(_ arguments: [String], stdin: Data? = nil) throws -> Run {
    let process = Process()
    process.executableURL = BuiltCLI.binary
    let asksHelp = arguments.contains("--help") || arguments.first == "help"
    process.arguments = arguments + (arguments.contains("--method") || asksHelp ? [] : ["--method", "none"])
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try process.run()
    let writer = Thread {
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
    }
    writer.start()
    let errData = ErrCollector(err.fileHandleForReading)
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(status: process.terminationStatus, stdout: data, stderr: errData.finish())
}

/// Drains stderr on another thread so a chatty child never blocks on a full pipe.
private final class ErrCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }
    func finish() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}

private func files(in dir: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
}

/// One `error: …` line and nothing else.
private func isOneErrorLine(_ text: String) -> Bool {
    let lines = text.split(whereSeparator: \.isNewline)
    return lines.count == 1 && lines[0].hasPrefix("error: ")
}

@Suite struct CLITests {
    @Test func defaultSubcommandReencodesAndLeavesNoTemporaryFile() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv"), output = dir.appendingPathComponent("out.mp4")
        try MediaTools.makeClip(input)
        let run = try deblurVideo([input.path, "-o", output.path, "--method", "none", "--crf", "20"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)  // not a TTY: no progress line
        #expect(run.stdout.isEmpty)
        #expect(try MediaTools.framePTS(output).count == 50)
        #expect(try MediaTools.packetCounts(output)["audio"] == MediaTools.packetCounts(input)["audio"])
        #expect(files(in: dir) == ["in.mkv", "out.mp4"])
        // The explicit subcommand works too.
        let explicit = try deblurVideo(["deblur", input.path, "-o", dir.appendingPathComponent("b.mkv").path, "--quiet"])
        #expect(explicit.status == 0)
    }

    @Test func pipesNutInAndOut() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.nut")
        try MediaTools.makeClip(input)
        let run = try deblurVideo(["-", "-o", "-", "-f", "nut"], stdin: try Data(contentsOf: input))  // -f as in ffmpeg
        #expect(run.status == 0, "\(run.stderr)")
        let output = dir.appendingPathComponent("out.nut")
        try run.stdout.write(to: output)
        // Same frames at the same spacing. NUT cannot store negative DTS, so x264's B-frame delay shifts
        // the whole stream by a constant (the ffmpeg CLI does the same).
        let outPTS = try MediaTools.framePTS(output), inPTS = try MediaTools.framePTS(input)
        #expect(outPTS.count == 50 && inPTS.count == 50)
        let shifts = zip(outPTS, inPTS).map { $0 - $1 }
        #expect(shifts.allSatisfy { abs($0 - shifts[0]) < 1e-4 })
        #expect(try MediaTools.packetCounts(output)["audio"] == MediaTools.packetCounts(input)["audio"])

        // A camera's raw video over NUT: the rate the container states is kept (the pipe is not probed for it).
        let raw = dir.appendingPathComponent("raw.nut")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48:r=30:d=0.5", "-c:v", "rawvideo", raw.path])
        let rawRun = try deblurVideo(["-", "-o", "-", "-f", "nut", "--method", "none"], stdin: try Data(contentsOf: raw))
        #expect(rawRun.status == 0, "\(rawRun.stderr)")
        let rawOut = dir.appendingPathComponent("raw-out.nut")
        try rawRun.stdout.write(to: rawOut)
        #expect(try MediaTools.videoProperty(rawOut, "r_frame_rate") == "30/1")
        #expect(try MediaTools.framePTS(rawOut).count == 15)

        // MP4 keeps its index at the end: through a pipe the error must say so, not just "corrupt".
        let mp4 = dir.appendingPathComponent("in.mp4")
        try MediaTools.makeClip(mp4, seconds: 2)  // shorter ones fit the probe buffer, where FFmpeg can seek back
        let fromPipe = try deblurVideo(["-", "-o", dir.appendingPathComponent("o.mkv").path], stdin: try Data(contentsOf: mp4))
        #expect(fromPipe.status == 4 && fromPipe.stderr.contains("cannot be read from a pipe"), "\(fromPipe.stderr)")
        // With its index first (faststart), an MP4 states its length on a pipe too: a cut one is truncated.
        let faststart = dir.appendingPathComponent("fast.mp4")
        try MediaTools.ffmpeg(["-i", mp4.path, "-c", "copy", "-movflags", "+faststart", faststart.path])
        let whole = try Data(contentsOf: faststart)
        let cut = try deblurVideo(["-", "-o", dir.appendingPathComponent("cut.mkv").path, "--method", "none"],
                                  stdin: whole.prefix(whole.count / 2))
        #expect(cut.status == 4 && cut.stderr.contains("truncated input") && cut.stderr.contains("2.000s announced"), "\(cut.stderr)")
        // MP4 into a pipe is fragmented (its index first, empty): every frame and the audio arrive.
        let toPipe = try deblurVideo([mp4.path, "-o", "-", "--format", "mp4", "--method", "none"])
        #expect(toPipe.status == 0, "\(toPipe.stderr)")
        let piped = dir.appendingPathComponent("piped.mp4")
        try toPipe.stdout.write(to: piped)
        #expect(toPipe.stdout.range(of: Data("moof".utf8)) != nil, "not fragmented")
        #expect(try MediaTools.framePTS(piped).count == 50)
        #expect(try MediaTools.packetCounts(piped)["audio"] == MediaTools.packetCounts(mp4)["audio"])
        // Live, every frame is a fragment: a viewer does not wait for the next keyframe (x264: 10 s).
        let live = try deblurVideo([mp4.path, "-o", "-", "--format", "mp4", "--method", "none", "--realtime", "skip"])
        #expect(live.status == 0, "\(live.stderr)")
        var fragments = 0, rest = live.stdout[...]
        while let r = rest.range(of: Data("moof".utf8)) { fragments += 1; rest = rest[r.upperBound...] }
        #expect(fragments >= 50, "\(fragments) fragments for 50 frames")
        let aviToPipe = try deblurVideo([mp4.path, "-o", "-", "--format", "avi"])
        #expect(aviToPipe.status == 1 && isOneErrorLine(aviToPipe.stderr) && aviToPipe.stderr.contains("nut, matroska or mp4"),
                "\(aviToPipe.stderr)")
        #expect(aviToPipe.stdout.isEmpty)
    }

    /// A picture on stdout has no file name to choose its codec: PNG, lossless, not FFmpeg's JPEG.
    @Test func anImageOnStdoutIsPNG() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = dir.appendingPathComponent("in.png")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1", image.path])
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let run = try deblurVideo([image.path, "-o", "-", "--format", "image2pipe", "--method", "none"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.prefix(8) == png)
        // Without --format too: a still is one PNG, not a NUT stream of lossy H.264.
        let plain = try deblurVideo([image.path, "-o", "-", "--method", "none"])
        #expect(plain.status == 0 && plain.stdout.prefix(8) == png, "\(plain.stderr)")
        let jpeg = try deblurVideo([image.path, "-o", "-", "--format", "image2pipe", "--codec", "mjpeg", "--method", "none"])
        #expect(jpeg.status == 0 && jpeg.stdout.prefix(2) == Data([0xFF, 0xD8]), "\(jpeg.stderr)")
    }

    @Test func specialFilesAndLinksAreWrittenThroughNotReplaced() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.nut")
        try MediaTools.makeClip(input, seconds: 1)
        // A FIFO stays a FIFO and its reader gets the video.
        let fifo = dir.appendingPathComponent("f.nut")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let received = dir.appendingPathComponent("received.nut")
        let reader = Thread { try? FileHandle(forReadingFrom: fifo).readDataToEndOfFile().write(to: received) }
        reader.start()
        let run = try deblurVideo([input.path, "-o", fifo.path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: received.path) { Thread.sleep(forTimeInterval: 0.05) }
        #expect(try MediaTools.framePTS(received).count == 25)
        var info = stat()
        #expect(lstat(fifo.path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO was replaced")
        // A device named without an extension streams NUT, as stdout does (`ffmpeg … -f null` without the -f).
        let devNull = try deblurVideo([input.path, "-o", "/dev/null"])
        #expect(devNull.status == 0 && devNull.stderr.isEmpty, "\(devNull.stderr)")
        var null = stat()
        #expect(stat("/dev/null", &null) == 0 && null.st_mode & S_IFMT == S_IFCHR)
        // A FIFO cannot be seeked: AVI into one is refused up front.
        let aviFifo = dir.appendingPathComponent("g.avi")
        #expect(mkfifo(aviFifo.path, 0o600) == 0)
        let refused = try deblurVideo([input.path, "-o", aviFifo.path])
        #expect(refused.status == 1 && refused.stderr.contains("nut, matroska or mp4"), "\(refused.stderr)")
        // MP4 into one is fragmented, as into stdout.
        let mp4Fifo = dir.appendingPathComponent("h.mp4"), mp4Received = dir.appendingPathComponent("received.mp4")
        #expect(mkfifo(mp4Fifo.path, 0o600) == 0)
        let mp4Reader = Thread { try? FileHandle(forReadingFrom: mp4Fifo).readDataToEndOfFile().write(to: mp4Received) }
        mp4Reader.start()
        let toFifo = try deblurVideo([input.path, "-o", mp4Fifo.path, "--method", "none"])
        #expect(toFifo.status == 0, "\(toFifo.stderr)")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: mp4Received.path) { Thread.sleep(forTimeInterval: 0.05) }
        #expect(try MediaTools.framePTS(mp4Received).count == 25)
        // A symbolic link keeps pointing at the file, which gets the result.
        let real = dir.appendingPathComponent("real.mkv"), link = dir.appendingPathComponent("link.mkv")
        try Data("old".utf8).write(to: real)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: real)
        #expect(try deblurVideo([input.path, "-o", link.path, "--quiet"]).status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == real.path)
        #expect(try MediaTools.framePTS(real).count == 25)
        // A dangling link is written through, as a shell's `>` does: the file it names is created, the link stays.
        let dangling = dir.appendingPathComponent("dangling.mkv")
        try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: "made.mkv")
        #expect(try deblurVideo([input.path, "-o", dangling.path, "--quiet"]).status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dangling.path) == "made.mkv")
        #expect(try MediaTools.framePTS(dir.appendingPathComponent("made.mkv")).count == 25)
        #expect(files(in: dir) == ["dangling.mkv", "f.nut", "g.avi", "h.mp4", "in.nut", "link.mkv", "made.mkv", "real.mkv", "received.mp4", "received.nut"])
    }

    @Test func audioLongerThanTheVideoIsNotTruncation() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Matroska states the streams' lengths only as tags; the file's length (5 s) is the audio's.
        let input = dir.appendingPathComponent("long-audio.mkv"), output = dir.appendingPathComponent("out.mkv")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=4", "-f", "lavfi",
                               "-i", "sine=duration=5", "-c:v", "libx264", "-c:a", "aac", input.path])
        let run = try deblurVideo([input.path, "-o", output.path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try MediaTools.framePTS(output).count == 40)
        // Cut in half, the same kind of file is still reported truncated.
        let whole = try Data(contentsOf: input)
        let cut = dir.appendingPathComponent("cut.mkv")
        try whole.prefix(whole.count / 2).write(to: cut)
        let truncated = try deblurVideo([cut.path, "-o", dir.appendingPathComponent("cut-out.mkv").path, "--quiet"])
        #expect(truncated.status == 4 && truncated.stderr.contains("truncated"), "\(truncated.stderr)")
    }

    @Test func pixelAspectFrameRateAndAnimatedImagesComeOutRight() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Anamorphic (4:3 pixels, 16:9 picture) stays anamorphic, instead of being shown squashed to 4:3.
        let anamorphic = dir.appendingPathComponent("sar.mkv")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=96x72:rate=10:duration=1", "-vf", "setsar=4/3",
                               "-c:v", "libx264", anamorphic.path])
        for ext in ["mkv", "mp4"] {
            let out = dir.appendingPathComponent("sar-out.\(ext)")
            #expect(try deblurVideo([anamorphic.path, "-o", out.path, "--quiet"]).status == 0)
            #expect(try MediaTools.videoProperty(out, "sample_aspect_ratio") == "4:3", "\(ext)")
        }
        // YUV4MPEG and AVI read the frame rate from the time base: 25 fps, not the MP4's 1/12800 ticks.
        let input = dir.appendingPathComponent("in.mp4")
        try MediaTools.makeClip(input, seconds: 1)
        let y4m = dir.appendingPathComponent("out.y4m")
        #expect(try deblurVideo([input.path, "-o", y4m.path, "--quiet"]).status == 0)
        let header = String(decoding: try Data(contentsOf: y4m).prefix(40), as: UTF8.self)
        #expect(header.contains(" F25:1 "), "\(header)")
        let avi = dir.appendingPathComponent("out.avi")
        #expect(try deblurVideo([input.path, "-o", avi.path, "--quiet"]).status == 0)
        #expect(try MediaTools.videoProperty(avi, "r_frame_rate") == "25/1")
        #expect(try MediaTools.packetCounts(avi)["video"] == 25)
        let seconds = try #require(Double(MediaTools.videoProperty(avi, "duration")))
        #expect(abs(seconds - 1) < 0.05, "AVI duration \(seconds) s for 25 frames at 25 fps")
        // An animated GIF gets the GIF codec, not H.264 (which the muxer cannot hold).
        let gif = dir.appendingPathComponent("out.gif")
        let gifRun = try deblurVideo([anamorphic.path, "-o", gif.path, "--quiet"])
        #expect(gifRun.status == 0, "\(gifRun.stderr)")
        #expect(try MediaTools.videoProperty(gif, "codec_name") == "gif")
    }

    @Test func aLateStartTimeIsShiftedToZeroLikeFFmpeg() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // An MPEG-TS capture whose clock starts at an hour: MP4 output used to begin with an hour of nothing.
        let input = dir.appendingPathComponent("capture.ts"), output = dir.appendingPathComponent("out.mp4")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=2", "-f", "lavfi",
                               "-i", "sine=duration=2", "-c:v", "libx264", "-c:a", "aac", "-output_ts_offset", "3600", input.path])
        let run = try deblurVideo([input.path, "-o", output.path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let pts = try MediaTools.framePTS(output)
        #expect(pts.count == 20 && abs(pts[0]) < 0.001 && abs(pts[19] - 1.9) < 0.001, "\(pts)")
        let format = String(decoding: try MediaTools.run("ffprobe", ["-v", "error", "-show_entries", "format=duration",
                                                                      "-of", "csv=p=0", output.path]), as: UTF8.self)
        let seconds = try #require(Double(format.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(seconds < 2.2, "output lasts \(seconds) s for 2 s of content")
        #expect(try MediaTools.packetCounts(output)["audio"] == MediaTools.packetCounts(input)["audio"])
    }

    @Test func missingAndNonVideoInputsExitTwo() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = try deblurVideo([dir.appendingPathComponent("nope.mp4").path, "-o", dir.appendingPathComponent("o.mp4").path])
        #expect(missing.status == 2)
        #expect(isOneErrorLine(missing.stderr) && missing.stderr.contains("not found"))
        let text = dir.appendingPathComponent("notes.mp4")
        try Data(String(repeating: "not a video\n", count: 100).utf8).write(to: text)
        let garbage = try deblurVideo([text.path, "-o", dir.appendingPathComponent("o.mp4").path])
        #expect(garbage.status == 2)
        #expect(isOneErrorLine(garbage.stderr))
        #expect(files(in: dir) == ["notes.mp4"])
        // The image demuxer trusts the extension; the error must still say "not an image", exit 2.
        let textPNG = dir.appendingPathComponent("notes.png")
        try Data("hello world, just text\n".utf8).write(to: textPNG)
        let fakeImage = try deblurVideo([textPNG.path, "-o", dir.appendingPathComponent("o.png").path])
        #expect(fakeImage.status == 2, "\(fakeImage.stderr)")
        #expect(isOneErrorLine(fakeImage.stderr) && fakeImage.stderr.contains("not a valid png image"), "\(fakeImage.stderr)")
        #expect(files(in: dir) == ["notes.mp4", "notes.png"])
    }

    @Test func truncatedAndCorruptInputsExitFourWithoutOutput() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = dir.appendingPathComponent("full.mkv")
        try MediaTools.makeClip(full)
        let data = try Data(contentsOf: full)
        let cut = dir.appendingPathComponent("cut.mkv")
        try data.prefix(data.count / 2).write(to: cut)
        // A raw H.264 stream with its middle overwritten: the decoder itself hits damaged slices.
        let h264 = dir.appendingPathComponent("clip.h264")
        try MediaTools.ffmpeg(["-i", full.path, "-c:v", "copy", "-an", h264.path])
        var raw = try Data(contentsOf: h264)
        let middle = raw.count / 2
        for i in middle..<(middle + 2000) { raw[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 7) }
        let corrupt = dir.appendingPathComponent("corrupt.h264")
        try raw.write(to: corrupt)

        let before = files(in: dir)
        let truncated = try deblurVideo([cut.path, "-o", dir.appendingPathComponent("t.mkv").path])
        #expect(truncated.status == 4)
        #expect(isOneErrorLine(truncated.stderr) && truncated.stderr.contains("truncated") && truncated.stderr.contains("frame"))
        let broken = try deblurVideo([corrupt.path, "-o", dir.appendingPathComponent("c.mkv").path])
        #expect(broken.status == 4, "\(broken.stderr)")
        #expect(isOneErrorLine(broken.stderr) && broken.stderr.contains("frame"))
        #expect(files(in: dir) == before)  // no output, no temporary file

        // Containers that announce no duration (MPEG-TS, NUT from a pipe): a cut inside a packet leaves a
        // damaged last picture. Only that picture is lost, as with the ffmpeg CLI: the rest is written, with a
        // warning (a live capture whose source died keeps its recording).
        let ts = dir.appendingPathComponent("full.ts")
        try MediaTools.ffmpeg(["-i", full.path, "-c:v", "copy", "-an", ts.path])
        let tsData = try Data(contentsOf: ts)
        let cutTS = dir.appendingPathComponent("cut.ts")
        try tsData.prefix(tsData.count * 6 / 10).write(to: cutTS)
        let tsOut = dir.appendingPathComponent("t.mkv")
        let truncatedTS = try deblurVideo([cutTS.path, "-o", tsOut.path, "--method", "none"])
        #expect(truncatedTS.status == 0, "\(truncatedTS.stderr)")
        #expect(truncatedTS.stderr.contains("warning: the input ends inside a frame (cut off?)"), "\(truncatedTS.stderr)")
        let tsFrames = try MediaTools.framePTS(tsOut).count
        #expect(tsFrames > 20 && tsFrames < 50, "\(tsFrames)")

        // --keep-partial keeps the decodable part, playable, and still reports the failure.
        let kept = dir.appendingPathComponent("kept.mkv")
        let partial = try deblurVideo([cut.path, "-o", kept.path, "--keep-partial"])
        #expect(partial.status == 4)
        let frames = try MediaTools.framePTS(kept).count
        #expect(frames > 0 && frames < 50)
    }

    @Test func badOutputsAndFlagsAreReported() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv")
        try MediaTools.makeClip(input, seconds: 0.4)
        let unwritable = try deblurVideo([input.path, "-o", "/nonexistent-dir/out.mp4"])
        #expect(unwritable.status == 3)
        #expect(isOneErrorLine(unwritable.stderr))
        let unknownExt = try deblurVideo([input.path, "-o", dir.appendingPathComponent("out.zzz").path])
        #expect(unknownExt.status == 3)
        let badCodecForContainer = try deblurVideo([input.path, "-o", dir.appendingPathComponent("o.mp4").path, "--codec", "ffv1"])
        #expect(badCodecForContainer.status == 3)
        #expect(isOneErrorLine(badCodecForContainer.stderr))
        for flags in [["--crf", "99"], ["--threads", "0"], ["--threads", "100000"], ["--preset", "bogus"], ["--method", "magic"], ["--format", "nosuch"], ["--codec", "nosuch"], ["--bogus"],
                      ["--ensemble", "3"], ["--method", "unsharp", "--unsharp-sigma", "1e9"],
                      ["--method", "unsharp", "--unsharp-amount", "nan"], ["--method", "wiener", "--wiener-balance", "0"]] {
            let run = try deblurVideo([input.path, "-o", dir.appendingPathComponent("o.mkv").path] + flags)
            #expect(run.status == 1, "\(flags)")
            #expect(isOneErrorLine(run.stderr), "\(flags): \(run.stderr)")
        }
        // A negative number is a value, not an option: ours says what is wrong with it, and a negative angle is taken.
        let negative = try deblurVideo([input.path, "-o", dir.appendingPathComponent("o.mkv").path, "--crf", "-5"])
        #expect(negative.status == 1 && negative.stderr.contains("crf") && !negative.stderr.contains("Missing value"), "\(negative.stderr)")
        #expect(files(in: dir) == ["in.mkv"])
        let angled = try deblurVideo([input.path, "-o", dir.appendingPathComponent("angled.mkv").path, "--method", "wiener", "--psf-angle", "-30"])
        #expect(angled.status == 0, "\(angled.stderr)")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("angled.mkv"))
        let original = try Data(contentsOf: input)
        let sameFile = try deblurVideo([input.path, "-o", dir.appendingPathComponent("./in.mkv").path])
        #expect(sameFile.status == 1 && isOneErrorLine(sameFile.stderr) && sameFile.stderr.contains("is the input file"), "\(sameFile.stderr)")
        #expect(try Data(contentsOf: input) == original)
        // A video into one image file would keep only its last frame; a directory into a video file is a mix-up.
        let videoToImage = try deblurVideo([input.path, "-o", dir.appendingPathComponent("frame.png").path])
        #expect(videoToImage.status == 1 && isOneErrorLine(videoToImage.stderr) && videoToImage.stderr.contains("single image"),
                "\(videoToImage.stderr)")
        let images = dir.appendingPathComponent("shots")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1", images.appendingPathComponent("a.png").path])
        let directoryToVideo = try deblurVideo([images.path, "-o", dir.appendingPathComponent("all.mp4").path])
        #expect(directoryToVideo.status == 1 && isOneErrorLine(directoryToVideo.stderr), "\(directoryToVideo.stderr)")
        let intoItself = try deblurVideo([images.path, "-o", images.path + "/."])
        #expect(intoItself.status == 1 && isOneErrorLine(intoItself.stderr) && intoItself.stderr.contains("is the input directory"),
                "\(intoItself.stderr)")
        #expect(files(in: dir) == ["in.mkv", "shots"])
        #expect(files(in: images) == ["a.png"])
    }

    @Test("an input that ends before its first frame is an error, never an empty result")
    func noFrameIsAnError() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = dir.appendingPathComponent("shots"), out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        for name in ["a.png", "c.png"] {
            try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=640x480", "-frames:v", "1", images.appendingPathComponent(name).path])
        }
        // Cut after its header, so it opens as a PNG and breaks while decoding.
        let png = try Data(contentsOf: images.appendingPathComponent("a.png"))
        let cutPNG = images.appendingPathComponent("b.png")
        try png.prefix(png.count * 6 / 10).write(to: cutPNG)
        // A cut image: said as such (it was "cannot write", exit 3, as no frame made the temporary file).
        let single = try deblurVideo([cutPNG.path, "-o", dir.appendingPathComponent("b-out.png").path, "--method", "none"])
        #expect(single.status == 4 && isOneErrorLine(single.stderr) && single.stderr.contains("first frame"), "\(single.stderr)")
        #expect(files(in: dir) == ["shots"])
        // In a directory it costs only itself: the image after it is still written.
        let batch = try deblurVideo([images.path, "-o", out.path, "--method", "none"])
        #expect(batch.status == 4 && batch.stderr.contains("b.png") && batch.stderr.contains("1 of 3 images failed"), "\(batch.stderr)")
        #expect(files(in: out) == ["a.png", "c.png"])
        // A pipe that closes before its first frame: it wrote an empty file and exited 0.
        let clip = dir.appendingPathComponent("clip.nut")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=1", "-c:v", "libx264", "-preset", "ultrafast", clip.path])
        let head = try Data(contentsOf: clip).prefix(1500)
        let piped = try deblurVideo(["-", "-o", dir.appendingPathComponent("p.mkv").path, "--method", "none"], stdin: head)
        #expect(piped.status == 4 && isOneErrorLine(piped.stderr) && piped.stderr.contains("first frame"), "\(piped.stderr)")
        #expect(files(in: dir) == ["clip.nut", "out", "shots"])
    }

    @Test("mix-ups get messages that name them")
    func mixUpsAreNamed() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = dir.appendingPathComponent("shots"), clip = dir.appendingPathComponent("one.mp4")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1", images.appendingPathComponent("a.png").path])
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48:r=25", "-frames:v", "1", "-c:v", "libx264", clip.path])
        // A directory of images into what looks like one image: it made a directory named single.png.
        let intoImage = try deblurVideo([images.path, "-o", dir.appendingPathComponent("single.png").path, "--method", "none"])
        #expect(intoImage.status == 1 && isOneErrorLine(intoImage.stderr) && intoImage.stderr.contains("not an image file"), "\(intoImage.stderr)")
        // An audio encoder as --codec.
        let audio = try deblurVideo([clip.path, "-o", dir.appendingPathComponent("o.mkv").path, "--codec", "aac"])
        #expect(audio.status == 1 && audio.stderr.contains("not a video encoder"), "\(audio.stderr)")
        // A file where a directory should be.
        let underFile = try deblurVideo([clip.path, "-o", clip.path + "/x.mkv", "--method", "none"])
        #expect(underFile.status == 3 && underFile.stderr.contains("is a file, not a directory"), "\(underFile.stderr)")
        #expect(files(in: dir) == ["one.mp4", "shots"])
        // A one-frame video is one picture: written as an image, as its frame (it was refused as "a video").
        let frame = dir.appendingPathComponent("frame.png")
        let still = try deblurVideo([clip.path, "-o", frame.path, "--method", "none"])
        #expect(still.status == 0, "\(still.stderr)")
        #expect(try MediaTools.videoProperty(frame, "codec_name,width") == "png,64")
    }

    @Test("the sharp reference and the PSF image are protected as the input is")
    func referenceAndPSFAreNotOverwritten() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.png"), reference = dir.appendingPathComponent("sharp.png")
        let psf = dir.appendingPathComponent("psf.png")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1", input.path])
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1", "-vf", "hflip", reference.path])
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "color=white:s=6x2", "-frames:v", "1", psf.path])
        let before = try [reference, psf].map { try Data(contentsOf: $0) }
        let onReference = try deblurVideo([input.path, "-o", reference.path, "--method", "none", "--reference", reference.path])
        #expect(onReference.status == 1 && isOneErrorLine(onReference.stderr) && onReference.stderr.contains("is the --reference file"),
                "\(onReference.stderr)")
        let onPSF = try deblurVideo([input.path, "-o", psf.path, "--method", "wiener", "--psf", psf.path])
        #expect(onPSF.status == 1 && isOneErrorLine(onPSF.stderr) && onPSF.stderr.contains("is the --psf file"), "\(onPSF.stderr)")
        #expect(try [reference, psf].map { try Data(contentsOf: $0) } == before)
        #expect(files(in: dir) == ["in.png", "psf.png", "sharp.png"])
    }

    @Test("a PSF larger than the frame is an error that names the flags, and writes nothing")
    func psfLargerThanFrameIsRefused() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.png")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=32x24", "-frames:v", "1", input.path])
        for method in ["wiener", "richardson-lucy"] {
            let run = try deblurVideo([input.path, "-o", dir.appendingPathComponent("o.png").path, "--method", method, "--psf-length", "40"])
            #expect(run.status == 4 && isOneErrorLine(run.stderr), "\(method): \(run.stderr)")
            #expect(run.stderr.contains("larger than the image (32x24)") && run.stderr.contains("--psf-length"), "\(run.stderr)")
        }
        #expect(files(in: dir) == ["in.png"])
        let fits = try deblurVideo([input.path, "-o", dir.appendingPathComponent("o.png").path, "--method", "wiener", "--psf-length", "9"])
        #expect(fits.status == 0, "\(fits.stderr)")
    }

    @Test func streamsAndSampleDepthThatAreNotKeptAreNamed() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = dir.appendingPathComponent("in.mkv"), subtitles = dir.appendingPathComponent("s.srt")
        let multi = dir.appendingPathComponent("multi.mkv"), output = dir.appendingPathComponent("out.mkv")
        try MediaTools.makeClip(clip, seconds: 0.4)
        try Data("1\n00:00:00,000 --> 00:00:00,300\nhello\n".utf8).write(to: subtitles)
        try MediaTools.ffmpeg(["-i", clip.path, "-i", subtitles.path, "-map", "0:v", "-map", "0:a", "-map", "0:a", "-map", "1",
                               "-c", "copy", multi.path])
        let run = try deblurVideo([multi.path, "-o", output.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("not copied: audio #2 (aac), subtitle #3 (subrip)"), "\(run.stderr)")
        #expect(try MediaTools.packetCounts(output).keys.sorted() == ["audio", "video"])

        let rgba = dir.appendingPathComponent("rgba.png"), deep = dir.appendingPathComponent("deep.mkv")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=32x24", "-frames:v", "1", "-pix_fmt", "rgba", rgba.path])
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=32x24:d=0.2", "-c:v", "ffv1", "-pix_fmt", "yuv420p10le", deep.path])
        let alpha = try deblurVideo([rgba.path, "-o", dir.appendingPathComponent("rgba-out.png").path])
        #expect(alpha.status == 0 && alpha.stderr.contains("loses its alpha channel"), "\(alpha.stderr)")
        let tenBit = try deblurVideo([deep.path, "-o", dir.appendingPathComponent("deep-out.mkv").path])
        #expect(tenBit.status == 0 && tenBit.stderr.contains("loses 2 of its 10 bits per sample"), "\(tenBit.stderr)")
        let plain = try deblurVideo([clip.path, "-o", dir.appendingPathComponent("plain-out.mkv").path])
        #expect(plain.status == 0 && plain.stderr.isEmpty, "\(plain.stderr)")

        // A portrait phone clip's rotation tag: MP4 keeps it silently; Matroska cannot hold it, so the frames are
        // turned upright, as the ffmpeg CLI's autorotation shows them (its decode of the tagged input is the reference).
        for tag in [90, 180, 270] {
            let rotated = dir.appendingPathComponent("rotated\(tag).mp4")
            try MediaTools.ffmpeg(["-i", clip.path, "-c:v", "copy", "-an", "-metadata:s:v:0", "rotate=\(tag)", rotated.path])
            let keeps = try deblurVideo([rotated.path, "-o", dir.appendingPathComponent("rotated\(tag)-out.mp4").path, "--method", "none"])
            #expect(keeps.status == 0 && keeps.stderr.isEmpty, "\(keeps.stderr)")
            let turned = dir.appendingPathComponent("rotated\(tag)-out.mkv")
            let turns = try deblurVideo([rotated.path, "-o", turned.path, "--method", "none", "--crf", "0"])
            #expect(turns.status == 0 && turns.stderr.isEmpty, "\(turns.stderr)")
            let size = tag == 180 ? "320,240" : "240,320"
            #expect(try MediaTools.videoProperty(turned, "width,height") == size)
            let ours = try MediaTools.rgb24Frame(turned, index: 3), upright = try MediaTools.rgb24Frame(rotated, index: 3)
            try #require(ours.count == upright.count && ours.count == 320 * 240 * 3)
            let mean = zip(ours, upright).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
            #expect(Double(mean) / Double(ours.count) < 1.5, "rotate=\(tag): mean difference \(Double(mean) / Double(ours.count))")
        }
        // A phone photo's EXIF orientation: the result is upright, as the ffmpeg CLI (and any viewer) shows the input.
        for orientation: UInt16 in [6, 8] {
            let photo = dir.appendingPathComponent("portrait\(orientation).jpg"), out = dir.appendingPathComponent("portrait\(orientation).png")
            try MediaTools.makeJPEG(photo, size: "96x64", exifOrientation: orientation)
            let run = try deblurVideo([photo.path, "-o", out.path, "--method", "none"])
            #expect(run.status == 0 && run.stderr.isEmpty, "\(run.stderr)")
            #expect(try MediaTools.videoProperty(out, "width,height") == "64,96")
            let ours = try MediaTools.rgb24Frame(out), upright = try MediaTools.rgb24Frame(photo)
            try #require(ours.count == upright.count && ours.count == 96 * 64 * 3)
            #expect(zip(ours, upright).allSatisfy { abs(Int($0) - Int($1)) <= 3 }, "orientation \(orientation)")
        }
        // x265 writes its banner and settings to stderr by itself; only what FFmpeg would show gets through.
        let hevc = try deblurVideo([clip.path, "-o", dir.appendingPathComponent("hevc.mkv").path, "--codec", "libx265", "--method", "none"])
        #expect(hevc.status == 0 && hevc.stderr.isEmpty, "\(hevc.stderr)")
    }

    @Test func audioTheContainerCannotHoldIsReencodedNotDropped() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A camera-style MOV with PCM audio: MP4 cannot hold PCM, so it becomes AAC. 10 kHz is not an AAC rate,
        // so it also goes through the resampler (to 11,025 Hz, the nearest one AAC takes). PCM in AVI has no channel
        // layout, only a count. FLAC in MP4 passes FFmpeg's codec query but the muxer refuses it ("experimental").
        let cases = [("mov", "pcm_s16le", 48000, "48000"), ("mov", "pcm_s16le", 10000, "11025"),
                     ("avi", "pcm_s16le", 48000, "48000"), ("mkv", "flac", 48000, "48000")]
        for (container, codec, rate, expectedRate) in cases {
            let pcm = dir.appendingPathComponent("\(codec)\(rate).\(container)"), out = dir.appendingPathComponent("out-\(container)-\(codec)-\(rate).mp4")
            try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48:r=25:d=1",
                                   "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=\(rate):duration=1",
                                   "-c:v", "libx264", "-preset", "ultrafast", "-c:a", codec, pcm.path])
            let run = try deblurVideo([pcm.path, "-o", out.path])
            // A library's warning reads like the command's own (`warning: …`), not as a timestamped log record.
            #expect(run.status == 0 && ("\n" + run.stderr).contains("\nwarning: mp4 cannot hold \(codec) audio; re-encoded as aac (write .mkv"),
                    "\(container) \(codec): \(run.stderr)")
            #expect(!run.stderr.contains("dropped"), "\(run.stderr)")
            let audio = String(decoding: try MediaTools.run("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries",
                "stream=codec_name,sample_rate,duration", "-of", "csv=p=0", out.path]), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").map(String.init)
            #expect(audio.count == 3 && audio[0] == "aac" && audio[1] == expectedRate, "\(audio)")
            // All of the second is there (not cut to the first packets, not padded by more than one AAC frame) ...
            let seconds = audio.count == 3 ? Double(audio[2]) ?? 0 : 0
            #expect(abs(seconds - 1) < 0.05, "audio lasts \(seconds) s")
            // ... and it is the same tone, in place: the decoded output matches the source sample for sample.
            let source = try Self.monoSamples(pcm, rate: 8000), result = try Self.monoSamples(out, rate: 8000)
            let n = min(source.count, result.count)
            #expect(n > 7600)
            let error = zip(source.prefix(n), result.prefix(n)).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            let energy = source.prefix(n).map { $0 * $0 }.reduce(0, +)
            #expect(10 * log10(energy / max(error, 1e-12)) > 20, "signal-to-error \(10 * log10(energy / max(error, 1e-12))) dB")
        }
        // The probe that caught FLAC does not stop what MP4 does hold: AAC is still copied bit for bit, silently.
        let aac = dir.appendingPathComponent("aac.mkv"), copied = dir.appendingPathComponent("copied.mp4")
        try MediaTools.makeClip(aac, seconds: 1)
        let run = try deblurVideo([aac.path, "-o", copied.path])
        #expect(run.status == 0 && run.stderr.isEmpty, "\(run.stderr)")
        let audioMD5 = { (url: URL) in try MediaTools.run("ffmpeg", ["-v", "error", "-i", url.path, "-map", "0:a", "-c", "copy", "-f", "md5", "-"]) }
        #expect(try audioMD5(copied) == audioMD5(aac))
    }

    /// The first audio stream decoded to mono float samples at `rate`, by the ffmpeg CLI.
    private static func monoSamples(_ url: URL, rate: Int) throws -> [Double] {
        let data = try MediaTools.run("ffmpeg", ["-v", "error", "-i", url.path, "-map", "0:a:0", "-ac", "1", "-ar", "\(rate)",
                                                 "-f", "f32le", "-"])
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)).map(Double.init) }
    }

    @Test func directoryOfImagesKeepsNames() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = dir.appendingPathComponent("shots"), out = dir.appendingPathComponent("sharp")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1", images.appendingPathComponent("a.png").path])
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=32x24", "-frames:v", "1", images.appendingPathComponent("b.jpg").path])
        // WebP: its muxer does not say which codecs it takes, and H.264 was tried ("Only WebP is supported").
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=40x30", "-frames:v", "1", "-c:v", "libwebp", images.appendingPathComponent("c.webp").path])
        try Data("notes".utf8).write(to: images.appendingPathComponent("readme.txt"))
        let run = try deblurVideo([images.path, "-o", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(files(in: out) == ["a.png", "b.jpg", "c.webp"])
        #expect(try MediaTools.videoProperty(out.appendingPathComponent("c.webp"), "codec_name,width") == "webp,40")
        #expect(try MediaTools.rgb24Frame(out.appendingPathComponent("a.png")) == MediaTools.rgb24Frame(images.appendingPathComponent("a.png")))
        #expect(try MediaTools.videoProperty(out.appendingPathComponent("b.jpg"), "codec_name,width") == "mjpeg,32")
    }

    @Test func aBadImageInADirectoryCostsOnlyItself() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = dir.appendingPathComponent("shots"), refs = dir.appendingPathComponent("refs")
        let out = dir.appendingPathComponent("sharp")
        for d in [images, refs] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        for name in ["a.png", "c.png"] {
            try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1", images.appendingPathComponent(name).path])
            try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1", refs.appendingPathComponent(name).path])
        }
        try Data("not a picture".utf8).write(to: images.appendingPathComponent("b.png"))
        let run = try deblurVideo([images.path, "-o", out.path, "--reference", refs.path])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(files(in: out) == ["a.png", "c.png"])
        #expect(run.stderr.contains("b.png") && run.stderr.contains("1 of 3 images failed"))
        // Each image is scored against the reference of the same name: identical here, so PSNR is infinite.
        #expect(run.stderr.components(separatedBy: "quality vs").count == 3, "\(run.stderr)")
        #expect(run.stderr.contains(refs.appendingPathComponent("c.png").path))

        let fileReference = try deblurVideo([images.path, "-o", out.path, "--reference", refs.appendingPathComponent("a.png").path])
        #expect(fileReference.status == 1 && fileReference.stderr.contains("--reference must be a directory"))
    }

    /// Feeds half of a 4 s clip through stdin like a live camera, sends `signals` while it waits for more
    /// (pipe still open), and checks that it exits 130 with `output` finalized and nothing else left.
    private func checkSignalsFinalize(_ signals: [Int32], outputName: String, inputName: String = "in.nut") throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent(inputName), output = dir.appendingPathComponent(outputName)
        if input.pathExtension == "mp4" {
            // Index first (faststart), so a pipe can read it and knows its length.
            let source = dir.appendingPathComponent("source.mkv")
            try MediaTools.makeClip(source, seconds: 4)
            try MediaTools.ffmpeg(["-i", source.path, "-c", "copy", "-movflags", "+faststart", input.path])
            try FileManager.default.removeItem(at: source)
        } else {
            try MediaTools.makeClip(input, seconds: 4)
        }
        let bytes = try Data(contentsOf: input)
        let process = Process()
        process.executableURL = BuiltCLI.binary
        process.arguments = ["-", "-o", output.path, "--method", "none"]
        let stdin = Pipe(), err = Pipe()
        process.standardInput = stdin
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(bytes.prefix(bytes.count / 2))
        Thread.sleep(forTimeInterval: 1.5)
        for signal in signals { kill(process.processIdentifier, signal) }
        var waited = 0.0
        while process.isRunning && waited < 20 {
            Thread.sleep(forTimeInterval: 0.1)
            waited += 0.1
        }
        let exitedWhilePipeOpen = !process.isRunning
        try stdin.fileHandleForWriting.close()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(exitedWhilePipeOpen)
        #expect(process.terminationStatus == 130, "\(stderr)")
        let frames = try MediaTools.framePTS(output).count  // the file was finalized: ffprobe decodes it
        #expect(frames > 0 && frames < 100)
        #expect(files(in: dir) == [inputName, outputName])
    }

    @Test func interruptFinalizesAPlayableOutput() throws {
        try checkSignalsFinalize([SIGINT], outputName: "out.mp4")
    }

    /// Ctrl-C while the model is still loading: nothing was written, so the file
    /// OUTPUT held before stays, instead of being replaced by an empty video.
    @Test func interruptBeforeTheFirstFrameKeepsTheOldOutput() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.nut"), output = dir.appendingPathComponent("out.mkv")
        // 720p: frame 0 takes seconds through the GAN (6 tiles, debug build), so the signal surely comes first.
        try MediaTools.makeClip(input, seconds: 0.4, size: "1280x720")
        try MediaTools.makeClip(output, seconds: 0.4)
        let old = try Data(contentsOf: output)
        let process = Process()
        process.executableURL = BuiltCLI.binary
        process.arguments = ["-", "-o", output.path, "--verbose"]
        let stdin = Pipe(), err = Pipe()
        process.standardInput = stdin
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let seen = Mutex(""), done = Mutex(false)
        let fd = err.fileHandleForReading.fileDescriptor
        // Plain read(2) on a thread of its own: Foundation's availableData and readabilityHandler held the
        // child's lines back until it exited.
        Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while case let n = read(fd, &buffer, buffer.count), n > 0 {
                seen.withLock { $0 += String(decoding: buffer[..<n], as: UTF8.self) }
            }
            done.withLock { $0 = true }
        }.start()
        try process.run()
        stdin.fileHandleForWriting.write(try Data(contentsOf: input))
        try stdin.fileHandleForWriting.close()  // else FFmpeg's probe waits for more before the stream opens
        // This line is logged just before the model loads, and frames flow only after it has loaded.
        var waited = 0.0
        while !seen.withLock({ $0.contains("worker(s), tiles of") }) && waited < 60 {
            Thread.sleep(forTimeInterval: 0.005)
            waited += 0.005
        }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        while !done.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.01) }
        let stderr = seen.withLock { $0 }
        #expect(waited < 60, "the model-loading line never came: \(stderr)")
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("error: interrupted before the first frame; nothing written; \(output.path) is left as it was"), "\(stderr)")
        #expect(try Data(contentsOf: output) == old)
        #expect(files(in: dir) == ["in.nut", "out.mkv"])
    }

    /// A faststart MP4 states its length, which is now checked on a pipe too: stopped with Ctrl-C it is
    /// finalized like any other stream, not reported as cut short.
    @Test func interruptingAnMP4PipeIsNotTruncation() throws {
        try checkSignalsFinalize([SIGINT], outputName: "out.mkv", inputName: "in.mp4")
    }

    @Test func sigtermSentTwiceAtOnceStillFinalizes() throws {
        // `timeout`, `docker stop` and systemd send SIGTERM, often to the process and its group at once:
        // the repeat must not count as a second, forcing request.
        try checkSignalsFinalize([SIGTERM, SIGTERM], outputName: "out.mkv")
    }

    @Test func helpShowsExamplesAndExitCodes() throws {
        let run = try deblurVideo(["deblur", "--help"])
        #expect(run.status == 0)
        let text = String(decoding: run.stdout, as: UTF8.self)
        #expect(text.contains("ffmpeg -f v4l2 -i /dev/video0 -c:v rawvideo -f nut - \\\n    | deblur-video - -o - --realtime downscale | ffplay -"))
        #expect(text.contains("EXIT CODES"))
        #expect(text.contains("--method"))
        // `help train` teaches; `help` with a misspelt command is an error, not the overview and exit 0.
        let train = try deblurVideo(["help", "train"])
        #expect(train.status == 0 && String(decoding: train.stdout, as: UTF8.self).contains("--resume"))
        let typo = try deblurVideo(["help", "trian"])
        #expect(typo.status == 1 && typo.stderr.contains("no command 'trian'; commands: deblur, eval"), "\(typo.stderr)")
        // A misspelt command is not taken for an input file (that said "Missing expected argument '--output'").
        let misspelt = try deblurVideo(["evl", "a.mkv", "b.mkv"])
        #expect(misspelt.status == 1 && isOneErrorLine(misspelt.stderr) && misspelt.stderr.contains("did you mean 'eval'?"), "\(misspelt.stderr)")
        // No arguments: the overview with the commands, not "missing <input>".
        let bare = try BuiltCLI.run([])  // not `deblurVideo`, which adds --method
        #expect(bare.status == 1 && bare.stderr.contains("SUBCOMMANDS") && bare.stderr.contains("compare"), "\(bare.stderr)")
    }
}
