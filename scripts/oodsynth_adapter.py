#!/usr/bin/env python3
"""Loads an oodsynth adapter folder (config.json + adapter.safetensors) as a PyTorch module.

    import oodsynth_adapter
    adapter = oodsynth_adapter.load("model/adapter")        # the folder oodsynth wrote
    image_embeds = clip.get_image_features(**inputs)       # [B, d], raw CLIP image embeddings
    class_logits, id_score = adapter(image_embeds)         # [B, C] and [B]; id_score near 0 = OOD
    names = [adapter.classes[i] for i in class_logits.argmax(1)]

Forward (the trainer's): x = image_embeds / ||image_embeds||; u = x + W2 relu(W1 x + b1); a = u / ||u||;
z = scale * a . rows_normalized(concat(prototypes, negatives)); class_logits = z[:, :C];
id_score = sum of softmax(z) over the first C entries.

usage: oodsynth_adapter.py FOLDER EMBEDDINGS.npy
  prints one JSON line per row of the [B, d] array: {"id_score", "class", "class_probability"}, where
  class_probability is the softmax over the C class logits only, at the argmax class.
"""
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import load_file

PARAMETERS = ["prototypes", "negatives", "adapter.w1", "adapter.b1", "adapter.w2"]


class OODAdapter(torch.nn.Module):
    def __init__(self, tensors, scale, classes):
        super().__init__()
        self.prototypes = torch.nn.Parameter(tensors["prototypes"])
        self.negatives = torch.nn.Parameter(tensors["negatives"])
        # A submodule, so state_dict() names match adapter.safetensors (adapter.w1, ...) and round-trip.
        self.adapter = torch.nn.Module()
        for name in ("w1", "b1", "w2"):
            setattr(self.adapter, name, torch.nn.Parameter(tensors[f"adapter.{name}"]))
        self.scale = scale
        self.classes = list(classes)

    def forward(self, image_embeds):
        w1, b1, w2 = self.adapter.w1, self.adapter.b1, self.adapter.w2
        x = torch.nn.functional.normalize(image_embeds.to(w1.dtype), dim=-1)  # users pass raw CLIP embeds
        u = x + torch.relu(x @ w1.T + b1) @ w2.T
        a = torch.nn.functional.normalize(u, dim=-1)
        q = torch.nn.functional.normalize(torch.cat([self.prototypes, self.negatives]), dim=-1)
        z = self.scale * a @ q.T
        c = len(self.classes)
        return z[:, :c], torch.softmax(z, dim=-1)[:, :c].sum(-1)


def load(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    if config.get("model_type") != "oodsynth-adapter":
        raise ValueError(f"{folder}: model_type is {config.get('model_type')!r}, not 'oodsynth-adapter'")
    tensors = load_file(os.path.join(folder, "adapter.safetensors"))
    missing = [name for name in PARAMETERS if name not in tensors]
    if missing:
        raise ValueError(f"{folder}: adapter.safetensors lacks {', '.join(missing)}")
    if len(tensors["prototypes"]) != len(config["classes"]):
        raise ValueError(f"{folder}: {len(tensors['prototypes'])} prototypes but {len(config['classes'])} classes")
    return OODAdapter(tensors, float(config["scale"]), config["classes"]).eval()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    adapter = load(sys.argv[1])
    embeds = torch.from_numpy(np.load(sys.argv[2]).astype(np.float32))
    with torch.no_grad():
        logits, id_score = adapter(embeds)
        probability, index = torch.softmax(logits, dim=-1).max(-1)
    for score, i, p in zip(id_score.tolist(), index.tolist(), probability.tolist()):
        print(json.dumps({"id_score": score, "class": adapter.classes[i], "class_probability": p}))


if __name__ == "__main__":
    main()
