import Dispatch
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM: the first asks the work to stop cleanly (finalize the output, save the
/// checkpoint); another one later quits at once, deleting the unfinished temporary outputs first.
///
/// A repeat within `debounce` seconds counts as the same request: `timeout -s INT` and process managers
/// signal both the process and its group, so one request often arrives twice within microseconds.
final class InterruptSignals: @unchecked Sendable {
    private let lock = NSLock()
    private var firstRequest: DispatchTime?
    private var sources: [any DispatchSourceSignal] = []
    private let debounce: Double

    /// Starts listening; `onFirst` runs once, on a Dispatch queue, at the first signal.
    init(debounce: Double = 1.0, onFirst: @escaping @Sendable () -> Void) {
        self.debounce = debounce
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [unowned self] in self.received(onFirst: onFirst) }
            source.resume()
            sources.append(source)
        }
    }

    private func received(onFirst: @Sendable () -> Void) {
        let now = DispatchTime.now()
        let isFirst: Bool = lock.withLock {
            guard let first = firstRequest else { firstRequest = now; return true }
            if Double(now.uptimeNanoseconds - first.uptimeNanoseconds) / 1e9 < debounce { return false }
            PartialFiles.removeAll()
            _exit(ExitStatus.interrupted.rawValue)
        }
        if isFirst { onFirst() }
    }

    /// Stops listening and restores the default actions.
    func cancel() {
        lock.withLock {
            for source in sources { source.cancel() }
            sources = []
        }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// Temporary output files being written, so a forced quit can delete them instead of leaving hidden junk.
enum PartialFiles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: Set<String> = []

    static func add(_ path: String) { lock.withLock { _ = paths.insert(path) } }
    static func remove(_ path: String) { lock.withLock { _ = paths.remove(path) } }

    /// Deletes every registered file (called on the way out; `unlink` is safe there).
    static func removeAll() {
        lock.withLock {
            for path in paths { unlink(path) }
            paths = []
        }
    }
}
