/// A frame as it waits in the pipeline's queues: 8-bit YUV 4:2:0 when the decoder or encoder works in
/// it, float RGB otherwise.
///
/// Why: a float RGB frame takes 12 bytes a pixel (100 MB at 4K), a 4:2:0 one 1.5 (12 MB). Packed
/// frames keep the queues small, and the conversions move from the single decode and encode threads
/// into the processing workers, where they run in parallel.
public struct PackedFrame: Sendable, Equatable {
    enum Storage: Sendable, Equatable {
        case rgb(Frame)
        case yuv420(YUV420Picture)
    }

    let storage: Storage
    /// Presentation timestamp in the source stream's time base, if any.
    public let pts: Int64?
    /// 0-based position in decode order.
    public let index: Int

    /// Wraps a float frame as it is (no conversion).
    public init(_ frame: Frame) {
        storage = .rgb(frame)
        pts = frame.pts
        index = frame.index
    }

    init(_ picture: YUV420Picture, pts: Int64?, index: Int) {
        storage = .yuv420(picture)
        self.pts = pts
        self.index = index
    }

    /// True when the pixels are held as 8-bit YUV rather than float RGB.
    public var isCompact: Bool {
        if case .yuv420 = storage { return true }
        return false
    }

    /// Width in pixels.
    public var width: Int {
        switch storage {
        case .rgb(let frame): frame.width
        case .yuv420(let picture): picture.width
        }
    }

    /// Height in pixels.
    public var height: Int {
        switch storage {
        case .rgb(let frame): frame.height
        case .yuv420(let picture): picture.height
        }
    }

    /// The float RGB frame (a YUV picture is converted).
    public func unpacked() -> Frame { unpacked(using: nil) }

    /// Writes `width × height` values of BT.601 luma, `0.299·R + 0.587·G + 0.114·B`, of the frame `unpacked()` gives,
    /// exactly, into `luma`. A YUV picture is converted a band of rows at a time, so no float RGB frame is made.
    public func luma(into luma: UnsafeMutableBufferPointer<Float>) {
        precondition(luma.count >= width * height, "luma needs width × height values")
        switch storage {
        case .rgb(let frame):
            frame.pixels.withUnsafeBufferPointer { Self.luma(of: $0, pixels: width * height, into: luma, at: 0) }
        case .yuv420(let picture):
            picture.toLuma(into: luma)
        }
    }

    /// BT.601 luma of `pixels` values of planar RGB (planes `pixels` apart), written from `offset` in `luma`.
    @inline(__always)
    static func luma(of rgb: UnsafeBufferPointer<Float>, pixels n: Int, into luma: UnsafeMutableBufferPointer<Float>,
                     at offset: Int) {
        for i in 0..<n { luma[offset + i] = 0.299 * rgb[i] + 0.587 * rgb[n + i] + 0.114 * rgb[2 * n + i] }
    }

    /// The float RGB frame; a YUV picture is converted into an array from `pool` if one is given.
    func unpacked(using pool: PixelBufferPool?) -> Frame {
        switch storage {
        case .rgb(let frame):
            return frame
        case .yuv420(let picture):
            // A pool of no buffers allocates a fresh array.
            let pixels = (pool ?? PixelBufferPool(limit: 0)).make(count: 3 * picture.width * picture.height) {
                picture.toRGB(into: $0)
            }
            return Frame(width: picture.width, height: picture.height, pixels: pixels, pts: pts, index: index)
        }
    }
}

/// An 8-bit YUV 4:2:0 picture in one array (Y, then U, then V, rows without padding) and the matrix
/// that maps it to RGB.
struct YUV420Picture: Sendable, Equatable {
    let width: Int
    let height: Int
    let matrix: YUVMatrix
    private(set) var bytes: [UInt8]

    var chromaWidth: Int { (width + 1) / 2 }
    var chromaHeight: Int { (height + 1) / 2 }
    private var chromaOffset: (u: Int, v: Int) { let l = Self.layout(width, height); return (l.u, l.v) }

    /// Byte count and where the U and V planes start, for a `width` × `height` picture.
    private static func layout(_ width: Int, _ height: Int) -> (count: Int, u: Int, v: Int, cw: Int, ch: Int) {
        let cw = (width + 1) / 2, ch = (height + 1) / 2, u = width * height
        return (u + 2 * cw * ch, u, u + cw * ch, cw, ch)
    }

    /// Copies three planes with the given strides (e.g. a decoded AVFrame's).
    init(width: Int, height: Int, matrix: YUVMatrix,
         y: UnsafePointer<UInt8>, yStride: Int, u: UnsafePointer<UInt8>, uStride: Int,
         v: UnsafePointer<UInt8>, vStride: Int) {
        self.width = width
        self.height = height
        self.matrix = matrix
        let l = Self.layout(width, height)
        bytes = [UInt8](unsafeUninitializedCapacity: l.count) { buf, initialized in
            guard let dst = buf.baseAddress else { return }
            Self.copyPlane(y, yStride, to: dst, width: width, height: height)
            Self.copyPlane(u, uStride, to: dst + l.u, width: l.cw, height: l.ch)
            Self.copyPlane(v, vStride, to: dst + l.v, width: l.cw, height: l.ch)
            initialized = l.count
        }
    }

