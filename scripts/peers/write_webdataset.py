#!/usr/bin/env python3
"""The webdataset peer of the stream-write benchmark: write COUNT small samples (the same bytes the
Swift side writes) with webdataset.TarWriter. Prints samples per second (best of REPEATS)."""
import os
import sys
import tempfile
import time

import webdataset as wds

count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def sample(i):
    # Mirrors BenchSamples.swift: a 4 KiB image-like payload, a caption, a class and a json record.
    payload = bytes((i * 31 + j * 7) % 251 for j in range(4096))
    return {
        "__key__": f"{i:09d}",
        "png": payload,
        "txt": f"a photo of thing number {i}".encode(),
        "cls": str(i % 12).encode(),
        "json": ('{"index":%d,"source":"bench"}' % i).encode(),
    }


samples = [sample(i) for i in range(count)]
best = None
with tempfile.TemporaryDirectory() as tmp:
    for _ in range(repeats):
        path = os.path.join(tmp, "out.tar")
        start = time.perf_counter()
        with wds.TarWriter(path) as sink:
            for s in samples:
                sink.write(s)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
print(f"{count / best:.1f}")
