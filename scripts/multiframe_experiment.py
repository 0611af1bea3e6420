#!/usr/bin/env python3
"""Does the generator gain from seeing the neighbouring frames? A controlled PyTorch experiment.

Video gives what a still photo cannot: the previous and next frames. Between
them the camera moved by about one blur streak, so they show the blur's length
and direction, and the scene through other compression noise. This script
measures whether the shipped architecture can use that, before the Swift engine
and the streaming pipeline are changed for it.

    python3 scripts/multiframe_experiment.py render --data /work/data
    python3 scripts/multiframe_experiment.py train --frames 1 --out runs/mf1 --steps 3000   # control
    python3 scripts/multiframe_experiment.py train --frames 3 --out runs/mf3 --steps 3000
    python3 scripts/multiframe_experiment.py eval --model runs/mf1/latest.pt --model runs/mf3/latest.pt
    python3 scripts/multiframe_experiment.py eval --split clips3_video --model …   # real video (render --split video)
    python3 scripts/multiframe_experiment.py export runs/mf3/latest.pt runs/mf3.safetensors

`render` makes clips as `pan_clips.py` makes the x264 training pans (pans and
zoom/roll, 4-36 px streaks in linear light, 5 frames x264-coded at CRF 18-30)
but keeps three consecutive decoded frames: DATA/clips3_{train,val}/{prev,blur,
next,sharp}/NAME.png, `sharp` the clean middle sub-frame of `blur`. Training
clips come from the training photos (photos/train, photos/train_nogc_extra),
validation clips from the 28 held-out photos (photos/val, photos/val_extra).

`train` fine-tunes the shipped model on those clips with the round-8 recipe
(Adam, lr 1e-4 with warm-up and cosine decay, encoder but its stem at 0.1x, lambda_ms 1,
lambda_pix 0.5, no GAN), crops 192, batch 4; --frames 1 sees the middle frame
only (the control), --frames 3 the three frames stacked on the channel axis.
The 3-frame model starts as the shipped one exactly: the stem's and the last
fusion's weights for the neighbours start at zero. Both runs see the same
crops in the same order (same seed). Checkpoints every 4 min; --resume.
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pan_clips  # noqa: E402
import reference_model as rm  # noqa: E402
from train_reference import lr_at, psnr, save_ckpt  # noqa: E402

ROLES = ("prev", "blur", "next", "sharp")
SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "DeblurNet", "Resources",
                       "default.safetensors")


# ----------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------

def render(folder, photos, rng, pans, affines, size=(640, 360), shutters=False):
    """`pans` pans and `affines` zooms/rolls per photo; each keeps decoded frames 1-3 of a 5-frame x264 clip.
    `shutters`: each pan's shutter is open for a random 1/2 to all of the frame interval (the camera moves 1-2x
    the streak between frames; a 100 % shutter otherwise, as GoPro-style averaging gives)."""
    for r in ROLES:
        os.makedirs(os.path.join(folder, r), exist_ok=True)
    k = 0
    for path in photos:
        arr = np.asarray(Image.open(path).convert("RGB"))
        stem = os.path.splitext(os.path.basename(path))[0]
        for j in range(pans + affines):
            n_sub, step = int(rng.choice([5, 7, 9, 13])), int(rng.integers(1, 4))
            angle = float(rng.choice([0, 0, 180, 90, 270, 45, 135, 30]))
            if j < pans:
                gap = int(rng.integers(0, n_sub + 1)) if shutters else 0
                plan = pan_clips.plan_pan(rng, arr.shape, size, step, angle, n_sub, gap=gap)
                draw = lambda *a, gap=gap, **k: pan_clips.render_pan(*a, gap=gap, **k)  # noqa: E731
            else:
                plan = pan_clips.plan_affine(rng, arr.shape, size, n_sub, step * (n_sub - 1))
                draw = pan_clips.render_affine
            crf = int(rng.integers(18, 31))
            if plan is None:
                continue
            blurry, sharp = draw(arr, *plan, n_sub=n_sub, size=size)
            coded = pan_clips.x264_round_trip(blurry, crf)
            name = f"{stem}_{j}.png"
            for role, img in zip(ROLES, [coded[1], coded[2], coded[3], sharp]):
                Image.fromarray(img).save(os.path.join(folder, role, name))
            k += 1
    return k


def render_video(folder, videos, n_avg=7, per_video=8):
    """GoPro-style clips from real videos (as prepare_data.py's val_video, other windows): each frame is the mean of
    `n_avg` consecutive frames in linear light, its neighbours the means of the windows before and after it, and
    the sharp target the middle frame of the middle window. Static windows are skipped."""
    import prepare_data
    for r in ROLES:
        os.makedirs(os.path.join(folder, r), exist_ok=True)
    k = 0
    for v in videos:
        frames = prepare_data.read_video(v)
        name = os.path.splitext(os.path.basename(v))[0]
        for s in np.linspace(n_avg, len(frames) - 2 * n_avg - 1, per_video).astype(int):
            wins = [prepare_data.gopro_average(frames[a:a + n_avg]) for a in (s - n_avg, s, s + n_avg)]
            sharp = frames[s + n_avg // 2].astype(np.float32) / 255.0
            if float(((np.round(wins[1] * 255) / 255 - sharp) ** 2).mean()) < 10 ** (-45 / 10):
                continue
            for role, img in zip(ROLES, wins + [sharp]):
                Image.fromarray(np.round(img * 255).astype(np.uint8)).save(os.path.join(folder, role, f"{name}_{s:04d}.png"))
            k += 1
    return k


def load_clips(folder):
    """[(name, uint8 [4, H, W, 3] = prev, blur, next, sharp)]."""
    names = sorted(os.listdir(os.path.join(folder, "sharp")))
    return [(n, np.stack([np.asarray(Image.open(os.path.join(folder, r, n)).convert("RGB")) for r in ROLES]))
            for n in names]


def to_input(clip_u8, frames, static=False):
    """[1, 3*frames, H, W] float input (prev, blur, next or blur alone) and the [1, 3, H, W] target. `static`:
    the neighbours replaced by the frame itself, as a still image or a frozen camera gives them."""
    x = torch.from_numpy(clip_u8.astype(np.float32) / 255.0).permute(0, 3, 1, 2)
    inp = (x[[1, 1, 1]] if static else x[0:3]) if frames == 3 else x[1:2]
    return inp.reshape(1, -1, *x.shape[-2:]), x[3:4]


def make_batch(rng, clips, batch, size, frames, static_fraction=0.0):
    xs, ys = [], []
    for _ in range(batch):
        c = clips[int(rng.integers(0, len(clips)))][1]
        h, w = c.shape[1:3]
        y0, x0 = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
        c = c[:, y0:y0 + size, x0:x0 + size]
        if rng.random() < 0.5:
            c = c[:, :, ::-1]
        if rng.random() < 0.5:
            c = c[:, ::-1]
        if rng.random() < 0.5:
            c = c.transpose(0, 2, 1, 3)
        if rng.random() < 0.5:  # time reversed: the same blur, the neighbours swapped
            c = c[[2, 1, 0, 3]]
        static = static_fraction > 0 and rng.random() < static_fraction
        x, y = to_input(np.ascontiguousarray(c), frames, static)
        xs.append(x)
        ys.append(y)
    return torch.cat(xs), torch.cat(ys)


# ----------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------

def build(frames: int, init: str):
    single = rm.load_generator(init)
    if single.frames == frames:  # a one-frame model, or one of these runs exported (`export`)
        return single
    g = rm.with_frames(single, frames)
    g.config["name"] = f"{single.config['name']}-{frames}f"
    return g


# ----------------------------------------------------------------------------
# Train and evaluate
# ----------------------------------------------------------------------------

@torch.no_grad()
def evaluate(g, clips, frames, limit=None, static=False):
    """Per-clip (input PSNR, output PSNR)."""
    g.eval()
    rows = []
    for _, c in clips[:limit]:
        x, y = to_input(c, frames, static)
        mid = x[:, 3:6] if frames == 3 else x
        rows.append((psnr(mid, y), psnr(g(x), y)))
    g.train()
    return rows


def train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log_file = open(os.path.join(args.out, "train.log"), "a")

    def log(msg):
        line = time.strftime("%H:%M:%S ") + msg
        print(line, file=sys.stderr, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    g = build(args.frames, args.init)
    # The stem is where the neighbours enter: it learns at the decoder's rate (at the encoder's 0.1x their
    # zero-initialised weights barely move in a few thousand steps). The same for --frames 1, for a fair control.
    enc = [p for n, p in g.encoder.named_parameters() if not n.startswith("stem.")]
    enc_ids = {id(p) for p in enc}
    opt = torch.optim.Adam([{"params": [p for p in g.parameters() if id(p) not in enc_ids], "scale": 1.0},
                            {"params": enc, "scale": args.encoder_lr_scale}], lr=args.lr)
    rng = np.random.default_rng(args.seed)
    weights = rm.LossWeights(adv=0.0, ms=1.0, pix=0.5, mse=False)
    step, history = 0, []
    ckpt = os.path.join(args.out, "latest.pt")
    if args.resume and os.path.exists(ckpt):
        st = torch.load(ckpt, weights_only=False)
        g.load_state_dict(st["g"])
        opt.load_state_dict(st["opt"])
        step, history = st["step"], st["history"]
        rng.bit_generator.state = st["rng"]
        torch.set_rng_state(st["torch_rng"])
        log(f"resumed at step {step}")
    log(f"args {json.dumps(vars(args))}")
    clips = [c for split in (args.train_split or ["clips3_train"]) for c in load_clips(os.path.join(args.data, split))]
    val = load_clips(os.path.join(args.data, "clips3_val"))
    log(f"{len(clips)} training clips, {len(val)} validation clips")

    def save():
        save_ckpt(ckpt, {"g": g.state_dict(), "opt": opt.state_dict(), "step": step, "history": history,
                         "rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(),
                         "config": g.config, "frames": args.frames})

    def validate():
        rows = evaluate(g, val, args.frames, args.val_clips)
        gain = float(np.mean([o - i for i, o in rows]))
        history.append({"step": step, "gain": round(gain, 3)})
        log(f"VAL step {step}: gain {gain:+.3f} dB on {len(rows)} clips")

    if step == 0:
        validate()
    t0, t_ckpt, t_val, step0 = time.time(), time.time(), time.time(), step
    ema = None
    while step < args.steps:
        lr = lr_at(step, args.steps, args.lr)
        for grp in opt.param_groups:
            grp["lr"] = lr * grp["scale"]
        x, y = make_batch(rng, clips, args.batch, args.crop, args.frames, args.static_fraction)
        loss, _ = rm.generator_loss(g(x, clamp=False), y, None, weights)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        value = float(loss.detach())
        ema = value if ema is None else 0.98 * ema + 0.02 * value
        if step % 20 == 0:
            rate = (step - step0) / (time.time() - t0)
            log(f"step {step}/{args.steps} lr {lr:.2e} loss {ema:.4f} | {rate:.2f} it/s "
                f"ETA {(args.steps - step) / rate / 60:.1f} min")
        if time.time() - t_val > args.val_minutes * 60:
            validate()
            t_val = time.time()
        if time.time() - t_ckpt > 240:
            save()
            t_ckpt = time.time()
    validate()
    save()
    log(f"done at step {step}")


def run_eval(args):
    torch.set_num_threads(args.threads)
    val = load_clips(os.path.join(args.data, args.split))
    models = [("shipped", build(1, SHIPPED), 1)]
    for path in args.model:
        if path.endswith(".safetensors"):  # a model file (deblur-video train -o, or `export`)
            g = rm.load_generator(path)
            models.append((os.path.basename(path), g, g.frames))
            continue
        st = torch.load(path, weights_only=False)
        g = rm.Generator(st["config"])
        g.load_state_dict(st["g"])
        models.append((f"{os.path.basename(os.path.dirname(path))} ({st['step']} steps)", g, st["frames"]))
    if args.split.startswith("clips3_val"):  # per photo: clips 0 and 1 are pans, clip 2 a zoom/roll
        kinds = {"pans": lambda n: not n.endswith("_2.png"), "zoom/roll": lambda n: n.endswith("_2.png")}
    else:  # per source video
        kinds = {v: (lambda n, v=v: n.rsplit("_", 1)[0] == v) for v in sorted({n.rsplit("_", 1)[0] for n, _ in val})}
    results = {}
    for label, g, frames in models:
        rows = evaluate(g, val, frames, static=args.static)
        results[label] = rows
        line = [f"{label}: input {np.mean([i for i, _ in rows]):.2f}, output {np.mean([o for _, o in rows]):.2f} dB, "
                f"{sum(o < i for i, o in rows)}/{len(rows)} worse"]
        for kind, pick in kinds.items():
            sel = [r for (n, _), r in zip(val, rows) if pick(n)]
            if not sel:  # e.g. no zoom/roll in the shutters split
                continue
            line.append(f"{kind} {np.mean([o for _, o in sel]):.2f} (input {np.mean([i for i, _ in sel]):.2f}, "
                        f"{len(sel)})")
        print("; ".join(line), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({k: [[n, i, o] for (n, _), (i, o) in zip(val, v)] for k, v in results.items()}, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("render")
    r.add_argument("--data", default="/work/data")
    r.add_argument("--split", choices=["train", "val", "video", "both", "shutters", "shutters_train", "shutters_val"],
                   default="both",
                   help="both = train and val; video = the real-video clips (opencv-doc), for eval only; "
                        "shutters = train and val pans with shutters open 1/2 to all of the frame interval "
                        "(shutters_train, shutters_val: one of them)")
    t = sub.add_parser("train")
    t.add_argument("--data", default="/work/data")
    t.add_argument("--frames", type=int, choices=[1, 3], required=True)
    t.add_argument("--init", default=SHIPPED)
    t.add_argument("--out", required=True)
    t.add_argument("--steps", type=int, default=3000)
    t.add_argument("--batch", type=int, default=4)
    t.add_argument("--crop", type=int, default=192)
    t.add_argument("--lr", type=float, default=1e-4)
    t.add_argument("--encoder-lr-scale", type=float, default=0.1)
    t.add_argument("--threads", type=int, default=1)
    t.add_argument("--seed", type=int, default=5)
    t.add_argument("--val-minutes", type=float, default=12.0)
    t.add_argument("--val-clips", type=int, default=40)
    t.add_argument("--resume", action="store_true")
    t.add_argument("--train-split", action="append", default=[],
                   help="clips folder under DATA to train on (repeatable; default clips3_train)")
    t.add_argument("--static-fraction", type=float, default=0.0,
                   help="fraction of crops whose neighbours are the frame itself (stills, a frozen camera)")
    x = sub.add_parser("export", help="a run's checkpoint as an F16 safetensors model (config in the metadata)")
    x.add_argument("checkpoint")
    x.add_argument("output")
    e = sub.add_parser("eval")
    e.add_argument("--data", default="/work/data")
    e.add_argument("--model", action="append", default=[],
                   help="a run's checkpoint (RUN/latest.pt) or a model file (.safetensors); repeatable")
    e.add_argument("--threads", type=int, default=2)
    e.add_argument("--json", default="")
    e.add_argument("--static", action="store_true",
                   help="give 3-frame models the frame itself as its neighbours (how they do on stills)")
    e.add_argument("--split", default="clips3_val", help="clips folder under DATA: clips3_val or clips3_video")
    args = ap.parse_args()
    if args.cmd == "render":
        d = args.data + "/photos"
        if args.split in ("train", "both"):
            photos = sorted(glob.glob(f"{d}/train/*.png") + glob.glob(f"{d}/train_nogc_extra/*.png"))
            n = render(f"{args.data}/clips3_train", photos, np.random.default_rng(81), pans=3, affines=1)
            print(f"clips3_train: {n} clips")
        if args.split in ("val", "both"):
            photos = sorted(glob.glob(f"{d}/val/*.png") + glob.glob(f"{d}/val_extra/*.png"))
            n = render(f"{args.data}/clips3_val", photos, np.random.default_rng(2029), pans=2, affines=1)
            print(f"clips3_val: {n} clips")
        if args.split.startswith("shutters"):
            for split, dirs, seed, pans in (("train", ("train", "train_nogc_extra"), 82, 3), ("val", ("val", "val_extra"), 2030, 2)):
                if args.split not in ("shutters", f"shutters_{split}"):
                    continue
                photos = sorted(p for sub in dirs for p in glob.glob(f"{d}/{sub}/*.png"))
                n = render(f"{args.data}/clips3_{split}_shutters", photos, np.random.default_rng(seed), pans=pans,
                           affines=0, shutters=True)
                print(f"clips3_{split}_shutters: {n} clips")
        if args.split == "video":
            import prepare_data
            n = render_video(f"{args.data}/clips3_video", [v for v in prepare_data.VIDEOS if os.path.exists(v)])
            print(f"clips3_video: {n} clips")
    elif args.cmd == "train":
        train(args)
    elif args.cmd == "export":
        st = torch.load(args.checkpoint, weights_only=False)
        g = rm.Generator(st["config"])
        g.load_state_dict(st["g"])
        rm.save_generator(g, args.output, extra_metadata={"deblur.trained_steps": str(st["step"]),
                                                          "deblur.trainer": "scripts/multiframe_experiment.py"})
        print(f"{args.output}: {st['config'].get('frames', 1)} frames, {st['step']} steps")
    else:
        run_eval(args)


if __name__ == "__main__":
    main()
