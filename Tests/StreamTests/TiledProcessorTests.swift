import Testing
import Foundation
@testable import Stream

/// A 3×3 box blur with zero padding: local, and deliberately wrong at its own borders, so a tile's
/// edges come out dark — exactly the artefact the feathered blend must hide.
struct ZeroPaddedBoxBlur: FrameProcessor {
    func process(_ f: Frame) throws -> Frame {
        var out = [Float](repeating: 0, count: f.pixels.count)
        for c in 0..<3 {
            for y in 0..<f.height {
                for x in 0..<f.width {
                    var s: Float = 0
                    for dy in -1...1 {
                        for dx in -1...1 {
                            let yy = y + dy, xx = x + dx
                            if yy >= 0, yy < f.height, xx >= 0, xx < f.width {
                                s += f.pixels[(c * f.height + yy) * f.width + xx]
                            }
                        }
                    }
                    out[(c * f.height + y) * f.width + x] = s / 9
                }
            }
        }
        return Frame(width: f.width, height: f.height, pixels: out, pts: f.pts, index: f.index)
    }
}

/// Pointwise: tiling must be exact whatever the blend.
struct Gamma: FrameProcessor {
    func process(_ f: Frame) throws -> Frame {
        Frame(width: f.width, height: f.height, pixels: f.pixels.map { $0 * $0 }, pts: f.pts, index: f.index)
    }
}

/// A smooth deterministic test picture (sum of sinusoids), values in [0, 1].
func smoothFrame(width: Int, height: Int) -> Frame {
    var p = [Float](repeating: 0, count: 3 * width * height)
    for c in 0..<3 {
        for y in 0..<height {
            for x in 0..<width {
                let sx: Float = 0.25 * sinf(Float(x) * 0.031 + Float(c))
                let cy: Float = 0.2 * cosf(Float(y) * 0.047 - Float(c) * 0.5)
                let v: Float = 0.5 + sx + cy
                p[(c * height + y) * width + x] = v
            }
        }
    }
    return Frame(width: width, height: height, pixels: p, pts: 42, index: 7)
}

@Test(arguments: [(720, 256, 32, 1), (1280, 256, 32, 1), (300, 128, 16, 1), (100, 256, 32, 1), (257, 256, 8, 1),
                  (1280, 512, 32, 16), (720, 512, 32, 16), (2160, 512, 32, 16), (1081, 500, 31, 16), (999, 100, 99, 7)])
func tilesCoverWithOverlap(length: Int, tile: Int, overlap: Int, alignment: Int) throws {
    let (size, xs) = TilePlan.layout(length: length, tile: tile, overlap: overlap, alignment: alignment)
    #expect(xs.first == 0)
    if length > tile {
        #expect(size <= tile && (size % alignment == 0 || size == tile))
        #expect(xs.last! + size == length)
        for (a, b) in zip(xs, xs.dropFirst()) {
            #expect(b > a)
            #expect(a + size - b >= overlap, "neighbours \(a), \(b) overlap by less than \(overlap)")
        }
        // No more tiles than full-size ones would need.
        #expect(xs == TilePlan.origins(length: length, tile: size, overlap: overlap))
        #expect(xs.count == TilePlan.origins(length: length, tile: tile, overlap: overlap).count)
    } else {
        #expect(size == length && xs == [0])
    }
}

@Test func a720pFrameIsTiledWithLittleWaste() throws {
    // Full 512² tiles would compute 1.7× the frame's pixels; balanced ones at most 1.15×.
    let plan = try TilePlan(width: 1280, height: 720, tileSize: 512, overlap: 32, alignment: 16)
    #expect(plan.tileWidth == 448 && plan.tileHeight == 384 && plan.tiles.count == 6)
    let computed = plan.tiles.reduce(0) { $0 + $1.width * $1.height }
    #expect(Double(computed) <= 1.15 * 1280 * 720)
}

