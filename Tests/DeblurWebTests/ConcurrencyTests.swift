import DeblurWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Stream
import Testing

@Suite("Bounded concurrency over real connections")
struct ConcurrencyTests {
    @Test("more requests than workers + queue: every one is answered, the overflow at once with 503 + Retry-After")
    func overflowGets503() async throws {
        // One worker, two places in the queue; jobs block until the gate opens, which happens only after the five
        // surplus requests have been refused — so the outcome does not depend on timing: 3 × 200 and 5 × 503.
        let config = WebConfiguration(port: 0, concurrentJobs: 1, queueLength: 2, retryAfterSeconds: 3)
        let gate = Gate()
        let png = try Fixtures.png(width: 24, height: 16)
        let app = Fixtures.app(Fixtures.service(config, processor: { GatedPassThrough(gate: gate) }))
        let results = try await app.test(.ahc(.http)) { client in
            try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, Int?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: png)) { r in
                            let width = r.status == .ok ? try Fixtures.codec.decode(r.body.data, maxPixels: .max).width : nil
                            return (r.status, r.headers[.retryAfter], width)
                        }
                    }
                }
                var all: [(HTTPResponse.Status, String?, Int?)] = []
                for try await r in group {
                    all.append(r)
                    if all.filter({ $0.0 == .serviceUnavailable }).count == 5 { gate.open() }
                }
                gate.open()
                return all
            }
        }
        #expect(results.count == 8)
        let ok = results.filter { $0.0 == .ok }
        let busy = results.filter { $0.0 == .serviceUnavailable }
        #expect(ok.count == 3 && busy.count == 5, "\(results.map(\.0))")
        #expect(busy.allSatisfy { $0.1 == "3" })
        #expect(ok.allSatisfy { $0.2 == 24 })
    }

    @Test("a burst within workers + queue is served completely")
    func queueAbsorbsBurst() async throws {
        let config = WebConfiguration(port: 0, concurrentJobs: 2, queueLength: 6)
        let png = try Fixtures.png(width: 24, height: 16)
        let app = Fixtures.app(Fixtures.service(config, processor: { SlowPassThrough(seconds: 0.05) }))
        let statuses = try await app.test(.ahc(.http)) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: png)) { $0.status }
                    }
                }
                var all: [HTTPResponse.Status] = []
                for try await s in group { all.append(s) }
                return all
            }
        }
        #expect(statuses.count == 8 && statuses.allSatisfy { $0 == .ok }, "\(statuses)")
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

    @Test("background work (video jobs) waits beyond the queue, does not fill it, and goes after waiting requests")
    func backgroundWaitsBehindRequests() async throws {
        let limiter = JobLimiter(slots: 1, queueLength: 1)
        try await limiter.acquire()
        let order = OrderLog()
        var jobs: [Task<Void, any Error>] = []
        for i in 1...3 {
            jobs.append(Task { try await limiter.acquire(background: true); await order.append(10 + i) })
            while await limiter.load.waiting < i { await Task.yield() }
        }
        // Three video jobs wait, yet an image request is neither refused nor put behind them.
        #expect(await limiter.isFull == false)
        let image = Task { try await limiter.acquire(); await order.append(1) }
        while await limiter.load.waiting < 4 { await Task.yield() }
        #expect(await limiter.isFull)
        await #expect(throws: JobLimiter.Refusal.busy) { try await limiter.acquire() }
        await limiter.release()
        try await image.value
        for job in jobs {
            await limiter.release()
            try await job.value
        }
        #expect(await order.values == [1, 11, 12, 13])
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
