import ArgumentParser
import Stream

/// The restoration methods `--method` accepts. Add a case here and a branch in `makeProcessorFactory`.
enum Method: String, ExpressibleByArgument, CaseIterable, Sendable {
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
    init() {}
}

/// A factory, not an instance: each pipeline worker builds its own processor, since processors keep scratch buffers.
func makeProcessorFactory(for method: Method, options: MethodOptions) throws -> @Sendable () throws -> any FrameProcessor {
    switch method {
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
