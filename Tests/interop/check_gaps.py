#!/usr/bin/env python3
"""Checks a `gaps` stream against numpy and faiss on the embedded ID stream it came from.

usage: check_gaps.py EMBEDDED.tar GAPS.tar COUNT

Recomputes, independently of oodsynth: the class prototypes (unit class means), the ID points' own
k-th-nearest-neighbour distances (faiss IndexFlatIP, self excluded) and their percentile table (numpy's
linear percentiles), and for every gap its k-th-NN distance to the ID set (faiss), percentile and
nearest classes. Every gap must be a unit vector inside the density window of the header.
"""
import io
import json
import sys

import faiss
import numpy as np

from oodstream import samples


def main():
    embedded, gaps_path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    gaps = samples(gaps_path)
    assert gaps[0][0] == "__stream__", "no header"
    header = json.loads(gaps[0][1]["json"])
    stats = header["id_set"]
    field = "img.npy" if stats["space"] == "image" else "txt.npy"
    vectors, labels, keys = [], [], []
    for key, fields in samples(embedded)[1:]:
        if field not in fields or "cls" not in fields:
            continue
        v = np.load(io.BytesIO(fields[field])).astype(np.float64)
        if not np.all(np.isfinite(v)) or np.linalg.norm(v) == 0:
            continue
        vectors.append(v / np.linalg.norm(v))
        labels.append(int(fields["cls"]))
        keys.append(key)
    x = np.array(vectors)
    labels = np.array(labels)
    keep = np.isin(labels, [c for c in set(labels) if (labels == c).sum() >= 2])
    x, labels, keys = x[keep], labels[keep], [k for k, kept in zip(keys, keep) if kept]
    assert stats["count"] == len(x), (stats["count"], len(x))
    for c, prototype in enumerate(stats["prototypes"]):
        if not prototype:
            continue
        mean = x[labels == c].sum(0)
        error = np.abs(mean / np.linalg.norm(mean) - np.array(prototype)).max()
        assert error < 1e-4, f"prototype {c} differs by {error}"
    k = stats["k"]
    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x.astype(np.float32))
    sims, _ = index.search(x.astype(np.float32), k + 1)
    # The first neighbour of a point is (almost always) itself; drop exactly one self match.
    own = 1 - sims[:, k]
    table = np.percentile(own, np.arange(101))
    error = np.abs(table - np.array(stats["knn_distance_percentiles"])).max()
    assert error < 1e-4, f"ID k-th-NN distance percentiles differ by {error}"
    assert abs(stats["support_distance"] - np.percentile(own, stats["support_percentile"])) < 1e-4
    body = gaps[1:]
    assert len(body) == count, f"{len(body)} gaps, expected {count}"
    points = np.stack([np.load(io.BytesIO(f["emb.npy"])) for _, f in body])
    assert points.dtype == np.float32 and np.all(np.abs(np.linalg.norm(points, axis=1) - 1) < 1e-4)
    sims, _ = index.search(points, k)
    distances = 1 - sims[:, k - 1]
    prototypes = {c: np.array(p) for c, p in enumerate(stats["prototypes"]) if p}
    for (key, fields), distance in zip(body, distances):
        record = json.loads(fields["json"])
        assert abs(record["knn_distance"] - distance) < 1e-4, (key, record["knn_distance"], distance)
        assert stats["support_distance"] < distance < stats["far_distance"], (key, distance)
        percentile = 100 * np.mean(own <= record["knn_distance"])
        assert abs(record["percentile"] - percentile) < 100 / len(own) + 1e-6, (key, record["percentile"], percentile)
        assert record["percentile"] >= stats["support_percentile"] - 100 / len(own), (key, record["percentile"])
        point = np.load(io.BytesIO(fields["emb.npy"]))
        ranked = sorted(prototypes, key=lambda c: (-float(point @ prototypes[c]), c))
        nearest = [entry["index"] for entry in record["nearest_classes"]]
        assert nearest[0] == ranked[0], (key, nearest, ranked[:3])
        assert all(source in keys for source in record["sources"]), (key, record["sources"])
    print(f"ok: {len(body)} gaps in ({stats['support_distance']:.4f}, {stats['far_distance']:.4f}); "
          f"k={k}; distances match faiss to {np.abs(distances - [json.loads(f['json'])['knn_distance'] for _, f in body]).max():.1e}")


if __name__ == "__main__":
    main()
