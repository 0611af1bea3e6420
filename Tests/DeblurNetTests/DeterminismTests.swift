import Synchronization
import Testing
@testable import DeblurNet

/// Gradients must not depend on thread timing: `--resume` promises the bits of an uninterrupted run.
@Suite struct DeterminismTests {
    @Test func parallelBlocksCutsFixedContiguousRanges() {
        let seen = Mutex<[Int: Range<Int>]>([:])
        Threading.parallelBlocks(10, blocks: 3) { b, r in seen.withLock { $0[b] = r } }
        #expect(seen.withLock { $0 } == [0: 0..<3, 1: 3..<6, 2: 6..<10])
        let few = Mutex<[Int: Range<Int>]>([:])
        Threading.parallelBlocks(2, blocks: 5) { b, r in few.withLock { $0[b] = r } }   // never an empty block
        #expect(few.withLock { $0 } == [0: 0..<1, 1: 1..<2])
    }

    /// Tiny im2col tiles give many work items per call; when workers pulled them dynamically into per-worker
    /// accumulators, which items were summed together changed from run to run (seen on CI as 1e-9 differences).
    @Test(arguments: ["conv", "transposed"])
    func weightGradientsAreIdenticalRunToRun(_ kind: String) {
        let x = Tensor.normal([2, 6, 20, 20], seed: 1), dy = Tensor.normal([2, 6, 20, 20], seed: 3)
        func dw() -> Tensor {
            Threading.withIm2colBudget(60) {
                if kind == "conv" {
                    let w = Tensor.normal([6, 6, 3, 3], seed: 2)
                    return ConvKernels.backward(dy, x, w, Conv2dConfig(padding: Padding2d(1)),
                                                needInput: true, needWeight: true, needBias: false).1!
                }
                let w = Tensor.normal([6, 6, 3, 3], seed: 2)
                return ConvTransposeKernels.backward(dy, x, w, ConvTranspose2dConfig(padding: 1),
                                                     needInput: true, needWeight: true, needBias: false).1!
            }
        }
        let first = dw()
        var worst: Float = 0
        for _ in 0..<60 { worst = max(worst, dw().maxAbsDifference(first)) }
        #expect(worst == 0)
    }
}
