/// Progress of a running pipeline, reported after every encoded frame.
public struct PipelineProgress: Sendable {
    public var framesDone: Int
    /// Total frames if the source knows it; nil once more frames than that are done (a header that counted only
    /// part of the stream, such as a fragmented MP4's first fragment read from a pipe).
    public var totalFrames: Int?
    /// Seconds since the pipeline started.
    public var elapsed: Double

    public init(framesDone: Int, totalFrames: Int?, elapsed: Double) {
        self.framesDone = framesDone
        self.totalFrames = totalFrames.flatMap { $0 >= framesDone ? $0 : nil }
        self.elapsed = elapsed
    }

    /// Frames per second so far.
    public var fps: Double { elapsed > 0 ? Double(framesDone) / elapsed : 0 }

    /// Estimated seconds left, if the total is known.
    public var eta: Double? {
        guard let total = totalFrames, fps > 0, total >= framesDone else { return nil }
        return Double(total - framesDone) / fps
    }
}

/// What a finished pipeline did and where its time went.
public struct PipelineStats: Sendable {
    public var frames: Int
    public var wallSeconds: Double
    /// Time spent inside the source (demux + decode + colour conversion), one thread.
    public var decodeSeconds: Double
    /// Time spent inside processors, summed over workers.
    public var processSeconds: Double
    /// Time spent inside the sink (colour conversion + encode + mux), one thread.
    public var encodeSeconds: Double
    /// True if the cancellation token stopped the input early.
    public var cancelled: Bool

    public var fps: Double { wallSeconds > 0 ? Double(frames) / wallSeconds : 0 }
}
