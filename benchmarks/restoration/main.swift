// Timing of the Restoration module on a 1920×1080 RGB frame.
// Build and run (release, no package build needed; Restoration has no dependencies):
//   swiftc -O Sources/Restoration/*.swift benchmarks/restoration/main.swift -o /tmp/restoration-bench && /tmp/restoration-bench
import Foundation

/// Process CPU time (all threads) of `body`: a load-independent measure on a shared machine;
/// wall time on an idle machine with P cores is about this divided by P.
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var wallOfLast = 0.0
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    let c0 = cpuSeconds()
    try body()
    wallOfLast = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    return cpuSeconds() - c0
}

func frame(_ w: Int, _ h: Int, seed: UInt64) -> PlanarImage {
    var s = seed
    var img = PlanarImage(width: w, height: h, channels: 3)
    for c in 0..<3 {
        for y in 0..<h {
            for x in 0..<w {
                s = s &* 6364136223846793005 &+ 1442695040888963407
                let noise = Float(s >> 40) / Float(1 << 24) * 0.1
                img[c, y, x] = 0.45 + 0.4 * sin(Float(x) * 0.013 + Float(c)) * cos(Float(y) * 0.021) + noise
            }
        }
    }
    return img
}

let w = 1920, h = 1080
let a = frame(w, h, seed: 1), b = frame(w, h, seed: 2)
let reps = 5
var best = Double.infinity
var value = 0.0
for _ in 0..<reps { best = min(best, try seconds { value = try SSIM.ssim(a, b, window: .gaussian) }) }
print("times are process CPU ms (all threads), best of \(reps); wall of last run in brackets")
print(String(format: "SSIM gaussian 1080p RGB: %.1f ms [%.1f], ssim=%.5f", best * 1000, wallOfLast * 1000, value))
best = .infinity
for _ in 0..<reps { best = min(best, try seconds { value = try SSIM.ssim(a, b, window: .uniform7) }) }
print(String(format: "SSIM uniform7 1080p RGB: %.1f ms", best * 1000))
best = .infinity
for _ in 0..<reps { best = min(best, try seconds { _ = try FrameQuality.measure(reference: a, test: b) }) }
print(String(format: "PSNR+SSIM (quantise once) 1080p RGB: %.1f ms", best * 1000))
best = .infinity
for _ in 0..<reps { best = min(best, try seconds { value = try PSNR.psnr(a, b) }) }
print(String(format: "PSNR 1080p RGB: %.1f ms", best * 1000))
let psf = try PointSpreadFunction.motion(length: 9, angleDegrees: 30)
var t = try seconds { _ = try UnsharpMask().apply(a) }
print(String(format: "unsharp 1080p: %.0f ms", t * 1000))
var wiener = try WienerDeconvolution(psf: psf, balance: 0.01)
t = try seconds { _ = try wiener.apply(a) }
let t2 = try seconds { _ = try wiener.apply(a) }
print(String(format: "wiener 1080p: first %.0f ms, cached filter %.0f ms", t * 1000, t2 * 1000))
t = try seconds { _ = try RichardsonLucy(psf: psf, iterations: 10).apply(a) }
print(String(format: "richardson-lucy 10 iter 1080p: %.0f ms", t * 1000))
