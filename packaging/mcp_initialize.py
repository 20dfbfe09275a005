#!/usr/bin/env python3
"""Start an MCP stdio server, send `initialize`, check the answer.

    mcp_initialize.py [--env K=V]... [--expect-version V] -- COMMAND [ARGS...]

Exit 0 when the server answers with serverInfo.name "owui-mcp" (and the
version, when --expect-version is given) and then lists list_models; prints
the server's name and version. Used by scripts/packaging-check to prove
each install channel runs a working server.
"""

import json
import os
import subprocess
import sys
import threading


def main(argv):
    env = dict(os.environ)
    expect = None
    while argv and argv[0] != "--":
        if argv[0] == "--env":
            k, _, v = argv[1].partition("=")
            env[k] = v
            argv = argv[2:]
        elif argv[0] == "--expect-version":
            expect = argv[1]
            argv = argv[2:]
        else:
            sys.exit(f"mcp_initialize: unknown option {argv[0]}")
    cmd = argv[1:]
    if not cmd:
        sys.exit("mcp_initialize: no command")
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    timer = threading.Timer(60, p.kill)
    timer.start()
    try:
        def call(i, method, params):
            req = {"jsonrpc": "2.0", "id": i, "method": method, "params": params}
            p.stdin.write((json.dumps(req) + "\n").encode())
            p.stdin.flush()
            line = p.stdout.readline()
            if not line:
                raise RuntimeError(f"no answer to {method}")
            return json.loads(line)

        init = call(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "packaging-check", "version": "1"}})
        info = init.get("result", {}).get("serverInfo", {})
        if info.get("name") != "owui-mcp":
            raise RuntimeError(f"unexpected initialize answer: {init}")
        if expect is not None and info.get("version") != expect:
            raise RuntimeError(f"server version {info.get('version')!r}, want {expect!r}")
        p.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        tools = call(2, "tools/list", {})
        names = [t["name"] for t in tools.get("result", {}).get("tools", [])]
        if "list_models" not in names:
            raise RuntimeError(f"tools/list lacks list_models: {tools}")
        print(f"initialize ok: {info.get('name')} {info.get('version')}, {len(names)} tools")
    except Exception as e:  # noqa: BLE001 - report any failure with the server's stderr
        p.kill()
        _, err = p.communicate()
        sys.stderr.write(f"mcp_initialize: {' '.join(cmd)}: {e}\n{err.decode(errors='replace')[-2000:]}\n")
        return 1
    finally:
        timer.cancel()
    p.stdin.close()
    try:
        rc = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        sys.stderr.write("mcp_initialize: the server did not exit after stdin closed\n")
        return 1
    if rc != 0:
        sys.stderr.write(f"mcp_initialize: the server exited {rc} after stdin closed\n{p.stderr.read().decode(errors='replace')[-2000:]}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
