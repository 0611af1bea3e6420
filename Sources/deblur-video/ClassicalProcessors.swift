import ArgumentParser
import Foundation
import Restoration
import Stream

// FrameProcessor adapters for the classical baselines of the Restoration module, and their flags.

extension PlanarImage {
    /// The frame's planar RGB [0, 1] pixels as an image (same layout, no conversion).
    init(_ frame: Frame) throws {
        try self.init(width: frame.width, height: frame.height, channels: 3, pixels: frame.pixels)
    }
}

extension Frame {
    /// `image` as a frame carrying `source`'s timestamp and index, clamped to the frame contract's [0, 1].
    init(_ image: PlanarImage, like source: Frame) {
        self.init(width: image.width, height: image.height,
                  pixels: image.pixels.map { $0 > 0 ? ($0 < 1 ? $0 : 1) : 0 }, pts: source.pts, index: source.index)
    }
}

/// `--method unsharp`.
struct UnsharpProcessor: FrameProcessor {
    var name: String { "unsharp" }
    let mask: UnsharpMask
    func process(_ frame: Frame) throws -> Frame {
        Frame(mask.apply(try PlanarImage(frame)), like: frame)
    }
}

/// A deconvolution error with the flags that fix it when the PSF does not fit in the frame.
struct DeconvolutionError: Error, CustomStringConvertible {
    let underlying: RestorationError
    var description: String {
        guard case .psfLargerThanImage = underlying else { return underlying.description }
        return "\(underlying) (give a shorter --psf-length or a smaller --psf image)"
    }

    static func hinting<T>(_ body: () throws(RestorationError) -> T) throws(DeconvolutionError) -> T {
        do { return try body() } catch { throw DeconvolutionError(underlying: error) }
    }
}

/// `--method wiener`; keeps the filter for the frame size between frames.
struct WienerProcessor: FrameProcessor {
    var name: String { "wiener" }
    var wiener: WienerDeconvolution
    mutating func process(_ frame: Frame) throws -> Frame {
        let image = try PlanarImage(frame)
        return Frame(try DeconvolutionError.hinting { () throws(RestorationError) in try wiener.apply(image) }, like: frame)
    }
}

/// `--method richardson-lucy`.
struct RichardsonLucyProcessor: FrameProcessor {
    var name: String { "richardson-lucy" }
    let deconvolution: RichardsonLucy
    func process(_ frame: Frame) throws -> Frame {
        let image = try PlanarImage(frame)
        return Frame(try DeconvolutionError.hinting { () throws(RestorationError) in try deconvolution.apply(image) }, like: frame)
    }
}

/// Parameters of the classical methods, resolved from the command line.
struct ClassicalSettings: Sendable {
    var psfLength: Double = 9
    var psfAngle: Double = 0
    /// An image whose pixels are the PSF (channels averaged, normalised to sum 1); overrides length/angle.
    var psfFile: String?
    var unsharpSigma: Double = 1
    var unsharpAmount: Double = 1
    var wienerBalance: Double = 0.01
    var iterations: Int = 30
    /// Mirror-pad frames before wiener/richardson-lucy (margin twice the PSF size) instead of skimage's borders.
    var mirrorBoundary = true

    /// The PSF: decoded from `psfFile` if given, else the motion kernel.
    func pointSpreadFunction() throws -> PointSpreadFunction {
        guard let psfFile else {
            do { return try .motion(length: psfLength, angleDegrees: psfAngle) } catch {
                throw CLIFailure(.usage, "bad --psf-length/--psf-angle: \(error)")
            }
        }
        let frame: Frame?
        do { frame = try FrameDecoder(location: psfFile).nextFrame() } catch { throw CLIFailure(.input, "--psf \(psfFile): \(error)") }
        guard let frame else { throw CLIFailure(.input, "--psf \(psfFile): no image in the file") }
        do { return try PointSpreadFunction(image: PlanarImage(frame)) } catch {
            throw CLIFailure(.input, "--psf \(psfFile): \(error)")
        }
    }

