import Foundation
import Testing
@testable import Stream

/// The NumPy reference's cases (`scripts/make_golden_motion_gate.py`).
private struct MotionGateGolden: Decodable {
    struct Case: Decodable {
        let width: Int, height: Int, radius: Int
        let frame: [Int], neighbours: [[Int]]
        let restored: [Float], motion: [Float], gated: [Float]
    }
    let low: Float, high: Float, scale: Float
    let gradient_floor: Float
    let cases: [Case]

    static func load() throws -> MotionGateGolden {
        let url = try #require(Bundle.module.url(forResource: "motion_gate", withExtension: "json", subdirectory: "Golden"))
        return try JSONDecoder().decode(MotionGateGolden.self, from: Data(contentsOf: url))
    }
}

private func frame(_ codes: [Int], _ c: MotionGateGolden.Case, index: Int) -> Frame {
    Frame(width: c.width, height: c.height, pixels: codes.map { Float($0) / 255 }, index: index)
}

private func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
}

/// Adds 0.2 to every sample (clamped), so its change is visible everywhere; counts its calls and the neighbours it got.
private struct Brightener: FrameProcessor {
    var radius = 0
    var temporalRadius: Int { radius }
    /// Pipeline workers call `process` at once, so the record is behind a lock.
    private static let lock = NSLock()
    nonisolated(unsafe) private static var seen: [Int] = []
    static var neighboursSeen: [Int] {
        get { lock.withLock { seen } }
        set { lock.withLock { seen = newValue } }
    }
    func process(_ frame: Frame) throws -> Frame {
        Self.lock.withLock { Self.seen.append(frame.neighbours.count) }
        var out = frame
        for i in out.pixels.indices { out.pixels[i] = min(1, out.pixels[i] + 0.2) }
        out.neighbours = []
        return out
    }
}

/// A 48×40 frame of vertical stripes shifted by `shift` pixels (stripes 8 px wide, soft edges).
private func stripes(shift: Int, index: Int) -> Frame {
    let w = 48, h = 40
    var pixels = [Float](repeating: 0, count: 3 * w * h)
    for c in 0..<3 {
        for y in 0..<h {
            for x in 0..<w {
                let phase = Double(x + shift) * .pi / 8
                pixels[c * w * h + y * w + x] = Float(0.3 + 0.2 * sin(phase))
            }
        }
    }
    return Frame(width: w, height: h, pixels: pixels, index: index)
}

/// Hands out the given frames in order.
private final class ArraySource: FrameSource, @unchecked Sendable {
    private let frames: [Frame]
    private var next = 0
    init(_ frames: [Frame]) { self.frames = frames }
    var expectedFrameCount: Int? { frames.count }
    func nextFrame() throws -> Frame? {
        guard next < frames.count else { return nil }
        defer { next += 1 }
        return frames[next]
    }
    func takePassthroughPackets() -> [MediaPacket] { [] }
}

@Suite(.serialized) struct MotionGateTests {
    @Test("the motion map and the gated frame match the NumPy reference")
    func matchesNumPy() throws {
        let golden = try MotionGateGolden.load()
        for c in golden.cases {
            var gate = MotionGate()
            gate.radius = c.radius
            #expect(gate.low == golden.low && gate.high == golden.high && gate.scale == golden.scale)
            #expect(abs(gate.gradientFloor - golden.gradient_floor) < 1e-9)
            let original = frame(c.frame, c, index: 5)
            let neighbours = c.neighbours.enumerated().map { PackedFrame(frame($1, c, index: $0)) }
            let motion = gate.motion(of: original, neighbours: neighbours)
            #expect(maxDifference(motion, c.motion) < 2e-4, "motion, radius \(c.radius)")
            let restored = Frame(width: c.width, height: c.height, pixels: c.restored, index: 5)
            let gated = gate.apply(original: original, restored: restored, neighbours: neighbours)
            #expect(maxDifference(gated.pixels, c.gated) < 2e-5, "gated, radius \(c.radius)")
            // The cases hold still, moving and in-between parts: the comparison covers all three branches.
            #expect(motion.contains { $0 < gate.low } && motion.contains { $0 > gate.high })
            #expect(motion.contains { $0 > gate.low && $0 < gate.high })
        }
    }

