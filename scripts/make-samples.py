#!/usr/bin/env python3
"""Build Samples/openclipart-12.tar: a small, deterministic, CC0 captioned image set.

Source: Debian's `openclipart-png` package (CC0 public-domain clip art) under
/usr/share/openclipart/png. 12 classes x 30 images, each downscaled so its
longer side is <= 256 px and written in rotation as a lossless PNG (RGB/RGBA, or
L/LA for grey sources), a 256-colour palette PNG (tRNS alpha), and a JPEG (q90,
composited on white). Each image gets a sidecar caption
`CLASS/NNNN.txt` made from the class and the clip art's file name.

Usage: scripts/make-samples.py [--root /usr/share/openclipart/png] [--out Samples] [--held-out]
--held-out writes heldout-5.tar instead: 5 classes from other folders (vehicle, office, map, person,
shape), which nothing in oodsynth is fitted or tuned on; it is made on demand, not bundled.
Rerunning with the same Pillow/zlib/libjpeg gives byte-identical output.
"""
import argparse
import io
import os
import random
import re
import struct
import sys
import tarfile

from PIL import Image

MAX_SIDE = 256
MAX_PIXELS = 40_000_000       # skip huge sources (read from IHDR) to stay fast
MIN_SIDE = 64                 # skip tiny sources (icons of a few pixels)
PER_CLASS = 30
SEED = 0
TAR_NAME = "openclipart-12.tar"

# class name -> (source folder relative to root, optional regex of file names to exclude)
CLASSES = [
    ("bird", "animals/birds", r"^mirjam_meijer"),   # that one is flowers and a butterfly
    ("insect", "animals/bugs", None),
    ("mammal", "animals/mammals", None),
    ("house", "buildings/homes", None),
    ("fruit", "food/fruit", None),
    ("dessert", "food/desserts", None),
    ("flag", "signs_and_symbols/flags", None),
    ("music", "recreation/music", None),
    ("sport", "recreation/sports", None),
    ("tool", "tools", None),
    ("computer", "computer/hardware", None),
    # only the smileyNNN set (the folder also holds a portrait and a few tiny icons)
    ("smiley", "people/smilies", r"^(?!smiley\d)"),
]

# --held-out: 5 other classes from folders Samples does not use, for measuring on classes that nothing
# was fitted or tuned on (the builtin model is fitted on Samples). Not bundled: made on demand.
HELD_OUT = [
    ("vehicle", "transportation", None),
    ("office", "office", None),
    ("map", "geography", None),
    ("person", "people", None),
    ("shape", "shapes", None),
]

