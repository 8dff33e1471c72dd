#!/usr/bin/env python3
"""Copies a tar stream, cutting the named member's bytes in half: a bad sample inside a good stream.

usage: corrupt_member.py IN.tar OUT.tar MEMBER
"""
import io
import sys
import tarfile

source, target, name = sys.argv[1:4]
with tarfile.open(source) as tin, tarfile.open(target, "w", format=tarfile.USTAR_FORMAT) as tout:
    for member in tin.getmembers():
        data = tin.extractfile(member).read()
        if member.name == name:
            data = data[: len(data) // 2]
        info = tarfile.TarInfo(member.name)
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        tout.addfile(info, io.BytesIO(data))
