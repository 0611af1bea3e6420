#!/usr/bin/env python3
"""Motion blur needs motion: does gating the model's correction by the motion between frames help on real video?

The shipped model loses 1.4-2.7 dB on nearly sharp real footage (docs/gan.md, "real video, new"): it sharpens
what is not blurred. A video, unlike a still, tells where nothing moved: where a frame matches its neighbours,
there was no motion to blur it. `motion_gate` (the NumPy reference of DeblurNet's `MotionGate`) estimates the
local motion in pixels per frame as mean |frame - neighbour| / mean |gradient| over a window (the first-order
Taylor term of a shift; noise and large motion only raise it, so it errs towards keeping the correction), and
scales the model's residual by a ramp from 0 below `low` to 1 above `high`.

    python3 scripts/motion_gate_experiment.py calibrate --data /work/data     # estimate vs known shifts
    python3 scripts/motion_gate_experiment.py eval --data /work/data --model M.safetensors --split train
    python3 scripts/motion_gate_experiment.py eval --data /work/data --model M.safetensors --split val
    python3 scripts/motion_gate_experiment.py noise --data /work/data --model M.safetensors   # noise vs motion
    python3 scripts/motion_gate_experiment.py export VIDEO --out DIR    # for the Swift pipeline, see `export`

Splits with neighbours (each frame the linear-light mean of 7 frames, its neighbours the windows before and
after, as the averaged frames follow each other in a video): `train` = windows from the training videos
(videos_train: the cockatoo's first 200 frames, cityCC0) and the training photos' x264 clips (clips3_train, if
rendered); `val` = the held-out real footage (the windows of val_video_real and of val_video's opencv-doc clips)
and the held-out photos' x264 clips (clips3_val, multiframe_experiment.py render --split val).
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prepare_data  # noqa: E402
import reference_model as rm  # noqa: E402
from evaluate_reference import psnr, run_model  # noqa: E402  (the held-out evaluation's own)

# Defaults of DeblurNet's MotionGate (chosen before looking at held-out data: see `calibrate`).
RADIUS = 16
GRADIENT_FLOOR = 1.0 / 255
LOW, HIGH = 0.5, 1.5
# The ratio is about half a small shift (edges at all angles to it, and the L1 gradient counts both axes):
# `calibrate` measured 0.31, 0.59, 0.94 for shifts of 0.5, 1 and 2 px of training photos.
SCALE = 2.0


def luma(img):
    return img[..., 0] * 0.299 + img[..., 1] * 0.587 + img[..., 2] * 0.114


def box_mean(a, r):
    """Mean over the (2r+1)² window around each pixel, the window cut at the borders (mean of the pixels inside)."""
    h, w = a.shape
    s = np.zeros((h + 1, w + 1), np.float64)
    s[1:, 1:] = a.astype(np.float64).cumsum(0).cumsum(1)
    y0 = np.clip(np.arange(h) - r, 0, h)
    y1 = np.clip(np.arange(h) + r + 1, 0, h)
    x0 = np.clip(np.arange(w) - r, 0, w)
    x1 = np.clip(np.arange(w) + r + 1, 0, w)
    total = s[y1][:, x1] - s[y0][:, x1] - s[y1][:, x0] + s[y0][:, x0]
    count = (y1 - y0)[:, None] * (x1 - x0)[None, :]
    return total / count


def gradient_l1(y):
    """|dy/dx| + |dy/dy| by central differences (one-sided at the borders)."""
    gx = np.zeros_like(y)
    gy = np.zeros_like(y)
    gx[:, 1:-1] = (y[:, 2:] - y[:, :-2]) / 2
    gx[:, 0] = y[:, 1] - y[:, 0]
    gx[:, -1] = y[:, -1] - y[:, -2]
    gy[1:-1] = (y[2:] - y[:-2]) / 2
    gy[0] = y[1] - y[0]
    gy[-1] = y[-1] - y[-2]
    return np.abs(gx) + np.abs(gy)


def motion(frame, neighbours, radius=RADIUS, floor=GRADIENT_FLOOR):
    """Per-pixel motion estimate (px per frame): the largest over the neighbours of
    SCALE · box(|Y - Y_n|) / max(box(|grad Y|), floor)."""
    y = luma(frame)
    texture = np.maximum(box_mean(gradient_l1(y), radius), floor)
    return SCALE * np.max([box_mean(np.abs(y - luma(n)), radius) / texture for n in neighbours], axis=0)


def noise_sigma(y):
    """Immerkaer's estimate of white noise in a luma plane, made robust to edges with the median:
    the 3x3 mask [[1,-2,1],[-2,4,-2],[1,-2,1]] (L2 norm 6) cancels planes and ramps, so on noise of sigma its
    response is N(0, 36 sigma^2), whose median absolute value is 0.6745 * 6 sigma."""
    l = (y[:-2, :-2] - 2 * y[:-2, 1:-1] + y[:-2, 2:] - 2 * y[1:-1, :-2] + 4 * y[1:-1, 1:-1] - 2 * y[1:-1, 2:]
         + y[2:, :-2] - 2 * y[2:, 1:-1] + y[2:, 2:])
    return float(np.median(np.abs(l))) / (0.6745 * 6)


def motion_noise_aware(frame, neighbours, radius=RADIUS, floor=GRADIENT_FLOOR):
    """`motion` with the frame difference's expected noise removed in quadrature: two frames of noise sigma_a
    and sigma_b differ by N(0, sigma_a^2 + sigma_b^2), mean absolute value sqrt(2/pi) of its deviation, so
    a static noisy area reads about 0 instead of about 2 px. The texture's noise is removed the same way
    (central differences of noise sigma have deviation sigma/sqrt(2) on each axis: 2 sigma/sqrt(pi) in all),
    else it would hide real motion under noise."""
    y = luma(frame)
    sy = noise_sigma(y)
    t = box_mean(gradient_l1(y), radius)
    texture = np.maximum(np.sqrt(np.maximum(t * t - (2 * sy / math.sqrt(math.pi)) ** 2, 0)), floor)
    out = []
    for n in neighbours:
        yn = luma(n)
        c = math.sqrt(2 / math.pi) * math.hypot(sy, noise_sigma(yn))
        d = box_mean(np.abs(y - yn), radius)
        out.append(np.sqrt(np.maximum(d * d - c * c, 0)) / texture)
    return SCALE * np.max(out, axis=0)


def gate(frame, neighbours, low=LOW, high=HIGH, **kw):
    return np.clip((motion(frame, neighbours, **kw) - low) / (high - low), 0.0, 1.0)


# ----------------------------------------------------------------------------


def windows_with_neighbours(frames, starts, n_avg=7):
    """(start, prev, blurry, next, sharp) float images; a missing neighbour window is the frame itself, as the
    pipeline gives the first and last frames."""
    for s in starts:
        win = lambda a: prepare_data.gopro_average(frames[a:a + n_avg]) if 0 <= a and a + n_avg <= len(frames) else None  # noqa: E731
        b = np.round(win(s) * 255) / 255
        p, n = win(s - n_avg), win(s + n_avg)
        p = b if p is None else np.round(p * 255) / 255
        n = b if n is None else np.round(n * 255) / 255
        yield s, p.astype(np.float32), b.astype(np.float32), n.astype(np.float32), frames[s + n_avg // 2].astype(np.float32) / 255


def real_windows(data, split):
    """The held-out real-video pairs (val_video_real, val_video's clips) with their neighbours, from the same
    windows prepare_data.py took; or, for `train`, 8 windows from each training video."""
    out = []
    if split == "train":
        for v in sorted(glob.glob(f"{data}/videos_train/*.mkv")):
            frames = prepare_data.read_video(v)
            name = os.path.splitext(os.path.basename(v))[0]
            starts = np.linspace(0, len(frames) - 8, 8).astype(int)
            out += [(f"{name}_{s:04d}", p, b, n, sh) for s, p, b, n, sh in windows_with_neighbours(frames, starts)]
        return out
    manifest = json.load(open(f"{data}/manifest.json"))
    entries = manifest.get("val_video_real", []) + [m for m in manifest["val_video"] if m["kind"] == "video"]
    by_source = {}
    for m in entries:
        by_source.setdefault(m["source"], []).append(int(os.path.splitext(m["file"])[0].rsplit("_", 1)[1]))
    for src, starts in by_source.items():
        frames = prepare_data.read_video(src)
        name = os.path.splitext(os.path.basename(src))[0]
        out += [(f"{name}_{s:04d}", p, b, n, sh) for s, p, b, n, sh in windows_with_neighbours(frames, starts)]
    return out


def clip_windows(folder, limit=None):
    names = sorted(os.listdir(os.path.join(folder, "sharp")))[:limit]
    load = lambda r, n: np.asarray(Image.open(os.path.join(folder, r, n)).convert("RGB"), np.float32) / 255  # noqa: E731
    return [(f"clip_{os.path.splitext(n)[0]}", load("prev", n), load("blur", n), load("next", n), load("sharp", n))
            for n in names]


def evaluate(args):
    torch.set_num_threads(args.threads)
    g = rm.load_generator(args.model).eval()
    items = [] if args.split == "clips" else real_windows(args.data, args.split)
    for folder in [f"clips3_{args.split}"] + args.clips:
        if os.path.isdir(f"{args.data}/{folder}"):
            items += [(f"{folder}:{n}", *rest) for n, *rest in clip_windows(f"{args.data}/{folder}", args.clip_limit)]
    variants = [(lo, hi) for lo, hi in ((0.25, 0.75), (0.5, 1.5), (0.75, 2.0), (1.0, 3.0), (0.5, 1.0), (0.25, 1.5))]
    rows = {}
    for name, p, b, n, s in items:
        o = np.clip(run_model(g, b), 0, 1)
        m = motion(b, [p, n])
        mn = motion_noise_aware(b, [p, n])
        source = name.split(":")[0] if ":" in name else name.rsplit("_", 1)[0]
        r = rows.setdefault(source, {"input": [], "model": [], "noise-aware": [], **{v: [] for v in variants}})
        r["input"].append(psnr(b, s))
        r["model"].append(psnr(o, s))
        for lo, hi in variants:
            k = np.clip((m - lo) / (hi - lo), 0, 1)[..., None]
            r[(lo, hi)].append(psnr(np.clip(b + k * (o - b), 0, 1), s))
        k = np.clip((mn - LOW) / (HIGH - LOW), 0, 1)[..., None]
        r["noise-aware"].append(psnr(np.clip(b + k * (o - b), 0, 1), s))
        print(f"{name}: input {psnr(b, s):.2f} model {psnr(o, s):.2f} motion median {np.median(m):.2f} "
              f"gate({LOW},{HIGH}) mean {np.clip((m - LOW) / (HIGH - LOW), 0, 1).mean():.2f} -> {r[(LOW, HIGH)][-1]:.2f}; "
              f"noise {noise_sigma(luma(b)) * 255:.2f}/255, noise-aware median {np.median(mn):.2f} "
              f"mean {np.clip((mn - LOW) / (HIGH - LOW), 0, 1).mean():.2f} -> {r['noise-aware'][-1]:.2f}",
              flush=True)
    cols = ["input", "model"] + variants + ["noise-aware"]
    print("\n| source (pairs) | " + " | ".join(c if isinstance(c, str) else f"gate {c[0]}-{c[1]}" for c in cols) + " |")
    every = {c: [] for c in cols}
    for src, r in rows.items():
        for c in cols:
            every[c] += r[c]
        print(f"| {src} ({len(r['input'])}) | " + " | ".join(f"{np.mean(r[c]):.2f}" for c in cols) + " |")
    print(f"| all ({len(every['input'])}) | " + " | ".join(f"{np.mean(every[c]):.2f}" for c in cols) + " |")


def calibrate(args):
    """The estimate against known shifts of training photos (sharp and box-blurred along the shift), x264-free."""
    photos = sorted(glob.glob(f"{args.data}/photos/train/*.png"))[:12]
    rng = np.random.default_rng(3)
    print("| true shift px | " + " | ".join(["sharp median", "blurred median"]) + " |")
    for shift in (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 4.0, 8.0, 16.0):
        est = {"sharp": [], "blurred": []}
        for p in photos:
            img = np.asarray(Image.open(p).convert("RGB"), np.float32) / 255
            h, w = img.shape[:2]
            y0, x0 = rng.integers(0, h - 360), rng.integers(0, w - 700)
            crop = img[y0:y0 + 360, x0:x0 + 700]
            for kind in est:
                def frame(off):
                    # Linear interpolation in x: a sub-pixel horizontal shift by `off`.
                    i, f = int(math.floor(off)), off - math.floor(off)
                    a = crop[:, i:i + 640] * (1 - f) + crop[:, i + 1:i + 641] * f
                    return a
                if kind == "sharp":
                    cur, nxt = frame(0.0), frame(shift)
                else:  # blurred over the shift, as a 100 % shutter does
                    taps = max(2, int(math.ceil(shift * 4)) + 1)
                    blur = lambda o: np.mean([frame(o + shift * t / (taps - 1)) for t in range(taps)], axis=0)  # noqa: E731
                    cur, nxt = blur(0.0), blur(shift)
                cur, nxt = np.round(cur * 255) / 255, np.round(nxt * 255) / 255
                est[kind].append(float(np.median(motion(cur, [nxt]))))
        print(f"| {shift} | {np.median(est['sharp']):.2f} | {np.median(est['blurred']):.2f} |", flush=True)


def noise_check(args):
    """Sensor noise against the gate: held-out photos (sharp_input_check's 384² centre crops of the photos scaled
    to 720 lines) as 3-frame clips with independent Gaussian noise in each frame (8-bit), still (a tripod) or
    panning `--pan` px per frame with the shutter open all the time (blur of the same length). PSNR of the middle
    frame's result against its clean sharp frame: input, model, the gate, the noise-aware gate."""
    import sharp_input_check
    torch.set_num_threads(args.threads)
    g = rm.load_generator(args.model).eval()
    rng = np.random.default_rng(5)
    folders = [f"{args.data}/photos/val", f"{args.data}/photos/val_extra"]
    margin = int(math.ceil(2 * args.pan)) + 2
    size = sharp_input_check.CROP
    sharp_input_check.CROP = size + 2 * margin  # cut wider, so the pan has picture to move over
    rows = {}
    for name, wide in sharp_input_check.crops(folders):
        def view(off):  # the crop moved right by `off` px (linear interpolation)
            i, f = int(math.floor(off)), off - math.floor(off)
            x = margin + i
            return (wide[margin:margin + size, x:x + size] * (1 - f) + wide[margin:margin + size, x + 1:x + 1 + size] * f)

        def exposed(start, length):
            if length == 0:
                return view(start)
            taps = int(math.ceil(length * 4)) + 1
            return np.mean([view(start + length * t / (taps - 1)) for t in range(taps)], axis=0)

        for sigma in args.sigma:
            for scene, v in (("still", 0.0), (f"pan {args.pan:g} px", args.pan)):
                noisy = lambda a: np.clip(np.round((a + rng.normal(0, sigma / 255, a.shape)) * 255) / 255, 0, 1).astype(np.float32)  # noqa: E731
                p, b, n = (noisy(exposed(k * v - v / 2, v)) for k in (-1, 0, 1))
                sharp = view(0.0).astype(np.float32)
                o = np.clip(run_model(g, b), 0, 1)
                r = rows.setdefault((scene, sigma), {"input": [], "model": [], "gate": [], "noise-aware": []})
                r["input"].append(psnr(b, sharp))
                r["model"].append(psnr(o, sharp))
                for key, m in (("gate", motion(b, [p, n])), ("noise-aware", motion_noise_aware(b, [p, n]))):
                    k = np.clip((m - LOW) / (HIGH - LOW), 0, 1)[..., None]
                    r[key].append(psnr(np.clip(b + k * (o - b), 0, 1), sharp))
    cols = ["input", "model", "gate", "noise-aware"]
    print(f"| clip | σ (/255) | crops | " + " | ".join(cols) + " |")
    for (scene, sigma), r in rows.items():
        print(f"| {scene} | {sigma:g} | {len(r['input'])} | " + " | ".join(f"{np.mean(r[c]):.2f}" for c in cols) + " |")


def export(args):
    """A held-out clip as two lossless videos for the Swift pipeline: OUT/NAME-blur.mkv, consecutive 7-frame
    linear-light means (each the next one's neighbour, as in `eval`), and OUT/NAME-sharp.mkv, their middle frames.
    Then `deblur-video NAME-blur.mkv -o o.mkv --codec ffv1 [--no-motion-gate]` and `deblur-video eval
    NAME-sharp.mkv o.mkv` measure the gate end to end."""
    import subprocess
    frames = prepare_data.read_video(args.video)[args.first:]
    name = os.path.splitext(os.path.basename(args.video))[0]
    h, w = frames[0].shape[:2]
    os.makedirs(args.out, exist_ok=True)
    for role in ("blur", "sharp"):
        enc = subprocess.Popen(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
                                "-r", "25", "-i", "-", "-c:v", "ffv1", "-pix_fmt", "gbrp", f"{args.out}/{name}-{role}.mkv"],
                               stdin=subprocess.PIPE)
        for s in range(0, len(frames) - 6, 7):
            img = (np.round(prepare_data.gopro_average(frames[s:s + 7]) * 255).astype(np.uint8) if role == "blur"
                   else frames[s + 3])
            enc.stdin.write(np.ascontiguousarray(img).tobytes())
        enc.stdin.close()
        enc.wait()
    print(f"{args.out}/{name}-blur.mkv, {args.out}/{name}-sharp.mkv: {len(range(0, len(frames) - 6, 7))} frames")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("calibrate")
    c.add_argument("--data", default="/work/data")
    e = sub.add_parser("eval")
    e.add_argument("--data", default="/work/data")
    e.add_argument("--model", required=True)
    e.add_argument("--split", choices=["train", "val", "clips"], required=True,
                   help="clips: only the --clips folders")
    e.add_argument("--threads", type=int, default=1)
    e.add_argument("--clip-limit", type=int, default=None)
    e.add_argument("--clips", action="append", default=[],
                   help="more clip folders under DATA (prev/blur/next/sharp), e.g. clips3_val_shutters, clips3_video")
    q = sub.add_parser("noise", help="still and panning noisy clips of held-out photos: does the gate tell noise from motion?")
    q.add_argument("--data", default="/work/data")
    q.add_argument("--model", required=True)
    q.add_argument("--threads", type=int, default=1)
    q.add_argument("--sigma", type=float, action="append", default=[], help="noise, in 8-bit levels (repeatable)")
    q.add_argument("--pan", type=float, default=2.0, help="pan speed, px per frame")
    x = sub.add_parser("export", help="a held-out clip as blurry and sharp lossless videos, for the Swift pipeline")
    x.add_argument("video")
    x.add_argument("--first", type=int, default=0, help="first frame (the cockatoo's held-out part starts at 207)")
    x.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.cmd == "noise" and not args.sigma:
        args.sigma = [1.0, 2.0, 4.0]
    {"calibrate": calibrate, "eval": evaluate, "noise": noise_check, "export": export}[args.cmd](args)


if __name__ == "__main__":
    main()
