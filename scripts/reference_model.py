#!/usr/bin/env python3
"""PyTorch reference of the deblur-video GAN (DeblurGAN-v2 style).

This file is the *specification* the Swift implementation in Sources/DeblurNet
is checked against (golden files from scripts/make_golden_model.py):

- `Generator(config)`: EfficientNet-Lite0 encoder (ImageNet weights, BatchNorm
  folded into the convolutions, TensorFlow "same" padding for stride-2 convs),
  skips from the stride 2/4/8/16 stages, 1x1 bottleneck to 128 channels,
  decoder with two transposed convs + ReLU and depthwise-separable convs,
  final conv to RGB, bilinear resize to the input size, residual add, clamp.
  Input normalisation and reflect-padding to the network stride (and cropping
  back) happen inside the model: callers pass planar RGB in [0, 1].
- `PatchDiscriminator(ndf)`: 70x70 PatchGAN (4x4 convs, LeakyReLU 0.2,
  instance norm).
- `generator_loss`, `discriminator_loss`: L_G = λadv·BCE(D(fake), real)
  + λms·multi-scale L1 (scales 1, 1/2, 1/4, bilinear) + λpix·L1 (or MSE).

Only ops the Swift engine offers are used: conv2d (groups, asymmetric zero
padding), conv-transpose, instance norm, ReLU/ReLU6/LeakyReLU, add, concat,
bilinear resize (align_corners=False), reflect pad, clamp, slicing.

Parameter names are the state_dict keys; the architecture config is a JSON
string stored under the safetensors metadata key `deblur.config`.

Run `python3 scripts/reference_model.py` to print the layer table, parameter
counts and the GMACs per 1280x720 frame of every config.
"""
from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG_METADATA_KEY = "deblur.config"

# EfficientNet-Lite0 MBConv blocks: (expand ratio, kernel, stride, in, out).
# Stages: 1 = block 0 (stride 2), 2 = 1-2 (stride 4), 3 = 3-4 (stride 8),
# 4 = 5-7 and 5 = 8-10 (stride 16), 6 = 11-14 and 7 = 15 (stride 32).
LITE0_BLOCKS = [
    (1, 3, 1, 32, 16),
    (6, 3, 2, 16, 24), (6, 3, 1, 24, 24),
    (6, 5, 2, 24, 40), (6, 5, 1, 40, 40),
    (6, 3, 2, 40, 80), (6, 3, 1, 80, 80), (6, 3, 1, 80, 80),
    (6, 5, 1, 80, 112), (6, 5, 1, 112, 112), (6, 5, 1, 112, 112),
    (6, 5, 2, 112, 192), (6, 5, 1, 192, 192), (6, 5, 1, 192, 192), (6, 5, 1, 192, 192),
    (6, 3, 1, 192, 320),
]
# Index of the last block of each stride (output feature used as a skip).
LITE0_STRIDE_ENDS = {2: 0, 4: 2, 8: 4, 16: 10, 32: 15}

# EfficientNet-Lite was trained on inputs scaled as (255·x − 127) / 128 per
# channel (checked by scripts/convert_efficientnet.py on the coffee photo).
LITE0_MEAN = [127.0 / 255.0] * 3
LITE0_STD = [128.0 / 255.0] * 3


CONFIGS = {
    # Shipped model: encoder truncated after the stride-16 stage, U-Net/FPN
    # skips, depthwise-separable decoder convs.
    "default": {
        "name": "default", "version": 1,
        "encoder": "efficientnet-lite0", "encoder_blocks": 11,
        "skips": True, "bottleneck": 128,
        "decoder": [128, 64],  # channels after the two transposed convs (stride 8, 4)
        "half_channels": 64,  # stride-2 stage (skip from block 0)
        "full_channels": 32,  # full-resolution stage (sees the input)
        "separable": True,
        "mean": LITE0_MEAN, "std": LITE0_STD,
    },
    # The paper's plain form: last feature map only, no skips (ablation).
    "paper": {
        "name": "paper", "version": 1,
        "encoder": "efficientnet-lite0", "encoder_blocks": 11,
        "skips": False, "bottleneck": 128,
        "decoder": [64, 32],
        "half_channels": 0, "full_channels": 0,
        "separable": True,
        "mean": LITE0_MEAN, "std": LITE0_STD,
    },
    # Tiny config for fast golden tests (random weights, same code paths).
    "tiny": {
        "name": "tiny", "version": 1,
        "encoder": "efficientnet-lite0", "encoder_blocks": 6,
        "encoder_width": 0.25,
        "skips": True, "bottleneck": 8,
        "decoder": [8, 4], "half_channels": 4, "full_channels": 4,
        "separable": True,
        "mean": LITE0_MEAN, "std": LITE0_STD,
    },
}

