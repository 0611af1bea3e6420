import DeblurNet
import Foundation
import MediaTestSupport
import Testing

/// `--method gan` (the default) end to end with the shipped model: it loads, restores, and refuses bad weights.
@Suite struct GANCLITests {
    let cli = EvalCompareTests()
    let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples")

    func meanPSNR(reference: URL, test: URL) throws -> Double {
        let r = try cli.run(["eval", reference.path, test.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try #require(cli.json(r.stdout)["summary"] as? [String: Any])
        let psnr = try #require(summary["psnr_db"] as? [String: Any])
        return try #require(psnr["mean"] as? Double)
    }

    @Test func defaultMethodIsTheShippedGANAndItSharpensTheSample() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.png")
        let blurred = samples.appendingPathComponent("photo-blurred.png"), sharp = samples.appendingPathComponent("photo-sharp.png")
        // One view: a still would default to 8, and 8 passes of a debug build cost minutes (the ensemble has its own test).
        let r = try cli.run([blurred.path, "-o", out.path, "--ensemble", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let before = try meanPSNR(reference: sharp, test: blurred)
        let after = try meanPSNR(reference: sharp, test: out)
        // The model must move the frame towards the sharp original, not merely change it.
        #expect(after > before + 0.2, "PSNR blurred \(before) dB, deblurred \(after) dB")
    }

    @Test func tiledAndWholeFrameInferenceAgree() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let blurred = samples.appendingPathComponent("photo-blurred.png")
        let whole = dir.appendingPathComponent("whole.png"), tiled = dir.appendingPathComponent("tiled.png")
        #expect(try cli.run([blurred.path, "-o", whole.path, "--tile", "0", "--ensemble", "1"]).status == 0)
        // --tile-above 0: this 640×360 frame would otherwise run whole.
        #expect(try cli.run([blurred.path, "-o", tiled.path, "--tile", "256", "--overlap", "48", "--tile-above", "0",
                             "--ensemble", "1"]).status == 0)
        // Tiles see less context than the whole frame, so they differ a little, never visibly.
        #expect(try meanPSNR(reference: whole, test: tiled) > 35)
    }

    @Test func stillImagesAverageEightViewsByDefault() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A 96×96 crop of the sample keeps 17 passes of the debug build short.
        let crop = dir.appendingPathComponent("crop.png")
        try MediaTools.ffmpeg(["-i", samples.appendingPathComponent("photo-blurred.png").path, "-vf", "crop=96:96:272:132", crop.path])
        var outputs: [[UInt8]] = []
        for flags in [[], ["--ensemble", "8"], ["--ensemble", "1"]] {
            let out = dir.appendingPathComponent("o\(outputs.count).png")
            let r = try cli.run([crop.path, "-o", out.path] + flags)
            #expect(r.status == 0, "\(flags): \(r.stderr)")
            outputs.append(try MediaTools.rgb24Frame(out))
        }
        #expect(outputs[0] == outputs[1], "the default for a still is 8 views")
        #expect(outputs[0] != outputs[2], "8 views must differ from one pass")

        // compare runs a still as deblur does: its gan row scores the 8-view output.
        let sharp = dir.appendingPathComponent("sharp.png")
        try MediaTools.ffmpeg(["-i", samples.appendingPathComponent("photo-sharp.png").path, "-vf", "crop=96:96:272:132", sharp.path])
        let compared = try cli.run(["compare", crop.path, sharp.path, "--methods", "gan", "--json"])
        #expect(compared.status == 0, "\(compared.stderr)")
        let row = try #require((cli.json(compared.stdout)["methods"] as? [[String: Any]])?.first)
        let rowPSNR = try #require(((row["summary"] as? [String: Any])?["psnr_db"] as? [String: Any])?["mean"] as? Double)
        let eightViews = try meanPSNR(reference: sharp, test: dir.appendingPathComponent("o0.png"))
        let oneView = try meanPSNR(reference: sharp, test: dir.appendingPathComponent("o2.png"))
        #expect(abs(rowPSNR - eightViews) < 0.001 && abs(rowPSNR - oneView) > 0.001, "compare \(rowPSNR), 8 views \(eightViews), 1 view \(oneView)")

        // Smaller than the model's stride (16): mirrored out and cropped back, not an error.
        let tiny = dir.appendingPathComponent("tiny.png"), tinyOut = dir.appendingPathComponent("tiny-out.png")
        try MediaTools.ffmpeg(["-i", crop.path, "-vf", "crop=9:6:40:40", tiny.path])
        let small = try cli.run([tiny.path, "-o", tinyOut.path])
        #expect(small.status == 0, "\(small.stderr)")
        #expect(try MediaTools.videoProperty(tinyOut, "width,height") == "9,6")
    }

    @Test func missingOrCorruptWeightsAreInputErrors() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let blurred = samples.appendingPathComponent("photo-blurred.png")
        let out = dir.appendingPathComponent("o.png")
        let missing = try cli.run([blurred.path, "-o", out.path, "--model", dir.appendingPathComponent("none.safetensors").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("does not exist"))
        let corrupt = dir.appendingPathComponent("bad.safetensors")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: corrupt)
        let bad = try cli.run([blurred.path, "-o", out.path, "--model", corrupt.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("cannot load model"))
        #expect(!FileManager.default.fileExists(atPath: out.path), "no output for a run that never started")
        // Well-formed but NaN weights (a diverged or damaged file) would turn every frame black.
        let nan = dir.appendingPathComponent("nan.safetensors")
        let g = try Generator(config: .tiny)
        g.toRGB.conv.weight.value = Tensor(shape: g.toRGB.conv.weight.shape, repeating: .nan)
        try g.save(to: nan)
        let nanRun = try cli.run([blurred.path, "-o", out.path, "--model", nan.path])
        #expect(nanRun.status == 2)
        #expect(nanRun.stderr.contains("NaN or infinite"), "\(nanRun.stderr)")
        let directory = try cli.run([blurred.path, "-o", out.path, "--model", dir.path])
        #expect(directory.status == 2 && directory.stderr.contains("it is a directory"), "\(directory.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func aMultiFrameModelRestoresTheMiddleFrameOfEachWindow() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // An untrained generator returns its input: for a 3-frame model, the middle frame of the window it is
        // given. So the output must equal the input frame for frame; a window in the wrong order would give
        // the neighbouring frames of this moving clip instead.
        var config = GeneratorConfig.tiny
        config.frames = 3
        let model = dir.appendingPathComponent("three.safetensors")
        try Generator(config: config).save(to: model)
        let input = dir.appendingPathComponent("in.mp4")
        try MediaTools.makeClip(input, seconds: 0.4, size: "64x48")
        let out = dir.appendingPathComponent("o.mkv")
        let r = try cli.run([input.path, "-o", out.path, "--model", model.path, "--codec", "ffv1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try MediaTools.framePTS(out).count == 10)
        // Compared as deblur-video decodes them (ffmpeg's own YUV-to-RGB rounds differently).
        let e = try cli.run(["eval", input.path, out.path, "--json"])
        let rows = try #require(cli.json(e.stdout)["frames"] as? [[String: Any]])
        #expect(rows.count == 10)
        for row in rows { #expect((row["mse"] as? Double ?? .infinity) < 1, "frame \(row["frame"] ?? "?"): \(row)") }
        #expect(try MediaTools.rgb24Frame(input, index: 4) != (try MediaTools.rgb24Frame(input, index: 5)), "a moving clip")
        // A still image has no neighbours: the frame stands in for them.
        let image = dir.appendingPathComponent("in.png"), still = dir.appendingPathComponent("o.png")
        try MediaTools.ffmpeg(["-i", input.path, "-frames:v", "1", image.path])
        let s = try cli.run([image.path, "-o", still.path, "--model", model.path, "--ensemble", "1"])
        #expect(s.status == 0, "\(s.stderr)")
        #expect(try MediaTools.rgb24Frame(image) == (try MediaTools.rgb24Frame(still)))
    }
}
