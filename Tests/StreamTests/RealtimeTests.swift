import Dispatch
import Foundation
import Testing
@testable import Stream

/// A camera stand-in: hands out `count` grey frames with pts = index (time base 1/25), each no earlier than its time.
private final class PacedSource: FrameSource, @unchecked Sendable {
    let count: Int, width: Int, height: Int, interval: Double
    private var next = 0
    private var start: UInt64?

    init(count: Int, width: Int, height: Int, interval: Double = 0.04) {
        self.count = count; self.width = width; self.height = height; self.interval = interval
    }

    var expectedFrameCount: Int? { count }

    func nextFrame() throws -> Frame? {
        guard next < count else { return nil }
        let t0 = start ?? DispatchTime.now().uptimeNanoseconds
        start = t0
        let due = t0 + UInt64(Double(next) * interval * 1e9)
        let now = DispatchTime.now().uptimeNanoseconds
        if due > now { usleep(UInt32((due - now) / 1000)) }
        defer { next += 1 }
        return Frame(width: width, height: height,
                     pixels: [Float](repeating: 0.25, count: 3 * width * height), pts: Int64(next), index: next)
    }

    func takePassthroughPackets() -> [MediaPacket] { [] }
}

/// Sleeps in proportion to the pixels it gets (`secondsPerMegapixel`), then paints the frame white,
/// so deblurred frames can be told from passed-through ones in the output.
private struct SleepingPainter: FrameProcessor {
    let fullFrameSeconds: Double
    let fullFramePixels: Int
    func process(_ frame: Frame) throws -> Frame {
        let seconds = fullFrameSeconds * Double(frame.width * frame.height) / Double(fullFramePixels)
        usleep(UInt32(seconds * 1e6))
        var out = frame
        for i in out.pixels.indices { out.pixels[i] = 1 }
        return out
    }
}

private struct RealtimeRun {
    var frames: [Frame]
    var report: RealtimeScheduler.Report
    var latencies: LatencyHistogram
    /// Per frame: when it was written minus when it was due (seconds); large if the pipeline fell behind.
    var lateness: [Double]
}

/// Collects frames and the time each was written.
private final class TimingSink: FrameSink, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var frames: [Frame] = []
    private(set) var times: [UInt64] = []
    func write(_ frame: Frame) throws {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.withLock { frames.append(frame); times.append(now) }
    }
    func write(passthrough packets: [MediaPacket]) throws {}
    func finish() throws {}
}

private func runRealtime(mode: RealtimeMode, frameSeconds: Double, count: Int = 50, side: Int = 128,
                         maxLatency: Double = 0.25) throws -> RealtimeRun {
    let config = RealtimeScheduler.Configuration(mode: mode, frameInterval: 0.04, timeBase: 0.04, maxLatency: maxLatency)
    let scheduler = RealtimeScheduler(config)
    let probe = LatencyProbe()
    let sink = TimingSink()
    let t0 = DispatchTime.now().uptimeNanoseconds
    _ = try Pipeline(workers: 1, queueCapacity: 2).run(
        source: probe.wrap(PacedSource(count: count, width: side, height: side)), sink: probe.wrap(sink)) {
        RealtimeProcessor(SleepingPainter(fullFrameSeconds: frameSeconds, fullFramePixels: side * side), scheduler: scheduler)
    }
    let lateness = sink.times.enumerated().map { i, t in Double(t - t0) / 1e9 - Double(i) * 0.04 }
    return RealtimeRun(frames: sink.frames, report: scheduler.summary, latencies: probe.latencies, lateness: lateness)
}

/// Output frames painted white: those that went through the processor (at any scale).
private func paintedCount(_ frames: [Frame]) -> Int {
    frames.filter { f in f.pixels.allSatisfy { abs($0 - 1) < 1e-5 } }.count
}

@Suite(.serialized) struct RealtimeTests {
    @Test func slowProcessorSkipsFramesButKeepsEveryFrameAndPts() throws {
        // 100 ms per frame against a 40 ms frame interval: at most ~40% can be processed.
        let run = try runRealtime(mode: .skip, frameSeconds: 0.1)
        #expect(run.frames.count == 50)
        #expect(run.frames.map(\.pts) == (0..<50).map { Int64($0) })
        #expect(run.frames.map(\.index) == Array(0..<50))
        #expect(run.report.frames == 50)
        #expect(run.report.downscaled == 0)
        #expect(run.report.deblurredShare > 0 && run.report.deblurredShare < 1)
        #expect(paintedCount(run.frames) == run.report.fullResolution)
        // Never falls behind: every frame is written within the latency budget of its due time (+ slack for a
        // loaded machine). Processing every frame would leave the last one ~3 s late.
        #expect(run.lateness.max() ?? 0 < 0.25 + 0.5)
        #expect(run.latencies.count == 50)
        let p95 = try #require(run.latencies.percentile(0.95))
        #expect(p95 <= 0.25 + 0.1)
    }

    @Test func fastProcessorDeblursEveryFrame() throws {
        let run = try runRealtime(mode: .skip, frameSeconds: 0.002)
        #expect(run.frames.count == 50)
        #expect(run.frames.map(\.pts) == (0..<50).map { Int64($0) })
        #expect(run.report.deblurredShare == 1)
        #expect(paintedCount(run.frames) == 50)
    }

