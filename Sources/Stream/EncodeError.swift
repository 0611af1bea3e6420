/// Why writing the output failed.
public enum EncodeError: Error, CustomStringConvertible, Equatable {
    case unknownFormat(String)
    case cannotGuessFormat(String)
    case unknownCodec(String)
    case codecNotSupportedByContainer(codec: String, format: String)
    case cannotOpenOutput(String, reason: String)
    case encoderFailed(String, reason: String)
    case writeFailed(String, reason: String)
    case frameSizeMismatch(expected: String, got: String)

    public var description: String {
        switch self {
        case .unknownFormat(let name): return "unknown output format: \(name)"
        case .cannotGuessFormat(let path): return "cannot tell the output format from \(path); pass --format"
        case .unknownCodec(let name): return "unknown or unavailable video codec: \(name)"
        case .codecNotSupportedByContainer(let codec, let format): return "codec \(codec) cannot be stored in \(format)"
        case .cannotOpenOutput(let path, let reason): return "cannot write \(path): \(reason)"
        case .encoderFailed(let name, let reason): return "cannot start encoder \(name): \(reason)"
        case .writeFailed(let path, let reason): return "writing \(path) failed: \(reason)"
        case .frameSizeMismatch(let expected, let got): return "frame size \(got) does not match the output size \(expected)"
        }
    }
}