    func margin(for psf: PointSpreadFunction) -> Int {
        mirrorBoundary ? 2 * max(psf.width, psf.height) : 0
    }

    func makeFactory(for method: ClassicalMethod) throws -> @Sendable () throws -> any FrameProcessor {
        do {
            switch method {
            case .unsharp:
                let mask = try UnsharpMask(sigma: unsharpSigma, amount: unsharpAmount)
                return { UnsharpProcessor(mask: mask) }
            case .wiener:
                let psf = try pointSpreadFunction()
                let wiener = try WienerDeconvolution(psf: psf, balance: wienerBalance, margin: margin(for: psf))
                return { WienerProcessor(wiener: wiener) }
            case .richardsonLucy:
                let psf = try pointSpreadFunction()
                let rl = try RichardsonLucy(psf: psf, iterations: iterations, margin: margin(for: psf))
                return { RichardsonLucyProcessor(deconvolution: rl) }
            }
        } catch let error as RestorationError {
            throw CLIFailure(.usage, error.description)
        }
    }
}

/// The classical methods, as named in `Method`.
enum ClassicalMethod { case unsharp, wiener, richardsonLucy }

/// Command-line flags of the classical methods (shared by `deblur` and `compare`).
struct ClassicalFlags: ParsableArguments {
    @Option(parsing: .unconditional, help: "Motion PSF length in pixels for wiener/richardson-lucy (segment of this length, anti-aliased, sum 1).")
    var psfLength: Double = 9

    @Option(parsing: .unconditional, help: "Motion PSF angle in degrees, counter-clockwise from the +x axis (0 = horizontal blur).")
    var psfAngle: Double = 0

    @Option(help: "PSF from an image file's pixels (channels averaged, normalised to sum 1); overrides --psf-length/--psf-angle.")
    var psf: String?

    @Option(parsing: .unconditional, help: "Unsharp mask Gaussian sigma in pixels (scikit-image's radius).")
    var unsharpSigma: Double = 1

    @Option(parsing: .unconditional, help: "Unsharp mask amount: out = in + amount * (in - blur(in)).")
    var unsharpAmount: Double = 1

    @Option(parsing: .unconditional, help: "Wiener regularisation weight (scikit-image's balance) on the Laplacian prior.")
    var wienerBalance: Double = 0.01

    @Option(parsing: .unconditional, help: "Richardson-Lucy iterations.")
    var iterations: Int = 30

    @Option(help: ArgumentHelp("Frame border for wiener/richardson-lucy: mirror (pad with the mirrored frame by twice the PSF size, then crop) or skimage (scikit-image's own: circular for wiener, zero for richardson-lucy).", valueName: "mirror|skimage"))
    var boundary: String = "mirror"

    func validate() throws {
        guard psfLength > 0, psfLength.isFinite else { throw ValidationError("--psf-length must be > 0") }
        guard psfAngle.isFinite else { throw ValidationError("--psf-angle must be a finite number") }
        guard unsharpSigma > 0, unsharpSigma <= UnsharpMask.maxSigma else {
            throw ValidationError("--unsharp-sigma must be > 0 and at most \(Int(UnsharpMask.maxSigma)) pixels")
        }
        guard unsharpAmount.isFinite else { throw ValidationError("--unsharp-amount must be a finite number") }
        // 0 is the plain inverse filter: where the PSF's spectrum is near zero it multiplies noise without bound.
        guard wienerBalance > 0, wienerBalance.isFinite else {
            throw ValidationError("--wiener-balance must be > 0 (0 is the bare inverse filter, which turns noise into the picture; try 0.001 for less smoothing)")
        }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard ["mirror", "skimage"].contains(boundary) else { throw ValidationError("--boundary must be mirror or skimage") }
    }

    var settings: ClassicalSettings {
        ClassicalSettings(psfLength: psfLength, psfAngle: psfAngle, psfFile: psf, unsharpSigma: unsharpSigma,
                          unsharpAmount: unsharpAmount, wienerBalance: wienerBalance, iterations: iterations,
                          mirrorBoundary: boundary == "mirror")
    }
}
