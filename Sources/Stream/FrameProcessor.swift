/// The seam between the pipeline and whatever restores frames: frame in, frame out.
///
/// The GAN, the classical methods and pass-through all implement it. The output must have
/// the same size as the input; the pipeline carries `pts` and `index` over itself.
/// Implementations may keep scratch state: the pipeline gives each worker its own instance.
public protocol FrameProcessor {
    mutating func process(_ frame: Frame) throws -> Frame
    /// As `process`, but throws `ProcessingCancelled` once `cancellation` is set, so work nobody waits for
    /// any more (a timed-out web request) frees its worker. Processors that split a frame check between the
    /// pieces (`TiledProcessor`, between tiles); the default checks once, before starting.
    mutating func process(_ frame: Frame, cancellation: CancellationToken) throws -> Frame
    /// Short name for messages and logs (defaults to the type's name).
    var name: String { get }
    /// True if `process` returns every frame unchanged, so the pipeline may hand packed frames from the
    /// source to the sink without converting them to float and back (default false).
    var isIdentity: Bool { get }
    /// Frames on each side this processor wants in `Frame.neighbours` (default 0: the frame alone).
    var temporalRadius: Int { get }
}

extension FrameProcessor {
    public mutating func process(_ frame: Frame, cancellation: CancellationToken) throws -> Frame {
        try cancellation.check()
        return try process(frame)
    }

    public var name: String { String(describing: Self.self) }
    public var isIdentity: Bool { false }
    public var temporalRadius: Int { 0 }
}

/// Returns frames unchanged: `--method none`.
public struct PassThrough: FrameProcessor {
    public init() {}
    public func process(_ frame: Frame) throws -> Frame { frame }
    public var name: String { "none" }
    public var isIdentity: Bool { true }
}
