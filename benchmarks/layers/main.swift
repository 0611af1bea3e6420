// Per-layer timing of the DeblurNet engine against PyTorch CPU (same shapes, same thread count).
//
//   swift build -c release --product bench-layers
//   python3 benchmarks/layers/torch_layers.py --threads 2 --backward > /tmp/torch.json
//   .build/release/bench-layers --threads 2 --backward --torch /tmp/torch.json
//
// Prints ours ms, torch ms, ratio ours/torch and peak memory growth (RSS high-water mark above the
// RSS before the first, cold call; same method for both).
import DeblurNet
import Foundation

func rssKB(_ field: String) -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix(field) {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
    }
    return 0
}

func cpuMS() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
}

/// Best wall ms, median process CPU ms, peak RSS growth (MB), pool misses per timed run.
func measure(reps: Int, _ body: () -> Void) -> (ms: Double, cpu: Double, peakMB: Double, allocs: Double) {
    // Peak RSS growth over the cold first call and the timed calls (outputs, workspaces, pool fill).
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    let base = rssKB("VmRSS:")
    body()   // warm-up: fills the buffer pool
    var times: [Double] = [], cpus: [Double] = []
    let fresh0 = BufferPool.shared.freshAllocationCount
    for _ in 0..<reps {
        let t0 = DispatchTime.now().uptimeNanoseconds, c0 = cpuMS()
        body()
        cpus.append(cpuMS() - c0)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
    }
    times.sort(); cpus.sort()
    let allocs = Double(BufferPool.shared.freshAllocationCount - fresh0) / Double(reps)
    // Best wall time (the least disturbed run on a shared machine), median CPU time.
    return (times[0], cpus[cpus.count / 2], Double(rssKB("VmHWM:") - base) / 1024, allocs)
}

var threads = 2, reps = 7, backward = false, budget = Threading.im2colBudget
var torchFile: String? = nil, only: String? = nil
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--threads": threads = Int(args.next() ?? "") ?? 2
    case "--reps": reps = Int(args.next() ?? "") ?? 7
    case "--backward": backward = true
    case "--torch": torchFile = args.next()
    case "--only": only = args.next()
    case "--budget": budget = Int(args.next() ?? "") ?? budget
    default: FileHandle.standardError.write("unknown argument \(a)\n".data(using: .utf8)!); exit(2)
    }
}
Threading.setThreads(threads)
var torch: [String: [String: Double]] = [:]
if let torchFile, let d = FileManager.default.contents(atPath: torchFile),
   let j = try? JSONSerialization.jsonObject(with: d) as? [String: [String: Double]] { torch = j }

struct Row { let name: String; let x: Tensor; let w: Tensor; let f: (Variable, Variable) -> Variable }
let rows = [
    Row(name: "conv3x3 64->64 @256x256", x: .normal([1, 64, 256, 256], seed: 1), w: .normal([64, 64, 3, 3], seed: 2)) {
        conv2d($0, weight: $1, config: Conv2dConfig(padding: Padding2d(1)))
    },
    Row(name: "conv3x3 64->64 @1280x720", x: .normal([1, 64, 720, 1280], seed: 11), w: .normal([64, 64, 3, 3], seed: 12)) {
        conv2d($0, weight: $1, config: Conv2dConfig(padding: Padding2d(1)))
    },
    Row(name: "conv3x3 32->3 @1280x720 (RGB head)", x: .normal([1, 32, 720, 1280], seed: 13), w: .normal([3, 32, 3, 3], seed: 14)) {
        conv2d($0, weight: $1, config: Conv2dConfig(padding: Padding2d(1)))
    },
    Row(name: "depthwise3x3 35 @1280x720", x: .normal([1, 35, 720, 1280], seed: 15), w: .normal([35, 1, 3, 3], seed: 16)) {
        conv2d($0, weight: $1, config: Conv2dConfig(padding: Padding2d(1), groups: 35))
    },
    Row(name: "conv1x1 1024->128 @64x64", x: .normal([1, 1024, 64, 64], seed: 3), w: .normal([128, 1024, 1, 1], seed: 4)) {
        conv2d($0, weight: $1)
    },
    Row(name: "depthwise3x3 144 @128x128", x: .normal([1, 144, 128, 128], seed: 5), w: .normal([144, 1, 3, 3], seed: 6)) {
        conv2d($0, weight: $1, config: Conv2dConfig(padding: Padding2d(1), groups: 144))
    },
    // Shapes of one 720p tile (≈ 480×416) in the shipped generator: encoder depthwise at strides 1 and 2, 5×5,
    // and the decoder's 2× bilinear upsampling of the stride-2 features to full resolution.
    Row(name: "depthwise3x3 s2 96 @240x208", x: .normal([1, 96, 208, 240], seed: 17), w: .normal([96, 1, 3, 3], seed: 18)) {
        conv2d($0, weight: $1, config: Conv2dConfig(stride: 2, padding: Padding2d(top: 0, bottom: 1, left: 0, right: 1), groups: 96))
    },
    Row(name: "depthwise5x5 s1 480 @30x26", x: .normal([1, 480, 26, 30], seed: 19), w: .normal([480, 1, 5, 5], seed: 20)) {
        conv2d($0, weight: $1, config: Conv2dConfig(padding: Padding2d(2), groups: 480))
    },
    Row(name: "depthwise3x3 67 @480x416", x: .normal([1, 67, 416, 480], seed: 21), w: .normal([67, 1, 3, 3], seed: 22)) {
        conv2d($0, weight: $1, config: Conv2dConfig(padding: Padding2d(1), groups: 67))
    },
    Row(name: "conv3x3 32->3 @480x416 (RGB head)", x: .normal([1, 32, 416, 480], seed: 23), w: .normal([3, 32, 3, 3], seed: 24)) {
        conv2d($0, weight: $1, config: Conv2dConfig(padding: Padding2d(1)))
    },
    Row(name: "bilinear x2 64 @240x208", x: .normal([1, 64, 208, 240], seed: 25), w: .normal([1], seed: 26)) { x, _ in
        resizeBilinear(x, height: 416, width: 480)
    },
    Row(name: "convT x2 128->64 @64x64", x: .normal([1, 128, 64, 64], seed: 7), w: .normal([128, 64, 3, 3], seed: 8)) {
        convTranspose2d($0, weight: $1, config: ConvTranspose2dConfig(stride: 2, padding: 1, outputPadding: 1))
    },
]

