import CFFmpeg
import Foundation
import Stream

/// `ImageCodec` on FFmpeg: content probing with `av_probe_input_format3`, decoding and PNG encoding through
/// Stream's `FrameDecoder`/`FrameEncoder`, via files in a private scratch directory that is always removed.
public struct FFmpegImageCodec: ImageCodec {
    /// Where scratch directories are created (the system temporary directory when nil).
    public var scratchParent: URL?

    public init(scratchParent: URL? = nil) {
        self.scratchParent = scratchParent
    }

    /// The demuxers accepted as still images, with the header reader used for the pixel limit.
    private static let acceptedFormats: [String: @Sendable (Data) -> (width: Int, height: Int)?] = [
        "png_pipe": HeaderDimensions.png,
        "jpeg_pipe": HeaderDimensions.jpeg,
    ]

    public func probe(_ data: Data) throws(ImageCodecError) -> ImageInfo {
        guard !data.isEmpty else { throw .notAnImage("the upload is empty") }
        let name = Self.probeFormatName(data)
        guard let name else { throw .notAnImage("FFmpeg does not recognise the content") }
        guard let dimensions = Self.acceptedFormats[name] else {
            throw .notAnImage("FFmpeg detected \(name)")
        }
        guard let (width, height) = dimensions(data), width > 0, height > 0 else {
            throw .notAnImage("\(name) without a readable size in its header")
        }
        return ImageInfo(width: width, height: height, format: name == "png_pipe" ? "png" : "jpeg")
    }

    public func decode(_ data: Data, maxPixels: Int) throws(ImageCodecError) -> Frame {
        let info = try probe(data)
        guard info.pixelCount <= maxPixels else {
            throw .tooManyPixels(width: info.width, height: info.height, limit: maxPixels)
        }
        let scratch: ScratchDirectory
        do { scratch = try ScratchDirectory(parent: scratchParent) } catch { throw .corrupt("no scratch space: \(error)") }
        defer { scratch.remove() }
        // A fixed, server-chosen name without extension: FFmpeg identifies the format by content.
        let file = scratch.file("upload")
        do {
            try data.write(to: file)
            let decoder = try FrameDecoder(location: file.path, threads: 1)
            guard decoder.videoInfo.width == info.width, decoder.videoInfo.height == info.height else {
                throw ImageCodecError.corrupt("the header says \(info.width)×\(info.height) but FFmpeg found "
                    + "\(decoder.videoInfo.width)×\(decoder.videoInfo.height)")
            }
            guard let frame = try decoder.nextFrame() else { throw ImageCodecError.corrupt("no picture in the file") }
            // Upright, as the browser shows the upload (a phone photo's EXIF orientation) and as `deblur` writes it.
            let upright = (FrameRotation(displayMatrix: decoder.videoInfo.displayMatrix) ?? .none).applied(to: frame)
            return Frame(width: upright.width, height: upright.height, pixels: upright.pixels)
        } catch let error as ImageCodecError {
            throw error
        } catch {
            throw .corrupt(scratch.clientMessage(for: error))
        }
    }

    public func encodePNG(_ frame: Frame) throws(ImageCodecError) -> Data {
        let scratch: ScratchDirectory
        do { scratch = try ScratchDirectory(parent: scratchParent) } catch { throw .encodeFailed("no scratch space: \(error)") }
        defer { scratch.remove() }
        let file = scratch.file("result.png")
        do {
            let info = VideoStreamInfo(width: frame.width, height: frame.height, timeBase: Rational(1, 25),
                                       frameRate: Rational(25, 1), frameCount: 1, codecName: "png", isImage: true)
            let encoder = try FrameEncoder(location: file.path, settings: EncoderSettings(codec: "png", threads: 1), video: info)
            try encoder.write(Frame(width: frame.width, height: frame.height, pixels: frame.pixels, pts: 0, index: 0))
            try encoder.finish()
            return try Data(contentsOf: file)
        } catch {
            throw .encodeFailed(scratch.clientMessage(for: error))
        }
    }

    /// FFmpeg's best guess of the container from the bytes alone (no file name), or nil below a confident score.
    static func probeFormatName(_ data: Data) -> String? {
        // FFmpeg's probers read past the end by up to AVPROBE_PADDING_SIZE (32) bytes, which must be zero.
        var buffer = [UInt8](data.prefix(1 << 20))
        let size = buffer.count
        buffer.append(contentsOf: [UInt8](repeating: 0, count: 64))
        return buffer.withUnsafeMutableBufferPointer { raw -> String? in
            guard let base = raw.baseAddress else { return nil }
            return "".withCString { emptyName -> String? in
                var probe = AVProbeData()
                probe.filename = emptyName
                probe.buf = base
                probe.buf_size = Int32(size)
                var score: Int32 = 0
                guard let format = av_probe_input_format3(&probe, 1, &score), score > 25 else { return nil }
                return String(cString: format.pointee.name)
            }
        }
    }
}
