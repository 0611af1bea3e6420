import Foundation

/// Peak signal-to-noise ratio on 8-bit samples with peak 255.
///
/// Per frame: `10·log10(255² / MSE)` with the MSE over every sample of every scored channel
/// (scikit-image `peak_signal_noise_ratio(data_range=255)` on uint8; equal-size planes make this
/// the same as FFmpeg's plane-size-weighted average). Identical images give `+infinity`.
public enum PSNR {
    public static let peak: Double = 255

    /// Mean squared error between two 8-bit plane sets (exact: integer differences summed in Double).
    public static func meanSquaredError(_ a: EightBitPlanes, _ b: EightBitPlanes) throws -> Double {
        try a.checkComparable(with: b)
        let n = a.values.count
        return a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                // Float sums of squared 8-bit differences are exact up to 2^24; flush per block.
                var total: Double = 0
                var start = 0
                while start < n {
                    let end = min(n, start + 256)
                    var block: Float = 0
                    for i in start..<end {
                        let d = pa[i] - pb[i]
                        block += d * d
                    }
                    total += Double(block)
                    start = end
                }
                return total / Double(n)
            }
        }
    }

    /// PSNR in dB for a mean squared error on the 0…255 scale (`+infinity` for 0).
    public static func decibels(mse: Double) -> Double {
        mse > 0 ? 10 * log10(peak * peak / mse) : .infinity
    }

    /// PSNR of two images quantised to 8 bit, RGB (all channels) or BT.601 luma only.
    public static func psnr(_ reference: PlanarImage, _ test: PlanarImage, lumaOnly: Bool = false) throws -> Double {
        decibels(mse: try meanSquaredError(EightBitPlanes(reference, lumaOnly: lumaOnly),
                                           EightBitPlanes(test, lumaOnly: lumaOnly)))
    }

    /// FFmpeg `psnr` filter's aggregate: the PSNR of the mean of the per-frame MSEs.
    public static func psnrOfMeanMSE(_ mses: [Double]) -> Double {
        guard !mses.isEmpty else { return .nan }
        return decibels(mse: mses.reduce(0, +) / Double(mses.count))
    }
}
