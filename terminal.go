package main

import (
	"fmt"
	"io"
	"os"
)

// stdinIsTerminal reports whether r is an interactive terminal: a person
// who ran the server by hand, not a client that started it. A variable so
// that tests can stand in for a terminal.
var stdinIsTerminal = func(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	// /dev/null is a character device too, and is what a client or CI
	// without input gives.
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(fi, null) {
		return false
	}
	return true
}

// firstRunHint is printed to stderr when a person starts the stdio server
// in a terminal, where it would otherwise sit silently waiting for JSON-RPC.
const firstRunHint = `owui-mcp is an MCP server: it speaks JSON-RPC on stdin/stdout and waits for an MCP client
(Claude Desktop, VS Code, Cursor, Open WebUI...) to start it; typing here will not work.
Try it with the MCP Inspector (Node 22+):
  npx -y @modelcontextprotocol/inspector --cli owui-mcp --demo --method tools/call --tool-name list_models
Ctrl-C quits. owui-mcp --help lists every option.
`

func printFirstRunHint(w io.Writer) { fmt.Fprint(w, firstRunHint) }
