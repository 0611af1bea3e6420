import Logging
import Synchronization

/// Keeps the warnings and errors logged through it, for tests that check what a user is told.
final class RecordedMessages: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "test") { _ in RecordingHandler(messages: self) }
    }

    private struct RecordingHandler: LogHandler {
        let messages: RecordedMessages
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .warning

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            messages.lines.withLock { $0.append("\(event.level): \(event.message)") }
        }
    }
}
