#!/usr/bin/env python3
"""Tiny fake OpenAI-compatible provider for Open WebUI tests (loopback only).

Usage: fake-openai.py [--port N] [--port-file FILE] [--models id1,id2,...]
                      [--log-file FILE]

Serves:
  GET  /v1/models       -> {"object":"list","data":[{"id":...},...]}
  GET  /models          -> same (for base URLs without /v1)
  POST /models/unload   -> {"success": true, "model": <id>}  (llama.cpp style)
  POST /v1/chat/completions -> a scripted LLM (below), else a fixed answer
  POST /_script         -> registers a script {"key": str, "turns": [turn, ...]}
Everything else is 404. Binds 127.0.0.1 only. With --port 0 (default) the OS
picks a free port; the chosen port is written to --port-file (if given) and
printed on stdout as "PORT <n>".

Scripted LLM (deterministic, for chat tests): a chat request whose last user
message starts with a registered key plays that script. The turn played is the
number of assistant messages after that user message (Open WebUI appends one
assistant message with tool_calls, then the tool results, per tool round), so
turn 0 answers the user and turn N answers the N-th round of tool results. A
turn is {"tool_calls": [{"name": str, "arguments": {...}}]} or {"content": str}.
In arguments, a string "$last_tool:KEY" is replaced by the value of KEY found
in the latest tool message (a JSON key "KEY": "v" or a text line "KEY: v");
in content, "$last_tool" is replaced by the latest tool message. Past the last
turn, and for requests matching no script (title/tag generation), the answer
is "fake answer". Streaming requests get OpenAI SSE chunks (tool_calls deltas
split in two pieces, as real providers do); others one JSON completion.

--log-file appends one JSON line per request: {"path", "body", "script", "turn"}.
"""
import argparse
import json
import os
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", default="")
    ap.add_argument("--models", default=os.environ.get("FAKE_OPENAI_MODELS", "fake-a,org/fake-b:1"))
    ap.add_argument("--log-file", default=os.environ.get("FAKE_OPENAI_LOG", ""))
    args = ap.parse_args()
    ids = [m for m in args.models.split(",") if m]
    scripts = {}  # key -> list of turns
    lock = threading.Lock()

    def log_request(path, body, key, turn):
        if not args.log_file:
            return
        line = json.dumps({"time": time.time(), "path": path, "body": body, "script": key, "turn": turn})
        with lock, open(args.log_file, "a") as f:
            f.write(line + "\n")

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
            elif path == "/_script":
                key, turns = body.get("key"), body.get("turns")
                if not isinstance(key, str) or not key or not isinstance(turns, list):
                    self._json(400, {"error": {"message": "want {key: str, turns: [...]}"}})
                    return
                with lock:
                    scripts[key] = turns
                self._json(200, {"ok": True})
            elif path == "/v1/chat/completions":
                self._chat(path, body)
            else:
                self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

        def _chat(self, path, body):
            msgs = body.get("messages") or []
            key, turn, reply = None, None, {"content": "fake answer"}
            last_user = max((i for i, m in enumerate(msgs) if m.get("role") == "user"), default=-1)
            if last_user >= 0:
                text = content_text(msgs[last_user].get("content")).lstrip()
                with lock:
                    for k in sorted(scripts, key=len, reverse=True):
                        if text.startswith(k):
                            key = k
                            break
                    turns = scripts.get(key) if key else None
                if turns is not None:
                    turn = sum(1 for m in msgs[last_user + 1:] if m.get("role") == "assistant")
                    if turn < len(turns):
                        reply = expand(turns[turn], msgs)
            log_request(path, body, key, turn)
            if body.get("stream"):
                self._stream(body, reply)
                return
            msg = {"role": "assistant", "content": reply.get("content")}
            if reply.get("tool_calls"):
                msg["tool_calls"] = [
                    {"id": c["id"], "type": "function",
                     "function": {"name": c["name"], "arguments": c["arguments"]}}
                    for c in reply["tool_calls"]]
            self._json(200, {
                "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", ""),
                "choices": [{"index": 0, "finish_reason": "tool_calls" if reply.get("tool_calls") else "stop",
                             "message": msg}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
            })

        def _stream(self, body, reply):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk",
                    "created": int(time.time()), "model": body.get("model", "")}

            def send(delta, finish=None):
                chunk = dict(base, choices=[{"index": 0, "delta": delta, "finish_reason": finish}])
                self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                self.wfile.flush()

            send({"role": "assistant", "content": ""})
            calls = reply.get("tool_calls") or []
            if calls:
                for i, c in enumerate(calls):
                    a = c["arguments"]
                    half = len(a) // 2
                    send({"tool_calls": [{"index": i, "id": c["id"], "type": "function",
                                          "function": {"name": c["name"], "arguments": a[:half]}}]})
                    send({"tool_calls": [{"index": i, "function": {"arguments": a[half:]}}]})
                send({}, "tool_calls")
            else:
                for word in re.findall(r"\S+\s*|\s+", reply.get("content") or ""):
                    send({"content": word})
                send({}, "stop")
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

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


def content_text(c):
    """The text of a message content (a string or a list of parts)."""
    if isinstance(c, str):
        return c
    if isinstance(c, list):
        return "".join(p.get("text", "") for p in c if isinstance(p, dict))
    return ""


def last_tool_text(msgs):
    for m in reversed(msgs):
        if m.get("role") == "tool":
            return content_text(m.get("content"))
    return ""


def find_value(text, key):
    """KEY's value in a tool result: a JSON "KEY": "v" anywhere, or a line "KEY: v"."""
    m = re.search(r'\\?"%s\\?"\s*:\s*\\?"([^"\\]+)' % re.escape(key), text)
    if m:
        return m.group(1)
    m = re.search(r"(?m)\b%s[:=]\s*(\S+)" % re.escape(key), text)
    return m.group(1) if m else ""


def expand(turn, msgs):
    """A script turn with its $last_tool references filled in."""
    tool = last_tool_text(msgs)

    def sub(v):
        if isinstance(v, str) and v.startswith("$last_tool:"):
            return find_value(tool, v[len("$last_tool:"):])
        if isinstance(v, dict):
            return {k: sub(x) for k, x in v.items()}
        if isinstance(v, list):
            return [sub(x) for x in v]
        return v

    if "tool_calls" in turn:
        return {"tool_calls": [
            {"id": "call_" + uuid.uuid4().hex[:12], "name": c["name"],
             "arguments": json.dumps(sub(c.get("arguments") or {}))}
            for c in turn["tool_calls"]]}
    return {"content": (turn.get("content") or "").replace("$last_tool", tool)}


if __name__ == "__main__":
    main()
