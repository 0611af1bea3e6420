/// Distribution of one score over frames.
public struct ScoreStatistics: Sendable, Equatable {
    public var mean: Double
    public var median: Double
    public var min: Double
    public var max: Double
    /// 5th percentile, linear interpolation between order statistics (numpy's default).
    public var percentile5: Double

    /// Statistics of `values` (must be non-empty). Infinite values propagate as IEEE arithmetic does.
    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "statistics of an empty list")
        let sorted = values.sorted()
        mean = values.reduce(0, +) / Double(values.count)
        min = sorted[0]
        max = sorted[sorted.count - 1]
        median = Self.percentile(sorted, 50)
        percentile5 = Self.percentile(sorted, 5)
    }

    /// numpy `percentile(..., method="linear")` of ascending `sorted`.
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let pos = q / 100 * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down))
        let hi = Swift.min(lo + 1, sorted.count - 1)
        let frac = pos - Double(lo)
        if frac == 0 || sorted[lo] == sorted[hi] { return sorted[lo] }
        return sorted[lo] + (sorted[hi] - sorted[lo]) * frac
    }
}

/// Summary of a per-frame evaluation: mean, median, min, 5th percentile, worst frames.
public struct QualitySummary: Sendable, Equatable {
    public var frameCount: Int
    public var psnr: ScoreStatistics
    public var ssim: ScoreStatistics
    /// FFmpeg psnr-filter convention: 10·log10(255² / mean of per-frame MSE).
    public var psnrOfMeanMSE: Double
    /// Lowest-PSNR frames, worst first (ties by index).
    public var worstByPSNR: [FrameQuality]
    /// Lowest-SSIM frames, worst first (ties by index).
    public var worstBySSIM: [FrameQuality]

    /// Summarises `frames` (must be non-empty), keeping `worst` frames per score.
    public init(_ frames: [FrameQuality], worst: Int = 5) {
        precondition(!frames.isEmpty, "summary of no frames")
        frameCount = frames.count
        psnr = ScoreStatistics(frames.map(\.psnr))
        ssim = ScoreStatistics(frames.map(\.ssim))
        psnrOfMeanMSE = PSNR.psnrOfMeanMSE(frames.map(\.mse))
        worstByPSNR = Array(frames.sorted { ($0.psnr, $0.index) < ($1.psnr, $1.index) }.prefix(worst))
        worstBySSIM = Array(frames.sorted { ($0.ssim, $0.index) < ($1.ssim, $1.index) }.prefix(worst))
    }

    /// A short human-readable table.
    public var table: String {
        func row(_ name: String, _ s: ScoreStatistics, _ d: Int) -> String {
            let cells = [s.mean, s.median, s.min, s.percentile5].map { QualityFormat.number($0, digits: d) }
            return name.padding(toLength: 6, withPad: " ", startingAt: 0)
                + cells.map { $0.leftPadded(to: 10) }.joined()
        }
        var lines = ["frames: \(frameCount)",
                     "metric" + ["mean", "median", "min", "p5"].map { $0.leftPadded(to: 10) }.joined(),
                     row("PSNR", psnr, 3),
                     row("SSIM", ssim, 5),
                     "PSNR of mean MSE (FFmpeg psnr average): \(QualityFormat.number(psnrOfMeanMSE, digits: 3)) dB"]
        lines.append("worst PSNR frames: " + worstByPSNR.map { "\($0.label) (\(QualityFormat.number($0.psnr, digits: 2)) dB)" }.joined(separator: ", "))
        lines.append("worst SSIM frames: " + worstBySSIM.map { "\($0.label) (\(QualityFormat.number($0.ssim, digits: 4)))" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// A JSON object with the statistics (non-finite numbers as `null`).
    public var jsonObject: String {
        func stats(_ s: ScoreStatistics, _ d: Int) -> String {
            "{\"mean\": \(QualityFormat.json(s.mean, digits: d)), \"median\": \(QualityFormat.json(s.median, digits: d)), "
                + "\"min\": \(QualityFormat.json(s.min, digits: d)), \"max\": \(QualityFormat.json(s.max, digits: d)), "
                + "\"p5\": \(QualityFormat.json(s.percentile5, digits: d))}"
        }
        return "{\"frames\": \(frameCount), \"psnr_db\": \(stats(psnr, 4)), \"ssim\": \(stats(ssim, 6)), "
            + "\"psnr_of_mean_mse_db\": \(QualityFormat.json(psnrOfMeanMSE, digits: 4)), "
            + "\"worst_psnr_frames\": [\(worstByPSNR.map { String($0.index) }.joined(separator: ", "))], "
            + "\"worst_ssim_frames\": [\(worstBySSIM.map { String($0.index) }.joined(separator: ", "))]}"
    }
}

/// Collects per-frame scores as frames stream past (memory grows by one small row per frame).
public struct QualityAccumulator: Sendable {
    public private(set) var frames: [FrameQuality] = []
    public init() {}
    public mutating func add(_ q: FrameQuality) { frames.append(q) }
    /// The summary, or nil before the first frame.
    public func summary(worst: Int = 5) -> QualitySummary? {
        frames.isEmpty ? nil : QualitySummary(frames, worst: worst)
    }
}

extension String {
    func leftPadded(to n: Int) -> String {
        count >= n ? " " + self : String(repeating: " ", count: n - count) + self
    }
}
