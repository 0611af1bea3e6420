import Foundation
import Testing
@testable import Restoration

/// The FFT against the DFT definition, for radix-4/2/odd-prime and Bluestein lengths.
@Suite struct FFTTests {
    func naiveDFT(_ re: [Double], _ im: [Double], inverse: Bool) -> ([Double], [Double]) {
        let n = re.count
        var or = [Double](repeating: 0, count: n), oi = or
        let s: Double = inverse ? 1 : -1
        for k in 0..<n {
            for j in 0..<n {
                let a = s * 2 * Double.pi * Double((j * k) % n) / Double(n)
                or[k] += re[j] * cos(a) - im[j] * sin(a)
                oi[k] += re[j] * sin(a) + im[j] * cos(a)
            }
        }
        return (or, oi)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 8, 12, 13, 25, 30, 45, 52, 64, 67, 75, 101, 120, 127, 375])
    func matchesDefinition(n: Int) {
        var g = SplitMix(seed: UInt64(n))
        let re = (0..<n).map { _ in g.unit() - 0.5 }, im = (0..<n).map { _ in g.unit() - 0.5 }
        for inverse in [false, true] {
            var r = re, i = im
            FFTPlan(count: n).transform(re: &r, im: &i, inverse: inverse)
            let (wr, wi) = naiveDFT(re, im, inverse: inverse)
            let err = zip(r + i, wr + wi).map { abs($0 - $1) }.max() ?? 0
            #expect(err < 1e-10, "n=\(n) inverse=\(inverse) err=\(err)")
        }
    }

    @Test func twoDimensionalRoundTrip() {
        let w = 24, h = 15
        var g = SplitMix(seed: 9)
        let re = (0..<(w * h)).map { _ in g.unit() }
        var r = re, i = [Double](repeating: 0, count: w * h)
        let plan = FFT2DPlan(width: w, height: h)
        plan.transform(re: &r, im: &i, inverse: false)
        // DC term is the sum.
        #expect(abs(r[0] - re.reduce(0, +)) < 1e-9)
        plan.transform(re: &r, im: &i, inverse: true)
        #expect(zip(r, re).map { abs($0 / Double(w * h) - $1) }.max() ?? 1 < 1e-12)
    }
}
