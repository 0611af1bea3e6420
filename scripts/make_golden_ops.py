#!/usr/bin/env python3
"""Writes the PyTorch golden files for the DeblurNet op tests (Tests/DeblurNetTests/Golden/*.safetensors).

Each case file holds the inputs and parameters (float32), a random upstream gradient `gy`, and the reference
output `y` plus gradients `d<name>` of sum(y * gy) w.r.t. every input, computed by PyTorch in float64 from the
same float32 values. `__metadata__` carries the op name and its hyper-parameters. Run once and commit:

    python3 scripts/make_golden_ops.py            # needs torch 2.x and safetensors
"""
import json
import os
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "DeblurNetTests", "Golden")
torch.set_num_threads(1)  # fixed reduction order (metadata order in the header still varies: Rust HashMap)
gen = torch.Generator().manual_seed(20261125)


def rnd(*shape, scale=1.0):
    return (torch.randn(*shape, generator=gen) * scale).float()


def case(name, op, fn, inputs, meta=None, extra=None):
    """inputs: dict name -> float32 tensor (all get gradients). fn(**float64 tensors) -> output (float64)."""
    xs = {k: v.double().clone().requires_grad_(True) for k, v in inputs.items()}
    y = fn(**xs)
    gy = torch.tensor(1.0) if y.dim() == 0 else rnd(*y.shape)
    (y * gy.double()).sum().backward()
    tensors = {k: v.contiguous() for k, v in inputs.items()}
    tensors["y"] = y.detach().float().contiguous()
    tensors["gy"] = gy.float().contiguous()
    for k, v in xs.items():
        tensors["d" + k] = (v.grad if v.grad is not None else torch.zeros_like(v)).float().contiguous()
    for k, v in (extra or {}).items():
        tensors[k] = v.float().clone().contiguous()
    md = {"op": op}
    md.update({k: json.dumps(v) for k, v in (meta or {}).items()})
    save_file(tensors, os.path.join(OUT, name + ".safetensors"), metadata=md)


