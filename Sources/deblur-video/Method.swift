import ArgumentParser
import DeblurNet
import Foundation
import Stream

/// The restoration methods `--method` accepts. Add a case here and a branch in `makeProcessorFactory`.
enum Method: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// The DeblurGAN-v2-style generator (shipped model unless --model is given).
    case gan
    /// Pass-through: decode and re-encode only.
    case none
    /// Unsharp mask (scikit-image `unsharp_mask` semantics).
    case unsharp
    /// Wiener deconvolution with a Laplacian prior (scikit-image `restoration.wiener`).
    case wiener
    /// Richardson–Lucy deconvolution (scikit-image `restoration.richardson_lucy`).
    case richardsonLucy = "richardson-lucy"
}

/// Settings a method may need (weights path, strength, …); extended with the methods.
struct MethodOptions: Sendable {
    /// PSF and parameters of unsharp, wiener and richardson-lucy.
    var classical = ClassicalSettings()
    /// Weights and tiling of `gan`.
    var model = ModelSettings()
    /// Processors that run at the same time; the GAN's own threads share the cores among them.
    var workers = 1
    init() {}
}

/// A factory, not an instance: each pipeline worker builds its own processor, since processors keep scratch buffers.
func makeProcessorFactory(for method: Method, options: MethodOptions) throws -> @Sendable () throws -> any FrameProcessor {
    switch method {
    case .gan:
        let settings = options.model
        // Load once here so a missing or corrupt model fails before any output file exists.
        let stride = try settings.loadGenerator().stride
        // Frames run in parallel across workers; each worker's convolutions get their share of
        // the cores so the two levels never oversubscribe.
        Threading.setThreads(max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, options.workers)))
        // Each worker loads its own copy, so no model state is shared between threads.
        let model: @Sendable () throws -> any FrameProcessor = {
            GeneratorProcessor(generator: try settings.loadGenerator(), ensemble: settings.ensemble)
        }
        // Only the network needs tiling (its memory grows with the frame); pass-through and the classical
        // methods work on whole frames, where tiles would only add copies or change their global filters.
        // Tiles are multiples of the stride, so the network reflect-pads nothing.
        guard settings.tile > 0 else { return model }
        return { try TiledProcessor(model(), tileSize: settings.tile, overlap: settings.overlap,
                                    wholeFramePixels: settings.tileAbove, alignment: stride,
                                    largeFrames: settings.largeFrameTile.map { (LargeFramePolicy.pixelsAbove, $0) }) }
    case .none:
        return { PassThrough() }
    case .unsharp:
        return try options.classical.makeFactory(for: .unsharp)
    case .wiener:
        return try options.classical.makeFactory(for: .wiener)
    case .richardsonLucy:
        return try options.classical.makeFactory(for: .richardsonLucy)
    }
}
