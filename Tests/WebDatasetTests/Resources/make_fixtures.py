#!/usr/bin/env python3
"""Writes the archive fixtures WebDatasetTests reads, with Python's tarfile/zipfile (the reference
readers/writers), into the directory given as argv[1]. Run by the tests at test time."""
import io, os, sys, tarfile, zipfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
files = [("a.txt", b"alpha\n"), ("dir/b.bin", bytes(range(256)) * 40), ("dir/c.txt", b"")]

def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))

def add_dir(tar, name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    tar.addfile(info)

def add_link(tar, name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    tar.addfile(info)

for name, mode in [("plain.tar", "w"), ("plain.tar.gz", "w:gz"), ("plain.tgz", "w:gz")]:
    with tarfile.open(os.path.join(out, name), mode, format=tarfile.PAX_FORMAT) as tar:
        add_dir(tar, "dir")
        for n, d in files:
            add(tar, n, d)
        add_link(tar, "dir/link", "b.bin")
        add_link(tar, "dir/hard", "dir/b.bin", tarfile.LNKTYPE)

with zipfile.ZipFile(os.path.join(out, "plain.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("dir/", b"")
    for n, d in files:
        z.writestr(n, d)

with tarfile.open(os.path.join(out, "evil.tar"), "w", format=tarfile.GNU_FORMAT) as tar:
    add(tar, "ok.txt", b"fine")
    add(tar, "../evil.txt", b"escape")
    add(tar, "/etc/abs.txt", b"absolute")
    add(tar, "sub/../../up.txt", b"climb")
    add_link(tar, "sub/outside", "../../etc/passwd")
    add_link(tar, "sub/absolute", "/etc/passwd")
    add_link(tar, "sub/inside", "../ok.txt")

# A tar cut in the middle of the third member's data.
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
    add(tar, "one.txt", b"1" * 700)
    add(tar, "two.txt", b"2" * 300)
    add(tar, "three.txt", b"3" * 5000)
data = buf.getvalue()
third = 512 + 1024 + 512 + 512  # two members (header + padded data), then the third header
with open(os.path.join(out, "truncated.tar"), "wb") as f:
    f.write(data[: third + 512 + 1000])
