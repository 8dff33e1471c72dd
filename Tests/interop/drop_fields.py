#!/usr/bin/env python3
"""Copies a tar stream, leaving out members with the given extensions (to make malformed ID streams).

usage: drop_fields.py IN.tar OUT.tar EXT [EXT ...]
"""
import sys
import tarfile

source, target, drop = sys.argv[1], sys.argv[2], set(sys.argv[3:])
with tarfile.open(source) as reader, tarfile.open(target, "w", format=tarfile.USTAR_FORMAT) as writer:
    for member in reader.getmembers():
        key, ext = member.name.split(".", 1)
        if key != "__stream__" and ext in drop:
            continue
        writer.addfile(member, reader.extractfile(member))
