import CFFmpeg
import CPixelKernels

/// Y'CbCr coefficients and range of an 8-bit 4:2:0 stream (BT.601 or BT.709).
struct YUVMatrix: Equatable {
    var kr: Float
    var kb: Float
    /// Full ("JPEG") range 0–255 instead of limited 16–235 / 16–240.
    var fullRange: Bool

    var kg: Float { 1 - kr - kb }

    /// nil for matrices we leave to swscale (BT.2020, SMPTE 240M, …).
    init?(colorSpace: Int32, fullRange: Bool) {
        switch colorSpace {
        case Int32(AVCOL_SPC_BT709.rawValue):
            kr = 0.2126; kb = 0.0722
        case Int32(AVCOL_SPC_UNSPECIFIED.rawValue), Int32(AVCOL_SPC_BT470BG.rawValue), Int32(AVCOL_SPC_SMPTE170M.rawValue):
            // Unspecified follows swscale's default (BT.601), so decode and encode agree.
            kr = 0.299; kb = 0.114
        default:
            return nil
        }
        self.fullRange = fullRange
    }

    init(kr: Float, kb: Float, fullRange: Bool) {
        self.kr = kr
        self.kb = kb
        self.fullRange = fullRange
    }
}

/// Direct 8-bit YUV 4:2:0 ↔ planar float RGB, one fused pass each way, no intermediate frames
/// (the loops are C, in `CPixelKernels`).
///
/// Decoding replicates each chroma sample over its 2×2 block and encoding averages the block, so a
/// decode → encode round trip gives back the source chroma (instead of blurring it a little per
/// generation as bicubic up- and down-sampling would), and luma up to rounding.
enum YUV420Conversion {
    /// Fills three `width × height` float planes (R, G, B) at `rgb`, clamped to `[0, 1]`.
    static func toRGB(y: UnsafePointer<UInt8>, yStride: Int, u: UnsafePointer<UInt8>, uStride: Int,
                      v: UnsafePointer<UInt8>, vStride: Int, width: Int, height: Int,
                      matrix m: YUVMatrix, into rgb: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * width) { scratch in
            pk_yuv420_to_rgb(y, yStride, u, uStride, v, vStride, Int32(width), Int32(height),
                             m.kr, m.kb, m.fullRange ? 1 : 0, rgb, scratch.baseAddress)
        }
    }

    /// Writes Y, U, V planes from three float planes (R, G, B); values outside `[0, 1]` are clamped, NaN is 0.
    static func fromRGB(_ rgb: UnsafePointer<Float>, width: Int, height: Int, matrix m: YUVMatrix,
                        y: UnsafeMutablePointer<UInt8>, yStride: Int, u: UnsafeMutablePointer<UInt8>, uStride: Int,
                        v: UnsafeMutablePointer<UInt8>, vStride: Int) {
        pk_rgb_to_yuv420(rgb, Int32(width), Int32(height), m.kr, m.kb, m.fullRange ? 1 : 0, y, yStride, u, uStride, v, vStride)
    }
}
