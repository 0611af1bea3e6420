#!/usr/bin/env python3
"""PyTorch reference timing of the shipped generator on the same frames deblur-video sees.

Reads a video with ffmpeg (rgb24 frames), runs scripts/reference_model.py's Generator loaded from the
same safetensors on whole frames (like `--tile 0`; our default tiles frames above 640x480, about 12 % more
pixels at 720p, so the ratio is conservative for us) under
torch.inference_mode with a fixed thread count, and prints one line:
    frames=<n> model_seconds=<s> fps=<f>
Only the model call is timed (frame conversion to a tensor is outside the clock).
Usage: torch_model.py VIDEO [--weights W] [--threads 2] [--max-frames N]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from reference_model import load_generator  # noqa: E402


def frames(path):
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=width,height", "-of", "json", path], check=True, capture_output=True)
    s = json.loads(probe.stdout)["streams"][0]
    w, h = s["width"], s["height"]
    proc = subprocess.Popen(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                            stdout=subprocess.PIPE)
    size = w * h * 3
    while True:
        buf = proc.stdout.read(size)
        if len(buf) < size:
            break
        yield torch.from_numpy(np.frombuffer(buf, np.uint8).reshape(h, w, 3).transpose(2, 0, 1).copy()) \
            .float().div_(255).unsqueeze(0)
    proc.wait()


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    ap = argparse.ArgumentParser()
    ap.add_argument("video")
    ap.add_argument("--weights", default=os.path.join(root, "Sources/DeblurNet/Resources/default.safetensors"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-frames", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model = load_generator(a.weights).eval()
    n, total = 0, 0.0
    with torch.inference_mode():
        for x in frames(a.video):
            if n == 0:
                model(x)  # warm-up (allocator, oneDNN primitives), untimed
            t0 = time.perf_counter()
            model(x)
            total += time.perf_counter() - t0
            n += 1
            if a.max_frames and n >= a.max_frames:
                break
    print(f"frames={n} model_seconds={total:.3f} fps={n / total if total else 0:.3f}")


if __name__ == "__main__":
    main()
