#!/usr/bin/env python3
"""How much a model changes footage that is not blurred at all.

    python3 scripts/sharp_input_check.py --model r9=Sources/DeblurNet/Resources/default.safetensors \
        --model s1=runs/s1.safetensors --photos /work/data/photos/val --photos /work/data/photos/val_extra

A deblurring model should leave a sharp picture as it is. Each photo is scaled to 720 lines, and a 384×384
centre crop is fed to the model three ways: clean, with Gaussian noise (σ = 2/255, 8-bit), and JPEG-coded at
quality 80 (as compressed footage arrives). PSNR against the clean crop: the input's, then each model's.
A model that sharpens noise or block edges scores below its input. (The trainer's `--sharp-fraction` teaches
this case; docs/gan.md "Sharp footage".)
"""
import argparse
import glob
import io
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_model as rm  # noqa: E402
from evaluate_reference import psnr, run_model  # noqa: E402

CROP = 384


def crops(folders):
    for folder in folders:
        for path in sorted(glob.glob(os.path.join(folder, "*"))):
            im = Image.open(path).convert("RGB")
            w, h = im.size
            if h > 720:
                im = im.resize((round(w * 720 / h), 720), Image.BILINEAR)
            w, h = im.size
            if min(w, h) < CROP:
                continue
            a = np.asarray(im, dtype=np.float32)[h // 2 - CROP // 2:h // 2 + CROP // 2,
                                                 w // 2 - CROP // 2:w // 2 + CROP // 2] / 255
            yield os.path.basename(path), a


def degraded(a, rng):
    noisy = np.clip(np.round((a + rng.normal(0, 2 / 255, a.shape)) * 255) / 255, 0, 1).astype(np.float32)
    buf = io.BytesIO()
    Image.fromarray((a * 255).round().astype(np.uint8)).save(buf, "JPEG", quality=80)
    jpeg = np.asarray(Image.open(buf), dtype=np.float32) / 255
    return {"clean": a, "noise 2/255": noisy, "JPEG 80": jpeg}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="append", required=True, help="name=path.safetensors")
    ap.add_argument("--photos", action="append", required=True, help="folder of sharp photos (repeatable)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    models = [(n, rm.load_generator(p).eval()) for n, p in (m.split("=", 1) for m in args.model)]
    rng = np.random.default_rng(0)
    scores = {}  # (kind, name) -> list of PSNR
    count = 0
    for _, a in crops(args.photos):
        count += 1
        for kind, x in degraded(a, rng).items():
            scores.setdefault((kind, "input"), []).append(psnr(x, a) if kind != "clean" else float("nan"))
            for name, g in models:
                scores.setdefault((kind, name), []).append(psnr(run_model(g, x), a))
    names = ["input"] + [n for n, _ in models]
    print(f"sharp crops: {count}; PSNR dB against the clean crop (clean input: identical, so only models)")
    print("| input kind | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for kind in ["clean", "noise 2/255", "JPEG 80"]:
        cells = []
        for n in names:
            v = np.array(scores[(kind, n)])
            cells.append("–" if np.isnan(v).all() else f"{v.mean():.2f}")
        print(f"| {kind} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
