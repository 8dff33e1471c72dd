#!/usr/bin/env python3
"""embed-worker: the embedding worker of `oodsynth embed --backend worker:CMD`.

It loads one Hugging Face CLIP folder (the same folder oodsynth's --model names) with
transformers and embeds what oodsynth sends: image pixels it has already preprocessed, and
captions. JSON Lines over stdin/stdout; stdout carries only protocol lines, one JSON object per
line, UTF-8, flushed after each; logs and warnings go to stderr.

The first line, written once the model is loaded, is the handshake:
  {"protocol": "oodsynth-embed-worker", "version": 1, "model": "<folder>", "weights_sha256": "<hex of model.safetensors or null>", "dimension": <projection dim>, "image_size": <vision image size>, "context_length": <text positions>, "device": "cpu|cuda|mps", "dtype": "float32|float16|bfloat16", "torch_version": "...", "transformers_version": "..."}
Then one request per stdin line, until EOF (exit 0), either
  {"id": "<string>", "pixels": "<base64 uint8>", "shape": [n, S, S, 3], "mean": [3 floats], "std": [3 floats]}
    n images, already resized and center-cropped to S x S by oodsynth (RGB, row-major, channels
    last, exactly the bytes its own encoder normalizes); the worker normalizes them as
    x * (1 / (255 * std)) - mean / std in float32, channels first, and runs the vision tower;
or
  {"id": "<string>", "texts": ["...", ...]}
    tokenized with the folder's CLIP tokenizer, truncated to context_length tokens (start and
    end-of-text included), padded to the longest;
and exactly one response line per request, in request order:
  {"id": "<same id>", "embeddings": "<base64 float32 little-endian, n x dimension, row-major>", "shape": [n, dimension]}
  {"id": "<same id>", "error": "<one-line reason>"}
Embeddings are the projected features, L2-normalized in float32. A line that is not a JSON
object is answered with {"id": null, "error": "..."}; blank lines are skipped. A bad request
never stops the worker.

Started by oodsynth (stdin is then a Unix socket) the worker asks the kernel to SIGKILL it
when its parent dies (prctl PR_SET_PDEATHSIG), so a killed oodsynth leaves no worker behind
even while it is busy; run by hand it does not, so nohup and shell pipes work as usual.

Examples:
  oodsynth embed --model /models/clip-vit-large-patch14 \\
      --backend "worker:python3 scripts/embed-worker.py --model /models/clip-vit-large-patch14 --dtype float16"
  printf '%s\\n' '{"id":"a","texts":["a red cube"]}' \\
    | python3 scripts/embed-worker.py --model Tests/EncodersTests/Resources/tiny-clip --device cpu
"""
import argparse
import base64
import ctypes
import hashlib
import json
import os
import signal
import stat
import sys
import time

PROG = "embed-worker"
PROTOCOL = "oodsynth-embed-worker"
PROTOCOL_VERSION = 1
PR_SET_PDEATHSIG = 1


class UsageError(Exception):
    """A bad option or an unloadable model: one line on stderr, exit code 2."""


class RequestError(ValueError):
    """A problem with one request: answered with an error, never fatal to the worker."""


def log(message):
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def one_line(error):
    """An exception as one protocol-safe line (no newlines, bounded length)."""
    text = str(error) if isinstance(error, RequestError) else f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    return text if len(text) <= 1000 else text[:997] + "..."


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{message} (see --help)")


def parse_args(argv):
    p = Parser(prog="embed-worker.py",
               description="Embedding worker for `oodsynth embed --backend worker:CMD` "
                           "(transformers CLIP; JSON Lines on stdin/stdout).",
               epilog="The protocol is described at the top of this file.")
    p.add_argument("--model", metavar="DIR", required=True,
                   help="a Hugging Face CLIP folder (config.json, model.safetensors, tokenizer files)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda", "mps"), default="auto",
                   help="auto: cuda if available, then mps, else cpu")
    p.add_argument("--dtype", choices=("float32", "float16", "bfloat16"), default="float32",
                   help="weights and activations (default float32; float16 is about twice as fast "
                        "on a GPU and differs from oodsynth's native embeddings in the 3rd decimal)")
    p.add_argument("--threads", type=int, metavar="N", help="torch CPU threads (default: torch's)")
    return p.parse_args(argv)


def die_with_parent():
    """SIGKILL from the kernel when the parent dies, if oodsynth started us (stdin is its socket)."""
    try:
        if not stat.S_ISSOCK(os.fstat(0).st_mode):
            return
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass    # not Linux: stdin EOF still ends the worker once it is idle


