import Foundation

/// Puts elements that finish out of order back in sequence.
///
/// `insert` blocks while the element is `capacity` or more ahead of the next one due out, so a slow
/// frame cannot let the buffer grow without bound. No deadlock as long as producers take their
/// sequence numbers in increasing order from a FIFO: the element due out is then never behind them.
final class ReorderBuffer<Element: Sendable>: @unchecked Sendable {
    let capacity: Int
    private var pending: [Int: Element] = [:]
    private var next = 0
    private var closed = false
    private var cancelled = false
    private let condition = NSCondition()

    init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    /// Returns false if cancelled.
    func insert(_ element: Element, at sequence: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while sequence >= next + capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        pending[sequence] = element
        condition.broadcast()
        return true
    }

    /// The element with the next sequence number; nil when closed without it, or cancelled.
    func popNext() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while pending[next] == nil && !closed && !cancelled { condition.wait() }
        guard !cancelled, let element = pending.removeValue(forKey: next) else { return nil }
        next += 1
        condition.broadcast()
        return element
    }

    /// No more inserts will come.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        pending.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
