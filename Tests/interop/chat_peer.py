#!/usr/bin/env python3
"""An OpenAI-format chat server that misbehaves on request, for the ChatClient tests (stdlib only).

The model name picks the behaviour: "good" answers a numbered list naming the seed; "flaky-N" fails
the first N requests with 503; "junk" answers 200 with HTML; "empty" answers no choices; "slow"
sleeps 5 s; "concepts" answers like a chat model asked for concepts near, beside or far from the
class its prompt names: a chatty first line, a numbered list with markdown and explanations, and
among the items the ID concepts such a model plausibly proposes (sparrow for bird, kitten for
mammal, ...). GET /count tells how many chat requests reached the server. Prints its base URL.
"""
import http.server, json, re, time

count = {"n": 0}

# Picturable things a model would name, none of them a Samples class or a kind of one.
THINGS = ["paper airplane", "kite", "windmill", "umbrella", "lantern", "teapot", "bicycle", "anchor",
          "cactus", "mushroom", "sailboat", "hot air balloon", "weather vane", "sundial", "lighthouse",
          "chandelier", "typewriter", "telescope", "compass", "hourglass", "bonsai tree", "seashell",
          "snowman", "scarecrow", "totem pole", "fountain", "cathedral", "volcano", "iceberg", "coral reef",
          "jellyfish", "octopus", "starfish", "origami crane", "wind chime", "kaleidoscope", "carousel",
          "locomotive", "submarine", "parachute"]
# What a model proposes that is an ID concept after all.
ID_LIKE = {"bird": "Sparrow", "fruit": "Granny Smith", "mammal": "kitten", "insect": "ladybugs",
           "dessert": "ice cream", "house": "cottage", "flag": "Union Jack", "tool": "hammer"}


def concepts(prompt, wanted):
    """A deterministic list for the prompt's class and kind."""
    match = re.search(r"(?:similar to|group as|common with) an? ([a-z _-]+?)(?: but|[:,.]| that)", prompt)
    label = match.group(1) if match else "thing"
    start = sum(map(ord, prompt)) % len(THINGS)
    items = [THINGS[(start + 7 * i) % len(THINGS)] for i in range(wanted)]
    if label in ID_LIKE and "nothing in common" not in prompt:
        items[1] = ID_LIKE[label]
    lines = ["Sure! Here are %d categories:" % wanted, ""]
    for number, item in enumerate(items, 1):
        lines.append("%d. **%s** - %s" % (number, item.title(), "looks a bit like a " + label) if number % 3 == 0
                     else "%d. %s" % (number, item.capitalize()))
    return "\n".join(lines)
seen = {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def send(self, code, body, kind="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.send(200, json.dumps({"count": count["n"]}).encode())

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        count["n"] += 1
        model = request["model"]
        seen[model] = seen.get(model, 0) + 1
        if self.path != "/v1/chat/completions":
            return self.send(404, b'{"error": "no such route"}')
        if model.startswith("flaky-") and seen[model] <= int(model.split("-")[1]):
            return self.send(503, b'{"error": "model is loading"}')
        if model == "junk":
            return self.send(200, b"<html>gateway</html>", "text/html")
        if model == "empty":
            return self.send(200, b'{"choices": []}')
        if model == "slow":
            time.sleep(5)
        if model == "concepts":
            wanted = int(re.search(r"List (\d+)", request["messages"][-1]["content"]).group(1))
            content = concepts(request["messages"][-1]["content"], wanted)
            answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
            return self.send(200, json.dumps(answer).encode())
        auth = self.headers.get("Authorization", "")
        content = "1. Lynx\n2. Ocelot\n3. seed %d%s" % (request["seed"], " (key)" if auth == "Bearer s3cret" else "")
        answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
        self.send(200, json.dumps(answer).encode())

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print("http://127.0.0.1:%d/v1" % server.server_address[1], flush=True)
server.serve_forever()
