import ArgumentParser
import Foundation
import Logging
import Stream

/// `deblur-video deblur INPUT -o OUTPUT`: decode, restore every frame, re-encode (audio copied, or re-encoded if the container needs it).
struct Deblur: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deblur",
        abstract: "Deblur a video, an image, or a directory of images.",
        discussion: """
        INPUT is a file, a URL FFmpeg can open, a directory of images, or - for stdin. \
        OUTPUT is a file (container from its extension, or --format), a directory (for a directory \
        input; same file names), or - for stdout (default format nut). Audio is copied untouched, or \
        re-encoded (AAC, Opus) when the output container cannot hold its codec. \
        The output is written to a hidden temporary file next to OUTPUT and renamed when complete.

        EXAMPLES:
          deblur-video samples/blurred.mp4 -o deblurred.mp4
          deblur-video clip.mkv -o clip-lossless.mkv --codec ffv1
          deblur-video photo.jpg -o photo-sharp.png
          deblur-video shots/ -o shots-sharp/
          cat clip.nut | deblur-video - -o - --format nut | ffplay -
          Camera pipe, kept live (Ctrl-C finalizes the output; stdout is NUT):
          ffmpeg -f v4l2 -i /dev/video0 -c:v rawvideo -f nut - \\
            | deblur-video - -o - --realtime downscale | ffplay -

        EXIT CODES:
          0    success
          1    bad command line (unknown option, bad value)
          2    input missing, unreadable, not a video/image, unsupported codec, or
               missing/corrupt model
          3    output cannot be written, or format/codec unusable
          4    input corrupt or truncated (decoded frames are reported; output removed
               unless --keep-partial), or the method failed on a frame
          130  interrupted by Ctrl-C or SIGTERM (output finalized and kept; a second
               signal a second later quits at once and deletes the unfinished file)
          141  the reader of `-o -` closed the pipe early (SIGPIPE)
        """
    )

    @Argument(help: "Input video, image, directory of images, URL, or - for stdin.")
    var input: String

    @Option(name: [.short, .long], help: "Output file, directory, or - for stdout.")
    var output: String

    @Option(help: "Restoration method: \(Method.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: Method = .gan

    @Option(help: "Video encoder: libx264 (the default where the container holds H.264; else the container's own, e.g. VP9 for .webm), ffv1 (lossless), or any FFmpeg video encoder. Images default to their format's codec (PNG for an image on stdout).")
    var codec: String?

    @Option(parsing: .unconditional, help: "Constant rate factor for libx264/libx265 (0-51, lower is better; x264 default 23).")
    var crf: Int?

    @Option(help: "Encoder preset for libx264/libx265 (default veryfast).")
    var preset: String?

    // -f as well, because ffmpeg users type it.
    @Option(name: [.customShort("f"), .long],
            help: "Container format: nut, matroska, mpegts, yuv4mpegpipe, … (default: from the output extension; nut for - and for a FIFO or device without one).")
    var format: String?

    static let x26xPresets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"]
    static var maxWorkers: Int { 4 * ProcessInfo.processInfo.activeProcessorCount }

    @Option(parsing: .unconditional, help: "Frames processed at once, each by its own worker; the GAN's threads share the cores among them (default: number of CPU cores; one for GAN frames above 1440p, to bound memory).")
    var threads: Int?

    @OptionGroup(title: "GAN model and tiling")
    var model: ModelFlags

    @OptionGroup(title: "Classical methods (unsharp, wiener, richardson-lucy)")
    var classical: ClassicalFlags

    @OptionGroup(title: "Live input and quality")
    var live: LiveFlags

    @OptionGroup(title: "Video")
    var gate: MotionGateFlags

    @Flag(help: "No progress line and only errors on stderr (the summary that --realtime or --reference asks for is still printed).")
    var quiet = false

    @Flag(help: "Show FFmpeg's own warnings and debug details.")
    var verbose = false

    @Flag(help: "On a corrupt or truncated input, keep the frames decoded before the damage under OUTPUT (still exits 4).")
    var keepPartial = false

    func validate() throws {
        if let crf, !(0...51).contains(crf) { throw ValidationError("--crf must be between 0 and 51, got \(crf)") }
        if let preset, codec == nil || ["libx264", "libx265", "h264", "hevc"].contains(codec ?? ""),
           !Self.x26xPresets.contains(preset) {
            throw ValidationError("--preset for libx264/libx265 is one of \(Self.x26xPresets.joined(separator: ", ")), got '\(preset)'")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        // Each worker holds its own frames and activations (~100 MB at 360p), so this bounds memory.
        if let threads, threads > Self.maxWorkers {
            throw ValidationError("--threads must be at most \(Self.maxWorkers) (4 per CPU core), got \(threads)")
        }
        if let format, !FFmpegSupport.hasMuxer(format) { throw ValidationError("unknown --format \(format)") }
        if let codec, !FFmpegSupport.hasVideoEncoder(codec) {
            throw ValidationError(FFmpegSupport.hasEncoder(codec)
                ? "--codec \(codec) is not a video encoder (audio is copied, or re-encoded when the container needs it)"
                : "unknown --codec \(codec)")
        }
    }

    func run() throws {
        FFmpegSupport.setLogging(verbose: verbose)
        let cancellation = CancellationToken()
        let interrupt = InterruptSignals { cancellation.cancel() }
        defer { interrupt.cancel() }

        var isDir: ObjCBool = false
        if input != "-", FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue {
            try runDirectory(cancellation: cancellation)
        } else {
            try runOne(input: input, output: output, live: live, cancellation: cancellation)
        }
        if cancellation.isCancelled {
            throw CLIFailure(.interrupted, "interrupted; output finalized")
        }
    }

    /// Every image in the input directory, in name order, into the output directory under the same name.
    private func runDirectory(cancellation: CancellationToken) throws {
        let imageExtensions = FrameSequence.imageExtensions
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: input)
                .filter { imageExtensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }
                .sorted()
        } catch {
            throw CLIFailure(.input, "cannot list \(input): \(error.localizedDescription)")
        }
        guard !names.isEmpty else { throw CLIFailure(.input, "no images in \(input)") }
        if let muxer = FFmpegSupport.muxerName(forFile: output), muxer != "image2" {
            throw CLIFailure(.usage, "\(input) is a directory of images, so -o names a directory for the results, not a \(muxer) file: \(output)")
        }
        if OutputFile(output).isSameFile(as: input) {
            throw CLIFailure(.usage, "\(output) is the input directory; write the results to another one (the originals would be lost)")
        }
        if imageExtensions.contains(URL(fileURLWithPath: output).pathExtension.lowercased()), !FileManager.default.fileExists(atPath: output) {
            throw CLIFailure(.usage, "\(input) is a directory of images, so -o names a directory for the results, not an image file: \(output)")
        }
        var referenceDir: ObjCBool = false
        if let reference = live.reference,
           !(FileManager.default.fileExists(atPath: reference, isDirectory: &referenceDir) && referenceDir.boolValue) {
            throw CLIFailure(.usage, "with a directory of images, --reference must be a directory holding the sharp images under the same names")
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw CLIFailure(.output, "cannot create directory \(output): \(error.localizedDescription)")
        }
        // One bad image must not cost the others: each failure is reported and the batch goes on.
        var failures: [CLIFailure] = []
        for name in names where !cancellation.isCancelled {
            var live = self.live
            live.reference = live.reference.map { ($0 as NSString).appendingPathComponent(name) }
            do {
                try runOne(input: (input as NSString).appendingPathComponent(name),
                           output: (output as NSString).appendingPathComponent(name), live: live, cancellation: cancellation)
            } catch let failure as CLIFailure where failure.status != .interrupted && failure.status != .output {
                warn("error: \(name): \(failure.message)")
                failures.append(failure)
            }
        }
        if let first = failures.first {
            throw CLIFailure(first.status, "\(failures.count) of \(names.count) images failed (the others were written)")
        }
    }

    /// A regular file on disk (not stdin, a FIFO, a device or a URL).
    static func isRegularFile(_ path: String) -> Bool {
        guard path != "-", let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType else { return false }
        return type == .typeRegular
    }

    private func runOne(input: String, output: String, live: LiveFlags, cancellation: CancellationToken) throws {
        let target = OutputFile(output)
        try target.checkWritable()
        if target.isSameFile(as: input) {
            throw CLIFailure(.usage, "\(output) is the input file; write the result under another name (the original would be lost)")
        }
        for (flag, path) in [("--reference", live.reference), ("--psf", classical.psf)] {
            if let path, target.isSameFile(as: path) {
                throw CLIFailure(.usage, "\(output) is the \(flag) file; write the result under another name (it would be lost)")
            }
        }
        // Live output must not wait for x264's lookahead, which holds about 0.9 s of frames back.
        var settings = EncoderSettings(codec: codec, crf: crf, preset: preset, format: format, lowLatency: live.realtime != nil)
        // stdout, and a FIFO or device named without an extension (`-o /dev/null`), stream NUT as a pipe does.
        // An image there goes out as one PNG instead, once the input is known to be one (below).
        let streamsByDefault = settings.format == nil
            && (target.isStdout || (target.isDirect && FFmpegSupport.muxerName(forFile: output) == nil))
        if streamsByDefault { settings.format = "nut" }
        if target.isStream, let format = settings.format ?? FFmpegSupport.muxerName(forFile: output),
           FFmpegSupport.needsSeekableOutput(format) {
            throw CLIFailure(.usage, "--format \(format) cannot be written to a pipe (it rewrites its header or index at the end); use nut, matroska or mp4 (fragmented)")
        }
        if settings.format == nil, FFmpegSupport.muxerName(forFile: output) == nil {
            throw CLIFailure(.output, "cannot tell the output format from \(output); pass --format")
        }

        let decoder: FrameDecoder
        do {
            decoder = try FrameDecoder(location: input, cancellation: cancellation)
        } catch {
            if cancellation.isCancelled { throw CLIFailure(.interrupted, "interrupted before the input could be read") }
            throw CLIFailure(error)
        }
        if streamsByDefault && decoder.videoInfo.isImage {
            settings.format = "image2pipe"
            if settings.codec == nil { settings.codec = "png" }
        }
        let oneFrame = decoder.videoInfo.frameCount == 1 && !decoder.videoInfo.frameCountIsEstimate
        if !decoder.videoInfo.isImage, !oneFrame, let muxer = settings.format ?? FFmpegSupport.muxerName(forFile: output),
           muxer == "image2" || muxer.hasSuffix("_pipe") {
            // The image muxer would overwrite one file per frame and keep only the last.
            throw CLIFailure(.usage, "\(input) is a video but \(output) is a single image; write a video (e.g. .mp4 or .mkv)")
        }
        if let degrees = decoder.videoInfo.rotationDegrees,
           let muxer = settings.format ?? FFmpegSupport.muxerName(forFile: output), !FFmpegSupport.storesRotation(muxer) {
            // The container cannot store the tag, so the pixels are turned instead, as the ffmpeg CLI does. A
            // mirrored or oblique matrix cannot be turned that way: said so.
            if FrameRotation(displayMatrix: decoder.videoInfo.displayMatrix) != nil {
                settings.appliesRotation = true
            } else if !quiet {
                warn("warning: the input is tagged to play mirrored or rotated by \(Int(degrees.rounded()))°, which \(muxer) "
                     + "cannot store: the output plays as coded; write .mp4 or .mov to keep the tag")
            }
        }
        let lost = FFmpegSupport.lostByProcessing(pixelFormat: decoder.videoInfo.pixelFormat)
        if !lost.isEmpty && !quiet {
            warn("warning: \(decoder.videoInfo.pixelFormat) input: frames are processed as 8-bit RGB, so the output loses \(lost.joined(separator: " and "))")
        }
        if let mode = live.realtime, !quiet, !decoder.videoInfo.isImage, Self.isRegularFile(input) {
            // A file is read as fast as it decodes, so its frames fall due at the file's frame rate from the
            // start; any frame the model cannot keep up with is then skipped or downscaled, as on a camera.
            warn("warning: --realtime \(mode.rawValue) on a file paces it as if it were live: frames the model cannot finish "
                 + "in time are \(mode == .skip ? "passed through untouched" : "restored at reduced resolution"); "
                 + "leave --realtime out to deblur every frame fully")
        }
        if !decoder.ignoredStreams.isEmpty && !quiet {
            warn("warning: one video and one audio stream are kept; not copied: \(decoder.ignoredStreams.joined(separator: ", "))")
        }
        var methodOptions = MethodOptions()
        methodOptions.classical = classical.settings
        methodOptions.model = model.settings(for: decoder.videoInfo, method: method)
        let workers = threads ?? LargeFramePolicy.workers(for: decoder.videoInfo, method: method)
        methodOptions.workers = workers
        if method == .gan {
            let video = decoder.videoInfo
            let large = LargeFramePolicy.isLarge(video, method: method) && (threads == nil || model.tile == nil)
            Logger(label: "deblur-video").debug(
                "\(video.width)x\(video.height) frames: \(workers) worker(s), tiles of \(methodOptions.model.tile)\(large ? " (large-frame defaults)" : "")")
        }
        // A live source's clock starts when its data began to arrive; a file is replayed from its first frame.
        var session = try LiveSession(live, video: decoder.videoInfo, start: decoder.isFile ? nil : decoder.firstDataTime)
        // The gate outside --realtime's wrapper, so motion is measured at full resolution whatever scale a frame
        // runs at. A still has no neighbours, so the gate passes it through; it is not wrapped (no frame held back).
        var factory = session.wrap(try makeProcessorFactory(for: method, options: methodOptions))
        if !decoder.videoInfo.isImage { factory = gate.wrap(factory, method: method) }

        let encoder: FrameEncoder
        do {
            encoder = try FrameEncoder(location: target.writePath, settings: settings,
                                       video: decoder.videoInfo, audio: decoder.audioTrack)
        } catch {
            target.discard()
            var failure = CLIFailure(error)
            failure.message = failure.message.replacingOccurrences(of: target.writePath, with: output)
            throw failure
        }

        let line = (!quiet && ProgressLine.isUseful) ? ProgressLine() : nil
        let pipeline = Pipeline(workers: workers, queueCapacity: 2)
        var progress: (@Sendable (PipelineProgress) -> Void)? = nil
        if let line { progress = { line.update($0) } }
        do {
            let stats = try pipeline.run(source: session.source(decoder), sink: session.sink(encoder),
                                         cancellation: cancellation, progress: progress, makeProcessor: factory)
            line?.finish()
            if cancellation.isCancelled && stats.frames == 0 && !target.isDirect {
                // Stopped before any frame was written (a model still loading, a camera not yet sending): an
                // empty file must not replace what OUTPUT held.
                target.discard()
                let kept = FileManager.default.fileExists(atPath: output) ? "; \(output) is left as it was" : ""
                throw CLIFailure(.interrupted, "interrupted before the first frame; nothing written\(kept)")
            }
            session.report()  // asked for by --realtime or --reference, so printed even with --quiet
            try target.commit()
            Logger(label: "deblur-video").debug("""
                \(stats.frames) frames in \(String(format: "%.2f", stats.wallSeconds)) s \
                (decode \(String(format: "%.2f", stats.decodeSeconds)) s, process \(String(format: "%.2f", stats.processSeconds)) s, \
                encode \(String(format: "%.2f", stats.encodeSeconds)) s)
                """)
        } catch {
            line?.finish()
            let failure = CLIFailure(error)
            // The pipeline finished the output before rethrowing an input error: those frames are playable.
            let inputBroke = error is DecodeError
            if inputBroke && keepPartial {
                try? target.commit()
            } else {
                if target.isDirect { try? encoder.finish() }
                target.discard()
            }
            throw failure
        }
    }
}

extension Deblur: ChoosesLogLevel {
    var logLevel: Logger.Level { quiet ? .error : (verbose ? .debug : .warning) }
}
