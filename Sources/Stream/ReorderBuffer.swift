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
    /// Sequences from here on will never be delivered (`end(at:)`).
    private var limit = Int.max
    private let monitor = BufferMonitor()

    init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    /// Returns false if cancelled, or if `sequence` lies past an `end(at:)`.
    func insert(_ element: Element, at sequence: Int) -> Bool {
        monitor.locked {
            monitor.wait(while: { sequence >= next + capacity && sequence < limit })
            guard !monitor.isCancelled, sequence < limit else { return false }
            pending[sequence] = element
            return true
        }
    }

    /// The element with the next sequence number; nil when closed without it, at the end, or cancelled.
    func popNext() -> Element? {
        monitor.locked {
            monitor.wait(while: { pending[next] == nil && !monitor.isClosed && next < limit })
            guard !monitor.isCancelled, next < limit, let element = pending.removeValue(forKey: next) else { return nil }
            next += 1
            return element
        }
    }

    /// The stream ends before `sequence` (a frame that will never come, its work cancelled): the elements before
    /// it are still delivered, later ones are dropped, and inserts waiting for room past it give up.
    func end(at sequence: Int) {
        monitor.locked {
            limit = min(limit, sequence)
            pending = pending.filter { $0.key < limit }
        }
    }

    /// No more inserts will come.
    func close() { monitor.close() }

    func cancel() { monitor.cancel { pending.removeAll() } }
}
