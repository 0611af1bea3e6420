import Foundation
import MediaTestSupport
import Testing

/// The line of a summary table starting with `prefix`.
private func line(_ text: String, startingWith prefix: String) -> String? {
    text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map(String.init)
}

@Suite(.serialized) struct LiveFlagsTests {
    /// With --method none the scored frames are the decoded input, so the live summary must equal `eval`'s.
    @Test func referenceScoresMatchEval() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = dir.appendingPathComponent("clip.mp4"), ref = dir.appendingPathComponent("ref.mkv")
        try MediaTools.makeClip(clip, seconds: 0.4, size: "160x120")
        try MediaTools.ffmpeg(["-i", clip.path, "-vf", "gblur=sigma=2", "-an", "-c:v", "ffv1", ref.path])
        let run = try BuiltCLI.run([clip.path, "-o", dir.appendingPathComponent("out.mkv").path, "--method", "none",
                              "--reference", ref.path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        let eval = try BuiltCLI.run(["eval", ref.path, clip.path])
        #expect(eval.status == 0)
        #expect(line(run.stderr, startingWith: "frames:") == "frames: 10")
        let psnr = try #require(line(run.stderr, startingWith: "PSNR "))
        #expect(psnr == line(eval.stdout, startingWith: "PSNR "))
        #expect(line(run.stderr, startingWith: "SSIM ") == line(eval.stdout, startingWith: "SSIM "))
        #expect(!psnr.contains("inf"))
        // A reference longer than the video is said, not silently cut (eval refuses such a pair).
        let longer = dir.appendingPathComponent("longer.mkv")
        try MediaTools.ffmpeg(["-i", ref.path, "-vf", "tpad=stop=5", "-c:v", "ffv1", longer.path])
        let long = try BuiltCLI.run([clip.path, "-o", dir.appendingPathComponent("out2.mkv").path, "--method", "none",
                                    "--reference", longer.path])
        #expect(long.status == 0 && long.stderr.contains("has more frames than the video; its first 10 scored"), "\(long.stderr)")
    }

    /// A fast method keeps up: every frame deblurred, every frame written with its timestamp.
    @Test func realtimeWithAFastMethodDeblursEveryFrameAndKeepsTimestamps() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = dir.appendingPathComponent("clip.mp4"), out = dir.appendingPathComponent("out.mkv")
        try MediaTools.makeClip(clip, seconds: 1)
        let run = try BuiltCLI.run([clip.path, "-o", out.path, "--method", "none", "--realtime", "skip", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("realtime: 25 frames, deblurred 100.0%"), "\(run.stderr)")
        #expect(run.stderr.contains("latency decode→encode p50"))
        #expect(!run.stderr.contains("warning"), "--quiet keeps warnings off: \(run.stderr)")
        // A file is read faster than real time, so pacing it as live is worth a word; a pipe is what the flag is for.
        let fromFile = try BuiltCLI.run([clip.path, "-o", dir.appendingPathComponent("file.mkv").path, "--method", "none", "--realtime", "skip"])
        #expect(fromFile.status == 0 && fromFile.stderr.contains("warning: --realtime skip on a file paces it as if it were live"),
                "\(fromFile.stderr)")
        let nut = dir.appendingPathComponent("clip.nut")   // an MP4 cannot be read from a pipe (its index may come last)
        try MediaTools.ffmpeg(["-i", clip.path, "-c", "copy", nut.path])
        let fromPipe = try BuiltCLI.run(["-", "-o", dir.appendingPathComponent("pipe.mkv").path, "--method", "none", "--realtime", "skip"],
                                        stdin: nut)
        #expect(fromPipe.status == 0 && !fromPipe.stderr.contains("warning"), "\(fromPipe.stderr)")
        // Same timestamps as a plain run into the same container (mkv rounds to ms, so not the mp4's own).
        let plain = dir.appendingPathComponent("plain.mkv")
        #expect(try BuiltCLI.run([clip.path, "-o", plain.path, "--method", "none", "--quiet"]).status == 0)
        let pts = try MediaTools.framePTS(out)
        #expect(pts.count == 25)
        #expect(pts == (try MediaTools.framePTS(plain)))
    }

    @Test func missingReferenceFailsBeforeOutput() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = dir.appendingPathComponent("clip.mp4"), out = dir.appendingPathComponent("out.mkv")
        try MediaTools.makeClip(clip, seconds: 0.2)
        let run = try BuiltCLI.run([clip.path, "-o", out.path, "--method", "none", "--reference", dir.appendingPathComponent("nope.mp4").path])
        #expect(run.status == 2)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// A latency budget without a real-time mode would do nothing; say so instead of ignoring it.
    @Test func maxLatencyNeedsRealtime() throws {
        let run = try BuiltCLI.run(["in.mp4", "-o", "out.mkv", "--max-latency", "0.3"])
        #expect(run.status == 1 && run.stderr.contains("--max-latency applies only with --realtime"), "\(run.stderr)")
        let zero = try BuiltCLI.run(["in.mp4", "-o", "out.mkv", "--realtime", "skip", "--max-latency", "0"])
        #expect(zero.status == 1 && zero.stderr.contains("--max-latency must be positive"), "\(zero.stderr)")
    }
}
