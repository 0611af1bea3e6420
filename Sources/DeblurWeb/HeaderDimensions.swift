import Foundation

/// Width and height read from a PNG or JPEG header without decoding pixels, so the pixel limit is enforced
/// before FFmpeg allocates anything (a 100-byte PNG can declare 50 000 × 50 000 pixels).
enum HeaderDimensions {
    /// PNG: the IHDR chunk must come first; width and height are its first two big-endian 32-bit fields.
    static func png(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[12...15].elementsEqual("IHDR".utf8) else { return nil }
        let w = bytes[16...19].reduce(0) { $0 << 8 | Int($1) }
        let h = bytes[20...23].reduce(0) { $0 << 8 | Int($1) }
        return (w, h)
    }

    /// JPEG: the largest frame declared by any SOFn marker, walking segments and skipping entropy-coded data
    /// (progressive and multi-scan files may carry several frame headers; embedded thumbnails sit inside APPn and are skipped).
    static func jpeg(_ data: Data) -> (width: Int, height: Int)? {
        let b = [UInt8](data)
        guard b.count > 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var i = 2
        var best: (width: Int, height: Int)?
        while i + 3 < b.count {
            guard b[i] == 0xFF else { i += 1; continue }  // tolerate fill bytes / garbage between segments
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }
            if marker == 0xD9 { break }  // EOI
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }  // no length field
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            guard length >= 2 else { return best }
            let isSOF = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isSOF, i + 8 < b.count {
                let h = Int(b[i + 5]) << 8 | Int(b[i + 6])
                let w = Int(b[i + 7]) << 8 | Int(b[i + 8])
                if w * h > (best.map { $0.width * $0.height } ?? -1) { best = (w, h) }
            }
            i += 2 + length
            if marker == 0xDA {
                // Entropy-coded data follows SOS: skip to the next marker that is not a stuffed 0x00 or an RSTn.
                while i + 1 < b.count {
                    if b[i] == 0xFF, b[i + 1] != 0x00, !(0xD0...0xD7).contains(b[i + 1]) { break }
                    i += 1
                }
            }
        }
        return best
    }
}
