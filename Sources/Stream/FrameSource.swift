/// Where the pipeline gets frames: the decoder, or a synthetic source in tests.
/// Used from one thread at a time (the pipeline's decode stage).
public protocol FrameSource: AnyObject, Sendable {
    /// Total number of frames if known in advance (for progress and ETA).
    var expectedFrameCount: Int? { get }
    /// The next frame in presentation order, or nil at the end of the input.
    func nextFrame() throws -> Frame?
    /// The next frame in the most compact form the source has (the pipeline reads this; it converts in
    /// its workers). Default: `nextFrame()` wrapped as it is.
    func nextPackedFrame() throws -> PackedFrame?
    /// Packets demuxed since the last call that are copied to the output untouched (audio).
    func takePassthroughPackets() -> [MediaPacket]
    /// Hands back the pixels of a frame that has been written, for reuse. Called from another thread.
    func recycle(_ pixels: [Float])
}

extension FrameSource {
    public func recycle(_ pixels: [Float]) {}
    public func nextPackedFrame() throws -> PackedFrame? { try nextFrame().map(PackedFrame.init) }
}

/// Where the pipeline puts frames: the encoder, or a collecting sink in tests.
/// Used from one thread at a time (the pipeline's encode stage).
public protocol FrameSink: AnyObject, Sendable {
    func write(_ frame: Frame) throws
    /// Converts a frame to the form `write(_: PackedFrame)` takes fastest. Called from the processing
    /// workers, several at once, so it must not touch the sink's mutable state. Default: as it is.
    func pack(_ frame: Frame) -> PackedFrame
    /// Writes a frame made by `pack`. Default: unpacks it and calls `write(_: Frame)`.
    func write(_ packed: PackedFrame) throws
    func write(passthrough packets: [MediaPacket]) throws
    /// Flushes and finalizes the output so it is playable.
    func finish() throws
}

extension FrameSink {
    public func pack(_ frame: Frame) -> PackedFrame { PackedFrame(frame) }
    public func write(_ packed: PackedFrame) throws { try write(packed.unpacked()) }
}
