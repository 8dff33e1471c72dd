#!/usr/bin/env python3
"""Helpers for the archive-format test, with Python's own tarfile/zipfile/gzip as the peers.

  archive_variants.py make SOURCE_TAR DIR      writes DIR/folder/, DIR/set.tar.gz, DIR/set.zip
  archive_variants.py compare REF OTHER...     the streams hold the same samples (by source path)
"""
import gzip
import json
import os
import shutil
import sys
import tarfile
import zipfile


def make(source, out):
    with tarfile.open(source) as tar:
        tar.extractall(os.path.join(out, "folder"), filter="data")
    with open(source, "rb") as raw, gzip.open(os.path.join(out, "set.tar.gz"), "wb") as packed:
        shutil.copyfileobj(raw, packed)
    with tarfile.open(source) as tar, zipfile.ZipFile(os.path.join(out, "set.zip"), "w") as archive:
        for member in tar.getmembers():
            archive.writestr(member.name, tar.extractfile(member).read())


def samples(path):
    """Each sample's fields by its source path: folders are walked in sorted order and archives in
    member order, so keys may differ while the samples must not. json names the input, so it is
    compared without that field."""
    with tarfile.open(path) as tar:
        grouped = {}
        for member in tar.getmembers():
            key, ext = member.name.split(".", 1)
            grouped.setdefault(key, {})[ext] = tar.extractfile(member).read()
    result = {}
    for key, fields in grouped.items():
        if key == "__stream__":
            result[key] = json.loads(fields["json"])["classes"]
            continue
        meta = json.loads(fields.pop("json"))
        meta.pop("input")
        result[meta["path"]] = (meta, fields)
    return result


def compare(reference, others):
    ref = samples(reference)
    assert len(ref) > 3, f"{reference}: only {len(ref)} samples"
    for other in others:
        got = samples(other)
        assert got.keys() == ref.keys(), f"{other}: other samples than {reference}"
        for path in ref:
            assert got[path] == ref[path], f"{other}: {path} differs from {reference}"
    print(f"ok: {len(others)} streams match {reference} ({len(ref)} samples)")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        compare(sys.argv[2], sys.argv[3:])