def take_stdout():
    """Keep the real stdout for protocol lines only: fd 1 and sys.stdout go to stderr, since one
    stray byte printed by a library would corrupt the protocol."""
    proto_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(proto_fd, "w", encoding="utf-8", newline="\n")


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Embedder:
    def __init__(self, args):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        import transformers
        from transformers import AutoTokenizer, CLIPModel
        transformers.utils.logging.disable_progress_bar()    # stderr is the user's terminal or log
        if args.threads:
            torch.set_num_threads(args.threads)
        self.torch = torch
        self.device = self.pick_device(args.device)
        self.dtype = getattr(torch, args.dtype)
        folder = args.model
        if not os.path.isfile(os.path.join(folder, "config.json")):
            raise UsageError(f"--model {folder}: no config.json (expected a Hugging Face CLIP folder)")
        try:
            self.model = CLIPModel.from_pretrained(folder, dtype=self.dtype).to(self.device).eval()
            # The pad token only fills positions after end-of-text, which the causal text tower
            # never lets the pooled end-of-text position see; folders without one get CLIP's usual.
            tokenizer = AutoTokenizer.from_pretrained(folder)
            if tokenizer.pad_token is None:
                tokenizer.pad_token = "<|endoftext|>"
            self.tokenizer = tokenizer
        except Exception as error:
            raise UsageError(f"cannot load CLIP from {folder}: {one_line(error)}") from error
        config = self.model.config
        weights = os.path.join(folder, "model.safetensors")
        self.handshake = {
            "protocol": PROTOCOL, "version": PROTOCOL_VERSION, "model": folder,
            "weights_sha256": sha256_of(weights) if os.path.isfile(weights) else None,
            "dimension": config.projection_dim, "image_size": config.vision_config.image_size,
            "context_length": config.text_config.max_position_embeddings,
            "device": self.device, "dtype": args.dtype,
            "torch_version": torch.__version__, "transformers_version": transformers.__version__,
        }

    def pick_device(self, name):
        cuda, mps = self.torch.cuda.is_available(), self.torch.backends.mps.is_available()
        if name == "auto":
            return "cuda" if cuda else "mps" if mps else "cpu"
        if name == "cuda" and not cuda:
            raise UsageError("--device cuda: CUDA is not available to this torch")
        if name == "mps" and not mps:
            raise UsageError("--device mps: MPS is not available to this torch")
        return name

    def answer(self, request):
        if "texts" in request:
            features = self.text_features(request["texts"])
        elif "pixels" in request:
            features = self.image_features(request)
        else:
            raise RequestError("a request needs texts or pixels")
        # Normalized in float32 whatever the model's dtype, like oodsynth's own encoders.
        features = features.float()
        features = features / features.norm(dim=-1, keepdim=True).clamp_min(1e-30)
        array = features.cpu().numpy().astype("<f4", copy=False)
        return {"embeddings": base64.b64encode(array.tobytes()).decode("ascii"), "shape": list(array.shape)}

    def text_features(self, texts):
        if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
            raise RequestError("texts must be a list of strings")
        if not texts:
            raise RequestError("texts is empty")
        tokens = self.tokenizer(texts, padding=True, truncation=True, return_tensors="pt",
                                max_length=self.handshake["context_length"]).to(self.device)
        with self.torch.inference_mode():
            out = self.model.get_text_features(input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"])
        return getattr(out, "pooler_output", out)

    def image_features(self, request):
        torch, size = self.torch, self.handshake["image_size"]
        shape, mean, std = request.get("shape"), request.get("mean"), request.get("std")
        if not (isinstance(shape, list) and len(shape) == 4 and shape[0] >= 1 and shape[1:] == [size, size, 3]):
            raise RequestError(f"shape must be [n, {size}, {size}, 3] for this model, not {shape}")
        if not all(isinstance(v, list) and len(v) == 3 and all(isinstance(x, (int, float)) for x in v) for v in (mean, std)) \
                or 0 in std:
            raise RequestError("mean and std must be 3 numbers each, std nonzero")
        try:
            data = base64.b64decode(request["pixels"], validate=True)
        except (TypeError, ValueError) as error:
            raise RequestError(f"pixels is not base64: {one_line(error)}") from error
        if len(data) != shape[0] * size * size * 3:
            raise RequestError(f"pixels has {len(data)} bytes, shape {shape} needs {shape[0] * size * size * 3}")
        pixels = torch.frombuffer(bytearray(data), dtype=torch.uint8).view(*shape).to(self.device)
        # The same float32 operations as oodsynth's CLIPImagePreprocessor, so the tower sees the
        # same values to the last bit or so.
        std_t = torch.tensor(std, dtype=torch.float32, device=self.device)
        mean_t = torch.tensor(mean, dtype=torch.float32, device=self.device)
        values = pixels.permute(0, 3, 1, 2).float() * (1 / (255 * std_t)).view(1, 3, 1, 1) - (mean_t / std_t).view(1, 3, 1, 1)
        with torch.inference_mode():
            out = self.model.get_image_features(pixel_values=values.to(self.dtype))
        return getattr(out, "pooler_output", out)


def serve(embedder, proto):
    def send(obj):
        proto.write(json.dumps(obj, ensure_ascii=False) + "\n")
        proto.flush()

    send(embedder.handshake)
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as error:
            send({"id": None, "error": f"not a JSON line: {one_line(error)}"})
            continue
        if not isinstance(request, dict) or not isinstance(request.get("id"), str):
            send({"id": None, "error": "a request must be a JSON object with a string id"})
            continue
        try:
            send({"id": request["id"], **embedder.answer(request)})
        except Exception as error:      # one bad request never stops the worker
            send({"id": request["id"], "error": one_line(error)})
    return 0


def main(argv=None):
    die_with_parent()
    # Foundation.Process may start us with these blocked (a child inherits the spawning thread's
    # mask): SIGTERM would never arrive.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        args = parse_args(argv)        # before take_stdout: --help belongs on stdout
        proto = take_stdout()
        started = time.monotonic()
        embedder = Embedder(args)
        log(f"loaded {args.model} on {embedder.device}/{args.dtype} in {time.monotonic() - started:.2f} s")
        return serve(embedder, proto)
    except UsageError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        log("stdout closed by the reader; exiting")
        return 1


if __name__ == "__main__":
    sys.exit(main())
