import Testing
@testable import Stream

/// Converts one flat `w × h` colour to YUV 4:2:0 with our encoder path.
private func encodeFlat(_ rgb: (Float, Float, Float), _ m: YUVMatrix, w: Int = 4, h: Int = 2) -> (UInt8, UInt8, UInt8) {
    let n = w * h
    let planes = [Float](repeating: rgb.0, count: n) + [Float](repeating: rgb.1, count: n) + [Float](repeating: rgb.2, count: n)
    var y = [UInt8](repeating: 0, count: n), u = [UInt8](repeating: 0, count: n / 4), v = u
    planes.withUnsafeBufferPointer { p in y.withUnsafeMutableBufferPointer { yb in u.withUnsafeMutableBufferPointer { ub in
        v.withUnsafeMutableBufferPointer { vb in
            YUV420Conversion.fromRGB(p.baseAddress!, width: w, height: h, matrix: m, y: yb.baseAddress!, yStride: w,
                                     u: ub.baseAddress!, uStride: w / 2, v: vb.baseAddress!, vStride: w / 2)
        } } } }
    return (y[0], u[0], v[0])
}

private func decode(y: [UInt8], u: [UInt8], v: [UInt8], w: Int, h: Int, _ m: YUVMatrix) -> [Float] {
    var out = [Float](repeating: -1, count: 3 * w * h)
    let cw = (w + 1) / 2
    y.withUnsafeBufferPointer { yb in u.withUnsafeBufferPointer { ub in v.withUnsafeBufferPointer { vb in
        out.withUnsafeMutableBufferPointer { o in
            YUV420Conversion.toRGB(y: yb.baseAddress!, yStride: w, u: ub.baseAddress!, uStride: cw, v: vb.baseAddress!,
                                   vStride: cw, width: w, height: h, matrix: m, into: o.baseAddress!)
        } } } }
    return out
}

@Suite struct YUV420ConversionTests {
    let bt601 = YUVMatrix(kr: 0.299, kb: 0.114, fullRange: false)
    let bt709 = YUVMatrix(kr: 0.2126, kb: 0.0722, fullRange: false)

    /// Published limited-range code values (ITU-R BT.601 / BT.709 colour bars at 100 %).
    @Test func encodesReferenceColours() {
        #expect(encodeFlat((1, 1, 1), bt601) == (235, 128, 128))
        #expect(encodeFlat((0, 0, 0), bt601) == (16, 128, 128))
        #expect(encodeFlat((1, 0, 0), bt601) == (81, 90, 240))
        #expect(encodeFlat((0, 1, 0), bt601) == (145, 54, 34))
        #expect(encodeFlat((0, 0, 1), bt601) == (41, 240, 110))
        #expect(encodeFlat((1, 0, 0), bt709) == (63, 102, 240))
        #expect(encodeFlat((0, 1, 0), bt709) == (173, 42, 26))
        #expect(encodeFlat((1, 1, 1), YUVMatrix(kr: 0.299, kb: 0.114, fullRange: true)) == (255, 128, 128))
        // Out-of-range and NaN inputs clamp instead of wrapping.
        #expect(encodeFlat((2, -1, .nan), bt601) == encodeFlat((1, 0, 0), bt601))
    }

    @Test func decodesReferenceColours() {
        let red = decode(y: [81, 81, 81, 81], u: [90], v: [240], w: 2, h: 2, bt601)
        for i in 0..<4 {
            #expect(abs(red[i] - 1) < 0.01 && red[4 + i] < 0.01 && red[8 + i] < 0.01)
        }
        let gray = decode(y: [16, 126, 235, 235], u: [128], v: [128], w: 2, h: 2, bt709)
        #expect(gray[0] == 0 && abs(gray[1] - 110 / 219) < 1e-6 && abs(gray[2] - 1) < 1e-6 && abs(gray[6] - 1) < 1e-6)
    }

    /// Odd sizes, strided rows: decode → encode gives back the source codes (chroma exactly, luma ±1).
    @Test func roundTripReturnsTheSourceCodes() {
        let w = 7, h = 5, cw = 4, ch = 3
        var y = [UInt8](), u = [UInt8](), v = [UInt8]()
        for i in 0..<(w * h) { y.append(UInt8(60 + (i * 37) % 120)) }
        for i in 0..<(cw * ch) { u.append(UInt8(110 + (i * 7) % 30)); v.append(UInt8(115 + (i * 11) % 25)) }
        let rgb = decode(y: y, u: u, v: v, w: w, h: h, bt709)
        #expect(rgb.allSatisfy { $0 > 0 && $0 < 1 })  // in gamut, nothing clamped
        var y2 = [UInt8](repeating: 0, count: w * h), u2 = [UInt8](repeating: 0, count: cw * ch), v2 = u2
        rgb.withUnsafeBufferPointer { p in y2.withUnsafeMutableBufferPointer { yb in u2.withUnsafeMutableBufferPointer { ub in
            v2.withUnsafeMutableBufferPointer { vb in
                YUV420Conversion.fromRGB(p.baseAddress!, width: w, height: h, matrix: bt709, y: yb.baseAddress!, yStride: w,
                                         u: ub.baseAddress!, uStride: cw, v: vb.baseAddress!, vStride: cw)
            } } } }
        #expect(zip(y, y2).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
        #expect(u2 == u && v2 == v)
    }
}
