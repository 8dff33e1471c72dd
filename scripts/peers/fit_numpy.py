#!/usr/bin/env python3
"""The peer of `oodsynth fit`: the same recipe (builtin image tower, default options) in numpy +
PIL + sentence-transformers, on the same decoded stream. Prints images/s for the whole fit (decoding
images, embedding captions, whitening, k-means, features of images and mirrors, ridge).

usage: fit_numpy.py STREAM.tar MINILM_FOLDER
"""
import io
import os
import sys
import tarfile
import time

import numpy as np
from PIL import Image

SIZE, PATCH, K, ALPHA, SAMPLES, ITERATIONS, RIDGE = 32, 6, 256, 0.25, 100_000, 10, 300.0


def patches(images):
    """N x 27 x 27 x 108 contrast-normalized patches of N x 32 x 32 x 3 images."""
    side = SIZE - PATCH + 1
    windows = np.lib.stride_tricks.sliding_window_view(images, (PATCH, PATCH), axis=(1, 2))
    rows = windows.transpose(0, 1, 2, 4, 5, 3).reshape(len(images), side, side, -1).astype(np.float32)
    rows = rows - rows.mean(-1, keepdims=True)
    return rows / np.sqrt((rows * rows).mean(-1, keepdims=True) + 10)


def features(images, mean, zca, centroids):
    out = []
    side = SIZE - PATCH + 1
    projection = (centroids @ zca).T.astype(np.float32)
    offset = -(mean @ projection)
    for start in range(0, len(images), 64):
        batch = images[start:start + 64]
        r = patches(batch) @ projection + offset
        encoded = np.concatenate([np.maximum(0, r - ALPHA), np.maximum(0, -r - ALPHA)], -1)
        pooled = []
        for grid in (1, 2, 3):
            for a in range(grid):
                for b in range(grid):
                    cell = encoded[:, a * side // grid:(a + 1) * side // grid, b * side // grid:(b + 1) * side // grid]
                    pooled.append(np.sqrt(cell.sum((1, 2))))
        unit = batch / 255.0
        colour = []
        for a in range(2):
            for b in range(2):
                q = unit[:, a * 16:(a + 1) * 16, b * 16:(b + 1) * 16].reshape(len(batch), -1, 3)
                colour += [q.mean(1), q.std(1)]
        position = batch.reshape(len(batch), -1, 3) * (3 / 255)
        low = np.minimum(np.floor(position), 2).astype(int)
        up = position - low
        hist = np.zeros((len(batch), 64))
        rows = np.arange(len(batch))[:, None]
        for dr in (0, 1):
            for dg in (0, 1):
                for db in (0, 1):
                    w = (up[..., 0] if dr else 1 - up[..., 0]) * (up[..., 1] if dg else 1 - up[..., 1]) * (up[..., 2] if db else 1 - up[..., 2])
                    cell = ((low[..., 0] + dr) * 4 + (low[..., 1] + dg)) * 4 + (low[..., 2] + db)
                    np.add.at(hist, (np.broadcast_to(rows, cell.shape), np.minimum(cell, 63)), w)
        colour.append(np.sqrt(hist / position.shape[1]))
        out.append(np.concatenate(pooled + colour, 1))
    return np.concatenate(out)


def main():
    stream, minilm = sys.argv[1], sys.argv[2]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(minilm, device="cpu")
    started = time.perf_counter()
    images, captions = [], []
    with tarfile.open(stream) as tar:
        fields = {}
        for member in tar:
            key, ext = member.name.split(".", 1)
            if key == "__stream__":
                continue
            fields.setdefault(key, {})[ext] = tar.extractfile(member).read()
    for key in sorted(fields):
        image = Image.open(io.BytesIO(fields[key].get("png") or fields[key].get("jpg"))).convert("RGB")
        images.append(np.asarray(image.resize((SIZE, image.height), Image.BICUBIC).resize((SIZE, SIZE), Image.BICUBIC)))
        captions.append(fields[key]["txt"].decode())
    images = np.stack(images)
    targets = model.encode(captions, normalize_embeddings=True, batch_size=64)
    rng = np.random.default_rng(0)
    all_patches = patches(images).reshape(-1, PATCH * PATCH * 3)
    sample = all_patches[rng.integers(0, len(all_patches), SAMPLES)].astype(np.float64)
    mean = sample.mean(0)
    values, vectors = np.linalg.eigh(np.cov(sample, rowvar=False))
    zca = (vectors / np.sqrt(values + 0.1)) @ vectors.T
    z = ((sample - mean) @ zca).astype(np.float32)
    centroids = z[rng.choice(len(z), K, replace=False)]
    for _ in range(ITERATIONS):
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True) + 1e-8
        scores = z @ centroids.T
        best = scores.argmax(1)
        sums = np.zeros_like(centroids)
        np.add.at(sums, best, z * scores[np.arange(len(z)), best][:, None])
        empty = np.linalg.norm(sums, axis=1) < 1e-8
        sums[empty] = centroids[empty]
        centroids = sums
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    both = np.concatenate([images, images[:, :, ::-1]])
    f = features(both, mean.astype(np.float32), zca.astype(np.float32), centroids).astype(np.float64)
    y = np.concatenate([targets, targets]).astype(np.float64)
    m, v = f.mean(0), f.var(0)
    a = (f - m) / np.sqrt(v + 0.01 * v.mean())
    gram = a @ a.T + RIDGE * np.eye(len(a))
    w = a.T @ np.linalg.solve(gram, y - y.mean(0))
    seconds = time.perf_counter() - started
    assert np.isfinite(w).all()
    print(f"{len(images) / seconds:.2f}")
    print(f"numpy fit: {len(images)} images in {seconds:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
