import Dispatch
import Foundation

/// Decode → N processing workers → encode: one thread per stage, joined by bounded queues, awaited with Dispatch groups.
///
/// The decode stage fills a FIFO of `queueCapacity` frames; each worker owns its processor (made by
/// the factory on the worker's thread, since processors keep scratch buffers); a reorder buffer of
/// `queueCapacity` restores the source order for the encode stage. At most
/// `maxFramesInFlight` frames exist at once, so memory stays flat however long the input is. A processor that
/// looks at neighbouring frames (`temporalRadius` r) gets them in `Frame.neighbours`: the decode stage holds r
/// frames back, and r more stay referenced, so up to 2r more frames exist. Frames wait
/// in their packed form (`PackedFrame`, 8-bit YUV where source and sink allow it); only the ones being
/// processed are float.
public struct Pipeline: Sendable {
    public var workers: Int
    public var queueCapacity: Int

    public init(workers: Int = 1, queueCapacity: Int = 4) {
        self.workers = max(1, workers)
        self.queueCapacity = max(1, queueCapacity)
    }

    /// Upper bound on frames decoded but not yet written: input queue + workers + reorder buffer,
    /// plus the one the decoder is handing over and the one the encoder is writing.
    public var maxFramesInFlight: Int { 2 * queueCapacity + workers + 2 }

    private struct WorkItem: Sendable {
        var sequence: Int
        var frame: PackedFrame
        /// The frames around this one, for a processor with a temporal radius (see `Frame.neighbours`).
        var neighbours: [PackedFrame] = []
        var passthrough: [MediaPacket]
        /// The source handed over float pixels, so it takes them back (a source of packed frames would only hoard them).
        var fromFloatSource: Bool
    }

    /// Runs to the end of the source (or until cancelled) and finalizes the sink.
    ///
    /// Errors: the first error of any stage stops every stage and is rethrown. A source error is
    /// special: frames decoded before it are still processed and written and the sink is finished
    /// (a playable partial output), then the source's error is thrown.
    public func run(source: some FrameSource, sink: some FrameSink,
                    cancellation: CancellationToken = CancellationToken(),
                    progress: (@Sendable (PipelineProgress) -> Void)? = nil,
                    makeProcessor: @escaping @Sendable () throws -> any FrameProcessor) throws -> PipelineStats {
        let input = BoundedQueue<WorkItem>(capacity: queueCapacity)
        let output = ReorderBuffer<WorkItem>(capacity: queueCapacity)
        let state = SharedState()
        // The first worker's processor says how many neighbours each frame needs; decoding waits for it.
        let radius = RadiusLatch()
        let onFailure: @Sendable (any Error) -> Void = { error in
            if state.fail(error) {
                input.cancel()
                output.cancel()
            }
        }
        let total = source.expectedFrameCount
        let start = DispatchTime.now()
        let stages = DispatchGroup()
        let workerGroup = DispatchGroup()

        startStage("deblur-video.decode", group: stages) {
            var sequence = 0
            var busy = 0.0
            defer {
                input.close()
                state.addTimes(decode: busy)
            }
            var window = NeighbourWindow<WorkItem>(radius: radius.wait())
            // Hands items on with their neighbours' frames; false once the queue is shut.
            func handOn(_ ready: [(element: WorkItem, neighbours: [WorkItem])]) -> Bool {
                for (element, neighbours) in ready {
                    var item = element
                    item.neighbours = neighbours.map(\.frame)
                    guard input.push(item) else { return false }
                }
                return true
            }
            defer { if !state.hasFailed { _ = handOn(window.finish()) } }
            while !state.hasFailed {
                if cancellation.isCancelled { state.markCancelled(); break }
                let t0 = DispatchTime.now()
                let frame: PackedFrame?
                do {
                    frame = try source.nextPackedFrame()
                } catch {
                    state.setSourceError(error)
                    break
                }
                busy += seconds(since: t0)
                guard let frame else {
                    state.setTail(source.takePassthroughPackets())
                    break
                }
                let item = WorkItem(sequence: sequence, frame: frame, passthrough: source.takePassthroughPackets(),
                                    fromFloatSource: !frame.isCompact)
                guard handOn(window.push(item)) else { break }
                sequence += 1
            }
        }

        for worker in 0..<workers {
            startStage("deblur-video.process.\(worker)", group: workerGroup) {
                var busy = 0.0
                defer { state.addTimes(process: busy) }
                var processor: any FrameProcessor
                do {
                    processor = try makeProcessor()
                } catch {
                    onFailure(PipelineError.processorSetup(underlying: error))
                    if worker == 0 { radius.publish(0) }
                    return
                }
                if worker == 0 { radius.publish(processor.temporalRadius) }
                // The float array of the last output, reused to unpack the next input (a compact frame).
                let pixelPool = PixelBufferPool(limit: 1)
                while var item = input.pop() {
                    let t0 = DispatchTime.now()
                    // Nothing to compute: the decoded picture goes to the sink as it is, as `ffmpeg` would pass it.
                    if processor.isIdentity {
                        guard output.insert(item, at: item.sequence) else { return }
                        busy += seconds(since: t0)
                        continue
                    }
                    var source = item.frame.unpacked(using: pixelPool)
                    source.neighbours = item.neighbours
                    do {
                        var result = try processor.process(source, cancellation: cancellation)
                        result.neighbours = []
                        guard result.width == source.width, result.height == source.height else {
                            throw PipelineError.processorChangedSize(
                                frameIndex: source.index, method: processor.name,
                                expected: "\(source.width)x\(source.height)", got: "\(result.width)x\(result.height)")
                        }
                        result.pts = source.pts
                        result.index = source.index
                        item.frame = sink.pack(result)
                        if item.frame.isCompact { pixelPool.recycle(result.pixels) }
                    } catch let error as PipelineError {
                        onFailure(error)
                        return
                    } catch is ProcessingCancelled where cancellation.isCancelled {
                        // Stopped inside a frame (Ctrl-C during seconds of work on one): the output ends before it,
                        // with every earlier frame, as when the decoder stops. What still waits in the FIFO comes
                        // after it, so it is dropped, which also frees a decoder blocked on a full queue.
                        state.markCancelled()
                        output.end(at: item.sequence)
                        input.cancel()
                        return
                    } catch {
                        onFailure(PipelineError.processing(frameIndex: source.index, method: processor.name, underlying: error))
                        return
                    }
                    busy += seconds(since: t0)
                    guard output.insert(item, at: item.sequence) else { return }
                }
            }
        }
        workerGroup.notify(queue: DispatchQueue.global()) { output.close() }

        startStage("deblur-video.encode", group: stages) {
            var busy = 0.0
            var done = 0
            defer { state.addTimes(encode: busy, frames: done) }
            while var item = output.popNext() {
                let t0 = DispatchTime.now()
                do {
                    try sink.write(item.frame)
                    try sink.write(passthrough: item.passthrough)
                } catch {
                    onFailure(error)
                    return
                }
                // Float pixels go back for the decoder to refill (after dropping our reference, so they are unique).
                if item.fromFloatSource, case .rgb(let frame) = item.frame.storage {
                    item.frame = PackedFrame(Frame(width: 0, height: 0, pixels: []))
                    source.recycle(frame.pixels)
                }
                busy += seconds(since: t0)
                done += 1
                progress?(PipelineProgress(framesDone: done, totalFrames: total, elapsed: seconds(since: start)))
            }
            guard !state.hasFailed else { return }
            let t0 = DispatchTime.now()
            do {
                try sink.write(passthrough: state.takeTail())
                try sink.finish()
            } catch {
                onFailure(error)
            }
            busy += seconds(since: t0)
        }

        stages.wait()
        workerGroup.wait()
        let result = state.snapshot()
        if let error = result.failure ?? result.sourceError { throw error }
        return PipelineStats(frames: result.frames, wallSeconds: seconds(since: start),
                             decodeSeconds: result.decode, processSeconds: result.process,
                             encodeSeconds: result.encode, cancelled: result.cancelled)
    }
}

