/// Errors of the Restoration module: bad shapes and bad parameters, each saying what was wrong.
public enum RestorationError: Error, CustomStringConvertible, Equatable {
    case invalidSize(width: Int, height: Int, channels: Int)
    case pixelCountMismatch(expected: Int, actual: Int)
    case sizeMismatch(reference: String, test: String)
    case channelMismatch(reference: Int, test: Int)
    case imageTooSmall(width: Int, height: Int, window: Int)
    case invalidParameter(String)
    case emptyPSF
    /// The PSF is wider or taller than the image it should be removed from.
    case psfLargerThanImage(psf: String, image: String)

    public var description: String {
        switch self {
        case let .invalidSize(w, h, c):
            return "invalid image size \(w)x\(h) with \(c) channel(s)"
        case let .pixelCountMismatch(expected, actual):
            return "pixel buffer holds \(actual) samples, expected \(expected)"
        case let .sizeMismatch(reference, test):
            return "image sizes differ: reference \(reference), test \(test)"
        case let .channelMismatch(reference, test):
            return "channel counts differ: reference \(reference), test \(test)"
        case let .imageTooSmall(w, h, window):
            return "image \(w)x\(h) is smaller than the \(window)x\(window) SSIM window"
        case let .invalidParameter(message):
            return "invalid parameter: \(message)"
        case .emptyPSF:
            return "point spread function sums to zero (or has a negative/NaN sample)"
        case let .psfLargerThanImage(psf, image):
            return "the PSF (\(psf)) is larger than the image (\(image)): a blur wider than the picture cannot be undone from it"
        }
    }
}
