import Foundation

/// Errors reading or writing safetensors files.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    case io(path: String, reason: String)
    case truncated(String)
    case invalidHeader(String)
    case unsupportedDType(key: String, dtype: String)
    case dataOutOfBounds(key: String)
    case sizeMismatch(key: String, shape: [Int], dtype: String, bytes: Int)
    case missingKey(String)
    case shapeMismatch(key: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .io(let p, let r): return "cannot access \(p): \(r)"
        case .truncated(let s): return "truncated safetensors data: \(s)"
        case .invalidHeader(let s): return "invalid safetensors header: \(s)"
        case .unsupportedDType(let k, let d): return "tensor '\(k)' has unsupported dtype \(d)"
        case .dataOutOfBounds(let k): return "tensor '\(k)' points outside the data section"
        case .sizeMismatch(let k, let s, let d, let b): return "tensor '\(k)' \(d)\(s) does not fit its \(b) bytes"
        case .missingKey(let k): return "tensor '\(k)' is missing"
        case .shapeMismatch(let k, let e, let f): return "tensor '\(k)' has shape \(f), expected \(e)"
        }
    }
}

/// Storage type of tensors in a safetensors file. Everything is converted to/from `Float` in memory.
public enum SafetensorsDType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64", i64 = "I64", i32 = "I32"
    var size: Int {
        switch self { case .f32, .i32: return 4; case .f16, .bf16: return 2; case .f64, .i64: return 8 }
    }
}

/// The content of a safetensors file: named tensors plus the `__metadata__` string map.
public struct SafetensorsFile: Sendable {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]
    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) { self.tensors = tensors; self.metadata = metadata }

    /// The tensor `key`, required to exist (and to have `shape` when given).
    public func tensor(_ key: String, shape: [Int]? = nil) throws -> Tensor {
        guard let t = tensors[key] else { throw SafetensorsError.missingKey(key) }
        if let shape, shape != t.shape { throw SafetensorsError.shapeMismatch(key: key, expected: shape, found: t.shape) }
        return t
    }
}

