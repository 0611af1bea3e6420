import Restoration
import Stream

/// PSNR (dB, 8-bit, peak 255) and SSIM (Gaussian 11×11, σ 1.5) of an image against its sharp reference,
/// using the project's evaluation code so the page agrees with `deblur-video eval`.
public struct QualityScores: Sendable, Equatable, Codable {
    /// `nil` when the images are identical (infinite PSNR; JSON has no infinity).
    public var psnr: Double?
    public var ssim: Double

    public init(psnr: Double?, ssim: Double) {
        self.psnr = psnr
        self.ssim = ssim
    }

    private enum CodingKeys: String, CodingKey { case psnr, ssim }

    /// Always both keys, `"psnr": null` for identical images, as the API documents (`eval --json` does the same).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(psnr, forKey: .psnr)
        try c.encode(ssim, forKey: .ssim)
    }

    /// Scores `test` against `reference`; both must have the same size (checked by the caller).
    init(_ test: Frame, _ reference: Frame) throws {
        let a = try PlanarImage(width: reference.width, height: reference.height, channels: 3, pixels: reference.pixels)
        let b = try PlanarImage(width: test.width, height: test.height, channels: 3, pixels: test.pixels)
        let q = try FrameQuality.measure(reference: a, test: b)
        psnr = q.psnr.isFinite ? q.psnr : nil
        ssim = q.ssim
    }
}
