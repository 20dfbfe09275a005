package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runMain(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code = run(context.Background(), args, getenv, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpListsEveryFlagWithItsEnvVar(t *testing.T) {
	code, _, help := runMain(t, map[string]string{"OPENWEBUI_API_KEY": "sk-help-secret-0000", "OWUI_MCP_HTTP_TOKEN": "tok-help-secret"}, "--help")
	if code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for _, d := range (&config{}).flags() {
		if !strings.Contains(help, "-"+d.name) {
			t.Errorf("--help lacks --%s", d.name)
		}
		if d.env != "" && !strings.Contains(help, "env "+d.env) {
			t.Errorf("--help lacks the env var of --%s (%s)", d.name, d.env)
		}
	}
	if strings.Contains(help, "sk-help-secret") || strings.Contains(help, "tok-help-secret") {
		t.Errorf("--help shows a secret:\n%s", help)
	}
	if !strings.Contains(help, "env OPENWEBUI_API_KEY, set)") || !strings.Contains(help, "--demo") {
		t.Errorf("--help should say the key is set and show the demo command:\n%s", help)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runMain(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(out, "owui-mcp ") {
		t.Errorf("--version: %d %q", code, out)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no url", nil, nil, "no Open WebUI URL: set OPENWEBUI_URL or --url (or try --demo"},
		{"no key", map[string]string{"OPENWEBUI_URL": "http://127.0.0.1:1"}, nil, "no Open WebUI API key: set OPENWEBUI_API_KEY"},
		{"bad url", map[string]string{"OPENWEBUI_API_KEY": "k"}, []string{"--url", "ftp://x"}, "is not an http(s) URL"},
		{"bad confirm", nil, []string{"--demo", "--confirm", "maybe"}, `--confirm "maybe": use auto, token, elicit or none`},
		{"bad transport", nil, []string{"--demo", "--transport", "sse"}, `--transport "sse": use stdio or http`},
		{"bad env duration", map[string]string{"OWUI_MCP_TIMEOUT": "soon"}, []string{"--demo"}, "environment variable OWUI_MCP_TIMEOUT"},
		{"bad env secret", map[string]string{"OWUI_MCP_HTTP_TOKEN": ""}, []string{"--demo", "--tools", "nope"}, "--tools names unknown tool(s): nope"},
		{"stray argument", nil, []string{"--demo", "extra"}, `unexpected argument "extra"`},
		{"public listen without auth", nil, []string{"--demo", "--transport", "http", "--listen", "0.0.0.0:0"}, "--http-token"},
		{"redis without key", map[string]string{"OWUI_MCP_REDIS_URL": "redis://:pw@127.0.0.1:1/0"}, []string{"--demo"}, "--redis-url needs --confirm-key-file / OWUI_MCP_CONFIRM_KEY_FILE"},
		{"short key", map[string]string{"OWUI_MCP_REDIS_URL": "redis://127.0.0.1:1/0"}, []string{"--demo", "--confirm-key-file", "testdata/short.key"}, "--confirm-key-file holds 5 bytes, need at least 32"},
		{"key without redis", nil, []string{"--demo", "--confirm-key-file", "testdata/short.key"}, "--confirm-key-file is only for --redis-url"},
		{"audit log in a missing directory", nil, []string{"--demo", "--audit-log", "testdata/no-such-dir/audit.jsonl"}, "--audit-log: open audit log: open testdata/no-such-dir/audit.jsonl: no such file or directory"},
		{"max backup bytes zero", nil, []string{"--demo", "--max-backup-bytes", "0"}, "--max-backup-bytes 0: must be positive"},
		{"redis unreachable", map[string]string{"OWUI_MCP_REDIS_URL": "redis://:pw@127.0.0.1:1/0", "OWUI_MCP_CONFIRM_KEY_FILE": "testdata/ok.key"}, []string{"--demo"}, "redis at redis://:xxxxx@127.0.0.1:1/0 does not answer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runMain(t, c.env, c.args...)
			if code == 0 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q, want it to contain %q", code, stderr, c.want)
			}
		})
	}
}
