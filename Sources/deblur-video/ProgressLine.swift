import Foundation
import Stream

/// Redraws one status line on stderr (`frame 120/300  48.1 fps  ETA 0:04`), at most five times a second.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var lastDraw = 0.0
    private var drawn = false
    /// The latest progress not yet drawn (skipped by the rate limit), drawn by `finish`.
    private var pending: PipelineProgress?
    private let write: @Sendable (String) -> Void

    /// `write` gets the escape sequences as they go to the terminal (stderr unless a test catches them).
    init(write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.write = write
    }

    /// Only when stderr is a terminal: pipes and logs get no carriage-return noise.
    static var isUseful: Bool { isatty(STDERR_FILENO) != 0 }

    func update(_ p: PipelineProgress) {
        lock.withLock {
            guard p.elapsed - lastDraw >= 0.2 || p.framesDone == p.totalFrames else {
                pending = p
                return
            }
            draw(p)
        }
    }

    /// Ends the line so the next message starts on a fresh one; it shows the last frame count first.
    func finish() {
        lock.withLock {
            if let p = pending { draw(p) }
            if drawn { write("\n") }
            drawn = false
        }
    }

    /// The line for `p` (called with the lock held).
    private func draw(_ p: PipelineProgress) {
        pending = nil
        lastDraw = p.elapsed
        drawn = true
        write("\r" + Self.text(for: p) + "\u{1B}[K")
    }

    /// `frame 120/300  48.1 fps  ETA 0:04`; without a known total, `frame 120  48.1 fps`.
    static func text(for p: PipelineProgress) -> String {
        var line = "frame \(p.framesDone)"
        if let total = p.totalFrames { line += "/\(total)" }
        line += String(format: "  %.1f fps", p.fps)
        if let eta = p.eta {
            let s = Int(eta.rounded())
            line += String(format: "  ETA %d:%02d", s / 60, s % 60)
        }
        return line
    }
}
