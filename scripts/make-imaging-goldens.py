#!/usr/bin/env python3
"""Builds the Imaging test fixtures and their PIL-decoded reference pixels.

Writes into Tests/ImagingTests/Resources/: a few small CC0 openclipart PNGs, variants made with
PIL and pypng (16-bit, interlaced, grey+alpha, JPEG baseline/progressive/grey/CMYK/EXIF), raw RGB
references (`<name>.rgb`, what PIL decodes, alpha composited on white) and `index.json`.
Usage: .venv/bin/python3 scripts/make-imaging-goldens.py   (needs pillow, numpy, pypng, openclipart-png: scripts/setup test)
"""
import io
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import png  # pypng: 16-bit and interlaced writing
from PIL import Image, ImageOps, features

CLIPART = Path("/usr/share/openclipart/png")
OUT = Path(__file__).resolve().parent.parent / "Tests" / "ImagingTests" / "Resources"

SOURCES = {
    "grey.png": "special/patterns/pattern-circles-1.png",            # 8-bit grey
    "rgb.png": "special/patterns/pattern-circles-2.png",             # 8-bit RGB
    "palette1.png": "signs_and_symbols/flags/historic/vietnam_historic.png",  # 1-bit palette
    "palette4_trns.png": "signs_and_symbols/barn_0_symbol_1m_bwh.png",        # 4-bit palette + tRNS
    "palette8_trns.png": "signs_and_symbols/house_0_symbol_1m_bwh.png",       # 8-bit palette + tRNS
    "rgba.png": "animals/birds/seagull_contour_nicu_buc_01.png",    # RGBA
    "grey_alpha.png": "signs_and_symbols/mouse1.png",                # grey + alpha
    "chips.png": "food/breads_and_carbs/potato_chips.png",          # RGBA, photo-like colours
    "flag_large.png": "signs_and_symbols/flags/asia/israel.png",     # 1063x744 RGB, for downscaling
    "esperanto_large.png": "signs_and_symbols/flags/miscellany/esperanto.png",  # 794x529 palette+tRNS
}


def on_white(im: Image.Image) -> np.ndarray:
    """PIL decode -> RGBA -> composite on white with the rounding Imaging documents."""
    rgba = np.asarray(im.convert("RGBA"), dtype=np.int64)
    alpha = rgba[..., 3:4]
    rgb = (rgba[..., :3] * alpha + 255 * (255 - alpha) + 127) // 255
    return rgb.astype(np.uint8)


def scale16(values: np.ndarray) -> np.ndarray:
    """libpng's png_set_scale_16 arithmetic (PIL keeps only the high byte instead)."""
    v = values.astype(np.int64)
    high = v >> 8
    low = v & 0xFF
    return (high + (((low - high + 128) * 65535) >> 24)).astype(np.uint8)


index = {}


