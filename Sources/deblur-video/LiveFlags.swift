import ArgumentParser
import Foundation
import Restoration
import Stream

extension RealtimeMode: ExpressibleByArgument {}

/// Flags for live input (`--realtime`) and live quality scoring (`--reference`).
struct LiveFlags: ParsableArguments {
    @Option(help: """
        Live input: never fall behind the input frame rate. When a frame cannot be restored in time, \
        downscale = restore it at 1/2 or 1/4 resolution and add the upscaled correction; \
        skip = pass it through untouched. Every frame is still written, with its own timestamp.
        """)
    var realtime: RealtimeMode?

    @Option(name: .customLong("max-latency"), parsing: .unconditional,
            help: "With --realtime: largest delay (seconds) a frame may have from its due time to the end of its processing. (default: 0.5)")
    var maxLatencyFlag: Double?
    var maxLatency: Double { maxLatencyFlag ?? 0.5 }

    @Option(help: "Sharp reference (a video with the same frames; for a directory of images, a directory with the same names) to score every restored frame against (PSNR, SSIM); summary on stderr (even with --quiet).")
    var reference: String?

    func validate() throws {
        guard maxLatency > 0 else { throw ValidationError("--max-latency must be positive, got \(maxLatency)") }
        if maxLatencyFlag != nil && realtime == nil {
            throw ValidationError("--max-latency applies only with --realtime skip|downscale")
        }
    }

    /// The shared scheduler for `--realtime`, from the input's frame rate and time base.
    /// Its clock starts at `start`, when the input's first data arrived: frames a live source sends while FFmpeg
    /// probes the stream and the model loads wait in the pipe, and that wait is lag the scheduler must see.
    func makeScheduler(video: VideoStreamInfo, start: UInt64? = nil) -> RealtimeScheduler? {
        guard let realtime else { return nil }
        let rate = video.frameRate.isValid ? video.frameRate.doubleValue : 25
        let config = RealtimeScheduler.Configuration(mode: realtime, frameInterval: 1 / rate,
                                                     timeBase: video.timeBase.doubleValue, maxLatency: maxLatency)
        return RealtimeScheduler(config, start: start)
    }
}

/// The `--realtime` and `--reference` machinery of one `deblur` run, wrapped around the pipeline's parts.
struct LiveSession {
    let scheduler: RealtimeScheduler?
    let probe: LatencyProbe?
    private let reference: FrameSequence?
    private let referencePath: String
    private var scoring: ReferenceScoringSink<FrameEncoder>?
    /// The input's turn upright, for scoring against the (upright) reference.
    private let rotation: FrameRotation

    /// Opens the reference now, so a missing one fails before any output exists.
    /// `start`: when the input's first data arrived (`FrameDecoder.firstDataTime`), the real-time clock's zero.
    init(_ flags: LiveFlags, video: VideoStreamInfo, start: UInt64? = nil) throws {
        scheduler = flags.makeScheduler(video: video, start: start)
        probe = scheduler == nil ? nil : LatencyProbe()
        referencePath = flags.reference ?? ""
        reference = try flags.reference.map { try FrameSequence(path: $0) }
        rotation = FrameRotation(displayMatrix: video.displayMatrix) ?? .none
    }

    func wrap(_ factory: @escaping @Sendable () throws -> any FrameProcessor) -> @Sendable () throws -> any FrameProcessor {
        guard let scheduler else { return factory }
        return { RealtimeProcessor(try factory(), scheduler: scheduler) }
    }

    func source(_ decoder: FrameDecoder) -> any FrameSource { probe.map { $0.wrap(decoder) } ?? decoder }

    mutating func sink(_ encoder: FrameEncoder) -> any FrameSink {
        var sink: any FrameSink = encoder
        if let reference {
            let scoring = ReferenceScoringSink(inner: encoder, reference: reference, path: referencePath, rotation: rotation)
            self.scoring = scoring
            sink = scoring
        }
        return probe.map { $0.wrap(sink) } ?? sink
    }

    /// The summaries, on stderr (stdout may be the video).
    func report() {
        if let scheduler, let probe { warn(realtimeSummary(scheduler.summary, latencies: probe.latencies)) }
        if let scoring {
            let frames = scoring.frames
            guard !frames.isEmpty else { warn("--reference: no frames scored"); return }
            warn("quality vs \(referencePath) (restored frames before encoding, RGB, SSIM gaussian):\n"
                 + QualitySummary(frames).table)
        }
    }
}

/// One summary of how `--realtime` went, for stderr.
func realtimeSummary(_ report: RealtimeScheduler.Report, latencies: LatencyHistogram) -> String {
    func pct(_ n: Int) -> String { String(format: "%.1f%%", report.frames > 0 ? 100 * Double(n) / Double(report.frames) : 0) }
    func ms(_ s: Double?) -> String { s.map { String(format: "%.0f ms", $0 * 1000) } ?? "n/a" }
    return "realtime: \(report.frames) frames, deblurred \(pct(report.fullResolution + report.downscaled)) "
        + "(\(pct(report.fullResolution)) full resolution, \(pct(report.downscaled)) downscaled), "
        + "passed through \(pct(report.passedThrough)); latency decode→encode p50 \(ms(latencies.percentile(0.5))), "
        + "p95 \(ms(latencies.percentile(0.95)))"
}

/// Scores each frame against the next frame of a reference before handing it to the real sink.
///
/// The restored float frame is scored (8-bit quantised as `eval` does) before encoding, so the figures
/// are the method's, not the output codec's. A reference that ends early or has another size stops the
/// scoring with a warning; the deblurring itself goes on.
final class ReferenceScoringSink<Inner: FrameSink>: FrameSink, @unchecked Sendable {
    private let inner: Inner
    private let reference: FrameSequence
    private let path: String
    /// Turns the restored frames (as coded) upright, as the reference's frames come.
    private let rotation: FrameRotation
    private var scores = QualityAccumulator()
    private var stopped = false

    init(inner: Inner, reference: FrameSequence, path: String, rotation: FrameRotation = .none) {
        self.inner = inner
        self.reference = reference
        self.path = path
        self.rotation = rotation
    }

    /// Per-frame scores so far (call after the pipeline finished).
    var frames: [FrameQuality] { scores.frames }

    func write(_ frame: Frame) throws {
        try inner.write(frame)
        guard !stopped else { return }
        let frame = rotation.applied(to: frame)
        do {
            guard let ref = try reference.next() else {
                warn("warning: --reference \(path) ended after \(scores.frames.count) frames; later frames not scored")
                stopped = true
                return
            }
            guard ref.width == frame.width, ref.height == frame.height else {
                warn("warning: --reference \(path) is \(ref.width)x\(ref.height), the video \(frame.width)x\(frame.height); not scored")
                stopped = true
                return
            }
            scores.add(try FrameQuality.measure(reference: PlanarImage(ref), test: PlanarImage(frame), index: frame.index))
        } catch {
            warn("warning: --reference \(path): \(error); scoring stopped")
            stopped = true
        }
    }

    func write(passthrough packets: [MediaPacket]) throws { try inner.write(passthrough: packets) }
    func finish() throws {
        try inner.finish()
        if !stopped, case .some(.some) = try? reference.next() {
            warn("warning: --reference \(path) has more frames than the video; its first \(scores.frames.count) scored")
        }
    }
}
