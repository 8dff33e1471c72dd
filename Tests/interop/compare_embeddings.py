#!/usr/bin/env python3
"""Checks that two embedded oodsynth streams of the same samples agree: the same model identity in
the header, the same keys in order, and img.npy/txt.npy equal within TOLERANCE (max abs difference
per component).

usage: compare_embeddings.py A.tar B.tar TOLERANCE
Prints the max differences and the B header's embed record on success; exits 1 naming the first
difference otherwise.
"""
import io
import json
import sys

import numpy as np

from oodstream import samples


def main():
    first, second, tolerance = samples(sys.argv[1]), samples(sys.argv[2]), float(sys.argv[3])
    headers = [json.loads(items[0][1]["json"]) for items in (first, second)]
    if headers[0]["model"] != headers[1]["model"]:
        sys.exit(f"model identities differ: {headers[0]['model']} vs {headers[1]['model']}")
    if [key for key, _ in first] != [key for key, _ in second]:
        sys.exit("the streams have other keys or another order")
    worst = {"img.npy": 0.0, "txt.npy": 0.0}
    for (key, a), (_, b) in zip(first[1:], second[1:]):
        for ext in worst:
            if (ext in a) != (ext in b):
                sys.exit(f"{key}.{ext} is in one stream only")
            if ext in a:
                x, y = np.load(io.BytesIO(a[ext])), np.load(io.BytesIO(b[ext]))
                if x.dtype != np.float32 or y.dtype != np.float32 or x.shape != y.shape:
                    sys.exit(f"{key}.{ext}: {x.dtype}{x.shape} vs {y.dtype}{y.shape}")
                worst[ext] = max(worst[ext], float(np.abs(x - y).max()))
    if max(worst.values()) > tolerance:
        sys.exit(f"embeddings differ by up to {worst} (tolerance {tolerance})")
    record = headers[1]["stages"][-1]
    print(json.dumps({"samples": len(first) - 1, "max_abs_diff": worst, "embed": record}))


if __name__ == "__main__":
    main()
