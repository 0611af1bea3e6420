import Foundation
import Testing
@testable import DeblurNet

/// Loads committed PyTorch golden files (written by scripts/make_golden_ops.py).
enum Golden {
    static var directory: URL {
        Bundle.module.url(forResource: "Golden", withExtension: nil)!
    }

    static func load(_ name: String) throws -> SafetensorsFile {
        try Safetensors.read(contentsOf: directory.appendingPathComponent(name + ".safetensors"))
    }

    /// Names of the op cases (every file whose metadata op is not adam and which is not the dtype file).
    static let opCases: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".safetensors") && !$0.hasPrefix("adam") && $0 != "torch_written.safetensors" && $0 != "network.safetensors" }
            .map { String($0.dropLast(".safetensors".count)) }.sorted()
    }()

    /// Parses a JSON-encoded metadata value.
    static func meta(_ f: SafetensorsFile, _ key: String) -> Any? {
        guard let s = f.metadata[key], let d = s.data(using: .utf8) else { return nil }
        return try? JSONSerialization.jsonObject(with: d, options: [.fragmentsAllowed])
    }
    static func int(_ f: SafetensorsFile, _ key: String) -> Int { (meta(f, key) as? NSNumber)?.intValue ?? 0 }
    static func float(_ f: SafetensorsFile, _ key: String) -> Float { (meta(f, key) as? NSNumber)?.floatValue ?? 0 }
    static func ints(_ f: SafetensorsFile, _ key: String) -> [Int] { (meta(f, key) as? [NSNumber])?.map { $0.intValue } ?? [] }
    static func string(_ f: SafetensorsFile, _ key: String) -> String { (meta(f, key) as? String) ?? "" }
}

/// max|a − b| / max|b| (b the reference); 0 when both are all-zero.
func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
    let d = a.maxAbsDifference(b), m = b.maxAbs
    return m == 0 ? d : d / m
}

func activation(named s: String) -> FusedActivation {
    if s == "relu" { return .relu }
    if s == "relu6" { return .relu6 }
    if s.hasPrefix("leaky"), let v = Float(s.dropFirst(5)) { return .leakyReLU(v) }
    return .none
}
