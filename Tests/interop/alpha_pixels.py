#!/usr/bin/env python3
"""Checks decode --alpha's pixels against the definition, from the original PNGs with PIL.

usage: alpha_pixels.py STREAM.tar IMAGES_FOLDER composite-white|composite-black|drop

STREAM is `oodsynth decode IMAGES_FOLDER --alpha MODE --max-side BIG --format png` (no downscaling).
white: c*a/255 + 255 - a; black: c*a/255; drop: c (the stored colour). Prints the largest difference
over all pixels of all samples and how many pixels were not opaque.
"""
import io
import json
import os
import sys

import numpy as np
from PIL import Image

from oodstream import samples


def main():
    stream, images, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    worst, partial = 0, 0
    for key, fields in samples(stream):
        if key == "__stream__":
            continue
        record = json.loads(fields["json"])
        rgba = np.asarray(Image.open(os.path.join(images, record["path"])).convert("RGBA")).astype(np.float64)
        colour, alpha = rgba[..., :3], rgba[..., 3:] / 255
        expected = {"composite-white": colour * alpha + 255 * (1 - alpha), "composite-black": colour * alpha,
                    "drop": colour}[mode]
        ours = np.asarray(Image.open(io.BytesIO(fields["png"])).convert("RGB")).astype(np.float64)
        assert ours.shape == expected.shape, f"{key}: shape {ours.shape} against {expected.shape}"
        worst = max(worst, float(np.abs(ours - np.round(expected)).max()))
        partial += int((rgba[..., 3] < 255).sum())
    print(json.dumps({"max_difference": worst, "transparent_pixels": partial}))


if __name__ == "__main__":
    main()
