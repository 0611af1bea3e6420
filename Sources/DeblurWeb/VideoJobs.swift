import Foundation
import Logging
import Stream

/// State of one video job as `GET /api/jobs/{id}` reports it.
public struct VideoJobStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case queued, running, done, failed
    }

    public var id: String
    public var state: State
    public var framesDone: Int
    /// Frames the container announced; nil if it did not say.
    public var framesTotal: Int?
    /// 0…1, from frames when the total is known.
    public var progress: Double?
    public var error: String?
    /// Where to fetch the result once `state == .done`.
    public var resultURL: String?
}

/// Video jobs: validated on upload, queued on the shared `JobLimiter`, processed frame by frame with progress,
/// results kept in the job's private scratch directory until they expire or the server stops.
///
/// Job ids are random UUIDs made here; a client's id is only ever a dictionary key, never part of a path.
public actor VideoJobStore {
    private struct Job {
        var status: VideoJobStatus
        let scratch: ScratchDirectory
        var finishedAt: Date?
    }

    private var jobs: [UUID: Job] = [:]
    private let configuration: WebConfiguration
    private let limiter: JobLimiter
    private let pool: ProcessorPool
    private let scratchParent: URL?
    private let logger: Logger

    init(configuration: WebConfiguration, limiter: JobLimiter, pool: ProcessorPool, scratchParent: URL?, logger: Logger) {
        self.configuration = configuration
        self.limiter = limiter
        self.pool = pool
        self.scratchParent = scratchParent
        self.logger = logger
    }

    /// Checks the upload is a video within the limits, stores it and queues the job; returns its first status.
    public func submit(_ upload: Data) async throws(WebError) -> VideoJobStatus {
        purgeExpired()
        if jobs.count >= configuration.maxStoredJobs,
           let (oldest, job, _) = jobs.compactMap({ id, job in job.finishedAt.map { (id, job, $0) } }).min(by: { $0.2 < $1.2 }) {
            // A finished job makes room for a new one (oldest first); only unfinished jobs make the store full.
            job.scratch.remove()
            jobs[oldest] = nil
        }
        guard jobs.count < configuration.maxStoredJobs else { throw .busy(retryAfterSeconds: configuration.retryAfterSeconds) }
        let scratch: ScratchDirectory
        do { scratch = try ScratchDirectory(parent: scratchParent) } catch { throw .internalError("no scratch space: \(error)") }
        let input = scratch.file("input")
        let total: Int?
        do {
            try upload.write(to: input)
            total = try Self.validate(input, in: scratch, configuration: configuration)
        } catch let error as WebError {
            scratch.remove()
            throw error
        } catch {
            scratch.remove()
            throw .internalError("\(error)")
        }
        let id = UUID()
        let status = VideoJobStatus(id: id.uuidString.lowercased(), state: .queued, framesDone: 0, framesTotal: total,
                                    progress: total == nil ? nil : 0, error: nil, resultURL: nil)
        jobs[id] = Job(status: status, scratch: scratch)
        Task { await self.run(id) }
        return status
    }

    /// The job's status, or nil for an unknown (or expired) id.
    public func status(_ idText: String) -> VideoJobStatus? {
        purgeExpired()
        guard let id = UUID(uuidString: idText) else { return nil }
        return jobs[id]?.status
    }

    /// Long poll: returns as soon as the status differs from what it was on arrival, or after `limit`.
    /// Clients then need no timers between polls (which headless browsers' virtual time would skip).
    public func status(_ idText: String, waitingUpTo limit: Duration) async -> VideoJobStatus? {
        guard let first = status(idText), first.state == .queued || first.state == .running else { return status(idText) }
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
            guard let now = status(idText) else { return nil }
            if now != first { return now }
        }
        return status(idText)
    }

    /// The finished video's bytes; `.notFound` for unknown ids, `.conflict`-like 409 while it is not done.
    public func result(_ idText: String) throws(WebError) -> Data {
        guard let id = UUID(uuidString: idText), let job = jobs[id] else { throw .notFound("no such job") }
        guard job.status.state == .done else {
            throw .notReady("the job is \(job.status.state.rawValue); fetch the result when it is done")
        }
        do { return try Data(contentsOf: job.scratch.file("output.mp4")) } catch { throw .internalError("result lost: \(error)") }
    }

    /// Deletes every job's files (server shutdown).
    public func removeAll() {
        for job in jobs.values { job.scratch.remove() }
        jobs.removeAll()
    }

    private func purgeExpired() {
        let now = Date()
        for (id, job) in jobs {
            if let t = job.finishedAt, now.timeIntervalSince(t) > configuration.jobRetentionSeconds {
                job.scratch.remove()
                jobs[id] = nil
            }
        }
    }

    private func update(_ id: UUID, _ change: (inout VideoJobStatus) -> Void) {
        guard var job = jobs[id] else { return }
        change(&job.status)
        if job.status.state == .done || job.status.state == .failed { job.finishedAt = Date() }
        jobs[id] = job
    }

    /// Frame progress reported from the worker thread.
    nonisolated func reportProgress(_ id: UUID, frames: Int) {
        Task { await self.update(id) { s in
            s.framesDone = max(s.framesDone, frames)
            if let total = s.framesTotal, total > 0 { s.progress = min(1, Double(s.framesDone) / Double(total)) }
        } }
    }

    private func run(_ id: UUID) async {
        guard let job = jobs[id] else { return }
        let scratch = job.scratch
        do {
            try await limiter.acquire(background: true)
        } catch {
            update(id) { $0.state = .failed; $0.error = "cancelled while waiting for a worker" }
            return
        }
        update(id) { $0.state = .running }
        let pool = self.pool
        let maxFrames = configuration.maxVideoFrames
        let limiter = self.limiter
        do {
            let frames = try await BlockingWork.run { [self] in
                defer { Task { await limiter.release() } }
                return try Self.process(input: scratch.file("input"), output: scratch.file("output.mp4"),
                                        maxFrames: maxFrames, pool: pool) { self.reportProgress(id, frames: $0) }
            }
            update(id) { s in
                s.state = .done
                s.framesDone = frames
                s.framesTotal = frames
                s.progress = 1
                s.resultURL = "/api/jobs/\(s.id)/result"
            }
        } catch {
            logger.warning("video job \(id.uuidString.lowercased()) failed: \(error)")
            let message = scratch.clientMessage(for: error)
            update(id) { $0.state = .failed; $0.error = message }
            // Nobody can fetch a failed job's result: its partial video only takes disk until the job expires.
            try? FileManager.default.removeItem(at: scratch.file("output.mp4"))
        }
        try? FileManager.default.removeItem(at: scratch.file("input"))
    }

    /// Opens the stored upload with FFmpeg: must be a video (not a still image), within the pixel and frame limits.
    /// Returns the announced frame count.
    private static func validate(_ input: URL, in scratch: ScratchDirectory, configuration: WebConfiguration) throws -> Int? {
        let decoder: FrameDecoder
        do { decoder = try FrameDecoder(location: input.path, threads: 1) } catch {
            throw WebError.unsupportedMediaType("not a video FFmpeg can decode (\(scratch.clientMessage(for: error)))")
        }
        let info = decoder.videoInfo
        if info.isImage {
            throw WebError.unsupportedMediaType("this is a still image (\(info.codecName)); send it to /api/deblur")
        }
        guard info.width > 0, info.height > 0 else { throw WebError.unsupportedMediaType("the video has no picture size") }
        if info.width * info.height > configuration.maxPixels {
            throw WebError.payloadTooLarge("video frames are \(info.width)×\(info.height) = \(info.width * info.height) "
                + "pixels; the limit is \(configuration.maxPixels) pixels")
        }
        if let count = info.frameCount {
            // An estimate (duration × rate) can be a frame off: refuse on it only when clearly over; decoding
            // counts exactly and stops a clip past the limit.
            let limit = configuration.maxVideoFrames + (info.frameCountIsEstimate ? 1 : 0)
            if count > limit {
                throw WebError.payloadTooLarge("the video has \(info.frameCountIsEstimate ? "about " : "")\(count) frames; "
                    + "the limit is \(configuration.maxVideoFrames)")
            }
        }
        return info.frameCount
    }

    /// Decode → restore → encode (H.264 in MP4, audio copied or made AAC), one frame at a time; returns the frame count.
    private static func process(input: URL, output: URL, maxFrames: Int, pool: ProcessorPool,
                                progress: (Int) -> Void) throws -> Int {
        let decoder = try FrameDecoder(location: input.path, threads: 1)
        let encoder = try FrameEncoder(location: output.path, settings: EncoderSettings(format: "mp4", threads: 1, suggestsContainer: false),
                                       video: decoder.videoInfo, audio: decoder.audioTrack)
        var count = 0
        try pool.withProcessor { processor in
            // Each frame goes in with the neighbours the processor asks for (a multi-frame model, the motion
            // gate), as `deblur` hands them on; so it waits for the frames after it, held packed as there.
            var window = NeighbourWindow<PackedFrame>(radius: processor.temporalRadius)
            var written = 0
            func restore(_ ready: [(element: PackedFrame, neighbours: [PackedFrame])]) throws {
                for (frame, neighbours) in ready {
                    var source = frame.unpacked()
                    source.neighbours = neighbours
                    var restored = try processor.process(source)
                    restored.neighbours = []
                    restored.pts = frame.pts
                    restored.index = frame.index
                    try encoder.write(restored)
                    try encoder.write(passthrough: decoder.takePassthroughPackets())
                    written += 1
                    progress(written)
                }
            }
            while let frame = try decoder.nextPackedFrame() {
                count += 1
                guard count <= maxFrames else { throw WebError.payloadTooLarge("the video has more than \(maxFrames) frames") }
                try restore(window.push(frame))
            }
            try restore(window.finish())
        }
        try encoder.write(passthrough: decoder.takePassthroughPackets())
        try encoder.finish()
        return count
    }
}
