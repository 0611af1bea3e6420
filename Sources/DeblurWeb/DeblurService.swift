import Foundation
import Logging
import Stream

/// The work behind the HTTP routes, free of HTTP: limits, queueing, decode → restore → encode.
public final class DeblurService: Sendable {
    public let configuration: WebConfiguration
    public let codec: any ImageCodec
    public let limiter: JobLimiter
    /// Video jobs (`POST /api/jobs`), sharing the workers and the queue with image requests.
    public let videoJobs: VideoJobStore
    private let pool: ProcessorPool
    /// Processors for still images (`POST /api/deblur`): `pool` unless the service was given an image factory.
    private let imagePool: ProcessorPool
    private let logger: Logger

    /// `imageProcessorFactory`, when given, restores still images (e.g. a slower, better setting than video
    /// frames can afford); `processorFactory` restores video frames, and images too otherwise.
    public init(
        configuration: WebConfiguration,
        codec: any ImageCodec,
        processorFactory: @escaping ProcessorFactory,
        imageProcessorFactory: ProcessorFactory? = nil,
        scratchParent: URL? = nil,
        logger: Logger = Logger(label: "deblur-web")
    ) {
        self.configuration = configuration
        self.codec = codec
        self.limiter = JobLimiter(slots: configuration.concurrentJobs, queueLength: configuration.queueLength)
        self.pool = ProcessorPool(factory: processorFactory)
        self.imagePool = imageProcessorFactory.map { ProcessorPool(factory: $0) } ?? pool
        self.logger = logger
        self.videoJobs = VideoJobStore(configuration: configuration, limiter: limiter, pool: pool,
                                       scratchParent: scratchParent, logger: logger)
    }

    /// Removes every stored video job and its files; call when the server stops.
    public func shutdown() async {
        await videoJobs.removeAll()
    }

    /// The restored image as PNG, with the input's size and format.
    public struct DeblurResult: Sendable {
        public var png: Data
        public var info: ImageInfo
        /// Time spent decoding, restoring and encoding (not queueing).
        public var seconds: Double
    }

    /// Decodes `upload`, runs the processor, encodes PNG. Waits for a worker, bounded by the queue and the deadline.
    public func deblur(_ upload: Data) async throws(WebError) -> DeblurResult {
        let maxPixels = configuration.maxPixels
        let codec = self.codec
        let pool = self.imagePool
        return try await runJob { cancellation in
            let start = DispatchTime.now().uptimeNanoseconds
            let frame: Frame
            do throws(ImageCodecError) { frame = try codec.decode(upload, maxPixels: maxPixels) } catch { throw WebError(error) }
            let output: Frame
            do {
                output = try pool.withProcessor { try $0.process(frame, cancellation: cancellation) }
            } catch let error as WebError {
                throw error
            } catch {
                throw WebError.internalError("restoration failed: \(error)")
            }
            guard output.width == frame.width, output.height == frame.height else {
                throw WebError.internalError("the processor changed the image size")
            }
            let png: Data
            do throws(ImageCodecError) { png = try codec.encodePNG(output) } catch { throw WebError(error) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            return DeblurResult(
                png: png, info: ImageInfo(width: frame.width, height: frame.height, format: "png"), seconds: seconds)
        }
    }

    /// PSNR and SSIM of `image` against the sharp `reference` (same size), both decoded under the pixel limit.
    public func compare(image: Data, reference: Data) async throws(WebError) -> QualityScores {
        let maxPixels = configuration.maxPixels
        let codec = self.codec
        return try await runJob { _ in  // a comparison is quick: nothing to cancel
            let a: Frame
            let b: Frame
            do throws(ImageCodecError) {
                a = try codec.decode(image, maxPixels: maxPixels)
                b = try codec.decode(reference, maxPixels: maxPixels)
            } catch { throw WebError(error) }
            guard a.width == b.width, a.height == b.height else {
                throw WebError.unprocessable(
                    "the reference is \(b.width)×\(b.height) but the image is \(a.width)×\(a.height); they must match")
            }
            do { return try QualityScores(a, b) } catch {
                throw WebError.unprocessable("the images cannot be compared: \(error)")
            }
        }
    }

    /// Takes a worker slot (503 when the queue is full), runs `work` on a Dispatch thread, gives the slot back
    /// when the work really ends, and answers 503 if it takes longer than the processing timeout. The
    /// answered job's token is then set, so `work` can stop early (between tiles) and free its worker.
    private func runJob<T: Sendable>(_ work: @escaping @Sendable (CancellationToken) throws -> T) async throws(WebError) -> T {
        let limiter = self.limiter
        let retry = configuration.retryAfterSeconds
        let cancellation = CancellationToken()
        do {
            return try await withDeadline(configuration.processingTimeout) {
                try await limiter.acquire()
                // Released from the work itself, so an abandoned (timed-out) job still holds its slot until it ends.
                return try await BlockingWork.run {
                    defer { Task { await limiter.release() } }
                    return try work(cancellation)
                }
            }
        } catch let error as WebError {
            throw error
        } catch JobLimiter.Refusal.busy {
            throw .busy(retryAfterSeconds: retry)
        } catch is DeadlineExceeded {
            cancellation.cancel()
            logger.warning("job exceeded the processing timeout; it stops at its next tile")
            throw .processingTimeout(retryAfterSeconds: retry)
        } catch {
            throw .internalError("\(error)")
        }
    }
}
