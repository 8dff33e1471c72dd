#!/usr/bin/env python3
"""Recomputes `oodsynth filter`'s decisions in numpy from its own outputs, as an independent peer.

usage: check_filter.py ID_STREAM KEPT_STREAM REJECTS_STREAM BATCH
Reads the image embedding (img.npy) the filter stored in every sample, the caption embedding
(txt.npy) and the thresholds the stage record names; rebuilds class prototypes and the ID set's
density table from the ID stream; recomputes alignment, rank within the batch, prototype similarity,
k-th-NN distance, copies and duplicates, and the first failed test. Prints JSON: samples, kept,
agree (decisions equal), max_score_error, and the first disagreements.
"""
import io
import json
import sys

import numpy as np

from oodstream import samples

ORDER = ["misaligned", "rank", "id-like", "not-novel", "copies-id", "duplicate"]


def npy(data):
    return np.load(io.BytesIO(data)).astype(np.float64)


def unit(v):
    return v / np.linalg.norm(v)


def threshold(text, batch_scores, id_table):
    if text.startswith("q"):
        return float(np.quantile(np.asarray(batch_scores), float(text[1:])))
    if text.startswith("p"):
        return float(np.interp(float(text[1:]), np.arange(101), id_table))
    return float(text)


def main():
    id_path, kept_path, rejects_path, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    ids = samples(id_path)
    id_header = json.loads(ids[0][1]["json"])
    id_rows = [(key, int(f["cls"]), unit(npy(f["img.npy"]))) for key, f in ids[1:] if "img.npy" in f and "cls" in f]
    vectors = np.stack([v for _, _, v in id_rows])
    labels = np.array([c for _, c, _ in id_rows])
    classes = sorted(set(labels.tolist()))
    prototypes = {c: unit(vectors[labels == c].mean(0)) for c in classes if (labels == c).sum() >= 2}
    proto_ids = sorted(prototypes)
    proto = np.stack([prototypes[c] for c in proto_ids])

    kept = samples(kept_path)
    header = json.loads(kept[0][1]["json"])
    record = [s for s in header["stages"] if s["name"] == "filter"][-1]["options"]
    k = header["id_set"]["k"]
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    own_kth = 1 - np.sort(sims, axis=1)[:, ::-1][:, k - 1]
    novelty_table = header["id_set"]["knn_distance_percentiles"] if header["id_set"]["space"] == "image" \
        and header["id_set"]["count"] == len(id_rows) else np.percentile(own_kth, np.arange(101)).tolist()
    id_sim_table = np.percentile((vectors @ proto.T).max(1), np.arange(101)).tolist()

    rows = sorted(kept[1:] + samples(rejects_path)[1:], key=lambda s: s[0])
    dedup, max_rank = float(record["dedup"]), int(record["rank"])
    kept_vectors, agree, worst, problems = [], 0, 0.0, []
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        images = np.stack([unit(npy(f["img.npy"])) for _, f in chunk])
        captions = np.stack([unit(npy(f["txt.npy"])) for _, f in chunk])
        cross = images @ captions.T
        align = np.diag(cross)
        id_sim = (images @ proto.T).max(1)
        knn = 1 - np.sort(images @ vectors.T, axis=1)[:, ::-1][:, k - 1]
        nearest_id = (images @ vectors.T).max(1)
        t_align = threshold(record["min-alignment"], align, None)
        t_id = threshold(record["max-id-similarity"], id_sim, id_sim_table)
        t_nov = threshold(record["min-novelty"], knn, novelty_table)
        for i, (key, f) in enumerate(chunk):
            rank = 1 + int((cross[i] > align[i]).sum() - 0)
            dup = max((float(images[i] @ v) for v in kept_vectors), default=None)
            fails = [align[i] < t_align, rank > max_rank, id_sim[i] > t_id, knn[i] < t_nov,
                     nearest_id[i] >= dedup, dup is not None and dup >= dedup]
            reason = next((r for r, bad in zip(ORDER, fails) if bad), None)
            if reason is None:
                kept_vectors.append(images[i])
            ours = json.loads(f["json"])["filter"]
            if ours.get("rejection") == reason:
                agree += 1
            elif len(problems) < 5:
                problems.append({"key": key, "ours": ours.get("rejection"), "peer": reason})
            for name, value in [("alignment", align[i]), ("id_similarity", id_sim[i]), ("knn_distance", knn[i]),
                                ("min_alignment", t_align), ("max_id_similarity", t_id), ("min_novelty", t_nov)]:
                worst = max(worst, abs(ours[name] - value))
            if ours["rank"] != rank and len(problems) < 5:
                problems.append({"key": key, "rank": ours["rank"], "peer_rank": rank})
    print(json.dumps({"samples": len(rows), "kept": len(kept) - 1, "agree": agree, "max_score_error": worst,
                      "problems": problems}))


if __name__ == "__main__":
    main()
