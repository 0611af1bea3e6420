import Foundation
import Testing
@testable import Restoration

/// PSNR/SSIM against scikit-image and the ffmpeg psnr filter (golden values from scripts/make_golden_restoration.py).
@Suite struct MetricsGoldenTests {
    static func cases() throws -> [[String: Any]] {
        guard let list = try Golden.meta()["metrics"] as? [[String: Any]], !list.isEmpty else { throw Golden.Missing(what: "metrics") }
        return list
    }

    @Test func psnrMatchesScikitImage() throws {
        for c in try Self.cases() {
            let a = try Golden.image8(Golden.dict(c["reference"])), b = try Golden.image8(Golden.dict(c["test"]))
            let got = try PSNR.psnr(a, b)
            #expect(abs(got - (try Golden.number(c, "psnr_rgb"))) < 0.01, "\(c["name"] ?? "")")
            let mse = try PSNR.meanSquaredError(EightBitPlanes(a), EightBitPlanes(b))
            #expect(abs(mse - (try Golden.number(c, "mse_rgb"))) < 1e-6)
        }
    }

    @Test func ssimGaussianMatchesScikitImage() throws {
        for c in try Self.cases() {
            let a = try Golden.image8(Golden.dict(c["reference"])), b = try Golden.image8(Golden.dict(c["test"]))
            let got = try SSIM.ssim(a, b, window: .gaussian)
            let want = try Golden.number(c, "ssim_gaussian_rgb")
            #expect(abs(got - want) < 1e-4, "\(c["name"] ?? ""): \(got) vs \(want)")
            // The cancellation-free Float filtering agrees far more tightly than the 1e-4 contract.
            #expect(abs(got - want) < 1e-6)
        }
    }

    @Test func ssimUniform7MatchesScikitImageDefault() throws {
        for c in try Self.cases() {
            let a = try Golden.image8(Golden.dict(c["reference"])), b = try Golden.image8(Golden.dict(c["test"]))
            let got = try SSIM.ssim(a, b, window: .uniform7)
            #expect(abs(got - (try Golden.number(c, "ssim_uniform7_rgb"))) < 1e-6)
        }
    }

    @Test func lumaScoresMatchReferenceAndFFmpeg() throws {
        for c in try Self.cases() {
            let a = try Golden.image8(Golden.dict(c["reference"])), b = try Golden.image8(Golden.dict(c["test"]))
            let psnrY = try PSNR.psnr(a, b, lumaOnly: true)
            #expect(abs(psnrY - (try Golden.number(c, "psnr_y"))) < 1e-6)
            // FFmpeg: format=yuv444p (swscale's fixed-point BT.601) then psnr → "y:".
            #expect(abs(psnrY - (try Golden.number(c, "ffmpeg_psnr_y"))) < 0.01)
            #expect(abs(try SSIM.ssim(a, b, window: .gaussian, lumaOnly: true) - (try Golden.number(c, "ssim_gaussian_y"))) < 1e-6)
            #expect(abs(try SSIM.ssim(a, b, window: .uniform7, lumaOnly: true) - (try Golden.number(c, "ssim_uniform7_y"))) < 1e-6)
        }
    }

    @Test func summaryMatchesNumPy() throws {
        let meta = try Golden.meta()
        let s = try Golden.dict(meta["clip_summary"])
        guard let names = s["frames"] as? [String] else { throw Golden.Missing(what: "frames") }
        let byName = Dictionary(uniqueKeysWithValues: try Self.cases().map { ($0["name"] as? String ?? "", $0) })
        var acc = QualityAccumulator()
        for (i, name) in names.enumerated() {
            let c = try #require(byName[name])
            let a = try Golden.image8(Golden.dict(c["reference"])), b = try Golden.image8(Golden.dict(c["test"]))
            acc.add(try FrameQuality.measure(reference: a, test: b, index: i))
        }
        let summary = try #require(acc.summary(worst: 2))
        #expect(abs(summary.psnr.mean - (try Golden.number(s, "psnr_mean"))) < 1e-6)
        #expect(abs(summary.psnr.median - (try Golden.number(s, "psnr_median"))) < 1e-6)
        #expect(abs(summary.psnr.min - (try Golden.number(s, "psnr_min"))) < 1e-6)
        #expect(abs(summary.psnr.percentile5 - (try Golden.number(s, "psnr_p5"))) < 1e-6)
        #expect(abs(summary.ssim.mean - (try Golden.number(s, "ssim_mean"))) < 1e-6)
        #expect(abs(summary.ssim.percentile5 - (try Golden.number(s, "ssim_p5"))) < 1e-6)
        #expect(abs(summary.psnrOfMeanMSE - (try Golden.number(s, "psnr_of_mean_mse"))) < 1e-6)
        // Frames were made with growing noise, so frame 2 is worst, then 1.
        #expect(summary.worstByPSNR.map(\.index) == [2, 1])
        #expect(summary.worstBySSIM.map(\.index) == [2, 1])
    }
}
