/// Runs `inner` and keeps its change only where the frame moved against the frames before and after it
/// (`MotionGate`); where nothing moved, the frame passes as decoded.
///
/// It asks the pipeline for one frame on each side (so output lags the input by one frame) and hands `inner`
/// only the neighbours `inner` asked for. The stand-ins the pipeline gives at the stream's ends (the frame
/// itself) are not motion evidence and are left out; a frame with no real neighbour (a still image, a
/// one-frame video) keeps `inner`'s result whole.
public struct MotionGatedProcessor: FrameProcessor {
    public var inner: any FrameProcessor
    public let gate: MotionGate

    public init(_ inner: any FrameProcessor, gate: MotionGate = MotionGate()) {
        self.inner = inner
        self.gate = gate
    }

    public var name: String { inner.name }
    public var isIdentity: Bool { inner.isIdentity }
    public var temporalRadius: Int { max(1, inner.temporalRadius) }

    public mutating func process(_ frame: Frame) throws -> Frame {
        try process(frame, cancellation: CancellationToken())
    }

    public mutating func process(_ frame: Frame, cancellation: CancellationToken) throws -> Frame {
        let radius = frame.neighbours.count / 2
        let wanted = min(radius, inner.temporalRadius)
        var forInner = frame
        forInner.neighbours = frame.neighbours.count == 2 * radius
            ? Array(frame.neighbours[(radius - wanted)..<(radius + wanted)]) : frame.neighbours
        let restored = try inner.process(forInner, cancellation: cancellation)
        // Unchanged (a frame --realtime skip passed through): nothing to gate. Array == is O(1) on shared storage.
        guard radius > 0, frame.neighbours.count == 2 * radius,
              restored.width == frame.width, restored.height == frame.height,
              restored.pixels != frame.pixels else { return restored }
        // The gate itself skips neighbours of another size.
        let adjacent = [frame.neighbours[radius - 1], frame.neighbours[radius]].filter { $0.index != frame.index }
        return gate.apply(original: frame, restored: restored, neighbours: adjacent)
    }
}
