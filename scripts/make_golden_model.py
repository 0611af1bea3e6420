#!/usr/bin/env python3
"""Golden files for the Swift generator/discriminator/losses/blur synthesis
(Tests/DeblurNetTests/Golden/GAN), computed with scripts/reference_model.py.

    python3 scripts/make_golden_model.py

- tiny_forward: `tiny` config with seeded random weights (incl. a non-zero RGB
  head), a 1x3x37x45 input (odd sizes → reflect padding + crop) → output
  (clamped and unclamped), and the mean over its 8 flips/transposes
  (`--ensemble 8`; non-square, so the transposed passes run at 45x37).
- tiny_train_step: one G and one D loss with a PatchDiscriminator(ndf=4):
  loss values and the gradients of every G and D parameter
  (`grad.g.<name>`, `grad.d.<name>`), as the Swift trainer computes them
  (G loss on the unclamped output, D on the clamped, detached one).
- tiny_frames3: the `tiny` config taking 3 frames (9 channels; the residual
  restores the middle one), seeded random weights, a 2x9x37x45 input →
  output, and the gradients of every parameter for λms·Lms + λpix·Lpix.
- tiny_expand3: a seeded random `tiny` model (`single.*`) and the same model
  expanded to 3 frames by `with_frames` (`expanded.*`), which the Swift
  `Generator.expanded(toFrames:)` must reproduce exactly.
- default_forward: the real `default` config at 48x72 with the converted
  ImageNet encoder (the F16 classifier fixture) and seeded random decoder
  weights stored in F16 (`decoder.*` in the file) → output.
- blur_kernel: a fixed trajectory → kernel (bilinear splat) and the
  noise-free linear-light blur of a fixed patch, and its blur in coded
  values (gamma 1, `--gamma-blur-fraction`).
- jpeg_artifacts: blur_synth.jpeg_artifacts (the `--jpeg-fraction` training
  augmentation) on a 37x37 photo crop at quality 30 and 16x16 noise at 90;
  the script also asserts the proxy is within 40 dB of a real libjpeg
  round trip (PIL).
- shipped_model (`--shipped MODEL`, rerun whenever the shipped model
  changes): a 128x128 crop of a held-out synthetic validation pair and of a
  held-out photo pan, with the PyTorch output of the shipped model.
"""
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file, load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blur_synth  # noqa: E402
import reference_model as rm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests/DeblurNetTests/Golden/GAN")
CLASSIFIER = os.path.join(ROOT, "Tests/DeblurNetTests/Golden/Classifier/efficientnet-lite0-f16.safetensors")


def randomize(model, seed, scale=0.3):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in sorted(model.named_parameters()):
            p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * scale / max(1, p[0].numel()) ** 0.5 * 1.7)


