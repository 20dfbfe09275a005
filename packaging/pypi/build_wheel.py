#!/usr/bin/env python3
"""Build a platform wheel of owui-mcp around one prebuilt binary.

    build_wheel.py --version 0.1.0 --goos linux --goarch amd64 --binary dist/owui-mcp --out dist/

The wheel (py3-none-<platform>) holds the small owui_mcp package, which
execs the binary, and a console script `owui-mcp`. Standard library only, so
that CI and release jobs need nothing but Python 3.8+.
"""

import argparse
import base64
import csv
import hashlib
import io
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "owui_mcp"  # distribution name, normalized for file names
MCP_NAME = "io.github.owui-mcp/owui-mcp"

# Go target -> wheel platform tags. The binary is static (CGO_ENABLED=0), so
# one Linux wheel serves glibc and musl alike.
PLATFORMS = {
    ("linux", "amd64"): "manylinux_2_17_x86_64.manylinux2014_x86_64.musllinux_1_1_x86_64",
    ("linux", "arm64"): "manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64",
    ("darwin", "amd64"): "macosx_10_12_x86_64",
    ("darwin", "arm64"): "macosx_11_0_arm64",
    ("windows", "amd64"): "win_amd64",
    ("windows", "arm64"): "win_arm64",
}

# A fixed timestamp keeps wheels reproducible.
EPOCH = (1980, 1, 1, 0, 0, 0)


def pep440(version: str) -> str:
    v = version.lstrip("v")
    if not re.fullmatch(r"\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", v):
        raise SystemExit(f"build_wheel: {version!r} is not a PEP 440 release version")
    return v


def record_line(path: str, data: bytes):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [path, f"sha256={digest}", str(len(data))]


def build(version: str, goos: str, goarch: str, binary: str, out: str) -> str:
    try:
        plat = PLATFORMS[(goos, goarch)]
    except KeyError:
        raise SystemExit(f"build_wheel: no wheel platform for {goos}/{goarch}")
    version = pep440(version)
    exe = "owui-mcp.exe" if goos == "windows" else "owui-mcp"
    with open(binary, "rb") as f:
        binary_data = f.read()
    with open(os.path.join(os.path.dirname(HERE), "npm", "README.md"), encoding="utf-8") as f:
        readme = f.read().replace("npx -y owui-mcp", "uvx owui-mcp")
    if f"mcp-name: {MCP_NAME}" not in readme:
        raise SystemExit("build_wheel: the README lacks the mcp-name line the MCP Registry checks")
    distinfo = f"{NAME}-{version}.dist-info"
    metadata = "\n".join([
        "Metadata-Version: 2.1",
        "Name: owui-mcp",
        f"Version: {version}",
        "Summary: MCP server to manage the models of an Open WebUI instance, safely",
        "Home-page: https://github.com/owui-mcp/owui-mcp",
        "Project-URL: Source, https://github.com/owui-mcp/owui-mcp",
        "Keywords: mcp,open-webui,model-context-protocol",
        "Classifier: Programming Language :: Go",
        "Classifier: Environment :: Console",
        "Requires-Python: >=3.8",
        "Description-Content-Type: text/markdown",
        "",
        readme,
    ])
    files = []
    for name in ("__init__.py", "__main__.py"):
        with open(os.path.join(HERE, "owui_mcp", name), "rb") as f:
            files.append((f"owui_mcp/{name}", f.read(), 0o644))
    files.append((f"owui_mcp/bin/{exe}", binary_data, 0o755))
    files.append((f"{distinfo}/METADATA", metadata.encode(), 0o644))
    tags = [f"py3-none-{p}" for p in plat.split(".")]
    wheel = "Wheel-Version: 1.0\nGenerator: owui-mcp build_wheel.py\nRoot-Is-Purelib: false\n" + "".join(f"Tag: {t}\n" for t in tags)
    files.append((f"{distinfo}/WHEEL", wheel.encode(), 0o644))
    files.append((f"{distinfo}/entry_points.txt", b"[console_scripts]\nowui-mcp = owui_mcp:main\n", 0o644))

    rec = io.StringIO()
    w = csv.writer(rec, lineterminator="\n")
    for path, data, _ in files:
        w.writerow(record_line(path, data))
    w.writerow([f"{distinfo}/RECORD", "", ""])
    files.append((f"{distinfo}/RECORD", rec.getvalue().encode(), 0o644))

    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"{NAME}-{version}-py3-none-{plat}.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in files:
            info = zipfile.ZipInfo(name, EPOCH)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--version", required=True)
    ap.add_argument("--goos", required=True)
    ap.add_argument("--goarch", required=True)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    print(build(a.version, a.goos, a.goarch, a.binary, a.out))


if __name__ == "__main__":
    sys.exit(main())
