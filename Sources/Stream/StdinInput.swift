import CFFmpeg
import Foundation

/// Custom FFmpeg I/O for `-` (stdin) that waits with `poll` in short slices, so a cancellation
/// (Ctrl-C) ends the read even while the upstream writer (a camera pipe) is silent. A blocking
/// `read` on the pipe, as FFmpeg's own `pipe:` protocol does, would not return until data came.
final class StdinInput {
    private let cancellation: CancellationToken?
    private(set) var context: UnsafeMutablePointer<AVIOContext>?

    init(cancellation: CancellationToken?) throws {
        self.cancellation = cancellation
        let size: Int32 = 64 * 1024
        guard let buffer = av_malloc(Int(size))?.assumingMemoryBound(to: UInt8.self) else {
            throw DecodeError.cannotOpen("-", reason: "out of memory")
        }
        // Unretained: the decoder keeps this object alive for as long as the context exists.
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        context = avio_alloc_context(buffer, size, 0, opaque, { opaque, buf, size in
            guard let opaque, let buf else { return cffmpeg_averror(EINVAL) }
            return Unmanaged<StdinInput>.fromOpaque(opaque).takeUnretainedValue().read(into: buf, size: Int(size))
        }, nil, nil)
        if context == nil {
            var b: UnsafeMutablePointer<UInt8>? = buffer
            av_freep(&b)
            throw DecodeError.cannotOpen("-", reason: "out of memory")
        }
    }

    deinit {
        if let ctx = context {
            av_freep(&ctx.pointee.buffer)
        }
        avio_context_free(&context)
    }

    private func read(into buffer: UnsafeMutablePointer<UInt8>, size: Int) -> Int32 {
        while true {
            if cancellation?.isCancelled == true { return cffmpeg_averror_exit() }
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready < 0 {
                if errno == EINTR { continue }
                return cffmpeg_averror(errno)
            }
            if ready == 0 { continue }  // nothing yet: look at the token again
            let n = Foundation.read(STDIN_FILENO, buffer, size)
            if n > 0 { return Int32(n) }
            if n == 0 { return cffmpeg_averror_eof() }
            if errno == EINTR || errno == EAGAIN { continue }
            return cffmpeg_averror(errno)
        }
    }
}
