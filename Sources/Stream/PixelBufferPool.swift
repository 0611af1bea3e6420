import Foundation

/// Recycles frame pixel arrays from the encode stage back to the decoder, so a long video allocates
/// (and page-faults in) a few frames' worth of memory once instead of one fresh array per frame.
final class PixelBufferPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [[Float]] = []
    private let limit: Int

    init(limit: Int = 16) { self.limit = limit }

    /// Keeps `pixels` for reuse unless the pool is full.
    func recycle(_ pixels: [Float]) {
        lock.withLock { if free.count < limit { free.append(pixels) } }
    }

    /// An array of exactly `count` elements with arbitrary contents, filled by `body`.
    func make(count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        // Bound straight from the pool's pop, so the array is uniquely referenced and is written in place.
        guard var buffer = take(count: count) else {
            return [Float](unsafeUninitializedCapacity: count) { buf, initialized in
                if let base = buf.baseAddress { body(base) }
                initialized = count
            }
        }
        buffer.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { body(base) } }
        return buffer
    }

    private func take(count: Int) -> [Float]? {
        lock.withLock {
            while let last = free.popLast() { if last.count == count { return last } }
            return nil
        }
    }
}
