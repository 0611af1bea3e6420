import Foundation
import Testing
@testable import DeblurNet

/// `DihedralTransform` and `Generator.deblur(_:ensemble:)` against index formulas and the PyTorch reference.
@Suite struct SelfEnsembleTests {
    /// [1, 2, 3, 5] with distinct values, so any misplaced pixel shows.
    let batch = Tensor(shape: [1, 2, 3, 5], data: (0..<30).map(Float.init))

    @Test func eachTransformMovesPixelsWhereItsIndexSaysAndInvertUndoesIt() {
        let (h, w) = (3, 5)
        var seen: [[Float]] = []
        for k in 0..<8 {
            let t = DihedralTransform(index: k)
            let y = t.apply(batch)
            let (oh, ow) = k & 4 != 0 ? (w, h) : (h, w)
            #expect(y.shape == [1, 2, oh, ow])
            for c in 0..<2 { for oy in 0..<oh { for ox in 0..<ow {
                // Undo in reverse order: upside down, mirror, then transpose.
                var (sy, sx) = (oy, ox)
                if k & 2 != 0 { sy = oh - 1 - sy }
                if k & 1 != 0 { sx = ow - 1 - sx }
                if k & 4 != 0 { (sy, sx) = (sx, sy) }
                #expect(y[0, c, oy, ox] == batch[0, c, sy, sx], "k \(k) at \(c),\(oy),\(ox)")
            } } }
            #expect(t.invert(y).array == batch.array && t.invert(y).shape == batch.shape)
            seen.append(y.array)
        }
        #expect(Set(seen.map { $0.description }).count == 8, "the eight transforms must differ")
    }

    @Test func ensembleMatchesPyTorchOnANonSquareInput() throws {
        let f = try GANGoldenTests.file("tiny_forward")
        let g = try Generator(config: .tiny)
        try g.loadStateDict(GANGoldenTests.prefixed(f, "model."), strict: true)
        let x = try f.tensor("input")
        let y8 = try g.deblur(x, ensemble: 8)
        let expected = try f.tensor("output_ensemble8")
        #expect(y8.shape == [1, 3, 37, 45])
        #expect(y8.maxAbsDifference(expected) < 1e-4)
        // The golden differs from one pass, so a no-op ensemble would fail the line above.
        #expect(try f.tensor("output").maxAbsDifference(expected) > 1e-2)
        #expect(try g.deblur(x, ensemble: 1).maxAbsDifference(try g.deblur(x)) == 0)
    }

    @Test func ensembleSizesOtherThanOneTwoFourEightAreRejected() throws {
        let g = try Generator(config: .tiny)
        let x = Tensor(shape: [1, 3, 32, 32], repeating: 0.5)
        for n in [0, 3, 16] {
            #expect(throws: ModelError.self) { try g.deblur(x, ensemble: n) }
        }
    }

    struct Stop: Error {}

    @Test func aThrowingHookStopsTheEnsembleBetweenPasses() throws {
        let g = try Generator(config: .tiny)
        let x = Tensor(shape: [1, 3, 32, 32], repeating: 0.5)
        var calls = 0
        // Called before passes 2…8; throwing at its third call leaves passes 5–8 undone.
        #expect(throws: Stop.self) {
            try g.deblur(x, ensemble: 8) { calls += 1; if calls == 3 { throw Stop() } }
        }
        #expect(calls == 3)
        calls = 0
        _ = try g.deblur(x, ensemble: 8) { calls += 1 }
        #expect(calls == 7)
    }
}
