/// Why reading the input failed. Everything here is the input's fault (or its absence).
public enum DecodeError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(String)
    case cannotOpen(String, reason: String)
    case noVideoStream(String)
    case unsupportedCodec(String)
    case decoderFailed(String, reason: String)
    /// The stream broke after `framesDecoded` good frames; `seconds` is the time of the last good one.
    case corruptStream(framesDecoded: Int, seconds: Double?, reason: String)
    /// The stream ended early: the container announced `expectedSeconds` but data stopped at `seconds`.
    case truncated(framesDecoded: Int, seconds: Double, expectedSeconds: Double)

    public var description: String {
        switch self {
        case .fileNotFound(let path): return "input not found: \(path)"
        case .cannotOpen(let path, let reason): return "cannot read \(path) as video or image (\(reason))"
        case .noVideoStream(let path): return "no video stream in \(path)"
        case .unsupportedCodec(let name): return "unsupported input codec: \(name)"
        case .decoderFailed(let name, let reason): return "cannot start decoder \(name): \(reason)"
        case .corruptStream(let n, let t, let reason):
            let at = t.map { String(format: " (t=%.3fs)", $0) } ?? ""
            return "corrupt input stream: decoding stopped after frame \(n)\(at): \(reason)"
        case .truncated(let n, let t, let expected):
            return String(format: "truncated input: data stops after frame %d (t=%.3fs) of %.3fs announced", n, t, expected)
        }
    }
}