# ---------------------------------------------------------------- captions
# Non-English words in openclipart titles (mostly Italian/French) -> English.
TRANSLATE = {
    "acquila": "eagle", "aquila": "eagle", "cigno": "swan", "cigni": "swans",
    "gabbiano": "seagull", "gufo": "owl", "civetta": "owl", "uccello": "bird",
    "uccelli": "birds", "stormo": "flock", "gallo": "rooster", "pollo": "chicken",
    "flamand": "flamingo", "notte": "night", "profilo": "profile",
    "coccinella": "ladybug", "coccinelle": "ladybug", "coccinellona": "ladybug",
    "farfalla": "butterfly", "farfalle": "butterflies", "cavalletta": "grasshopper",
    "formichina": "ant", "formicona": "ant", "formica": "ant", "libellula": "dragonfly",
    "libellule": "dragonfly", "mante": "mantis", "mantide": "mantis",
    "moschito": "mosquito", "zanzara": "mosquito", "ragno": "spider", "ragnetto": "spider",
    "abeille": "bee", "insetto": "insect", "mostriciattolo": "bug", "punaisa": "stink bug",
    "semplice": "simple", "stilizzata": "stylized", "quattro": "four",
    "antilope": "antelope", "canguro": "kangaroo", "coniglio": "rabbit",
    "elefante": "elephant", "stambecco": "ibex", "topo": "mouse", "vacca": "cow",
    "skoynk": "skunk",
    "casa": "house", "campagna": "countryside", "montagna": "mountain", "verde": "green",
    "sogni": "dream", "plurifamigliare": "apartment house", "abitazione": "house",
    "pesca": "peach", "prune": "plum", "rondelle": "slice", "applf": "apple",
    "torta": "cake", "glace": "icecream", "gelato": "icecream", "cone": "icecream cone", "pudim": "pudding",
    "gauffre": "waffle",
    "croche": "musical note", "djambf": "djembe", "judo": "judo pictogram",
    "rugby": "rugby ball", "fruitcollection": "collection of+fruit", "stampante": "printer",
    "desktop": "desktop computer", "tower": "tower computer", "hub": "network hub",
    "gameboy": "handheld game console", "eu": "european", "florence": "florentine", "africandrum": "african drum",
    "cronometro": "stopwatch", "ballon": "ball", "basebalm": "baseball",
    "volleball": "volleyball", "blowling": "bowling", "stacco": "weightlifter",
    "aerobica": "aerobics", "anelli": "rings",
    "bussola": "compass", "calamita": "magnet", "lente": "magnifying lens",
    "livella": "spirit level", "scolapasta": "colander", "pentola": "pot",
    "pansement": "bandage", "magnificator": "magnifying glass", "mag": "magnifying glass",
    "roundpointshovel": "round point shovel", "spaclu": "spatula",
    "schermo": "screen", "unita": "hard disk", "laserprinter": "laser printer",
    "lcd": "lcd monitor", "racked": "rack server",
}
# phrases matched on the cleaned, space-joined title (before word filtering)
PHRASES = [
    (r"\bruota dentata\b", "gear"), (r"\bdisco rigido\b", ""), (r"\btable tennis omar\b", "tabletennis paddles"), (r"\btable tennis\b", "tabletennis"),
    (r"\bice cream\b", "icecream"), (r"\b45 rpm\b", "rpm45"), (r"\bbird of peace\b", "dove"),
    (r"\bsimbolo egizio\b", "egyptian bird symbol"), (r"\bpie (\w+)", r"\1 pie"),
    (r"\bgolf flag in hole\b", "golf flag in+a+hole"), (r"\bgolf flag ball\b", "golf ball and+flag"),
    (r"\bdi notte\b", "at+night"), (r"\bon (branch|leash|platter)\b", r"on+a+\1"),
    (r"\bstormo di uccelli\b", "flock of+birds"), (r"\bin campagna\b", "in+the+countryside"),
    (r"\bcasa dei sogni\b", "dream house"), (r"\brondelle orange\b", "orange slice"),
    (r"\bb flat\b", ""),
    (r"\btrumpet straight mute\b", "trumpet with+a+straight+mute"), (r"\bpiano theory\b", "piano keyboard"),
    (r"\bferro da stiro\b", "clothes iron"), (r"\bnodding donkey.*", "oil pumpjack"),
    (r"\bscolapasta e pentola\b", "colander and+a+pot"), (r"\bsmoke nicu\b", "smoking pipe"),
    (r"\bgreat britain\b", "british"), (r"\bunited states\b", "american"), (r"\bnew penguin\b", "penguin"),
    (r"\bglace italienne\b", "softserve"), (r"\bhandheld gps\b", "handheld gps receiver"), (r"\bsignal ?flag\b", "signalflag"),
]
# words kept in captions; anything else (authors, ids, noise) is dropped
ADJ = set("""yellow blue green red pink black white gray grey beige purple gold golden big little small
simple cartoon flying stylized electric crazy funny emperor baby ninja natural metal flat open digital
musical italian british iraqi peace african double fifties round mountain old emperor stylized bw egyptian
various four half apartment straight herald soft dream bass treble music straw clothes oil scart lcd video
macintosh scroll dall handheld florentine european american smoking network desktop tower game
round""".split())
NOUN = set("""eagle swan swans seagull gull owl bird birds flock rooster chicken hen duck penguin tux dove
cormorant puffin turkey platter flamingo crow night profile branch
ladybug butterfly butterflies grasshopper ant dragonfly damselfly mantis mosquito spider bee wasp insect bug
stink virus fly
antelope kangaroo rabbit bunny elephant ibex mouse cow squirrel chipmunk giraffe orangutan sheep ram deer
dog leash echidna symbol fawn goat monkey head rhinoceros seal wolf skunk cat whale dolphin pig camel fox
hamster baboon beaver bull raccoon
house houses home chalet countryside dreams lighthouse
apple core wedge banana grape grapes lemon slice lime orange peach pear pineapple plum strawberry cherries
cherry melon fruit tote collection
candy cone cookie flan cake icecream lollipop pie pumpkin pudding waffle muffin dessert serve
flag flags europe
rpm45 records record drum djembe clef note notes guitar jukebox harp headphones dulcimer piano keyboard
trumpet
mute vinyl disc violin xylophone cello flute maracas sixteenth
badminton racket baseball bat glove binoculars stopwatch football ball helmet pitch golf judo nunchaku
rugby soccer surfboard tabletennis racquets tennis net volleyball bowling aerobics weightlifter yoga pose
rings shoe cap pictogram paddles softserve
bottle compass magnet drill lighter lamp key keyring lens level spirit lock magnifying glass gas pump well
cage burner paint roller banner panel bandage shovel gear scalpel colander pot screwdriver smoke spatula
tools hammer iron pumpjack nail puller brush connector thermometer pipe
computer desktop camera screen gameboy client hub joystick keyboard laptop printer laser monitor scroll
server servers hard disk rhythmbox rack workstation router gps receiver console""".split())
PLURAL = {"swans", "birds", "butterflies", "grapes", "cherries", "houses", "records", "notes", "racquets",
          "servers", "tools", "headphones", "binoculars", "maracas", "rings", "aerobics", "paddles"}
