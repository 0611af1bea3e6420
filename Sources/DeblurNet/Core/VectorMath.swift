/// Small SIMD reductions. Swift does not vectorise floating-point reductions on its own (it must keep the
/// sequential rounding order), so hot reductions use explicit 16-lane accumulators.
enum VectorMath {
    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// acc + a·b, as one fused multiply-add where the build targets hardware that has it (DEBLURNET_FMA, set with
    /// the AVX2 target in Package.swift; always on arm64). Elsewhere a multiply and an add: the fused form would
    /// become a library call per lane.
    @inline(__always)
    static func fma(_ acc: SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        #if DEBLURNET_FMA || arch(arm64)
        acc.addingProduct(a, b)
        #else
        acc + a * b
        #endif
    }

    /// Σ a[i]·b[i].
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= n { acc += load16(a + i) * load16(b + i); i += 16 }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// Σ a[i].
    @inline(__always)
    static func sum(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= n { acc += load16(a + i); i += 16 }
        var s = acc.sum()
        while i < n { s += a[i]; i += 1 }
        return s
    }

    /// Σ (a[i] − m)².
    @inline(__always)
    static func sumSquaredDeviation(_ a: UnsafePointer<Float>, _ n: Int, mean m: Float) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        let mv = SIMD16<Float>(repeating: m)
        var i = 0
        while i + 16 <= n { let d = load16(a + i) - mv; acc += d * d; i += 16 }
        var s = acc.sum()
        while i < n { let d = a[i] - m; s += d * d; i += 1 }
        return s
    }

    /// Σ g[i]·(x[i] − m).
    @inline(__always)
    static func dotCentered(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, mean m: Float) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        let mv = SIMD16<Float>(repeating: m)
        var i = 0
        while i + 16 <= n { acc += load16(g + i) * (load16(x + i) - mv); i += 16 }
        var s = acc.sum()
        while i < n { s += g[i] * (x[i] - m); i += 1 }
        return s
    }

    /// y[i] += a·x[i].
    @inline(__always)
    static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let av = SIMD16<Float>(repeating: a)
        var i = 0
        while i + 16 <= n {
            let r = load16(UnsafePointer(y + i)) + av * load16(x + i)
            UnsafeMutableRawPointer(y + i).storeBytes(of: r, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { y[i] += a * x[i]; i += 1 }
    }
}
