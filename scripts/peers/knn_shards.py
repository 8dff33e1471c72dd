#!/usr/bin/env python3
"""The density's kNN as a plan runs it, timed: `oodsynth knn` over all N points in one process, then
over blocks of B points, one process per block (each reads the whole embedded set, as a cluster task
does). Prints one line: seconds, GFLOP/s of the single run, the sum and the longest of the blocks,
and whether the blocks concatenate to the single run bit for bit.

usage: knn_shards.py OODSYNTH EMBEDDED_ID_STREAM N B OUT_DIR
"""
import os
import subprocess
import sys
import time

import numpy as np


def timed(argv):
    start = time.perf_counter()
    subprocess.run(argv, check=True)
    return time.perf_counter() - start


def main():
    oodsynth, stream, n, block, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    os.makedirs(out, exist_ok=True)
    single_file = os.path.join(out, "single.npy")
    single = timed([oodsynth, "knn", "--rows", f"0:{n}", "-q", "-i", stream, "-o", single_file])
    times, files = [], []
    for index, start in enumerate(range(0, n, block)):
        path = os.path.join(out, f"{index:05d}.npy")
        times.append(timed([oodsynth, "knn", "--rows", f"{start}:{start + block}", "-q", "-i", stream, "-o", path]))
        files.append(path)
    whole = np.load(single_file)
    parts = np.concatenate([np.load(f) for f in files])
    same = "bit-identical" if whole.tobytes() == parts.tobytes() else "DIFFERENT"
    flop = 2 * n * n * 512  # the bench's set is 512-d
    print(f"sharded kNN density, {n:,} points x 512, k=50: one process {single:.1f} s "
          f"({flop / single / 1e9:.0f} GFLOP/s incl. reading the set), {len(files)} tasks of {block} points "
          f"{sum(times):.1f} s in all (ratio {single / sum(times):.2f}x; longest task {max(times):.1f} s, "
          f"what a cluster with {len(files)} free nodes waits), {same}")


if __name__ == "__main__":
    main()