def conv_case(name, n, cin, cout, h, w, k, stride=1, pad=(0, 0, 0, 0), dil=1, groups=1, bias=True, act="none"):
    t, b, l, r = pad
    inputs = {"x": rnd(n, cin, h, w), "w": rnd(cout, cin // groups, k, k, scale=0.3)}
    if bias:
        inputs["b"] = rnd(cout)

    def fn(x, w, b=None):
        y = F.conv2d(F.pad(x, (l, r, t, b_)), w, b, stride=stride, dilation=dil, groups=groups)
        return activate(y, act)
    b_ = b
    case(name, "conv2d", fn, inputs, {"stride": stride, "pad": [t, b, l, r], "dilation": dil, "groups": groups, "act": act})


def activate(y, act):
    if act == "relu":
        return F.relu(y)
    if act == "relu6":
        return F.relu6(y)
    if act.startswith("leaky"):
        return F.leaky_relu(y, float(act[5:]))
    return y


def convt_case(name, n, cin, cout, h, w, k, stride=1, pad=0, opad=0, dil=1, groups=1, bias=True, act="none"):
    inputs = {"x": rnd(n, cin, h, w), "w": rnd(cin, cout // groups, k, k, scale=0.3)}
    if bias:
        inputs["b"] = rnd(cout)

    def fn(x, w, b=None):
        return activate(F.conv_transpose2d(x, w, b, stride=stride, padding=pad, output_padding=opad, groups=groups, dilation=dil), act)
    case(name, "conv_transpose2d", fn, inputs,
         {"stride": stride, "padding": pad, "output_padding": opad, "dilation": dil, "groups": groups, "act": act})


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".safetensors"):
            os.remove(os.path.join(OUT, f))

    # Convolutions: odd sizes, stride 2, asymmetric ("TF same") padding, dilation, groups, depthwise, 1x1, 4x4.
    conv_case("conv_3x3", 2, 3, 5, 9, 11, 3, pad=(1, 1, 1, 1))
    conv_case("conv_3x3_s2_odd", 2, 4, 6, 13, 10, 3, stride=2, pad=(1, 1, 1, 1))
    conv_case("conv_same_s2_asym", 1, 3, 4, 10, 9, 3, stride=2, pad=(0, 1, 1, 1))
    conv_case("conv_dil2_groups2", 2, 4, 6, 9, 8, 3, pad=(2, 2, 2, 2), dil=2, groups=2)
    conv_case("conv_depthwise", 2, 6, 6, 9, 7, 3, pad=(1, 1, 1, 1), groups=6)
    conv_case("conv_depthwise_s2_asym", 1, 5, 5, 10, 11, 3, stride=2, pad=(0, 1, 0, 1), groups=5)
    conv_case("conv_depthwise_k5_s2", 2, 4, 4, 11, 12, 5, stride=2, pad=(2, 2, 2, 2), groups=4, act="relu6")
    conv_case("conv_depthwise_mult2", 1, 3, 6, 8, 9, 3, pad=(1, 1, 1, 1), groups=3, bias=False)
    conv_case("conv_1x1", 2, 16, 8, 7, 9, 1, bias=False)
    conv_case("conv_4x4_s2_leaky", 2, 3, 4, 16, 15, 4, stride=2, pad=(1, 1, 1, 1), act="leaky0.2")
    conv_case("conv_3x3_relu_tall", 1, 8, 8, 37, 6, 3, pad=(1, 1, 1, 1), act="relu")

    convt_case("convt_k3_s2_op1", 2, 4, 3, 5, 6, 3, stride=2, pad=1, opad=1)
    convt_case("convt_k4_s2", 1, 3, 5, 4, 7, 4, stride=2, pad=1, act="relu")
    convt_case("convt_groups_dil", 2, 4, 6, 5, 4, 3, stride=3, pad=1, opad=2, dil=2, groups=2, bias=False)
    convt_case("convt_tall", 1, 6, 4, 23, 5, 3, stride=2, pad=1, opad=1)

    # Normalisation.
    rm, rv = rnd(4, scale=0.2), rnd(4).abs() + 0.5
    def bn_train(x, w, b):
        m, v = rm.double().clone(), rv.double().clone()
        y = F.batch_norm(x, m, v, w, b, training=True, momentum=0.1, eps=1e-5)
        bn_train.stats = (m, v)
        return y
    inputs = {"x": rnd(3, 4, 5, 6) * 2 + 0.5, "w": rnd(4), "b": rnd(4)}
    xs = {k: v.double() for k, v in inputs.items()}
    bn_train(**xs)
    case("batchnorm_train", "batch_norm", bn_train, inputs, {"training": True},
         extra={"running_mean_in": rm, "running_var_in": rv,
                "running_mean_out": bn_train.stats[0], "running_var_out": bn_train.stats[1]})
    case("batchnorm_eval", "batch_norm",
         lambda x, w, b: F.batch_norm(x, rm.double(), rv.double(), w, b, training=False, eps=1e-5),
         {"x": rnd(2, 4, 3, 5), "w": rnd(4), "b": rnd(4)}, {"training": False},
         extra={"running_mean_in": rm, "running_var_in": rv, "running_mean_out": rm, "running_var_out": rv})
    case("instancenorm_affine", "instance_norm", lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-5),
         {"x": rnd(2, 3, 7, 5) + 1, "w": rnd(3), "b": rnd(3)})
    case("instancenorm_plain", "instance_norm", lambda x: F.instance_norm(x, eps=1e-5), {"x": rnd(3, 2, 4, 6) * 3})

    # Activations (inputs spread so every branch is hit; exact kinks have probability zero).
    act_x = lambda: rnd(2, 3, 5, 7, scale=4)
    case("relu", "relu", lambda x: F.relu(x), {"x": act_x()})
    case("relu6", "relu6", lambda x: F.relu6(x), {"x": act_x() + 2})
    case("leaky_relu", "leaky_relu", lambda x: F.leaky_relu(x, 0.2), {"x": act_x()}, {"slope": 0.2})
    case("tanh", "tanh", lambda x: torch.tanh(x), {"x": act_x()})
    case("sigmoid", "sigmoid", lambda x: torch.sigmoid(x), {"x": rnd(2, 3, 5, 7, scale=10)})
    case("clamp", "clamp", lambda x: torch.clamp(x, -0.5, 0.7), {"x": act_x()}, {"min": -0.5, "max": 0.7})

    # Arithmetic, concat, slice, crop.
    case("add", "add", lambda a, b: a + b, {"a": rnd(2, 3, 4, 5), "b": rnd(2, 3, 4, 5)})
    case("mul", "mul", lambda a, b: a * b, {"a": rnd(2, 3, 4, 5), "b": rnd(2, 3, 4, 5)})
    case("concat", "concat", lambda a, b, c: torch.cat([a, b, c], 1), {"a": rnd(2, 3, 4, 5), "b": rnd(2, 1, 4, 5), "c": rnd(2, 2, 4, 5)})
    case("slice", "slice", lambda x: x[:, 2:5], {"x": rnd(2, 6, 3, 4)}, {"start": 2, "count": 3})
    case("crop", "crop", lambda x: x[:, :, 1:6, 2:5], {"x": rnd(2, 3, 8, 7)}, {"top": 1, "left": 2, "height": 5, "width": 3})
    case("linear", "linear", lambda x, w, b: F.linear(x, w, b), {"x": rnd(3, 10), "w": rnd(4, 10), "b": rnd(4)})
    case("global_avg_pool", "global_avg_pool", lambda x: F.adaptive_avg_pool2d(x, 1), {"x": rnd(2, 3, 5, 6)})

    # Resizing (sizes given, as F.interpolate(size=...)).
    for nm, hw_in, hw_out in [("bilinear_up", (5, 7), (11, 16)), ("bilinear_down", (16, 13), (7, 5)),
                              ("bilinear_down4", (16, 16), (4, 4)), ("bilinear_x2", (6, 5), (12, 10)),
                              ("bilinear_half_odd", (9, 11), (4, 5))]:
        case(nm, "bilinear", lambda x, s=hw_out: F.interpolate(x, size=s, mode="bilinear", align_corners=False, antialias=False),
             {"x": rnd(2, 3, *hw_in)}, {"size": list(hw_out)})
    for nm, hw_in, hw_out in [("nearest_x2", (4, 5), (8, 10)), ("nearest_any", (5, 7), (9, 12)), ("nearest_down", (9, 8), (4, 3))]:
        case(nm, "nearest", lambda x, s=hw_out: F.interpolate(x, size=s, mode="nearest"), {"x": rnd(2, 2, *hw_in)}, {"size": list(hw_out)})

    # Pooling / subsampling / padding.
    case("avgpool_k2", "avg_pool", lambda x: F.avg_pool2d(x, 2, 2), {"x": rnd(2, 3, 8, 9)}, {"kernel": 2, "stride": 2})
    case("avgpool_k3_s2", "avg_pool", lambda x: F.avg_pool2d(x, 3, 2), {"x": rnd(1, 2, 9, 10)}, {"kernel": 3, "stride": 2})
    case("subsample_s2", "subsample", lambda x: x[:, :, ::2, ::2], {"x": rnd(2, 2, 7, 6)}, {"stride": 2})
    case("pad_zero", "pad", lambda x: F.pad(x, (2, 1, 0, 3)), {"x": rnd(2, 2, 5, 6)}, {"pad": [0, 3, 2, 1], "mode": "zero"})
    case("pad_reflect", "pad", lambda x: F.pad(x, (2, 3, 4, 1), mode="reflect"), {"x": rnd(2, 2, 5, 6)},
         {"pad": [4, 1, 2, 3], "mode": "reflect"})

    # Losses (mean reduction); BCE with large logits to check stability.
    case("l1_loss", "l1_loss", lambda x, t: F.l1_loss(x, t), {"x": rnd(2, 3, 4, 5), "t": rnd(2, 3, 4, 5)})
    case("mse_loss", "mse_loss", lambda x, t: F.mse_loss(x, t), {"x": rnd(2, 3, 4, 5), "t": rnd(2, 3, 4, 5)})
    logits = rnd(2, 1, 6, 6, scale=5)
    logits[0, 0, 0, :3] = torch.tensor([60.0, -60.0, 30.0])
    targets = (torch.rand(2, 1, 6, 6, generator=gen) > 0.5).float()
    def bce(x, t):
        return F.binary_cross_entropy_with_logits(x, t)
    case("bce_logits", "bce_with_logits", bce, {"x": logits, "t": targets})

    adam_golden()
    network_golden()
    safetensors_golden()
    wide_kernel_cases()
    verify_swift_written()
    print("golden files written to", os.path.normpath(OUT))


def adam_golden():
    """Parameter trajectories of torch.optim.Adam / AdamW over 6 steps with fixed gradients."""
    grads = [[rnd(5, 3), rnd(4)] for _ in range(6)]
    p0 = [rnd(5, 3), rnd(4)]
    for name, opt_cls, kw in [("adam", torch.optim.Adam, dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)),
                              ("adam_l2", torch.optim.Adam, dict(lr=0.003, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
                              ("adamw", torch.optim.AdamW, dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1))]:
        ps = [p.clone().requires_grad_(True) for p in p0]
        opt = opt_cls(ps, **kw)
        t = {"p0_init": p0[0].clone(), "p1_init": p0[1].clone()}
        for s, g in enumerate(grads):
            ps[0].grad, ps[1].grad = g[0].clone(), g[1].clone()
            opt.step()
            t[f"g0_{s}"], t[f"g1_{s}"] = g[0].clone(), g[1].clone()
            t[f"p0_{s}"], t[f"p1_{s}"] = ps[0].detach().clone(), ps[1].detach().clone()
        st = opt.state[ps[0]]
        t["p0_exp_avg"], t["p0_exp_avg_sq"] = st["exp_avg"], st["exp_avg_sq"]
        md = {"op": "adam", "steps": "6", "decoupled": json.dumps(opt_cls is torch.optim.AdamW)}
        md.update({k: json.dumps(v) for k, v in kw.items()})
        save_file({k: v.contiguous() for k, v in t.items()}, os.path.join(OUT, name + ".safetensors"), metadata=md)


def tf_same(x, k, s):
    """TensorFlow 'same' padding (extra pixel bottom/right), as EfficientNet's stride-2 convs."""
    h, w = x.shape[-2:]
    def axis(n):
        out = (n + s - 1) // s
        total = max(0, (out - 1) * s + k - n)
        return total // 2, total - total // 2
    (t, b), (l, r) = axis(h), axis(w)
    return F.pad(x, (l, r, t, b))


def network_golden():
    """A small generator+discriminator-like graph (fan-out, residual, concat, resize, BN train, IN, losses),
    checked end to end: loss, BN running stats, gradients of every parameter and of the input."""
    shapes = {"c1.weight": (8, 3, 3, 3), "bn1.weight": (8,), "bn1.bias": (8,), "dw.weight": (8, 1, 3, 3), "dw.bias": (8,),
              "bn2.weight": (8,), "bn2.bias": (8,), "pw.weight": (4, 8, 1, 1), "pw.bias": (4,),
              "up.weight": (4, 4, 3, 3), "up.bias": (4,), "head.weight": (3, 7, 3, 3), "head.bias": (3,),
              "d1.weight": (4, 3, 4, 4), "d1.bias": (4,), "d2.weight": (1, 4, 3, 3), "d2.bias": (1,)}
    params = {k: rnd(*v, scale=0.4) for k, v in shapes.items()}
    for k in ["bn1.weight", "bn2.weight"]:
        params[k] = params[k].abs() + 0.5
    buffers = {"bn1.running_mean": torch.zeros(8), "bn1.running_var": torch.ones(8),
               "bn2.running_mean": torch.zeros(8), "bn2.running_var": torch.ones(8)}
    x = rnd(2, 3, 17, 14).sigmoid()
    t = rnd(2, 3, 17, 14).sigmoid()
    P = {k: v.double().clone().requires_grad_(True) for k, v in params.items()}
    B = {k: v.double().clone() for k, v in buffers.items()}
    X = x.double().clone().requires_grad_(True)
    T = t.double()
    h = F.conv2d(tf_same(X, 3, 2), P["c1.weight"], stride=2)
    h = F.relu6(F.batch_norm(h, B["bn1.running_mean"], B["bn1.running_var"], P["bn1.weight"], P["bn1.bias"], training=True))
    h = F.conv2d(h, P["dw.weight"], P["dw.bias"], padding=1, groups=8)
    h = F.relu6(F.batch_norm(h, B["bn2.running_mean"], B["bn2.running_var"], P["bn2.weight"], P["bn2.bias"], training=True))
    h = F.conv2d(h, P["pw.weight"], P["pw.bias"])
    h = F.relu(F.conv_transpose2d(h, P["up.weight"], P["up.bias"], stride=2, padding=1, output_padding=1))
    h = F.interpolate(h, size=(17, 14), mode="bilinear", align_corners=False)
    h = torch.cat([h, X], 1)
    out = torch.clamp(X + torch.tanh(F.conv2d(h, P["head.weight"], P["head.bias"], padding=1)), 0, 1)
    d = F.leaky_relu(F.instance_norm(F.conv2d(out, P["d1.weight"], P["d1.bias"], stride=2, padding=1)), 0.2)
    logits = F.conv2d(d, P["d2.weight"], P["d2.bias"], padding=1)
    loss = (F.l1_loss(out, T) + 0.5 * F.mse_loss(F.interpolate(out, size=(9, 7), mode="bilinear", align_corners=False),
                                                  F.interpolate(T, size=(9, 7), mode="bilinear", align_corners=False))
            + 0.1 * F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits)))
    loss.backward()
    tensors = {"x": x, "t": t, "loss": loss.detach().float().reshape(()), "dx": X.grad.float()}
    tensors.update({k: v.clone() for k, v in params.items()})
    tensors.update({"init." + k: v.clone() for k, v in buffers.items()})
    tensors.update({"grad." + k: v.grad.float() for k, v in P.items()})
    tensors.update({"after." + k: v.float() for k, v in B.items()})
    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(OUT, "network.safetensors"), metadata={"op": "network"})


