#!/usr/bin/env bash
# Pack the Claude Desktop bundle for one platform:
#   packaging/mcpb/build.sh VERSION OUTDIR GOOS/GOARCH=BINARY
# writes OUTDIR/owui-mcp-VERSION-<os>-<arch>.mcpb, validated and packed by the
# official CLI (MCPB, default: mcpb on PATH; from npm @anthropic-ai/mcpb).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version=$1 out=$2 spec=$3
MCPB="${MCPB:-mcpb}"
target=${spec%%=*} binary=${spec#*=}
goos=${target%/*} goarch=${target#*/}
case $goos in linux | darwin) plat=$goos ;; windows) plat=win32 ;; *) echo "unsupported $goos" >&2; exit 1 ;; esac
exe=owui-mcp
[[ $goos == windows ]] && exe=owui-mcp.exe
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/server"
install -m 0755 "$binary" "$work/server/$exe"
# This bundle holds one platform's binary: say so, and set the version.
node -e '
const fs = require("fs"), [src, dst, v, plat] = process.argv.slice(1);
const m = JSON.parse(fs.readFileSync(src, "utf8"));
m.version = v;
m.compatibility.platforms = [plat];
fs.writeFileSync(dst, JSON.stringify(m, null, 2) + "\n");' "$here/manifest.json" "$work/manifest.json" "$version" "$plat"
"$MCPB" validate "$work/manifest.json"
"$MCPB" pack "$work" "$out/owui-mcp-$version-$goos-$goarch.mcpb"
