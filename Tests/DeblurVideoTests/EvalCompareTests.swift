import Foundation
import MediaTestSupport
import Testing

/// `eval` and `compare` end to end: the built binary on small clips made by the ffmpeg CLI.
@Suite struct EvalCompareTests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ arguments: [String], stdin: URL? = nil) throws -> Result {
        let r = try BuiltCLI.run(arguments, stdin: stdin)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// Lossless RGB (ffv1, gbrp) clip of `frames` frames from an lavfi source, optionally filtered.
    func makeRGBClip(_ url: URL, source: String = "testsrc2=s=96x64:r=25", frames: Int = 6, filter: String? = nil) throws {
        var args = ["-f", "lavfi", "-i", "\(source),trim=end_frame=\(frames)"]
        if let filter { args += ["-vf", filter] }
        try MediaTools.ffmpeg(args + ["-c:v", "ffv1", "-pix_fmt", "gbrp", url.path])
    }

    func json(_ text: String) throws -> [String: Any] {
        let obj = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(obj as? [String: Any])
    }

    /// The ffmpeg CLI's upright copy (it autorotates) is the reference orientation.
    @Test(arguments: [90, 180])
    func rotationTagsAreAppliedBeforeScoring(tag: Int) throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let coded = dir.appendingPathComponent("coded.mp4"), tagged = dir.appendingPathComponent("tagged.mp4")
        let upright = dir.appendingPathComponent("upright.mkv")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=96x64:r=25:d=0.2", "-c:v", "libx264", "-qp", "0", coded.path])
        try MediaTools.ffmpeg(["-i", coded.path, "-c", "copy", "-metadata:s:v:0", "rotate=\(tag)", tagged.path])
        try MediaTools.ffmpeg(["-i", tagged.path, "-c:v", "ffv1", upright.path])
        let r = try run(["eval", tagged.path, upright.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try #require(try json(r.stdout)["summary"] as? [String: Any])
        let ssim = try #require(summary["ssim"] as? [String: Any])
        #expect(abs((ssim["min"] as? Double ?? 0) - 1) < 1e-6, "\(r.stdout)")
        // --reference scores the restored frames as they are shown too.
        let live = try run([tagged.path, "-o", dir.appendingPathComponent("out.mkv").path, "--method", "none",
                            "--reference", upright.path])
        #expect(live.status == 0 && !live.stderr.contains("warning"), "\(live.stderr)")
        #expect(live.stderr.contains("inf"), "\(live.stderr)")
    }

    @Test func evalOfAClipAgainstItselfIsPerfect() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = dir.appendingPathComponent("clip.mp4")
        try MediaTools.makeClip(clip, seconds: 0.24, size: "96x64")
        let csv = dir.appendingPathComponent("rows.csv")
        let r = try run(["eval", clip.path, clip.path, "--json", "--csv", csv.path])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try json(r.stdout)
        let frames = try #require(doc["frames"] as? [[String: Any]])
        #expect(frames.count == 6)
        let summary = try #require(doc["summary"] as? [String: Any])
        let ssim = try #require(summary["ssim"] as? [String: Any])
        #expect(abs((ssim["mean"] as? Double ?? 0) - 1) < 1e-6)
        #expect(abs((ssim["min"] as? Double ?? 0) - 1) < 1e-6)
        // Infinite PSNR is JSON null, and `inf` in the CSV.
        let psnr = try #require(summary["psnr_db"] as? [String: Any])
        #expect(psnr["mean"] is NSNull)
        let rows = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "frame,psnr_db,ssim,mse")
        #expect(rows.count == 7)
        #expect(rows.dropFirst().allSatisfy { $0.hasSuffix(",inf,1.000000,0.000000") })
        // The human table.
        let table = try run(["eval", clip.path, clip.path])
        #expect(table.status == 0)
        #expect(table.stdout.contains("frames: 6"))
        #expect(table.stdout.contains("SSIM     1.00000"))
    }

    /// Luma PSNR of the mean MSE against `ffmpeg ... -lavfi psnr` (y:). The inputs are lossless RGB and
    /// FFmpeg converts them with format=yuv444p, so both score the same BT.601 Y of the same RGB.
    @Test func evalLumaMatchesFFmpegPSNRFilter() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.mkv"), b = dir.appendingPathComponent("b.mkv")
        try makeRGBClip(a, source: "mandelbrot=s=96x64:r=25")
        try makeRGBClip(b, source: "mandelbrot=s=96x64:r=25", filter: "gblur=sigma=1.2,noise=alls=6:allf=t")
        let r = try run(["eval", a.path, b.path, "--y", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try #require(try json(r.stdout)["summary"] as? [String: Any])
        let ours = try #require(summary["psnr_of_mean_mse_db"] as? Double)

        let log = try ffmpegStderr(["-i", a.path, "-i", b.path, "-lavfi",
                                    "[0:v]format=yuv444p[x];[1:v]format=yuv444p[y];[x][y]psnr", "-f", "null", "-"])
        let line = try #require(log.split(separator: "\n").first { $0.contains("PSNR y:") })
        let value = try #require(line.components(separatedBy: "PSNR y:").last?.split(separator: " ").first.flatMap { Double($0) })
        #expect(abs(ours - value) < 0.01, "eval \(ours) dB vs ffmpeg y: \(value) dB")
        #expect(ours > 20 && ours < 45)  // a real, finite comparison
    }

    func ffmpegStderr(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-hide_banner", "-nostats"] + arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func mismatchesAreClearErrorsUnlessAligned() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let six = dir.appendingPathComponent("six.mkv"), four = dir.appendingPathComponent("four.mkv")
        let other = dir.appendingPathComponent("other.mkv")
        try makeRGBClip(six, frames: 6)
        try makeRGBClip(four, frames: 4)
        try makeRGBClip(other, source: "testsrc2=s=80x64:r=25", frames: 6)

        // A failed eval leaves an existing --csv file as it was, and writes none where there was none.
        let csv = dir.appendingPathComponent("rows.csv"), fresh = dir.appendingPathComponent("fresh.csv")
        try Data("earlier rows\n".utf8).write(to: csv)
        let counts = try run(["eval", six.path, four.path, "--csv", csv.path])
        #expect(counts.status == 2)
        #expect(counts.stderr.contains("frame counts differ: REFERENCE has 6 frames, the other 4"), "\(counts.stderr)")
        #expect(try String(contentsOf: csv, encoding: .utf8) == "earlier rows\n")
        let countsFresh = try run(["eval", six.path, four.path, "--csv", fresh.path])
        #expect(countsFresh.status == 2 && !FileManager.default.fileExists(atPath: fresh.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("partial") }.isEmpty)

        let aligned = try run(["eval", six.path, four.path, "--align", "--json"])
        #expect(aligned.status == 0)
        #expect(aligned.stderr.contains("warning: --align"))
        #expect((try json(aligned.stdout)["frames"] as? [Any])?.count == 4)
        // compare: one warning however many methods score the same pairs, and a repeated method is one row.
        let compared = try run(["compare", six.path, four.path, "--align", "--methods", "none,unsharp,none", "--json"])
        #expect(compared.status == 0, "\(compared.stderr)")
        #expect(compared.stderr.components(separatedBy: "warning: --align").count == 2, "\(compared.stderr)")
        #expect((try json(compared.stdout)["methods"] as? [Any])?.count == 2, "\(compared.stdout)")
        // Each method's summary names its worst frames, as eval's does (the lists were left empty).
        let firstMethod = try #require((try json(compared.stdout)["methods"] as? [[String: Any]])?.first)
        let comparedSummary = try #require(firstMethod["summary"] as? [String: Any])
        #expect((comparedSummary["worst_psnr_frames"] as? [Int])?.count == 4 && (comparedSummary["worst_ssim_frames"] as? [Int])?.count == 4)

        // TEST from stdin, as `deblur` reads it; compare, which reads inputs once per method, says why it cannot.
        let piped = try run(["eval", six.path, "-", "--json"], stdin: six)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect((try json(piped.stdout)["frames"] as? [Any])?.count == 6)
        let comparePiped = try run(["compare", "-", six.path], stdin: six)
        #expect(comparePiped.status == 1 && comparePiped.stderr.contains("stdin cannot be read twice"), "\(comparePiped.stderr)")

        let sizes = try run(["eval", six.path, other.path])
        #expect(sizes.status == 2)
        #expect(sizes.stderr.contains("frame sizes differ at frame 0: REFERENCE 96x64, TEST 80x64"), "\(sizes.stderr)")

        // Frames smaller than the SSIM window are the input's fault (exit 2), not a failed method (4).
        let tiny = dir.appendingPathComponent("tiny.png")
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=8x8", "-frames:v", "1", tiny.path])
        for command in [["eval", tiny.path, tiny.path], ["compare", tiny.path, tiny.path, "--methods", "none"]] {
            let small = try run(command)
            #expect(small.status == 2 && small.stderr.contains("smaller than the 11x11 SSIM window"), "\(command): \(small.stderr)")
        }
    }

    @Test func evalPairsDirectoriesByName() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ref = dir.appendingPathComponent("ref"), tst = dir.appendingPathComponent("test")
        for d in [ref, tst] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        for (i, name) in ["b.png", "a.png"].enumerated() {
            try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48:r=25", "-vf", "select=eq(n\\,\(i * 5))",
                                   "-frames:v", "1", ref.appendingPathComponent(name).path])
            try FileManager.default.copyItem(at: ref.appendingPathComponent(name), to: tst.appendingPathComponent(name))
        }
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=64x48:r=25", "-frames:v", "1", tst.appendingPathComponent("c.png").path])
        let strict = try run(["eval", ref.path, tst.path])
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("image names differ"))
        let aligned = try run(["eval", ref.path, tst.path, "--align", "--json"])
        #expect(aligned.status == 0, "\(aligned.stderr)")
        let frames = try #require(try json(aligned.stdout)["frames"] as? [[String: Any]])
        #expect(frames.count == 2)
        #expect(frames.allSatisfy { $0["psnr_db"] is NSNull })
        // Images are named by file, in the JSON rows and in the table's worst-frame lines.
        #expect(frames.compactMap { $0["name"] as? String } == ["a.png", "b.png"])
        let table = try run(["eval", ref.path, tst.path, "--align"])
        #expect(table.stdout.contains("worst PSNR frames: a.png (inf dB), b.png (inf dB)"), "\(table.stdout)")
    }

    /// A clip blurred by a horizontal 7-pixel box (ffmpeg's convolution filter, row mode): with the matching
    /// motion PSF (length 7, angle 0) and the default mirror boundary, Wiener and Richardson–Lucy must beat
    /// the blurred input. With `--boundary skimage`, Richardson–Lucy's zero padding darkens the edges of so
    /// small a frame that it loses (scikit-image itself scores 16.4 dB on frame 0 against 20.2 dB).
    @Test func compareRunsEveryMethodAndPlots() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sharp = dir.appendingPathComponent("sharp.mkv"), blurred = dir.appendingPathComponent("blurred.mkv")
        try makeRGBClip(sharp, source: "mandelbrot=s=96x64:r=25", frames: 3)
        let box = "1 1 1 1 1 1 1"
        try makeRGBClip(blurred, source: "mandelbrot=s=96x64:r=25", frames: 3,
                        filter: "convolution=0m=\(box):1m=\(box):2m=\(box):0rdiv=1/7:1rdiv=1/7:2rdiv=1/7:0mode=row:1mode=row:2mode=row")
        let plot = dir.appendingPathComponent("psnr.svg")
        let r = try run(["compare", blurred.path, sharp.path, "--methods", "none,unsharp,wiener,richardson-lucy",
                         "--psf-length", "7", "--psf-angle", "0", "--iterations", "10", "--plot", plot.path])
        #expect(r.status == 0, "\(r.stderr)")
        var psnr: [String: Double] = [:]
        for line in r.stdout.split(separator: "\n") {
            let cells = line.split(separator: " ")
            if cells.count == 6, let v = Double(cells[1]) { psnr[String(cells[0])] = v }
        }
        #expect(Set(psnr.keys) == ["none", "unsharp", "wiener", "richardson-lucy"], "\(r.stdout)")
        let none = try #require(psnr["none"])
        #expect(try #require(psnr["wiener"]) > none + 1, "\(r.stdout)")
        #expect(try #require(psnr["richardson-lucy"]) > none + 1, "\(r.stdout)")
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)
        #expect(svg.contains(">richardson-lucy<"))

        let zero = try run(["compare", blurred.path, sharp.path, "--methods", "richardson-lucy", "--psf-length", "7",
                            "--iterations", "10", "--boundary", "skimage"])
        #expect(zero.status == 0, "\(zero.stderr)")
        let zeroPSNR = zero.stdout.split(separator: "\n").last.flatMap { Double($0.split(separator: " ")[1]) }
        #expect(try #require(zeroPSNR) < none, "\(zero.stdout)")

        // An unwritable plot fails before any method runs, not after.
        let badPlot = try run(["compare", blurred.path, sharp.path, "--methods", "none", "--plot", "/nonexistent-dir/p.svg"])
        #expect(badPlot.status == 3 && badPlot.stderr.contains("does not exist") && badPlot.stdout.isEmpty, "\(badPlot.stderr)")

        // --json: the same scores as the table, one object per method, nothing else on stdout.
        let asJSON = try run(["compare", blurred.path, sharp.path, "--methods", "none,wiener", "--psf-length", "7",
                              "--psf-angle", "0", "--json"])
        #expect(asJSON.status == 0, "\(asJSON.stderr)")
        let report = try json(asJSON.stdout)
        let methods = try #require(report["methods"] as? [[String: Any]])
        #expect(methods.compactMap { $0["method"] as? String } == ["none", "wiener"])
        for m in methods {
            let name = try #require(m["method"] as? String)
            let summary = try #require(m["summary"] as? [String: Any])
            let mean = try #require((summary["psnr_db"] as? [String: Any])?["mean"] as? Double)
            #expect(abs(mean - (try #require(psnr[name]))) < 0.001, "\(name): \(mean) vs table \(psnr[name] ?? 0)")
            #expect((m["frames"] as? [[String: Any]])?.count == 3)
            #expect(summary["frames"] as? Int == 3)
        }
        #expect((report["sharp"] as? String) == sharp.path)

        let bad = try run(["compare", blurred.path, sharp.path, "--methods", "none,sharpen"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("unknown method 'sharpen'"))
    }

    @Test func deblurAcceptsTheClassicalMethods() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv"), output = dir.appendingPathComponent("out.mkv")
        try makeRGBClip(input, frames: 2)
        for method in ["unsharp", "wiener", "richardson-lucy"] {
            let r = try run(["deblur", input.path, "-o", output.path, "--method", method, "--psf-length", "5",
                             "--iterations", "3", "--codec", "ffv1", "--quiet"])
            #expect(r.status == 0, "\(method): \(r.stderr)")
            #expect(try MediaTools.framePTS(output).count == 2)
            // The output differs from the input: the method ran.
            #expect(try MediaTools.rgb24Frame(output) != MediaTools.rgb24Frame(input), "\(method)")
        }
        let badPSF = try run(["deblur", input.path, "-o", output.path, "--method", "wiener", "--psf", dir.appendingPathComponent("none.png").path])
        #expect(badPSF.status == 2, "\(badPSF.stderr)")
    }
}
