#!/usr/bin/env python3
"""Average generators tensor by tensor (a "model soup"), as round 8 was made.

    python3 scripts/average_models.py runs/round7.safetensors runs/h1.safetensors -o runs/round8.safetensors

Only models fine-tuned from one starting point average well (they share a basin); the inputs must have the same
architecture (the `deblur.config` metadata) and tensors. The output keeps the first model's metadata and dtypes.
"""
import argparse
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file

CONFIG_KEY = "deblur.config"


def load(path):
    with safe_open(path, "np") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, f.metadata() or {}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+", help="two or more .safetensors generators")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    if len(args.models) < 2:
        ap.error("give at least two models")
    first, meta = load(args.models[0])
    total = {k: v.astype(np.float64) for k, v in first.items()}
    for path in args.models[1:]:
        t, m = load(path)
        if m.get(CONFIG_KEY) != meta.get(CONFIG_KEY):
            sys.exit(f"{path}: architecture differs from {args.models[0]}")
        if set(t) != set(first) or any(t[k].shape != first[k].shape for k in t):
            sys.exit(f"{path}: tensors differ from {args.models[0]}")
        for k in t:
            total[k] += t[k]
    n = len(args.models)
    save_file({k: (v / n).astype(first[k].dtype) for k, v in total.items()}, args.output, metadata=meta)
    print(f"{args.output}: mean of {n} models, {len(total)} tensors")


if __name__ == "__main__":
    main()
