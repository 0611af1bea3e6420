/// One picture as planar RGB floats in `[0, 1]`, with its place in the stream.
///
/// Layout: `pixels` holds three planes (R, G, B), each `height` rows of `width` values,
/// so `pixels[(c * height + y) * width + x]`. This is NCHW with N = 1, which is what the
/// network consumes, so the model adapter copies no more than once.
public struct Frame: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [Float]
    /// Presentation timestamp in the source stream's time base, if the source had one.
    public var pts: Int64?
    /// 0-based position in decode order.
    public var index: Int
    /// The frames around this one, for processors that look at several (`FrameProcessor.temporalRadius` r > 0):
    /// the r before it, oldest first, then the r after it; at the stream's ends the nearest frame stands in for
    /// missing ones. Empty when the processor looks at one frame, or when there are no others (a still image).
    /// They come as the pipeline holds them (8-bit YUV when it can): a processor unpacks what it reads
    /// (`PackedFrame.unpacked()`, or only `luma()` for the motion gate), so a 4K neighbour costs 12 MB, not 100.
    public var neighbours: [PackedFrame] = []

    public init(width: Int, height: Int, pixels: [Float], pts: Int64? = nil, index: Int = 0) {
        precondition(pixels.count == 3 * width * height, "pixels must hold 3 planes of width × height")
        self.width = width
        self.height = height
        self.pixels = pixels
        self.pts = pts
        self.index = index
    }

    /// A black frame of the given size.
    public init(width: Int, height: Int, pts: Int64? = nil, index: Int = 0) {
        self.init(width: width, height: height,
                  pixels: [Float](repeating: 0, count: 3 * width * height), pts: pts, index: index)
    }
}