/// An EfficientNet-style MBConv block (expand 1×1 → BN → ReLU6 → depthwise 3×3 → BN → ReLU6 → project 1×1 → BN,
/// residual), the generator encoder's building unit, timed as a training step (batch 8, 24 ch at 64×64).
final class MBConv: Layer, @unchecked Sendable {
    let expand = Conv2d(24, 144, kernelSize: 1, bias: false, seed: 1), bn0 = BatchNorm2d(144)
    let dw = Conv2d(144, 144, kernelSize: 3, padding: 1, groups: 144, bias: false, seed: 2), bn1 = BatchNorm2d(144)
    let project = Conv2d(144, 24, kernelSize: 1, bias: false, seed: 3), bn2 = BatchNorm2d(24)
    var children: [(String, any Module)] {
        [("expand", expand), ("bn0", bn0), ("dw", dw), ("bn1", bn1), ("project", project), ("bn2", bn2)]
    }
    func callAsFunction(_ x: Variable) -> Variable {
        add(x, bn2(project(relu6(bn1(dw(relu6(bn0(expand(x)))))))))
    }
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func fmt(_ v: Double?) -> String { v.map { String(format: "%8.1f", $0) } ?? "     n/a" }
print("threads \(threads), wall = best of \(reps), cpu = median, OpenBLAS core \(Threading.blasCore)")
print(pad("layer", 34) + "  ours ms torch ms ours/torch | ours cpu torch cpu ratio | ours MB torch MB | allocs/run")
for r in rows {
    var cases: [(String, () -> Void)] = [(r.name, {
        _ = noGrad { r.f(Variable(r.x), Variable(r.w)) }
    })]
    if backward && !r.name.contains("1280") {
        let x = Variable(r.x, requiresGrad: true), w = Variable(r.w, requiresGrad: true)
        let gy = noGrad { r.f(x, w) }.value
        cases.append((r.name + " fwd+bwd", {
            x.grad = nil; w.grad = nil
            r.f(x, w).backward(seed: gy)
        }))
    }
    if r.name == rows.last?.name && backward {
        let block = MBConv(), bx = Variable(.normal([8, 24, 64, 64], seed: 9), requiresGrad: true)
        cases.append(("MBConv 24-144-24 b8 @64x64 fwd+bwd", {
            block.zeroGrad(); bx.grad = nil
            sum(block(bx)).backward()
        }))
    }
    for (name, body) in cases where only.map({ name.contains($0) }) ?? true {
        let m = Threading.withIm2colBudget(budget) { measure(reps: name.hasSuffix("bwd") ? max(3, reps / 2) : reps, body) }
        let t = torch[name]
        func r(_ a: Double, _ b: Double?) -> String { b.map { String(format: "%10.2f", a / $0) } ?? "       n/a" }
        print(pad(name, 34) + " \(fmt(m.ms)) \(fmt(t?["ms"])) \(r(m.ms, t?["ms"])) | \(fmt(m.cpu))  \(fmt(t?["cpu_ms"])) \(r(m.cpu, t?["cpu_ms"]).dropFirst(4)) | \(fmt(m.peakMB)) \(fmt(t?["peak_mb"])) | \(String(format: "%6.1f", m.allocs))")
    }
}
