#!/usr/bin/env python3
"""Widen a trained generator's decoder without changing what it computes.

    python3 scripts/widen_model.py SMALL.safetensors OUT.safetensors --config default

The decoder widths (decoder, half_channels, full_channels) and the residual
refinement blocks (refine_eighth, refine_quarter, refine_half, refine_full) of the target config must be ≥
those of the input model; the encoder and bottleneck must match. New
refinement blocks start as the identity (their last conv is zero).
Every new channel gets fresh random weights where it is produced and zero
weights where it is consumed, so the widened model's output equals the input
model's (checked at the end) while the new channels still receive gradients
(ReLU'(0) = 0 would block them if the producer side were zero instead).
This lets a wider model continue from a trained narrower one with
`deblur-video train --init OUT.safetensors` instead of training its decoder
from scratch: the shipped `default` model was made so from the `small` one.
"""
import argparse
import sys

import torch

sys.path.insert(0, __import__("os").path.dirname(__file__))
import reference_model as rm  # noqa: E402


def channel_map(old_first: int, new_first: int, rest: int) -> tuple[list[int], list[int]]:
    """Where the old channels of a [first, rest] concatenation land in the widened one."""
    old = list(range(old_first + rest))
    new = list(range(old_first)) + [new_first + i for i in range(rest)]
    return old, new


def widen(old: rm.Generator, cfg: dict, seed: int = 7) -> rm.Generator:
    oc = old.config
    defaults = {"encoder_width": 1.0, "separable": True}
    for k in ("encoder", "encoder_blocks", "encoder_width", "skips", "bottleneck", "separable"):
        if oc.get(k, defaults.get(k)) != cfg.get(k, defaults.get(k)):
            raise SystemExit(f"widen_model: '{k}' differs ({oc.get(k)} vs {cfg.get(k)}); only decoder widths may change")
    cfg = dict(cfg, mean=oc["mean"], std=oc["std"])  # keep the stored normalisation bit for bit
    if not oc["skips"]:
        raise SystemExit("widen_model: only configs with skips are supported")
    (o1, o2), (n1, n2) = oc["decoder"], cfg["decoder"]
    oh, of, nh, nf = oc["half_channels"], oc["full_channels"], cfg["half_channels"], cfg["full_channels"]
    if n1 < o1 or n2 < o2 or nh < oh or nf < of:
        raise SystemExit("widen_model: the new widths must not be smaller")
    for k in rm.REFINE_KEYS:
        if cfg.get(k, 0) < oc.get(k, 0):
            raise SystemExit(f"widen_model: '{k}' must not shrink ({oc.get(k, 0)} → {cfg.get(k, 0)})")
    torch.manual_seed(seed)
    new = rm.Generator(cfg).eval()
    enc = old.encoder.channels
    f8, f4, f2 = enc[-2], enc[-3], enc[-4]
    # Where each decoder layer's old input channels land: (old indices, new indices); None = unchanged.
    in_maps = {
        "up1": None, "up2": channel_map(o1, n1, 0),
        "fuse1": channel_map(o1, n1, f8), "fuse2": channel_map(o2, n2, f4),
        "fuse_half": channel_map(o2, n2, f2), "fuse_full": channel_map(oh, nh, 3),
        "to_rgb": channel_map(of, nf, 0),
    }
    old_out = {"up1": o1, "up2": o2, "fuse1": o1, "fuse2": o2, "fuse_half": oh, "fuse_full": of, "to_rgb": 3}
    old_sd, new_sd = old.state_dict(), new.state_dict()
    with torch.no_grad():
        for name, t in new_sd.items():
            layer = name.split(".")[0]
            if layer.startswith("refine"):  # residual blocks: kept if present, new ones start as the identity
                if name in old_sd:
                    if old_sd[name].shape != t.shape:
                        raise SystemExit(f"widen_model: cannot widen the existing refinement block '{name}'")
                    t.copy_(old_sd[name])
                continue
            src = old_sd[name]
            if layer not in in_maps:  # encoder, bottleneck: identical
                t.copy_(src)
                continue
            o_old = old_out[layer]
            transposed = layer.startswith("up")  # ConvTranspose2d weight is [in, out, k, k]
            depthwise = ".dw." in name
            imap = in_maps[layer]
            if name.endswith("bias"):
                # Depthwise bias follows the input channels; new producer biases start at zero.
                idx = imap if depthwise else (list(range(o_old)), list(range(o_old)))
                t.zero_()
                t[idx[1]] = src[idx[0]]
                continue
            if depthwise:  # [C, 1, k, k]: one filter per input channel, new ones stay random
                t[imap[1]] = src[imap[0]]
                continue
            # View both weights as [out, in, k, k] (ConvTranspose2d stores [in, out, k, k]); writes go through.
            w = t.transpose(0, 1) if transposed else t
            s_w = src.transpose(0, 1) if transposed else src
            old_in, new_in = imap if imap is not None else (list(range(s_w.shape[1])),) * 2
            # Input channels fed by a widened producer are new: zero their weights (the consumer side).
            added = sorted(set(range(w.shape[1])) - set(new_in))
            if added:
                w[:, added] = 0
            w[:o_old, new_in] = s_w[:, old_in]
    new.load_state_dict(new_sd)
    return new


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--config", default="default", help="target config name or JSON (default: default)")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    old = rm.load_generator(a.input).eval()
    new = widen(old, rm.get_config(a.config), a.seed)
    x = torch.rand(1, 3, 96, 128, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        diff = (old(x) - new(x)).abs().max().item()
    if diff > 1e-5:
        raise SystemExit(f"widen_model: output changed by {diff:.2e}; refusing to write")
    rm.save_generator(new, a.output, dtype=torch.float32)
    n_old = sum(p.numel() for p in old.parameters())
    n_new = sum(p.numel() for p in new.parameters())
    print(f"{a.input} ({n_old:,} params) → {a.output} ({n_new:,} params, config '{new.config['name']}'), "
          f"max output change {diff:.1e}")


if __name__ == "__main__":
    main()
