#!/usr/bin/env python3
"""The PIL peer of the decode benchmark: read each file, decode to RGB and downscale to 224 on one
thread. Prints `name images_per_second` for each PIL way of doing it, so the bench compares against
PIL's fastest."""
import sys
import time

from PIL import Image

paths = [line.strip() for line in open(sys.argv[1]) if line.strip()]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 224
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 1


def resize(path):
    with open(path, "rb") as f:
        image = Image.open(f)
        image.convert("RGB").resize((size, size), Image.BICUBIC)


def draft_reduce(path):
    # PIL's fast path: DCT scaling for JPEG (draft), then reduce + resize (reducing_gap), as thumbnail does.
    with open(path, "rb") as f:
        image = Image.open(f)
        image.draft("RGB", (size, size))
        image = image.convert("RGB")
        image.thumbnail((size, size), Image.BICUBIC, reducing_gap=2.0)


for name, fn in [("resize", resize), ("draft+reduce", draft_reduce)]:
    best = None
    for _ in range(repeats):
        start = time.perf_counter()
        for p in paths:
            fn(p)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(f"{name} {len(paths) / best:.2f}")
