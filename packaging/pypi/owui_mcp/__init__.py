"""owui-mcp: the MCP server for Open WebUI models, as a native binary in a wheel.

The `owui-mcp` command runs the binary shipped in this package; stdin and
stdout are handed over untouched, since they carry the MCP protocol.
"""

import os
import subprocess
import sys

__all__ = ["binary_path", "main"]


def binary_path() -> str:
    """Path of the owui-mcp binary inside this package."""
    exe = "owui-mcp.exe" if sys.platform == "win32" else "owui-mcp"
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", exe)


def main() -> None:
    path = binary_path()
    if not os.path.isfile(path):
        sys.stderr.write(f"owui-mcp: the binary is missing from this wheel ({path}); reinstall owui-mcp\n")
        sys.exit(1)
    args = [path, *sys.argv[1:]]
    if sys.platform == "win32":
        # No exec on Windows: run it, and pass its exit code on.
        try:
            sys.exit(subprocess.call(args))
        except KeyboardInterrupt:
            sys.exit(130)
    # Replace this Python process: signals and exit codes go straight to
    # the binary, and no interpreter stays resident.
    os.execv(path, args)
