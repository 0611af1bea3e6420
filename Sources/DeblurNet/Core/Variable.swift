/// Global switch for gradient recording (like `torch.no_grad`). Task-local, so it is safe under concurrency.
public enum GradMode {
    @TaskLocal static var enabledFlag = true

    /// Whether ops currently record backward closures.
    public static var isEnabled: Bool { enabledFlag }

    /// Runs `body` without recording: no backward closures, no gradient buffers, inputs not retained.
    public static func noGrad<R>(_ body: () throws -> R) rethrows -> R {
        try $enabledFlag.withValue(false) { try body() }
    }
}

/// Runs `body` with gradient recording off (see `GradMode.noGrad`).
public func noGrad<R>(_ body: () throws -> R) rethrows -> R { try GradMode.noGrad(body) }

/// A node of the autograd graph: a tensor value, its accumulated gradient, and (for op results) how to
/// push its gradient to its inputs. Parameters are leaf variables with `requiresGrad = true`.
///
/// Reference type because graph nodes are shared by identity between the ops that consume them and the
/// optimizer; not thread-safe — build and run a graph from one thread at a time.
public final class Variable: @unchecked Sendable {
    /// The forward value.
    public var value: Tensor
    /// The accumulated gradient (nil until a backward pass reaches this node; `zeroGrad` sets it back to nil).
    public var grad: Tensor?
    /// Whether gradients flow to/through this node. Set it to false on parameters to freeze them
    /// (e.g. a pretrained encoder): no weight gradients are computed for them.
    public var requiresGrad: Bool
    /// Inputs recorded by the op that produced this node (empty for leaves, in `noGrad`, and after backward).
    var parents: [Variable]
    /// Set once a backward pass has consumed (and freed) this node's part of the graph.
    var released = false
    /// Pushes `self.grad` into the parents' gradients.
    var backwardFn: ((Tensor) -> Void)?

    /// A leaf (input, parameter or constant).
    public init(_ value: Tensor, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
        parents = []
        backwardFn = nil
    }

    init(value: Tensor, parents: [Variable], backward: @escaping (Tensor) -> Void) {
        self.value = value
        requiresGrad = true
        self.parents = parents
        backwardFn = backward
    }

    /// Shape of the value.
    public var shape: [Int] { value.shape }
    /// Whether this node was produced by a recorded op.
    public var isLeaf: Bool { backwardFn == nil }

    /// A new leaf with the same value and no history.
    public func detached() -> Variable { Variable(value, requiresGrad: false) }

    /// Adds `g` to this node's gradient.
    func accumulate(_ g: Tensor) {
        precondition(g.count == value.count, "gradient shape \(g.shape) for value \(value.shape)")
        if grad == nil {
            grad = g.shape == value.shape ? g : g.reshaped(value.shape)
        } else {
            let dst = grad!.mutablePtr()
            let src = g.ptr
            Threading.parallelChunks(g.count, minChunk: 1 << 16) { r in for i in r { dst[i] += src[i] } }
        }
    }

    /// Reverse-mode pass from this node. A scalar node is seeded with 1; otherwise pass `seed` (dL/dself).
    /// The graph is released afterwards (like PyTorch without `retain_graph`); leaf gradients accumulate.
    public func backward(seed: Tensor? = nil) {
        let s = seed ?? {
            precondition(value.count == 1, "backward() without seed needs a scalar, got \(value.shape)")
            return Tensor(shape: value.shape, repeating: 1)
        }()
        // Topological order by iterative DFS (deep nets would overflow a recursive walk).
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            precondition(!node.released, "backward through a graph that a previous backward() already freed (as PyTorch without retain_graph)")
            if visited.contains(ObjectIdentifier(node)) { continue }
            visited.insert(ObjectIdentifier(node))
            stack.append((node, true))
            for p in node.parents where p.requiresGrad && !visited.contains(ObjectIdentifier(p)) {
                stack.append((p, false))
            }
        }
        accumulate(s)
        for node in order.reversed() {
            guard let fn = node.backwardFn, let g = node.grad else { continue }
            fn(g)
            // Free intermediate state: the closure (and what it captured), the links to the inputs and the
            // non-leaf gradient, so a loss kept for logging does not keep the whole graph alive.
            node.backwardFn = nil
            node.parents = []
            node.released = true
            node.grad = nil
        }
    }
}

/// Records an op result: returns a graph node when recording and any input needs a gradient,
/// otherwise a plain leaf that keeps nothing alive. `backward` receives dL/dresult.
@inline(__always)
func record(_ value: Tensor, _ inputs: [Variable], _ backward: @escaping (Tensor) -> Void) -> Variable {
    if GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad }) {
        return Variable(value: value, parents: inputs, backward: backward)
    }
    return Variable(value)
}
