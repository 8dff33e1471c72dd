#!/usr/bin/env python3
"""An OpenAI-compatible chat server on transformers, for `oodsynth caption --concepts llm:URL`.

Serves POST /v1/chat/completions (model, messages, temperature, seed, max_tokens; the answer in
choices[0].message.content) and GET /v1/models, from a local causal language model folder, or from a
tiny random-weight model built in code (`--tiny-random`, for tests: its answers are deterministic
nonsense, which is what the client's junk handling is for). Any server that speaks this protocol
works the same way: llama.cpp's server, vLLM, Ollama, LM Studio, TGI.

  python3 scripts/llm-server.py --model /models/Qwen2.5-1.5B-Instruct --port 8080
  oodsynth caption --concepts llm:http://127.0.0.1:8080/v1 --llm-model qwen ...

With --port 0 it picks a free port. It prints its base URL (http://HOST:PORT/v1) on stdout once it
listens, and logs on stderr. Greedy decoding at temperature 0; sampling seeded by the request's seed
otherwise.
"""
import argparse
import http.server
import json
import os
import sys
import threading


def tiny_random():
    """A 2-layer GPT-2 with random weights over MiniLM's WordPiece vocabulary (no download)."""
    import torch
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folder = os.path.join(os.environ.get("OODSYNTH_MODELS") or os.path.join(repo, ".models"), "all-MiniLM-L6-v2")
    if not os.path.exists(os.path.join(folder, "tokenizer.json")):
        sys.exit(f"llm-server: {folder}: no tokenizer (scripts/setup installs the MiniLM folder)")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=512, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=tokenizer.cls_token_id, eos_token_id=tokenizer.sep_token_id)
    # BERT's first 999 ids are [PAD], [unusedN], [CLS], ...: decoded they vanish, so a random model
    # would answer nothing. Suppressing them makes it answer words.
    return tokenizer, GPT2LMHeadModel(config).eval(), "tiny-random", list(range(999))


def load(path):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    return tokenizer, model, os.path.basename(os.path.normpath(path)), None


def prompt_ids(tokenizer, messages):
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
    text = "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant:"
    return tokenizer(text, return_tensors="pt", add_special_tokens=False).input_ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", help="a causal language model folder (Hugging Face format)")
    source.add_argument("--tiny-random", action="store_true", help="a tiny random-weight model, for tests")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080, help="0: a free port")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = ap.parse_args()

    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    tokenizer, model, name, suppress = tiny_random() if args.tiny_random else load(args.model)
    lock = threading.Lock()   # one generation at a time: the model is not re-entrant

    def complete(request):
        messages = request.get("messages")
        if not isinstance(messages, list) or not all(isinstance(m, dict) and "content" in m for m in messages):
            raise ValueError("messages must be a list of {role, content}")
        max_tokens = int(request.get("max_tokens") or 128)
        temperature = float(request.get("temperature") or 0)
        ids = prompt_ids(tokenizer, messages)
        with lock:
            torch.manual_seed(int(request.get("seed") or 0))
            with torch.no_grad():
                out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_tokens,
                                     do_sample=temperature > 0, temperature=temperature if temperature > 0 else None,
                                     top_p=None, top_k=None, suppress_tokens=suppress,
                                     pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0)
        new = out[0, ids.shape[1]:]
        return tokenizer.decode(new, skip_special_tokens=True), int(ids.shape[1]), int(new.shape[0])

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def send(self, code, payload):
            body = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path.rstrip("/") == "/v1/models":
                return self.send(200, {"object": "list", "data": [{"id": name, "object": "model"}]})
            self.send(404, {"error": f"no route {self.path}"})

        def do_POST(self):
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self.send(404, {"error": f"no route {self.path}"})
            try:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                content, prompt_tokens, completion_tokens = complete(request)
            except (ValueError, TypeError, KeyError) as error:
                return self.send(400, {"error": f"bad request: {error}"})
            except Exception as error:   # the model failed: say so, and keep serving
                return self.send(500, {"error": f"{type(error).__name__}: {error}"})
            self.send(200, {
                "object": "chat.completion", "model": request.get("model", name),
                "choices": [{"index": 0, "finish_reason": "length" if completion_tokens >= int(request.get("max_tokens") or 128) else "stop",
                             "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens},
            })

        def log_message(self, fmt, *values):
            print("llm-server: " + fmt % values, file=sys.stderr)

    server = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f"http://{args.host}:{server.server_address[1]}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
