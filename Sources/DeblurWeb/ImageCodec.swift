import Foundation
import Stream

/// Turns uploaded bytes into a `Frame` and frames into PNG bytes; the server's only contact with image formats.
///
/// Implementations must identify the format from the content (never from a name the client sent)
/// and must refuse images over `maxPixels` *before* allocating their pixels.
public protocol ImageCodec: Sendable {
    /// Width, height and format of an image, read without decoding its pixels where the format allows.
    func probe(_ data: Data) throws(ImageCodecError) -> ImageInfo
    /// Decodes one still image; throws `.tooManyPixels` before decoding when it is larger than `maxPixels`.
    func decode(_ data: Data, maxPixels: Int) throws(ImageCodecError) -> Frame
    /// Encodes a frame as an 8-bit RGB PNG.
    func encodePNG(_ frame: Frame) throws(ImageCodecError) -> Data
}

/// What probing an upload found.
public struct ImageInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Short codec name as the decoder reports it (e.g. `png`, `mjpeg`).
    public var format: String

    public init(width: Int, height: Int, format: String) {
        self.width = width
        self.height = height
        self.format = format
    }

    public var pixelCount: Int { width * height }
}

/// Why an upload could not be turned into a frame, or a frame into PNG.
public enum ImageCodecError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not a still image the decoder understands.
    case notAnImage(String)
    /// The image is larger than the configured pixel limit.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// The bytes looked like an image but decoding failed.
    case corrupt(String)
    /// Encoding the result failed.
    case encodeFailed(String)

    public var description: String {
        switch self {
        case .notAnImage(let why): "not a PNG or JPEG image (\(why))"
        case .tooManyPixels(let w, let h, let limit):
            "image is \(w)×\(h) = \(w * h) pixels; the limit is \(limit) pixels"
        case .corrupt(let why): "the image could not be decoded (\(why))"
        case .encodeFailed(let why): "the result could not be encoded (\(why))"
        }
    }
}