@Test func weightsArePartitionOfUnityOnExactOverlap() throws {
    let plan = try TilePlan(width: 100, height: 10, tileSize: 60, overlap: 20)
    #expect(plan.xs == [0, 40])
    let a = plan.axisWeights(origin: 0, size: 60, length: 100, ramp: 20)
    let b = plan.axisWeights(origin: 40, size: 60, length: 100, ramp: 20)
    for x in 40..<60 { #expect(abs(a[x] + b[x - 40] - 1) < 1e-6) }
    #expect(a[0] == 1 && b[59] == 1, "frame borders are not feathered")
}

@Test func pointwiseProcessorIsExactWhenTiled() throws {
    let frame = smoothFrame(width: 333, height: 200)
    var tiled = try TiledProcessor(Gamma(), tileSize: 96, overlap: 24)
    let a = try tiled.process(frame)
    let b = try Gamma().process(frame)
    #expect(a.pts == 42 && a.index == 7)
    let maxErr = zip(a.pixels, b.pixels).map { abs($0 - $1) }.max() ?? 1
    #expect(maxErr < 1e-5)
}

@Test func tiled720pMatchesWholeFrameAwayFromBorder() throws {
    let frame = smoothFrame(width: 1280, height: 720)
    var tiled = try TiledProcessor(ZeroPaddedBoxBlur(), tileSize: 256, overlap: 32)
    let a = try tiled.process(frame)
    let b = try ZeroPaddedBoxBlur().process(frame)
    var maxErr: Float = 0
    for c in 0..<3 {
        for y in 2..<(720 - 2) {
            for x in 2..<(1280 - 2) {
                let i = (c * 720 + y) * 1280 + x
                maxErr = max(maxErr, abs(a.pixels[i] - b.pixels[i]))
            }
        }
    }
    // Each dark tile edge is weighted by at most the first two ramp steps (< 1 %), so the error
    // stays below a few thousandths of full scale (≈ 1 level of 8-bit).
    #expect(maxErr < 4e-3, "max deviation \(maxErr)")
}

/// Mean absolute horizontal gradient on the columns where tiles start/end vs. elsewhere.
func seamRatio(_ f: Frame, plan: TilePlan) -> Float {
    var borderCols = Set<Int>()
    for x in plan.xs { if x > 0 { borderCols.insert(x) }; if x + plan.tileWidth < f.width { borderCols.insert(x + plan.tileWidth) } }
    var seam: Float = 0, seamN = 0, other: Float = 0, otherN = 0
    for c in 0..<3 {
        for y in 0..<f.height {
            for x in 1..<f.width {
                let g = abs(f.pixels[(c * f.height + y) * f.width + x] - f.pixels[(c * f.height + y) * f.width + x - 1])
                if borderCols.contains(x) || borderCols.contains(x + 1) { seam += g; seamN += 1 } else { other += g; otherN += 1 }
            }
        }
    }
    return (seam / Float(seamN)) / (other / Float(otherN))
}

@Test func seamDetectorFindsNothingWithFeatheringButCatchesHardSeams() throws {
    let frame = smoothFrame(width: 640, height: 360)
    let plan = try TilePlan(width: 640, height: 360, tileSize: 160, overlap: 32)
    var feathered = try TiledProcessor(ZeroPaddedBoxBlur(), tileSize: 160, overlap: 32)
    let ratio = seamRatio(try feathered.process(frame), plan: plan)
    #expect(ratio < 1.5, "gradient energy on tile borders is \(ratio)× the rest")
    // Same tiles, no feathering: the detector must see the seams, or it proves nothing.
    let hardPlan = try TilePlan(width: 640, height: 360, tileSize: 160, overlap: 0)
    var hard = try TiledProcessor(ZeroPaddedBoxBlur(), tileSize: 160, overlap: 0)
    #expect(seamRatio(try hard.process(frame), plan: hardPlan) > 3)
}

@Test func badTilingIsAnError() {
    #expect(throws: TilingError.invalidTiling(tileSize: 32, overlap: 32)) {
        try TiledProcessor(PassThrough(), tileSize: 32, overlap: 32)
    }
}

/// Counts its calls and sets `token` at call `cancelAt`, as a timed-out server would while a tile runs.
final class CancellingPassThrough: FrameProcessor, @unchecked Sendable {
    let token: CancellationToken
    let cancelAt: Int
    private(set) var calls = 0
    init(token: CancellationToken, cancelAt: Int) {
        self.token = token
        self.cancelAt = cancelAt
    }
    func process(_ f: Frame) throws -> Frame {
        calls += 1
        if calls == cancelAt { token.cancel() }
        return f
    }
}

@Suite struct TiledCancellationTests {
    @Test func aCancelledTiledFrameStopsBeforeTheNextTile() throws {
        let token = CancellationToken()
        let inner = CancellingPassThrough(token: token, cancelAt: 2)
        var tiled = try TiledProcessor(inner, tileSize: 16, overlap: 0)
        let frame = smoothFrame(width: 64, height: 64)  // 4×4 = 16 tiles
        #expect(throws: ProcessingCancelled.self) { try tiled.process(frame, cancellation: token) }
        #expect(inner.calls == 2)

        // Without cancellation every tile runs, and the plain call ignores tokens altogether.
        let free = CancellingPassThrough(token: CancellationToken(), cancelAt: 0)
        var all = try TiledProcessor(free, tileSize: 16, overlap: 0)
        #expect(try all.process(frame, cancellation: CancellationToken()).pixels == frame.pixels)
        #expect(free.calls == 16)
        var plain = try TiledProcessor(CancellingPassThrough(token: token, cancelAt: 0), tileSize: 16, overlap: 0)
        #expect(try plain.process(frame).pixels == frame.pixels)

        // The default implementation checks once, before it starts.
        var whole: any FrameProcessor = Gamma()
        #expect(throws: ProcessingCancelled.self) { try whole.process(frame, cancellation: token) }
    }
}