/// Runs a stage on its own thread: stages block on the queues, and Dispatch's pool on Linux is only as wide as
/// the CPU count, so blocking work items there could starve the very stage that would unblock them.
private func startStage(_ name: String, group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
    group.enter()
    let thread = Thread {
        body()
        group.leave()
    }
    thread.name = name
    thread.start()
}

private func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

/// A value published once by one stage and awaited by another (the processors' temporal radius).
private final class RadiusLatch: @unchecked Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private var value = 0

    func publish(_ radius: Int) {
        value = radius
        ready.signal()
    }

    /// Blocks until `publish`; the semaphore orders the write before this read.
    func wait() -> Int {
        ready.wait()
        ready.signal()  // later waiters (none today) pass too
        return value
    }
}

/// Errors, timings and leftover packets shared by the stages, behind one lock.
private final class SharedState: @unchecked Sendable {
    struct Snapshot {
        var failure: (any Error)?
        var sourceError: (any Error)?
        var cancelled = false
        var decode = 0.0, process = 0.0, encode = 0.0
        var frames = 0
    }

    private let lock = NSLock()
    private var data = Snapshot()
    private var tail: [MediaPacket] = []

    var hasFailed: Bool { lock.withLock { data.failure != nil } }

    /// Records the first error; returns true if this call was the first.
    func fail(_ error: any Error) -> Bool {
        lock.withLock {
            guard data.failure == nil else { return false }
            data.failure = error
            return true
        }
    }

    func setSourceError(_ error: any Error) { lock.withLock { data.sourceError = error } }
    func markCancelled() { lock.withLock { data.cancelled = true } }
    func setTail(_ packets: [MediaPacket]) { lock.withLock { tail = packets } }
    func takeTail() -> [MediaPacket] { lock.withLock { defer { tail = [] }; return tail } }

    func addTimes(decode: Double = 0, process: Double = 0, encode: Double = 0, frames: Int = 0) {
        lock.withLock {
            data.decode += decode
            data.process += process
            data.encode += encode
            data.frames += frames
        }
    }

    func snapshot() -> Snapshot { lock.withLock { data } }
}
