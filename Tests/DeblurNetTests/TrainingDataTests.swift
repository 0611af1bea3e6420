import Foundation
import Testing
@testable import DeblurNet

/// File discovery and GoPro-style pair construction.
@Suite struct TrainingDataTests {
    @Test func discoversFlatAndGoProLayouts() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("gan-data-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: root) }
        for d in ["blur", "sharp", "seq1/blur", "seq1/sharp", "seq2/blur"] {
            try fm.createDirectory(at: root.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        for f in ["blur/a.png", "sharp/a.png", "blur/orphan.png", "seq1/blur/001.png", "seq1/sharp/001.png",
                  "seq1/blur/notes.txt", "seq1/sharp/notes.txt", "seq2/blur/002.png"] {
            try Data([0]).write(to: root.appendingPathComponent(f))
        }
        let pairs = try TrainingData.discoverPairs(in: root)
        #expect(pairs.map { $0.blurry.lastPathComponent } == ["a.png", "001.png"])
        #expect(pairs.allSatisfy { $0.sharp.path.contains("/sharp/") && $0.blurry.lastPathComponent == $0.sharp.lastPathComponent })
        #expect(TrainingData.listPairs(in: root).unmatched == ["blur/orphan.png", "seq2/blur/002.png"])
        #expect(try TrainingData.discoverPhotos(in: root.appendingPathComponent("blur")).map { $0.lastPathComponent } == ["a.png", "orphan.png"])
    }

    @Test func clipFoldersGiveEachPairItsNeighbours() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("clip-data-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: root) }
        for d in ["blur", "sharp", "prev", "next", "seq/blur", "seq/sharp"] {
            try fm.createDirectory(at: root.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        for f in ["blur/a.png", "sharp/a.png", "prev/a.png", "next/a.png", "blur/b.png", "sharp/b.png", "prev/b.png",
                  "seq/blur/c.png", "seq/sharp/c.png"] {
            try Data([0]).write(to: root.appendingPathComponent(f))
        }
        let (pairs, unmatched) = TrainingData.listPairs(in: root)
        #expect(pairs.map { $0.blurry.lastPathComponent } == ["a.png", "c.png"])
        #expect(pairs[0].neighbours.map { $0.path } == [root.appendingPathComponent("prev/a.png").path,
                                                          root.appendingPathComponent("next/a.png").path])
        #expect(pairs[1].neighbours.isEmpty)  // a folder without prev/next holds plain pairs
        #expect(unmatched == ["next/b.png (missing)"])
    }

    @Test func goproAverageIsLinearLightMeanAndMiddleFrame() throws {
        let a = try PlanarRGBImage(width: 1, height: 1, pixels: [0, 1, 102 / 255])
        let b = try PlanarRGBImage(width: 1, height: 1, pixels: [1, 1, 102 / 255])
        let c = try PlanarRGBImage(width: 1, height: 1, pixels: [0, 1, 102 / 255])
        let p = try TrainingData.goproPair(frames: [a, b, c])
        #expect(p.sharp == RGB8Image(b))
        // (1/3)^(1/2.2) = 0.6069 → 8 bit 155/255; constant channels stay.
        #expect(p.blurry.bytes == [155, 255, 102])
    }

    @Test func horizontalPanBlursOnlyAlongTheMotion() throws {
        // Vertical stripes panned horizontally average out; a horizontal edge panned horizontally stays sharp.
        let w = 40, h = 12
        var px = [Float](repeating: 0, count: 3 * w * h)
        for c in 0..<3 { for y in 0..<h { for x in 0..<w { px[(c * h + y) * w + x] = (c == 0 ? (x % 2 == 0 ? 1 : 0) : (y < 6 ? 1 : 0)) } } }
        let photo = try PlanarRGBImage(width: w, height: h, pixels: px)
        let p = try TrainingData.panPair(photo: photo, x0: 0, y0: 0, width: 20, height: h, dx: 1, dy: 0, subframes: 4)
        let red = Array(p.blurry.bytes[0..<(20 * h)]), green = Array(p.blurry.bytes[(20 * h)..<(40 * h)])
        #expect(red.allSatisfy { $0 == 186 })  // mean of 2 on, 2 off in linear light: 0.5^(1/2.2)
        #expect(green == Array(p.sharp.bytes[(20 * h)..<(40 * h)]))
        #expect(throws: ModelError.self) { try TrainingData.panPair(photo: photo, x0: 30, y0: 0, width: 20, height: h, dx: 1, dy: 0) }
    }
}