def wide_kernel_cases():
    """Rows wide enough for the SIMD kernels' interior blocks, overlapping last block and edges (the cases above are
    narrower than one 16-lane block). Generated last so the earlier files keep their random values."""
    conv_case("conv_depthwise_wide", 1, 3, 3, 5, 53, 3, pad=(1, 1, 1, 1), groups=3, act="relu")
    conv_case("conv_depthwise_wide_s2_same", 1, 3, 3, 6, 71, 3, stride=2, pad=(0, 1, 0, 1), groups=3)
    conv_case("conv_depthwise_wide_k5", 1, 2, 2, 6, 45, 5, pad=(2, 2, 2, 2), groups=2, act="relu6")
    conv_case("conv_depthwise_wide_k5_s2", 1, 2, 2, 7, 80, 5, stride=2, pad=(1, 2, 1, 2), groups=2)
    conv_case("conv_depthwise_wide_dil2", 1, 2, 2, 5, 40, 3, pad=(2, 2, 2, 2), dil=2, groups=2)
    # Output rows of 64 columns and more take the unpadded path (blocks of 64 and 16, bounds-checked borders).
    conv_case("conv_depthwise_wider", 1, 2, 2, 4, 150, 3, pad=(1, 1, 1, 1), groups=2)
    conv_case("conv_depthwise_wider_k5_s2", 1, 2, 2, 5, 301, 5, stride=2, pad=(1, 2, 1, 2), groups=2, act="relu")
    conv_case("conv_head_wide", 1, 5, 3, 4, 50, 3, pad=(1, 1, 1, 1))
    conv_case("conv_head_wide_4out", 1, 3, 4, 3, 37, 3, pad=(1, 1, 1, 1), act="relu")
    conv_case("conv_patchgan_out_k4", 2, 6, 1, 5, 40, 4, pad=(1, 1, 1, 1))  # the discriminator's last layer
    # Resize then concatenate (the decoder's skip joins), as one op: x resized, then the channels of r and q.
    case("bilinear_concat", "bilinear_concat",
         lambda x, r, q: torch.cat([F.interpolate(x, size=(8, 42), mode="bilinear", align_corners=False), r, q], 1),
         {"x": rnd(2, 3, 4, 21), "r": rnd(2, 2, 8, 42), "q": rnd(2, 1, 8, 42)}, {"size": [8, 42]})
    # Rows 3..<7 of it only (a band of the full-resolution stage), r and q being those rows.
    case("bilinear_concat_rows", "bilinear_concat",
         lambda x, r, q: torch.cat([F.interpolate(x, size=(9, 34), mode="bilinear", align_corners=False)[:, :, 3:7], r, q], 1),
         {"x": rnd(1, 2, 5, 17), "r": rnd(1, 2, 4, 34), "q": rnd(1, 3, 4, 34)}, {"size": [9, 34], "rows": [3, 7]})
    for nm, hw_in, hw_out in [("bilinear_x2_wide", (4, 37), (8, 74)), ("bilinear_x2_wide_even", (3, 40), (6, 80))]:
        case(nm, "bilinear", lambda x, s=hw_out: F.interpolate(x, size=s, mode="bilinear", align_corners=False, antialias=False),
             {"x": rnd(1, 2, *hw_in)}, {"size": list(hw_out)})