    @Test func downscaleModeProcessesMoreFramesAtReducedResolution() throws {
        // 120 ms at full resolution, 30 ms at 1/2: only downscaling keeps up with 40 ms frames.
        let run = try runRealtime(mode: .downscale, frameSeconds: 0.12)
        #expect(run.frames.count == 50)
        #expect(run.frames.map(\.pts) == (0..<50).map { Int64($0) })
        #expect(run.frames.allSatisfy { $0.width == 128 && $0.height == 128 })
        #expect(run.report.downscaled > 0)
        #expect(run.report.deblurredShare > 0.8)
        #expect(paintedCount(run.frames) == run.report.fullResolution + run.report.downscaled)
        #expect(run.lateness.max() ?? 0 < 0.25 + 0.5)
    }

    @Test func decisionFollowsLagAndEstimates() {
        var config = RealtimeScheduler.Configuration(mode: .downscale, frameInterval: 0.04, timeBase: 0, maxLatency: 0.1)
        config.downscales = [0.5]
        let scheduler = RealtimeScheduler(config)
        let frame = Frame(width: 64, height: 64)
        // Nothing measured yet: full resolution is tried.
        #expect(scheduler.decide(for: frame) == .process(scale: 1))
        // Full costs 0.3 s > budget; half is estimated at a quarter of that (0.075 s) and fits.
        scheduler.record(scale: 1, seconds: 0.3)
        #expect(scheduler.decide(for: frame) == .process(scale: 0.5))
        scheduler.record(scale: 0.5, seconds: 0.2)
        #expect(scheduler.decide(for: frame) == .passThrough)
        // Too small for half scale with a 64-pixel minimum side: straight to pass-through.
        #expect(scheduler.decide(for: Frame(width: 64, height: 64, index: 3), minimumSide: 64) == .passThrough)
        let report = scheduler.summary
        #expect(report.frames == 4 && report.fullResolution == 1 && report.downscaled == 1 && report.passedThrough == 2)
    }

    /// A clock started when the input opened counts the frames that piled up while the model loaded as lag:
    /// they pass through until it is worked off. Started at the first decision, the same frames look on time.
    @Test func aClockStartedAtTheInputCountsTheStartupBacklog() {
        let config = RealtimeScheduler.Configuration(mode: .skip, frameInterval: 0.04, timeBase: 0, maxLatency: 0.5)
        let opened = DispatchTime.now().uptimeNanoseconds - 2_000_000_000  // 2 s of model loading ago
        let fromInput = RealtimeScheduler(config, start: opened)
        let fromFirstFrame = RealtimeScheduler(config)
        for i in 0..<3 {
            let frame = Frame(width: 64, height: 64, index: i)
            #expect(fromInput.decide(for: frame) == .passThrough)
            #expect(fromFirstFrame.decide(for: frame) == .process(scale: 1))
        }
        // Frame 50 was due 2 s after the first: the backlog is gone, so it is processed again.
        #expect(fromInput.decide(for: Frame(width: 64, height: 64, index: 50)) == .process(scale: 1))
    }
}

@Suite struct FrameResizeTests {
    @Test func halvingIsA2x2BoxAverage() {
        let w = 6, h = 4
        let pixels = (0..<(3 * w * h)).map { Float(($0 * 37) % 11) }
        let half = FrameResize.bilinear(pixels, width: w, height: h, to: 3, 2)
        for c in 0..<3 {
            for y in 0..<2 {
                for x in 0..<3 {
                    let p = { (yy: Int, xx: Int) in pixels[(c * h + yy) * w + xx] }
                    let box = (p(2 * y, 2 * x) + p(2 * y, 2 * x + 1) + p(2 * y + 1, 2 * x) + p(2 * y + 1, 2 * x + 1)) / 4
                    #expect(abs(half[(c * 2 + y) * 3 + x] - box) < 1e-5)
                }
            }
        }
    }

    @Test func upscalingKeepsConstantsAndLinearRampsInside() {
        let constant = FrameResize.bilinear([Float](repeating: 0.7, count: 3 * 5 * 3), width: 5, height: 3, to: 13, 7)
        #expect(constant.allSatisfy { abs($0 - 0.7) < 1e-6 })
        // A horizontal ramp x at 4 px upscaled ×2: interior samples at source position (o + 0.5)/2 − 0.5.
        let ramp = (0..<3).flatMap { _ in (0..<2).flatMap { _ in (0..<4).map(Float.init) } }
        let up = FrameResize.bilinear(ramp, width: 4, height: 2, to: 8, 4)
        for o in 1..<7 { #expect(abs(up[o] - Float((Double(o) + 0.5) / 2 - 0.5)) < 1e-6) }
        #expect(FrameResize.bilinear(ramp, width: 4, height: 2, to: 4, 2) == ramp)
    }
}

@Suite struct LatencyHistogramTests {
    @Test func percentilesOfKnownSamples() {
        var histogram = LatencyHistogram()
        #expect(histogram.percentile(0.5) == nil)
        for ms in 1...100 { histogram.add(seconds: (Double(ms) + 0.5) / 1000) }
        #expect(histogram.count == 100)
        #expect(histogram.percentile(0.5) == 0.051)
        #expect(histogram.percentile(0.95) == 0.096)
        histogram.add(seconds: 1000)  // beyond the last bucket: counted, capped
        #expect(histogram.percentile(1) == 60.001)
    }
}