# The second, slower model: `default` plus residual refinement blocks at
# stride 2 and at full resolution (about 22 GMACs per 1280x720 frame).
CONFIGS["quality"] = {**CONFIGS["default"], "name": "quality", "refine_half": 2, "refine_full": 2}
# `default` plus refinement blocks at strides 8 and 4, where a long blur spans
# few pixels (about 14.8 GMACs per 1280x720 frame, inside the 15-GMAC budget).
CONFIGS["mid"] = {**CONFIGS["default"], "name": "mid", "refine_eighth": 2, "refine_quarter": 2}
# Refinement stages, coarsest first (counts of residual blocks in the config).
REFINE_KEYS = ("refine_eighth", "refine_quarter", "refine_half", "refine_full")
# The tiny test config exercises the refinement blocks too.
CONFIGS["tiny"].update(refine_eighth=1, refine_quarter=1, refine_half=1, refine_full=1)

# The earlier shipped architecture: `default` at half the decoder width.
CONFIGS["small"] = {**CONFIGS["default"], "name": "small",
                    "decoder": [64, 32], "half_channels": 32, "full_channels": 16}


def get_config(name_or_json: str) -> dict:
    if name_or_json in CONFIGS:
        return copy.deepcopy(CONFIGS[name_or_json])
    return json.loads(name_or_json)


# ----------------------------------------------------------------------------
# Building blocks
# ----------------------------------------------------------------------------

