import ArgumentParser
import Dispatch
import Foundation
import Restoration
import Stream

/// `deblur-video eval REFERENCE TEST`: per-frame PSNR and SSIM, then a summary.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score TEST against REFERENCE frame by frame (PSNR, SSIM) and summarise.",
        discussion: """
        REFERENCE and TEST are videos, images, directories of images (paired
        by file name), URLs, or - for stdin (one of them). Frames stream through
        one pair at a time: constant memory.

        CONVENTIONS:
          Samples: 8-bit, round(clamp(v, 0, 1) * 255) of the decoded RGB.
          PSNR: 10 log10(255^2 / MSE), MSE over all samples of a frame (R, G, B);
            identical frames give inf. "mean" averages per-frame PSNR; "PSNR of
            mean MSE" is 10 log10(255^2 / mean per-frame MSE), the "average" of
            FFmpeg's psnr filter.
          SSIM: Wang et al. 2004, 11x11 Gaussian window, sigma 1.5, K1 0.01,
            K2 0.03, data range 255, population covariance, per channel over
            the valid region only (5-pixel border of the SSIM map dropped), then
            averaged over channels = scikit-image structural_similarity(
            gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
            data_range=255, channel_axis=-1).
          --ssim-window uniform7: scikit-image's default window instead (7x7
            uniform, sample covariance, 3-pixel border dropped).
          --y: BT.601 luma only, Y = round(16 + (65.481 R + 128.553 G
            + 24.966 B) / 255), FFmpeg's RGB->YUV luma. For RGB sources the PSNR
            of mean MSE equals `ffmpeg -lavfi psnr`'s y: after format=yuv444p.
            Luma is recomputed from decoded RGB, so for YUV sources it is not
            the stored Y plane (chroma clipping, 4:2:0) and differs from y:.
          Median and 5th percentile: linear interpolation (numpy's default).
        A different frame count, frame size or set of image names is an error
        (exit 2); --align scores the common prefix (or common names) instead
        and prints a warning.

        EXAMPLES:
          deblur-video eval samples/sharp.mp4 deblurred.mp4
          deblur-video eval sharp/ restored/ --csv scores.csv
          deblur-video eval ref.mkv out.mkv --y --json > scores.json
        """
    )

    @Argument(help: "Reference (ground truth): video, image, or directory of images.")
    var reference: String

    @Argument(help: "Test (restored) frames: video, image, or directory of images.")
    var test: String

    @Option(help: "Write per-frame rows (frame,psnr_db,ssim,mse) to this CSV file.")
    var csv: String?

    @Flag(help: "Print per-frame rows and the summary as JSON on stdout instead of the table (inf PSNR is null).")
    var json = false

    @Option(help: "SSIM window: gaussian (Wang et al., default) or uniform7 (scikit-image's default).")
    var ssimWindow: SSIMWindow = .gaussian

    @Flag(name: .customLong("y"), help: "Score BT.601 luma only instead of RGB.")
    var lumaOnly = false

    @Flag(help: "On a frame-count (or name) mismatch, score the common prefix (or common names) and warn, instead of failing.")
    var align = false

    @Option(parsing: .unconditional, help: "How many worst frames to list.")
    var worst: Int = 5

    func validate() throws {
        if worst < 0 { throw ValidationError("--worst must be >= 0") }
        if reference == "-" && test == "-" { throw ValidationError("only one of REFERENCE and TEST can be - (stdin)") }
        if csv == "-" { throw ValidationError("--csv needs a file; --json prints every frame's scores to stdout") }
    }

    func run() throws {
        FFmpegSupport.setLogging(verbose: false)
        let options = QualityOptions(window: ssimWindow, lumaOnly: lumaOnly)
        let csvFile = try csv.map { try CSVWriter(path: $0) }
        let frames: [FrameQuality]
        do {
            frames = try Self.score(reference: reference, test: test, options: options, align: align) { row in
                csvFile?.write(row.csvRow)
            }
        } catch {
            csvFile?.discard()
            throw error
        }
        try csvFile?.commit()
        let summary = QualitySummary(frames, worst: worst)
        if json {
            let rows = frames.map { "    " + $0.jsonObject }.joined(separator: ",\n")
            print("""
                {
                  "reference": \(QualityFormat.jsonString(reference)),
                  "test": \(QualityFormat.jsonString(test)),
                  "conventions": \(QualityFormat.jsonString(options.conventions)),
                  "frames": [
                \(rows)
                  ],
                  "summary": \(summary.jsonObject)
                }
                """)
        } else {
            print("\(reference) vs \(test) (\(lumaOnly ? "luma" : "RGB"), SSIM \(ssimWindow.rawValue))")
            print(summary.table)
        }
    }

    /// Scores every frame pair, calling `row` as each is done. Throws on size or count mismatch (unless `align`).
    static func score(reference: String, test: String, options: QualityOptions, align: Bool,
                      row: (FrameQuality) -> Void) throws -> [FrameQuality] {
        let ref = try FrameSequence(path: reference)
        let tst = try FrameSequence(path: test)
        try FramePairing.matchNames(ref, tst, align: align, warn: warn)
        var frames: [FrameQuality] = []
        while true {
            let (r, t) = try nextPair(ref, tst)
            guard let r, let t else {
                if r == nil && t == nil { break }
                let n = frames.count
                let longer = r == nil ? tst : ref
                let extra = try 1 + longer.countRemaining()  // the frame already read, plus the rest
                let detail = "\(longer === ref ? "REFERENCE" : "TEST") has \(n + extra) frames, the other \(n)"
                guard align else { throw CLIFailure(.input, "frame counts differ: \(detail); use --align to score the common prefix") }
                warn("warning: --align: frame counts differ (\(detail)); scored only the first \(n) frames")
                break
            }
            guard r.width == t.width, r.height == t.height else {
                throw CLIFailure(.input, "frame sizes differ at \(ref.label(ofFrame: r.index)): REFERENCE \(r.width)x\(r.height), TEST \(t.width)x\(t.height)")
            }
            var q: FrameQuality
            do {
                q = try FrameQuality.measure(reference: PlanarImage(r), test: PlanarImage(t), index: frames.count, options: options)
            } catch let error as RestorationError {  // the frames' sizes: the input's fault, not a failed method
                throw CLIFailure(.input, "\(ref.label(ofFrame: r.index)): \(error)")
            } catch { throw CLIFailure(.processing, "\(ref.label(ofFrame: r.index)): \(error)") }
            if ref.isDirectory { q.name = ref.label(ofFrame: r.index) }
            frames.append(q)
            row(q)
        }
        guard !frames.isEmpty else {
            throw CLIFailure(.input, "no frames to score (frame size below the \(2 * options.window.radius + 1)-pixel SSIM window?)")
        }
        return frames
    }
}

