import Foundation

/// A normalised motion-blur kernel (odd `size`×`size`, row-major, centred on the trajectory's centroid).
public struct BlurKernel: Sendable, Equatable {
    public let size: Int
    public let weights: [Float]
}

/// Camera-shake blur synthesis, the Swift port of scripts/blur_synth.py (see there for the model):
/// trajectories (straight or curved random walks, length up to `maxLength` px) → bilinear-splatted kernels →
/// "valid" convolution in linear light (gamma 2.2) → Gaussian noise → 8-bit rounding.
public enum BlurSynthesis {
    public static let gamma: Float = 2.2
    public static let trajectoryPoints = 64

    /// A random camera trajectory (pixels).
    public static func randomTrajectory(maxLength: Double = 40, using rng: inout TrainingRNG) -> [SIMD2<Double>] {
        let n = trajectoryPoints
        let length = rng.uniform() < 0.05 ? 1.5 * rng.uniform() : max(1, maxLength * Foundation.pow(rng.uniform(), 1.5))
        var t = (0..<n).map { Double($0) / Double(n - 1) }
        if rng.uniform() < 0.4 {
            let angle = rng.uniform(0, Double.pi)
            if rng.uniform() < 0.3 {
                let a = rng.uniform(-0.9, 0.9)
                t = t.map { $0 + a * $0 * ($0 - 1) }
            }
            let d = SIMD2(Foundation.cos(angle), Foundation.sin(angle))
            return t.map { ($0 - 0.5) * length * d }
        }
        var heading = rng.uniform(0, 2 * Double.pi)
        let turn = rng.uniform(0.05, 0.45)
        var pts = [SIMD2<Double>](repeating: .zero, count: n)
        for i in 1..<n {
            heading += rng.normal() * turn
            pts[i] = pts[i - 1] + SIMD2(Foundation.cos(heading), Foundation.sin(heading))
        }
        var arc = 0.0
        for i in 1..<n { let d = pts[i] - pts[i - 1]; arc += (d * d).sum().squareRoot() }
        let s = length / max(arc, 1e-6)
        return pts.map { $0 * s }
    }

    /// Bilinear splat of the trajectory into an odd kernel centred on its centroid, normalised to sum 1.
    public static func kernel(trajectory: [SIMD2<Double>]) -> BlurKernel {
        let c = trajectory.reduce(SIMD2<Double>.zero, +) / Double(max(1, trajectory.count))
        let p = trajectory.map { $0 - c }
        let r = Int(Foundation.ceil(p.map { max(abs($0.x), abs($0.y)) }.max() ?? 0)) + 1
        let k = 2 * r + 1
        var ker = [Double](repeating: 0, count: k * k)
        for q in p {
            let fx = q.x + Double(r), fy = q.y + Double(r)
            let x0 = Int(Foundation.floor(fx)), y0 = Int(Foundation.floor(fy))
            let ax = fx - Double(x0), ay = fy - Double(y0)
            for (dy, wy) in [(0, 1 - ay), (1, ay)] {
                for (dx, wx) in [(0, 1 - ax), (1, ax)] {
                    let yy = y0 + dy, xx = x0 + dx
                    if yy >= 0 && yy < k && xx >= 0 && xx < k { ker[yy * k + xx] += wy * wx }
                }
            }
        }
        let total = ker.reduce(0, +)
        return BlurKernel(size: k, weights: ker.map { Float($0 / total) })
    }

