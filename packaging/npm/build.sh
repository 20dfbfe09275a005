#!/usr/bin/env bash
# Build the npm packages from binaries:
#   packaging/npm/build.sh VERSION OUTDIR GOOS/GOARCH=BINARY...
# writes OUTDIR/owui-mcp-VERSION.tgz (the shim, with an optional dependency
# per platform) and OUTDIR/owui-mcp-owui-mcp-<os>-<cpu>-VERSION.tgz for each
# binary given. Needs node and npm.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version=$1 out=$2
shift 2
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Main package: the shim, its version and the optional dependencies' versions.
mkdir -p "$work/main/bin"
cp "$here/bin/owui-mcp.js" "$work/main/bin/"
cp "$here/README.md" "$work/main/"
node -e '
const fs = require("fs"), [src, dst, v] = process.argv.slice(1);
const p = JSON.parse(fs.readFileSync(src, "utf8"));
p.version = v;
for (const k of Object.keys(p.optionalDependencies)) p.optionalDependencies[k] = v;
fs.writeFileSync(dst, JSON.stringify(p, null, 2) + "\n");' "$here/package.json" "$work/main/package.json" "$version"
(cd "$work/main" && npm pack --silent --pack-destination "$out" >/dev/null)

for spec in "$@"; do
  target=${spec%%=*} binary=${spec#*=}
  goos=${target%/*} goarch=${target#*/}
  case $goos in linux | darwin) os=$goos ;; windows) os=win32 ;; *) echo "unsupported $goos" >&2; exit 1 ;; esac
  case $goarch in amd64) cpu=x64 ;; arm64) cpu=arm64 ;; *) echo "unsupported $goarch" >&2; exit 1 ;; esac
  exe=owui-mcp
  [[ $os == win32 ]] && exe=owui-mcp.exe
  d="$work/$os-$cpu"
  mkdir -p "$d/bin"
  install -m 0755 "$binary" "$d/bin/$exe"
  node -e '
const fs = require("fs"), [dst, v, os, cpu, exe] = process.argv.slice(1);
fs.writeFileSync(dst, JSON.stringify({
  name: `@owui-mcp/owui-mcp-${os}-${cpu}`, version: v,
  description: `The owui-mcp binary for ${os}-${cpu} (installed by the owui-mcp package).`,
  license: "UNLICENSED",
  repository: { type: "git", url: "git+https://github.com/owui-mcp/owui-mcp.git" },
  os: [os], cpu: [cpu], files: [`bin/${exe}`], preferUnplugged: true,
}, null, 2) + "\n");' "$d/package.json" "$version" "$os" "$cpu" "$exe"
  (cd "$d" && npm pack --silent --pack-destination "$out" >/dev/null)
done
ls "$out"/*.tgz
