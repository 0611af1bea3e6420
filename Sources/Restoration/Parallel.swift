import Dispatch

/// Runs independent work items on all cores (DispatchQueue.concurrentPerform).
enum Parallel {
    /// Calls `body(i)` for `i` in `0..<count`, concurrently; returns when all are done.
    static func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if count <= 1 {
            if count == 1 { body(0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }

    /// Splits `0..<n` into about `parts` contiguous ranges.
    static func chunks(_ n: Int, parts: Int) -> [Range<Int>] {
        guard n > 0 else { return [] }
        let p = max(1, min(parts, n))
        return (0..<p).map { i in (i * n / p)..<((i + 1) * n / p) }
    }
}

/// A pointer that may be shared by concurrent workers writing disjoint ranges.
struct SharedMutablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}
