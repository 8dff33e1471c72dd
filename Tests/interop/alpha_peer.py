#!/usr/bin/env python3
"""The embeddings of transparent PNGs as a transformers CLIP pipeline makes them, against ours.

usage: alpha_peer.py STREAM.tar CLIP_FOLDER IMAGES_FOLDER processor|convert

STREAM is `oodsynth decode IMAGES_FOLDER ... | oodsynth embed --model CLIP_FOLDER`. For every sample,
the original file (the sample's json `path` under IMAGES_FOLDER) is opened with PIL and either handed
to CLIPImageProcessor as it is (`processor`: transformers' convert_to_rgb composites RGBA on white)
or first converted with PIL's convert('RGB') (`convert`: alpha dropped, stored colours kept, as
open_clip's transform and most training scripts do). Prints one JSON line: the number of samples, how
many had transparent pixels, and the smallest cosine between our img.npy and the normalized
transformers image features.
"""
import io
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np
import torch
from PIL import Image
from transformers import CLIPModel
from transformers.models.clip.image_processing_clip import CLIPImageProcessor

from oodstream import samples


def main():
    stream, folder, images, way = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    model = CLIPModel.from_pretrained(folder).eval()
    # A folder without preprocessor_config.json (the tests' tiny CLIP) gets CLIP's processor at its
    # image size; the PIL backend where this transformers has a choice, as a CLIP pipeline uses.
    size = model.config.vision_config.image_size
    try:
        from transformers import CLIPImageProcessorPil as Processor
    except ImportError:
        Processor = CLIPImageProcessor
    processor = Processor(size={"shortest_edge": size}, crop_size={"height": size, "width": size})
    cosines, transparent = [], 0
    for key, fields in samples(stream):
        if key == "__stream__":
            continue
        record = json.loads(fields["json"])
        image = Image.open(os.path.join(images, record["path"]))
        if image.mode in ("RGBA", "LA") or "transparency" in image.info:
            alpha = np.asarray(image.convert("RGBA"))[..., 3]
            transparent += int((alpha < 255).any())
        if way == "convert":
            image = image.convert("RGB")
        pixels = processor(images=image, return_tensors="pt")["pixel_values"]
        with torch.no_grad():
            theirs = model.get_image_features(pixel_values=pixels)
        theirs = getattr(theirs, "pooler_output", theirs)[0].numpy()
        theirs = theirs / np.linalg.norm(theirs)
        ours = np.load(io.BytesIO(fields["img.npy"]))
        cosines.append(float(np.dot(ours, theirs)))
    print(json.dumps({"samples": len(cosines), "transparent": transparent, "min_cosine": min(cosines)}))


if __name__ == "__main__":
    main()
