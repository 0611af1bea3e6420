import Foundation

/// The lock, the wake-ups and the closed/cancelled state that the pipeline's blocking buffers share.
///
/// `BoundedQueue` and `ReorderBuffer` differ only in what they store and when they block; every state change
/// under `locked` wakes all waiters, so each waiter re-checks its own condition.
final class BufferMonitor: @unchecked Sendable {
    private let condition = NSCondition()
    /// No more elements will come; consumers drain what is left.
    private(set) var isClosed = false
    /// Everyone wakes and gives up; what is stored is dropped.
    private(set) var isCancelled = false

    /// Runs `body` holding the lock, then wakes all waiters.
    func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.broadcast(); condition.unlock() }
        return body()
    }

    /// Blocks, releasing the lock, while `blocked()` holds and the buffer is not cancelled. Call inside `locked`.
    func wait(while blocked: () -> Bool) {
        while blocked() && !isCancelled { condition.wait() }
    }

    func close() { locked { isClosed = true } }

    /// Marks the buffer cancelled and runs `drop` (which empties it) under the lock.
    func cancel(dropping drop: () -> Void) { locked { isCancelled = true; drop() } }
}
