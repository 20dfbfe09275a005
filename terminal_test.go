package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFirstRunHintOnlyInATerminal(t *testing.T) {
	cases := []struct {
		name     string
		terminal bool
		args     []string
		want     bool
	}{
		{"stdio in a terminal", true, []string{"--demo"}, true},
		{"stdio from a client", false, []string{"--demo"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			old := stdinIsTerminal
			stdinIsTerminal = func(io.Reader) bool { return c.terminal }
			defer func() { stdinIsTerminal = old }()
			var out, errb bytes.Buffer
			// An empty stdin ends the session at once, as Ctrl-D would.
			code := run(context.Background(), c.args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			got := strings.Contains(errb.String(), "owui-mcp is an MCP server")
			if got != c.want {
				t.Errorf("hint shown %v, want %v; stderr:\n%s", got, c.want, errb.String())
			}
			if c.want {
				mustHave(t, errb.String(), "waits for an MCP client", "npx -y @modelcontextprotocol/inspector --cli owui-mcp --demo --method tools/call --tool-name list_models", "Ctrl-C quits")
			}
			if out.Len() != 0 {
				t.Errorf("stdout carries only protocol messages, got %q", out.String())
			}
		})
	}
}

func mustHave(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("missing %q in:\n%s", sub, s)
		}
	}
}

// The real check: a pipe and /dev/null are not terminals; a pseudo-terminal is.
func TestStdinIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if stdinIsTerminal(r) {
		t.Error("a pipe counted as a terminal")
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if stdinIsTerminal(null) {
		t.Error("/dev/null counted as a terminal")
	}
	if stdinIsTerminal(strings.NewReader("")) {
		t.Error("a reader counted as a terminal")
	}
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer pty.Close()
	if !stdinIsTerminal(pty) {
		t.Error("a pseudo-terminal was not recognised")
	}
}

func TestVersionOf(t *testing.T) {
	mod := func(v string) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/owui-mcp/owui-mcp", Version: v}}
	}
	cases := []struct {
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"1.4.0", mod("v1.3.0"), "1.4.0"}, // -ldflags wins
		{"", mod("v1.3.0"), "v1.3.0"},     // go install ...@v1.3.0
		{"", mod("(devel)"), "dev"},       // go build in a checkout
		{"", mod(""), "dev"},
		{"", nil, "dev"},
	}
	for _, c := range cases {
		if got := versionOf(c.stamped, c.bi); got != c.want {
			t.Errorf("versionOf(%q, %+v) = %q, want %q", c.stamped, c.bi, got, c.want)
		}
	}
}
