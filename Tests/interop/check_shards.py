#!/usr/bin/env python3
"""Reads oodsynth's shards with the real peers (Python webdataset, tarfile, PIL) and checks them
against the source archive, independently of oodsynth's own code.

usage: check_shards.py SHARD_DIR SOURCE_TAR [MAX_SIDE]
Exits non-zero with a message on the first mismatch.
"""
import hashlib
import io
import json
import os
import sys
import tarfile

import numpy as np
import webdataset as wds
from PIL import Image


def main():
    shard_dir, source, max_side = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 512
    manifest = json.load(open(os.path.join(shard_dir, "manifest.json")))
    classes = manifest["header"]["classes"]
    shards = manifest["shards"]
    for shard in shards:
        path = os.path.join(shard_dir, shard["name"])
        data = open(path, "rb").read()
        assert hashlib.sha256(data).hexdigest() == shard["sha256"], f"{path}: sha256 differs from manifest"
        stats = json.load(open(path[: -len(".tar")] + "_stats.json"))
        assert stats["sha256"] == shard["sha256"] and stats["count"] == shard["count"], f"{path}: stats differ"
        with tarfile.open(path) as tar:  # plain tarfile must read it too
            names = tar.getnames()
        assert len({n.split(".", 1)[0] for n in names}) == shard["count"], f"{path}: member keys != count"

    members = {}
    with tarfile.open(source) as tar:
        for info in tar:
            if info.isfile():
                members[info.name] = tar.extractfile(info).read()

    urls = [os.path.join(shard_dir, s["name"]) for s in shards]
    dataset = wds.WebDataset(urls, shardshuffle=False).decode("rgb8")
    count, last_key, worst = 0, "", 0.0
    for sample in dataset:
        key = sample["__key__"]
        assert "." not in key and key > last_key, f"key {key!r} not sortable/unique after {last_key!r}"
        last_key = key
        meta = sample["json"]
        src = members[meta["path"]]
        assert hashlib.sha256(src).hexdigest() == meta["sha256"], f"{key}: sha256 of source differs"
        stem = meta["path"].rsplit(".", 1)[0]
        if stem + ".txt" in members:
            assert sample["txt"] == members[stem + ".txt"].decode().strip(), f"{key}: caption differs"
        label = meta["path"].split("/")[-2]
        assert meta["label"] == label and sample["cls"] == classes.index(label), f"{key}: class differs"
        ours = sample["png"] if "png" in sample else sample["jpg"]
        ref = Image.open(io.BytesIO(src))
        assert (ref.width, ref.height) == (meta["width"], meta["height"]), f"{key}: original size differs"
        ref = ref.convert("RGBA")
        white = Image.new("RGBA", ref.size, (255, 255, 255, 255))
        ref = Image.alpha_composite(white, ref).convert("RGB")
        scale = min(1.0, max_side / max(ref.size))
        size = (max(1, round(ref.width * scale)), max(1, round(ref.height * scale)))
        assert ours.shape[1::-1] == size, f"{key}: size {ours.shape[1::-1]} != expected {size}"
        ref = np.asarray(ref.resize(size, Image.BICUBIC), dtype=np.float64)
        diff = np.abs(ref - ours.astype(np.float64)).mean()
        worst = max(worst, diff)
        # PNG output is lossless; JPEG output adds q90 re-encoding loss at clip-art edges.
        limit = 1.0 if "png" in sample else 8.0
        assert diff < limit, f"{key}: mean abs pixel difference {diff:.2f} to PIL's resize"
        count += 1
    total = manifest["totalCount"]
    assert count == total, f"webdataset read {count} samples, manifest says {total}"
    print(f"ok: {count} samples in {len(shards)} shards; worst mean abs diff to PIL {worst:.3f}")


if __name__ == "__main__":
    main()
