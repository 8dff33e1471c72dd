#!/usr/bin/env python3
"""A deliberately misbehaving oodsynth worker, for the tests of how `generate` survives its worker.

Speaks the real protocol (handshake line, one answer line per request) until it misbehaves:
  --die-after N     answer N requests, then exit with status 3 (a crash)
  --hang            handshake, then read requests and never answer
  --no-handshake    write a line that is not a handshake, then wait
  --exit-at-start   exit with status 4 before the handshake, saying why on stderr
Answers are solid-colour PNGs of the requested size (colour from the seed), made with PIL.
"""
import argparse
import base64
import io
import json
import sys
import time

from PIL import Image


def png(width, height, seed):
    image = Image.new("RGB", (width, height), (seed % 256, (seed >> 8) % 256, (seed >> 16) % 256))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--die-after", type=int)
    parser.add_argument("--hang", action="store_true")
    parser.add_argument("--no-handshake", action="store_true")
    parser.add_argument("--exit-at-start", action="store_true")
    args = parser.parse_args()
    if args.exit_at_start:
        print("flaky_worker: cannot load model /nowhere", file=sys.stderr)
        sys.exit(4)
    if args.no_handshake:
        print("Loading pipeline components...", flush=True)
        time.sleep(30)
        return
    print(json.dumps({"protocol": "oodsynth-worker", "version": 1, "backend": "flaky", "model": "flaky",
                      "capabilities": {"image_embeds": False, "max_batch": 1}}), flush=True)
    answered = 0
    for line in sys.stdin:
        request = json.loads(line)
        if args.hang:
            continue
        if args.die_after is not None and answered >= args.die_after:
            print("flaky_worker: crashing on purpose", file=sys.stderr, flush=True)
            sys.exit(3)
        print(json.dumps({"id": request["id"], "png": png(request["width"], request["height"], request["seed"])}), flush=True)
        answered += 1


if __name__ == "__main__":
    main()
