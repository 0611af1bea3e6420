import Foundation
import Logging

/// Writes log records to stderr the way the CLI's own messages read: `warning: …` and `error: …`, so that a
/// library's warning (e.g. the encoder's) looks like the command's; info and debug records keep a timestamp and
/// their source, which long training logs and `--verbose` runs need.
struct CLILogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        FileHandle.standardError.write(Data((Self.format(level: event.level, message: "\(event.message)", label: label, date: Date()) + "\n").utf8))
    }

    /// One record as a line (without its newline).
    static func format(level: Logger.Level, message: String, label: String, date: Date) -> String {
        switch level {
        case .warning: return "warning: \(message)"
        case .error, .critical: return "error: \(message)"
        default:
            let stamp = date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
            return "\(stamp) \(level) \(label): \(message)"
        }
    }
}

/// A command whose flags set how much is logged (`--quiet`, `--verbose`); others log warnings and errors.
protocol ChoosesLogLevel {
    var logLevel: Logger.Level { get }
}