def tf_same_pad(kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow "same" padding (before, after) for an even input size.

    The generator pads its input to a multiple of its stride, so every
    stride-2 conv sees an even size: total = kernel − stride, the extra pixel
    goes after. For stride 1 it is symmetric.
    """
    total = max(kernel - stride, 0)
    return total // 2, total - total // 2


class PadConv(nn.Module):
    """Conv2d (with bias) preceded by explicit zero padding (l, r, t, b)."""

    def __init__(self, cin, cout, k, stride=1, groups=1, pad=None):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, 0, groups=groups, bias=True)
        if pad is None:
            a, b = tf_same_pad(k, stride)
            pad = (a, b, a, b)
        self.pad = tuple(pad)

    @property
    def weight(self):
        return self.conv.weight

    def forward(self, x):
        if any(self.pad):
            x = F.pad(x, self.pad)
        return self.conv(x)


class MBConv(nn.Module):
    """EfficientNet-Lite MBConv (BN folded): expand 1x1 → ReLU6 → depthwise
    k×k → ReLU6 → project 1x1 (+ identity when shapes match)."""

    def __init__(self, expand, k, stride, cin, cout):
        super().__init__()
        mid = cin * expand
        self.expand = PadConv(cin, mid, 1) if expand != 1 else None
        self.dw = PadConv(mid, mid, k, stride, groups=mid)
        self.project = PadConv(mid, cout, 1)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        h = x
        if self.expand is not None:
            h = F.relu6(self.expand(h))
        h = F.relu6(self.dw(h))
        h = self.project(h)
        return h + x if self.residual else h


def scaled_blocks(width: float):
    if width == 1.0:
        return [list(b) for b in LITE0_BLOCKS], 32

    def s(c):
        return max(2, int(round(c * width)))
    return [[e, k, st, s(i), s(o)] for (e, k, st, i, o) in LITE0_BLOCKS], s(32)


class EfficientNetLite0Encoder(nn.Module):
    """Stem + the first `n_blocks` MBConv blocks; returns the stride 2/4/8/16
    features (the last one is the deepest block's output)."""

    def __init__(self, n_blocks: int = 11, width: float = 1.0, in_channels: int = 3):
        super().__init__()
        specs, stem = scaled_blocks(width)
        self.specs = specs[:n_blocks]
        self.stem = PadConv(in_channels, stem, 3, 2)
        self.blocks = nn.ModuleList([MBConv(*b) for b in self.specs])
        # Which block outputs are returned (the last block of each stride).
        stride, self.taps = 2, []
        for i, (_, _, st, _, _) in enumerate(self.specs):
            stride *= st
            last_of_stride = i + 1 == len(self.specs) or self.specs[i + 1][2] != 1
            if last_of_stride:
                self.taps.append((i, stride))
        self.stride = stride
        self.channels = [self.specs[i][4] for i, _ in self.taps]

    def forward(self, x):
        x = F.relu6(self.stem(x))
        feats = []
        tap_ids = {i for i, _ in self.taps}
        for i, blk in enumerate(self.blocks):
            x = blk(x)
            if i in tap_ids:
                feats.append(x)
        return feats


class SepConv(nn.Module):
    """Depthwise k×k (bias) then pointwise 1x1 (bias); or a plain k×k conv."""

    def __init__(self, cin, cout, k=3, separable=True):
        super().__init__()
        p = k // 2
        if separable:
            self.dw = PadConv(cin, cin, k, groups=cin, pad=(p, p, p, p))
            self.pw = PadConv(cin, cout, 1)
        else:
            self.dw = None
            self.pw = PadConv(cin, cout, k, pad=(p, p, p, p))

    def forward(self, x):
        if self.dw is not None:
            x = self.dw(x)
        return self.pw(x)


class ResBlock(nn.Module):
    """x + c2(relu(c1(x))); c2 starts at zero so a new block is the identity."""

    def __init__(self, c, separable=True):
        super().__init__()
        self.c1 = SepConv(c, c, 3, separable)
        self.c2 = SepConv(c, c, 3, separable)
        nn.init.zeros_(self.c2.pw.conv.weight)
        nn.init.zeros_(self.c2.pw.conv.bias)

    def forward(self, x):
        return x + self.c2(F.relu(self.c1(x)))


class Generator(nn.Module):
    """DeblurGAN-v2-style generator. Input (N, 3·frames, H, W), output (N, 3, H, W), in [0, 1].

    With `frames` > 1 (config key, default 1) the input is that many consecutive RGB frames, oldest first; they
    enter at the stem and at the full-resolution fusion, and the residual is added to the middle frame.
    """

    def __init__(self, config: dict):
        super().__init__()
        self.config = copy.deepcopy(config)
        c = self.config
        self.frames = int(c.get("frames", 1))
        assert self.frames >= 1 and self.frames % 2 == 1, "frames must be odd: the output is the middle one"
        self.encoder = EfficientNetLite0Encoder(c["encoder_blocks"], c.get("encoder_width", 1.0), 3 * self.frames)
        enc_ch = self.encoder.channels
        self.stride = self.encoder.stride
        self.skips = bool(c["skips"])
        sep = bool(c.get("separable", True))
        d1, d2 = c["decoder"]
        self.bottleneck = PadConv(enc_ch[-1], c["bottleneck"], 1)
        self.up1 = nn.ConvTranspose2d(c["bottleneck"], d1, 4, 2, 1)
        self.up2 = nn.ConvTranspose2d(d1, d2, 4, 2, 1)
        self.register_buffer("mean", torch.tensor(c["mean"]).view(1, 3, 1, 1).repeat(1, self.frames, 1, 1),
                             persistent=False)
        self.register_buffer("std", torch.tensor(c["std"]).view(1, 3, 1, 1).repeat(1, self.frames, 1, 1),
                             persistent=False)
        if self.skips:
            # Skip features by stride; the decoder consumes stride/2 and
            # stride/4 (after up1, up2), then 2 and 1 (input) via bilinear.
            assert len(enc_ch) >= 4, "skips need features at strides 2, 4, 8, 16"
            f2, f4, f8 = enc_ch[-4], enc_ch[-3], enc_ch[-2]
            hc, fc = c["half_channels"], c["full_channels"]
            self.fuse1 = SepConv(d1 + f8, d1, 3, sep)
            self.fuse2 = SepConv(d2 + f4, d2, 3, sep)
            self.fuse_half = SepConv(d2 + f2, hc, 3, sep)
            self.fuse_full = SepConv(hc + 3 * self.frames, fc, 3, sep)
            self.to_rgb = PadConv(fc, 3, 3, pad=(1, 1, 1, 1))
            # Optional residual refinement (configs without the keys have none; an empty Sequential is the
            # identity and owns no state-dict keys).
            r8, r4 = c.get("refine_eighth", 0), c.get("refine_quarter", 0)
            rh, rf = c.get("refine_half", 0), c.get("refine_full", 0)
            assert min(r8, r4, rh, rf) >= 0, "refine counts must not be negative"
            self.refine_eighth = nn.Sequential(*[ResBlock(d1, sep) for _ in range(r8)])
            self.refine_quarter = nn.Sequential(*[ResBlock(d2, sep) for _ in range(r4)])
            self.refine_half = nn.Sequential(*[ResBlock(hc, sep) for _ in range(rh)])
            self.refine_full = nn.Sequential(*[ResBlock(fc, sep) for _ in range(rf)])
        else:
            assert not any(c.get(k, 0) for k in REFINE_KEYS), "refinement blocks need skips"
            self.to_rgb = PadConv(d2, 3, 3, pad=(1, 1, 1, 1))
        # Start as the identity (output = input): the residual is learnt.
        nn.init.zeros_(self.to_rgb.conv.weight)
        nn.init.zeros_(self.to_rgb.conv.bias)

    def pad_to_stride(self, x):
        h, w = x.shape[-2:]
        ph = (-h) % self.stride
        pw = (-w) % self.stride
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph), mode="reflect")
        return x

    def residual(self, xp, frozen_encoder: bool = False):
        """Network on an already padded input; returns the RGB residual.
        `frozen_encoder` runs the encoder without autograd (training speed)."""
        xn = (xp - self.mean) / self.std
        if frozen_encoder:
            with torch.no_grad():
                feats = self.encoder(xn)
        else:
            feats = self.encoder(xn)
        return self.decode(xp, xn, feats)

    def decode(self, xp, xn, feats):
        h = F.relu(self.bottleneck(feats[-1]))
        h = F.relu(self.up1(h))
        if self.skips:
            h = self.refine_eighth(F.relu(self.fuse1(torch.cat([h, feats[-2]], 1))))
        h = F.relu(self.up2(h))
        if self.skips:
            h = self.refine_quarter(F.relu(self.fuse2(torch.cat([h, feats[-3]], 1))))
            h = F.interpolate(h, size=feats[-4].shape[-2:], mode="bilinear", align_corners=False)
            h = F.relu(self.fuse_half(torch.cat([h, feats[-4]], 1)))
            h = self.refine_half(h)
            h = F.interpolate(h, size=xp.shape[-2:], mode="bilinear", align_corners=False)
            h = F.relu(self.fuse_full(torch.cat([h, xn], 1)))
            h = self.refine_full(h)
            return self.to_rgb(h)
        r = self.to_rgb(h)
        return F.interpolate(r, size=xp.shape[-2:], mode="bilinear", align_corners=False)

    def forward(self, x, clamp: bool = True, frozen_encoder: bool = False):
        h, w = x.shape[-2:]
        xp = self.pad_to_stride(x)
        r = self.residual(xp, frozen_encoder)[..., :h, :w]
        m = 3 * (self.frames // 2)
        y = x[:, m:m + 3] + r
        return y.clamp(0.0, 1.0) if clamp else y

    def config_json(self) -> str:
        return json.dumps(self.config, sort_keys=True)


def dihedral(x, k: int, inverse: bool = False):
    """The k-th of the 8 flips/transposes of an [N, C, H, W] batch (bit 0: mirror left-right, bit 1: upside
    down, bit 2: swap H and W; applied transpose first), or its inverse."""
    if not inverse and k & 4:
        x = x.transpose(-2, -1)
    if k & 1:
        x = x.flip(-1)
    if k & 2:
        x = x.flip(-2)
    if inverse and k & 4:
        x = x.transpose(-2, -1)
    return x


def self_ensemble(g, x, n: int):
    """Mean of the clamped outputs of `g` on the first `n` (1, 2, 4 or 8) dihedral transforms of `x`, each
    transformed back (test-time augmentation; 1 is a plain forward pass)."""
    assert n in (1, 2, 4, 8), n
    return sum(dihedral(g(dihedral(x, k)), k, inverse=True) for k in range(n)) / n


class PatchDiscriminator(nn.Module):
    """70x70 PatchGAN: C64-C128-C256-C512 (4x4, LeakyReLU 0.2, instance norm
    from the second layer on) and a 4x4 conv to one logit per patch."""

    def __init__(self, ndf: int = 64):
        super().__init__()
        chans = [3, ndf, ndf * 2, ndf * 4, ndf * 8]
        strides = [2, 2, 2, 1]
        self.convs = nn.ModuleList()
        for i in range(4):
            self.convs.append(nn.Conv2d(chans[i], chans[i + 1], 4, strides[i], 1, bias=(i == 0)))
        self.out = nn.Conv2d(chans[4], 1, 4, 1, 1, bias=True)

    def forward(self, x):
        x = x * 2.0 - 1.0
        for i, conv in enumerate(self.convs):
            x = conv(x)
            if i > 0:
                x = F.instance_norm(x, eps=1e-5)
            x = F.leaky_relu(x, 0.2)
        return self.out(x)


# ----------------------------------------------------------------------------
# Losses
# ----------------------------------------------------------------------------

@dataclass
class LossWeights:
    adv: float = 0.001
    ms: float = 1.0
    pix: float = 0.5
    mse: bool = False  # the paper's first formulation: MSE instead of L1


def downsample_half(x):
    h, w = x.shape[-2:]
    return F.interpolate(x, size=(max(1, h // 2), max(1, w // 2)), mode="bilinear", align_corners=False)


def pixel_loss(a, b, mse: bool):
    return F.mse_loss(a, b) if mse else F.l1_loss(a, b)


def multiscale_loss(fake, sharp, mse: bool = False):
    """Mean of the pixel loss at scales 1, 1/2, 1/4 (bilinear downsampling)."""
    total = pixel_loss(fake, sharp, mse)
    a, b = fake, sharp
    for _ in range(2):
        a, b = downsample_half(a), downsample_half(b)
        total = total + pixel_loss(a, b, mse)
    return total / 3.0


def generator_loss(fake, sharp, d_fake_logits, w: LossWeights):
    parts = {
        "pix": pixel_loss(fake, sharp, w.mse),
        "ms": multiscale_loss(fake, sharp, w.mse),
    }
    total = w.pix * parts["pix"] + w.ms * parts["ms"]
    if d_fake_logits is not None and w.adv > 0:
        parts["adv"] = F.binary_cross_entropy_with_logits(d_fake_logits, torch.ones_like(d_fake_logits))
        total = total + w.adv * parts["adv"]
    parts["total"] = total
    return total, parts


def discriminator_loss(d_real_logits, d_fake_logits):
    real = F.binary_cross_entropy_with_logits(d_real_logits, torch.ones_like(d_real_logits))
    fake = F.binary_cross_entropy_with_logits(d_fake_logits, torch.zeros_like(d_fake_logits))
    return 0.5 * (real + fake)


# ----------------------------------------------------------------------------
# Weights I/O (safetensors, config in metadata)
# ----------------------------------------------------------------------------

def save_generator(model: Generator, path: str, dtype=torch.float16, extra_metadata=None):
    from safetensors.torch import save_file
    sd = {k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()}
    meta = {CONFIG_METADATA_KEY: model.config_json()}
    if extra_metadata:
        meta.update(extra_metadata)
    save_file(sd, path, metadata=meta)


def load_generator(path: str) -> Generator:
    from safetensors import safe_open
    with safe_open(path, "pt") as f:
        meta = f.metadata() or {}
        cfg = json.loads(meta[CONFIG_METADATA_KEY])
        sd = {k: f.get_tensor(k).float() for k in f.keys()}
    g = Generator(cfg)
    g.load_state_dict(sd)
    return g


def with_frames(single: Generator, frames: int) -> Generator:
    """`single` (a one-frame model) taking `frames` frames: the neighbours' weights start at zero where they
    enter (stem, full-resolution fusion), so the result computes exactly what `single` does."""
    assert single.frames == 1
    cfg = dict(copy.deepcopy(single.config), frames=frames)
    g = Generator(cfg)
    sd = single.state_dict()
    m, hc = 3 * (frames // 2), cfg["half_channels"]
    w = sd["encoder.stem.conv.weight"]
    stem = torch.zeros(w.shape[0], 3 * frames, *w.shape[2:], dtype=w.dtype)
    stem[:, m:m + 3] = w
    sd["encoder.stem.conv.weight"] = stem
    if g.skips:
        for k in ("fuse_full.dw.conv.weight", "fuse_full.dw.conv.bias"):
            if k in sd:  # the depthwise filters of the neighbours: copies of the frame's (their output is unused)
                sd[k] = torch.cat([sd[k][:hc]] + [sd[k][hc:]] * frames)
        pw = sd["fuse_full.pw.conv.weight"]
        full = torch.zeros(pw.shape[0], hc + 3 * frames, *pw.shape[2:], dtype=pw.dtype)
        full[:, :hc] = pw[:, :hc]
        full[:, hc + m:hc + m + 3] = pw[:, hc:]
        sd["fuse_full.pw.conv.weight"] = full
    g.load_state_dict(sd)
    return g


def load_pretrained_encoder(model: Generator, encoder_path: str):
    """Copy converted EfficientNet-Lite0 weights (convert_efficientnet.py
    output, keys `encoder.*`) into the generator's encoder."""
    from safetensors.torch import load_file
    sd = load_file(encoder_path)
    own = model.encoder.state_dict()
    n = 0
    for k in own:
        key = "encoder." + k
        own[k].copy_(sd[key].float())
        n += 1
    return n


# ----------------------------------------------------------------------------
# MAC counting
# ----------------------------------------------------------------------------

def count_macs(model: nn.Module, x) -> tuple[int, list]:
    rows = []

    def hook(name):
        def f(mod, inp, out):
            if isinstance(mod, nn.Conv2d):
                k = mod.kernel_size[0] * mod.kernel_size[1]
                macs = out.numel() // out.shape[0] * (mod.in_channels // mod.groups) * k
            else:  # ConvTranspose2d
                k = mod.kernel_size[0] * mod.kernel_size[1]
                i = inp[0]
                macs = i.numel() // i.shape[0] * (mod.out_channels // mod.groups) * k
            rows.append((name, tuple(out.shape[1:]), macs))
        return f

    hs = [m.register_forward_hook(hook(n)) for n, m in model.named_modules()
          if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    with torch.no_grad():
        model(x)
    for h in hs:
        h.remove()
    return sum(r[2] for r in rows), rows


def summarize(name: str, h: int = 720, w: int = 1280, verbose: bool = True):
    g = Generator(get_config(name)).eval()
    n_params = sum(p.numel() for p in g.parameters())
    n_enc = sum(p.numel() for p in g.encoder.parameters())
    macs, rows = count_macs(g, torch.zeros(1, 3, h, w))
    if verbose:
        groups = {}
        for n, shape, m in rows:
            key = n.split(".")[0] if not n.startswith("encoder.blocks") else "encoder.blocks." + n.split(".")[2]
            if n.startswith("encoder.stem"):
                key = "encoder.stem"
            groups.setdefault(key, [shape, 0])
            groups[key][0] = shape
            groups[key][1] += m
        print(f"== config '{name}' at {w}x{h}: params {n_params:,} (encoder {n_enc:,}), {macs / 1e9:.2f} GMACs")
        for k, (shape, m) in groups.items():
            print(f"  {k:22s} out {str(shape):18s} {m / 1e9:7.3f} GMAC")
    return n_params, macs


if __name__ == "__main__":
    names = sys.argv[1:] or list(CONFIGS)
    for n in names:
        summarize(n)
