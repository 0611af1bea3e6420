import Foundation
import MediaTestSupport
import Testing
@testable import Stream

/// Makes `count` tiny frames whose pixels encode their index; counts how many were produced.
private final class CountingSource: FrameSource, @unchecked Sendable {
    let count: Int
    let failAt: Int?
    private let lock = NSLock()
    private var produced = 0

    init(count: Int, failAt: Int? = nil) {
        self.count = count
        self.failAt = failAt
    }

    var expectedFrameCount: Int? { count }
    var producedCount: Int { lock.withLock { produced } }

    func nextFrame() throws -> Frame? {
        let i = lock.withLock { produced }
        if i == failAt { throw DecodeError.corruptStream(framesDecoded: i, seconds: nil, reason: "test") }
        guard i < count else { return nil }
        lock.withLock { produced += 1 }
        return Frame(width: 4, height: 2, pixels: [Float](repeating: Float(i), count: 24), pts: Int64(i * 10), index: i)
    }

    func takePassthroughPackets() -> [MediaPacket] { [] }
}

/// Collects frames; can be made to stall until released.
final class CollectingSink: FrameSink, @unchecked Sendable {
    private let lock = NSLock()
    private var frames: [Frame] = []
    private var finishedFlag = false
    let gate: DispatchSemaphore?

    init(stalled: Bool = false) { gate = stalled ? DispatchSemaphore(value: 0) : nil }

    var received: [Frame] { lock.withLock { frames } }
    var finished: Bool { lock.withLock { finishedFlag } }

    func write(_ frame: Frame) throws {
        gate?.wait()
        gate?.signal()  // once opened, stays open
        lock.withLock { frames.append(frame) }
    }

    func write(passthrough packets: [MediaPacket]) throws {}
    func finish() throws { lock.withLock { finishedFlag = true } }
}

/// Adds 1000 to every pixel after sleeping a random 0–3 ms, so frames finish out of order.
private struct SlowAdder: FrameProcessor {
    mutating func process(_ frame: Frame) throws -> Frame {
        usleep(UInt32.random(in: 0...3000))
        var out = frame
        for i in out.pixels.indices { out.pixels[i] += 1000 }
        out.pts = nil  // the pipeline must restore it
        return out
    }
}

private struct Failing: FrameProcessor {
    struct Boom: Error {}
    let at: Int
    func process(_ frame: Frame) throws -> Frame {
        if frame.index == at { throw Boom() }
        return frame
    }
}

@Suite struct PipelineTests {
    @Test func orderIsPreservedWithSeveralSlowWorkers() throws {
        let source = CountingSource(count: 200)
        let sink = CollectingSink()
        let stats = try Pipeline(workers: 4, queueCapacity: 3).run(source: source, sink: sink) { SlowAdder() }
        let frames = sink.received
        #expect(frames.map(\.index) == Array(0..<200))
        #expect(frames.map(\.pts) == (0..<200).map { Int64($0 * 10) })
        #expect(frames.allSatisfy { f in f.pixels.allSatisfy { $0 == Float(f.index) + 1000 } })
        #expect(sink.finished)
        #expect(stats.frames == 200)
        #expect(!stats.cancelled)
        #expect(stats.processSeconds > 0)
    }

    @Test func decoderBlocksWhenTheConsumerStalls() throws {
        let source = CountingSource(count: 10_000)
        let sink = CollectingSink(stalled: true)
        let pipeline = Pipeline(workers: 3, queueCapacity: 2)
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        DispatchQueue.global().async {
            box.set(Result { try pipeline.run(source: source, sink: sink) { PassThrough() } })
            done.signal()
        }
        // Wait until the decode stage stops producing (it would race through all 10 000 if it could),
        // polling so a loaded machine only makes this slower, not flaky.
        var producedWhileStalled = 0
        var stableFor = 0.0
        for _ in 0..<200 where stableFor < 0.5 {
            Thread.sleep(forTimeInterval: 0.05)
            let now = source.producedCount
            stableFor = (now == producedWhileStalled && now > 0) ? stableFor + 0.05 : 0
            producedWhileStalled = now
        }
        #expect(stableFor >= 0.5)  // it is blocked, not just slow
        #expect(producedWhileStalled <= pipeline.maxFramesInFlight)
        #expect(producedWhileStalled >= 2)
        sink.gate?.signal()
        done.wait()
        #expect(try box.get().frames == 10_000)
        #expect(sink.received.count == 10_000)
    }