    /// "Valid" convolution in linear light of a gamma-encoded [3, S+K−1, S+K−1] patch → gamma-encoded [3, S, S]
    /// (no noise). Only the kernel's non-zero taps are visited (a trajectory kernel is sparse).
    ///
    /// `gamma` 1 averages the coded values themselves, as frame blending in video editors does; cameras
    /// integrate light, hence the default.
    public static func blurValid(_ sharp: Tensor, kernel: BlurKernel, gamma g: Float = gamma) -> Tensor {
        precondition(sharp.rank == 3 && sharp.shape[0] == 3 && sharp.shape[1] == sharp.shape[2], "blurValid expects [3, N, N]")
        let big = sharp.shape[1], k = kernel.size, s = big - k + 1
        precondition(s > 0, "patch \(big) smaller than kernel \(k)")
        let lin = sharp.array.map { Foundation.pow(min(max($0, 0), 1), g) }
        var taps: [(Int, Int, Float)] = []
        for i in 0..<k { for j in 0..<k where kernel.weights[i * k + j] != 0 { taps.append((i, j, kernel.weights[i * k + j])) } }
        var out = [Float](repeating: 0, count: 3 * s * s)
        for c in 0..<3 {
            for (i, j, w) in taps {
                // True convolution: out[y, x] += k[i, j] · in[y + K−1−i, x + K−1−j].
                let dy = k - 1 - i, dx = k - 1 - j
                for y in 0..<s {
                    let src = (c * big + y + dy) * big + dx, dst = (c * s + y) * s
                    for x in 0..<s { out[dst + x] += w * lin[src + x] }
                }
            }
        }
        let inv = 1 / g
        return Tensor(shape: [3, s, s], data: out.map { Foundation.pow(min(max($0, 0), 1), inv) })
    }

    /// Adds Gaussian noise of standard deviation `sigma` and rounds to 8 bits.
    public static func noiseAndQuantise(_ t: Tensor, sigma: Double, using rng: inout TrainingRNG) -> Tensor {
        var a = t.array
        for i in a.indices {
            let v = Double(a[i]) + (sigma > 0 ? sigma * rng.normal() : 0)
            a[i] = Float((min(max(v, 0), 1) * 255).rounded() / 255)
        }
        return Tensor(shape: t.shape, data: a)
    }

    /// A random (blurry, sharp) pair of [3, size, size] tensors from a photo: random crop, random downscale
    /// (area resampling by 1–2×), flip/rotation, then blur, noise (σ = 0.02·u²) and 8-bit rounding.
    ///
    /// With probability `softFraction` the source is first softened (`soften`, 1.5–3×): the pair's target is
    /// then soft too, so the model learns to undo motion blur only, not to sharpen footage that is soft to
    /// begin with (compressed, upscaled, slightly out of focus). With probability `jpegFraction` the blurry
    /// input (only) goes through `JPEGArtifacts` at a quality of 30–90, as compressed footage arrives. With
    /// probability `gammaBlurFraction` the blur averages gamma-coded values (`blurValid` with gamma 1), as
    /// blended frames do. With probability `sharpFraction` there is no blur at all (the input is the target
    /// with only noise, rounding and compression), so the model learns to leave sharp footage as it is.
    public static func makePair<Image: PlanarRGBSource>(from image: Image, size: Int, maxLength: Double = 40, softFraction: Double = 0,
                                jpegFraction: Double = 0, gammaBlurFraction: Double = 0, sharpFraction: Double = 0,
                                using rng: inout TrainingRNG) -> (blurry: Tensor, sharp: Tensor) {
        // No draw when off, so the sample stream (and checkpoints' RNG) is as before.
        let unblurred = sharpFraction > 0 && rng.uniform() < sharpFraction
        let ker = unblurred ? BlurKernel(size: 1, weights: [1])
            : kernel(trajectory: randomTrajectory(maxLength: maxLength, using: &rng))
        let need = size + ker.size - 1
        let scale = rng.uniform(0.5, 1.0)
        var src = min(Int(Foundation.ceil(Double(need) / scale)), image.height, image.width)
        if src < need { src = need }
        precondition(image.height >= need && image.width >= need, "image \(image.width)×\(image.height) too small for a \(need)² crop")
        let y0 = rng.int(0, image.height - src + 1), x0 = rng.int(0, image.width - src + 1)
        var crop = image.region(x: x0, y: y0, width: src, height: src)
        if src != need { crop = resizeArea(crop, from: src, to: need) }
        if rng.uniform() < 0.5 { crop = flipHorizontal(crop, n: need) }
        for _ in 0..<rng.int(0, 4) { crop = rotate90(crop, n: need) }
        // No draw when off, so the sample stream (and checkpoints' RNG) is as before.
        if softFraction > 0 && rng.uniform() < softFraction { crop = soften(crop, n: need, factor: rng.uniform(1.5, 3)) }
        let big = Tensor(shape: [3, need, need], data: crop)
        let coded = gammaBlurFraction > 0 && rng.uniform() < gammaBlurFraction
        let sigma = 0.02 * Foundation.pow(rng.uniform(), 2)
        var blurry = noiseAndQuantise(blurValid(big, kernel: ker, gamma: coded ? 1 : gamma), sigma: sigma, using: &rng)
        if jpegFraction > 0 && rng.uniform() < jpegFraction {
            blurry = Tensor(shape: blurry.shape, data: JPEGArtifacts.apply(blurry.array, n: size, quality: rng.int(30, 91)))
        }
        let r = (ker.size - 1) / 2
        var sharp = [Float](repeating: 0, count: 3 * size * size)
        for c in 0..<3 { for y in 0..<size { for x in 0..<size {
            sharp[(c * size + y) * size + x] = (crop[(c * need + y + r) * need + x + r] * 255).rounded() / 255
        } } }
        return (blurry, Tensor(shape: [3, size, size], data: sharp))
    }

