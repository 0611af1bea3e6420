#!/usr/bin/env python3
"""PyTorch CPU reference timings for benchmarks/layers (same shapes and threads as bench-layers).

Prints one JSON object: {row name: {"ms": best wall ms, "cpu_ms": median process CPU ms,
"peak_mb": peak RSS growth in MB over the cold call and the timed calls}}.
Usage: python3 benchmarks/layers/torch_layers.py [--threads 2] [--backward]
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F


def rss_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def measure(fn, reps):
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak-RSS high-water mark
    base = rss_kb("VmRSS:")
    fn()  # warm-up (cold call counts towards peak memory)
    times, cpus = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        cpus.append((time.process_time() - c0) * 1e3)
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    cpus.sort()
    return {"ms": times[0], "cpu_ms": cpus[len(cpus) // 2], "peak_mb": (rss_kb("VmHWM:") - base) / 1024}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--backward", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rows = {
        "conv3x3 64->64 @256x256": (torch.randn(1, 64, 256, 256), lambda x, w: F.conv2d(x, w, padding=1), torch.randn(64, 64, 3, 3)),
        "conv3x3 64->64 @1280x720": (torch.randn(1, 64, 720, 1280), lambda x, w: F.conv2d(x, w, padding=1), torch.randn(64, 64, 3, 3)),
        "conv3x3 32->3 @1280x720 (RGB head)": (torch.randn(1, 32, 720, 1280), lambda x, w: F.conv2d(x, w, padding=1), torch.randn(3, 32, 3, 3)),
        "depthwise3x3 35 @1280x720": (torch.randn(1, 35, 720, 1280), lambda x, w: F.conv2d(x, w, padding=1, groups=35), torch.randn(35, 1, 3, 3)),
        "conv1x1 1024->128 @64x64": (torch.randn(1, 1024, 64, 64), lambda x, w: F.conv2d(x, w), torch.randn(128, 1024, 1, 1)),
        "depthwise3x3 144 @128x128": (torch.randn(1, 144, 128, 128), lambda x, w: F.conv2d(x, w, padding=1, groups=144), torch.randn(144, 1, 3, 3)),
        "depthwise3x3 s2 96 @240x208": (torch.randn(1, 96, 208, 240),
                                        lambda x, w: F.conv2d(F.pad(x, (0, 1, 0, 1)), w, stride=2, groups=96), torch.randn(96, 1, 3, 3)),
        "depthwise5x5 s1 480 @30x26": (torch.randn(1, 480, 26, 30), lambda x, w: F.conv2d(x, w, padding=2, groups=480), torch.randn(480, 1, 5, 5)),
        "depthwise3x3 67 @480x416": (torch.randn(1, 67, 416, 480), lambda x, w: F.conv2d(x, w, padding=1, groups=67), torch.randn(67, 1, 3, 3)),
        "conv3x3 32->3 @480x416 (RGB head)": (torch.randn(1, 32, 416, 480), lambda x, w: F.conv2d(x, w, padding=1), torch.randn(3, 32, 3, 3)),
        "bilinear x2 64 @240x208": (torch.randn(1, 64, 208, 240),
                                    lambda x, w: F.interpolate(x, size=(416, 480), mode="bilinear", align_corners=False), torch.randn(1)),
        "convT x2 128->64 @64x64": (torch.randn(1, 128, 64, 64),
                                    lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1), torch.randn(128, 64, 3, 3)),
    }
    out = {}
    for name, (x, f, w) in rows.items():
        with torch.no_grad():
            out[name] = measure(lambda: f(x, w), a.reps)
        if a.backward and "1280" not in name:
            xg, wg = x.clone().requires_grad_(True), w.clone().requires_grad_(True)
            y = f(xg, wg)
            gy = torch.randn_like(y)
            def step():
                xg.grad = None; wg.grad = None
                f(xg, wg).backward(gy)
            out[name + " fwd+bwd"] = measure(step, max(3, a.reps // 2))
    if a.backward:
        nn = torch.nn
        block_layers = nn.ModuleList([nn.Conv2d(24, 144, 1, bias=False), nn.BatchNorm2d(144), nn.Conv2d(144, 144, 3, padding=1, groups=144, bias=False),
                                      nn.BatchNorm2d(144), nn.Conv2d(144, 24, 1, bias=False), nn.BatchNorm2d(24)])
        e, b0, dw, b1, pr, b2 = block_layers
        bx = torch.randn(8, 24, 64, 64, requires_grad=True)
        def block_step():
            block_layers.zero_grad(); bx.grad = None
            (bx + b2(pr(F.relu6(b1(dw(F.relu6(b0(e(bx))))))))).sum().backward()
        out["MBConv 24-144-24 b8 @64x64 fwd+bwd"] = measure(block_step, max(3, a.reps // 2))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
