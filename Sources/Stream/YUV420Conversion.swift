import CFFmpeg

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

/// Direct 8-bit YUV 4:2:0 ↔ planar float RGB, one fused pass each way, no intermediate buffers.
///
/// Decoding replicates each chroma sample over its 2×2 block and encoding averages the block, so a
/// decode → encode round trip gives back the source chroma (instead of blurring it a little per
/// generation as bicubic up- and down-sampling would), and luma up to rounding.
enum YUV420Conversion {
    private static let magic: Float = 12_582_912  // 1.5 × 2^23: adding it rounds to an integer in the low bits

    @inline(__always)
    private static func clamp01(_ v: Float) -> Float { Swift.min(1, Swift.max(0, v)) }  // NaN → 0

    @inline(__always)
    private static func byte(_ v: Float) -> UInt8 {
        UInt8(truncatingIfNeeded: (Swift.min(255, Swift.max(0, v)) + magic).bitPattern)
    }

    /// Fills three `width × height` float planes (R, G, B) at `rgb`, clamped to `[0, 1]`.
    static func toRGB(y: UnsafePointer<UInt8>, yStride: Int, u: UnsafePointer<UInt8>, uStride: Int,
                      v: UnsafePointer<UInt8>, vStride: Int, width: Int, height: Int,
                      matrix m: YUVMatrix, into rgb: UnsafeMutablePointer<Float>) {
        let ys: Float = m.fullRange ? 1 / 255 : 1 / 219
        let yo: Float = m.fullRange ? 0 : 16
        let cs: Float = m.fullRange ? 1 / 255 : 1 / 224
        let crToR = 2 * (1 - m.kr) * cs
        let cbToB = 2 * (1 - m.kb) * cs
        let cbToG = -2 * (1 - m.kb) * m.kb / m.kg * cs
        let crToG = -2 * (1 - m.kr) * m.kr / m.kg * cs
        let plane = width * height
        let pairs = width / 2
        for row in 0..<height {
            let yRow = y + row * yStride
            let uRow = u + (row / 2) * uStride
            let vRow = v + (row / 2) * vStride
            let r = rgb + row * width, g = r + plane, b = g + plane
            for cx in 0..<pairs {
                let cb = Float(uRow[cx]) - 128, cr = Float(vRow[cx]) - 128
                let dr = crToR * cr, dg = cbToG * cb + crToG * cr, db = cbToB * cb
                for k in 0..<2 {
                    let x = 2 * cx + k
                    let l = (Float(yRow[x]) - yo) * ys
                    r[x] = clamp01(l + dr)
                    g[x] = clamp01(l + dg)
                    b[x] = clamp01(l + db)
                }
            }
            if width % 2 == 1 {
                let x = width - 1
                let cb = Float(uRow[x / 2]) - 128, cr = Float(vRow[x / 2]) - 128
                let l = (Float(yRow[x]) - yo) * ys
                r[x] = clamp01(l + crToR * cr)
                g[x] = clamp01(l + cbToG * cb + crToG * cr)
                b[x] = clamp01(l + cbToB * cb)
            }
        }
    }

    /// Writes Y, U, V planes from three float planes (R, G, B); values outside `[0, 1]` are clamped.
    static func fromRGB(_ rgb: UnsafePointer<Float>, width: Int, height: Int, matrix m: YUVMatrix,
                        y: UnsafeMutablePointer<UInt8>, yStride: Int, u: UnsafeMutablePointer<UInt8>, uStride: Int,
                        v: UnsafeMutablePointer<UInt8>, vStride: Int) {
        let yScale: Float = m.fullRange ? 255 : 219
        let yOff: Float = m.fullRange ? 0 : 16
        let cScale: Float = m.fullRange ? 255 : 224
        let kr = m.kr * yScale, kg = m.kg * yScale, kb = m.kb * yScale
        // Cb = (B − Y')/(2(1−Kb)), Cr = (R − Y')/(2(1−Kr)), expanded into RGB weights.
        let cbR = -m.kr / (2 * (1 - m.kb)) * cScale, cbG = -m.kg / (2 * (1 - m.kb)) * cScale, cbB = Float(0.5) * cScale
        let crR = Float(0.5) * cScale, crG = -m.kg / (2 * (1 - m.kr)) * cScale, crB = -m.kb / (2 * (1 - m.kr)) * cScale
        let plane = width * height
        // Luma: one pass per row.
        for row in 0..<height {
            let r = rgb + row * width, g = r + plane, b = g + plane
            let yRow = y + row * yStride
            for x in 0..<width {
                let rr = clamp01(r[x]), gg = clamp01(g[x]), bb = clamp01(b[x])
                yRow[x] = byte(kr * rr + kg * gg + kb * bb + yOff)
            }
        }
        // Chroma: mean of each 2×2 block (a missing last column or row repeats the one before it).
        let ch = (height + 1) / 2
        for cy in 0..<ch {
            let r0 = rgb + (2 * cy) * width, r1 = rgb + Swift.min(2 * cy + 1, height - 1) * width
            let g0 = r0 + plane, g1 = r1 + plane, b0 = g0 + plane, b1 = g1 + plane
            let uRow = u + cy * uStride, vRow = v + cy * vStride
            @inline(__always) func chroma(_ cx: Int, _ x0: Int, _ x1: Int) {
                let sr = (clamp01(r0[x0]) + clamp01(r0[x1]) + clamp01(r1[x0]) + clamp01(r1[x1])) * 0.25
                let sg = (clamp01(g0[x0]) + clamp01(g0[x1]) + clamp01(g1[x0]) + clamp01(g1[x1])) * 0.25
                let sb = (clamp01(b0[x0]) + clamp01(b0[x1]) + clamp01(b1[x0]) + clamp01(b1[x1])) * 0.25
                uRow[cx] = byte(cbR * sr + cbG * sg + cbB * sb + 128)
                vRow[cx] = byte(crR * sr + crG * sg + crB * sb + 128)
            }
            for cx in 0..<(width / 2) { chroma(cx, 2 * cx, 2 * cx + 1) }
            if width % 2 == 1 { chroma(width / 2, width - 1, width - 1) }
        }
    }
}