def safetensors_golden():
    """A file written by safetensors.torch.save_file in several dtypes, plus the float32 reference values."""
    a = rnd(3, 4, scale=3)
    t = {"ref": a, "as_f32": a.clone(), "as_f16": a.half(), "as_bf16": a.bfloat16(), "as_f64": a.double(),
         "count_i64": torch.tensor(7, dtype=torch.int64), "ref_f16_roundtrip": a.half().float(),
         "ref_bf16_roundtrip": a.bfloat16().float(), "nested.name.weight": torch.arange(6, dtype=torch.float32).reshape(2, 3)}
    save_file(t, os.path.join(OUT, "torch_written.safetensors"), metadata={"arch": '{"width": 32}', "note": "written by torch"})


def verify_swift_written():
    """Files written by our Swift encoder (pinned by InteropTests) must load in PyTorch."""
    from safetensors import safe_open
    from safetensors.torch import load_file
    path = os.path.join(OUT, "swift_written.interop")
    if not os.path.exists(path):
        print("swift_written.interop missing: run DEBLURNET_WRITE_GOLDEN=1 swift test --filter InteropTests, then rerun")
        return
    sd = load_file(path)
    with safe_open(path, framework="pt") as f:
        assert f.metadata() == {"config": '{"width": 4}', "format": "pt"}, f.metadata()
    ref = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 7
    assert torch.equal(sd.pop("values.f32"), ref)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4))
    net.load_state_dict(sd, strict=True)
    assert torch.equal(net[1].running_var, torch.tensor([1.5, 2, 0.75, 1]))
    vals = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 7 - 1.5
    for name, dt in [("swift_written_f16", torch.float16), ("swift_written_bf16", torch.bfloat16)]:
        t = load_file(os.path.join(OUT, name + ".interop"))["values"]
        assert t.dtype == dt and torch.equal(t, vals.to(dt)), name
    print("Swift-written safetensors files load in PyTorch (F32/F16/BF16, metadata, Conv2d+BatchNorm2d state dict)")


if __name__ == "__main__":
    sys.exit(main())
