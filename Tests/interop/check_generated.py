#!/usr/bin/env python3
"""Measures builtin-generated images independently of oodsynth, with numpy and PIL.

usage: check_generated.py REFERENCES.tar GENERATED_EMBEDDED.tar SIDE

REFERENCES.tar: the embedded ID stream the images were composed from (image + img.npy per sample).
GENERATED_EMBEDDED.tar: `generate` output run through `oodsynth embed` (png, img.npy of the generated
image, emb.npy of its gap).
Prints one JSON line:
  count, min_rmse (the smallest pixel RMSE, values in [0, 1], of any image to any reference, centre
  square crops resized with PIL), gap_cos_generated (mean cosine of a generated image's embedding to
  its gap), gap_cos_random_reference (mean over gaps of the mean cosine of all references to the gap:
  what a reference drawn at random scores), share_nearer (images nearer their gap than that average).
"""
import io
import json
import sys

import numpy as np
from PIL import Image

from oodstream import samples


def square(image, side):
    crop = min(image.width, image.height)
    x0, y0 = (image.width - crop) // 2, (image.height - crop) // 2
    image = image.crop((x0, y0, x0 + crop, y0 + crop))
    # Two single-axis passes, horizontal first, as oodsynth resizes (see check_builtin.py).
    return np.asarray(image.resize((side, crop), Image.BICUBIC).resize((side, side), Image.BICUBIC), dtype=np.float64) / 255


def unit(vector):
    return vector / np.linalg.norm(vector)


def main():
    references_path, generated_path, side = sys.argv[1], sys.argv[2], int(sys.argv[3])
    references, embeddings = [], []
    for key, fields in samples(references_path)[1:]:
        data = fields.get("png") or fields.get("jpg")
        if data is None or "img.npy" not in fields:
            continue
        references.append(square(Image.open(io.BytesIO(data)).convert("RGB"), side))
        embeddings.append(unit(np.load(io.BytesIO(fields["img.npy"])).astype(np.float64)))
    references = np.stack(references)
    embeddings = np.stack(embeddings)
    min_rmse, generated_cos, random_cos = 1.0, [], []
    for key, fields in samples(generated_path)[1:]:
        image = np.asarray(Image.open(io.BytesIO(fields["png"])).convert("RGB"), dtype=np.float64) / 255
        assert image.shape == (side, side, 3), (key, image.shape)
        rmse = np.sqrt(((references - image) ** 2).mean(axis=(1, 2, 3)))
        min_rmse = min(min_rmse, float(rmse.min()))
        gap = unit(np.load(io.BytesIO(fields["emb.npy"])).astype(np.float64))
        generated_cos.append(float(unit(np.load(io.BytesIO(fields["img.npy"])).astype(np.float64)) @ gap))
        random_cos.append(float((embeddings @ gap).mean()))
    generated_cos, random_cos = np.array(generated_cos), np.array(random_cos)
    print(json.dumps({
        "count": len(generated_cos), "min_rmse": min_rmse,
        "gap_cos_generated": float(generated_cos.mean()), "gap_cos_random_reference": float(random_cos.mean()),
        "share_nearer": float((generated_cos > random_cos).mean()),
    }))


if __name__ == "__main__":
    main()
