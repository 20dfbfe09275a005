#!/usr/bin/env python3
"""Tiny fake OpenAI-compatible provider for Open WebUI tests (loopback only).

Usage: fake-openai.py [--port N] [--port-file FILE] [--models id1,id2,...]

Serves:
  GET  /v1/models       -> {"object":"list","data":[{"id":...},...]}
  GET  /models          -> same (for base URLs without /v1)
  POST /models/unload   -> {"success": true, "model": <id>}  (llama.cpp style)
  POST /v1/chat/completions -> a fixed non-streaming answer
Everything else is 404. Binds 127.0.0.1 only. With --port 0 (default) the OS
picks a free port; the chosen port is written to --port-file (if given) and
printed on stdout as "PORT <n>".
"""
import argparse
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", default="")
    ap.add_argument("--models", default=os.environ.get("FAKE_OPENAI_MODELS", "fake-a,org/fake-b:1"))
    args = ap.parse_args()
    ids = [m for m in args.models.split(",") if m]

    class Handler(BaseHTTPRequestHandler):
        server_version = "fake-openai/1"

        def log_message(self, fmt, *a):  # keep quiet; one line per request to stderr
            sys.stderr.write("fake-openai: %s %s\n" % (self.command, self.path))

        def _json(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _read_json(self):
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            try:
                return json.loads(raw or b"{}")
            except ValueError:
                return {}

        def do_GET(self):
            path = self.path.split("?", 1)[0].rstrip("/")
            if path in ("/v1/models", "/models"):
                self._json(200, {
                    "object": "list",
                    "data": [{"id": i, "object": "model", "created": 0, "owned_by": "test"} for i in ids],
                })
            elif path in ("", "/", "/health"):
                self._json(200, {"status": "ok"})
            else:
                self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

        def do_POST(self):
            path = self.path.split("?", 1)[0].rstrip("/")
            body = self._read_json()
            if path in ("/models/unload", "/v1/models/unload"):
                self._json(200, {"success": True, "model": body.get("model")})
            elif path == "/v1/chat/completions":
                self._json(200, {
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model", ""),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": "fake answer"}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
                })
            else:
                self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, args.port_file)
    print("PORT %d" % port, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
