import DeblurWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Stream

/// Small images and processors shared by the tests.
enum Fixtures {
    static let codec = FFmpegImageCodec()

    /// A deterministic colour ramp whose samples are exact multiples of 1/255, so PNG round-trips are lossless.
    static func ramp(width: Int, height: Int) -> Frame {
        var f = Frame(width: width, height: height)
        let plane = width * height
        for c in 0..<3 {
            for y in 0..<height {
                for x in 0..<width {
                    let v = (x * 7 + y * 13 + c * 50) % 256
                    f.pixels[c * plane + y * width + x] = Float(v) / 255
                }
            }
        }
        return f
    }

    /// Pseudo-random 8-bit noise (a fixed LCG), which PNG cannot compress: for size-limit tests.
    static func noise(width: Int, height: Int) -> Frame {
        var f = Frame(width: width, height: height)
        var state: UInt32 = 12345
        for i in f.pixels.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            f.pixels[i] = Float(state >> 24) / 255
        }
        return f
    }

    static func png(width: Int, height: Int) throws -> Data {
        try codec.encodePNG(ramp(width: width, height: height))
    }

    /// Encodes `frame` with Stream's encoder to a file of the given extension (jpg, mp4, …) and returns its bytes.
    static func encoded(_ frame: Frame, extension ext: String, frames: Int = 1) throws -> Data {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let url = dir.file("out.\(ext)")
        let isImage = ext == "jpg" || ext == "png"
        let info = VideoStreamInfo(width: frame.width, height: frame.height, timeBase: Rational(1, 25),
                                   frameRate: Rational(25, 1), frameCount: frames, isImage: isImage)
        // One thread: FFmpeg 5.1's mjpeg encoder fails to start with automatic frame threading.
        let encoder = try FrameEncoder(location: url.path, settings: EncoderSettings(threads: 1), video: info)
        for i in 0..<frames {
            try encoder.write(Frame(width: frame.width, height: frame.height, pixels: frame.pixels, pts: Int64(i), index: i))
        }
        try encoder.finish()
        return try Data(contentsOf: url)
    }

    static func service(
        _ configuration: WebConfiguration = WebConfiguration(port: 0),
        processor: @escaping ProcessorFactory = { PassThrough() },
        imageProcessor: ProcessorFactory? = nil
    ) -> DeblurService {
        DeblurService(configuration: configuration, codec: codec, processorFactory: processor, imageProcessorFactory: imageProcessor)
    }

    static func app(_ service: DeblurService) -> some ApplicationProtocol {
        WebApplication.makeApplication(service: service)
    }
}

/// Asks for one neighbour a side and returns the frame after (black without neighbours).
struct NextFrame: FrameProcessor {
    var temporalRadius: Int { 1 }
    func process(_ frame: Frame) throws -> Frame {
        guard let next = frame.neighbours.last?.unpacked() else { return Frame(width: frame.width, height: frame.height) }
        return Frame(width: frame.width, height: frame.height, pixels: next.pixels, pts: frame.pts, index: frame.index)
    }
}

/// Replaces every sample v by 1 − v, so a test can tell the processor really ran.
struct Inverter: FrameProcessor {
    func process(_ frame: Frame) throws -> Frame {
        var out = frame
        for i in out.pixels.indices { out.pixels[i] = 1 - out.pixels[i] }
        return out
    }
}

/// Pass-through that takes `seconds` per frame, to fill the worker and the queue; counts its calls in `counter`
/// (one per tile under a `TiledProcessor`).
struct SlowPassThrough: FrameProcessor {
    var seconds: Double
    var counter: TileCounter? = nil
    func process(_ frame: Frame) throws -> Frame {
        counter?.increment()
        Thread.sleep(forTimeInterval: seconds)
        return frame
    }
}

/// A thread-safe call counter.
final class TileCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}

/// A latch the test opens; until then `GatedPassThrough` blocks, so a test controls exactly when jobs finish.
final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var isOpen = false

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until opened, at most 30 s (so a failing test cannot hang the suite).
    func wait() {
        let deadline = Date().addingTimeInterval(30)
        condition.lock()
        while !isOpen && condition.wait(until: deadline) {}
        condition.unlock()
    }
}

/// Pass-through that waits for its gate before returning.
struct GatedPassThrough: FrameProcessor {
    var gate: Gate
    func process(_ frame: Frame) throws -> Frame {
        gate.wait()
        return frame
    }
}

/// Always fails, as a broken model would.
struct FailingProcessor: FrameProcessor {
    struct Failure: Error {}
    func process(_ frame: Frame) throws -> Frame { throw Failure() }
}

extension ByteBuffer {
    var data: Data { Data(readableBytesView) }
}

/// The `error` field of the server's JSON error body.
func errorMessage(_ body: ByteBuffer?) -> String {
    guard let body,
          let object = try? JSONSerialization.jsonObject(with: body.data) as? [String: Any],
          let message = object["error"] as? String else { return "" }
    return message
}
