#!/usr/bin/env python3
"""Copies a tar stream, giving every sample a copy of one field under another extension (to stand a
caption embedding in for a gap vector when making a small synthetic set for the train tests).

usage: copy_field.py IN.tar OUT.tar FROM_EXT TO_EXT
"""
import io
import sys
import tarfile

source, target, old, new = sys.argv[1:5]
with tarfile.open(source) as reader, tarfile.open(target, "w", format=tarfile.USTAR_FORMAT) as writer:
    members = reader.getmembers()
    for index, member in enumerate(members):
        writer.addfile(member, reader.extractfile(member))
        key, ext = member.name.split(".", 1)
        next_key = members[index + 1].name.split(".", 1)[0] if index + 1 < len(members) else None
        if key == "__stream__" or next_key == key:
            continue
        # Last member of the sample: append the copy (extensions stay together, as a sample's must).
        data = [m for m in members if m.name == f"{key}.{old}"]
        if data:
            copy = tarfile.TarInfo(f"{key}.{new}")
            payload = reader.extractfile(data[0]).read()
            copy.size, copy.mtime, copy.mode = len(payload), member.mtime, member.mode
            writer.addfile(copy, io.BytesIO(payload))
