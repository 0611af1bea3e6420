#!/usr/bin/env python3
"""Train the reference generator (PyTorch, CPU) on photos blurred on the fly.

This is the PyTorch reference of `deblur-video train`: it produced the first
shipped default model; the Swift trainer continues from it with --init.

    nohup nice -n 5 python3 scripts/train_reference.py --config default \
        --data /work/data --out runs/default --steps 4000 > runs/default.log 2>&1 &

Schedule (defaults = what worked on 2 shared CPU cores):
- encoder (ImageNet EfficientNet-Lite0) frozen for the first --unfreeze-at
  fraction of the steps, then fine-tuned at 0.1× the learning rate,
- crops 128/144/160 (random per batch), batch 8, Adam(0.9, 0.999),
  LR --lr with linear warm-up (100 steps) and cosine decay to 2 % of it,
- pixel (λpix·L1) + multi-scale (λms·L1 at 1, ½, ¼) losses only for the
  first --adv-from fraction, then λadv·BCE against a PatchGAN (ndf --ndf),
  G and D updated alternately, D on real vs detached fake.
Checkpoints (G, D, both optimisers, step, RNG states) are written atomically
every --ckpt-minutes; --resume continues from the latest one.
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import blur_synth  # noqa: E402
import reference_model as rm  # noqa: E402


def log(msg, fh):
    line = time.strftime("%H:%M:%S ") + msg
    print(line, file=sys.stderr, flush=True)
    fh.write(line + "\n")
    fh.flush()


def load_images(folder):
    files = sorted(glob.glob(os.path.join(folder, "*.png")))
    return [np.asarray(Image.open(f).convert("RGB")) for f in files], files


def load_pairs(folder):
    names = sorted(os.listdir(os.path.join(folder, "sharp")))
    out = []
    for n in names:
        b = np.asarray(Image.open(os.path.join(folder, "blur", n)).convert("RGB"), dtype=np.float32) / 255.0
        s = np.asarray(Image.open(os.path.join(folder, "sharp", n)).convert("RGB"), dtype=np.float32) / 255.0
        out.append((n, torch.from_numpy(b.transpose(2, 0, 1).copy())[None],
                    torch.from_numpy(s.transpose(2, 0, 1).copy())[None]))
    return out


def psnr(a, b):
    mse = float(((a - b) ** 2).mean())
    return 10 * math.log10(1.0 / max(mse, 1e-12))


def ssim(a, b):
    from skimage.metrics import structural_similarity
    return float(structural_similarity(a[0].numpy().transpose(1, 2, 0), b[0].numpy().transpose(1, 2, 0),
                                       channel_axis=2, data_range=1.0))


@torch.no_grad()
def evaluate(g, pairs, max_pairs=None, with_ssim=False):
    g.eval()
    ps, ss = [], []
    for i, (_, blurry, sharp) in enumerate(pairs):
        if max_pairs and i >= max_pairs:
            break
        y = g(blurry)
        ps.append(psnr(y, sharp))
        if with_ssim:
            ss.append(ssim(y, sharp))
    g.train()
    return float(np.mean(ps)), (float(np.mean(ss)) if ss else float("nan"))


def make_batch(rng, images, batch, size, max_len, soft_fraction=0.0, jpeg_fraction=0.0):
    bl, sh = [], []
    for _ in range(batch):
        img = images[int(rng.integers(0, len(images)))]
        b, s = blur_synth.make_pair(rng, img, size, max_len, soft_fraction=soft_fraction, jpeg_fraction=jpeg_fraction)
        bl.append(b)
        sh.append(s)
    return torch.from_numpy(np.stack(bl)), torch.from_numpy(np.stack(sh))


def lr_at(step, total, base, warmup=100, floor=0.02):
    if step < warmup:
        return base * (step + 1) / warmup
    p = min(1.0, (step - warmup) / max(1, total - warmup))
    return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p)))


def save_ckpt(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="default")
    ap.add_argument("--data", default="/work/data")
    ap.add_argument("--encoder", default="data/efficientnet-lite0.safetensors")
    ap.add_argument("--init", default="", help="start from a generator safetensors (fine-tune)")
    ap.add_argument("--out", default="runs/default")
    ap.add_argument("--export", default="", help="write the final F16 generator here too")
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crops", default="128,144,160")
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--max-blur", type=float, default=40.0)
    ap.add_argument("--jpeg-fraction", type=float, default=0.0,
                    help="fraction of samples with a JPEG-compressed input (as deblur-video train --jpeg-fraction)")
    ap.add_argument("--soft-fraction", type=float, default=0.0,
                    help="fraction of samples from a softened photo (as deblur-video train --soft-fraction)")
    ap.add_argument("--unfreeze-at", type=float, default=0.6, help="fraction of steps with the encoder frozen")
    ap.add_argument("--adv-from", type=float, default=0.75, help="fraction of steps before the GAN loss starts")
    ap.add_argument("--encoder-lr-scale", type=float, default=0.1, help="encoder learning rate / decoder learning rate")
    ap.add_argument("--lambda-adv", type=float, default=0.001)
    ap.add_argument("--lambda-ms", type=float, default=1.0)
    ap.add_argument("--lambda-pix", type=float, default=0.5)
    ap.add_argument("--mse", action="store_true")
    ap.add_argument("--ndf", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--ckpt-minutes", type=float, default=4.0)
    ap.add_argument("--val-minutes", type=float, default=10.0)
    ap.add_argument("--val-pairs", type=int, default=24)
    ap.add_argument("--resume", action="store_true")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    fh = open(os.path.join(args.out, "train.log"), "a")
    log(f"args {json.dumps(vars(args))}", fh)

    cfg = rm.get_config(args.config)
    g = rm.Generator(cfg)
    if args.init:
        g = rm.load_generator(args.init)
        cfg = g.config
        log(f"init from {args.init}", fh)
    else:
        n = rm.load_pretrained_encoder(g, args.encoder)
        log(f"loaded {n} pretrained encoder tensors from {args.encoder}", fh)
    d = rm.PatchDiscriminator(args.ndf)
    enc_params = list(g.encoder.parameters())
    enc_ids = {id(p) for p in enc_params}
    dec_params = [p for p in g.parameters() if id(p) not in enc_ids]
    opt_g = torch.optim.Adam([{"params": dec_params, "lr_scale": 1.0, "encoder": False},
                              {"params": enc_params, "lr_scale": args.encoder_lr_scale, "encoder": True}],
                             lr=args.lr, betas=(0.9, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=args.lr, betas=(0.5, 0.999))
    weights = rm.LossWeights(adv=args.lambda_adv, ms=args.lambda_ms, pix=args.lambda_pix, mse=args.mse)

    rng = np.random.default_rng(args.seed)
    torch.manual_seed(args.seed)
    step = 0
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    history = []
    if args.resume and os.path.exists(ckpt_path):
        st = torch.load(ckpt_path, weights_only=False)
        g.load_state_dict(st["g"])
        d.load_state_dict(st["d"])
        opt_g.load_state_dict(st["opt_g"])
        opt_d.load_state_dict(st["opt_d"])
        step = st["step"]
        rng.bit_generator.state = st["np_rng"]
        torch.set_rng_state(st["torch_rng"])
        history = st.get("history", [])
        log(f"resumed at step {step}", fh)

    images, files = load_images(os.path.join(args.data, "photos", "train"))
    val = load_pairs(os.path.join(args.data, "val_synth"))
    log(f"{len(images)} training photos, {len(val)} val pairs", fh)
    crops = [int(c) for c in args.crops.split(",")]
    base_psnr = float(np.mean([psnr(b, s) for _, b, s in val[:args.val_pairs]]))
    log(f"val blurry-input PSNR (first {args.val_pairs}): {base_psnr:.2f}", fh)

    def state():
        return {"g": g.state_dict(), "d": d.state_dict(), "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(),
                "step": step, "np_rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(),
                "config": cfg, "args": vars(args), "history": history}

    def export(path):
        tmp = path + ".tmp"
        rm.save_generator(g, tmp, extra_metadata={
            "deblur.trained_steps": str(step), "deblur.trainer": "scripts/train_reference.py (PyTorch)",
            "deblur.history": json.dumps(history[-5:])})
        os.replace(tmp, path)

    g.train()
    d.train()
    t_last_ckpt = t_last_val = time.time()
    t0 = time.time()
    step0 = step
    ema = {}
    while step < args.steps:
        frozen = step < args.unfreeze_at * args.steps
        use_adv = step >= args.adv_from * args.steps and args.lambda_adv > 0
        lr = lr_at(step, args.steps, args.lr)
        for grp in opt_g.param_groups:
            grp["lr"] = lr * grp["lr_scale"] * (0.0 if (frozen and grp.get("encoder", grp["lr_scale"] < 1)) else 1.0)
        for grp in opt_d.param_groups:
            grp["lr"] = lr
        size = crops[int(rng.integers(0, len(crops)))]
        blurry, sharp = make_batch(rng, images, args.batch, size, args.max_blur, args.soft_fraction,
                                   args.jpeg_fraction)

        fake = g(blurry, clamp=False, frozen_encoder=frozen)
        if use_adv:
            # D step on real vs detached fake.
            opt_d.zero_grad(set_to_none=True)
            ld = rm.discriminator_loss(d(sharp), d(fake.detach().clamp(0, 1)))
            ld.backward()
            opt_d.step()
            d_fake = d(fake.clamp(0, 1))
        else:
            ld = torch.zeros(())
            d_fake = None
        opt_g.zero_grad(set_to_none=True)
        lg, parts = rm.generator_loss(fake, sharp, d_fake, weights)
        lg.backward()
        opt_g.step()
        step += 1

        for k, v in list(parts.items()) + [("d", ld)]:
            v = float(v.detach()) if torch.is_tensor(v) else float(v)
            ema[k] = 0.98 * ema.get(k, v) + 0.02 * v
        if step % 20 == 0:
            el = time.time() - t0
            rate = (step - step0) / el
            eta = (args.steps - step) / max(rate, 1e-9)
            log(f"step {step}/{args.steps} lr {lr:.2e} crop {size} frozen {int(frozen)} adv {int(use_adv)} "
                + " ".join(f"{k} {v:.4f}" for k, v in ema.items())
                + f" | {rate:.2f} it/s ETA {eta / 60:.1f} min", fh)
        now = time.time()
        if now - t_last_val > args.val_minutes * 60 or step == args.steps:
            p, _ = evaluate(g, val, args.val_pairs)
            history.append({"step": step, "val_psnr": round(p, 3), "gain": round(p - base_psnr, 3),
                            "minutes": round((now - t0) / 60, 1)})
            log(f"VAL step {step}: PSNR {p:.2f} dB (blurry {base_psnr:.2f}, gain {p - base_psnr:+.2f})", fh)
            t_last_val = time.time()
        if now - t_last_ckpt > args.ckpt_minutes * 60 or step == args.steps:
            save_ckpt(ckpt_path, state())
            export(os.path.join(args.out, "latest.safetensors"))
            t_last_ckpt = time.time()
    save_ckpt(ckpt_path, state())
    export(os.path.join(args.out, "latest.safetensors"))
    if args.export:
        export(args.export)
    log(f"done: {step} steps in {(time.time() - t0) / 60:.1f} min this run", fh)


if __name__ == "__main__":
    main()