RESPELL = {"smiley": "smiley face", "icecream": "ice cream", "softserve": "soft serve ice cream", "rpm45": "45 rpm", "tabletennis": "table tennis", "bw": "",
           "tux": "tux penguin", "grey": "gray"}
NATO = set("""alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar
papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu""".split())


COLORS = {"yellow", "blue", "green", "red", "pink", "black", "white", "gray", "beige", "purple", "gold"}


def article(phrase):
    first = phrase.split()[0]
    if first in PLURAL or phrase.split()[-1] in PLURAL:
        return phrase
    if first.startswith("eu"):
        return "a " + phrase
    an = first[0] in "aeiou" or first == "lcd"
    return ("an " if an else "a ") + phrase


def caption(cls, filename):
    stem = filename.rsplit(".", 1)[0].lower()
    style = "a clip art drawing of"
    m = re.match(r"signalflag_(\w+)$", stem)
    if m:
        w = m.group(1)
        if w in NATO:
            return f"a clip art drawing of the nautical signal flag for the letter {w}"
        if w.isdigit():
            return f"a clip art drawing of the nautical signal flag for the number {w}"
        return "a clip art drawing of a nautical signal flag"
    if "asana" in stem:
        return "a clip art drawing of a person in a yoga pose"
    text = " ".join(t for t in re.split(r"[_\-.\s]+|(?<=[a-z])(?=\d)", stem) if t)
    for pat, rep in PHRASES:
        text = re.sub(pat, rep, text)
    words = []
    for t in text.split():
        if re.fullmatch(r"\d+|.", t) or t in ("md", "r"):
            continue
        for w in TRANSLATE.get(t, t).split():
            words.append(w)
    if "bw" in words:
        style = "a black and white clip art drawing of"
    if "contour" in words or "outline" in words:
        style = "an outline drawing of"
    adjs, nouns, tail = [], [], []
    for w in words:
        if "+" in w:
            tail.append(w.replace("+", " "))
        elif w in ADJ and w != "bw" and w not in adjs:
            adjs.append(w)
        elif w in NOUN and w not in nouns:
            nouns.append(w)
    if not nouns:
        nouns = [cls.replace("_", " ")]
    # keep at most three nouns, drop a generic class word if a specific one is present
    nouns = nouns[:3]
    head = []
    for w in adjs + nouns:
        if head and w in COLORS and head[-1] in COLORS:
            head.append("and")
        head.append(w)
    phrase = " ".join(RESPELL.get(w, w) for w in head)
    phrase = re.sub(r"\s+", " ", phrase).strip()
    return " ".join([style, article(phrase)] + tail)