    @Test func firstProcessingErrorStopsEveryStage() throws {
        let source = CountingSource(count: 100_000)
        let sink = CollectingSink()
        let pipeline = Pipeline(workers: 2, queueCapacity: 4)
        #expect {
            try pipeline.run(source: source, sink: sink) { Failing(at: 7) }
        } throws: { error in
            guard case .processing(let index, _, let underlying) = error as? PipelineError else { return false }
            return index == 7 && underlying is Failing.Boom
        }
        #expect(source.producedCount <= 7 + pipeline.maxFramesInFlight + 1)
        #expect(sink.received.count <= 7)
        #expect(!sink.finished)
    }

    @Test func sourceErrorKeepsEarlierFramesAndFinishesTheOutput() throws {
        let source = CountingSource(count: 100, failAt: 30)
        let sink = CollectingSink()
        #expect(throws: DecodeError.corruptStream(framesDecoded: 30, seconds: nil, reason: "test")) {
            try Pipeline(workers: 3).run(source: source, sink: sink) { PassThrough() }
        }
        #expect(sink.received.map(\.index) == Array(0..<30))
        #expect(sink.finished)
    }

    @Test func cancellationStopsInputAndFinishesOutput() throws {
        let source = CountingSource(count: 1_000_000)
        let sink = CollectingSink()
        let token = CancellationToken()
        let stats = try Pipeline(workers: 2).run(source: source, sink: sink, cancellation: token,
                                                 progress: { p in if p.framesDone == 20 { token.cancel() } }) { PassThrough() }
        #expect(stats.cancelled)
        #expect(sink.finished)
        #expect(stats.frames >= 20 && stats.frames < 1_000)
        #expect(sink.received.map(\.index) == Array(0..<stats.frames))
    }

    /// Ctrl-C during one long frame (8 views of a large still take seconds): the work stops inside it, and the
    /// output ends before it with every earlier frame, instead of waiting for the frame to finish.
    @Test(arguments: [1, 3])
    func cancellationInsideAFrameEndsTheOutputBeforeIt(workers: Int) throws {
        /// Frame 5 cancels the token and waits for it, as a long computation checking between its pieces would.
        struct Long: FrameProcessor {
            let token: CancellationToken
            func process(_ frame: Frame) throws -> Frame { frame }
            func process(_ frame: Frame, cancellation: CancellationToken) throws -> Frame {
                if frame.index == 5 { token.cancel() }
                if frame.index >= 5 {
                    for _ in 0..<2_000 { try cancellation.check(); usleep(1_000) }
                    Issue.record("frame \(frame.index) was not cancelled")
                }
                return frame
            }
        }
        let token = CancellationToken()
        let source = CountingSource(count: 1_000_000)
        let sink = CollectingSink()
        let stats = try Pipeline(workers: workers, queueCapacity: 2).run(source: source, sink: sink, cancellation: token) {
            Long(token: token)
        }
        #expect(stats.cancelled)
        #expect(sink.finished)
        #expect(sink.received.map(\.index) == Array(0..<5))
        #expect(source.producedCount < 100)
    }

    @Test func processorSizeChangeIsAnError() throws {
        struct Shrink: FrameProcessor {
            func process(_ frame: Frame) throws -> Frame { Frame(width: 1, height: 1) }
        }
        #expect {
            try Pipeline().run(source: CountingSource(count: 3), sink: CollectingSink()) { Shrink() }
        } throws: { error in
            if case .processorChangedSize(0, _, "4x2", "1x1") = error as? PipelineError { return true } else { return false }
        }
    }

    @Test func cancelledTranscodeLeavesPlayableFile() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv"), output = dir.appendingPathComponent("out.mp4")
        try MediaTools.makeClip(input)
        let decoder = try FrameDecoder(location: input.path)
        let encoder = try FrameEncoder(location: output.path, video: decoder.videoInfo, audio: decoder.audioTrack)
        let token = CancellationToken()
        let stats = try Pipeline(workers: 2).run(source: decoder, sink: encoder, cancellation: token,
                                                 progress: { p in if p.framesDone == 10 { token.cancel() } }) { PassThrough() }
        #expect(stats.cancelled)
        #expect(stats.frames >= 10 && stats.frames < 50)
        // ffprobe decodes every frame we wrote: the MP4 index (moov) was written.
        #expect(try MediaTools.framePTS(output).count == stats.frames)
    }
}

@Suite struct ReorderBufferTests {
    @Test func anEndDeliversWhatCameBeforeAndReleasesWaitingInserts() throws {
        let buffer = ReorderBuffer<Int>(capacity: 2)
        #expect(buffer.insert(1, at: 1))
        // Sequence 3 must wait for room (0 is not out yet); ending the stream at 2 lets it give up.
        let released = DispatchSemaphore(value: 0)
        let box = ResultFlag()
        DispatchQueue.global().async {
            box.set(buffer.insert(3, at: 3))
            released.signal()
        }
        usleep(50_000)
        #expect(buffer.insert(0, at: 0))
        buffer.end(at: 2)
        #expect(released.wait(timeout: .now() + 5) == .success)
        #expect(box.get() == false)
        #expect(buffer.popNext() == 0)
        #expect(buffer.popNext() == 1)
        #expect(buffer.popNext() == nil)  // not closed, yet it does not wait for 2
        #expect(!buffer.insert(2, at: 2))
    }
}

private final class ResultFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Bool?
    func set(_ v: Bool) { lock.withLock { value = v } }
    func get() -> Bool? { lock.withLock { value } }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<PipelineStats, any Error>?
    func set(_ r: Result<PipelineStats, any Error>) { lock.withLock { result = r } }
    func get() throws -> PipelineStats {
        guard let r = lock.withLock({ result }) else { throw CancellationError() }
        return try r.get()
    }
}

@Suite struct BufferRecyclingTests {
    /// The decoder reuses written frames' arrays; frames a sink still holds must not be overwritten.
    @Test func retainedFramesAreNotOverwrittenByRecycling() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mkv")
        try MediaTools.makeClip(input, seconds: 1, size: "64x48")
        let sink = CollectingSink()
        _ = try Pipeline(workers: 2, queueCapacity: 2).run(source: try FrameDecoder(location: input.path), sink: sink) { PassThrough() }
        let plain = try FrameDecoder(location: input.path)
        var reference: [Frame] = []
        while let f = try plain.nextFrame() { reference.append(f) }
        #expect(reference.count == 25)
        #expect(sink.received == reference)
    }
}
