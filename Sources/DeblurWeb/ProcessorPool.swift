import Foundation
import Stream

/// Makes a restoration processor; the CLI passes one per `--method` (pass-through, classical, GAN).
public typealias ProcessorFactory = @Sendable () throws -> any FrameProcessor

/// Keeps processors made by the factory for reuse, so a model is loaded once per worker rather than per request.
///
/// A processor is handed to exactly one job at a time (`withProcessor`), which is why the box may cross threads.
final class ProcessorPool: @unchecked Sendable {
    private final class Box: @unchecked Sendable {
        var processor: any FrameProcessor
        init(_ processor: any FrameProcessor) { self.processor = processor }
    }

    private let factory: ProcessorFactory
    private let lock = NSLock()
    private var idle: [Box] = []

    init(factory: @escaping ProcessorFactory) {
        self.factory = factory
    }

    /// Runs `body` with exclusive use of a processor, on the calling thread.
    func withProcessor<T>(_ body: (inout any FrameProcessor) throws -> T) throws -> T {
        let box = try lock.withLock { idle.popLast() } ?? Box(factory())
        defer { lock.withLock { idle.append(box) } }
        return try body(&box.processor)
    }
}

/// Runs blocking, CPU-bound work on Dispatch threads so it never occupies Swift's cooperative pool,
/// which the server's networking needs to stay responsive.
enum BlockingWork {
    private static let queue = DispatchQueue(label: "deblur-web.work", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
