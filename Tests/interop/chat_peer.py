#!/usr/bin/env python3
"""An OpenAI-format chat server that misbehaves on request, for the ChatClient tests (stdlib only).

The model name picks the behaviour: "good" answers a numbered list naming the seed; "flaky-N" fails
the first N requests with 503; "junk" answers 200 with HTML; "empty" answers no choices; "slow"
sleeps 5 s. GET /count tells how many chat requests reached the server. Prints its base URL.
"""
import http.server, json, time

count = {"n": 0}
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
