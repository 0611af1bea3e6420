import CFFmpeg

/// What the decoder learned about the video stream; the encoder copies rate and time base from it.
public struct VideoStreamInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Time base of `Frame.pts`.
    public var timeBase: Rational
    /// Average frame rate (falls back to 25/1 when the container does not say, as for single images).
    public var frameRate: Rational
    /// Number of frames if the container declares it or it can be estimated from duration × rate.
    public var frameCount: Int?
    /// True when `frameCount` is duration × rate, not a count the container stores (often one frame off:
    /// some containers' duration ends at the last frame's start).
    public var frameCountIsEstimate = false
    /// Duration in seconds if known.
    public var duration: Double?
    /// Name of the source codec, e.g. `h264`.
    public var codecName: String
    /// Source colour matrix (`AVColorSpace` raw value), reused when re-encoding to YUV.
    public var colorSpace: Int32
    /// Source colour primaries and transfer (`AVColorPrimaries`, `AVColorTransferCharacteristic` raw values):
    /// processing keeps them, so the encoder tags the output with them (2 = unspecified).
    public var colorPrimaries: Int32 = 2
    public var colorTransfer: Int32 = 2
    /// The decoder's pixel format, e.g. `yuv420p10le` or `rgba` (frames are processed with 8 bits and no alpha).
    public var pixelFormat = ""
    /// True for a single still picture (image2 / *_pipe demuxers).
    public var isImage: Bool
    /// The stream's display matrix (3×3, 16.16 fixed point, as FFmpeg stores it): how players rotate or
    /// flip the coded picture, e.g. a phone's portrait video. The encoder copies it so the output shows the same way.
    public var displayMatrix: [Int32]?
    /// The rotation players apply, in degrees counter-clockwise (FFmpeg's convention), if the display matrix is
    /// more than the identity.
    public var rotationDegrees: Double? {
        guard let m = displayMatrix, m.count == 9 else { return nil }
        let degrees = m.withUnsafeBufferPointer { av_display_rotation_get($0.baseAddress) }
        return degrees.isFinite && abs(degrees) > 0.5 ? degrees : nil
    }
    /// Pixel aspect ratio when not square (anamorphic DV/HDV); nil for square or unknown.
    public var sampleAspectRatio: Rational?

    public init(width: Int, height: Int, timeBase: Rational, frameRate: Rational, frameCount: Int? = nil,
                duration: Double? = nil, codecName: String = "", colorSpace: Int32 = 2, isImage: Bool = false,
                displayMatrix: [Int32]? = nil) {
        self.width = width
        self.height = height
        self.timeBase = timeBase
        self.frameRate = frameRate
        self.frameCount = frameCount
        self.duration = duration
        self.codecName = codecName
        self.colorSpace = colorSpace
        self.isImage = isImage
        self.displayMatrix = displayMatrix
    }
}
