#!/usr/bin/env python3
"""diffusion-worker: the image-generation worker of `oodsynth generate --backend worker:CMD`.

It loads one Hugging Face diffusers pipeline (a Stable Diffusion 1.x/2.x/SDXL folder or
single file, a stable unCLIP folder, optionally with an IP-Adapter, or a tiny random-weight
pipeline built in code for tests) and serves it in one of two modes.

Mode 1 (default): JSON Lines over stdin/stdout.
  stdout carries only protocol lines, one JSON object per line, UTF-8, flushed after each;
  logs, warnings and progress bars go to stderr. The first line, written once the pipeline
  is loaded, is the handshake:
    {"protocol": "oodsynth-worker", "version": 1, "backend": "diffusers", "diffusers_version": "...", "pipeline": "<pipeline class name>", "model": "<model path or 'tiny-random'>", "device": "cpu|cuda|mps", "dtype": "float32|float16", "capabilities": {"image_embeds": true|false, "image_embeds_dim": <int or null>, "negative_prompt": true, "max_batch": <int>, "max_size": <int>}}
  Then one request per stdin line, until EOF (exit 0):
    {"id": "<string>", "prompt": "...", "negative_prompt": "...", "seed": <int 0..2^32-1>, "steps": <int>, "guidance": <float>, "width": <int>, "height": <int>, "image_embeds": [<floats>] (optional)}
  and exactly one response line per request, in request order:
    {"id": "<same id>", "png": "<base64 PNG bytes>"}
    {"id": "<same id>", "error": "<one-line reason>"}
  A line that is not a JSON object is answered with {"id": null, "error": "..."}; blank lines
  are skipped. A bad request never stops the worker.

Mode 2 (--http PORT): the AUTOMATIC1111 / Forge web API on 127.0.0.1 (PORT 0 picks a free
  port). Once listening it prints one stdout line,
    oodsynth-worker: serving the A1111 API on http://127.0.0.1:PORT
  and serves GET /sdapi/v1/options, GET /sdapi/v1/sd-models and POST /sdapi/v1/txt2img
  (A1111 field names, plus the extension field `oodsynth_image_embeds`). It exits cleanly
  on SIGTERM or SIGINT.

Started by oodsynth (stdin is then a Unix socket) the worker asks the kernel to SIGKILL it when
its parent dies (prctl PR_SET_PDEATHSIG), so a killed oodsynth leaves no worker behind.

Determinism: the same request on the same machine, options and library versions gives a
byte-identical PNG (per-request CPU torch.Generator seeded with `seed`, deterministic
algorithms where torch has them, PNG written by Pillow without metadata).

Examples:
  oodsynth generate --backend "worker:python3 scripts/diffusion-worker.py --model /models/sd15"
  python3 scripts/diffusion-worker.py --tiny-random --http 7860
  printf '%s\\n' '{"id":"a","prompt":"a red cube","seed":1,"steps":20,"guidance":7.5,"width":64,"height":64}' \\
    | python3 scripts/diffusion-worker.py --tiny-random
"""
import argparse
import base64
import ctypes
import io
import json
import math
import os
import secrets
import select
import signal
import stat
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

PROG = "diffusion-worker"
PROTOCOL = "oodsynth-worker"
PROTOCOL_VERSION = 1
TINY_MODEL_NAME = "tiny-random"
MAX_SEED = 2**32 - 1
MAX_STEPS = 1000
MAX_EMBEDS_DIM = 65536
MAX_HTTP_IMAGES = 100          # batch_size * n_iter of one txt2img call
MAX_HTTP_BODY = 16 * 1024 * 1024
SAFETENSORS_SUFFIXES = (".safetensors", ".ckpt")

EXAMPLES = """\
examples:
  oodsynth generate --backend "worker:python3 scripts/diffusion-worker.py --model /models/sd15"
  python3 scripts/diffusion-worker.py --model /models/sd-xl.safetensors --sdxl --device cuda
  python3 scripts/diffusion-worker.py --model /models/sd15 \\
      --ip-adapter h94/IP-Adapter --ip-adapter-subfolder models --ip-adapter-weight-name ip-adapter_sd15.safetensors
  python3 scripts/diffusion-worker.py --tiny-random --http 7860
  python3 scripts/diffusion-worker.py --tiny-random --unclip-embeds-dim 384 < requests.jsonl

The JSON Lines protocol and the HTTP API are described at the top of this file."""


class UsageError(Exception):
    """A bad option or an unloadable model: one line on stderr, exit code 2."""


class RequestError(ValueError):
    """A problem with one request: answered with an error, never fatal to the worker."""


class FlaggedImage(RuntimeError):
    """The model's own safety checker flagged the image (diffusers would return a black image)."""