def reference(name: str, pixels: np.ndarray, kind: str, tolerance: int, **extra):
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    (OUT / (name + ".rgb")).write_bytes(pixels.tobytes())
    index[name] = {"width": int(pixels.shape[1]), "height": int(pixels.shape[0]),
                   "reference": name + ".rgb", "kind": kind, "tolerance": tolerance, **extra}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()

    for name, source in SOURCES.items():
        data = (CLIPART / source).read_bytes()
        (OUT / name).write_bytes(data)
        if not name.endswith("_large.png"):
            reference(name, on_white(Image.open(io.BytesIO(data))), "png", 0)

    chips = on_white(Image.open(OUT / "chips.png"))
    rgba_chips = np.asarray(Image.open(OUT / "chips.png").convert("RGBA"))
    h, w = chips.shape[:2]

    # Crops keep the fixtures small (the whole set stays under 1.5 MB).
    crop16 = (slice(0, 61), slice(0, 101))
    chips, rgba_chips = chips[crop16], rgba_chips[crop16]
    h, w = chips.shape[:2]

    # 16-bit: spread the 8-bit values and add a low byte so the scaling arithmetic matters.
    rng = np.random.default_rng(7)
    rgb16 = chips.astype(np.uint16) * 257 + rng.integers(0, 256, chips.shape, dtype=np.uint16) - 128
    rgb16 = np.clip(rgb16.astype(np.int64), 0, 65535).astype(np.uint16)
    with open(OUT / "rgb16.png", "wb") as f:
        png.Writer(w, h, greyscale=False, bitdepth=16).write(f, rgb16.reshape(h, w * 3).tolist())
    reference("rgb16.png", scale16(rgb16), "png16", 0)

    rgba16 = rgba_chips.astype(np.uint16) * 257
    rgba16[..., 3] = np.clip(rgba16[..., 3].astype(np.int64) + rng.integers(-100, 100, (h, w)), 0, 65535)
    with open(OUT / "rgba16.png", "wb") as f:
        png.Writer(w, h, greyscale=False, alpha=True, bitdepth=16).write(f, rgba16.reshape(h, w * 4).tolist())
    scaled = scale16(rgba16).astype(np.int64)
    alpha = scaled[..., 3:4]
    reference("rgba16.png", (scaled[..., :3] * alpha + 255 * (255 - alpha) + 127) // 255, "png16", 0)

    # Interlaced (Adam7): an RGBA image and an odd-sized one where some passes are empty.
    with open(OUT / "interlaced_rgba.png", "wb") as f:
        png.Writer(w, h, greyscale=False, alpha=True, interlace=True).write(f, rgba_chips.reshape(h, w * 4).tolist())
    reference("interlaced_rgba.png", on_white(Image.open(OUT / "interlaced_rgba.png")), "png", 0)
    tiny = chips[:3, :5]
    with open(OUT / "interlaced_tiny.png", "wb") as f:
        png.Writer(5, 3, greyscale=False, interlace=True).write(f, tiny.reshape(3, 15).tolist())
    reference("interlaced_tiny.png", on_white(Image.open(OUT / "interlaced_tiny.png")), "png", 0)
    grey_alpha = np.asarray(Image.open(OUT / "grey_alpha.png").convert("LA"))
    gh, gw = grey_alpha.shape[:2]
    with open(OUT / "interlaced_grey_alpha.png", "wb") as f:
        png.Writer(gw, gh, greyscale=True, alpha=True, interlace=True).write(f, grey_alpha.reshape(gh, gw * 2).tolist())
    reference("interlaced_grey_alpha.png", on_white(Image.open(OUT / "interlaced_grey_alpha.png")), "png", 0)

    # JPEG variants of the composited chips.
    base = Image.fromarray(on_white(Image.open(OUT / "chips.png"))).crop((20, 10, 170, 100))
    variants = {
        "baseline.jpg": (base, dict(quality=90)),
        "progressive.jpg": (base, dict(quality=90, progressive=True)),
        "grey.jpg": (base.convert("L"), dict(quality=90)),
        "cmyk.jpg": (base.convert("CMYK"), dict(quality=95)),
        "q444.jpg": (base, dict(quality=90, subsampling=0)),
    }
    for orientation in (3, 6):
        exif = Image.Exif()
        exif[0x0112] = orientation
        variants[f"exif{orientation}.jpg"] = (base, dict(quality=90, exif=exif.tobytes()))
    for name, (im, options) in variants.items():
        im.save(OUT / name, "JPEG", **options)
        decoded = ImageOps.exif_transpose(Image.open(OUT / name))
        reference(name, np.asarray(decoded.convert("RGB")), "jpeg", 2)

    # Downscaled decodes: PIL's resize with reducing_gap=2 (box reduce, then bicubic).
    for name, side in (("flag_large.png", 100), ("esperanto_large.png", 64), ("chips.png", 50)):
        im = Image.fromarray(on_white(Image.open(OUT / name)))
        scale = side / max(im.size)
        size = (max(round(im.width * scale), 1), max(round(im.height * scale), 1))
        small = im.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
        key = f"{name}@{side}"
        reference(key, np.asarray(small), "downscale", 0, source=name, maxSide=side)

    # Plain resizes of a PIL-decoded image (the Resampler alone): down, up, and mixed.
    full = Image.fromarray(on_white(Image.open(OUT / "chips.png")))
    for size in ((64, 39), (33, 100), (260, 157), (70, 60)):
        key = f"chips.png->{size[0]}x{size[1]}"
        reference(key, np.asarray(full.resize(size, Image.Resampling.BICUBIC)), "resize", 0, source="chips.png")

    # A valid-looking header that claims 100000 x 100000 pixels.
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    huge = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 300)) + chunk(b"IEND", b""))
    (OUT / "huge_header.png").write_bytes(huge)

    meta = {"pillow": Image.__version__, "libjpeg_turbo": features.version("libjpeg_turbo"),
            "composite": "(c*a + 255*(255-a) + 127) // 255", "images": index}
    (OUT / "index.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{len(list(OUT.iterdir()))} files, {total / 1e6:.2f} MB in {OUT}")


if __name__ == "__main__":
    main()