def tiny():
    torch.manual_seed(0)
    g = rm.Generator(rm.get_config("tiny")).double()
    randomize(g, 1)
    x = torch.rand(1, 3, 37, 45, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    with torch.no_grad():
        y = g(x)
        yu = g(x, clamp=False)
        ye = rm.self_ensemble(g, x, 8)
    t = {"input": x, "output": y, "output_unclamped": yu, "output_ensemble8": ye}
    t.update({"model." + k: v for k, v in g.state_dict().items()})
    save_file({k: v.float().contiguous() for k, v in t.items()}, f"{OUT}/tiny_forward.safetensors",
              metadata={rm.CONFIG_METADATA_KEY: g.config_json()})
    print("tiny_forward: output range", float(y.min()), float(y.max()), "mean |r|", float((yu - x).abs().mean()))

    # One training step's gradients.
    d = rm.PatchDiscriminator(ndf=4).double()
    randomize(d, 3, scale=1.0)
    sharp = torch.rand(2, 3, 37, 45, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    blurry = torch.rand(2, 3, 37, 45, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    w = rm.LossWeights(adv=0.1, ms=1.0, pix=0.5)
    fake = g(blurry, clamp=False)
    d_fake = d(fake.clamp(0, 1))
    lg, parts = rm.generator_loss(fake, sharp, d_fake, w)
    g.zero_grad(); d.zero_grad()
    lg.backward()
    gg = {"grad.g." + k: p.grad.clone() for k, p in g.named_parameters()}
    d.zero_grad()
    ld = rm.discriminator_loss(d(sharp), d(fake.detach().clamp(0, 1)))
    ld.backward()
    gd = {"grad.d." + k: p.grad.clone() for k, p in d.named_parameters()}
    t = {"blurry": blurry, "sharp": sharp, "fake": fake.detach(), "d_fake": d_fake.detach()}
    t.update({"d." + k: v for k, v in d.state_dict().items()})
    t.update(gg); t.update(gd)
    meta = {rm.CONFIG_METADATA_KEY: g.config_json(), "ndf": "4",
            "weights": json.dumps({"adv": w.adv, "ms": w.ms, "pix": w.pix}),
            "losses": json.dumps({k: float(v) for k, v in parts.items()} | {"d": float(ld)})}
    save_file({k: v.float().contiguous() for k, v in t.items()}, f"{OUT}/tiny_train_step.safetensors", metadata=meta)
    print("tiny_train_step:", json.loads(meta["losses"]))


def tiny_frames():
    """The `tiny` config on 3 frames: forward (clamped, unclamped) and the gradients of λms·multi-scale + λpix·L1."""
    cfg = dict(rm.get_config("tiny"), frames=3)
    g = rm.Generator(cfg).double()
    randomize(g, 21)
    x = torch.rand(2, 9, 37, 45, generator=torch.Generator().manual_seed(22), dtype=torch.float64)
    sharp = torch.rand(2, 3, 37, 45, generator=torch.Generator().manual_seed(23), dtype=torch.float64)
    with torch.no_grad():
        y = g(x)
    fake = g(x, clamp=False)
    lg, parts = rm.generator_loss(fake, sharp, None, rm.LossWeights(adv=0.0, ms=1.0, pix=0.5))
    lg.backward()
    t = {"input": x, "sharp": sharp, "output": y, "output_unclamped": fake.detach()}
    t.update({"model." + k: v for k, v in g.state_dict().items()})
    t.update({"grad." + k: p.grad for k, p in g.named_parameters()})
    save_file({k: v.float().contiguous() for k, v in t.items()}, f"{OUT}/tiny_frames3.safetensors",
              metadata={rm.CONFIG_METADATA_KEY: g.config_json(), "loss": json.dumps(float(lg.detach()))})
    print("tiny_frames3: loss", float(lg.detach()), "mean |r|", float((fake - x[:, 3:6]).abs().mean()))


def tiny_expand():
    """A one-frame `tiny` model and `with_frames(model, 3)`: the expansion `train --init M --frames 3` starts from."""
    g = rm.Generator(rm.get_config("tiny"))
    randomize(g, 31)
    e = rm.with_frames(g, 3)
    x = torch.rand(1, 9, 37, 45, generator=torch.Generator().manual_seed(32))
    with torch.no_grad():
        d = float((e(x, clamp=False) - g(x[:, 3:6], clamp=False)).abs().max())
        assert d < 1e-5, f"with_frames must compute what the model did (max difference {d})"
    t = {"single." + k: v for k, v in g.state_dict().items()}
    t.update({"expanded." + k: v for k, v in e.state_dict().items()})
    save_file({k: v.float().contiguous() for k, v in t.items()}, f"{OUT}/tiny_expand3.safetensors",
              metadata={rm.CONFIG_METADATA_KEY: e.config_json()})
    print("tiny_expand3:", len(t), "tensors")


def default():
    g = rm.Generator(rm.get_config("default"))
    enc = load_file(CLASSIFIER)
    own = g.state_dict()
    for k in own:
        if k.startswith("encoder."):
            own[k].copy_(enc[k].float())
    dec_names = [k for k, _ in g.named_parameters() if not k.startswith("encoder.")]
    gen = torch.Generator().manual_seed(11)
    with torch.no_grad():
        for k in sorted(dec_names):
            p = dict(g.named_parameters())[k]
            p.copy_(((torch.rand(p.shape, generator=gen) * 2 - 1) * 1.5 / max(1, p[0].numel()) ** 0.5).half().float())
    x = torch.rand(1, 3, 48, 72, generator=torch.Generator().manual_seed(12))
    x = x.half().float()
    g.eval()
    with torch.no_grad():
        y = g(x, clamp=False)
    t = {"input": x.half(), "output_unclamped": y}
    t.update({"decoder." + k: dict(g.named_parameters())[k].detach().half() for k in dec_names})
    save_file({k: v.contiguous() for k, v in t.items()}, f"{OUT}/default_forward.safetensors",
              metadata={rm.CONFIG_METADATA_KEY: g.config_json()})
    print("default_forward: |residual| mean", float((y - x).abs().mean()))


def blur():
    rng = np.random.default_rng(5)
    # A curved and a straight trajectory.
    out = {}
    for name in ["a", "b"]:
        while True:
            tr = blur_synth.random_trajectory(rng, 12.0)
            if np.abs(tr).max() > 3:
                break
        k = blur_synth.trajectory_kernel(tr)
        size = 9
        big = rng.random((3, size + k.shape[0] - 1, size + k.shape[0] - 1)).astype(np.float32)
        lin = np.power(big, blur_synth.GAMMA)
        from scipy.signal import fftconvolve
        bl = np.stack([fftconvolve(c.astype(np.float64), k.astype(np.float64), mode="valid") for c in lin])
        bl = np.power(np.clip(bl, 0, 1), 1 / blur_synth.GAMMA)
        out[f"{name}.trajectory"] = torch.from_numpy(tr.astype(np.float32))
        out[f"{name}.kernel"] = torch.from_numpy(k)
        out[f"{name}.sharp"] = torch.from_numpy(big)
        out[f"{name}.blurry"] = torch.from_numpy(bl.astype(np.float32))
        # --gamma-blur-fraction: the same blur on the coded values (gamma 1), as blended frames are made.
        coded = np.stack([fftconvolve(c.astype(np.float64), k.astype(np.float64), mode="valid") for c in big])
        out[f"{name}.blurry_coded"] = torch.from_numpy(coded.astype(np.float32))
    save_file({k: v.contiguous() for k, v in out.items()}, f"{OUT}/blur_kernel.safetensors")
    print("blur_kernel:", {k: tuple(v.shape) for k, v in out.items()})


def jpeg():
    """JPEGArtifacts golden: scripts/blur_synth.py jpeg_artifacts on a photo crop (odd size: partial blocks and
    chroma) and on noise, and a check that this proxy is close to a real libjpeg round trip (PIL)."""
    import io
    from PIL import Image
    from skimage import data as skdata
    photo = skdata.astronaut()
    out = {}
    for name, img, q in [("photo", photo[100:137, 180:217] / 255.0, 30),
                         ("noise", np.random.default_rng(9).random((16, 16, 3)), 90)]:
        y = blur_synth.jpeg_artifacts(img, q)
        out[f"{name}.input"] = torch.from_numpy(img.transpose(2, 0, 1).astype(np.float32).copy())
        out[f"{name}.output"] = torch.from_numpy(y.transpose(2, 0, 1).copy())
        out[f"{name}.quality"] = torch.tensor([float(q)])
    crop = photo[:256, :256]
    for q in (30, 90):
        buf = io.BytesIO()
        Image.fromarray(crop).save(buf, "JPEG", quality=q, subsampling=2)
        pil = np.asarray(Image.open(buf).convert("RGB"), dtype=np.float64) / 255
        ours = blur_synth.jpeg_artifacts(crop / 255.0, q)
        agree = 10 * np.log10(1 / np.mean((ours - pil) ** 2))
        print(f"jpeg q{q}: ours vs libjpeg (PIL) {agree:.1f} dB")
        assert agree > 40, "the JPEG proxy drifted from libjpeg"
    save_file({k: v.contiguous() for k, v in out.items()}, f"{OUT}/jpeg_artifacts.safetensors")


def shipped(model_path, data="/work/data"):
    from PIL import Image
    g = rm.load_generator(model_path).eval()
    out = {}
    names = []
    psnr = lambda a, c: float(10 * torch.log10(1 / ((a - c) ** 2).mean()))

    def crop(folder, name):
        b = np.asarray(Image.open(f"{data}/{folder}/blur/{name}").convert("RGB"), dtype=np.float32) / 255
        sh = np.asarray(Image.open(f"{data}/{folder}/sharp/{name}").convert("RGB"), dtype=np.float32) / 255
        h, w, _ = b.shape
        y0, x0 = (h - 128) // 2, (w - 128) // 2
        b = torch.from_numpy(b[y0:y0 + 128, x0:x0 + 128].transpose(2, 0, 1).copy())[None]
        sh = torch.from_numpy(sh[y0:y0 + 128, x0:x0 + 128].transpose(2, 0, 1).copy())[None]
        return b, sh

    # Fixed rule (no cherry-picking on the model): the first pair, in name order, whose centre crop is
    # visibly blurred (input PSNR < 28 dB).
    def first_blurred(folder, prefix=""):
        for n in sorted(os.listdir(f"{data}/{folder}/sharp")):
            if n.startswith(prefix) and psnr(*crop(folder, n)) < 28:
                return n
        raise SystemExit(f"no blurred pair in {folder}")

    for key, folder, name in [("synth", "val_synth", first_blurred("val_synth")),
                              ("pan", "val_video", first_blurred("val_video", "pan_"))]:
        b, sh = crop(folder, name)
        with torch.no_grad():
            y = g(b.repeat(1, g.frames, 1, 1))  # a still: a multi-frame model's own neighbours
        out[f"{key}.blurry"], out[f"{key}.sharp"], out[f"{key}.output"] = b, sh, y
        print(f"shipped {key} ({name}): input {psnr(b, sh):.2f} dB → output {psnr(y, sh):.2f} dB")
        names.append(name)
    save_file({k: v.contiguous() for k, v in out.items()}, f"{OUT}/shipped_model.safetensors",
              metadata={"model": os.path.basename(model_path), "sources": json.dumps(names)})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    if len(sys.argv) > 2 and sys.argv[1] == "--shipped":
        shipped(sys.argv[2])
        sys.exit(0)
    tiny()
    tiny_frames()
    tiny_expand()
    default()
    blur()
    jpeg()
