#!/usr/bin/env node
// Runs the owui-mcp binary of this platform, shipped in the optional
// package @owui-mcp/owui-mcp-<platform>-<arch> (npm installs only the one
// whose os/cpu match). stdio is passed through untouched: it carries MCP.
"use strict";
const { spawn } = require("child_process");

const pkg = `@owui-mcp/owui-mcp-${process.platform}-${process.arch}`;
const exe = process.platform === "win32" ? "owui-mcp.exe" : "owui-mcp";
let bin;
try {
  bin = require.resolve(`${pkg}/bin/${exe}`);
} catch {
  console.error(
    `owui-mcp: no binary for ${process.platform}-${process.arch}: the optional package ${pkg} is not installed.\n` +
      "Reinstall without --omit=optional / --no-optional, or use another channel: uvx owui-mcp, docker run -i ghcr.io/owui-mcp/owui-mcp, or a release archive."
  );
  process.exit(1);
}

const child = spawn(bin, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
const forward = ["SIGINT", "SIGTERM", "SIGHUP"];
for (const sig of forward) {
  process.on(sig, () => {
    if (child.exitCode === null) child.kill(sig);
  });
}
child.on("error", (err) => {
  console.error(`owui-mcp: cannot run ${bin}: ${err.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal) {
    for (const sig of forward) process.removeAllListeners(sig);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code === null ? 1 : code);
});
