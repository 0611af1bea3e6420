import ArgumentParser
import DeblurNet
import Dispatch
import Foundation
import Restoration
import Stream

/// `deblur-video compare BLURRY SHARP --methods none,unsharp,wiener`: one table of PSNR, SSIM and speed.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run several methods on BLURRY, score each against SHARP, print one table and plot per-frame PSNR.",
        discussion: """
        BLURRY and SHARP are videos, images, or directories of images (paired by
        name), as for `eval`. Each method restores every frame of BLURRY (one
        frame at a time, all cores inside the method); the result is scored
        against SHARP with the `eval` conventions (8-bit RGB, PSNR peak 255,
        Gaussian SSIM per Wang et al.; see `deblur-video eval --help`).
        frames/s times the method only, not decoding or scoring. Methods run as
        `deblur` runs them, including --tile/--overlap (default 512/32) and, on
        video, the motion gate (--no-motion-gate).

        EXAMPLES:
          deblur-video compare samples/blurred.mp4 samples/sharp.mp4 \\
            --methods none,unsharp,wiener,richardson-lucy \\
            --psf-length 12 --psf-angle 0 --plot psnr.svg
          deblur-video compare blurred/ sharp/ --methods none,wiener --psf k.png
          deblur-video compare blurred.mp4 sharp.mp4 --methods none,gan --json > scores.json
        """
    )

    @Argument(help: "Blurred input: video, image, or directory of images.")
    var blurry: String

    @Argument(help: "Sharp reference: video, image, or directory of images.")
    var sharp: String

    @Option(help: "Comma-separated methods to run: \(Method.allCases.map(\.rawValue).joined(separator: ", ")).")
    var methods: String = "none,unsharp,wiener,richardson-lucy,gan"

    @Option(help: "Write a per-frame PSNR plot (SVG, one line per method) to this file.")
    var plot: String?

    @Option(parsing: .unconditional, help: "Score at most this many frames per method.")
    var frames: Int?

    @Option(help: "SSIM window: gaussian (default) or uniform7.")
    var ssimWindow: SSIMWindow = .gaussian

    @Flag(name: .customLong("y"), help: "Score BT.601 luma only instead of RGB.")
    var lumaOnly = false

    @Flag(help: "On a frame-count mismatch, score the common prefix and warn, instead of failing.")
    var align = false

    @Flag(help: "Print each method's summary, frames/s and per-frame rows as JSON on stdout instead of the table (inf PSNR is null).")
    var json = false

    @OptionGroup(title: "GAN model and tiling (as for deblur)")
    var model: ModelFlags

    @OptionGroup(title: "Classical methods (unsharp, wiener, richardson-lucy)")
    var classical: ClassicalFlags

    @OptionGroup(title: "Video (as for deblur)")
    var gate: MotionGateFlags

    func validate() throws {
        _ = try parsedMethods()
        if blurry == "-" || sharp == "-" {
            throw ValidationError("compare reads its inputs once per method, and stdin cannot be read twice: save it to a file first")
        }
        if let frames, frames < 1 { throw ValidationError("--frames must be at least 1") }
        if let plot, !plot.lowercased().hasSuffix(".svg") { throw ValidationError("--plot writes SVG; give a .svg file name") }
    }

    func parsedMethods() throws -> [Method] {
        let names = methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--methods is empty") }
        let methods = try names.map { name in
            guard let m = Method(rawValue: name) else {
                throw ValidationError("unknown method '\(name)' in --methods (known: \(Method.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return m
        }
        return methods.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }  // a repeated name is one row
    }

    /// One method's result.
    struct Row {
        var method: Method
        var frames: [FrameQuality]
        var processSeconds: Double
        /// Method time only; infinite when too fast to time.
        var framesPerSecond: Double { processSeconds > 0 ? Double(frames.count) / processSeconds : .infinity }
    }

    func run() throws {
        FFmpegSupport.setLogging(verbose: false)
        if let plot { try OutputFile.checkWritable(plot) }  // before minutes of work, not after
        let options = QualityOptions(window: ssimWindow, lumaOnly: lumaOnly)
        var methodOptions = MethodOptions()
        methodOptions.classical = classical.settings
        // As `deblur` would run the input: 8 views for still images, large-frame tiles for large video.
        let video = try FrameSequence(path: blurry).videoInfo
        methodOptions.model = model.settings(for: video, method: .gan)
        var rows: [Row] = []
        for (i, method) in try parsedMethods().enumerated() {
            var factory = try makeProcessorFactory(for: method, options: methodOptions)
            if !video.isImage { factory = gate.wrap(factory, method: method) }
            // The gan factory sets one thread per pipeline worker; compare runs one frame at a time,
            // so give the generator every core back.
            if method == .gan { Threading.setThreads(ProcessInfo.processInfo.activeProcessorCount) }
            // Every method scores the same pairs, so the --align warnings are said once, for the first.
            rows.append(try runMethod(method, processor: factory(), options: options, warn: i == 0 ? warn : { _ in }))
        }

        if json {
            print(jsonReport(rows, options: options))
        } else {
            printTable(rows)
        }
        if let plot {
            let chart = PSNRPlot(title: "Per-frame PSNR vs \((sharp as NSString).lastPathComponent)",
                                 series: rows.map { .init(name: $0.method.rawValue, psnr: $0.frames.map(\.psnr)) })
            do { try chart.svg.write(toFile: plot, atomically: true, encoding: .utf8) } catch {
                throw CLIFailure(.output, "cannot write \(plot): \(error.localizedDescription)")
            }
            warn("wrote \(plot)")
        }
    }

    private func printTable(_ rows: [Row]) {
        let header = "method".padding(toLength: 17, withPad: " ", startingAt: 0)
            + ["PSNR dB", "SSIM", "PSNR(mMSE)", "min PSNR", "frames/s"].map { $0.leftAligned(11) }.joined()
        let count = rows.first?.frames.count ?? 0
        print("\(blurry) vs \(sharp): \(count) frame\(count == 1 ? "" : "s"), \(lumaOnly ? "luma" : "RGB"), SSIM \(ssimWindow.rawValue)")
        print(header)
        for row in rows {
            let s = QualitySummary(row.frames, worst: 0)
            let fps = row.framesPerSecond
            let cells = [QualityFormat.number(s.psnr.mean, digits: 3), QualityFormat.number(s.ssim.mean, digits: 5),
                         QualityFormat.number(s.psnrOfMeanMSE, digits: 3), QualityFormat.number(s.psnr.min, digits: 3),
                         fps > 1e5 ? ">100000" : QualityFormat.number(fps, digits: 2)]
            print(row.method.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0) + cells.map { $0.leftAligned(11) }.joined())
        }
    }

    /// The `--json` report: the inputs, the scoring conventions, and per method its summary (as `eval --json`),
    /// frames/s (method time only; null when too fast to time) and per-frame rows.
    private func jsonReport(_ rows: [Row], options: QualityOptions) -> String {
        let methods = rows.map { row in
            """
                    {
                      "method": \(QualityFormat.jsonString(row.method.rawValue)),
                      "frames_per_second": \(QualityFormat.json(row.framesPerSecond, digits: 3)),
                      "summary": \(QualitySummary(row.frames).jsonObject),
                      "frames": [
                \(row.frames.map { "        " + $0.jsonObject }.joined(separator: ",\n"))
                      ]
                    }
                """
        }
        return """
            {
              "blurry": \(QualityFormat.jsonString(blurry)),
              "sharp": \(QualityFormat.jsonString(sharp)),
              "conventions": \(QualityFormat.jsonString(options.conventions)),
              "methods": [
            \(methods.joined(separator: ",\n"))
              ]
            }
            """
    }

    private func runMethod(_ method: Method, processor: any FrameProcessor, options: QualityOptions,
                           warn: (String) -> Void) throws -> Row {
        var processor = processor
        let input = try FrameSequence(path: blurry)
        let reference = try FrameSequence(path: sharp)
        try FramePairing.matchNames(input, reference, align: align, warn: warn)
        var scores: [FrameQuality] = []
        var seconds = 0.0
        // Video frames go in with the neighbours the processor asks for (the motion gate, a multi-frame model), as
        // `deblur` hands them on; the images of a directory are stills, each on its own.
        typealias Pair = (blurry: Frame, sharp: Frame)
        var window = NeighbourWindow<Pair>(radius: input.videoInfo.isImage ? 0 : processor.temporalRadius)
        func score(_ ready: [(element: Pair, neighbours: [Pair])]) throws {
            for (pair, neighbours) in ready {
                var b = pair.blurry
                b.neighbours = neighbours.map { PackedFrame($0.blurry) }
                let t0 = DispatchTime.now().uptimeNanoseconds
                let restored: Frame
                do { restored = try processor.process(b) } catch {
                    throw CLIFailure(.processing, "\(method.rawValue) failed on \(input.label(ofFrame: b.index)): \(error)")
                }
                seconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                do {
                    scores.append(try FrameQuality.measure(reference: PlanarImage(pair.sharp), test: PlanarImage(restored),
                                                           index: scores.count, options: options))
                } catch let error as RestorationError {  // the frames' sizes: the input's fault
                    throw CLIFailure(.input, "\(input.label(ofFrame: b.index)): \(error)")
                } catch { throw CLIFailure(.processing, "\(input.label(ofFrame: b.index)): \(error)") }
            }
        }
        var read = 0
        while frames.map({ read < $0 }) ?? true {
            let (b, s) = try nextPair(input, reference)
            guard let b, let s else {
                if b == nil && s == nil { break }
                let detail = "\(b == nil ? "SHARP" : "BLURRY") has more frames than the other's \(read)"
                guard align else { throw CLIFailure(.input, "frame counts differ: \(detail); use --align to score the common prefix") }
                warn("warning: --align: \(detail); scored only the first \(read) frames")
                break
            }
            guard b.width == s.width, b.height == s.height else {
                throw CLIFailure(.input, "frame sizes differ at \(input.label(ofFrame: b.index)): BLURRY \(b.width)x\(b.height), SHARP \(s.width)x\(s.height)")
            }
            read += 1
            try score(window.push((b, s)))
        }
        try score(window.finish())
        guard !scores.isEmpty else { throw CLIFailure(.input, "no frames to compare in \(blurry)") }
        return Row(method: method, frames: scores, processSeconds: seconds)
    }
}

extension String {
    fileprivate func leftAligned(_ n: Int) -> String {
        count >= n ? " " + self : String(repeating: " ", count: n - count) + self
    }
}