/// Reader/writer of the safetensors format (8-byte little-endian header length, JSON header, raw little-endian data),
/// compatible with `safetensors.torch.save_file` / `load_file`.
public enum Safetensors {
    /// Reads a file.
    public static func read(contentsOf url: URL) throws -> SafetensorsFile {
        let data: Data
        var isDirectory: ObjCBool = false
        // Foundation's own message for these is an opaque "NSCocoaErrorDomain error 256".
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw SafetensorsError.io(path: url.path, reason: "it is a directory, not a .safetensors file")
        }
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw SafetensorsError.io(path: url.path, reason: error.localizedDescription)
        }
        return try decode(data)
    }

    /// Reads only a file's `__metadata__` (a model's architecture, a checkpoint's step): the header, not the tensors.
    public static func readMetadata(contentsOf url: URL) throws -> [String: String] {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw SafetensorsError.io(path: url.path, reason: error.localizedDescription)
        }
        defer { try? handle.close() }
        let prefix = (try? handle.read(upToCount: 8)) ?? Data()
        guard prefix.count == 8 else { throw SafetensorsError.truncated("\(prefix.count) bytes, need at least 8") }
        let n = prefix.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        // The format caps headers at 100 MB; a larger length is not a header.
        guard n <= 100_000_000 else { throw SafetensorsError.invalidHeader("not a safetensors file (header length \(n))") }
        let header = (try? handle.read(upToCount: Int(n))) ?? Data()
        guard header.count == Int(n) else { throw SafetensorsError.truncated("header of \(n) bytes, file has \(header.count)") }
        return try parseHeader(header).metadata
    }

    /// The JSON header's tensor entries (by name) and its `__metadata__`, shared by `decode` and `readMetadata`.
    private static func parseHeader(_ json: Data) throws -> (entries: [String: Any], metadata: [String: String]) {
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: json) } catch {
            throw SafetensorsError.invalidHeader("not JSON (\(error.localizedDescription))")
        }
        guard var entries = parsed as? [String: Any] else { throw SafetensorsError.invalidHeader("not a JSON object") }
        var metadata: [String: String] = [:]
        if let value = entries.removeValue(forKey: "__metadata__") {
            guard let m = value as? [String: Any] else { throw SafetensorsError.invalidHeader("__metadata__ is not an object") }
            for (k, v) in m {
                guard let s = v as? String else { throw SafetensorsError.invalidHeader("__metadata__[\(k)] is not a string") }
                metadata[k] = s
            }
        }
        return (entries, metadata)
    }

    /// Parses safetensors bytes.
    public static func decode(_ data: Data) throws -> SafetensorsFile {
        guard data.count >= 8 else { throw SafetensorsError.truncated("\(data.count) bytes, need at least 8") }
        let bytes = [UInt8](data)
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else {
            // An image or other file read as weights: its first bytes make a nonsense length and no JSON follows.
            if bytes.count > 8 && bytes[8] != UInt8(ascii: "{") {
                throw SafetensorsError.invalidHeader("not a safetensors file (no JSON header after the 8-byte length)")
            }
            throw SafetensorsError.truncated("header of \(n) bytes, file has \(bytes.count - 8) after the length")
        }
        let headerEnd = 8 + Int(n)
        let (header, metadata) = try parseHeader(Data(bytes[8..<headerEnd]))
        var tensors: [String: Tensor] = [:]
        let dataCount = bytes.count - headerEnd
        for (key, value) in header {
            guard let entry = value as? [String: Any], let dt = entry["dtype"] as? String,
                  let shapeAny = entry["shape"] as? [Any], let offs = entry["data_offsets"] as? [Any], offs.count == 2 else {
                throw SafetensorsError.invalidHeader("entry '\(key)' lacks dtype/shape/data_offsets")
            }
            guard let dtype = SafetensorsDType(rawValue: dt) else { throw SafetensorsError.unsupportedDType(key: key, dtype: dt) }
            let shape = try shapeAny.map { (v: Any) -> Int in
                guard let i = (v as? NSNumber)?.intValue, i >= 0 else { throw SafetensorsError.invalidHeader("bad shape of '\(key)'") }
                return i
            }
            guard let b = (offs[0] as? NSNumber)?.intValue, let e = (offs[1] as? NSNumber)?.intValue, b >= 0, e >= b else {
                throw SafetensorsError.invalidHeader("bad data_offsets of '\(key)'")
            }
            guard e <= dataCount else { throw SafetensorsError.dataOutOfBounds(key: key) }
            // Overflow-checked element count: a corrupt header must throw, not trap.
            var count = 1
            for d in shape {
                let (p, o) = count.multipliedReportingOverflow(by: d)
                guard !o, p <= dataCount else { throw SafetensorsError.sizeMismatch(key: key, shape: shape, dtype: dt, bytes: e - b) }
                count = p
            }
            guard count * dtype.size == e - b else {
                throw SafetensorsError.sizeMismatch(key: key, shape: shape, dtype: dt, bytes: e - b)
            }
            var t = Tensor(uninitializedShape: shape)
            let dst = t.mutablePtr()
            bytes.withUnsafeBytes { raw in
                let src = raw.baseAddress! + headerEnd + b
                convert(src, dtype, count, into: dst)
            }
            tensors[key] = t
        }
        return SafetensorsFile(tensors: tensors, metadata: metadata)
    }

    static func convert(_ src: UnsafeRawPointer, _ dtype: SafetensorsDType, _ count: Int, into dst: UnsafeMutablePointer<Float>) {
        switch dtype {
        case .f32: for i in 0..<count { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .f16: for i in 0..<count { dst[i] = Float(halfBits: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .bf16: for i in 0..<count { dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
        case .f64: for i in 0..<count { dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        case .i64: for i in 0..<count { dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .i32: for i in 0..<count { dst[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        }
    }

    /// Serialises tensors (stored as `dtype`: `.f32`, `.f16` or `.bf16`) with metadata.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:], dtype: SafetensorsDType = .f32) -> Data {
        precondition(dtype == .f32 || dtype == .f16 || dtype == .bf16, "write supports F32, F16 and BF16")
        let keys = tensors.keys.sorted()
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(separator: ",")
            parts.append("\"__metadata__\":{\(m)}")
        }
        var offset = 0
        for k in keys {
            let t = tensors[k]!
            let size = t.count * dtype.size
            parts.append("\(jsonString(k)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        header += parts.joined(separator: ",") + "}"
        var hb = Array(header.utf8)
        while hb.count % 8 != 0 { hb.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + hb.count + offset)
        let n = UInt64(hb.count)
        for i in 0..<8 { out.append(UInt8((n >> (8 * UInt64(i))) & 0xff)) }
        out += hb
        for k in keys {
            let t = tensors[k]!
            let p = t.ptr
            switch dtype {
            case .f32: for i in 0..<t.count { let b = p[i].bitPattern; for s in 0..<4 { out.append(UInt8((b >> (8 * UInt32(s))) & 0xff)) } }
            case .f16: for i in 0..<t.count { let b = p[i].halfBits; out.append(UInt8(b & 0xff)); out.append(UInt8(b >> 8)) }
            case .bf16: for i in 0..<t.count { let b = p[i].bfloat16Bits; out.append(UInt8(b & 0xff)); out.append(UInt8(b >> 8)) }
            default: break
            }
        }
        return Data(out)
    }

    /// Writes a file atomically: to `temporaryURL(for: url)`, then renamed over `url`.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], dtype: SafetensorsDType = .f32, to url: URL) throws {
        let tmp = temporaryURL(for: url)
        do { try encode(tensors, metadata: metadata, dtype: dtype).write(to: tmp) } catch {
            unlink(tmp.path)
            throw SafetensorsError.io(path: url.path, reason: error.localizedDescription)
        }
        guard rename(tmp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp.path)
            throw SafetensorsError.io(path: url.path, reason: "cannot rename the finished file over it: \(reason)")
        }
    }

    /// The hidden file next to `url` that `write` fills before renaming it (known, so a caller that quits at once
    /// on a second Ctrl-C can delete it).
    public static func temporaryURL(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
    }

    static func jsonString(_ s: String) -> String {
        var r = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\r": r += "\\r"
            case "\t": r += "\\t"
            default:
                if u.value < 0x20 { r += String(format: "\\u%04x", u.value) } else { r.unicodeScalars.append(u) }
            }
        }
        return r + "\""
    }
}

extension Float {
    /// IEEE half → single (exact).
    init(halfBits h: UInt16) {
        let sign = UInt32(h >> 15) << 31, exp = Int((h >> 10) & 0x1f), mant = UInt32(h & 0x3ff)
        if exp == 0 {
            // Zero or subnormal: mant · 2^-24.
            let v = Float(mant) * Float(bitPattern: 0x3380_0000)
            self = sign != 0 ? -v : v
        } else if exp == 31 {
            self = Float(bitPattern: sign | 0x7f80_0000 | (mant << 13))
        } else {
            self = Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (mant << 13))
        }
    }

    /// Single → IEEE half bits, round to nearest even (overflow → ±inf), as PyTorch's `.half()`.
    var halfBits: UInt16 {
        let b = bitPattern
        let sign = UInt16((b >> 16) & 0x8000)
        let exp = Int((b >> 23) & 0xff), mant = b & 0x7f_ffff
        if exp == 0xff { return sign | 0x7c00 | (mant != 0 ? 0x200 : 0) }
        let e = exp - 127 + 15
        if e >= 31 { return sign | 0x7c00 }
        if e <= 0 {
            if e < -10 { return sign }
            let m = mant | 0x80_0000
            let shift = UInt32(14 - e)
            var r = m >> shift
            let rem = m & ((1 << shift) - 1), half = UInt32(1) << (shift - 1)
            if rem > half || (rem == half && (r & 1) == 1) { r += 1 }
            return sign | UInt16(r)
        }
        var r = UInt32(e) << 10 | (mant >> 13)
        let rem = mant & 0x1fff
        if rem > 0x1000 || (rem == 0x1000 && (r & 1) == 1) { r += 1 }
        return sign | UInt16(r)
    }

    /// Single → bfloat16 bits, round to nearest even.
    var bfloat16Bits: UInt16 {
        let b = bitPattern
        if isNaN { return UInt16(b >> 16) | 0x40 }
        let rounded = b &+ 0x7fff &+ ((b >> 16) & 1)
        return UInt16(rounded >> 16)
    }
}

extension Module {
    /// Writes parameters and buffers as safetensors (names = state-dict keys).
    public func save(to url: URL, metadata: [String: String] = [:], dtype: SafetensorsDType = .f32) throws {
        try Safetensors.write(stateDict(), metadata: metadata, dtype: dtype, to: url)
    }

    /// Loads parameters and buffers from a safetensors file; returns its metadata.
    @discardableResult
    public func load(from url: URL, strict: Bool = true) throws -> [String: String] {
        let f = try Safetensors.read(contentsOf: url)
        try loadStateDict(f.tensors, strict: strict)
        return f.metadata
    }
}