# ---------------------------------------------------------------- selection
def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def select(root, classes=CLASSES):
    """Return [(class, [source paths])], deterministic."""
    out, seen = [], set()
    for cls, folder, exclude in classes:
        base = os.path.join(root, folder)
        names = []
        for name in sorted(os.listdir(base)):
            path = os.path.join(base, name)
            # regular files only: the package has many symlinks duplicating files across folders
            if not name.endswith(".png") or os.path.islink(path) or not os.path.isfile(path):
                continue
            if exclude and re.search(exclude, name):
                continue
            size = png_size(path)
            if size is None or size[0] * size[1] > MAX_PIXELS or max(size) < MIN_SIDE:
                continue
            if os.path.realpath(path) in seen:
                continue
            names.append(name)
        if len(names) < PER_CLASS:
            sys.exit(f"make-samples: {base}: only {len(names)} usable images, need {PER_CLASS}")
        picked = sorted(random.Random(SEED).sample(names, PER_CLASS))
        seen.update(os.path.realpath(os.path.join(base, n)) for n in picked)
        out.append((cls, [os.path.join(base, n) for n in picked]))
    return out


# ---------------------------------------------------------------- encoding
def encode(path, kind):
    """kind: 'png' lossless (grey sources stay L/LA), 'png8' palette PNG, 'jpg' JPEG q90 on white."""
    with Image.open(path) as im:
        im.load()
        if im.mode in ("I;16", "I", "F"):
            im = im.point(lambda v: v / 256).convert("L")
        grey = im.mode in ("L", "LA") or (im.mode == "P" and im.palette.mode == "L")
        im = im.convert("LA" if grey and kind == "png" else "RGBA")
    w, h = im.size
    if max(w, h) > MAX_SIDE:
        s = MAX_SIDE / max(w, h)
        im = im.resize((max(1, round(w * s)), max(1, round(h * s))), Image.LANCZOS)
    buf = io.BytesIO()
    opaque = im.getextrema()[-1] == (255, 255)
    if kind == "jpg":
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        bg.alpha_composite(im)
        bg.convert("RGB").save(buf, "JPEG", quality=90, subsampling=2, optimize=False,
                               progressive=False)
    elif kind == "png8":
        # 256-colour palette (with tRNS alpha when needed), no dithering: ~4x smaller for clip art
        if opaque:
            im = im.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        else:
            im = im.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        im.save(buf, "PNG", optimize=False, compress_level=9)
    else:
        if opaque:
            im = im.convert("L" if im.mode == "LA" else "RGB")   # drop an all-opaque alpha channel
        im.save(buf, "PNG", optimize=False, compress_level=9)
    return buf.getvalue()


def add(tar, name, data):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mtime = 0
    ti.mode = 0o644
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    ti.type = tarfile.REGTYPE
    tar.addfile(ti, io.BytesIO(data))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default="/usr/share/openclipart/png")
    ap.add_argument("--out", default=os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Samples")))
    ap.add_argument("--list", action="store_true", help="print key, source and caption; write nothing")
    ap.add_argument("--held-out", action="store_true",
                    help="write heldout-5.tar instead: 5 other classes (vehicle, office, map, person, shape)")
    args = ap.parse_args()
    if not os.path.isdir(args.root):
        sys.exit(f"make-samples: {args.root}: not found (apt-get install openclipart-png, or run scripts/setup test)")
    classes = select(args.root, HELD_OUT if args.held_out else CLASSES)
    name = "heldout-5" if args.held_out else TAR_NAME[:-len(".tar")]
    if args.list:
        for cls, paths in classes:
            for i, p in enumerate(paths, 1):
                print(f"{cls}/{i:04d}\t{os.path.relpath(p, args.root)}\t{caption(cls, os.path.basename(p))}")
        return
    os.makedirs(args.out, exist_ok=True)
    tar_path = os.path.join(args.out, name + ".tar")
    tmp = tar_path + ".tmp"
    sources = ["key\tformat\tsource\tcaption"]
    n = 0
    with open(tmp, "wb") as f, tarfile.open(fileobj=f, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for cls, paths in classes:
            for i, p in enumerate(paths, 1):
                kind = ("png", "png8", "jpg")[n % 3]
                n += 1
                ext = "jpg" if kind == "jpg" else "png"
                key = f"{cls}/{i:04d}"
                cap = caption(cls, os.path.basename(p))
                add(tar, f"{key}.{ext}", encode(p, kind))
                add(tar, f"{key}.txt", cap.encode("utf-8"))   # no trailing newline
                sources.append(f"{key}\t{ext}\t{os.path.relpath(p, args.root)}\t{cap}")
    os.replace(tmp, tar_path)
    with open(os.path.join(args.out, name + ".sources.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(sources) + "\n")
    print(f"make-samples: wrote {tar_path} ({n} images, {os.path.getsize(tar_path)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
