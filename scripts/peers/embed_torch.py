#!/usr/bin/env python3
"""The PyTorch peer of `scripts/bench embed`: CLIP (transformers) and MiniLM (sentence-transformers) on
CPU with 2 threads, under torch.inference_mode(). Prints the throughput, items/s (best of --repeats runs
after one warm-up batch), as the first line of stdout; details go to stderr.

  image   CLIPModel(CLIPConfig()) = ViT-B/32 (vision 768 wide, 12 layers, patch 32, 224 px; text 512 wide,
          12 layers), random weights with torch.manual_seed(0); get_image_features on one batch of 32
          random [3,224,224] images. A second stdout line gives the FLOP count per image (multiply-adds
          x 2 of the matrix products: patch embedding, attention, MLP, projection; the elementwise ops
          are left out), for GFLOP/s.
  text    the same model's get_text_features on 256 short captions (about 10 tokens), tokenized and
          padded to 77 (`padding="max_length", max_length=77`, as open_clip does), batch 32. The time
          includes tokenization (Hugging Face fast tokenizer of Tests/TokenizersTests/Resources/clip-tokenizer).
  minilm  SentenceTransformer(<models>/all-MiniLM-L6-v2).encode on 1000 short captions, batch 32
          (tokenization, mean pooling and normalization included).

  save-vitb32 DIR   writes that random ViT-B/32 (seed 0) as a Hugging Face folder (config.json,
          model.safetensors, ~600 MB, F32; plus the CLIP tokenizer files) so the Swift benchmark runs the
          same architecture. Never commit it.

Usage: embed_torch.py image|text|minilm [--repeats N] [--models DIR]
       embed_torch.py save-vitb32 DIR
  --models defaults to $OODSYNTH_MODELS, else <repo>/.models. Runs offline.
"""
import argparse
import os
import shutil
import sys
import time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402
from transformers import CLIPConfig, CLIPModel, CLIPTokenizer  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402

hf_logging.set_verbosity_error()
hf_logging.disable_progress_bar()

ROOT = Path(__file__).resolve().parent.parent.parent
CLIP_TOKENIZER = ROOT / "Tests" / "TokenizersTests" / "Resources" / "clip-tokenizer"
BATCH = 32

SUBJECTS = ["a cat", "two dogs", "an old man", "a red car", "a small boat", "a young woman", "a horse",
            "a wooden chair", "three birds", "a bowl of soup", "a city bus", "a green apple"]
PLACES = ["on a sofa", "in the park", "at the beach", "near a window", "on a busy street",
          "in the snow", "under a tree", "on a table", "in a kitchen", "by the river"]


def captions(count: int) -> list[str]:
    """Deterministic short captions: 9-12 CLIP tokens (mean ~10) with <|startoftext|> and <|endoftext|>."""
    return [f"a photo of {SUBJECTS[i % len(SUBJECTS)]} {PLACES[(i // 3) % len(PLACES)]}" for i in range(count)]


def vitb32() -> CLIPModel:
    torch.manual_seed(0)
    return CLIPModel(CLIPConfig()).eval()


def image_flops(config: CLIPConfig) -> int:
    v = config.vision_config
    patches = (v.image_size // v.patch_size) ** 2
    n, d, f = patches + 1, v.hidden_size, v.intermediate_size
    patch_embedding = 2 * patches * (v.num_channels * v.patch_size ** 2) * d
    per_layer = 2 * n * d * 3 * d + 2 * n * d * d + 2 * 2 * n * n * d + 2 * 2 * n * d * f
    projection = 2 * d * config.projection_dim
    return patch_embedding + v.num_hidden_layers * per_layer + projection


def best_rate(items: int, run, repeats: int) -> float:
    run()  # warm-up: allocator, OpenMP pool, oneDNN kernels
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return items / best


def bench_image(repeats: int) -> None:
    model = vitb32()
    generator = torch.Generator().manual_seed(1)
    size = model.config.vision_config.image_size
    pixels = torch.randn(BATCH, 3, size, size, generator=generator)

    def run():
        model.get_image_features(pixel_values=pixels)

    rate = best_rate(BATCH, run, repeats)
    flops = image_flops(model.config)
    print(f"{rate:.3f}")
    print(flops)
    print(f"image: {rate:.2f} images/s, {flops / 1e9:.3f} GFLOP/image, {rate * flops / 1e9:.1f} GFLOP/s",
          file=sys.stderr)


def bench_text(repeats: int) -> None:
    model = vitb32()
    tok = CLIPTokenizer.from_pretrained(CLIP_TOKENIZER, model_max_length=77, pad_token="<|endoftext|>")
    texts = captions(256)
    lengths = [len(ids) for ids in tok(texts)["input_ids"]]

    def run():
        for i in range(0, len(texts), BATCH):
            batch = tok(texts[i:i + BATCH], padding="max_length", max_length=77, truncation=True,
                        return_tensors="pt")
            model.get_text_features(**batch)

    rate = best_rate(len(texts), run, repeats)
    print(f"{rate:.3f}")
    print(f"text: {rate:.2f} captions/s, {min(lengths)}-{max(lengths)} tokens "
          f"(mean {sum(lengths) / len(lengths):.1f}) padded to 77", file=sys.stderr)


def bench_minilm(repeats: int, models: Path) -> None:
    from sentence_transformers import SentenceTransformer

    folder = models / "all-MiniLM-L6-v2"
    if not (folder / "model.safetensors").exists():
        sys.exit(f"{folder}/model.safetensors not found: run scripts/setup")
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    texts = captions(1000)

    def run():
        model.encode(texts, batch_size=BATCH, show_progress_bar=False, convert_to_numpy=True)

    rate = best_rate(len(texts), run, repeats)
    print(f"{rate:.3f}")
    print(f"minilm: {rate:.2f} sentences/s", file=sys.stderr)


def save_vitb32(folder: Path) -> None:
    model = vitb32()
    model.save_pretrained(folder, safe_serialization=True)
    (folder / "model.safetensors").chmod(0o644)  # safetensors creates it 0600
    copied = []
    for name in ["vocab.json", "merges.txt", "tokenizer.json"]:
        if (CLIP_TOKENIZER / name).exists():
            shutil.copy(CLIP_TOKENIZER / name, folder / name)
            copied.append(name)
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    print(f"wrote {folder}: config.json, model.safetensors{''.join(', ' + n for n in copied)} "
          f"({size / 1e6:.0f} MB)", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["image", "text", "minilm", "save-vitb32"])
    parser.add_argument("dir", nargs="?", help="output folder of save-vitb32")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", type=Path,
                        default=Path(os.environ.get("OODSYNTH_MODELS", ROOT / ".models")))
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    with torch.inference_mode():
        if args.mode == "save-vitb32":
            if not args.dir:
                parser.error("save-vitb32 needs DIR")
            save_vitb32(Path(args.dir))
        elif args.mode == "image":
            bench_image(args.repeats)
        elif args.mode == "text":
            bench_text(args.repeats)
        else:
            bench_minilm(args.repeats, args.models)


if __name__ == "__main__":
    main()
