"""sha256 of a stream's samples: every member's name and bytes, in order, leaving out the
`__stream__` header (which records options such as --batch that do not change the samples).
Usage: sample_digest.py STREAM.tar"""
import hashlib
import sys
import tarfile

digest = hashlib.sha256()
count = 0
with tarfile.open(sys.argv[1], "r:") as tar:
    for member in tar:
        if member.name.startswith("__stream__."):
            continue
        digest.update(member.name.encode() + b"\0")
        digest.update(tar.extractfile(member).read())
        count += 1
print(count, digest.hexdigest())
