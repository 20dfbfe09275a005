#!/usr/bin/env python3
"""Plays an Open WebUI browser tab for chat tests: a socket.io client that
joins as a user and answers the server's elicitation requests.

  OWUI_TOKEN=<jwt> browser_tab.py --url http://127.0.0.1:PORT --answer accept|decline
                                  [--content JSON] --events FILE

Prints "SID <sid>" once joined (use it as session_id in chat requests), then
appends every "events" message it receives to FILE as one JSON line. A
request:elicitation is answered with {"action": ANSWER, "content": CONTENT}
(the acknowledgement Open WebUI waits for). Exits when stdin closes. The token
is read from the environment so it never shows in a process list.
Runs with the Open WebUI venv's python (python-socketio and aiohttp are
Open WebUI dependencies).
"""
import argparse
import asyncio
import json
import os
import sys

import socketio


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--answer", choices=["accept", "decline", "cancel"], default="accept")
    ap.add_argument("--content", default="{}")
    ap.add_argument("--events", required=True)
    args = ap.parse_args()
    token = os.environ["OWUI_TOKEN"]
    content = json.loads(args.content)

    sio = socketio.AsyncClient(reconnection=False)

    @sio.on("events")
    async def on_events(msg):
        with open(args.events, "a") as f:
            f.write(json.dumps(msg) + "\n")
        data = (msg or {}).get("data") or {}
        if data.get("type") == "request:elicitation":
            if args.answer == "accept":
                return {"action": "accept", "content": content}
            return {"action": args.answer}
        return None

    await sio.connect(args.url, socketio_path="/ws/socket.io", transports=["websocket"],
                      auth={"token": token}, wait_timeout=30)
    await sio.call("user-join", {"auth": {"token": token}}, timeout=30)
    print("SID %s" % sio.get_sid(), flush=True)

    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the test closes stdin
    await sio.disconnect()


if __name__ == "__main__":
    asyncio.run(main())