/// The next frame of each sequence, decoded concurrently (two independent decoders).
func nextPair(_ a: FrameSequence, _ b: FrameSequence) throws -> (Frame?, Frame?) {
    /// One result per worker in separate stored properties: no shared array is mutated concurrently.
    final class Slot: @unchecked Sendable {
        let source: FrameSequence
        var frame: Frame?
        var error: (any Error)?
        init(_ source: FrameSequence) { self.source = source }
        func fill() {
            do { frame = try source.next() } catch { self.error = error }
        }
    }
    let slots = (Slot(a), Slot(b))
    DispatchQueue.concurrentPerform(iterations: 2) { i in
        if i == 0 { slots.0.fill() } else { slots.1.fill() }
    }
    if let e = slots.0.error ?? slots.1.error { throw e }
    return (slots.0.frame, slots.1.frame)
}

/// One line to stderr.
func warn(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Streams CSV rows to a temporary file as frames are scored; it replaces the target only once every frame
/// is scored, so a failed run leaves an existing file as it was and no partial one.
final class CSVWriter {
    private let handle: FileHandle
    private let file: OutputFile

    init(path: String) throws {
        file = OutputFile(path)
        try file.checkWritable()
        guard FileManager.default.createFile(atPath: file.writePath, contents: Data((FrameQuality.csvHeader + "\n").utf8)),
              let h = FileHandle(forWritingAtPath: file.writePath) else {
            file.discard()
            throw CLIFailure(.output, "cannot write \(path)")
        }
        handle = h
        handle.seekToEndOfFile()
    }

    func write(_ line: String) {
        handle.write(Data((line + "\n").utf8))
    }

    /// Puts the finished file in place.
    func commit() throws {
        do { try handle.close() } catch {
            file.discard()
            throw CLIFailure(.output, "cannot finish \(file.finalPath): \(error.localizedDescription)")
        }
        try file.commit()
    }

    /// Drops the rows written so far (after a failure).
    func discard() {
        try? handle.close()
        file.discard()
    }
}

extension SSIMWindow: ExpressibleByArgument {}
