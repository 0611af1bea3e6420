import ArgumentParser
import Stream

/// The restoration methods `--method` accepts. Add a case here and a branch in `makeProcessorFactory`.
enum Method: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Pass-through: decode and re-encode only.
    case none
}

/// Settings a method may need (weights path, strength, …); extended with the methods.
struct MethodOptions: Sendable {
    init() {}
}

/// A factory, not an instance: each pipeline worker builds its own processor, since processors keep scratch buffers.
func makeProcessorFactory(for method: Method, options: MethodOptions) throws -> @Sendable () throws -> any FrameProcessor {
    switch method {
    case .none:
        return { PassThrough() }
    }
}
