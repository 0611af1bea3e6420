/// Errors from loading a state dict into a module.
public enum StateDictError: Error, CustomStringConvertible, Equatable {
    case missingKey(String)
    case unexpectedKey(String)
    case shapeMismatch(key: String, expected: [Int], found: [Int])
    case nonFinite(String)

    public var description: String {
        switch self {
        case .missingKey(let k): return "state dict is missing '\(k)'"
        case .unexpectedKey(let k): return "state dict has unexpected key '\(k)'"
        case .shapeMismatch(let k, let e, let f): return "'\(k)' has shape \(f), the model expects \(e)"
        case .nonFinite(let k): return "'\(k)' holds NaN or infinite values (corrupt or diverged weights)"
        }
    }
}

/// A network component that owns named parameters, buffers and child modules, so the whole tree maps 1:1
/// onto a PyTorch `state_dict` (`encoder.blocks.0.conv.weight`).
public protocol Module: AnyObject {
    /// This module's own trainable parameters (local names, e.g. "weight").
    var ownParameters: [(String, Variable)] { get }
    /// This module's own non-trainable state (e.g. BatchNorm running statistics).
    var ownBuffers: [(String, Variable)] { get }
    /// Direct sub-modules with their local names.
    var children: [(String, any Module)] { get }
    /// Switches training/evaluation behaviour (BatchNorm); the default recurses into children.
    func setTraining(_ training: Bool)
}

/// A module mapping one tensor to another.
public protocol Layer: Module {
    /// Forward pass.
    func callAsFunction(_ x: Variable) -> Variable
}

extension Module {
    public var ownParameters: [(String, Variable)] { [] }
    public var ownBuffers: [(String, Variable)] { [] }
    public var children: [(String, any Module)] { [] }
    public func setTraining(_ training: Bool) { for (_, c) in children { c.setTraining(training) } }

    /// All parameters of the tree with dotted names, in registration order.
    public func namedParameters(prefix: String = "") -> [(String, Variable)] {
        var out = ownParameters.map { (prefix + $0.0, $0.1) }
        for (name, c) in children { out += c.namedParameters(prefix: prefix + name + ".") }
        return out
    }

    /// All buffers of the tree with dotted names.
    public func namedBuffers(prefix: String = "") -> [(String, Variable)] {
        var out = ownBuffers.map { (prefix + $0.0, $0.1) }
        for (name, c) in children { out += c.namedBuffers(prefix: prefix + name + ".") }
        return out
    }

    /// The parameter variables (for an optimizer).
    public var parameters: [Variable] { namedParameters().map { $0.1 } }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Parameters and buffers by name (what `Safetensors.write` stores).
    public func stateDict() -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (k, v) in namedParameters() { d[k] = v.value }
        for (k, v) in namedBuffers() { d[k] = v.value }
        return d
    }

    /// Copies tensors into parameters and buffers by name, checking shapes. `strict` also rejects keys the model
    /// does not have (PyTorch's `num_batches_tracked` is always ignored) and requires every key to be present.
    public func loadStateDict(_ dict: [String: Tensor], strict: Bool = true) throws {
        let targets = namedParameters() + namedBuffers()
        for (k, v) in targets {
            guard let t = dict[k] else {
                if strict { throw StateDictError.missingKey(k) }
                continue
            }
            guard t.count == v.value.count, t.shape == v.shape || (t.shape.isEmpty && v.shape == [1]) || (v.shape.isEmpty && t.shape == [1]) else {
                throw StateDictError.shapeMismatch(key: k, expected: v.shape, found: t.shape)
            }
            // A NaN weight would turn every output black without a word.
            guard t.isFinite else { throw StateDictError.nonFinite(k) }
            v.value = t.reshaped(v.shape)
        }
        if strict {
            let known = Set(targets.map { $0.0 })
            for k in dict.keys.sorted() where !known.contains(k) && !k.hasSuffix("num_batches_tracked") {
                throw StateDictError.unexpectedKey(k)
            }
        }
    }

    /// Clears the gradients of all parameters.
    public func zeroGrad() { for p in parameters { p.grad = nil } }
}

/// Layers applied in order; children are named "0", "1", … like `torch.nn.Sequential`.
public final class Sequential: Layer, @unchecked Sendable {
    /// The layers in order.
    public let layers: [any Layer]
    public init(_ layers: [any Layer]) { self.layers = layers }
    public var children: [(String, any Module)] { layers.enumerated().map { (String($0.offset), $0.element as any Module) } }
    public func callAsFunction(_ x: Variable) -> Variable { layers.reduce(x) { $1($0) } }
}

/// A trainable parameter: a leaf variable that requires a gradient.
public func Parameter(_ t: Tensor) -> Variable { Variable(t, requiresGrad: true) }
/// A buffer: saved state that is not trained.
public func Buffer(_ t: Tensor) -> Variable { Variable(t, requiresGrad: false) }