    private init(width: Int, height: Int, matrix: YUVMatrix, bytes: [UInt8]) {
        self.width = width
        self.height = height
        self.matrix = matrix
        self.bytes = bytes
    }

    /// The picture turned, each plane on its own (as ffmpeg's `transpose` does with 4:2:0): a turned
    /// chroma plane of `⌈w/2⌉ × ⌈h/2⌉` is the turned picture's `⌈h/2⌉ × ⌈w/2⌉`.
    func turned(_ rotation: FrameRotation) -> YUV420Picture {
        guard rotation != .none else { return self }
        let l = Self.layout(width, height)
        var out = [UInt8](repeating: 0, count: l.count)
        bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                rotation.turn(src, 0, width: width, height: height, into: dst, 0)
                rotation.turn(src, l.u, width: l.cw, height: l.ch, into: dst, l.u)
                rotation.turn(src, l.v, width: l.cw, height: l.ch, into: dst, l.v)
            }
        }
        let (w, h) = rotation.swapsSides ? (height, width) : (width, height)
        return YUV420Picture(width: w, height: h, matrix: matrix, bytes: out)
    }

    /// Converts a float RGB frame (values clamped to `[0, 1]`).
    init(frame: Frame, matrix: YUVMatrix) {
        width = frame.width
        height = frame.height
        self.matrix = matrix
        let w = frame.width, h = frame.height, l = Self.layout(w, h)
        bytes = frame.pixels.withUnsafeBufferPointer { rgb in
            [UInt8](unsafeUninitializedCapacity: l.count) { buf, initialized in
                guard let dst = buf.baseAddress, let src = rgb.baseAddress else { return }
                YUV420Conversion.fromRGB(src, width: w, height: h, matrix: matrix,
                                         y: dst, yStride: w, u: dst + l.u, uStride: l.cw,
                                         v: dst + l.v, vStride: l.cw)
                initialized = l.count
            }
        }
    }

    /// Fills three `width × height` float planes (R, G, B).
    func toRGB(into rgb: UnsafeMutablePointer<Float>) {
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            let (u, v) = chromaOffset
            YUV420Conversion.toRGB(y: base, yStride: width, u: base + u, uStride: chromaWidth,
                                   v: base + v, vStride: chromaWidth, width: width, height: height,
                                   matrix: matrix, into: rgb)
        }
    }

    /// BT.601 luma of `toRGB`'s planes, converted 16 rows at a time (an even count, so each band starts on a
    /// chroma row): the scratch is 16 rows of float RGB instead of the whole frame.
    func toLuma(into luma: UnsafeMutableBufferPointer<Float>) {
        let band = 16
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            let (u, v) = chromaOffset
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * width * band) { rgb in
                guard let out = rgb.baseAddress else { return }
                for top in stride(from: 0, to: height, by: band) {
                    let rows = min(band, height - top), chromaRow = top / 2 * chromaWidth
                    YUV420Conversion.toRGB(y: base + top * width, yStride: width, u: base + u + chromaRow,
                                           uStride: chromaWidth, v: base + v + chromaRow, vStride: chromaWidth,
                                           width: width, height: rows, matrix: matrix, into: out)
                    PackedFrame.luma(of: UnsafeBufferPointer(rgb), pixels: width * rows, into: luma, at: top * width)
                }
            }
        }
    }

    /// Copies the planes into destinations with their own strides (e.g. an encoder's AVFrame).
    func copy(y: UnsafeMutablePointer<UInt8>, yStride: Int, u: UnsafeMutablePointer<UInt8>, uStride: Int,
              v: UnsafeMutablePointer<UInt8>, vStride: Int) {
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            let (uo, vo) = chromaOffset
            Self.copyPlane(base, width, to: y, stride: yStride, width: width, height: height)
            Self.copyPlane(base + uo, chromaWidth, to: u, stride: uStride, width: chromaWidth, height: chromaHeight)
            Self.copyPlane(base + vo, chromaWidth, to: v, stride: vStride, width: chromaWidth, height: chromaHeight)
        }
    }

    private static func copyPlane(_ src: UnsafePointer<UInt8>, _ srcStride: Int, to dst: UnsafeMutablePointer<UInt8>,
                                  stride dstStride: Int? = nil, width: Int, height: Int) {
        let dstStride = dstStride ?? width
        for row in 0..<height {
            (dst + row * dstStride).update(from: src + row * srcStride, count: width)
        }
    }
}
