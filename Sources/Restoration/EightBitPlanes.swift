/// The scoring form of an image: 8-bit samples held as integer-valued floats, RGB or luma.
///
/// Holding integers in `Float` keeps sums of products exact, so the metrics differ from
/// scikit-image's float64 results only by float64 rounding.
public struct EightBitPlanes: Sendable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// Planar samples 0…255, `values[(c * height + y) * width + x]`.
    public let values: [Float]

    /// Quantises `image` (`round(clamp(v, 0, 1) * 255)`), keeping all channels or only BT.601 luma.
    public init(_ image: PlanarImage, lumaOnly: Bool = false) {
        width = image.width
        height = image.height
        if lumaOnly {
            channels = 1
            values = Luma.plane8(image)
        } else {
            channels = image.channels
            values = Quantize.planes8(image)
        }
    }

    /// Wraps 8-bit samples already in planar layout.
    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) throws {
        guard bytes.count == width * height * channels else {
            throw RestorationError.pixelCountMismatch(expected: width * height * channels, actual: bytes.count)
        }
        self.width = width
        self.height = height
        self.channels = channels
        values = bytes.map(Float.init)
    }

    func checkComparable(with other: EightBitPlanes) throws {
        guard width == other.width, height == other.height else {
            throw RestorationError.sizeMismatch(reference: "\(width)x\(height)", test: "\(other.width)x\(other.height)")
        }
        guard channels == other.channels else {
            throw RestorationError.channelMismatch(reference: channels, test: other.channels)
        }
    }
}
