#!/usr/bin/env python3
"""Unpack an owui-mcp .mcpb bundle and start its server the way Claude
Desktop does: ${__dirname} and ${user_config.*} substituted into the
manifest's mcp_config, then `initialize` through packaging/mcp_initialize.py.

    check_bundle.py BUNDLE.mcpb DIR
"""

import json
import os
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main(bundle, out):
    with zipfile.ZipFile(bundle) as z:
        z.extractall(out)
        for info in z.infolist():  # zipfile drops modes; put the exec bits back
            mode = info.external_attr >> 16
            if mode:
                os.chmod(os.path.join(out, info.filename), mode & 0o777)
    with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    # What a user would type in the bundle's settings (an unreachable URL:
    # initialize needs no Open WebUI).
    values = {"openwebui_url": "http://127.0.0.1:9", "api_key": "sk-bundle-check", "__dirname": os.path.abspath(out)}
    for k, spec in m.get("user_config", {}).items():
        values.setdefault(k, str(spec.get("default", "")).lower() if spec["type"] == "boolean" else spec.get("default", ""))

    def subst(s):
        for k, v in values.items():
            s = s.replace("${user_config.%s}" % k, v) if k != "__dirname" else s.replace("${__dirname}", v)
        if "${" in s:
            sys.exit(f"check_bundle: unsubstituted variable in {s!r}")
        return s

    cfg = m["server"]["mcp_config"]
    cmd = [subst(cfg["command"])] + [subst(a) for a in cfg.get("args", [])]
    if not os.access(cmd[0], os.X_OK):
        sys.exit(f"check_bundle: {cmd[0]} is not executable in the bundle")
    env = [a for k, v in cfg.get("env", {}).items() for a in ("--env", f"{k}={subst(v)}")]
    return subprocess.call([sys.executable, os.path.join(os.path.dirname(HERE), "mcp_initialize.py"), *env, "--expect-version", m["version"], "--", *cmd])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
