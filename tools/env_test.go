package tools

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/owui"
)

// env is one server wired to a fresh fake Open WebUI, with an in-process
// MCP client: the same path a real client takes, minus the transport.
type env struct {
	t      *testing.T
	fake   *fakeowui.Server
	http   *httptest.Server
	deps   *Deps
	srv    *server.MCPServer
	client *client.Client
	now    time.Time
	audit  string
	init   *mcp.InitializeResult
}

type envOption func(*envConfig)

type envConfig struct {
	opts      Options
	key       string
	clientOpt []client.ClientOption
	backupDir string
	seed      bool
	clock     func() time.Time
	fake      fakeowui.Options
	allow     []string
	// coldVersion: initialize before the upstream version is known (a
	// stdio server whose start-up probe has not answered yet); by default
	// it is read first, as main's start-up probe does for a server that has
	// run a moment.
	coldVersion bool
	wrap        func(http.Handler) http.Handler
}

func withOptions(o Options) envOption        { return func(c *envConfig) { c.opts = o } }
func withKey(k string) envOption             { return func(c *envConfig) { c.key = k } }
func withBackupDir(d string) envOption       { return func(c *envConfig) { c.backupDir = d } }
func withClock(f func() time.Time) envOption { return func(c *envConfig) { c.clock = f } }
func withClient(o ...client.ClientOption) envOption {
	return func(c *envConfig) { c.clientOpt = append(c.clientOpt, o...) }
}
func unseeded() envOption { return func(c *envConfig) { c.seed = false } }

// withFake sets the fake's options (release, behaviour switches).
func withFake(o fakeowui.Options) envOption { return func(c *envConfig) { c.fake = o } }

// withAllow is --tools.
func withAllow(names ...string) envOption { return func(c *envConfig) { c.allow = names } }

// withColdVersion initializes before the upstream version is known.
func withColdVersion() envOption { return func(c *envConfig) { c.coldVersion = true } }

// withUpstream wraps the fake's HTTP handler (to delay or watch requests).
func withUpstream(w func(http.Handler) http.Handler) envOption {
	return func(c *envConfig) { c.wrap = w }
}

// allOn enables every tool class with token confirmation.
var allOn = Options{AllowAccessChanges: true, AllowAdmin: true, Confirm: ConfirmAuto}

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	cfg := envConfig{opts: allOn, key: fakeowui.AdminKey, seed: true}
	for _, o := range opts {
		o(&cfg)
	}
	fake := fakeowui.New(cfg.fake)
	if cfg.seed {
		fakeowui.SeedDemo(fake)
	}
	var h http.Handler = fake
	if cfg.wrap != nil {
		h = cfg.wrap(h)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	// Generous: the concurrency tests run under -race on 2 shared cores, and no
	// test here relies on this timeout firing.
	c, err := owui.New(owui.Config{BaseURL: hs.URL, APIKey: cfg.key, Timeout: 60 * time.Second, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.backupDir == "" {
		cfg.backupDir = filepath.Join(t.TempDir(), "backups")
	}
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	b, err := Build(Config{Client: c, Options: cfg.opts, Version: "test", Allow: cfg.allow, Clock: cfg.clock,
		TokenTTL: 5 * time.Minute, BackupDir: cfg.backupDir, AuditPath: auditPath,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Secrets: []string{cfg.key}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	d, srv := b.Deps, b.Server
	mc, err := client.NewInProcessClientWithOptions(srv, cfg.clientOpt...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if !cfg.coldVersion {
		_, _ = c.Version(ctx) // a failure is the tests' business (bad key, down server)
	}
	if err := mc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var init mcp.InitializeRequest
	init.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "1"}
	initRes, err := mc.Initialize(ctx, init)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mc.Close() })
	fake.ResetRequests()
	return &env{t: t, fake: fake, http: hs, deps: d, srv: srv, client: mc, audit: auditPath, init: initRes}
}

// call runs a tool and returns its result (tool errors included).
func (e *env) call(name string, args map[string]any) *mcp.CallToolResult {
	e.t.Helper()
	var req mcp.CallToolRequest
	req.Params.Name = name
	req.Params.Arguments = args
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := e.client.CallTool(ctx, req)
	if err != nil {
		e.t.Fatalf("%s: protocol error: %v", name, err)
	}
	return res
}

// ok runs a tool that must succeed and decodes its structured result.
func (e *env) ok(name string, args map[string]any, out any) *mcp.CallToolResult {
	e.t.Helper()
	res := e.call(name, args)
	if res.IsError {
		e.t.Fatalf("%s: unexpected tool error: %s", name, text(res))
	}
	if out != nil {
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s: decoding structured result %s: %v", name, b, err)
		}
	}
	return res
}

// fail runs a tool that must fail and returns its error text.
func (e *env) fail(name string, args map[string]any) string {
	e.t.Helper()
	res := e.call(name, args)
	if !res.IsError {
		e.t.Fatalf("%s: expected a tool error, got: %s", name, text(res))
	}
	return text(res)
}

// writes returns the non-GET requests the fake received.
func (e *env) writes() []fakeowui.Request {
	var out []fakeowui.Request
	for _, r := range e.fake.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

func text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func mustContain(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("missing %q in:\n%s", sub, s)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
