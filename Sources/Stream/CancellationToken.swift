import Foundation

/// Asks running work to stop: a pipeline stops reading input and finalizes what it has (e.g. on Ctrl-C);
/// `FrameProcessor.process(_:cancellation:)` gives up on its frame.
public final class CancellationToken: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    public init() {}

    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// Throws `ProcessingCancelled` if the token is set.
    public func check() throws(ProcessingCancelled) {
        if isCancelled { throw ProcessingCancelled() }
    }
}

/// Thrown by `FrameProcessor.process(_:cancellation:)` when its token was set before the frame was done.
public struct ProcessingCancelled: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "processing was cancelled" }
}
