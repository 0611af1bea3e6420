#!/usr/bin/env python3
"""Compressed camera pans over a photo: blurry/sharp pairs as footage arrives.

A pan is rendered at `n_sub`× the frame rate with integer pixel steps; each
video frame is the mean, in linear light (gamma 2.2), of its `n_sub`
sub-frames (a 100 % shutter), so its blur streak is (n_sub − 1)·step px.
With gamma 1 the mean is of the coded values, as editors blend frames. The
blurry frames go through the ffmpeg CLI's libx264 (yuv420p, preset medium) as
a short clip and the middle frame is decoded back: an inter-coded frame, with
the artifacts footage really has. The sharp target is the middle sub-frame of
that same frame, an exact crop of the photo, kept clean.

Used by evaluate_reference.py (the mild and blended pan validation splits)
and prepare_data.py (the uncoded validation pans of val_video, and the
--x264-pans training pairs).
"""
from __future__ import annotations

import os
import subprocess
import tempfile

import numpy as np
from PIL import Image

GAMMA = 2.2
CLIP_FRAMES = 5  # x264 codes frame 2 of 5 as an inter frame (P or B) with the default GOP settings


def plan_pan(rng, shape, size, step, angle, n_sub, frames=CLIP_FRAMES):
    """Start corner and per-sub-frame step of a pan that fits the photo, or None if it does not."""
    H, W = shape[:2]
    w, h = size
    dx = int(round(step * np.cos(np.radians(angle))))
    dy = int(round(step * np.sin(np.radians(angle))))
    n = n_sub * frames
    span_x, span_y = abs(dx) * (n - 1), abs(dy) * (n - 1)
    if W < w + span_x + 2 or H < h + span_y + 2:
        return None
    x0 = int(rng.integers(0, W - w - span_x)) + (span_x if dx < 0 else 0)
    y0 = int(rng.integers(0, H - h - span_y)) + (span_y if dy < 0 else 0)
    return x0, y0, dx, dy


def render_pan(arr, x0, y0, dx, dy, n_sub, size, frames=CLIP_FRAMES, gamma=GAMMA):
    """(blurry frames uint8 [frames, h, w, 3], sharp middle sub-frame of the middle frame uint8 [h, w, 3])."""
    w, h = size
    crops = [arr[y0 + i * dy:y0 + i * dy + h, x0 + i * dx:x0 + i * dx + w] for i in range(n_sub * frames)]
    lin = np.power(np.stack(crops).astype(np.float32) / 255.0, gamma).reshape(frames, n_sub, h, w, 3)
    blurry = np.power(lin.mean(axis=1), 1.0 / gamma)
    mid = frames // 2
    return np.round(blurry * 255).astype(np.uint8), crops[mid * n_sub + n_sub // 2]


def x264_middle_frame(frames_u8, crf):
    """The middle frame of `frames_u8` after an x264 round trip (CRF `crf`, yuv420p, 25 fps)."""
    n, h, w, _ = frames_u8.shape
    ff = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"]
    with tempfile.TemporaryDirectory() as tmp:
        clip = os.path.join(tmp, "clip.mp4")
        subprocess.run(ff + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", "25", "-i", "-",
                             "-c:v", "libx264", "-preset", "medium", "-crf", str(crf), "-pix_fmt", "yuv420p", clip],
                       input=frames_u8.tobytes(), check=True)
        raw = subprocess.run(ff + ["-i", clip, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                             capture_output=True, check=True).stdout
    decoded = np.frombuffer(raw, dtype=np.uint8)
    if decoded.size != n * h * w * 3:
        raise RuntimeError(f"x264 round trip returned {decoded.size} bytes, expected {n * h * w * 3}")
    return decoded.reshape(n, h, w, 3)[n // 2].copy()


def write_pairs(photo_paths, folder, rng, per_photo, draw_motion, draw_crf, size=(640, 360), gamma=GAMMA):
    """`per_photo` coded pans across each photo into `folder`/{blur,sharp}/<stem>_<j>.png; returns the pair count.
    `draw_motion(rng)` gives (n_sub, step, angle), `draw_crf(rng)` the CRF; pans that do not fit are skipped.
    `gamma` is render_pan's (it draws nothing, so the pans are the same whatever it is)."""
    k = 0
    for path in photo_paths:
        arr = np.asarray(Image.open(path).convert("RGB"))
        stem = os.path.splitext(os.path.basename(path))[0]
        for j in range(per_photo):
            n_sub, step, angle = draw_motion(rng)
            plan = plan_pan(rng, arr.shape, size, step, angle, n_sub)
            if plan is None:
                continue
            blurry, sharp = render_pan(arr, *plan, n_sub=n_sub, size=size, gamma=gamma)
            coded = x264_middle_frame(blurry, draw_crf(rng))
            Image.fromarray(coded).save(os.path.join(folder, "blur", f"{stem}_{j}.png"))
            Image.fromarray(sharp).save(os.path.join(folder, "sharp", f"{stem}_{j}.png"))
            k += 1
    return k
