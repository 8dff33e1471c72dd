#!/usr/bin/env python3
"""Checks the embeddings in an oodsynth stream against the reference implementations.

usage: check_embeddings.py STREAM.tar clip CLIP_FOLDER [N]
       check_embeddings.py STREAM.tar sentence MINILM_FOLDER [N]

For the first N samples: `txt.npy` must equal the normalized transformers CLIP text features (or
sentence-transformers embedding) of the sample's caption, and for CLIP `img.npy` the normalized image
features of the sample's image after CLIPImageProcessor (PIL backend) at the model's image size.
Every sample must carry unit-norm float32 vectors of the header's dimension.
"""
import io
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np
import torch
from PIL import Image

from oodstream import samples


def main():
    stream, kind, folder = sys.argv[1], sys.argv[2], sys.argv[3]
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    items = samples(stream)
    assert items[0][0] == "__stream__", "no header"
    header = json.loads(items[0][1]["json"])
    dim = header["model"]["dimension"]
    body = items[1:]
    assert body, "no samples"
    for key, fields in body:
        for ext in ("txt.npy", "img.npy") if kind == "clip" else ("txt.npy",):
            vector = np.load(io.BytesIO(fields[ext]))
            assert vector.dtype == np.float32 and vector.shape == (dim,), f"{key}.{ext}: {vector.dtype} {vector.shape}"
            assert abs(np.linalg.norm(vector) - 1) < 1e-4, f"{key}.{ext}: norm {np.linalg.norm(vector)}"
    checked = body[:limit]
    captions = [fields["txt"].decode() for _, fields in checked]
    ours_text = np.stack([np.load(io.BytesIO(fields["txt.npy"])) for _, fields in checked])
    with torch.inference_mode():
        if kind == "clip":
            from transformers import AutoTokenizer, CLIPModel
            from transformers.models.clip.image_processing_clip import CLIPImageProcessor
            model = CLIPModel.from_pretrained(folder).eval()
            tokenizer = AutoTokenizer.from_pretrained(folder, pad_token="<|endoftext|>")
            tokens = tokenizer(captions, padding=True, truncation=True, max_length=77, return_tensors="pt")
            out = model.get_text_features(**tokens)
            ref_text = getattr(out, "pooler_output", out).numpy()
            size = model.config.vision_config.image_size
            try:
                from transformers import CLIPImageProcessorPil as Processor
            except ImportError:
                Processor = CLIPImageProcessor
            processor = Processor(size={"shortest_edge": size}, crop_size={"height": size, "width": size})
            images = [Image.open(io.BytesIO(f.get("png") or f.get("jpg"))).convert("RGB") for _, f in checked]
            pixels = processor(images=images, return_tensors="pt")["pixel_values"]
            out = model.get_image_features(pixel_values=pixels)
            ref_image = getattr(out, "pooler_output", out).numpy()
            ref_image /= np.linalg.norm(ref_image, axis=1, keepdims=True)
            ours_image = np.stack([np.load(io.BytesIO(f["img.npy"])) for _, f in checked])
            image_error = np.abs(ours_image - ref_image).max()
            assert image_error < 1e-3, f"image embeddings differ from transformers by {image_error}"
        else:
            from sentence_transformers import SentenceTransformer
            ref_text = SentenceTransformer(folder, device="cpu").encode(captions, convert_to_numpy=True)
    ref_text = ref_text / np.linalg.norm(ref_text, axis=1, keepdims=True)
    cosine = (ours_text * ref_text).sum(axis=1).min()
    error = np.abs(ours_text - ref_text).max()
    assert cosine > 0.9999, f"text embeddings: min cosine {cosine} to the reference"
    print(f"ok: {len(body)} samples of dimension {dim}; checked {len(checked)}: text max abs diff {error:.2e}, min cosine {cosine:.6f}")


if __name__ == "__main__":
    main()
