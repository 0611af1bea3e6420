import CBLAS
import Dispatch
import Foundation

/// The engine's threading policy: OpenBLAS always runs single-threaded and all parallelism comes from our own
/// `concurrentPerform` loops (over tiles, images or channels), so the two never oversubscribe the cores.
public enum Threading {
    private static let state = ThreadState()
    /// Touching this once-initialised token configures OpenBLAS (core type, 1 thread) before any GEMM.
    static let configured: Bool = { _ = state; return true }()

    /// Number of worker threads our parallel loops use (default: active processor count).
    public static var threads: Int { state.get() }

    /// The OpenBLAS kernel family in use (after `OpenBLASCore` fixed a mis-detected CPU).
    public static var blasCore: String { _ = threads; return OpenBLASCore.name }

    /// Sets the number of worker threads (≥ 1). OpenBLAS stays at 1 thread.
    public static func setThreads(_ n: Int) { state.set(max(1, n)) }

    /// Column-buffer size (floats) per worker for tiled im2col (default 2¹⁷ = 512 KB, L2-sized: measured faster
    /// than 1–16 MB tiles for 3×3 convs; tiles never go below the rows col2im parity needs).
    public static var im2colBudget: Int { budgetOverride ?? 1 << 17 }

    /// Runs `body` with another im2col budget. Task-local, not global: tests shrink it to exercise tile
    /// boundaries, and tiling changes the order of float sums, so a global change would perturb the bits of
    /// whatever else runs concurrently (a training run checked for exact resumption, say).
    public static func withIm2colBudget<R>(_ floats: Int, _ body: () throws -> R) rethrows -> R {
        try $budgetOverride.withValue(max(1, floats)) { try body() }
    }
    @TaskLocal private static var budgetOverride: Int?

    /// Runs `body(range)` over `0..<count` in parallel on at most `threads` workers. Workers pull ranges
    /// (about 8 per worker) from a shared counter, so a worker slowed down by other processes on the machine
    /// does not hold the others up; which worker gets which range depends on timing (sums that must not, use
    /// `parallelBlocks`). `minChunk` keeps tiny loops on one thread.
    public static func parallelChunks(_ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let workers = workerCount(count, minChunk: minChunk)
        if workers == 1 { body(0..<count); return }
        let grain = max(max(1, minChunk), count / (workers * 8))
        let next = WorkCounter()
        // The ranges touch disjoint data by construction; the caller guarantees that.
        nonisolated(unsafe) let run = body
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let lo = next.take(grain)
                if lo >= count { break }
                run(lo..<min(count, lo + grain))
            }
        }
    }

    /// Runs `body(block, range)` over `0..<count` cut into `blocks` fixed contiguous ranges, in parallel.
    /// Unlike `parallelChunks`, which range goes with which index never depends on timing, so per-block
    /// accumulators added up in block order give the same bits on every run (gradients, exact `--resume`).
    public static func parallelBlocks(_ count: Int, blocks: Int, _ body: (Int, Range<Int>) -> Void) {
        let blocks = max(1, min(blocks, count))
        parallelFor(blocks) { b in body(b, (b * count / blocks)..<((b + 1) * count / blocks)) }
    }

    /// Runs `body(i)` for every `i` in `0..<count`, in parallel chunks.
    public static func parallelFor(_ count: Int, minChunk: Int = 1, _ body: (Int) -> Void) {
        parallelChunks(count, minChunk: minChunk) { r in for i in r { body(i) } }
    }

    /// Number of chunks `parallelChunks` would use for `count` items.
    static func workerCount(_ count: Int, minChunk: Int = 1) -> Int {
        max(1, min(threads, count / max(1, minChunk)))
    }
}

private final class ThreadState: @unchecked Sendable {
    private let lock = NSLock()
    private var n: Int

    init() {
        OpenBLASCore.configure()
        openblas_set_num_threads(1)
        n = max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
    func get() -> Int { lock.withLock { n } }
    func set(_ v: Int) {
        lock.withLock { n = v }
        openblas_set_num_threads(1)
    }
}

/// A lock-protected shared loop counter for dynamic scheduling.
private final class WorkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    /// Returns the current start and advances by `n`.
    func take(_ n: Int) -> Int { lock.withLock { let v = value; value += n; return v } }
}
