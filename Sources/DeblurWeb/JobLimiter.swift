/// Bounded concurrency with a bounded queue: `acquire` waits for one of `slots` workers,
/// or fails at once when `queueLength` requests are already waiting (the server then answers 503).
public actor JobLimiter {
    /// Thrown by `acquire` when every worker is busy and the queue is full, or the wait was cancelled.
    public enum Refusal: Error, Equatable {
        case busy
        case cancelled
    }

    public let slots: Int
    public let queueLength: Int
    private var running = 0
    private var nextTicket = 0
    /// Requests someone is waiting on (an image upload); bounded by `queueLength`, served first.
    private var waiters = [(ticket: Int, continuation: CheckedContinuation<Void, any Error>)]()
    /// Background work (video jobs, whose number is bounded elsewhere): unbounded, served when no request waits.
    private var backgroundWaiters = [(ticket: Int, continuation: CheckedContinuation<Void, any Error>)]()

    public init(slots: Int, queueLength: Int) {
        self.slots = max(1, slots)
        self.queueLength = max(0, queueLength)
    }

    /// Jobs running now and jobs waiting (requests and background work), for the status endpoint and tests.
    public var load: (running: Int, waiting: Int) { (running, waiters.count + backgroundWaiters.count) }

    /// True when a new request would be refused now; lets a handler answer 503 before reading a large body.
    /// Waiting background work does not count: a request goes before it.
    public var isFull: Bool { running >= slots && waiters.count >= queueLength }

    /// Takes a worker slot, waiting in line if needed. Every successful call must be paired with `release()`.
    /// - Parameter background: wait even when the queue is full, and behind every waiting request (video jobs,
    ///   which run for minutes and are polled, must not make image uploads answer 503).
    public func acquire(background: Bool = false) async throws(Refusal) {
        if running < slots {
            running += 1
            return
        }
        guard background || waiters.count < queueLength else { throw .busy }
        let ticket = nextTicket
        nextTicket += 1
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else if background {
                        backgroundWaiters.append((ticket, continuation))
                    } else {
                        waiters.append((ticket, continuation))
                    }
                }
            } onCancel: {
                Task { await self.cancelWaiter(ticket) }
            }
        } catch {
            throw .cancelled
        }
    }

    /// Gives the slot back; the oldest waiting request, else the oldest background waiter, takes it over.
    public func release() {
        // The slot passes straight to the waiter, so `running` stays the same.
        if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume()
        } else if !backgroundWaiters.isEmpty {
            backgroundWaiters.removeFirst().continuation.resume()
        } else {
            running = max(0, running - 1)
        }
    }

    private func cancelWaiter(_ ticket: Int) {
        if let i = waiters.firstIndex(where: { $0.ticket == ticket }) {
            waiters.remove(at: i).continuation.resume(throwing: CancellationError())
        } else if let i = backgroundWaiters.firstIndex(where: { $0.ticket == ticket }) {
            backgroundWaiters.remove(at: i).continuation.resume(throwing: CancellationError())
        }
    }
}
