import Foundation

/// The SSIM sliding window.
public enum SSIMWindow: String, Sendable, CaseIterable, Codable {
    /// Wang et al. 2004: 11×11 Gaussian, σ = 1.5 (scipy truncate 3.5 → radius 5), population covariance.
    case gaussian
    /// scikit-image's default: 7×7 uniform window, sample covariance (N / (N − 1)).
    case uniform7

    /// Half-width: 5 for the Gaussian, 3 for the uniform window; also the border cropped from the SSIM map.
    public var radius: Int {
        switch self {
        case .gaussian: return Int(3.5 * 1.5 + 0.5)
        case .uniform7: return 3
        }
    }

    /// Normalised 1-D weights (length `2·radius + 1`); the 2-D window is their outer product.
    public var weights: [Double] {
        switch self {
        case .gaussian: return GaussianKernel.weights(sigma: 1.5, radius: radius)
        case .uniform7: return [Double](repeating: 1.0 / 7.0, count: 7)
        }
    }

    /// Factor applied to the (co)variances: 1 for population, N/(N−1) for sample covariance.
    public var covarianceNormalisation: Double {
        switch self {
        case .gaussian: return 1
        case .uniform7: return 49.0 / 48.0
        }
    }
}

/// 1-D Gaussian kernels as scipy.ndimage builds them.
public enum GaussianKernel {
    /// `exp(-x² / (2σ²))` for x in −radius…radius, normalised to sum 1.
    public static func weights(sigma: Double, radius: Int) -> [Double] {
        let w = (-radius...radius).map { x in exp(-0.5 / (sigma * sigma) * Double(x * x)) }
        let s = w.reduce(0, +)
        return w.map { $0 / s }
    }

    /// scipy's radius for a given truncation: `Int(truncate · σ + 0.5)`.
    public static func radius(sigma: Double, truncate: Double) -> Int {
        Int(truncate * sigma + 0.5)
    }
}
