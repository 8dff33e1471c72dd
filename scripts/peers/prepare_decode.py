#!/usr/bin/env python3
"""Picks the decode benchmark set: 400 openclipart PNGs under 50 megapixels (seeded, sorted) and the
same images as JPEG q90, written to OUT/png.list and OUT/jpeg.list (absolute paths, one a line)."""
import glob
import os
import random
import struct
import sys

from PIL import Image

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 400
os.makedirs(os.path.join(out, "jpeg"), exist_ok=True)
pngs = []
for path in sorted(glob.glob("/usr/share/openclipart/png/**/*.png", recursive=True)):
    with open(path, "rb") as f:
        head = f.read(24)
    width, height = struct.unpack(">II", head[16:24])
    if width * height < 50_000_000:
        pngs.append(path)
pngs = sorted(random.Random(0).sample(pngs, count))
jpegs = []
for i, path in enumerate(pngs):
    target = os.path.join(out, "jpeg", f"{i:04d}.jpg")
    if not os.path.exists(target):
        image = Image.open(path).convert("RGBA")
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        Image.alpha_composite(white, image).convert("RGB").save(target, quality=90)
    jpegs.append(os.path.abspath(target))
open(os.path.join(out, "png.list"), "w").write("\n".join(pngs) + "\n")
open(os.path.join(out, "jpeg.list"), "w").write("\n".join(jpegs) + "\n")
