#!/usr/bin/env python3
"""Motion-blur synthesis: camera-shake trajectories → blur kernels → blurry
patches (reference for Sources/DeblurNet/BlurSynthesis.swift).

A sample is made like this (all randomness from one numpy Generator):
1. `random_trajectory(rng, max_len)`: 64 points of a camera path in pixels.
   - straight (p = 0.4): a line of length L at a uniform random angle, with
     constant speed or (p = 0.3 of the straight ones) a linear acceleration,
   - curved (p = 0.6): a random walk with momentum (Boracchi & Foi style):
     the velocity turns by a Gaussian angle each step, the path is then
     rescaled to arc length L,
   - L = max_len · u^1.5 with u ~ U(0, 1), so short shakes are frequent and
     long ones (up to `max_len`, 40 px by default) still occur; 5 % of the
     samples use L ≤ 1.5 px (near-sharp) so the model learns to leave sharp
     frames alone.
2. `trajectory_kernel(points)`: bilinear splatting of the points into an odd
   square kernel centred on the trajectory's centroid (the sharp target is
   the image at the mean camera position), normalised to sum 1.
3. `blur_patch(rng, sharp_big, kernel)`: convolution in linear light
   (sRGB ≈ gamma 2.2) in "valid" mode, so the S×S result needs an
   (S+K−1)² sharp input and has no border artefacts; back to gamma,
   Gaussian noise σ = 0.02·u² (u ~ U(0,1)), 8-bit rounding.
"""
from __future__ import annotations

import numpy as np
from PIL import Image
from scipy.signal import fftconvolve

GAMMA = 2.2
N_POINTS = 64


def random_trajectory(rng: np.random.Generator, max_len: float = 40.0) -> np.ndarray:
    """Returns (N_POINTS, 2) x/y camera positions in pixels."""
    if rng.random() < 0.05:
        length = 1.5 * rng.random()
    else:
        length = max(1.0, max_len * rng.random() ** 1.5)
    t = np.linspace(0.0, 1.0, N_POINTS)
    if rng.random() < 0.4:
        angle = rng.uniform(0, np.pi)
        if rng.random() < 0.3:
            a = rng.uniform(-0.9, 0.9)
            t = t + a * t * (t - 1.0)  # monotone for |a| < 1
        d = np.array([np.cos(angle), np.sin(angle)])
        return (t[:, None] - 0.5) * length * d[None, :]
    # Curved: random walk with momentum.
    angle = rng.uniform(0, 2 * np.pi)
    turn = rng.uniform(0.05, 0.45)  # radians per step (curviness)
    pts = np.zeros((N_POINTS, 2))
    heading = angle
    for i in range(1, N_POINTS):
        heading += rng.normal(0.0, turn)
        pts[i] = pts[i - 1] + np.array([np.cos(heading), np.sin(heading)])
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1).sum()
    return pts * (length / max(seg, 1e-6))


def trajectory_kernel(points: np.ndarray) -> np.ndarray:
    """Bilinear splat of the trajectory points into an odd K×K kernel."""
    p = points - points.mean(axis=0, keepdims=True)
    r = int(np.ceil(np.abs(p).max())) + 1
    k = 2 * r + 1
    ker = np.zeros((k, k), dtype=np.float64)
    for x, y in p:
        fx, fy = x + r, y + r
        x0, y0 = int(np.floor(fx)), int(np.floor(fy))
        ax, ay = fx - x0, fy - y0
        for dy, wy in ((0, 1 - ay), (1, ay)):
            for dx, wx in ((0, 1 - ax), (1, ax)):
                yy, xx = y0 + dy, x0 + dx
                if 0 <= yy < k and 0 <= xx < k:
                    ker[yy, xx] += wy * wx
    return (ker / ker.sum()).astype(np.float32)


