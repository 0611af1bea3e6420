import Foundation
import Testing
@testable import Stream

/// Frames whose every pixel is their index.
private final class IndexSource: FrameSource, @unchecked Sendable {
    let count: Int
    private let lock = NSLock()
    private var next = 0

    init(count: Int) { self.count = count }

    var expectedFrameCount: Int? { count }

    func nextFrame() throws -> Frame? {
        let i: Int = lock.withLock { defer { next += 1 }; return next }
        guard i < count else { return nil }
        return Frame(width: 4, height: 2, pixels: [Float](repeating: Float(i), count: 24), pts: Int64(i), index: i)
    }

    func takePassthroughPackets() -> [MediaPacket] { [] }
}

/// Writes the index of each neighbour into the first pixels of the output (and sleeps a little, so frames
/// finish out of order across workers).
private struct NeighbourRecorder: FrameProcessor {
    let temporalRadius: Int

    mutating func process(_ frame: Frame) throws -> Frame {
        usleep(UInt32.random(in: 0...2000))
        var out = Frame(width: frame.width, height: frame.height, pixels: frame.pixels)
        out.pixels[0] = Float(frame.neighbours.count)
        for (k, n) in frame.neighbours.enumerated() { out.pixels[1 + k] = n.unpacked().pixels[0] }
        return out
    }
}

@Suite struct NeighbourWindowTests {
    /// Every element with its neighbours, through a window of `radius`.
    static func windows(_ items: [Int], radius: Int) -> [[Int]] {
        var window = NeighbourWindow<Int>(radius: radius)
        var out: [[Int]] = []
        for i in items {
            out += window.push(i).map { [$0.element] + $0.neighbours }
        }
        out += window.finish().map { [$0.element] + $0.neighbours }
        return out
    }

    @Test func eachItemComesWithItsNeighboursAndTheEndsRepeatTheNearest() {
        #expect(Self.windows([0, 1, 2, 3], radius: 0) == [[0], [1], [2], [3]])
        // [item, before…, after…]
        #expect(Self.windows([0, 1, 2, 3], radius: 1) == [[0, 0, 1], [1, 0, 2], [2, 1, 3], [3, 2, 3]])
        #expect(Self.windows([0, 1, 2, 3, 4], radius: 2) == [
            [0, 0, 0, 1, 2], [1, 0, 0, 2, 3], [2, 0, 1, 3, 4], [3, 1, 2, 4, 4], [4, 2, 3, 4, 4],
        ])
        #expect(Self.windows([7], radius: 2) == [[7, 7, 7, 7, 7]])
        #expect(Self.windows([5, 6], radius: 2) == [[5, 5, 5, 6, 6], [6, 5, 5, 6, 6]])
        #expect(Self.windows([], radius: 1).isEmpty)
    }

    @Test(arguments: [1, 3])
    func thePipelineHandsEachFrameItsNeighboursInOrder(workers: Int) throws {
        let n = 9
        let sink = CollectingSink()
        let stats = try Pipeline(workers: workers, queueCapacity: 2).run(source: IndexSource(count: n), sink: sink) {
            NeighbourRecorder(temporalRadius: 1)
        }
        #expect(stats.frames == n)
        let frames = sink.received
        #expect(frames.map(\.index) == Array(0..<n))
        #expect(frames.map(\.pts) == (0..<n).map { Int64($0) })
        for f in frames {
            let i = f.index
            #expect(f.pixels[0] == 2, "frame \(i) got \(f.pixels[0]) neighbours")
            #expect(f.pixels[1] == Float(max(i - 1, 0)) && f.pixels[2] == Float(min(i + 1, n - 1)), "frame \(i)")
            #expect(f.pixels[3] == Float(i))
            #expect(f.neighbours.isEmpty, "neighbours are not passed on to the sink")
        }
    }

    @Test func aProcessorWithoutRadiusGetsNoNeighbours() throws {
        let sink = CollectingSink()
        _ = try Pipeline(workers: 2).run(source: IndexSource(count: 4), sink: sink) { NeighbourRecorder(temporalRadius: 0) }
        #expect(sink.received.map { $0.pixels[0] } == [0, 0, 0, 0])
    }

    @Test func tilesCarryTheSameTileOfEachNeighbour() throws {
        // Returns the previous frame: tiled, the output must be that whole frame, put together from its tiles.
        struct Previous: FrameProcessor {
            var temporalRadius: Int { 1 }
            func process(_ frame: Frame) throws -> Frame {
                var out = try #require(frame.neighbours.first).unpacked()
                out.neighbours = []
                return out
            }
        }
        let (w, h) = (40, 24)
        let current = Frame(width: w, height: h, pixels: (0..<(3 * w * h)).map { Float($0 % 7) / 7 })
        let previous = Frame(width: w, height: h, pixels: (0..<(3 * w * h)).map { Float(($0 * 13) % 11) / 11 })
        var frame = current
        frame.neighbours = [PackedFrame(previous), PackedFrame(current)]
        var tiled = try TiledProcessor(Previous(), tileSize: 16, overlap: 4)
        #expect(tiled.temporalRadius == 1)
        let out = try tiled.process(frame)
        #expect(zip(out.pixels, previous.pixels).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func realtimeDownscalingShrinksTheNeighboursToo() throws {
        final class Seen: @unchecked Sendable { var sizes: [[Int]] = [] }
        struct Inspector: FrameProcessor {
            let seen: Seen
            var temporalRadius: Int { 1 }
            func process(_ frame: Frame) throws -> Frame {
                seen.sizes.append([frame.width] + frame.neighbours.map(\.width))
                return Frame(width: frame.width, height: frame.height, pixels: frame.pixels)
            }
        }
        var config = RealtimeScheduler.Configuration(mode: .downscale, frameInterval: 0.04, timeBase: 0, maxLatency: 0.1)
        config.downscales = [0.5]
        let scheduler = RealtimeScheduler(config)
        scheduler.record(scale: 1, seconds: 0.3)  // full resolution is too slow: the next frame runs at half scale
        let seen = Seen()
        var realtime = RealtimeProcessor(Inspector(seen: seen), scheduler: scheduler)
        #expect(realtime.temporalRadius == 1)
        var frame = Frame(width: 64, height: 64)
        frame.neighbours = [PackedFrame(Frame(width: 64, height: 64)), PackedFrame(Frame(width: 64, height: 64))]
        _ = try realtime.process(frame)
        #expect(seen.sizes == [[32, 32, 32]])
    }
}
