/// Where the pipeline gets frames: the decoder, or a synthetic source in tests.
/// Used from one thread at a time (the pipeline's decode stage).
public protocol FrameSource: AnyObject, Sendable {
    /// Total number of frames if known in advance (for progress and ETA).
    var expectedFrameCount: Int? { get }
    /// The next frame in presentation order, or nil at the end of the input.
    func nextFrame() throws -> Frame?
    /// Packets demuxed since the last call that are copied to the output untouched (audio).
    func takePassthroughPackets() -> [MediaPacket]
    /// Hands back the pixels of a frame that has been written, for reuse. Called from another thread.
    func recycle(_ pixels: [Float])
}

extension FrameSource {
    public func recycle(_ pixels: [Float]) {}
}

/// Where the pipeline puts frames: the encoder, or a collecting sink in tests.
/// Used from one thread at a time (the pipeline's encode stage).
public protocol FrameSink: AnyObject, Sendable {
    func write(_ frame: Frame) throws
    func write(passthrough packets: [MediaPacket]) throws
    /// Flushes and finalizes the output so it is playable.
    func finish() throws
}
