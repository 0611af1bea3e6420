/// A dense, contiguous, row-major `Float` tensor (NCHW for images) with value semantics.
///
/// Storage is a reference-counted buffer from `BufferPool` with copy-on-write: copies are cheap, mutation
/// copies only when shared, and released buffers return to the pool so repeated shapes allocate nothing.
/// Value semantics keep tensors `Sendable` and make aliasing bugs impossible in op code.
public struct Tensor: Sendable, CustomStringConvertible {
    /// Dimensions, outermost first (`[N, C, H, W]` for images; `[]` for a scalar).
    public let shape: [Int]
    var storage: TensorStorage

    /// Number of elements (product of `shape`).
    public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// Element count of a shape.
    public static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// A tensor whose contents are undefined; every op that uses this writes all elements.
    public init(uninitializedShape shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        storage = TensorStorage(count: Tensor.elementCount(shape))
    }

    /// A tensor filled with `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(uninitializedShape: shape)
        storage.pointer.update(repeating: value, count: count)
    }

    /// A zero tensor.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }
    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// A tensor with the given row-major data (`data.count` must equal the shape's element count).
    public init(shape: [Int], data: [Float]) {
        precondition(Tensor.elementCount(shape) == data.count, "shape \(shape) needs \(Tensor.elementCount(shape)) values, got \(data.count)")
        self.init(uninitializedShape: shape)
        data.withUnsafeBufferPointer { src in
            if let b = src.baseAddress { storage.pointer.update(from: b, count: data.count) }
        }
    }

    /// A scalar tensor (shape `[]`).
    public init(scalar: Float) { self.init(shape: [], data: [scalar]) }

    /// The elements as an array (a copy).
    public var array: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// True if no element is NaN or infinite.
    public var isFinite: Bool { UnsafeBufferPointer(start: storage.pointer, count: count).allSatisfy(\.isFinite) }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar of a tensor with shape \(shape)")
        return storage.pointer[0]
    }

    /// Flat element access.
    public subscript(flat i: Int) -> Float {
        get { storage.pointer[i] }
        set { makeUnique(); storage.pointer[i] = newValue }
    }

    /// NCHW element access for rank-4 tensors.
    public subscript(n: Int, c: Int, y: Int, x: Int) -> Float {
        get { storage.pointer[((n * shape[1] + c) * shape[2] + y) * shape[3] + x] }
        set { makeUnique(); storage.pointer[((n * shape[1] + c) * shape[2] + y) * shape[3] + x] = newValue }
    }

    /// Read-only access to the contiguous elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Mutable access to the contiguous elements (copies first if the storage is shared).
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// Raw pointer for kernels (read).
    var ptr: UnsafeMutablePointer<Float> { storage.pointer }

    /// Raw pointer for kernels (write) after ensuring unique storage.
    mutating func mutablePtr() -> UnsafeMutablePointer<Float> { makeUnique(); return storage.pointer }

    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            let fresh = TensorStorage(count: storage.count)
            fresh.pointer.update(from: storage.pointer, count: storage.count)
            storage = fresh
        }
    }

    /// The same elements with another shape of equal element count (shares storage).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(Tensor.elementCount(newShape) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, storage: storage)
    }

    init(shape: [Int], storage: TensorStorage) {
        self.shape = shape
        self.storage = storage
    }

    /// Sets every element to `value`.
    public mutating func fill(_ value: Float) { mutablePtr().update(repeating: value, count: count) }

    /// Size of dimension `i` (negative counts from the end).
    public func dim(_ i: Int) -> Int { shape[i < 0 ? shape.count + i : i] }

    public var description: String {
        let head = array.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(\(shape), [\(head)\(count > 8 ? ", …" : "")])"
    }
}

extension Tensor {
    /// Deterministic pseudo-random uniform values in `[lo, hi)` (SplitMix64), for init and tests.
    public static func uniform(_ shape: [Int], lo: Float = -1, hi: Float = 1, seed: UInt64) -> Tensor {
        var t = Tensor(uninitializedShape: shape)
        var rng = SplitMix64(seed: seed)
        let p = t.mutablePtr()
        for i in 0..<t.count { p[i] = lo + (hi - lo) * rng.nextUnitFloat() }
        return t
    }

    /// Deterministic normal values (Box–Muller over SplitMix64).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, seed: UInt64) -> Tensor {
        var t = Tensor(uninitializedShape: shape)
        var rng = SplitMix64(seed: seed)
        let p = t.mutablePtr()
        var i = 0
        while i < t.count {
            let u1 = max(Double(rng.nextUnitFloat()), 1e-12), u2 = Double(rng.nextUnitFloat())
            let r = (-2 * _log(u1)).squareRoot()
            p[i] = mean + std * Float(r * _cos(2 * Double.pi * u2))
            if i + 1 < t.count { p[i + 1] = mean + std * Float(r * _sin(2 * Double.pi * u2)) }
            i += 2
        }
        return t
    }

    /// Largest absolute element-wise difference to `other` (same element count).
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(count == other.count, "maxAbsDifference: \(shape) vs \(other.shape)")
        var m: Float = 0
        for i in 0..<count { m = max(m, abs(ptr[i] - other.ptr[i])) }
        return m
    }

    /// Largest absolute element.
    public var maxAbs: Float {
        var m: Float = 0
        for i in 0..<count { m = max(m, abs(ptr[i])) }
        return m
    }

    /// Sum of the elements (accumulated in Double).
    public var sum: Double {
        var s = 0.0
        for i in 0..<count { s += Double(ptr[i]) }
        return s
    }
}

/// A small deterministic PRNG (SplitMix64) for reproducible initialisation.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The whole generator state: a generator seeded with it continues the same sequence.
    public private(set) var state: UInt64
    /// Seeds the generator.
    public init(seed: UInt64) { state = seed }
    /// Next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform float in [0, 1).
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * (1.0 / Float(1 << 24)) }
}

@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Foundation.sin(x) }

import Foundation
