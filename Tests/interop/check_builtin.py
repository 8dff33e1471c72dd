#!/usr/bin/env python3
"""Recomputes builtin-model image embeddings with PIL + numpy + safetensors and compares them.

usage: check_builtin.py MODEL_FOLDER STREAM.tar [N]

MODEL_FOLDER is a folder written by `oodsynth fit` (config.json + model.safetensors). For the first N
samples of STREAM (embedded with that model), the image is resized with PIL's bicubic filter (horizontal pass, then vertical) to the
config's square size, cut into every patch, contrast-normalized, whitened, encoded against the
centroids with the soft threshold (both polarities), sum-pooled per grid cell and square-rooted,
followed by the colour statistics (quadrant means and spreads, soft joint histogram); then projected and normalized. `img.npy` must match.
This is an independent implementation of the recipe the config names, not a copy of the Swift code.
"""
import io
import json
import os
import sys

import numpy as np
from PIL import Image

from oodstream import samples
from safetensors.numpy import load_file


def features(pixels, cfg, weights):
    """pixels: S x S x 3 uint8."""
    size, patch = cfg["image_size"], cfg["patch_size"]
    side = size - patch + 1
    x = pixels.astype(np.float64)
    rows = np.stack([x[i:i + patch, j:j + patch, :].reshape(-1) for i in range(side) for j in range(side)])
    rows = (rows - rows.mean(1, keepdims=True)) / np.sqrt(rows.var(1, keepdims=True) + cfg["contrast_epsilon"])
    whitened = (rows - weights["patch.whitening_mean"]) @ weights["patch.whitening"].astype(np.float64)
    responses = whitened @ weights["patch.centroids"].astype(np.float64).T
    alpha = cfg["threshold"]
    encoded = np.concatenate([np.maximum(0, responses - alpha), np.maximum(0, -responses - alpha)], axis=1)
    encoded = encoded.reshape(side, side, -1)
    pooled = []
    for grid in cfg["pooling_grids"]:
        for a in range(grid):
            for b in range(grid):
                cell = encoded[a * side // grid:(a + 1) * side // grid, b * side // grid:(b + 1) * side // grid]
                pooled.append(np.sqrt(cell.sum(axis=(0, 1))))
    colour = []
    unit = x / 255
    for a in range(2):
        for b in range(2):
            quadrant = unit[a * size // 2:(a + 1) * size // 2, b * size // 2:(b + 1) * size // 2].reshape(-1, 3)
            colour += [quadrant.mean(0), quadrant.std(0)]
    bins = cfg["colour_bins"]
    # Soft histogram: each channel value splits linearly between its two nearest bin centres.
    position = pixels.reshape(-1, 3).astype(np.float64) * (max(bins - 1, 1) / 255)
    low = np.minimum(np.floor(position).astype(np.int64), max(bins - 2, 0))
    upper = position - low if bins > 1 else np.zeros_like(position)
    high = np.minimum(low + 1, bins - 1)
    histogram = np.zeros(bins ** 3)
    for r_index, r_weight in ((low[:, 0], 1 - upper[:, 0]), (high[:, 0], upper[:, 0])):
        for g_index, g_weight in ((low[:, 1], 1 - upper[:, 1]), (high[:, 1], upper[:, 1])):
            for b_index, b_weight in ((low[:, 2], 1 - upper[:, 2]), (high[:, 2], upper[:, 2])):
                np.add.at(histogram, (r_index * bins + g_index) * bins + b_index, r_weight * g_weight * b_weight)
    colour.append(np.sqrt(histogram / len(position)))
    return np.concatenate(pooled + colour)


def main():
    folder, stream = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    config = json.load(open(os.path.join(folder, "config.json")))
    assert config["model_type"] == "oodsynth-builtin", config["model_type"]
    cfg = config["image"]
    weights = load_file(os.path.join(folder, "model.safetensors"))
    items = samples(stream)
    assert items[0][0] == "__stream__", "no header"
    header = json.loads(items[0][1]["json"])
    assert header["model"]["dimension"] == config["dimension"], header["model"]
    worst = 0.0
    checked = 0
    for key, fields in items[1:limit + 1]:
        image = Image.open(io.BytesIO(fields.get("png") or fields.get("jpg"))).convert("RGB")
        # Two single-axis passes, horizontal first: the order of Pillow's Resample.c (and of
        # oodsynth). Pillow 13 sometimes runs the vertical pass first for tall images, which rounds
        # up to 3 levels differently; each single-axis pass is the same in every version.
        size = cfg["image_size"]
        small = np.asarray(image.resize((size, image.height), Image.BICUBIC).resize((size, size), Image.BICUBIC))
        f = features(small, cfg, weights)
        assert f.shape == (weights["projection.weight"].shape[1],), f.shape
        e = weights["projection.weight"].astype(np.float64) @ f + weights["projection.bias"]
        e /= np.linalg.norm(e)
        ours = np.load(io.BytesIO(fields["img.npy"]))
        assert ours.dtype == np.float32 and ours.shape == e.shape, (ours.dtype, ours.shape)
        error = np.abs(ours - e).max()
        assert error < 2e-4, f"{key}: image embedding differs from the reference by {error}"
        worst = max(worst, error)
        checked += 1
    assert checked > 0, "no samples"
    print(f"ok: {checked} image embeddings match the numpy reference, max abs diff {worst:.2e}")


if __name__ == "__main__":
    main()
