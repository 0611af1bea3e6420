import Foundation

/// A thread-safe pool of Float buffers keyed by element count, so repeated shapes (frame after frame,
/// training step after step) reuse memory instead of going back to malloc.
public final class BufferPool: @unchecked Sendable {
    /// The process-wide pool used by `Tensor` storage and op workspaces.
    public static let shared = BufferPool(capacityBytes: 1 << 30)

    private let lock = NSLock()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var pooledBytes = 0
    /// Bytes kept in the pool at most; buffers returned beyond that are freed.
    public var capacityBytes: Int {
        get { lock.withLock { _capacity } }
        set { lock.withLock { _capacity = newValue } }
    }
    private var _capacity: Int
    private var liveBytes = 0
    private var fresh = 0
    private var tick = 0
    private var lastUse: [Int: Int] = [:]
    /// Number of buffers that had to come from malloc (pool misses) so far.
    public var freshAllocationCount: Int { lock.withLock { fresh } }
    private var _peakLiveBytes = 0

    public init(capacityBytes: Int) { _capacity = capacityBytes }

    /// Takes a buffer of exactly `count` floats (contents undefined).
    /// Buffers are pooled by exact size; when the pool is full, the least recently requested sizes are evicted.
    public func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = max(count, 1)
        let reused: UnsafeMutablePointer<Float>? = lock.withLock {
            liveBytes += n * 4
            _peakLiveBytes = max(_peakLiveBytes, liveBytes)
            tick += 1
            lastUse[n] = tick
            if var list = free[n], let p = list.popLast() {
                free[n] = list
                pooledBytes -= n * 4
                return p
            }
            return nil
        }
        if let p = reused { return p }
        lock.withLock { fresh += 1 }
        return UnsafeMutablePointer<Float>.allocate(capacity: n)
    }

    /// Returns a buffer obtained from `take(count)`.
    public func give(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let n = max(count, 1)
        var evicted: [UnsafeMutablePointer<Float>] = []
        let keep: Bool = lock.withLock {
            liveBytes -= n * 4
            guard n * 4 <= _capacity else { return false }
            // Make room by evicting the size classes used least recently (e.g. after a resolution change).
            while pooledBytes + n * 4 > _capacity {
                guard let victim = free.keys.filter({ $0 != n && !(free[$0]?.isEmpty ?? true) })
                    .min(by: { (lastUse[$0] ?? 0) < (lastUse[$1] ?? 0) }) else { break }
                if var list = free[victim], let q = list.popLast() {
                    free[victim] = list.isEmpty ? nil : list
                    pooledBytes -= victim * 4
                    evicted.append(q)
                }
            }
            if pooledBytes + n * 4 <= _capacity {
                free[n, default: []].append(p)
                pooledBytes += n * 4
                return true
            }
            return false
        }
        for q in evicted { q.deallocate() }
        if !keep { p.deallocate() }
    }

    /// Frees every pooled buffer.
    public func drain() {
        let all: [Int: [UnsafeMutablePointer<Float>]] = lock.withLock {
            let f = free; free = [:]; pooledBytes = 0; return f
        }
        for (_, list) in all { for p in list { p.deallocate() } }
    }

    /// Bytes currently handed out (tensors alive + workspaces in use).
    public var liveByteCount: Int { lock.withLock { liveBytes } }
    /// Highest `liveByteCount` seen since the last `resetPeak()`.
    public var peakLiveBytes: Int { lock.withLock { _peakLiveBytes } }
    /// Starts a new peak measurement from the current live size.
    public func resetPeak() { lock.withLock { _peakLiveBytes = liveBytes } }
    /// Number of buffers currently in the free lists.
    public var pooledBufferCount: Int { lock.withLock { free.values.reduce(0) { $0 + $1.count } } }
}

/// Reference-counted storage of a tensor; its buffer goes back to the pool on release.
final class TensorStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = BufferPool.shared.take(count)
    }

    deinit { BufferPool.shared.give(pointer, count: count) }
}
