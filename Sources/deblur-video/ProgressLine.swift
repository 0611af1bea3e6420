import Foundation
import Stream

/// Redraws one status line on stderr (`frame 120/300  48.1 fps  ETA 0:04`), at most five times a second.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var lastDraw = 0.0
    private var drawn = false

    /// Only when stderr is a terminal: pipes and logs get no carriage-return noise.
    static var isUseful: Bool { isatty(STDERR_FILENO) != 0 }

    func update(_ p: PipelineProgress) {
        lock.withLock {
            guard p.elapsed - lastDraw >= 0.2 || p.framesDone == p.totalFrames else { return }
            lastDraw = p.elapsed
            drawn = true
            var line = "frame \(p.framesDone)"
            if let total = p.totalFrames { line += "/\(total)" }
            line += String(format: "  %.1f fps", p.fps)
            if let eta = p.eta {
                let s = Int(eta.rounded())
                line += String(format: "  ETA %d:%02d", s / 60, s % 60)
            }
            FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        }
    }

    /// Ends the line so the next message starts on a fresh one.
    func finish() {
        lock.withLock {
            if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
            drawn = false
        }
    }
}
