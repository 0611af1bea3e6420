/// 2-D complex FFT of a `height × width` row-major plane (rows, then columns via transposes),
/// parallel over rows. Forward `exp(-2πi(...))`; the inverse is unscaled (divide by width·height).
public struct FFT2DPlan: Sendable {
    public let width: Int
    public let height: Int
    private let rowPlan: FFTPlan
    private let columnPlan: FFTPlan

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        rowPlan = FFTPlan(count: width)
        columnPlan = height == width ? rowPlan : FFTPlan(count: height)
    }

    /// Transforms `re`/`im` (each `width·height`) in place.
    public func transform(re: inout [Double], im: inout [Double], inverse: Bool) {
        precondition(re.count == width * height && im.count == width * height, "FFT2D input size mismatch")
        Self.rows(&re, &im, plan: rowPlan, rows: height, length: width, inverse: inverse)
        var tr = Self.transposed(re, rows: height, cols: width)
        var ti = Self.transposed(im, rows: height, cols: width)
        Self.rows(&tr, &ti, plan: columnPlan, rows: width, length: height, inverse: inverse)
        re = Self.transposed(tr, rows: width, cols: height)
        im = Self.transposed(ti, rows: width, cols: height)
    }

    private static func rows(_ re: inout [Double], _ im: inout [Double], plan: FFTPlan, rows: Int, length: Int, inverse: Bool) {
        re.withUnsafeMutableBufferPointer { rb in
            im.withUnsafeMutableBufferPointer { ib in
                guard let r0 = rb.baseAddress, let i0 = ib.baseAddress else { return }
                let sr = SharedMutablePointer(base: r0), si = SharedMutablePointer(base: i0)
                let chunks = Parallel.chunks(rows, parts: 8)
                Parallel.forEach(chunks.count) { c in
                    let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 2 * length)
                    defer { scratch.deallocate() }
                    for row in chunks[c] {
                        plan.transform(re: sr.base + row * length, im: si.base + row * length,
                                       scratchRe: scratch, scratchIm: scratch + length, inverse: inverse)
                    }
                }
            }
        }
    }

    static func transposed(_ a: [Double], rows: Int, cols: Int) -> [Double] {
        var out = [Double](repeating: 0, count: a.count)
        a.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let block = 32
                var r0 = 0
                while r0 < rows {
                    var c0 = 0
                    while c0 < cols {
                        for r in r0..<min(rows, r0 + block) {
                            for c in c0..<min(cols, c0 + block) { dst[c * rows + r] = src[r * cols + c] }
                        }
                        c0 += block
                    }
                    r0 += block
                }
            }
        }
        return out
    }
}