def log(message):
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def one_line(error):
    """An exception as one protocol-safe line (no newlines, bounded length)."""
    text = str(error) if isinstance(error, RequestError) else f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    return text if len(text) <= 1000 else text[:997] + "..."


# ---------------------------------------------------------------------------------------------
# Options


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # One clear line instead of argparse's usage dump, same shape as the other fatal errors.
        raise UsageError(f"{message} (see --help)")


def parse_args(argv):
    p = Parser(prog="diffusion-worker.py",
               description="Image-generation worker for `oodsynth generate --backend worker:CMD` "
                           "(diffusers; JSON Lines on stdin/stdout, or the A1111 API with --http).",
               epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_argument_group("model (one of --model or --tiny-random)")
    src.add_argument("--model", metavar="PATH",
                     help="a diffusers folder (model_index.json; SD 1.x/2.x/SDXL or stable unCLIP) "
                          "or a single .safetensors/.ckpt file")
    src.add_argument("--sdxl", action="store_true",
                     help="the single-file --model is SDXL (default: SD 1.x/2.x)")
    src.add_argument("--config", metavar="DIR_OR_REPO",
                     help="diffusers config for a single-file --model (a local folder or a cached "
                          "Hub repo; needed offline when the Hub cache lacks the default one)")
    src.add_argument("--tiny-random", action="store_true",
                     help="build a tiny random-weight pipeline in code (tests; no files needed)")
    src.add_argument("--unclip-embeds-dim", type=int, metavar="D",
                     help="with --tiny-random: a tiny stable unCLIP pipeline taking image_embeds of dim D")
    src.add_argument("--unclip-noise-level", type=int, default=0, metavar="N",
                     help="stable unCLIP: noise added to the image embeddings (default 0)")
    ipa = p.add_argument_group("IP-Adapter (text-to-image pipelines)")
    ipa.add_argument("--ip-adapter", metavar="REPO_OR_PATH", help="load this IP-Adapter")
    ipa.add_argument("--ip-adapter-weight-name", metavar="NAME", help="its weight file, e.g. ip-adapter_sd15.safetensors")
    ipa.add_argument("--ip-adapter-subfolder", metavar="S", help="its subfolder, e.g. models")
    ipa.add_argument("--ip-adapter-scale", type=float, default=0.6, metavar="X",
                     help="strength of the image embedding (default 0.6)")
    run = p.add_argument_group("runtime")
    run.add_argument("--device", choices=("auto", "cpu", "cuda", "mps"), default="auto",
                     help="auto: cuda if available, then mps, else cpu")
    run.add_argument("--dtype", choices=("auto", "float32", "float16"), default="auto",
                     help="auto: float16 on cuda/mps, float32 on cpu")
    run.add_argument("--threads", type=int, metavar="N", help="CPU threads for torch (default: torch's)")
    run.add_argument("--max-size", type=int, default=1024, metavar="N",
                     help="largest accepted width/height (default 1024)")
    run.add_argument("--max-batch", type=int, default=1, metavar="N",
                     help="run up to N compatible queued requests as one pipeline batch (default 1; "
                          "above 1 an image may differ in its last bits depending on its batch mates)")
    run.add_argument("--http", type=int, metavar="PORT",
                     help="serve the AUTOMATIC1111 API on 127.0.0.1:PORT instead (0: a free port)")
    args = p.parse_args(argv)
    check_args(args)
    return args


def check_args(args):
    if bool(args.model) == bool(args.tiny_random):
        raise UsageError("give exactly one of --model PATH or --tiny-random (see --help)")
    if args.unclip_embeds_dim is not None:
        if not args.tiny_random:
            raise UsageError("--unclip-embeds-dim needs --tiny-random (a real unCLIP model has its own dim)")
        if not 1 <= args.unclip_embeds_dim <= MAX_EMBEDS_DIM:
            raise UsageError(f"--unclip-embeds-dim must be in 1...{MAX_EMBEDS_DIM}")
        if args.ip_adapter:
            raise UsageError("--ip-adapter is for text-to-image pipelines, not stable unCLIP")
    if args.sdxl and not (args.model and args.model.endswith(SAFETENSORS_SUFFIXES)):
        raise UsageError("--sdxl is for a single-file --model (.safetensors/.ckpt); a folder says what it is")
    if args.config and not (args.model and args.model.endswith(SAFETENSORS_SUFFIXES)):
        raise UsageError("--config is for a single-file --model (.safetensors/.ckpt)")
    if bool(args.ip_adapter) != bool(args.ip_adapter_weight_name):
        raise UsageError("--ip-adapter and --ip-adapter-weight-name go together")
    if (args.ip_adapter_subfolder is not None) and not args.ip_adapter:
        raise UsageError("--ip-adapter-subfolder needs --ip-adapter")
    if not math.isfinite(args.ip_adapter_scale):
        raise UsageError("--ip-adapter-scale must be a finite number")
    if args.unclip_noise_level < 0:
        raise UsageError("--unclip-noise-level must be >= 0")
    if args.threads is not None and args.threads < 1:
        raise UsageError("--threads must be at least 1")
    if args.max_size < 8:
        raise UsageError("--max-size must be at least 8")
    if args.max_batch < 1:
        raise UsageError("--max-batch must be at least 1")
    if args.http is not None and not 0 <= args.http <= 65535:
        raise UsageError("--http PORT must be in 0...65535")


# ---------------------------------------------------------------------------------------------
# Process setup


def take_stdout():
    """Keep the real stdout for protocol lines only; everything else that writes there goes to stderr.

    Libraries print (progress bars, warnings, native code writing to fd 1), and one stray byte
    would corrupt the protocol, so fd 1 and sys.stdout are pointed at stderr and the protocol
    gets a private duplicate of the original stdout.
    """
    proto_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(proto_fd, "w", encoding="utf-8", newline="\n")


def set_environment():
    # Set before the first import of huggingface_hub/transformers/diffusers, which read them then.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Deterministic cuBLAS needs this before CUDA initialises (harmless elsewhere).
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def set_torch_runtime(args):
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    # warn_only: ops without a deterministic variant warn on stderr instead of failing requests.
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False


def pick_device(name):
    import torch
    cuda, mps = torch.cuda.is_available(), torch.backends.mps.is_available()
    if name == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if name == "cuda" and not cuda:
        raise UsageError("--device cuda: CUDA is not available to this torch")
    if name == "mps" and not mps:
        raise UsageError("--device mps: MPS is not available to this torch")
    return name


def pick_dtype(name, device):
    if name == "auto":
        return "float32" if device == "cpu" else "float16"
    return name


# ---------------------------------------------------------------------------------------------
# Pipelines


def dtype_kwargs(torch_dtype):
    """from_pretrained's dtype argument: `dtype` where this diffusers has it (`torch_dtype` is deprecated there)."""
    from diffusers.pipelines import pipeline_utils
    return {"dtype" if hasattr(pipeline_utils, "_resolve_dtype") else "torch_dtype": torch_dtype}


def load_pipeline(args, torch_dtype):
    """The pipeline named by the options, on the CPU in `torch_dtype`."""
    if args.tiny_random:
        if args.unclip_embeds_dim is not None:
            pipe = build_tiny_unclip(args.unclip_embeds_dim)
        else:
            pipe = build_tiny_text2img()
        return pipe if torch_dtype == pipe.unet.dtype else pipe.to(dtype=torch_dtype)
    model = args.model
    if model.endswith(SAFETENSORS_SUFFIXES):
        if not os.path.isfile(model):
            raise FileNotFoundError(f"no such file: {model}")
        from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline
        cls = StableDiffusionXLPipeline if args.sdxl else StableDiffusionPipeline
        extra = {"config": args.config} if args.config else {}
        return cls.from_single_file(model, **dtype_kwargs(torch_dtype), **extra)
    if os.path.exists(model):
        if not os.path.isfile(os.path.join(model, "model_index.json")):
            raise ValueError("not a diffusers folder (no model_index.json) nor a .safetensors/.ckpt file")
    elif os.path.isabs(model) or model.startswith(".") or model.count("/") != 1:
        raise FileNotFoundError(f"no such file or directory: {model}")
    # else an "owner/name" Hub repo id, loaded from the local Hub cache (offline by default)
    from diffusers import AutoPipelineForText2Image, DiffusionPipeline, StableUnCLIPImg2ImgPipeline
    # load_config reads model_index.json from a folder or from a cached Hub repo id alike.
    class_name = DiffusionPipeline.load_config(model).get("_class_name")
    if class_name == "StableUnCLIPImg2ImgPipeline":
        return StableUnCLIPImg2ImgPipeline.from_pretrained(model, **dtype_kwargs(torch_dtype))
    return AutoPipelineForText2Image.from_pretrained(model, **dtype_kwargs(torch_dtype))


def load_ip_adapter(pipe, args):
    """Load the IP-Adapter; returns the length of the image embedding it projects."""
    from diffusers.models.embeddings import ImageProjection
    if not hasattr(pipe, "load_ip_adapter"):
        raise ValueError(f"{type(pipe).__name__} cannot take an IP-Adapter")
    # image_encoder_folder=None: requests bring embeddings, so the CLIP image encoder is not needed.
    pipe.load_ip_adapter(args.ip_adapter, subfolder=args.ip_adapter_subfolder,
                         weight_name=args.ip_adapter_weight_name, image_encoder_folder=None)
    pipe.set_ip_adapter_scale(args.ip_adapter_scale)
    layers = pipe.unet.encoder_hid_proj.image_projection_layers
    if not isinstance(layers[0], ImageProjection):
        # Plus / FaceID / full-face adapters take CLIP hidden states or face embeddings, not one vector.
        raise ValueError(f"{type(layers[0]).__name__}: only the plain IP-Adapter (one CLIP image "
                         "embedding vector per image) is supported")
    return layers[0].image_embeds.in_features


def unclip_embeds_dim(pipe):
    encoder = getattr(pipe, "image_encoder", None)
    if encoder is not None:
        return encoder.config.projection_dim
    # The unet's class embedding takes the image embedding concatenated with its noise-level embedding.
    return pipe.unet.config.projection_class_embeddings_input_dim // 2


def byte_unicode_alphabet():
    """CLIP's byte-level BPE alphabet: one printable character for each of the 256 byte values."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return [chars[b] for b in range(256)]


def build_tiny_tokenizer():
    """A CLIPTokenizer with a byte-level vocabulary and no merges, written to a temp dir and loaded."""
    from transformers import CLIPTokenizer
    alphabet = byte_unicode_alphabet()
    tokens = alphabet + [c + "</w>" for c in alphabet] + ["<|startoftext|>", "<|endoftext|>"]
    with tempfile.TemporaryDirectory(prefix="diffusion-worker-tok-") as tmp:
        with open(os.path.join(tmp, "vocab.json"), "w", encoding="utf-8") as f:
            json.dump({t: i for i, t in enumerate(tokens)}, f, ensure_ascii=False)
        with open(os.path.join(tmp, "merges.txt"), "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n")
        return CLIPTokenizer.from_pretrained(tmp, model_max_length=77)


def build_tiny_text_encoder(tokenizer):
    from transformers import CLIPTextConfig, CLIPTextModel
    config = CLIPTextConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=37,
                            num_attention_heads=4, num_hidden_layers=2, max_position_embeddings=77,
                            bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                            pad_token_id=tokenizer.pad_token_id)
    return CLIPTextModel(config).eval()


def build_tiny_unet(**extra):
    from diffusers import UNet2DConditionModel
    return UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4, layers_per_block=1, block_out_channels=(32, 64),
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, attention_head_dim=8, norm_num_groups=8, **extra).eval()


def build_tiny_vae():
    from diffusers import AutoencoderKL
    # Four blocks give the real Stable Diffusion latent scale (1/8), so sizes behave like SD's;
    # the narrow channels keep decoding a 64x64 image cheap.
    return AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, layers_per_block=1,
        block_out_channels=(8, 16, 32, 32), norm_num_groups=8, sample_size=64,
        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4).eval()


def tiny_scheduler(**extra):
    from diffusers import DDIMScheduler
    return DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                         clip_sample=False, set_alpha_to_one=False, steps_offset=1, **extra)


def build_tiny_text2img():
    import torch
    from diffusers import StableDiffusionPipeline
    torch.manual_seed(0)   # the same random weights on every run
    tokenizer = build_tiny_tokenizer()
    return StableDiffusionPipeline(
        vae=build_tiny_vae(), text_encoder=build_tiny_text_encoder(tokenizer), tokenizer=tokenizer,
        unet=build_tiny_unet(), scheduler=tiny_scheduler(), safety_checker=None,
        feature_extractor=None, requires_safety_checker=False)


def build_tiny_unclip(dim):
    import torch
    from diffusers import DDPMScheduler, StableUnCLIPImg2ImgPipeline
    from diffusers.pipelines.stable_diffusion.stable_unclip_image_normalizer import StableUnCLIPImageNormalizer
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection
    torch.manual_seed(0)
    tokenizer = build_tiny_tokenizer()
    # The vision encoder only runs if a request sent an image, which the protocol never does;
    # the pipeline still requires one, so it is as small as CLIP allows.
    vision = CLIPVisionConfig(hidden_size=32, projection_dim=dim, intermediate_size=37, num_attention_heads=4,
                              num_hidden_layers=1, image_size=32, patch_size=8)
    return StableUnCLIPImg2ImgPipeline(
        feature_extractor=CLIPImageProcessor(crop_size=32, size=32),
        image_encoder=CLIPVisionModelWithProjection(vision).eval(),
        image_normalizer=StableUnCLIPImageNormalizer(embedding_dim=dim),
        image_noising_scheduler=DDPMScheduler(beta_schedule="squaredcos_cap_v2"),
        tokenizer=tokenizer, text_encoder=build_tiny_text_encoder(tokenizer),
        # The class embedding takes [image embedding, noise-level embedding], hence 2 * dim.
        unet=build_tiny_unet(class_embed_type="projection", projection_class_embeddings_input_dim=2 * dim),
        scheduler=tiny_scheduler(prediction_type="v_prediction"), vae=build_tiny_vae())


# ---------------------------------------------------------------------------------------------
# Requests


@dataclass(frozen=True)
class Job:
    """One image to generate, validated."""
    prompt: str
    negative_prompt: str
    seed: int
    steps: int
    guidance: float
    width: int
    height: int
    image_embeds: tuple = None

    def batch_key(self):
        """Jobs with equal keys can share one pipeline call."""
        return (self.steps, self.guidance, self.width, self.height, self.image_embeds is None)


_REQUIRED = object()


def get_field(obj, key, kind, default=_REQUIRED):
    """obj[key] checked to be a str, an int or a finite number; missing or null takes `default`."""
    value = obj.get(key)
    if value is None:
        if default is _REQUIRED:
            raise RequestError(f"missing field {key}")
        return default
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and math.isfinite(value):
        return float(value)
    noun = {"str": "a string", "int": "an integer", "number": "a finite number"}[kind]
    raise RequestError(f"{key} must be {noun}")


def check_range(key, value, lo, hi):
    if not lo <= value <= hi:
        raise RequestError(f"{key} must be in {lo}...{hi}, got {value}")
    return value


class Worker:
    """The loaded pipeline and what it can do; turns validated jobs into PNGs."""

    def __init__(self, pipe, args, model_name, device, dtype_name):
        self.pipe = pipe
        self.model_name = model_name
        self.device = device
        self.dtype_name = dtype_name
        self.max_batch = args.max_batch
        self.max_size = args.max_size
        self.ip_adapter_scale = args.ip_adapter_scale
        self.noise_level = args.unclip_noise_level
        self.kind, self.embeds_dim = "text2img", None
        if type(pipe).__name__ == "StableUnCLIPImg2ImgPipeline":
            self.kind, self.embeds_dim = "unclip", unclip_embeds_dim(pipe)
            levels = pipe.image_noising_scheduler.config.num_train_timesteps
            if self.noise_level >= levels:
                raise UsageError(f"--unclip-noise-level must be below {levels} for this model")
        elif args.ip_adapter:
            try:
                self.kind, self.embeds_dim = "ip_adapter", load_ip_adapter(pipe, args)
            except Exception as error:
                raise UsageError(f"cannot load IP-Adapter {args.ip_adapter}: {one_line(error)}")

    def handshake(self):
        import diffusers
        return {"protocol": PROTOCOL, "version": PROTOCOL_VERSION, "backend": "diffusers",
                "diffusers_version": diffusers.__version__, "pipeline": type(self.pipe).__name__,
                "model": self.model_name, "device": self.device, "dtype": self.dtype_name,
                "capabilities": {"image_embeds": self.embeds_dim is not None,
                                 "image_embeds_dim": self.embeds_dim, "negative_prompt": True,
                                 "max_batch": self.max_batch, "max_size": self.max_size}}

    # -- validation shared by both modes

    def make_job(self, prompt, negative_prompt, seed, steps, guidance, width, height, embeds, embeds_key):
        check_range("seed", seed, 0, MAX_SEED)
        check_range("steps", steps, 1, MAX_STEPS)
        if guidance < 0:
            raise RequestError(f"guidance must be >= 0, got {guidance}")
        for key, value in (("width", width), ("height", height)):
            check_range(key, value, 8, self.max_size)
            if value % 8:
                raise RequestError(f"{key} must be a multiple of 8, got {value}")
        return Job(prompt, negative_prompt, seed, steps, guidance, width, height,
                   self.check_embeds(embeds, embeds_key))

    def check_embeds(self, embeds, key):
        if embeds is None:
            return None
        if self.embeds_dim is None:
            raise RequestError(f"{key} sent, but this pipeline ({type(self.pipe).__name__}) takes no image "
                               "embeddings (use a stable unCLIP model or load an IP-Adapter)")
        if not isinstance(embeds, list) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in embeds):
            raise RequestError(f"{key} must be a list of finite numbers")
        if len(embeds) != self.embeds_dim:
            raise RequestError(f"{key} has {len(embeds)} values, this pipeline expects {self.embeds_dim}")
        return tuple(float(v) for v in embeds)

    def job_from_request(self, req):
        """A protocol request object -> Job (raises RequestError)."""
        return self.make_job(
            prompt=get_field(req, "prompt", "str"),
            negative_prompt=get_field(req, "negative_prompt", "str", ""),
            seed=get_field(req, "seed", "int"), steps=get_field(req, "steps", "int"),
            guidance=get_field(req, "guidance", "number"),
            width=get_field(req, "width", "int"), height=get_field(req, "height", "int"),
            embeds=req.get("image_embeds"), embeds_key="image_embeds")

    # -- generation

    def generate(self, jobs):
        """PNG base64 strings (or the exception) for `jobs`, in order; never raises for a job's failure."""
        results = []
        for group in batches(jobs, self.max_batch):
            try:
                results += self._run(group)
            except Exception as error:       # isolate the culprit: a batch failure retries one by one
                if len(group) == 1:
                    log(f"generation failed: {one_line(error)}")
                    results.append(error)
                else:
                    results += self.generate_singly(group)
        return results

    def generate_singly(self, jobs):
        saved, self.max_batch = self.max_batch, 1
        try:
            return self.generate(jobs)
        finally:
            self.max_batch = saved

    def _run(self, jobs):
        import torch
        first = jobs[0]
        # CPU generators on every device: the initial noise, hence the image, does not depend on
        # the device's RNG, and diffusers moves CPU-made noise to the device.
        generators = [torch.Generator(device="cpu").manual_seed(job.seed) for job in jobs]
        kwargs = dict(prompt=[j.prompt for j in jobs], negative_prompt=[j.negative_prompt for j in jobs],
                      num_inference_steps=first.steps, guidance_scale=first.guidance,
                      width=first.width, height=first.height, generator=generators, output_type="pil")
        zero_ip_scale = False
        if self.kind == "unclip":
            kwargs["image_embeds"] = self.embeds_tensor(jobs)          # [batch, dim]
            kwargs["noise_level"] = self.noise_level
        elif self.kind == "ip_adapter":
            kwargs["ip_adapter_image_embeds"] = [self.ip_adapter_embeds(jobs, first.guidance > 1)]
            zero_ip_scale = first.image_embeds is None
        if zero_ip_scale:
            # A text-only request: the adapter's unet still wants embeddings, so send zeros with
            # scale 0, which makes diffusers skip the image branch (plain text-to-image output).
            self.pipe.set_ip_adapter_scale(0.0)
        try:
            output = self.pipe(**kwargs)
        finally:
            if zero_ip_scale:
                self.pipe.set_ip_adapter_scale(self.ip_adapter_scale)
        flagged = getattr(output, "nsfw_content_detected", None) or [False] * len(jobs)
        return [FlaggedImage("the model's safety checker flagged this image") if bad
                else encode_png(image, job.width, job.height)
                for image, job, bad in zip(output.images, jobs, flagged)]

    def embeds_tensor(self, jobs):
        """[batch, dim] image embeddings; a job without any gets zeros (unCLIP's "no image")."""
        import torch
        rows = [job.image_embeds or (0.0,) * self.embeds_dim for job in jobs]
        return torch.tensor(rows, dtype=self.pipe.unet.dtype, device=self.device)

    def ip_adapter_embeds(self, jobs, guided):
        """The one-adapter tensor diffusers expects: [batch, 1 image, dim], with classifier-free
        guidance the negative (zero, as diffusers' own encode_image makes it) half first: [2*batch, 1, dim]."""
        import torch
        positive = self.embeds_tensor(jobs).unsqueeze(1)
        return torch.cat([torch.zeros_like(positive), positive]) if guided else positive


def batches(jobs, size):
    """Consecutive runs of jobs with the same batch key, at most `size` long."""
    group = []
    for job in jobs:
        if group and (len(group) >= size or job.batch_key() != group[0].batch_key()):
            yield group
            group = []
        group.append(job)
    if group:
        yield group


def encode_png(image, width, height):
    rgb = image.convert("RGB")
    if rgb.size != (width, height):
        raise RuntimeError(f"the pipeline returned {rgb.size[0]}x{rgb.size[1]}, not {width}x{height}")
    rgb.info = {}   # no metadata at all: the bytes depend on the pixels only
    buf = io.BytesIO()
    rgb.save(buf, format="PNG", pnginfo=None, optimize=False, compress_level=6)
    return base64.b64encode(buf.getvalue()).decode("ascii")


# ---------------------------------------------------------------------------------------------
# Mode 1: JSON Lines


class LineReader:
    """Lines from a file descriptor, with a non-blocking peek at lines already sent (for batching).

    Reads the fd directly: Python's buffered stdin could hold complete lines that select()
    does not report.
    """

    def __init__(self, fd):
        self.fd, self.buf, self.eof = fd, b"", False

    def _pop_line(self):
        end = self.buf.find(b"\n")
        if end >= 0:
            line, self.buf = self.buf[:end], self.buf[end + 1:]
            return line
        if self.eof and self.buf:              # a last line without its newline
            line, self.buf = self.buf, b""
            return line
        return None

    def _fill(self, block):
        if self.eof or (not block and not select.select([self.fd], [], [], 0)[0]):
            return False
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.eof = True
        self.buf += chunk
        return True

    def read_line(self, block=True):
        """The next line (bytes, without newline); None at EOF, or when not blocking and none is ready."""
        while True:
            line = self._pop_line()
            if line is not None or not self._fill(block):
                return line

    def read_window(self, size):
        """Wait for one non-blank line, then take up to size - 1 more that are already available."""
        lines = []
        while not lines:
            line = self.read_line(block=True)
            if line is None:
                return []
            if line.strip():
                lines.append(line)
        while len(lines) < size:
            line = self.read_line(block=False)
            if line is None:
                break
            if line.strip():
                lines.append(line)
        return lines


def parse_line(worker, line):
    """(id, Job or None, error message or None) for one request line."""
    try:
        req = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        return None, None, f"not a JSON line: {one_line(error)}"
    if not isinstance(req, dict):
        return None, None, "a request must be a JSON object"
    rid = req.get("id")
    if not isinstance(rid, str):
        return None, None, "missing or non-string id"
    try:
        return rid, worker.job_from_request(req), None
    except RequestError as error:
        return rid, None, one_line(error)


def serve_jsonl(worker, proto):
    def send(obj):
        proto.write(json.dumps(obj, ensure_ascii=False) + "\n")
        proto.flush()

    send(worker.handshake())
    reader = LineReader(sys.stdin.fileno())
    while True:
        lines = reader.read_window(worker.max_batch)
        if not lines:
            return 0
        parsed = [parse_line(worker, line) for line in lines]
        images = iter(worker.generate([job for _, job, _ in parsed if job is not None]))
        for rid, job, error in parsed:
            result = next(images) if job is not None else RequestError(error)
            if isinstance(result, Exception):
                send({"id": rid, "error": one_line(result)})
            else:
                send({"id": rid, "png": result})


# ---------------------------------------------------------------------------------------------
# Mode 2: the A1111 web API


class A1111Server(ThreadingHTTPServer):
    daemon_threads = True       # an open keep-alive connection must not hold up the exit

    def __init__(self, port, worker):
        super().__init__(("127.0.0.1", port), A1111Handler)
        self.worker = worker
        self.lock = threading.Lock()    # one generation at a time: the pipeline is not thread-safe


class Reply(Exception):
    """An HTTP answer decided early (status, JSON payload)."""

    def __init__(self, status, payload, close=False):
        super().__init__(status)
        self.status, self.payload, self.close = status, payload, close


def txt2img_jobs(worker, params):
    """A1111 txt2img fields -> (jobs, seed); raises RequestError (422)."""
    if not isinstance(params, dict):
        raise RequestError("the body must be a JSON object")
    seed = get_field(params, "seed", "int", -1)
    if seed == -1:
        seed = secrets.randbelow(MAX_SEED + 1)      # A1111: -1 means a random seed
    check_range("seed", seed, 0, MAX_SEED)
    batch_size = check_range("batch_size", get_field(params, "batch_size", "int", 1), 1, MAX_HTTP_IMAGES)
    n_iter = check_range("n_iter", get_field(params, "n_iter", "int", 1), 1, MAX_HTTP_IMAGES)
    if batch_size * n_iter > MAX_HTTP_IMAGES:
        raise RequestError(f"batch_size * n_iter must be at most {MAX_HTTP_IMAGES}")
    get_field(params, "sampler_name", "str", "")    # accepted; the model's own scheduler is used
    job = worker.make_job(
        prompt=get_field(params, "prompt", "str", ""),
        negative_prompt=get_field(params, "negative_prompt", "str", ""), seed=seed,
        steps=get_field(params, "steps", "int", 20), guidance=get_field(params, "cfg_scale", "number", 7.0),
        width=get_field(params, "width", "int", 512), height=get_field(params, "height", "int", 512),
        embeds=params.get("oodsynth_image_embeds"), embeds_key="oodsynth_image_embeds")
    # A1111 convention: image i of the request uses seed + i.
    return [replace(job, seed=seed + i) for i in range(batch_size * n_iter)], seed


def txt2img_info(worker, jobs, params):
    first = jobs[0]
    return {"prompt": first.prompt, "all_prompts": [j.prompt for j in jobs],
            "negative_prompt": first.negative_prompt, "all_negative_prompts": [j.negative_prompt for j in jobs],
            "seed": first.seed, "all_seeds": [j.seed for j in jobs], "steps": first.steps,
            "cfg_scale": first.guidance, "width": first.width, "height": first.height,
            "sampler_name": type(worker.pipe.scheduler).__name__,
            "batch_size": params.get("batch_size", 1), "n_iter": params.get("n_iter", 1),
            "sd_model_name": worker.model_name, "sd_model_hash": None, "index_of_first_image": 0}


class A1111Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"       # keep-alive; every response carries Content-Length
    server_version = "oodsynth-diffusion-worker"

    def log_message(self, format, *args):
        log(f"{self.address_string()} {format % args}")

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        routes = {"/sdapi/v1/options": {"GET": self.get_options},
                  "/sdapi/v1/sd-models": {"GET": self.get_models},
                  "/sdapi/v1/txt2img": {"POST": self.post_txt2img}}
        try:
            body = self.read_body()     # always drained, so the next request on the connection parses
            path = urlsplit(self.path).path
            if path not in routes:
                raise Reply(404, {"detail": "Not Found"})
            if method not in routes[path]:
                raise Reply(405, {"detail": "Method Not Allowed"})
            status, payload = routes[path][method](body)
        except Reply as reply:
            status, payload = reply.status, reply.payload
            self.close_connection = self.close_connection or reply.close
        self.send_json(status, payload)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raise Reply(411, {"detail": "chunked bodies are not supported; send Content-Length"}, close=True)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise Reply(400, {"detail": "bad Content-Length"}, close=True)
        if length < 0 or length > MAX_HTTP_BODY:
            raise Reply(413, {"detail": f"body larger than {MAX_HTTP_BODY} bytes"}, close=True)
        return self.rfile.read(length) if length else b""

    def send_json(self, status, payload):
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def get_options(self, body):
        return 200, {"sd_model_checkpoint": self.server.worker.model_name, "samples_format": "png"}

    def get_models(self, body):
        name = self.server.worker.model_name
        return 200, [{"title": name, "model_name": name}]

    def post_txt2img(self, body):
        worker = self.server.worker
        try:
            params = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            return 422, {"detail": f"invalid JSON body: {one_line(error)}"}
        try:
            jobs, _ = txt2img_jobs(worker, params)
        except RequestError as error:
            return 422, {"detail": one_line(error)}
        with self.server.lock:
            images = worker.generate(jobs)
        failed = next((image for image in images if isinstance(image, Exception)), None)
        if failed is not None:
            return 500, {"error": type(failed).__name__, "detail": " ".join(str(failed).split())}
        return 200, {"images": images, "parameters": params,
                     "info": json.dumps(txt2img_info(worker, jobs, params))}


def serve_http(worker, port, proto):
    server = A1111Server(port, worker)
    # SIGTERM leaves serve_forever like Ctrl-C does, so the socket is closed and the exit is 0.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    proto.write(f"{PROTOCOL}: serving the A1111 API on http://127.0.0.1:{server.server_address[1]}\n")
    proto.flush()
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        log("stopping")
    finally:
        server.server_close()
    return 0


# ---------------------------------------------------------------------------------------------


def load_worker(args):
    import torch
    set_torch_runtime(args)
    device = pick_device(args.device)
    dtype_name = pick_dtype(args.dtype, device)
    model_name = TINY_MODEL_NAME if args.tiny_random else args.model
    started = time.monotonic()
    import diffusers.utils.logging
    diffusers.utils.logging.disable_progress_bar()     # "Loading pipeline components" bars
    try:
        pipe = load_pipeline(args, getattr(torch, dtype_name))
        pipe = pipe.to(device)
        pipe.set_progress_bar_config(disable=True)
        worker = Worker(pipe, args, model_name, device, dtype_name)
    except UsageError:
        raise
    except Exception as error:
        raise UsageError(f"cannot load model {model_name}: {one_line(error)}")
    log(f"loaded {type(pipe).__name__} from {model_name} on {device}/{dtype_name} "
        f"in {time.monotonic() - started:.2f} s")
    return worker


def die_with_parent():
    """SIGKILL from the kernel when the parent dies, if oodsynth started us (stdin is its socket):
    a worker busy loading a model or generating would not see its stdin end for minutes. Run by
    hand (or serving --http) it stays independent of its shell."""
    try:
        if stat.S_ISSOCK(os.fstat(0).st_mode):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass    # not Linux: stdin EOF still ends the worker once it is idle


def main(argv=None):
    die_with_parent()
    # A parent may start us with these blocked (a child inherits the spawning thread's mask, and
    # Swift's Foundation.Process spawns from a thread that blocks them): SIGTERM would never arrive.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        args = parse_args(argv)        # before take_stdout: --help belongs on stdout
        proto = take_stdout()
        set_environment()
        worker = load_worker(args)
        if args.http is not None:
            return serve_http(worker, args.http, proto)
        return serve_jsonl(worker, proto)
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
