import Foundation
import Stream
import Testing
@testable import deblur_video

/// Collects what a `ProgressLine` writes.
private final class Terminal: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func write(_ s: String) { lock.withLock { text += s } }
    /// The lines as a terminal shows them: each `\r` starts the line again.
    var screen: [String] {
        lock.withLock { text }.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.split(separator: "\r").last ?? "").replacingOccurrences(of: "\u{1B}[K", with: "")
        }
    }
}

@Suite struct ProgressLineTests {
    @Test("a total that more frames overrun is dropped, and with it the ETA")
    func overrunTotal() {
        let within = PipelineProgress(framesDone: 25, totalFrames: 25, elapsed: 1)
        #expect(within.totalFrames == 25 && within.eta == 0)
        let beyond = PipelineProgress(framesDone: 26, totalFrames: 25, elapsed: 1)
        #expect(beyond.totalFrames == nil && beyond.eta == nil)
        #expect(ProgressLine.text(for: beyond) == "frame 26  26.0 fps")
        #expect(ProgressLine.text(for: PipelineProgress(framesDone: 10, totalFrames: 40, elapsed: 2)) == "frame 10/40  5.0 fps  ETA 0:06")
    }

    @Test("the rate limit skips updates, but the line ends on the last frame count")
    func finishShowsTheLastCount() {
        let terminal = Terminal()
        let line = ProgressLine(write: terminal.write)
        line.update(PipelineProgress(framesDone: 1, totalFrames: nil, elapsed: 0.3))
        line.update(PipelineProgress(framesDone: 2, totalFrames: nil, elapsed: 0.35))  // within 0.2 s: not drawn yet
        #expect(terminal.screen == ["frame 1  3.3 fps"])
        line.finish()
        #expect(terminal.screen == ["frame 2  5.7 fps", ""])
        line.finish()  // nothing more to end
        #expect(terminal.screen == ["frame 2  5.7 fps", ""])
    }
}
