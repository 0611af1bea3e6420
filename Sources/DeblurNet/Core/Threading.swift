import CBLAS
import Dispatch
import Foundation

/// The engine's threading policy: OpenBLAS always runs single-threaded and all parallelism comes from our own
/// `concurrentPerform` loops (over tiles, images or channels), so the two never oversubscribe the cores.
public enum Threading {
    private static let state = ThreadState()

    /// Number of worker threads our parallel loops use (default: active processor count).
    public static var threads: Int { state.get() }

    /// Sets the number of worker threads (≥ 1). OpenBLAS stays at 1 thread.
    public static func setThreads(_ n: Int) { state.set(max(1, n)) }

    /// Column-buffer size (floats) per worker for tiled im2col (default 2²⁰ ≈ 4 MB); smaller values only change
    /// tiling, never results (tests shrink it to exercise tile boundaries).
    public static var im2colBudget: Int {
        get { state.budget() }
        set { state.setBudget(max(1, newValue)) }
    }

    /// Runs `body(chunkIndex, range)` over `0..<count` split into at most `threads` contiguous chunks, in parallel.
    /// `minChunk` keeps tiny loops on one thread.
    public static func parallelChunks(_ count: Int, minChunk: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = max(1, min(threads, count / max(1, minChunk)))
        if workers == 1 { body(0, 0..<count); return }
        let per = (count + workers - 1) / workers
        // The chunks touch disjoint data by construction; the caller guarantees that.
        nonisolated(unsafe) let run = body
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * per, hi = min(count, lo + per)
            if lo < hi { run(w, lo..<hi) }
        }
    }

    /// Runs `body(i)` for every `i` in `0..<count`, in parallel chunks.
    public static func parallelFor(_ count: Int, minChunk: Int = 1, _ body: (Int) -> Void) {
        parallelChunks(count, minChunk: minChunk) { _, r in for i in r { body(i) } }
    }

    /// Number of chunks `parallelChunks` would use for `count` items.
    static func workerCount(_ count: Int, minChunk: Int = 1) -> Int {
        max(1, min(threads, count / max(1, minChunk)))
    }
}

private final class ThreadState: @unchecked Sendable {
    private let lock = NSLock()
    private var n: Int
    private var colBudget = 1 << 20
    func budget() -> Int { lock.withLock { colBudget } }
    func setBudget(_ v: Int) { lock.withLock { colBudget = v } }

    init() {
        openblas_set_num_threads(1)
        n = max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
    func get() -> Int { lock.withLock { n } }
    func set(_ v: Int) {
        lock.withLock { n = v }
        openblas_set_num_threads(1)
    }
}
