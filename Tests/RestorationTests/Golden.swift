import Foundation
@testable import Restoration

/// Reads the files written by scripts/make_golden_restoration.py.
enum Golden {
    struct Missing: Error, CustomStringConvertible {
        let what: String
        var description: String { "golden data missing: \(what)" }
    }

    static func url(_ name: String) throws -> URL {
        guard let base = Bundle.module.url(forResource: "Golden", withExtension: nil) else { throw Missing(what: "Golden folder") }
        return base.appendingPathComponent(name)
    }

    static func meta() throws -> [String: Any] {
        let data = try Data(contentsOf: url("golden.json"))
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw Missing(what: "golden.json") }
        return obj
    }

    static func bytes(_ entry: [String: Any]) throws -> (shape: [Int], values: [UInt8]) {
        guard let file = entry["file"] as? String, let shape = entry["shape"] as? [Int] else { throw Missing(what: "array entry") }
        return (shape, [UInt8](try Data(contentsOf: url(file))))
    }

    static func floats(_ entry: [String: Any]) throws -> (shape: [Int], values: [Float]) {
        guard let file = entry["file"] as? String, let shape = entry["shape"] as? [Int] else { throw Missing(what: "array entry") }
        let data = try Data(contentsOf: url(file))
        let values = data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        return (shape, values)
    }

    /// A uint8 (C, H, W) array as a [0, 1] image.
    static func image8(_ entry: [String: Any]) throws -> PlanarImage {
        let (s, v) = try bytes(entry)
        return try PlanarImage(width: s[2], height: s[1], channels: s[0], bytes: v)
    }

    /// A float32 (C, H, W) or (H, W) array as an image.
    static func imageF(_ entry: [String: Any]) throws -> PlanarImage {
        let (s, v) = try floats(entry)
        if s.count == 2 { return try PlanarImage(width: s[1], height: s[0], channels: 1, pixels: v) }
        return try PlanarImage(width: s[2], height: s[1], channels: s[0], pixels: v)
    }

    static func psf(_ entry: [String: Any]) throws -> PointSpreadFunction {
        let (s, v) = try floats(entry)
        return try PointSpreadFunction(width: s[1], height: s[0], weights: v.map(Double.init))
    }

    static func dict(_ any: Any?) throws -> [String: Any] {
        guard let d = any as? [String: Any] else { throw Missing(what: "object") }
        return d
    }

    static func number(_ d: [String: Any], _ key: String) throws -> Double {
        guard let v = d[key] as? Double else {
            if let i = d[key] as? Int { return Double(i) }
            throw Missing(what: key)
        }
        return v
    }
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
