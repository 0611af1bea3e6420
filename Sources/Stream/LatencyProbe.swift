import Dispatch
import Foundation

/// Measures decode → encode latency per frame: wrap the source and the sink of a pipeline with it.
///
/// The clock starts when the source hands a frame over and stops when the sink has written it, so the
/// figure includes queueing, processing and reordering — what a viewer of a live stream waits.
public final class LatencyProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var started: [Int: UInt64] = [:]
    private var histogram = LatencyHistogram()

    public init() {}

    /// The latencies recorded so far.
    public var latencies: LatencyHistogram { lock.withLock { histogram } }

    func frameDecoded(_ index: Int) {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.withLock { started[index] = now }
    }

    func frameEncoded(_ index: Int) {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.withLock {
            guard let t0 = started.removeValue(forKey: index) else { return }
            histogram.add(seconds: Double(now - t0) / 1e9)
        }
    }

    /// `source`, stamping each frame as it leaves.
    public func wrap(_ source: some FrameSource) -> some FrameSource { ProbedSource(inner: source, probe: self) }
    /// `sink`, stamping each frame once written.
    public func wrap(_ sink: some FrameSink) -> some FrameSink { ProbedSink(inner: sink, probe: self) }
}

private final class ProbedSource<Inner: FrameSource>: FrameSource, @unchecked Sendable {
    let inner: Inner
    let probe: LatencyProbe
    init(inner: Inner, probe: LatencyProbe) { self.inner = inner; self.probe = probe }

    var expectedFrameCount: Int? { inner.expectedFrameCount }
    func nextFrame() throws -> Frame? {
        let frame = try inner.nextFrame()
        if let frame { probe.frameDecoded(frame.index) }
        return frame
    }
    func nextPackedFrame() throws -> PackedFrame? {
        let frame = try inner.nextPackedFrame()
        if let frame { probe.frameDecoded(frame.index) }
        return frame
    }
    func takePassthroughPackets() -> [MediaPacket] { inner.takePassthroughPackets() }
    func recycle(_ pixels: [Float]) { inner.recycle(pixels) }
}

private final class ProbedSink<Inner: FrameSink>: FrameSink, @unchecked Sendable {
    let inner: Inner
    let probe: LatencyProbe
    init(inner: Inner, probe: LatencyProbe) { self.inner = inner; self.probe = probe }

    func write(_ frame: Frame) throws {
        try inner.write(frame)
        probe.frameEncoded(frame.index)
    }
    func pack(_ frame: Frame) -> PackedFrame { inner.pack(frame) }
    func write(_ packed: PackedFrame) throws {
        try inner.write(packed)
        probe.frameEncoded(packed.index)
    }
    func write(passthrough packets: [MediaPacket]) throws { try inner.write(passthrough: packets) }
    func finish() throws { try inner.finish() }
}
