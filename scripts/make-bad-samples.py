#!/usr/bin/env python3
"""Build Samples/bad/: small, real, deliberately broken inputs for oodsynth's decode stage.

Good images come from Debian's openclipart-png (CC0), downscaled to 96 px. Output is
deterministic (fixed tar/zip header fields, fixed encoder options): rerunning gives
byte-identical files with the same Pillow/zlib/libjpeg.

Usage: scripts/make-bad-samples.py [--root /usr/share/openclipart/png] [--out Samples/bad]
See Samples/bad/README.md for what each file is and what a correct tool must do with it.
"""
import argparse
import io
import os
import struct
import sys
import tarfile
import zipfile
import zlib

from PIL import Image

SIDE = 96
SOURCES = [  # (source under root, how to encode)
    ("animals/bugs/ladybug_01.png", "png"),
    ("food/fruit/pear.png", "jpg"),
    ("recreation/music/violin_mo_01.png", "png"),
    ("computer/hardware/keyboard.png", "png"),
]
PNG_SIG = b"\x89PNG\r\n\x1a\n"
NOT_AN_IMAGE = (
    "This is a plain text file that only pretends to be a JPEG by its name.\n"
    "A correct decoder sniffs the content (no FF D8 FF signature here) and skips it\n"
    "with reason 'not an image' instead of crashing or trusting the extension.\n"
).encode("ascii")


def load(root, rel):
    path = os.path.join(root, rel)
    with Image.open(path) as im:
        im = im.convert("RGBA")
    im.thumbnail((SIDE, SIDE), Image.LANCZOS, reducing_gap=None)
    return im


def png_bytes(im):
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=False, compress_level=9)
    return buf.getvalue()


def jpg_bytes(im):
    bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
    bg.alpha_composite(im)
    buf = io.BytesIO()
    bg.convert("RGB").save(buf, "JPEG", quality=90, subsampling=2, optimize=False, progressive=False)
    return buf.getvalue()


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_chunks(data):
    """Yield (offset, kind, length) of each chunk."""
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        yield pos, kind, length
        pos += 12 + length


def truncate_png(data):
    """Cut in the middle of the (first) IDAT payload."""
    for pos, kind, length in png_chunks(data):
        if kind == b"IDAT":
            assert length > 64, "IDAT too small to cut"
            return data[:pos + 8 + length // 2]
    raise SystemExit("make-bad-samples: no IDAT")


def truncate_jpg(data):
    """Cut in the middle of the entropy-coded scan data (after SOS, before EOI)."""
    sos = data.find(b"\xff\xda")
    assert sos > 0 and data.endswith(b"\xff\xd9")
    seg_len = struct.unpack(">H", data[sos + 2:sos + 4])[0]
    start = sos + 2 + seg_len
    return data[:start + (len(data) - 2 - start) // 2]


def huge_header_png():
    """Valid signature and CRCs; IHDR claims 100000 x 100000 RGB (30 GB decoded); tiny IDAT."""
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 301, 9)       # a filter byte + one row of 100 px, nowhere near enough
    return PNG_SIG + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def tar_bytes(members):
    """members: [(name, bytes)] or [(name, ('symlink', target))] -> uncompressed ustar bytes."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.mtime = 0
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            if isinstance(data, tuple):
                ti.type = tarfile.SYMTYPE
                ti.linkname = data[1]
                ti.mode = 0o777
                tar.addfile(ti)
            else:
                ti.type = tarfile.REGTYPE
                ti.mode = 0o644
                ti.size = len(data)
                tar.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def truncated_tar(members, cut_member):
    """Full tar of members, cut in the middle of member #cut_member's data (no end blocks)."""
    data = tar_bytes(members)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        ti = tar.getmembers()[cut_member]
        return data[:ti.offset_data + ti.size // 2]


def zip_bytes(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            zi = zipfile.ZipInfo(filename="x", date_time=(1980, 1, 1, 0, 0, 0))
            zi.filename = name          # set directly: keep '../' and a leading '/'
            zi.orig_filename = name
            zi.compress_type = zipfile.ZIP_STORED
            zi.create_system = 3
            zi.external_attr = 0o100644 << 16
            z.writestr(zi, data)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default="/usr/share/openclipart/png")
    ap.add_argument("--out", default=os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Samples", "bad")))
    args = ap.parse_args()
    if not os.path.isdir(args.root):
        sys.exit(f"make-bad-samples: {args.root}: not found (apt-get install openclipart-png, or run scripts/setup test)")
    ims = [load(args.root, rel) for rel, _ in SOURCES]
    good = [png_bytes(im) if kind == "png" else jpg_bytes(im) for im, (_, kind) in zip(ims, SOURCES)]
    # full-size (256 px) versions to cut, so the IDAT / scan data is large enough to cut mid-way
    with Image.open(os.path.join(args.root, "food/desserts/lollipop_dave_pena_01.png")) as im:
        big = im.convert("RGBA")
    big.thumbnail((256, 256), Image.LANCZOS, reducing_gap=None)

    files = {
        "truncated.png": truncate_png(png_bytes(big)),
        "truncated.jpg": truncate_jpg(jpg_bytes(big)),
        "huge-header.png": huge_header_png(),
        "not-an-image.jpg": NOT_AN_IMAGE,
    }
    # sanity: the cut files really are cut where we claim
    for name in ("truncated.png", "truncated.jpg"):
        d = files[name]
        assert not d.endswith(b"IEND\xaeB`\x82") and not d.endswith(b"\xff\xd9"), name

    files["zip-slip.zip"] = zip_bytes([
        ("ok/0001.png", good[0]),
        ("../evil.png", good[2]),
        ("/tmp/abs.png", good[3]),
    ])
    files["truncated.tar"] = truncated_tar([
        ("cls/0001.png", good[0]), ("cls/0001.txt", b"a clip art drawing of a ladybug"),
        ("cls/0002.jpg", good[1]), ("cls/0002.txt", b"a clip art drawing of a pear"),
        ("cls/0003.png", good[2]), ("cls/0003.txt", b"a clip art drawing of a violin"),
        ("cls/0004.png", good[3]), ("cls/0004.txt", b"a clip art drawing of a keyboard"),
    ], cut_member=4)   # cut inside cls/0003.png
    files["symlink-escape.tar"] = tar_bytes([
        ("cls/0001.png", good[0]), ("cls/0001.txt", b"a clip art drawing of a ladybug"),
        ("cls/link.png", ("symlink", "../../../etc/passwd")),
    ])
    files["mixed.tar"] = tar_bytes([
        ("cls/0001.png", good[0]), ("cls/0001.txt", b"a clip art drawing of a ladybug"),
        ("cls/0002.png", files["truncated.png"]), ("cls/0002.txt", b"a clip art drawing of a lollipop"),
        ("cls/0003.jpg", good[1]), ("cls/0003.txt", b"a clip art drawing of a pear"),
        ("cls/0004.jpg", files["truncated.jpg"]), ("cls/0004.txt", b"a clip art drawing of a lollipop"),
        ("cls/0005.png", files["huge-header.png"]), ("cls/0005.txt", b"a clip art drawing of nothing at all"),
        ("cls/0006.png", good[2]), ("cls/0006.txt", b"a clip art drawing of a violin"),
        ("cls/0007.jpg", NOT_AN_IMAGE), ("cls/0007.txt", b"a clip art drawing of a text file"),
    ])

    os.makedirs(args.out, exist_ok=True)
    for name in sorted(files):
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(files[name])
    total = sum(len(d) for d in files.values())
    print(f"make-bad-samples: wrote {len(files)} files to {args.out} ({total} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
