#!/usr/bin/env python3
"""Test-time variants of a generator on held-out splits (no training): docs/gan.md "Other test-time variants".

    python3 scripts/test_time_variants.py --data /work/data --model Sources/DeblurNet/Resources/default.safetensors

Prints, per split, mean PSNR of the input and of each variant, with the number of frames made worse.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evaluate_reference as ev  # noqa: E402
import reference_model as rm  # noqa: E402


def down(x):
    return F.interpolate(x, scale_factor=0.5, mode="bilinear", align_corners=False, antialias=True)


def up(x, like):
    return F.interpolate(x, size=like.shape[-2:], mode="bilinear", align_corners=False)


def shrink(x, y, t):
    """x plus the residual y - x soft-thresholded by t."""
    r = y - x
    return (x + torch.sign(r) * (r.abs() - t).clamp(min=0)).clamp(0, 1)


def variants(g, x):
    y1 = g(x)
    y2 = g(y1)
    xh = down(x)
    corr = up(g(xh) - xh, x)
    out = {"one pass": y1, "twice": y2, "mean of once and twice": (y1 + y2) / 2}
    for a in (1.25, 1.5):
        out[f"residual x{a}"] = (x + a * (y1 - x)).clamp(0, 1)
    out["half scale only"] = (x + corr).clamp(0, 1)
    out["coarse to fine"] = g((x + corr).clamp(0, 1))
    for t in (1, 4):
        out[f"shrink {t}/255"] = shrink(x, y1, t / 255)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/data")
    ap.add_argument("--model", default="Sources/DeblurNet/Resources/default.safetensors")
    ap.add_argument("--pairs", type=int, default=30, help="first N pairs of each split")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    g = rm.load_generator(args.model).eval()
    manifest = json.load(open(os.path.join(args.data, "manifest.json")))
    synth = ev.pairs(os.path.join(args.data, "val_synth"))
    splits = {
        "synthetic": synth,
        "< 26 dB": [p for p in synth if ev.psnr(ev.load(p[1]), ev.load(p[2])) < ev.STRONG_BLUR_DB],
        "real video": ev.pairs(os.path.join(args.data, "val_video"), "video", manifest["val_video"]),
        "pans": ev.pairs(os.path.join(args.data, "val_video"), "pan", manifest["val_video"]),
        "zoom/roll, x264": ev.affine_x264_pans(args.data),
        "mild pans, x264": ev.mild_x264_pans(args.data),
    }
    for name, ps in splits.items():
        ps = ps[:args.pairs]
        scores, worse, inputs = {}, {}, []
        for _, bp, sp in ps:
            b, s = ev.load(bp), ev.load(sp)
            x = torch.from_numpy(b.transpose(2, 0, 1).copy())[None]
            with torch.no_grad():
                outs = variants(g, x)
            p_in = ev.psnr(b, s)
            inputs.append(p_in)
            for k, y in outs.items():
                p = ev.psnr(y[0].numpy().transpose(1, 2, 0), s)
                scores.setdefault(k, []).append(p)
                worse[k] = worse.get(k, 0) + int(p < p_in - 1e-6)
        print(f"{name} ({len(ps)}): input {np.mean(inputs):.2f} | " +
              " | ".join(f"{k} {np.mean(v):.2f} ({worse[k]})" for k, v in scores.items()), flush=True)


if __name__ == "__main__":
    main()
