#!/usr/bin/env python3
"""The kNN peer: exact self-kNN of every vector with faiss IndexFlatIP (k + 1 to drop the self
match), on faiss's default threads. Prints queries/s; with OURS.npy (the indices oodsynth-bench knn
--dump wrote), checks that both found the same neighbours wherever similarities are not tied.

usage: knn_faiss.py VECTORS.npy K [OURS.npy]
"""
import sys
import time

import faiss
import numpy as np

x = np.load(sys.argv[1])
k = int(sys.argv[2])
index = faiss.IndexFlatIP(x.shape[1])
index.add(x)
start = time.perf_counter()
sims, ids = index.search(x, k + 1)
seconds = time.perf_counter() - start
print(f"{len(x) / seconds:.1f}")
print(f"faiss: {len(x)} queries in {seconds:.2f} s, {2 * len(x) ** 2 * x.shape[1] / seconds / 1e9:.1f} GFLOP/s, "
      f"{faiss.omp_get_max_threads()} threads", file=sys.stderr)
if len(sys.argv) > 3:
    ours = np.load(sys.argv[3])
    # Drop each row's self match from faiss's answer (it is first unless tied with a duplicate).
    theirs = np.array([[j for j in row if j != i][:k] for i, row in enumerate(ids)])
    same = (ours == theirs).mean()
    assert same > 0.999, f"only {same:.4%} of neighbours agree with faiss"
    print(f"faiss and oodsynth agree on {same:.4%} of {ours.size} neighbours", file=sys.stderr)
