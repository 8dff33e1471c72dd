#!/usr/bin/env python3
"""Splits an archive of class folders (Samples/openclipart-12.tar) for evaluation: the first
ID_CLASSES classes (sorted) are ID, their images alternately into id-train/ and id-test/; the other
classes' images go to ood-test/, unseen in training. With FIRST, the ID classes are the ID_CLASSES
classes from the FIRST-th on (sorted, wrapping around): another split of the same archive.

usage: split-samples.py ARCHIVE OUT_DIR [ID_CLASSES=8] [FIRST=0]
"""
import collections
import os
import sys
import tarfile


def main():
    archive, out = sys.argv[1], sys.argv[2]
    id_classes = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    with tarfile.open(archive) as tar:
        images = sorted((m for m in tar.getmembers() if m.isfile() and m.name.rsplit(".", 1)[-1] in ("png", "jpg")),
                        key=lambda m: m.name)
        classes = sorted({m.name.split("/")[0] for m in images})
        classes = classes[first:] + classes[:first]
        seen = collections.Counter()
        for member in images:
            label = member.name.split("/")[0]
            if label in classes[:id_classes]:
                split = ("id-train", "id-test")[seen[label] % 2]
                seen[label] += 1
            else:
                split = "ood-test"
            folder = os.path.join(out, split, label)
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, os.path.basename(member.name)), "wb") as f:
                f.write(tar.extractfile(member).read())
    print(f"ID: {', '.join(classes[:id_classes])}; OOD: {', '.join(classes[id_classes:])}", file=sys.stderr)


if __name__ == "__main__":
    main()