def blur_patch(rng: np.random.Generator, sharp_big: np.ndarray, kernel: np.ndarray,
               noise_max: float = 0.02, gamma: float = GAMMA) -> np.ndarray:
    """sharp_big: (3, S+K−1, S+K−1) float32 in [0, 1] (gamma-encoded).
    Returns the (3, S, S) blurry patch (noisy, 8-bit quantised). `gamma` 1
    averages the coded values, as blended video frames do."""
    lin = np.power(np.clip(sharp_big, 0, 1), gamma)
    out = np.stack([fftconvolve(c, kernel, mode="valid") for c in lin])
    out = np.power(np.clip(out, 0, 1), 1.0 / gamma)
    sigma = noise_max * rng.random() ** 2
    out = out + rng.normal(0.0, sigma, out.shape)
    return (np.round(np.clip(out, 0, 1) * 255.0) / 255.0).astype(np.float32)


def make_pair(rng: np.random.Generator, image: np.ndarray, size: int, max_len: float = 40.0,
              scale_range=(0.5, 1.0), soft_fraction: float = 0.0, jpeg_fraction: float = 0.0,
              gamma_blur_fraction: float = 0.0):
    """Random (blurry, sharp) S×S pair from an (H, W, 3) uint8 image.

    Crops a region, optionally downscales it (area averaging over an integer
    grid after a random scale, which also removes sensor noise), flips/rotates,
    then blurs."""
    ker = trajectory_kernel(random_trajectory(rng, max_len))
    k = ker.shape[0]
    need = size + k - 1
    h, w = image.shape[:2]
    scale = rng.uniform(*scale_range)
    src = int(np.ceil(need / scale))
    src = min(src, h, w)
    if src < need:  # image too small for this kernel: fall back to scale 1
        src = need
    y0 = int(rng.integers(0, h - src + 1))
    x0 = int(rng.integers(0, w - src + 1))
    crop = image[y0:y0 + src, x0:x0 + src].astype(np.float32) / 255.0
    if src != need:
        crop = resize_area(crop, need)
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    crop = np.rot90(crop, int(rng.integers(0, 4)))
    # --soft-fraction: a softened source (and so a soft target) teaches "undo motion blur, don't sharpen".
    if soft_fraction > 0 and rng.random() < soft_fraction:
        crop = soften(crop, rng.uniform(1.5, 3.0))
    big = np.ascontiguousarray(crop.transpose(2, 0, 1))
    # --gamma-blur-fraction: blur averaged in coded values, as frame blending in editors does.
    coded = gamma_blur_fraction > 0 and rng.random() < gamma_blur_fraction
    blurry = blur_patch(rng, big, ker, gamma=1.0 if coded else GAMMA)
    # --jpeg-fraction: a compressed input (clean target) teaches "deblur, don't sharpen block artifacts".
    if jpeg_fraction > 0 and rng.random() < jpeg_fraction:
        q = int(rng.integers(30, 91))
        blurry = np.ascontiguousarray(jpeg_artifacts(blurry.transpose(1, 2, 0), q).transpose(2, 0, 1))
    r = (k - 1) // 2
    sharp = big[:, r:r + size, r:r + size]
    sharp = np.round(sharp * 255.0) / 255.0
    return blurry, np.ascontiguousarray(sharp, dtype=np.float32)


def soften(img: np.ndarray, factor: float) -> np.ndarray:
    """(N, N, C) → area-downscaled by `factor`, bilinearly upscaled back (half-pixel centres, edges clamped)."""
    n = img.shape[0]
    m = max(2, int(round(n / factor)))
    small = np.stack([np.asarray(Image.fromarray(np.ascontiguousarray(img[..., c])).resize((m, m), Image.BOX))
                      for c in range(img.shape[2])], axis=-1)
    x = np.clip((np.arange(n) + 0.5) * m / n - 0.5, 0, m - 1)
    i0 = np.minimum(x.astype(int), m - 2)
    w = (x - i0).astype(np.float32)
    rows = small[i0] + w[:, None, None] * (small[i0 + 1] - small[i0])
    return rows[:, i0] + w[None, :, None] * (rows[:, i0 + 1] - rows[:, i0])


