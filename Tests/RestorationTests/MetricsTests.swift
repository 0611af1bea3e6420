import Foundation
import Testing
@testable import Restoration

@Suite struct MetricsTests {
    func randomImage(_ w: Int, _ h: Int, seed: UInt64) -> PlanarImage {
        var g = SplitMix(seed: seed)
        var img = PlanarImage(width: w, height: h, channels: 3)
        for i in img.pixels.indices { img.pixels[i] = Float(g.next() % 256) / 255 }
        return img
    }

    @Test func identicalImagesScorePerfect() throws {
        let a = randomImage(40, 30, seed: 1)
        let q = try FrameQuality.measure(reference: a, test: a)
        #expect(q.psnr == .infinity)
        #expect(q.mse == 0)
        #expect(abs(q.ssim - 1) < 1e-6)
        #expect(q.csvRow == "0,inf,1.000000,0.000000")
        #expect(q.jsonObject.contains("\"psnr_db\": null"))
    }

    @Test func knownMSEGivesKnownPSNR() throws {
        // Every sample off by exactly 5 levels → MSE 25 → PSNR 10·log10(255²/25).
        var a = PlanarImage(width: 8, height: 8, channels: 3)
        var b = a
        for i in a.pixels.indices { a.pixels[i] = 100 / 255; b.pixels[i] = 105 / 255 }
        #expect(abs(try PSNR.psnr(a, b) - 10 * log10(255.0 * 255 / 25)) < 1e-12)
    }

    @Test func quantisationClampsAndRounds() {
        #expect(Quantize.to8Bit(-0.2) == 0)
        #expect(Quantize.to8Bit(1.7) == 255)
        #expect(Quantize.to8Bit(.nan) == 0)
        #expect(Quantize.to8Bit(0.5) == 128)      // 127.5 rounds up
        #expect(Quantize.to8Bit(Float(77) / 255) == 77)
    }

    @Test func lumaOfPrimaries() {
        #expect(Luma.bt601(r: 0, g: 0, b: 0) == 16)
        #expect(Luma.bt601(r: 255, g: 255, b: 255) == 235)
        #expect(Luma.bt601(r: 255, g: 0, b: 0) == 81)   // 16 + 65.481
        #expect(Luma.bt601(r: 0, g: 255, b: 0) == 145)  // 16 + 128.553
        #expect(Luma.bt601(r: 0, g: 0, b: 255) == 41)   // 16 + 24.966
    }

    @Test func mismatchedSizesAreErrors() throws {
        let a = randomImage(20, 20, seed: 2), b = randomImage(21, 20, seed: 3)
        #expect(throws: RestorationError.sizeMismatch(reference: "20x20", test: "21x20")) { try SSIM.ssim(a, b) }
        let tiny = randomImage(9, 9, seed: 4)
        #expect(throws: RestorationError.imageTooSmall(width: 9, height: 9, window: 11)) { try SSIM.ssim(tiny, tiny) }
        // The 7×7 window fits a 9×9 image.
        #expect(try SSIM.ssim(tiny, tiny, window: .uniform7) > 0.999999)
    }

    /// A direct O(window²) SSIM on a small image, as an independent check of the separable code path.
    /// Bright, nearly flat images: where E[x²] − E[x]² would cancel catastrophically in naive Float.
    func nearlyFlat(_ w: Int, _ h: Int, level: Int, spread: UInt64, seed: UInt64) -> PlanarImage {
        var g = SplitMix(seed: seed)
        var img = PlanarImage(width: w, height: h, channels: 3)
        for i in img.pixels.indices { img.pixels[i] = Float(level + Int(g.next() % spread)) / 255 }
        return img
    }

    @Test(arguments: [0, 1, 2])
    func separableSSIMEqualsDirectWindowSum(pair: Int) throws {
        let (a, b): (PlanarImage, PlanarImage)
        switch pair {
        case 0: (a, b) = (randomImage(23, 19, seed: 5), randomImage(23, 19, seed: 6))
        case 1: (a, b) = (nearlyFlat(23, 19, level: 250, spread: 2, seed: 7), nearlyFlat(23, 19, level: 240, spread: 3, seed: 8))
        default: (a, b) = (nearlyFlat(23, 19, level: 200, spread: 1, seed: 9), nearlyFlat(23, 19, level: 253, spread: 2, seed: 10))
        }
        for window in SSIMWindow.allCases {
            let pa = EightBitPlanes(a), pb = EightBitPlanes(b)
            let w1 = window.weights, r = window.radius
            var total = 0.0
            for c in 0..<3 {
                var sum = 0.0
                for y in r..<(19 - r) {
                    for x in r..<(23 - r) {
                        var mx = 0.0, my = 0.0, mxx = 0.0, myy = 0.0, mxy = 0.0
                        for dy in -r...r {
                            for dx in -r...r {
                                let wt = w1[dy + r] * w1[dx + r]
                                let i = (c * 19 + y + dy) * 23 + x + dx
                                let u = Double(pa.values[i]), v = Double(pb.values[i])
                                mx += wt * u; my += wt * v; mxx += wt * u * u; myy += wt * v * v; mxy += wt * u * v
                            }
                        }
                        let n = window.covarianceNormalisation
                        let c1 = 6.5025, c2 = 58.5225
                        let vx = n * (mxx - mx * mx), vy = n * (myy - my * my), vxy = n * (mxy - mx * my)
                        sum += (2 * mx * my + c1) * (2 * vxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
                    }
                }
                total += sum / Double((19 - 2 * r) * (23 - 2 * r))
            }
            let got = try SSIM.ssim(a, b, window: window)
            #expect(abs(got - total / 3) < 1e-6, "pair \(pair) \(window): \(got) vs \(total / 3)")
        }
    }

    @Test func percentileIsNumpyLinear() {
        // numpy.percentile([1, 2, 3, 4, 10], 5) == 1.2, median 3.
        let s = ScoreStatistics([10, 2, 4, 1, 3])
        #expect(abs(s.percentile5 - 1.2) < 1e-12)
        #expect(s.median == 3)
        #expect(s.min == 1 && s.max == 10)
        #expect(abs(s.mean - 4) < 1e-12)
    }

    @Test func svgPlotHasOnePolylinePerMethod() {
        let plot = PSNRPlot(series: [.init(name: "none", psnr: [20, 21, 22]), .init(name: "wiener <x>", psnr: [25, .infinity, 24])])
        let svg = plot.svg
        #expect(svg.hasPrefix("<?xml"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("wiener &lt;x&gt; (inf at top)"))
        #expect(svg.hasSuffix("</svg>\n"))
    }
}

/// Deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
