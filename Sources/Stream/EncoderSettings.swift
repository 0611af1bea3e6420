/// How the output is encoded. `nil` fields mean "the sensible default for the container".
public struct EncoderSettings: Sendable, Equatable {
    /// FFmpeg encoder name (`libx264`, `ffv1`, `png`, …). nil: libx264 for video containers, the image codec for image files.
    public var codec: String?
    /// Constant rate factor for codecs that have one (x264 default 23).
    public var crf: Int?
    /// Encoder preset for x264/x265; defaults to `veryfast`, the same as the benchmark's ffmpeg command.
    public var preset: String?
    /// Container name (`nut`, `matroska`, `mp4`, …). nil: guessed from the output's extension.
    public var format: String?
    /// Encoder threads, 0 = automatic.
    public var threads: Int
    /// Whether warnings about re-encoded or dropped audio suggest another container. A CLI user can pick one;
    /// a web service's user cannot, so the service turns it off.
    public var suggestsContainer: Bool
    /// Encode each frame as soon as it arrives (x264/x265 `tune=zerolatency`: no lookahead, no B-frames),
    /// for live output; otherwise x264 holds about 0.9 s of frames back.
    public var lowLatency: Bool
    /// Turn the frames upright by the source's display matrix (a quarter-turn rotation) and store no matrix: for
    /// containers that cannot store one (`FFmpegSupport.storesRotation`), so a phone's portrait video plays upright.
    public var appliesRotation: Bool

    public init(codec: String? = nil, crf: Int? = nil, preset: String? = nil, format: String? = nil, threads: Int = 0,
                suggestsContainer: Bool = true, lowLatency: Bool = false, appliesRotation: Bool = false) {
        self.codec = codec
        self.crf = crf
        self.preset = preset
        self.format = format
        self.threads = threads
        self.suggestsContainer = suggestsContainer
        self.lowLatency = lowLatency
        self.appliesRotation = appliesRotation
    }
}