    @Test("the estimate is 0 without motion and grows with the shift")
    func estimatesShifts() {
        let gate = MotionGate()
        let still = stripes(shift: 0, index: 1)
        func median(_ shift: Int) -> Float {
            let m = gate.motion(of: still, neighbours: [PackedFrame(stripes(shift: shift, index: 2))]).sorted()
            return m[m.count / 2]
        }
        #expect(median(0) == 0)
        // Stripes across the motion: the ratio is the shift's own (no angle factor), so scale 2 doubles it.
        let one = median(1), two = median(2)
        #expect(one > 1.5 && one < 2.5, "1 px: \(one)")
        #expect(two > one)
    }

    @Test("a still part keeps the input, a moving part the processor's output")
    func gatesByMotion() throws {
        var processor = MotionGatedProcessor(Brightener())
        var frame = stripes(shift: 0, index: 3)
        frame.neighbours = [stripes(shift: 0, index: 2), stripes(shift: 0, index: 4)].map { PackedFrame($0) }
        #expect(try processor.process(frame).pixels == frame.pixels)
        frame.neighbours = [stripes(shift: 0, index: 2), stripes(shift: 4, index: 4)].map { PackedFrame($0) }
        #expect(try processor.process(frame).pixels == Brightener().process(frame).pixels)
    }

    @Test("stand-ins at the stream's ends and stills do not close the gate")
    func standInsAreNoEvidence() throws {
        var processor = MotionGatedProcessor(Brightener())
        let brightened = try Brightener().process(stripes(shift: 0, index: 0)).pixels
        var first = stripes(shift: 0, index: 0)
        first.neighbours = [PackedFrame(first), PackedFrame(first)]  // a one-frame video: the frame stands in for both
        #expect(try processor.process(first).pixels == brightened)
        #expect(try processor.process(stripes(shift: 0, index: 0)).pixels == brightened)
        // The first frame of a still scene: its stand-in says nothing, its successor that nothing moved.
        first.neighbours = [stripes(shift: 0, index: 0), stripes(shift: 0, index: 1)].map { PackedFrame($0) }
        #expect(try processor.process(first).pixels == first.pixels)
    }

    @Test("it asks for one neighbour a side and hands the inner processor only those it asked for")
    func neighbourRadius() throws {
        #expect(MotionGatedProcessor(Brightener()).temporalRadius == 1)
        #expect(MotionGatedProcessor(Brightener(radius: 2)).temporalRadius == 2)
        #expect(MotionGatedProcessor(PassThrough()).isIdentity)
        Brightener.neighboursSeen = []
        var frame = stripes(shift: 0, index: 3)
        frame.neighbours = [stripes(shift: 0, index: 2), stripes(shift: 4, index: 4)].map { PackedFrame($0) }
        var single = MotionGatedProcessor(Brightener())
        _ = try single.process(frame)
        var wide = MotionGatedProcessor(Brightener(radius: 1))
        _ = try wide.process(frame)
        #expect(Brightener.neighboursSeen == [0, 2])
    }

    @Test("through the pipeline, a static video passes unchanged and a panning one is processed")
    func inPipeline() throws {
        for (shiftPerFrame, expectChanged) in [(0, false), (3, true)] {
            let frames = (0..<5).map { stripes(shift: $0 * shiftPerFrame, index: $0) }
            let source = ArraySource(frames)
            let sink = CollectingSink()
            _ = try Pipeline(workers: 2, queueCapacity: 2).run(source: source, sink: sink) {
                MotionGatedProcessor(Brightener())
            }
            let out = sink.received
            #expect(out.count == 5)
            for (a, b) in zip(out, frames) {
                #expect((a.pixels != b.pixels) == expectChanged, "shift \(shiftPerFrame), frame \(b.index)")
            }
        }
    }
}
