//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/owui-mcp/owui-mcp/internal/testutil"
)

// allFlags turns every tool on and forces the confirm_token flow.
func allFlags(backupDir string) []string {
	return []string{"--allow-admin", "--allow-access-changes", "--confirm=token", "--backup-dir", backupDir, "--log-level", "debug"}
}

// server is one owui-mcp process driven over stdio by the official MCP Go
// SDK client.
type server struct {
	name      string
	sess      *mcp.ClientSession
	backupDir string
	stderr    *testutil.Buffer
	tools     []string
	descs     map[string]string // tool name → description, as listed
	instr     string            // the instructions of initialize
}

// serverEnv is the minimal environment of a server process: no inherited
// OWUI_MCP_* settings, no proxies.
func serverEnv(url, key string) []string {
	env := []string{"OPENWEBUI_URL=" + url, "OPENWEBUI_API_KEY=" + key, "NO_PROXY=*", "no_proxy=*"}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v := os.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// startServer starts the binary against url with key and connects to it.
// It is stopped when t ends; its stderr is shown when t failed.
func startServer(t testing.TB, name, url, key string, flags ...string) *server {
	t.Helper()
	return startServerWith(t, name, url, key, nil, flags...)
}

// startServerWith is startServer with MCP client options (an elicitation
// handler, for example). "{backup}" in flags becomes the backup dir.
func startServerWith(t testing.TB, name, url, key string, copts *mcp.ClientOptions, flags ...string) *server {
	t.Helper()
	backupDir := filepath.Join(t.TempDir(), "backups")
	if len(flags) == 0 {
		flags = allFlags(backupDir)
	} else {
		for i, f := range flags {
			if f == "{backup}" {
				flags[i] = backupDir
			}
		}
	}
	cmd := exec.Command(suite.bin, flags...)
	cmd.Env = serverEnv(url, key)
	stderr := &testutil.Buffer{}
	cmd.Stderr = stderr
	setPdeathsig(cmd)
	client := mcp.NewClient(&mcp.Implementation{Name: "owui-mcp-e2e", Version: "1"}, copts)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sess, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 3 * time.Second}, nil)
	if err != nil {
		t.Fatalf("connecting to owui-mcp (%s): %v\nstderr:\n%s", name, err, stderr.String())
	}
	s := &server{name: name, sess: sess, backupDir: backupDir, stderr: stderr}
	t.Cleanup(func() {
		_ = sess.Close()
		if t.Failed() {
			t.Logf("owui-mcp (%s) stderr, last lines:\n%s", name, tail(stderr.String(), 30))
		}
	})
	lt, err := sess.ListTools(ctx, nil)
	if err != nil {
		t.Fatalf("tools/list (%s): %v", name, err)
	}
	s.descs = map[string]string{}
	for _, tool := range lt.Tools {
		s.tools = append(s.tools, tool.Name)
		s.descs[tool.Name] = tool.Description
	}
	if ir := sess.InitializeResult(); ir != nil {
		s.instr = ir.Instructions
	}
	slices.Sort(s.tools)
	return s
}

// result is one tools/call answer, decoded for checks.
type result struct {
	tool    string
	IsError bool
	Text    string
	Images  []*mcp.ImageContent
	S       map[string]any // structuredContent
}

func (r *result) String() string {
	s := r.Text
	if len(s) > 1500 {
		s = s[:1500] + "…"
	}
	return fmt.Sprintf("%s isError=%v: %s", r.tool, r.IsError, s)
}

// status is the "status" of a gated tool's outcome.
func (r *result) status() string { return str(r.S["status"]) }
func (r *result) token() string  { return str(r.S["confirm_token"]) }
func (r *result) backup() string { return str(r.S["backup"]) }

func (r *result) preview() map[string]any { return obj(r.S["preview"]) }

