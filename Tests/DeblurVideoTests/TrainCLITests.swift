import DeblurNet
import Foundation
import MediaTestSupport
import Testing

/// `deblur-video train` end to end on tiny data: from scratch, exact `--resume`, `--init`, and bad input.
@Suite struct TrainCLITests {
    let cli = EvalCompareTests()

    func makePhotos(_ dir: URL) throws -> URL {
        let photos = dir.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        for (i, source) in ["testsrc2", "smptehdbars", "mandelbrot"].enumerated() {
            try MediaTools.ffmpeg(["-f", "lavfi", "-i", "\(source)=s=200x200", "-frames:v", "1",
                                   photos.appendingPathComponent("p\(i).png").path])
        }
        return photos
    }

    /// Small, fast settings: the `tiny` architecture, 48-pixel crops, short blurs.
    let small = ["--config", "tiny", "--batch", "2", "--crops", "48", "--max-blur", "10", "--seed", "3"]

    @Test func resumeContinuesExactlyAndInitFineTunes() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let photos = try makePhotos(dir)
        let straight = dir.appendingPathComponent("straight.safetensors")
        let split = dir.appendingPathComponent("split.safetensors")
        var r = try cli.run(["train", "--photos", photos.path, "--steps", "4", "-o", straight.path] + small)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("step 4/4 lr"), "a run shorter than the report interval still reports: \(r.stderr)")
        r = try cli.run(["train", "--photos", photos.path, "--steps", "2", "-o", split.path] + small)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("split.ckpt.safetensors").path))
        r = try cli.run(["train", "--photos", photos.path, "--resume", "--steps", "4", "-o", split.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("resuming at step 2 of 4"))
        // 2 steps + checkpoint + 2 resumed steps must give the very same weights as 4 straight steps.
        #expect(try Data(contentsOf: straight) == Data(contentsOf: split))
        // Forgetting --resume must not start over on top of a run's checkpoint, nor can --resume go backwards.
        let checkpoint = dir.appendingPathComponent("split.ckpt.safetensors")
        let saved = try Data(contentsOf: checkpoint)
        r = try cli.run(["train", "--photos", photos.path, "--steps", "2", "-o", split.path] + small)
        #expect(r.status == 1 && r.stderr.contains("--resume"), "\(r.stderr)")
        r = try cli.run(["train", "--photos", photos.path, "--resume", "--steps", "3", "-o", split.path])
        #expect(r.status == 1 && r.stderr.contains("past --steps 3"), "\(r.stderr)")
        #expect(try Data(contentsOf: checkpoint) == saved)

        let tuned = dir.appendingPathComponent("tuned.safetensors")
        r = try cli.run(["train", "--photos", photos.path, "--init", straight.path, "--steps", "1", "-o", tuned.path,
                         "--batch", "2", "--crops", "48", "--max-blur", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Data(contentsOf: tuned) != Data(contentsOf: straight), "a fine-tuning step changes the weights")
        // The trained file is a usable model for `deblur --model`.
        let out = dir.appendingPathComponent("o.png")
        r = try cli.run([photos.appendingPathComponent("p0.png").path, "-o", out.path, "--model", tuned.path])
        #expect(r.status == 0, "\(r.stderr)")
        // So is a run's checkpoint: its model deblurs as the file the run wrote (F16 there, F32 in the checkpoint).
        let fromModel = dir.appendingPathComponent("m.png"), fromCheckpoint = dir.appendingPathComponent("c.png")
        r = try cli.run([photos.appendingPathComponent("p0.png").path, "-o", fromModel.path, "--model", split.path])
        #expect(r.status == 0, "\(r.stderr)")
        r = try cli.run([photos.appendingPathComponent("p0.png").path, "-o", fromCheckpoint.path, "--model", checkpoint.path])
        #expect(r.status == 0, "\(r.stderr)")
        let a = try MediaTools.rgb24Frame(fromModel), b = try MediaTools.rgb24Frame(fromCheckpoint)
        #expect(a.count == b.count && zip(a, b).allSatisfy { abs(Int($0) - Int($1)) <= 2 })
    }

    @Test func validationIsReportedBeforeAndAfterTraining() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let photos = try makePhotos(dir)
        let val = dir.appendingPathComponent("val")
        for sub in ["blur", "sharp"] {
            try FileManager.default.createDirectory(at: val.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=96x64", "-frames:v", "1",
                               val.appendingPathComponent("sharp/a.png").path])
        try MediaTools.ffmpeg(["-i", val.appendingPathComponent("sharp/a.png").path, "-vf", "boxblur=3:1",
                               val.appendingPathComponent("blur/a.png").path])
        // A blurry image without its sharp partner is left out, and said so.
        try FileManager.default.copyItem(at: val.appendingPathComponent("blur/a.png"), to: val.appendingPathComponent("blur/b.png"))
        let out = dir.appendingPathComponent("m.safetensors")
        let r = try cli.run(["train", "--photos", photos.path, "--val-pairs", val.path, "--steps", "2",
                             "--unfreeze-at", "0", "--encoder-lr-scale", "1", "-o", out.path] + small)
        #expect(r.status == 0, "\(r.stderr)")
        // The untrained tiny model is the identity: its output scores exactly as its input at step 0.
        let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("validation at step") }
        #expect(lines.count == 2, "\(r.stderr)")
        #expect(lines.first?.contains("step 0: PSNR") == true && lines.first?.contains("(input") == true)
        #expect(lines.first?.contains("+0.00)") == true, "\(lines)")
        #expect(lines.last?.hasPrefix("validation at step 2:") == true)
        #expect(lines.last?.contains("of 1 pairs worse") == true)
        #expect(r.stderr.contains("1 image(s) without a partner of the same name, left out: blur/b.png"), "\(r.stderr)")
    }

    @Test func aMultiFrameModelTrainsOnClips() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // One clip: three consecutive moving frames, box-blurred, and the middle one sharp.
        let clips = dir.appendingPathComponent("clips")
        for role in ["prev", "blur", "next", "sharp"] {
            try FileManager.default.createDirectory(at: clips.appendingPathComponent(role), withIntermediateDirectories: true)
        }
        for (i, role) in ["prev", "blur", "next"].enumerated() {
            try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=96x64:r=25", "-vf", "select=eq(n\\,\(i)),boxblur=2:1",
                                   "-frames:v", "1", clips.appendingPathComponent("\(role)/a.png").path])
        }
        try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=96x64:r=25", "-vf", "select=eq(n\\,1)", "-frames:v", "1",
                               clips.appendingPathComponent("sharp/a.png").path])
        let out = dir.appendingPathComponent("mf.safetensors")
        var r = try cli.run(["train", "--pairs", clips.path, "--val-pairs", clips.path, "--frames", "3",
                             "--static-fraction", "0.5", "--unfreeze-at", "0", "--steps", "2", "-o", out.path] + small)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("1 pairs (1 with neighbours)") && r.stderr.contains("the model sees 3 frames"), "\(r.stderr)")
        // Expanded from the untrained (identity) tiny model: at step 0 it still returns the middle frame.
        #expect(r.stderr.contains("validation at step 0: PSNR") && r.stderr.contains("+0.00)"), "\(r.stderr)")
        let model = try Generator.load(from: out)
        #expect(model.config.frames == 3)
        let encoderStem = try #require(model.stateDict()["encoder.stem.conv.weight"])
        #expect(encoderStem.shape[1] == 9)
        // Only a one-frame model is expanded; --frames must be odd; a resumed run keeps its checkpoint's model.
        r = try cli.run(["train", "--pairs", clips.path, "--init", out.path, "--frames", "5", "--steps", "1",
                         "-o", dir.appendingPathComponent("x.safetensors").path, "--crops", "48"])
        #expect(r.status == 1 && r.stderr.contains("already takes 3 frames"), "\(r.stderr)")
        r = try cli.run(["train", "--pairs", clips.path, "--frames", "2", "-o", out.path])
        #expect(r.status == 1 && r.stderr.contains("--frames must be odd"), "\(r.stderr)")
        r = try cli.run(["train", "--pairs", clips.path, "--frames", "3", "--resume", "-o", out.path])
        #expect(r.status == 1 && r.stderr.contains("--frames comes from the checkpoint"), "\(r.stderr)")
        r = try cli.run(["train", "--pairs", clips.path, "--resume", "--steps", "3", "-o", out.path])
        #expect(r.status == 0 && r.stderr.contains("resuming at step 2 of 3"), "\(r.stderr)")
        #expect(try Generator.load(from: out).config.frames == 3)
        // Photos alone give a multi-frame model nothing to learn its neighbours from: said so.
        let photos = try makePhotos(dir)
        r = try cli.run(["train", "--photos", photos.path, "--frames", "3", "--steps", "1",
                         "-o", dir.appendingPathComponent("p.safetensors").path] + small)
        #expect(r.status == 0 && r.stderr.contains("no clip gives it neighbours"), "\(r.stderr)")
    }

    @Test func savesFollowLinksAndNeverReplaceSpecialFiles() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let photos = try makePhotos(dir)
        // A FIFO (as /dev/null would be) is refused before any work, and stays a FIFO.
        let fifo = dir.appendingPathComponent("fifo.safetensors").path
        #expect(mkfifo(fifo, 0o600) == 0)
        var r = try cli.run(["train", "--photos", photos.path, "--steps", "1", "-o", fifo] + small)
        #expect(r.status == 3 && r.stderr.contains("fifo.safetensors: not a regular file"), "\(r.stderr)")
        r = try cli.run(["train", "--photos", photos.path, "--steps", "1", "--checkpoint", fifo,
                         "-o", dir.appendingPathComponent("m.safetensors").path] + small)
        #expect(r.status == 3 && r.stderr.contains("not a regular file"), "\(r.stderr)")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        // A symbolic link: the model goes to the file it points to, and the link stays.
        let real = dir.appendingPathComponent("real")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: true)
        let target = real.appendingPathComponent("target.safetensors")
        try Data("old".utf8).write(to: target)
        let link = dir.appendingPathComponent("link.safetensors")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        r = try cli.run(["train", "--photos", photos.path, "--steps", "1", "-o", link.path] + small)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(lstat(link.path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "the link is kept")
        #expect(try Generator.load(from: target).config.name == "tiny")
        // No hidden temporary file is left beside either save.
        for d in [dir, real] {
            let names = try FileManager.default.contentsOfDirectory(atPath: d.path)
            #expect(!names.contains { $0.hasPrefix(".") }, "\(names)")
        }
        // An empty photo folder is named; --resume without data says that the data is needed again.
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        r = try cli.run(["train", "--photos", photos.path, "--photos", empty.path, "-o", dir.appendingPathComponent("e.safetensors").path] + small)
        #expect(r.status == 2 && r.stderr.contains("empty holds no photos (.bmp, .jpeg, .jpg, .png"), "\(r.stderr)")
        r = try cli.run(["train", "--resume", "-o", link.path])
        #expect(r.status == 1 && r.stderr.contains("--resume needs the run's training data again"), "\(r.stderr)")
    }

    @Test func badTrainingInputIsAClearError() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m.safetensors").path
        let noData = try cli.run(["train", "-o", out])
        #expect(noData.status == 1)
        #expect(noData.stderr.contains("--photos"))
        let photos = try makePhotos(dir)
        let noCheckpoint = try cli.run(["train", "--photos", photos.path, "--resume", "-o", out])
        #expect(noCheckpoint.status == 2)
        #expect(noCheckpoint.stderr.contains("no checkpoint"))
        let missingPairs = try cli.run(["train", "--pairs", dir.appendingPathComponent("nope").path, "-o", out])
        #expect(missingPairs.status == 2 && missingPairs.stderr.contains("no such directory"), "\(missingPairs.stderr)")
        let badOutput = try cli.run(["train", "--photos", photos.path, "-o", "/nonexistent-dir/m.safetensors"])
        #expect(badOutput.status == 3 && badOutput.stderr.contains("does not exist"), "\(badOutput.stderr)")
        let badCheckpoint = try cli.run(["train", "--photos", photos.path, "--checkpoint", dir.path, "-o", out])
        #expect(badCheckpoint.status == 3 && badCheckpoint.stderr.contains("is a directory"), "\(badCheckpoint.stderr)")
        let missingPhotos = try cli.run(["train", "--photos", dir.appendingPathComponent("nope").path, "-o", out])
        #expect(missingPhotos.status == 2 && missingPhotos.stderr.contains("nope: no such directory"), "\(missingPhotos.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let badEMA = try cli.run(["train", "--photos", photos.path, "--ema", "1", "-o", out])
        #expect(badEMA.status == 1 && badEMA.stderr.contains("--ema"))
        let badFraction = try cli.run(["train", "--photos", photos.path, "--unfreeze-at", "1.5", "-o", out])
        #expect(badFraction.status == 1)
        #expect(badFraction.stderr.contains("--unfreeze-at"))
        #expect(!FileManager.default.fileExists(atPath: out))
        for (flag, value) in [("--soft-fraction", "1.5"), ("--jpeg-fraction", "2"), ("--gamma-blur-fraction", "1.5"),
                              ("--sharp-fraction", "-0.1"), ("--pair-fraction", "1.5")] {
            let bad = try cli.run(["train", "--photos", photos.path, flag, value, "-o", out])
            #expect(bad.status == 1, "\(flag) \(value)")
            #expect(bad.stderr.contains("\(flag) is a fraction"), "\(bad.stderr)")
        }
        let badConfig = try cli.run(["train", "--photos", photos.path, "--config", "wide", "-o", out])
        #expect(badConfig.status == 1)
        #expect(badConfig.stderr.contains("unknown --config wide; use default, quality, small, paper, tiny"))
        // --config would be ignored: the architecture comes from the model or checkpoint.
        let configWithInit = try cli.run(["train", "--photos", photos.path, "--init", "default", "--config", "tiny", "-o", out])
        #expect(configWithInit.status == 1 && configWithInit.stderr.contains("--config is for training from scratch"), "\(configWithInit.stderr)")
        // The model written at the end would replace the checkpoint.
        let sameFile = try cli.run(["train", "--photos", photos.path, "--checkpoint", out, "-o", out] + small)
        #expect(sameFile.status == 1 && sameFile.stderr.contains("--checkpoint must differ from -o"), "\(sameFile.stderr)")
        // A corrupt photo among good ones is left out with a warning naming it; alone, it is an error naming it once.
        let mixed = dir.appendingPathComponent("mixed"), broken = dir.appendingPathComponent("broken")
        try FileManager.default.copyItem(at: photos, to: mixed)
        for d in [mixed, broken] {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try Data("not a picture".utf8).write(to: d.appendingPathComponent("zz.png"))
        }
        let skipped = try cli.run(["train", "--photos", mixed.path, "--steps", "1", "--pair-fraction", "0.3", "-o", out] + small)
        #expect(skipped.status == 0 && skipped.stderr.contains("1 file(s) that are not readable images, left out: zz.png"), "\(skipped.stderr)")
        #expect(skipped.stderr.contains("--pair-fraction only splits samples"), "\(skipped.stderr)")
        #expect(skipped.stderr.contains("data: 3 photos"), "\(skipped.stderr)")
        try FileManager.default.removeItem(atPath: out)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("m.ckpt.safetensors"))
        let onlyBroken = try cli.run(["train", "--photos", broken.path, "-o", out])
        let brokenPath = broken.appendingPathComponent("zz.png").path
        #expect(onlyBroken.status == 2 && onlyBroken.stderr.components(separatedBy: brokenPath).count == 2, "\(onlyBroken.stderr)")
        // A pair smaller than the crops is named, with the flag to change.
        let tinyPairs = dir.appendingPathComponent("tiny-pairs")
        for side in ["blur", "sharp"] {
            let d = tinyPairs.appendingPathComponent(side)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try MediaTools.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=40x30", "-frames:v", "1", d.appendingPathComponent("a.png").path])
        }
        let smallPair = try cli.run(["train", "--pairs", tinyPairs.path, "-o", out] + small)
        #expect(smallPair.status == 2 && smallPair.stderr.contains("sharp/a.png is 40×30, smaller than the 48×48 crops; lower --crops"),
                "\(smallPair.stderr)")
        let noThreads = try cli.run(["train", "--photos", photos.path, "--threads", "0", "-o", out])
        #expect(noThreads.status == 1 && noThreads.stderr.contains("--threads must be at least 1"), "\(noThreads.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
