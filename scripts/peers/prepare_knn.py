#!/usr/bin/env python3
"""Benchmark data for the kNN engine and `gaps`, seeded.

usage: prepare_knn.py vectors OUT.npy N D          N random unit vectors (float32)
       prepare_knn.py stream OUT.tar CLASSES PER D an embedded ID stream: CLASSES clusters of PER unit
                                                   vectors in D dimensions (img.npy + cls + header)
"""
import io
import json
import sys
import tarfile

import numpy as np


def unit(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), 0, 0o644
    tar.addfile(info, io.BytesIO(data))


def main():
    kind, out = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(0)
    if kind == "vectors":
        n, d = int(sys.argv[3]), int(sys.argv[4])
        np.save(out, unit(rng.standard_normal((n, d))))
        return
    classes, per, d = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    header = {"format": "oodsynth-stream", "version": 1, "stages": [], "classes": [f"class{c:03d}" for c in range(classes)],
              "model": {"name": "synthetic", "weightsSHA256": "0" * 64, "dimension": d}}
    centres = unit(rng.standard_normal((classes, d)))
    with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as tar:
        add(tar, "__stream__.json", json.dumps(header, sort_keys=True).encode())
        key = 0
        for c in range(classes):
            points = unit(centres[c] + 0.05 * rng.standard_normal((per, d)))
            for point in points:
                buffer = io.BytesIO()
                np.save(buffer, point)
                add(tar, f"{key:09d}.cls", str(c).encode())
                add(tar, f"{key:09d}.img.npy", buffer.getvalue())
                key += 1


if __name__ == "__main__":
    main()
