#!/usr/bin/env python3
"""Picks the fit benchmark set: COUNT openclipart PNGs under 50 megapixels (seeded), copied into
OUT/images/CATEGORY/NAME.png so the folder name is the class (the top-level openclipart category).
Copies, not symlinks: decode refuses links, as it must for untrusted archives."""
import glob
import os
import random
import shutil
import struct
import sys

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
root = "/usr/share/openclipart/png"
pngs = []
for path in sorted(glob.glob(f"{root}/**/*.png", recursive=True)):
    with open(path, "rb") as f:
        head = f.read(24)
    width, height = struct.unpack(">II", head[16:24])
    if width * height < 50_000_000:
        pngs.append(path)
for path in sorted(random.Random(1).sample(pngs, count)):
    category = os.path.relpath(path, root).split(os.sep)[0]
    name = os.path.relpath(path, root).replace(os.sep, "_")
    target = os.path.join(out, "images", category, name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if not os.path.exists(target):
        shutil.copyfile(path, target)
