#!/usr/bin/env python3
"""Golden values of the motion gate (Stream's MotionGate) from its NumPy reference in motion_gate_experiment.py.

    python3 scripts/make_golden_motion_gate.py    # writes Tests/StreamTests/Golden/motion_gate.json

Each case: a smooth random texture (8-bit, as decoded frames are) moved by a known shift to give the neighbours,
with a part that stays still, so the gate is 0 in some places, 1 in others and in between at the edges; the
restored frame is the input plus a fixed pattern, so the gated change is visible everywhere.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import motion_gate_experiment as mg  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "StreamTests", "Golden",
                   "motion_gate.json")


def texture(rng, h, w, pad=8):
    a = rng.random((h + 2 * pad, w + 2 * pad, 3))
    for _ in range(3):  # smooth it a little, so a shift changes pixels as it does in footage
        a = (a + np.roll(a, 1, 0) + np.roll(a, 1, 1) + np.roll(a, (1, 1), (0, 1))) / 4
    return a


def shifted(base, dy, dx, h, w, pad=8):
    return base[pad + dy:pad + dy + h, pad + dx:pad + dx + w]


def case(rng, h, w, radius, shifts):
    base = texture(rng, h, w)
    q = lambda a: (np.round(np.clip(a, 0, 1) * 255) / 255).astype(np.float32)  # noqa: E731
    frame = q(shifted(base, 0, 0, h, w))
    neighbours = []
    for dy, dx in shifts:
        n = shifted(base, dy, dx, h, w).copy()
        n[:, : w // 2] = shifted(base, 0, 0, h, w)[:, : w // 2]  # the left half does not move
        neighbours.append(q(n))
    restored = np.round(np.clip(frame + 0.1 * np.sin(np.arange(h * w * 3).reshape(h, w, 3) * 0.37), 0, 1), 6).astype(np.float32)
    motion = mg.motion(frame, neighbours, radius=radius)
    gated = frame + mg.gate(frame, neighbours, radius=radius)[..., None] * (restored - frame)
    # Frames as 8-bit codes (the test divides by 255), the rest rounded to 6 decimals: the file stays small.
    codes = lambda a: np.round(a * 255).astype(int).transpose(2, 0, 1).reshape(-1).tolist()  # noqa: E731
    planar = lambda a: np.round(a.astype(np.float64), 6).transpose(2, 0, 1).reshape(-1).tolist()  # noqa: E731
    return {"width": w, "height": h, "radius": radius, "frame": codes(frame),
            "neighbours": [codes(n) for n in neighbours], "restored": planar(restored),
            "motion": np.round(motion, 6).reshape(-1).tolist(), "gated": planar(gated)}


def main():
    rng = np.random.default_rng(12)
    cases = [case(rng, 20, 36, 3, [(0, 1), (1, 2)]), case(rng, 18, 40, 16, [(0, 2)]), case(rng, 16, 24, 2, [(2, 0)])]
    golden = {"low": mg.LOW, "high": mg.HIGH, "scale": mg.SCALE, "gradient_floor": mg.GRADIENT_FLOOR, "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(golden, f, separators=(",", ":"))
    print(f"wrote {OUT}: {len(cases)} cases")


if __name__ == "__main__":
    main()
