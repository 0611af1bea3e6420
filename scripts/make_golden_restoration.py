#!/usr/bin/env python3
"""Writes the golden files for Tests/RestorationTests (run from the repository root).

References: scikit-image 0.26 (structural_similarity, peak_signal_noise_ratio, restoration.wiener,
restoration.richardson_lucy, filters.unsharp_mask), NumPy, and the ffmpeg CLI's psnr filter.

Output (Tests/RestorationTests/Golden):
  golden.json      scalars and the names/shapes of the binary arrays below
  *.u8             raw uint8, planar (channels, height, width)
  *.f32            raw little-endian float32, planar (channels, height, width) or (height, width)
"""
import json, os, re, subprocess, sys, tempfile

import numpy as np
from PIL import Image
from scipy import ndimage
from scipy.signal import convolve
from skimage.filters import unsharp_mask
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from skimage.restoration import richardson_lucy, wiener

OUT = os.path.join("Tests", "RestorationTests", "Golden")
rng = np.random.default_rng(20261125)
meta = {"metrics": [], "classical": {}}


def write(name, arr, dtype):
    a = np.ascontiguousarray(arr.astype(dtype))
    a.astype("<" + a.dtype.str[1:] if a.dtype.itemsize > 1 else a.dtype).tofile(os.path.join(OUT, name))
    return {"file": name, "shape": list(a.shape)}


def planar(hwc):
    return np.transpose(hwc, (2, 0, 1))


