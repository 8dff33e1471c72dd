#!/usr/bin/env python3
"""The builtin generator's recipe in numpy, vectorised over all candidates: the peer of
`oodsynth-bench generate` (same references, sizes, steps, candidates and patch sizes).

usage: generate_numpy.py LIST COUNT [SIZE] [STEPS]   -> images/s on stdout (best of 1 run of COUNT)

Per image: 8 references (consecutive in LIST), each shifted by up to 3 pixels each way (392
candidates), 20 DDIM steps on the cosine schedule from t = 0.98; at each step every pixel's clean
value is a softmax over candidates of the squared error summed over a box around the pixel (radius
4 * sigma, at least 1), as sources/Generation/Builtin/PatchDenoiser.swift computes it.
"""
import math
import sys
import time

import numpy as np
from PIL import Image

REFS, SHIFT, MAX_RADIUS, START, OFFSET = 8, 3, 4, 0.98, 0.008


def square(path, side):
    image = Image.open(path).convert("RGB")
    w, h = image.size
    s = min(w, h)
    image = image.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))
    return np.asarray(image.resize((side, side), Image.BILINEAR), dtype=np.float32).transpose(2, 0, 1) / 127.5 - 1


def alpha_bar(t):
    f = lambda t: math.cos((t + OFFSET) / (1 + OFFSET) * math.pi / 2) ** 2
    return min(1.0, max(0.0, f(t) / f(0)))


def box(a, r):
    """Sum over a (2r+1)^2 box, clipped at the border, of the last two axes."""
    side = a.shape[-1]
    pad = np.zeros(a.shape[:-2] + (side + 1, side + 1), dtype=a.dtype)
    pad[..., 1:, 1:] = a.cumsum(-1).cumsum(-2)
    lo = np.clip(np.arange(side) - r, 0, side)
    hi = np.clip(np.arange(side) + r + 1, 0, side)
    return (pad[..., hi[:, None], hi[None, :]] - pad[..., lo[:, None], hi[None, :]]
            - pad[..., hi[:, None], lo[None, :]] + pad[..., lo[:, None], lo[None, :]])


def candidates(refs, side):
    padded = np.pad(refs, ((0, 0), (0, 0), (SHIFT, SHIFT), (SHIFT, SHIFT)), mode="reflect")
    shifts = [padded[:, :, SHIFT + dy:SHIFT + dy + side, SHIFT + dx:SHIFT + dx + side]
              for dy in range(-SHIFT, SHIFT + 1) for dx in range(-SHIFT, SHIFT + 1)]
    return np.concatenate(shifts)                        # [candidates, 3, side, side]


def generate(cands, side, steps, rng):
    x = rng.standard_normal((3, side, side)).astype(np.float32)
    bars = [alpha_bar(START * (steps - i) / steps) for i in range(steps + 1)]
    for step in range(steps):
        a, nxt = bars[step], bars[step + 1]
        radius = max(1, round(MAX_RADIUS * math.sqrt(1 - a)))
        err = ((x[None] - math.sqrt(a) * cands) ** 2).sum(1)          # [candidates, side, side]
        logits = -box(err, radius) / (2 * (1 - a))
        weights = np.exp(logits - logits.max(0, keepdims=True))
        clean = (weights[:, None] * cands).sum(0) / weights.sum(0)
        x = math.sqrt(nxt) * clean + math.sqrt((1 - nxt) / (1 - a)) * (x - math.sqrt(a) * clean)
    return np.clip(np.round((clean + 1) * 127.5), 0, 255).astype(np.uint8)


def main():
    paths = [line.strip() for line in open(sys.argv[1]) if line.strip()]
    count = int(sys.argv[2])
    side = int(sys.argv[3]) if len(sys.argv) > 3 else 96
    steps = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    refs = np.stack([square(p, side) for p in paths[:REFS * count]])
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for i in range(count):
        chosen = refs[[(i * REFS + j) % len(refs) for j in range(REFS)]]
        generate(candidates(chosen, side), side, steps, rng)
    print(f"{count / (time.perf_counter() - start):.3f}")


if __name__ == "__main__":
    main()