JPEG_LUMA = np.array([
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99], dtype=np.float64).reshape(8, 8)
JPEG_CHROMA = np.full((8, 8), 99.0)
JPEG_CHROMA[:4, :4] = [[17, 18, 24, 47], [18, 21, 26, 66], [24, 26, 56, 99], [47, 66, 99, 99]]


def jpeg_table(base: np.ndarray, quality: int) -> np.ndarray:
    """IJG quality scaling (libjpeg jpeg_quality_scaling + jpeg_add_quant_table, baseline)."""
    q = min(max(quality, 1), 100)
    scale = 5000 // q if q < 50 else 200 - 2 * q
    return np.clip((base.astype(np.int64) * scale + 50) // 100, 1, 255).astype(np.float64)


def _round_half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _sample(x):
    return np.floor(np.clip(x, 0, 255) + 0.5)


def _jpeg_plane(p: np.ndarray, table: np.ndarray) -> np.ndarray:
    """8x8 block DCT (orthonormal, = JPEG's FDCT), quantise, dequantise, inverse; edges replicated."""
    from scipy.fft import dctn, idctn
    h, w = p.shape
    ph, pw = -h % 8, -w % 8
    q = np.pad(p, ((0, ph), (0, pw)), mode="edge") - 128
    blocks = q.reshape(q.shape[0] // 8, 8, q.shape[1] // 8, 8).transpose(0, 2, 1, 3)
    coef = dctn(blocks, axes=(2, 3), norm="ortho")
    coef = _round_half_away(coef / table) * table
    rec = idctn(coef, axes=(2, 3), norm="ortho").transpose(0, 2, 1, 3).reshape(q.shape)
    return _sample(rec[:h, :w] + 128)


def jpeg_artifacts(img: np.ndarray, quality: int) -> np.ndarray:
    """(N, N, 3) float RGB in [0, 1] → the same after a baseline-JPEG round trip without entropy coding:
    8-bit JFIF YCbCr, 4:2:0 chroma (2x2 means, replicated back), standard tables at IJG `quality`.
    Twin of Swift's JPEGArtifacts.apply (golden test)."""
    rgb = img.astype(np.float64) * 255
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = _sample(0.299 * r + 0.587 * g + 0.114 * b)
    cb = _sample(-0.168736 * r - 0.331264 * g + 0.5 * b + 128)
    cr = _sample(0.5 * r - 0.418688 * g - 0.081312 * b + 128)
    n = img.shape[0]

    def sub(c):
        c = np.pad(c, ((0, n % 2), (0, n % 2)), mode="edge")
        return (c[0::2, 0::2] + c[0::2, 1::2] + c[1::2, 0::2] + c[1::2, 1::2]) / 4

    ly = _jpeg_plane(y, jpeg_table(JPEG_LUMA, quality))
    qc = jpeg_table(JPEG_CHROMA, quality)
    u = np.repeat(np.repeat(_jpeg_plane(sub(cb), qc), 2, 0), 2, 1)[:n, :n] - 128
    v = np.repeat(np.repeat(_jpeg_plane(sub(cr), qc), 2, 0), 2, 1)[:n, :n] - 128
    out = np.stack([ly + 1.402 * v, ly - 0.344136 * u - 0.714136 * v, ly + 1.772 * u], axis=-1)
    return (_sample(out) / 255).astype(np.float32)


def resize_area(img: np.ndarray, size: int) -> np.ndarray:
    """(H, W, C) float → (size, size, C) by antialiased bilinear (PIL)."""
    from PIL import Image
    chans = [np.asarray(Image.fromarray(img[..., c]).resize((size, size), Image.BILINEAR, reducing_gap=None))
             for c in range(img.shape[2])]
    return np.stack(chans, axis=-1)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    for i in range(5):
        tr = random_trajectory(rng)
        k = trajectory_kernel(tr)
        print(i, "kernel", k.shape, "sum", float(k.sum()))
