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

Camera motion that is not a pan (a zoom, a roll, or both on top of a
slower pan) is rendered the same way by `render_affine`: each sub-frame is
the photo resampled (bicubic, never magnified) through its own similarity
transform, so streaks grow towards the frame's corners as they do when a
camera zooms or rotates.

Used by evaluate_reference.py (the mild, blended and zoom/roll validation
splits) and prepare_data.py (the uncoded validation pans of val_video, and
the --x264-pans training pairs).
"""
from __future__ import annotations

import os
import subprocess
import tempfile

import numpy as np
from PIL import Image

GAMMA = 2.2
CLIP_FRAMES = 5  # x264 codes frame 2 of 5 as an inter frame (P or B) with the default GOP settings


def expose(crops, n_sub, frames, gamma):
    """`frames` exposures of `n_sub` sub-frames each, averaged in linear light (coded values when gamma is 1), and
    the sharp target: (blurry frames uint8 [frames, h, w, 3], middle sub-frame of the middle frame uint8 [h, w, 3])."""
    h, w = crops[0].shape[:2]
    lin = np.power(np.stack(crops).astype(np.float32) / 255.0, gamma).reshape(frames, n_sub, h, w, 3)
    blurry = np.power(lin.mean(axis=1), 1.0 / gamma)
    mid = frames // 2
    return np.round(blurry * 255).astype(np.uint8), crops[mid * n_sub + n_sub // 2]


def plan_pan(rng, shape, size, step, angle, n_sub, frames=CLIP_FRAMES, gap=0):
    """Start corner and per-sub-frame step of a pan that fits the photo, or None if it does not."""
    H, W = shape[:2]
    w, h = size
    dx = int(round(step * np.cos(np.radians(angle))))
    dy = int(round(step * np.sin(np.radians(angle))))
    n = (n_sub + gap) * frames - gap
    span_x, span_y = abs(dx) * (n - 1), abs(dy) * (n - 1)
    if W < w + span_x + 2 or H < h + span_y + 2:
        return None
    x0 = int(rng.integers(0, W - w - span_x)) + (span_x if dx < 0 else 0)
    y0 = int(rng.integers(0, H - h - span_y)) + (span_y if dy < 0 else 0)
    return x0, y0, dx, dy


def render_pan(arr, x0, y0, dx, dy, n_sub, size, frames=CLIP_FRAMES, gamma=GAMMA, gap=0):
    """(blurry frames uint8 [frames, h, w, 3], sharp middle sub-frame of the middle frame uint8 [h, w, 3]).
    `gap` sub-frames between two exposures model a shutter shorter than the frame interval: the camera moves
    (n_sub + gap)·step px from frame to frame while each streak stays (n_sub − 1)·step px."""
    w, h = size
    idx = [f * (n_sub + gap) + i for f in range(frames) for i in range(n_sub)]
    crops = [arr[y0 + i * dy:y0 + i * dy + h, x0 + i * dx:x0 + i * dx + w] for i in idx]
    return expose(crops, n_sub, frames, gamma)


def plan_affine(rng, shape, size, n_sub, streak, frames=CLIP_FRAMES, tries=20):
    """A zoom and/or roll with a slower pan whose corner streaks are about `streak` px per frame, as per-sub-frame
    (centre x, centre y, scale, angle) arrays that keep every sub-frame inside the photo; None if none fits."""
    H, W = shape[:2]
    w, h = size
    radius = 0.5 * float(np.hypot(w, h))  # corner distance from the centre: where zoom and roll streak most
    n = n_sub * frames
    per_sub = streak / (n_sub - 1)  # px per sub-frame at the corners
    kind = rng.choice(["zoom", "roll", "both"])
    share = rng.uniform(0.5, 1.0)  # the rest of the streak is a pan
    zoom = share * per_sub / radius if kind != "roll" else 0.0
    roll = share * per_sub / radius if kind != "zoom" else 0.0
    if kind == "both":
        zoom, roll = zoom / np.sqrt(2), roll / np.sqrt(2)
    pan = (1 - share) * per_sub
    zoom *= rng.choice([-1, 1])
    roll *= rng.choice([-1, 1])
    heading = rng.uniform(0, 2 * np.pi)
    t = np.arange(n) - (n - 1) / 2
    scale = rng.uniform(1.0, 1.3) * np.exp(zoom * t)
    if scale.min() < 1.0:  # downscale only, so the sharp target is as sharp as the photo
        scale = scale / scale.min()
    angle = rng.uniform(-0.2, 0.2) + roll * t
    half = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [-w / 2, h / 2], [w / 2, h / 2]])
    reach = []  # each sub-frame's corners relative to its centre
    for s_, a_ in zip(scale, angle):
        c, si = np.cos(a_), np.sin(a_)
        reach.append(half @ (s_ * np.array([[c, si], [-si, c]])))
    reach = np.stack(reach)  # [n, 4, 2]
    drift = np.stack([t * pan * np.cos(heading), t * pan * np.sin(heading)], axis=1)  # [n, 2]
    lo = (reach.min(axis=1) + drift).min(axis=0)
    hi = (reach.max(axis=1) + drift).max(axis=0)
    for _ in range(tries):
        cx = rng.uniform(-lo[0] + 2, W - 3 - hi[0]) if W - 3 - hi[0] > -lo[0] + 2 else None
        cy = rng.uniform(-lo[1] + 2, H - 3 - hi[1]) if H - 3 - hi[1] > -lo[1] + 2 else None
        if cx is not None and cy is not None:
            return cx + drift[:, 0], cy + drift[:, 1], scale, angle
    return None


def render_affine(arr, cx, cy, scale, angle, n_sub, size, frames=CLIP_FRAMES, gamma=GAMMA):
    """`render_pan` for `plan_affine`'s motion: sub-frame i is the photo through the similarity transform
    (cx[i], cy[i], scale[i], angle[i]) that maps the output frame's centre to (cx, cy)."""
    w, h = size
    img = Image.fromarray(arr)
    crops = []
    for x, y, s_, a_ in zip(cx, cy, scale, angle):
        a, b = s_ * np.cos(a_), -s_ * np.sin(a_)
        d, e = -b, a
        data = (a, b, x - a * w / 2 - b * h / 2, d, e, y - d * w / 2 - e * h / 2)
        crops.append(np.asarray(img.transform((w, h), Image.AFFINE, data, resample=Image.BICUBIC)))
    return expose(crops, n_sub, frames, gamma)


