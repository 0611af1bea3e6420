import Foundation

/// Scores of one frame: PSNR (dB), SSIM and the 8-bit MSE behind the PSNR.
public struct FrameQuality: Sendable, Equatable, Codable {
    /// 0-based frame index (or position in a sorted image list).
    public var index: Int
    public var psnr: Double
    public var ssim: Double
    public var mse: Double
    /// The image's file name when a directory of images is scored, nil for video frames.
    public var name: String?

    public init(index: Int, psnr: Double, ssim: Double, mse: Double, name: String? = nil) {
        self.name = name
        self.index = index
        self.psnr = psnr
        self.ssim = ssim
        self.mse = mse
    }

    /// Scores `test` against `reference` under `options`, quantising each once.
    public static func measure(reference: PlanarImage, test: PlanarImage, index: Int = 0,
                               options: QualityOptions = QualityOptions()) throws -> FrameQuality {
        let a = EightBitPlanes(reference, lumaOnly: options.lumaOnly)
        let b = EightBitPlanes(test, lumaOnly: options.lumaOnly)
        let mse = try PSNR.meanSquaredError(a, b)
        let ssim = try SSIM.ssim(a, b, window: options.window)
        return FrameQuality(index: index, psnr: PSNR.decibels(mse: mse), ssim: ssim, mse: mse)
    }

    /// CSV header matching `csvRow`.
    public static let csvHeader = "frame,psnr_db,ssim,mse"

    /// `frame,psnr_db,ssim,mse`; infinite PSNR is written `inf`.
    public var csvRow: String {
        "\(index),\(QualityFormat.number(psnr, digits: 4)),\(QualityFormat.number(ssim, digits: 6)),\(QualityFormat.number(mse, digits: 6))"
    }

    /// How reports name it: the file name, or `#index` for a video frame.
    public var label: String { name ?? "#\(index)" }

    /// One JSON object (with `name` for images of a directory); infinite PSNR is written `null` (JSON has no infinity).
    public var jsonObject: String {
        "{\"frame\": \(index), " + (name.map { "\"name\": \(QualityFormat.jsonString($0)), " } ?? "") + "\"psnr_db\": \(QualityFormat.json(psnr, digits: 4)), \"ssim\": \(QualityFormat.json(ssim, digits: 6)), \"mse\": \(QualityFormat.json(mse, digits: 6))}"
    }
}

/// What to score: the SSIM window and RGB versus luma.
public struct QualityOptions: Sendable, Equatable {
    public var window: SSIMWindow
    /// Score BT.601 luma (see `Luma`) instead of the three RGB channels.
    public var lumaOnly: Bool

    public init(window: SSIMWindow = .gaussian, lumaOnly: Bool = false) {
        self.window = window
        self.lumaOnly = lumaOnly
    }

    /// One-paragraph statement of the conventions, for `--help`, reports and JSON.
    public var conventions: String {
        let channels = lumaOnly
            ? "BT.601 luma Y = round(16 + (65.481 R + 128.553 G + 24.966 B)/255) of 8-bit RGB"
            : "RGB, all three channels"
        let window = self.window == .gaussian
            ? "SSIM per Wang et al.: 11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03, population covariance"
            : "SSIM with scikit-image's default 7x7 uniform window, sample covariance, K1 0.01, K2 0.03"
        return "8-bit samples (round(clamp(v,0,1)*255)), \(channels); PSNR with peak 255, MSE over all samples of the frame; "
            + "\(window); per channel, averaged over the valid region only (border of \(self.window.radius) px dropped), "
            + "then averaged over channels. Mean PSNR averages per-frame PSNR; 'PSNR of mean MSE' is FFmpeg's psnr-filter average."
    }
}

/// Number formatting shared by the CSV/JSON writers and the summary table.
public enum QualityFormat {
    /// Fixed-point with `digits` decimals; `inf`, `-inf`, `nan` for non-finite values.
    public static func number(_ v: Double, digits: Int) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return String(format: "%.\(digits)f", v)
    }

    /// As `number`, but non-finite values become `null`.
    public static func json(_ v: Double, digits: Int) -> String {
        v.isFinite ? String(format: "%.\(digits)f", v) : "null"
    }

    /// A JSON string literal.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }
}
