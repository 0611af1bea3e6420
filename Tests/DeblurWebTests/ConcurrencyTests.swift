import DeblurWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Stream
import Testing

@Suite("Bounded concurrency over real connections")
struct ConcurrencyTests {
    /// Sends `count` uploads at once over a real HTTP client (one connection each) and returns the statuses.
    private func burst(
        _ count: Int, config: WebConfiguration, seconds: Double
    ) async throws -> [(HTTPResponse.Status, String?, Int?)] {
        let png = try Fixtures.png(width: 24, height: 16)
        let app = Fixtures.app(Fixtures.service(config, processor: { SlowPassThrough(seconds: seconds) }))
        return try await app.test(.ahc(.http)) { client in
            try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, Int?).self) { group in
                for _ in 0..<count {
                    group.addTask {
                        try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: png)) { r in
                            var width: Int?
                            if r.status == .ok {
                                let body = r.body
                                width = try Fixtures.codec.decode(body.data, maxPixels: .max).width
                            }
                            return (r.status, r.headers[.retryAfter], width)
                        }
                    }
                }
                var all: [(HTTPResponse.Status, String?, Int?)] = []
                for try await r in group { all.append(r) }
                return all
            }
        }
    }

    @Test("more requests than workers + queue: every one is answered, the overflow with 503 + Retry-After")
    func overflowGets503() async throws {
        let config = WebConfiguration(port: 0, concurrentJobs: 1, queueLength: 2, retryAfterSeconds: 3)
        let results = try await burst(8, config: config, seconds: 0.4)
        #expect(results.count == 8)
        let ok = results.filter { $0.0 == .ok }
        let busy = results.filter { $0.0 == .serviceUnavailable }
        #expect(ok.count + busy.count == 8, "only 200 and 503 expected: \(results.map(\.0))")
        #expect(ok.count >= 1 && ok.count <= 3 + 1)  // one running, two queued (+1 if one finished during the burst)
        #expect(busy.count >= 4)
        #expect(busy.allSatisfy { $0.1 == "3" })
        #expect(ok.allSatisfy { $0.2 == 24 })
    }

    @Test("a burst within workers + queue is served completely, two at a time")
    func queueAbsorbsBurst() async throws {
        let config = WebConfiguration(port: 0, concurrentJobs: 2, queueLength: 6)
        let results = try await burst(8, config: config, seconds: 0.05)
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0.0 == .ok && $0.2 == 24 }, "\(results.map(\.0))")
    }
}

@Suite("JobLimiter")
struct JobLimiterTests {
    @Test("slots, then a bounded FIFO queue, then refusal; release hands the slot to the oldest waiter")
    func fifoAndRefusal() async throws {
        let limiter = JobLimiter(slots: 1, queueLength: 2)
        try await limiter.acquire()
        let order = OrderLog()
        let first = Task { try await limiter.acquire(); await order.append(1) }
        while await limiter.load.waiting < 1 { await Task.yield() }
        let second = Task { try await limiter.acquire(); await order.append(2) }
        while await limiter.load.waiting < 2 { await Task.yield() }
        await #expect(throws: JobLimiter.Refusal.busy) { try await limiter.acquire() }
        await limiter.release()
        try await first.value
        let midway = await limiter.load
        #expect(midway.running == 1 && midway.waiting == 1)
        await limiter.release()
        try await second.value
        #expect(await order.values == [1, 2])
        await limiter.release()
        let end = await limiter.load
        #expect(end.running == 0 && end.waiting == 0)
    }

    @Test("a cancelled waiter leaves the queue and frees its place")
    func cancellation() async throws {
        let limiter = JobLimiter(slots: 1, queueLength: 1)
        try await limiter.acquire()
        let waiter = Task { try await limiter.acquire() }
        while await limiter.load.waiting < 1 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: JobLimiter.Refusal.cancelled) { try await waiter.value }
        #expect(await limiter.load.waiting == 0)
        await limiter.release()
        #expect(await limiter.load.running == 0)
    }
}

private actor OrderLog {
    var values: [Int] = []
    func append(_ v: Int) { values.append(v) }
}