def x264_round_trip(frames_u8, crf):
    """`frames_u8` [n, h, w, 3] after an x264 round trip (CRF `crf`, yuv420p, 25 fps), all n frames."""
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
    return decoded.reshape(n, h, w, 3).copy()


def x264_middle_frame(frames_u8, crf):
    """The middle frame of `frames_u8` after an x264 round trip (CRF `crf`, yuv420p, 25 fps)."""
    return x264_round_trip(frames_u8, crf)[len(frames_u8) // 2].copy()


def write_pairs(photo_paths, folder, rng, per_photo, draw_motion, draw_crf, size=(640, 360), gamma=GAMMA,
                affine=False):
    """`per_photo` coded pans across each photo into `folder`/{blur,sharp}/<stem>_<j>.png; returns the pair count.
    `draw_motion(rng)` gives (n_sub, step, angle), `draw_crf(rng)` the CRF; pans that do not fit are skipped.
    `gamma` is render_pan's (it draws nothing, so the pans are the same whatever it is). `affine`: zooms and rolls
    (`plan_affine`) instead, with corner streaks of (n_sub − 1)·step px."""
    k = 0
    for path in photo_paths:
        arr = np.asarray(Image.open(path).convert("RGB"))
        stem = os.path.splitext(os.path.basename(path))[0]
        for j in range(per_photo):
            n_sub, step, angle = draw_motion(rng)
            if affine:
                plan = plan_affine(rng, arr.shape, size, n_sub, step * (n_sub - 1))
                render = render_affine
            else:
                plan = plan_pan(rng, arr.shape, size, step, angle, n_sub)
                render = render_pan
            if plan is None:
                continue
            blurry, sharp = render(arr, *plan, n_sub=n_sub, size=size, gamma=gamma)
            coded = x264_middle_frame(blurry, draw_crf(rng))
            Image.fromarray(coded).save(os.path.join(folder, "blur", f"{stem}_{j}.png"))
            Image.fromarray(sharp).save(os.path.join(folder, "sharp", f"{stem}_{j}.png"))
            k += 1
    return k
