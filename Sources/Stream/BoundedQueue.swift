import Foundation

/// A FIFO of at most `capacity` elements: `push` blocks while full, `pop` blocks while empty.
/// `close()` lets consumers drain what is left; `cancel()` wakes everyone and drops the rest.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    let capacity: Int
    private var items: [Element] = []
    private var head = 0
    private let monitor = BufferMonitor()

    init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
        items.reserveCapacity(capacity)
    }

    private var count: Int { items.count - head }

    /// Returns false if the queue was cancelled (the element is dropped).
    func push(_ element: Element) -> Bool {
        monitor.locked {
            monitor.wait(while: { count >= capacity })
            guard !monitor.isCancelled else { return false }
            if head > 0 && head == items.count { items.removeAll(keepingCapacity: true); head = 0 }
            items.append(element)
            return true
        }
    }

    /// The oldest element, or nil once closed and drained, or cancelled.
    func pop() -> Element? {
        monitor.locked {
            monitor.wait(while: { count == 0 && !monitor.isClosed })
            guard !monitor.isCancelled, count > 0 else { return nil }
            let element = items[head]
            head += 1
            if head >= capacity { items.removeFirst(head); head = 0 }
            return element
        }
    }

    func close() { monitor.close() }

    func cancel() { monitor.cancel { items.removeAll(); head = 0 } }
}