    /// Area (box-coverage) resampling of a square planar RGB patch.
    static func resizeArea(_ a: [Float], from n: Int, to m: Int) -> [Float] {
        let f = Double(n) / Double(m)
        var taps: [[(Int, Float)]] = []
        for o in 0..<m {
            let lo = Double(o) * f, hi = Double(o + 1) * f
            var row: [(Int, Float)] = []
            var i = Int(lo)
            while Double(i) < hi && i < n {
                let w = min(hi, Double(i + 1)) - max(lo, Double(i))
                if w > 0 { row.append((i, Float(w / f))) }
                i += 1
            }
            taps.append(row)
        }
        var tmp = [Float](repeating: 0, count: 3 * n * m)  // rows resampled horizontally
        for c in 0..<3 { for y in 0..<n { for x in 0..<m {
            var s: Float = 0
            for (i, w) in taps[x] { s += w * a[(c * n + y) * n + i] }
            tmp[(c * n + y) * m + x] = s
        } } }
        var out = [Float](repeating: 0, count: 3 * m * m)
        for c in 0..<3 { for y in 0..<m { for x in 0..<m {
            var s: Float = 0
            for (i, w) in taps[y] { s += w * tmp[(c * n + i) * m + x] }
            out[(c * m + y) * m + x] = s
        } } }
        return out
    }

    /// Isotropic softening of a square planar RGB patch: area-downscaled by `factor`, then bilinearly upscaled
    /// back (half-pixel centres, edges clamped), as a low-resolution video upscaled for display looks.
    static func soften(_ a: [Float], n: Int, factor: Double) -> [Float] {
        let m = max(2, Int((Double(n) / factor).rounded()))
        let small = resizeArea(a, from: n, to: m)
        // Source position of each output coordinate: lower index and weight of the upper one.
        let taps: [(Int, Int, Float)] = (0..<n).map { o in
            let x = min(max((Double(o) + 0.5) * Double(m) / Double(n) - 0.5, 0), Double(m - 1))
            let i = min(Int(x), m - 2)
            return (i, i + 1, Float(x - Double(i)))
        }
        var out = [Float](repeating: 0, count: 3 * n * n)
        for c in 0..<3 { for y in 0..<n {
            let (y0, y1, wy) = taps[y]
            for x in 0..<n {
                let (x0, x1, wx) = taps[x]
                func at(_ yy: Int, _ xx: Int) -> Float { small[(c * m + yy) * m + xx] }
                let top = at(y0, x0) + wx * (at(y0, x1) - at(y0, x0))
                let bottom = at(y1, x0) + wx * (at(y1, x1) - at(y1, x0))
                out[(c * n + y) * n + x] = top + wy * (bottom - top)
            }
        } }
        return out
    }

    static func flipHorizontal(_ a: [Float], n: Int) -> [Float] {
        var o = a
        for c in 0..<3 { for y in 0..<n { for x in 0..<n { o[(c * n + y) * n + x] = a[(c * n + y) * n + n - 1 - x] } } }
        return o
    }

    static func rotate90(_ a: [Float], n: Int) -> [Float] {
        var o = a
        for c in 0..<3 { for y in 0..<n { for x in 0..<n { o[(c * n + y) * n + x] = a[(c * n + x) * n + n - 1 - y] } } }
        return o
    }
}
