/// Per-frame latencies in 1 ms buckets: fixed memory however long a live stream runs.
public struct LatencyHistogram: Sendable, Equatable {
    /// Bucket i counts latencies in [i, i+1) ms; the last bucket collects everything above.
    private var buckets = [Int](repeating: 0, count: 60_001)
    public private(set) var count = 0

    public init() {}

    public mutating func add(seconds: Double) {
        let ms = Int((max(0, seconds) * 1000).rounded(.down))
        buckets[min(ms, buckets.count - 1)] += 1
        count += 1
    }

    /// The latency (seconds, upper edge of its 1 ms bucket) below which `fraction` of the samples fall; nil if empty.
    public func percentile(_ fraction: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((fraction * Double(count)).rounded(.up)))
        var seen = 0
        for (ms, n) in buckets.enumerated() {
            seen += n
            if seen >= rank { return Double(ms + 1) / 1000 }
        }
        return Double(buckets.count) / 1000
    }
}
