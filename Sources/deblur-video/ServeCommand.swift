import ArgumentParser
import DeblurWeb
import Foundation
import Logging
import Stream

/// `deblur-video serve`: the web page and HTTP API on a local port.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a web page to upload a blurry image, deblur it and compare before/after.",
        discussion: """
        Open the printed address in a browser. The API behind the page (U=http://127.0.0.1:8080):
          curl --data-binary @blurry.jpg -o sharp.png $U/api/deblur
          curl -F image=@sharp.png -F reference=@original.png $U/api/compare
          curl --data-binary @clip.mp4 $U/api/jobs       (→ 202 {"id": …})
          curl $U/api/jobs/ID                            (state, progress)
          curl -o sharp.mp4 $U/api/jobs/ID/result
          curl $U/api/status                             (method, limits, load)

        LIMITS:
          413  upload over --max-upload-mb, image over --max-pixels,
               video over --max-frames or with frames over --max-pixels
          415  content FFmpeg does not identify as PNG/JPEG (or a video for jobs)
          503  --jobs busy and --queue full, or over --timeout (Retry-After)
          408  an upload whose body takes over 60 s to arrive
        Uploads live in a private temporary directory, deleted after each
        request; video results after 30 minutes or when the server stops.
        Listens on loopback only unless --host says otherwise. Ctrl-C stops.
        """
    )

    @Option(help: "Address to listen on (loopback by default; 0.0.0.0 exposes the server to the network).")
    var host: String = "127.0.0.1"

    @Option(parsing: .unconditional, help: "TCP port (0 picks a free one and prints it).")
    var port: Int = 8080

    @Option(help: "Restoration method: \(Method.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: Method = .gan

    @OptionGroup(title: "GAN model and tiling")
    var model: ModelFlags

    @OptionGroup(title: "Video jobs")
    var gate: MotionGateFlags

    @Option(name: .customLong("max-upload-mb"), parsing: .unconditional, help: "Largest accepted upload, in MiB.")
    var maxUploadMB: Int = 25

    @Option(parsing: .unconditional, help: "Largest accepted image in pixels (width × height), against decompression bombs.")
    var maxPixels: Int = 8_388_608

    @Option(parsing: .unconditional, help: "Images processed at the same time.")
    var jobs: Int = 1

    @Option(parsing: .unconditional, help: "Requests that may wait for a free worker before the server answers 503.")
    var queue: Int = 4

    @Option(parsing: .unconditional, help: "Seconds a request may wait and be processed before the server gives up with 503.")
    var timeout: Int = 300

    @Option(parsing: .unconditional, help: "Longest video accepted by POST /api/jobs, in frames.")
    var maxFrames: Int = 900

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard (1...1_048_576).contains(maxUploadMB) else { throw ValidationError("--max-upload-mb must be 1…1048576 (1 TB), got \(maxUploadMB)") }
        guard maxPixels >= 1 else { throw ValidationError("--max-pixels must be at least 1") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard queue >= 0 else { throw ValidationError("--queue must be 0 or more") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1") }
        guard maxFrames >= 1 else { throw ValidationError("--max-frames must be at least 1") }
    }

    func run() throws {
        FFmpegSupport.setLogging(verbose: false)  // encoder statistics would flood the server's log per job
        let configuration = WebConfiguration(
            host: host, port: port, maxUploadBytes: maxUploadMB * 1024 * 1024, maxPixels: maxPixels,
            concurrentJobs: jobs, queueLength: queue, processingTimeout: .seconds(timeout), methodName: method.rawValue,
            maxVideoFrames: maxFrames)
        var options = MethodOptions()
        options.model = model.settings()
        options.workers = jobs
        // Video jobs run as `deblur` runs a video; an uploaded still has no neighbours, so the gate passes it through.
        let factory = gate.wrap(try makeProcessorFactory(for: method, options: options), method: method)
        // Uploaded stills get what `deblur` gives a still (8 views unless --ensemble says); video jobs one pass.
        var imageOptions = options
        imageOptions.model.ensemble = model.views(forStillImage: true)
        let imageFactory = method == .gan ? try makeProcessorFactory(for: method, options: imageOptions) : nil
        var logger = Logger(label: "deblur-video.serve")
        logger.logLevel = .info
        let service = DeblurService(configuration: configuration, codec: FFmpegImageCodec(), processorFactory: factory,
                                    imageProcessorFactory: imageFactory, logger: logger)
        let host = self.host
        // 127.0.0.0/8 is all loopback; anything else may be reachable from other machines.
        if !(["::1", "localhost"].contains(host) || host.hasPrefix("127.")) {
            FileHandle.standardError.write(Data("warning: listening on \(host), not loopback: anyone who can reach this address can upload\n".utf8))
        }
        let app = WebApplication.makeApplication(service: service, logger: logger) { port in
            let shown = host.contains(":") ? "[\(host)]" : host
            FileHandle.standardError.write(Data("deblur-video: serving on http://\(shown):\(port)/ (Ctrl-C to stop)\n".utf8))
        }
        // ArgumentParser runs this synchronously; the server runs on Swift's concurrency pool meanwhile.
        let outcome = ServerOutcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await app.runService() } catch { outcome.error = error }
            await service.shutdown()  // video jobs' files
            done.signal()
        }
        done.wait()
        if let error = outcome.error {
            if "\(error)".contains("Address already in use") {
                throw CLIFailure(.output, "port \(port) on \(host) is in use by another program; pick another with --port (0: any free port)")
            }
            throw CLIFailure(.output, "the server stopped: \(error)")
        }
    }
}

/// Carries the server task's error back to the blocked main thread (written before the semaphore is signalled).
private final class ServerOutcome: @unchecked Sendable {
    var error: (any Error)?
}