// call runs one tool. A protocol error fails the test: tools report
// failures as isError results.
func (s *server) call(t testing.TB, tool string, args map[string]any) *result {
	t.Helper()
	if args == nil {
		args = map[string]any{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := s.sess.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s (%s): protocol error: %v", tool, s.name, err)
	}
	out := &result{tool: tool, IsError: res.IsError}
	var texts []string
	for _, c := range res.Content {
		switch v := c.(type) {
		case *mcp.TextContent:
			texts = append(texts, v.Text)
		case *mcp.ImageContent:
			out.Images = append(out.Images, v)
		}
	}
	out.Text = strings.Join(texts, "\n")
	if res.StructuredContent != nil {
		b, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatalf("%s: structuredContent: %v", tool, err)
		}
		if err := json.Unmarshal(b, &out.S); err != nil {
			t.Fatalf("%s: structuredContent is not an object: %s", tool, b)
		}
	}
	return out
}

// ok calls a tool and fails unless it succeeded.
func (s *server) ok(t testing.TB, tool string, args map[string]any) *result {
	t.Helper()
	r := s.call(t, tool, args)
	if r.IsError {
		t.Fatalf("%s (%s) failed: %s", tool, s.name, r)
	}
	return r
}

// fails calls a tool and fails unless it answered isError; the error text
// must contain every want (case-insensitive).
func (s *server) fails(t testing.TB, tool string, args map[string]any, want ...string) *result {
	t.Helper()
	r := s.call(t, tool, args)
	if !r.IsError {
		t.Fatalf("%s (%s) should have failed: %s", tool, s.name, r)
	}
	for _, w := range want {
		if !strings.Contains(strings.ToLower(r.Text), strings.ToLower(w)) {
			t.Errorf("%s (%s): error text lacks %q: %s", tool, s.name, w, r)
		}
	}
	return r
}

// preview calls a gated tool without a token and checks that it answered
// with a preview and a confirm_token.
func (s *server) preview(t testing.TB, tool string, args map[string]any) *result {
	t.Helper()
	r := s.ok(t, tool, args)
	if r.status() != "confirmation_required" || r.token() == "" || r.preview() == nil {
		t.Fatalf("%s (%s): expected a preview with confirm_token, got %s", tool, s.name, r)
	}
	return r
}

// confirmed runs a gated tool the way an agent does: preview, then the
// same arguments plus confirm_token. It returns both answers.
func (s *server) confirmed(t testing.TB, tool string, args map[string]any) (pre, done *result) {
	t.Helper()
	pre = s.preview(t, tool, args)
	done = s.call(t, tool, with(args, "confirm_token", pre.token()))
	if done.IsError || done.status() != "done" {
		t.Fatalf("%s (%s) with confirm_token did not run: %s", tool, s.name, done)
	}
	return pre, done
}

// backupFile checks that the backup named in a done outcome exists on
// disk and holds the given ids; it returns the decoded file.
func (s *server) backupFile(t testing.TB, done *result, ids ...string) map[string]any {
	t.Helper()
	id := done.backup()
	if id == "" {
		t.Fatalf("%s: no backup id in %s", done.tool, done)
	}
	b, err := os.ReadFile(filepath.Join(s.backupDir, id+".json"))
	if err != nil {
		t.Fatalf("%s: backup %s: %v", done.tool, id, err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("backup %s: %v", id, err)
	}
	have := map[string]bool{}
	for _, m := range list(f["models"]) {
		have[str(obj(m)["id"])] = true
	}
	for _, id := range ids {
		if !have[id] {
			t.Errorf("backup %s lacks %s", done.backup(), id)
		}
	}
	return f
}

func with(args map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(args)+1)
	for a, b := range args {
		out[a] = b
	}
	out[k] = v
	return out
}

// Helpers to walk decoded JSON without panics.
func str(v any) string {
	s, _ := v.(string)
	return s
}
func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
func list(v any) []any {
	l, _ := v.([]any)
	return l
}
func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// ids lists the "id" of every object in v.
func idsOf(v any) []string {
	var out []string
	for _, it := range list(v) {
		out = append(out, str(obj(it)["id"]))
	}
	return out
}

// previewIDs lists the ids of the preview's affected models with effect.
func previewIDs(r *result, effect string) []string {
	var out []string
	for _, it := range list(r.preview()["models"]) {
		m := obj(it)
		if effect == "" || str(m["effect"]) == effect {
			out = append(out, str(m["id"]))
		}
	}
	slices.Sort(out)
	return out
}

func toJSONMap(t testing.TB, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