def natural_image(h, w):
    """Smooth random texture plus edges, uint8 HxWx3."""
    base = ndimage.gaussian_filter(rng.normal(size=(h, w, 3)), sigma=(3, 3, 0)) * 60 + 128
    yy, xx = np.mgrid[0:h, 0:w]
    base += (xx > w // 2)[..., None] * 50.0 - (yy > h // 3)[..., None] * 40.0
    base += rng.normal(size=(h, w, 3)) * 4
    return np.clip(np.round(base), 0, 255).astype(np.uint8)


def luma(hwc_u8):
    """BT.601 limited-range Y as FFmpeg's RGB->YUV: round(16 + (65.481R + 128.553G + 24.966B)/255)."""
    f = hwc_u8.astype(np.float64)
    y = 16 + (65.481 * f[..., 0] + 128.553 * f[..., 1] + 24.966 * f[..., 2]) / 255
    return np.floor(y + 0.5).astype(np.uint8)


def ffmpeg_y_psnr(ref, test):
    with tempfile.TemporaryDirectory() as d:
        a, b = os.path.join(d, "a.png"), os.path.join(d, "b.png")
        Image.fromarray(ref).save(a)
        Image.fromarray(test).save(b)
        cmd = ["ffmpeg", "-hide_banner", "-nostats", "-i", a, "-i", b, "-lavfi",
               "[0:v]format=yuv444p[x];[1:v]format=yuv444p[y];[x][y]psnr", "-f", "null", "-"]
        err = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
        m = re.search(r"PSNR y:(\S+)", err)
        return float(m.group(1)) if m.group(1) != "inf" else float("inf")


def ssim(a, b, **kw):
    return float(structural_similarity(a, b, data_range=255, **kw))


def metric_case(name, ref, test):
    gauss = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
    ya, yb = luma(ref), luma(test)
    mse = float(np.mean((ref.astype(np.float64) - test.astype(np.float64)) ** 2))
    case = {
        "name": name,
        "reference": write(f"{name}_ref.u8", planar(ref), np.uint8),
        "test": write(f"{name}_test.u8", planar(test), np.uint8),
        "psnr_rgb": float(peak_signal_noise_ratio(ref, test, data_range=255)),
        "mse_rgb": mse,
        "ssim_gaussian_rgb": ssim(ref, test, channel_axis=-1, **gauss),
        "ssim_uniform7_rgb": ssim(ref, test, channel_axis=-1),
        "psnr_y": float(peak_signal_noise_ratio(ya, yb, data_range=255)),
        "ssim_gaussian_y": ssim(ya, yb, **gauss),
        "ssim_uniform7_y": ssim(ya, yb),
        "ffmpeg_psnr_y": ffmpeg_y_psnr(ref, test),
    }
    meta["metrics"].append(case)
    return case


# --- metrics: three frames of one "clip" plus an odd-sized pair -----------------------------
H, W = 48, 64
clip = []
for i, noise in enumerate([3.0, 8.0, 15.0]):
    ref = natural_image(H, W)
    blurred = ndimage.uniform_filter(ref.astype(np.float64), size=(1, 3 + 2 * i, 1))
    test = np.clip(np.round(blurred + rng.normal(size=ref.shape) * noise), 0, 255).astype(np.uint8)
    clip.append(metric_case(f"frame{i}", ref, test))
ref = natural_image(45, 61)
test = np.clip(np.round(ref.astype(np.float64) + rng.normal(size=ref.shape) * 10), 0, 255).astype(np.uint8)
metric_case("odd", ref, test)

psnrs = np.array([c["psnr_rgb"] for c in clip])
ssims = np.array([c["ssim_gaussian_rgb"] for c in clip])
mses = np.array([c["mse_rgb"] for c in clip])
meta["clip_summary"] = {
    "frames": [c["name"] for c in clip],
    "psnr_mean": float(psnrs.mean()), "psnr_median": float(np.median(psnrs)),
    "psnr_min": float(psnrs.min()), "psnr_p5": float(np.percentile(psnrs, 5)),
    "ssim_mean": float(ssims.mean()), "ssim_p5": float(np.percentile(ssims, 5)),
    "psnr_of_mean_mse": float(10 * np.log10(255.0 ** 2 / mses.mean())),
}


# --- motion PSF: independent NumPy implementation of the documented construction ---------------
def motion_psf(length, angle_deg):
    th = np.deg2rad(angle_deg)
    d = np.array([np.cos(th), -np.sin(th)])
    r = max(0, int(np.ceil(length / 2 - 0.5 - 1e-9)))
    k = np.zeros((2 * r + 1, 2 * r + 1))
    for row in range(2 * r + 1):
        for col in range(2 * r + 1):
            c = np.array([col - r, row - r], dtype=float)
            t0, t1 = -length / 2, length / 2
            for ax in range(2):
                lo, hi = c[ax] - 0.5, c[ax] + 0.5
                if abs(d[ax]) < 1e-12:
                    if not (lo <= 0 < hi):
                        t0, t1 = 1, 0
                else:
                    a, b = sorted((lo / d[ax], hi / d[ax]))
                    t0, t1 = max(t0, a), min(t1, b)
            if t1 > t0:
                k[row, col] = t1 - t0
    return k / k.sum()


psfs = {}
for length, angle in [(7.0, 30.0), (5.0, 0.0), (6.0, 90.0), (9.5, 135.0), (1.0, 17.0)]:
    key = f"motion_{length:g}_{angle:g}"
    k = motion_psf(length, angle)
    psfs[key] = {"length": length, "angle": angle, **write(f"{key}.f32", k, np.float32)}
meta["classical"]["motion_psfs"] = psfs


# --- classical methods ---------------------------------------------------------------------
def smooth_float_image(h, w, c):
    img = natural_image(h, w)[..., :c].astype(np.float64) / 255
    return np.clip(ndimage.gaussian_filter(img, sigma=(1, 1, 0)), 0, 1)


psf = motion_psf(7.0, 30.0)
sharp = smooth_float_image(40, 52, 3)
blurred = np.stack([convolve(sharp[..., c], psf, mode="same") for c in range(3)], axis=-1)
blurred = np.clip(blurred + rng.normal(size=blurred.shape) * 0.01, 0, 1).astype(np.float32)
b64 = blurred.astype(np.float64)  # the exact values the Swift side reads
cl = meta["classical"]
cl["blurred"] = write("blurred_rgb.f32", planar(blurred), np.float32)
cl["psf"] = write("psf_motion_7_30.f32", psf, np.float32)
psf32 = psf.astype(np.float32).astype(np.float64)

cl["wiener"] = {"balance": 0.05, **write("wiener_rgb.f32", planar(np.stack(
    [wiener(b64[..., c], psf32, 0.05) for c in range(3)], axis=-1)), np.float32)}
cl["richardson_lucy"] = {"num_iter": 15, **write("rl_rgb.f32", planar(np.stack(
    [richardson_lucy(b64[..., c], psf32, num_iter=15) for c in range(3)], axis=-1)), np.float32)}
# channel_axis=2, not -1: skimage 0.26's unsharp_mask does not normalise a negative axis and
# slice_at_axis(c, -1) then indexes rows (leaving the rest of np.empty_like uninitialised).
cl["unsharp"] = {"radius": 1.5, "amount": 0.8, **write("unsharp_rgb.f32", planar(
    unsharp_mask(b64, radius=1.5, amount=0.8, channel_axis=2)), np.float32)}

# Odd geometry: a 37x67 grey image (67 is a large prime: Bluestein) and an even-sized random PSF.
even_psf = rng.random((4, 6))
even_psf /= even_psf.sum()
even_psf32 = even_psf.astype(np.float32).astype(np.float64)
gray = np.clip(convolve(smooth_float_image(37, 67, 1)[..., 0], even_psf, mode="same")
               + rng.normal(size=(37, 67)) * 0.005, 0, 1).astype(np.float32)
g64 = gray.astype(np.float64)
cl["gray"] = write("gray_37x67.f32", gray, np.float32)
cl["even_psf"] = write("psf_even_4x6.f32", even_psf32, np.float32)
cl["wiener_even"] = {"balance": 0.1, **write("wiener_even.f32", wiener(g64, even_psf32, 0.1, clip=False), np.float32)}
cl["rl_even"] = {"num_iter": 8, **write("rl_even.f32", richardson_lucy(g64, even_psf32, num_iter=8, clip=False), np.float32)}

# Mirror boundary (margin 12): numpy pad(mode="symmetric"), then crop. Wiener pads right/bottom further,
# to the next 2,3,5-smooth size (61 -> 64 rows, 91 -> 96 columns), as the Swift side does for its FFT.
m = 12
padded_w = np.pad(g64, ((m, 64 - 37 - m), (m, 96 - 67 - m)), mode="symmetric")
cl["wiener_mirror"] = {"balance": 0.1, "margin": m, **write(
    "wiener_mirror.f32", wiener(padded_w, even_psf32, 0.1)[m:m + 37, m:m + 67], np.float32)}
padded_rl = np.pad(g64, m, mode="symmetric")
cl["rl_mirror"] = {"num_iter": 8, "margin": m, **write(
    "rl_mirror.f32", richardson_lucy(padded_rl, even_psf32, num_iter=8)[m:m + 37, m:m + 67], np.float32)}

with open(os.path.join(OUT, "golden.json"), "w") as f:
    json.dump(meta, f, indent=1, allow_nan=True)
print("wrote", OUT, file=sys.stderr)
