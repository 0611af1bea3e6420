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
    private var _peakLiveBytes = 0

    public init(capacityBytes: Int) { _capacity = capacityBytes }

    /// Takes a buffer of exactly `count` floats (contents undefined).
    public func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let n = max(count, 1)
        let reused: UnsafeMutablePointer<Float>? = lock.withLock {
            liveBytes += n * 4
            _peakLiveBytes = max(_peakLiveBytes, liveBytes)
            if var list = free[n], let p = list.popLast() {
                free[n] = list
                pooledBytes -= n * 4
                return p
            }
            return nil
        }
        if let p = reused { return p }
        return UnsafeMutablePointer<Float>.allocate(capacity: n)
    }

    /// Returns a buffer obtained from `take(count)`.
    public func give(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let n = max(count, 1)
        let keep: Bool = lock.withLock {
            liveBytes -= n * 4
            if pooledBytes + n * 4 <= _capacity {
                free[n, default: []].append(p)
                pooledBytes += n * 4
                return true
            }
            return false
        }
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
