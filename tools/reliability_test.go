package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"go.uber.org/goleak"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/internal/httpserve"
	"github.com/owui-mcp/owui-mcp/internal/testutil"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// raceEnabled reports whether the test binary was built with -race (the
// build records it; no build-tagged file needed).
var raceEnabled = func() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				return true
			}
		}
	}
	return false
}()

// noLeaks runs f as a subtest, so that every cleanup of f has run, then
// checks that no goroutine f started is still alive.
func noLeaks(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	if !t.Run(name, f) {
		return
	}
	goleak.VerifyNone(t, before)
}

// visibleIDs returns model ids from the first page of list_models, so the
// load does not depend on the fake's seed.
func visibleIDs(t *testing.T, call func(string, map[string]any) *mcp.CallToolResult) []string {
	t.Helper()
	res := call("list_models", map[string]any{"detail": "compact"})
	if res.IsError {
		t.Fatalf("list_models: %s", text(res))
	}
	var out schemas.ListModelsResult
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &out); err != nil || len(out.Models) == 0 {
		t.Fatalf("no models to read (%v): %s", err, b)
	}
	ids := make([]string, len(out.Models))
	for i, m := range out.Models {
		ids[i] = m.ID
	}
	return ids
}

const callers = 64

// callsPerCaller is 200. The race detector slows every call down by an
// order of magnitude, so under -race each of the 64 callers makes fewer
// (the concurrency, which is what the detector needs, stays the same) and
// the whole test stays well under 20 s on two cores.
func callsPerCaller(underRace int) int {
	if raceEnabled {
		return underRace
	}
	return 200
}

// hammer runs callers × calls mixed get_model/list_models calls through
// call and fails on the first protocol or tool error.
func hammer(t *testing.T, calls int, ids []string, call func(ctx context.Context, caller int, name string, args map[string]any) (*mcp.CallToolResult, error)) {
	t.Helper()
	var wg sync.WaitGroup
	var failures atomic.Int64
	var first sync.Once
	var firstErr string
	start := time.Now()
	for g := 0; g < callers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				name, args := "get_model", map[string]any{"id": ids[(g+i)%len(ids)]}
				if (g+i)%3 == 0 {
					name, args = "list_models", map[string]any{"page": 1 + (g+i)%2, "order_by": "name"}
				}
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				res, err := call(ctx, g, name, args)
				cancel()
				msg := ""
				switch {
				case err != nil:
					msg = fmt.Sprintf("caller %d call %d %s: protocol error: %v", g, i, name, err)
				case res.IsError:
					msg = fmt.Sprintf("caller %d call %d %s: %s", g, i, name, text(res))
				case name == "get_model" && !strings.Contains(text(res), args["id"].(string)):
					msg = fmt.Sprintf("caller %d call %d: get_model %v answered another model: %.200s", g, i, args["id"], text(res))
				}
				if msg != "" {
					failures.Add(1)
					first.Do(func() { firstErr = msg })
					return
				}
			}
		}(g)
	}
	wg.Wait()
	t.Logf("%d callers × %d calls in %v (race detector %v)", callers, calls, time.Since(start).Round(time.Millisecond), raceEnabled)
	if n := failures.Load(); n > 0 {
		t.Fatalf("%d caller(s) failed; first: %s", n, firstErr)
	}
}

// TestConcurrentCallersInProcess: 64 callers share one in-process client
// and one server; every call succeeds and answers its own question, the
// race detector (CI runs -race) sees no race, and no goroutine outlives the
// server.
func TestConcurrentCallersInProcess(t *testing.T) {
	noLeaks(t, "load", func(t *testing.T) {
		e := newEnv(t)
		ids := visibleIDs(t, e.call)
		hammer(t, callsPerCaller(32), ids, func(ctx context.Context, _ int, name string, args map[string]any) (*mcp.CallToolResult, error) {
			var req mcp.CallToolRequest
			req.Params.Name, req.Params.Arguments = name, args
			return e.client.CallTool(ctx, req)
		})
	})
}

// TestConcurrentCallersOverHTTP is the same load through the streamable
// HTTP transport as the binary runs it (httpserve.Serve on a loopback port,
// shared-token auth, graceful shutdown), each caller with its own client
// and session.
func TestConcurrentCallersOverHTTP(t *testing.T) {
	noLeaks(t, "load", func(t *testing.T) {
		e := newEnv(t)
		ids := visibleIDs(t, e.call)
		const token = "tok-concurrency-test-0000000000"
		url := serveHTTP(t, e.srv, httpserve.Options{Listen: "127.0.0.1:0", Token: token,
			// Above the caller count: a caller's next POST may arrive before
			// the server has released the slot of its previous one.
			MaxConcurrent: 2 * callers})
		clients := make([]*client.Client, callers)
		for i := range clients {
			clients[i] = httpClient(t, url, token)
		}
		hammer(t, callsPerCaller(16), ids, func(ctx context.Context, g int, name string, args map[string]any) (*mcp.CallToolResult, error) {
			var req mcp.CallToolRequest
			req.Params.Name, req.Params.Arguments = name, args
			return clients[g].CallTool(ctx, req)
		})
	})
}

// urlLog picks the listening URL out of httpserve's start-up log line.
type urlLog struct {
	slog.Handler
	url chan string
}

func (u urlLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "url" {
			select {
			case u.url <- a.Value.String():
			default:
			}
		}
		return true
	})
	return nil
}

func (u urlLog) Enabled(context.Context, slog.Level) bool { return true }

// serveHTTP runs httpserve.Serve until the test ends, then shuts it down
// and waits for it.
func serveHTTP(t *testing.T, srv *server.MCPServer, o httpserve.Options) string {
	t.Helper()
	urls := make(chan string, 1)
	o.Logger = slog.New(urlLog{slog.DiscardHandler, urls})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- httpserve.Serve(ctx, srv, o) }()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Serve did not shut down")
		}
	})
	select {
	case u := <-urls:
		return u
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not start")
	}
	return ""
}

func httpClient(t *testing.T, url, token string) *client.Client {
	t.Helper()
	tr, err := transport.NewStreamableHTTP(url, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}),
		transport.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var init mcp.InitializeRequest
	init.Params.ClientInfo = mcp.Implementation{Name: "load", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// hangingGet makes GET /model block until its request is cancelled, and
// reports when it started and when it saw the cancellation.
type hangingGet struct {
	entered  chan struct{}
	canceled chan time.Time
	once     sync.Once
}

func hangGetModel(t *testing.T, fake *fakeowui.Server) *hangingGet {
	h := &hangingGet{entered: make(chan struct{}), canceled: make(chan time.Time, 1)}
	fake.Override("GET", "/api/v1/models/model", func(w http.ResponseWriter, r *http.Request) {
		h.once.Do(func() { close(h.entered) })
		select {
		case <-r.Context().Done():
			h.canceled <- time.Now()
		case <-time.After(30 * time.Second):
		}
	})
	t.Cleanup(func() { fake.Override("GET", "/api/v1/models/model", nil) })
	return h
}

// checkCancellation starts a get_model call that hangs upstream, cancels
// it, and asserts that the upstream request is cancelled and the call
// returns, each within a generous bound.
func checkCancellation(t *testing.T, h *hangingGet, call func(ctx context.Context) error) {
	t.Helper()
	const bound = 2 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	returned := make(chan error, 1)
	go func() { returned <- call(ctx) }()
	select {
	case <-h.entered:
	case err := <-returned:
		t.Fatalf("the call ended before reaching upstream: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the call never reached upstream")
	}
	cancelled := time.Now()
	cancel()
	select {
	case at := <-h.canceled:
		t.Logf("upstream request cancelled %v after the call was", at.Sub(cancelled).Round(time.Microsecond))
	case <-time.After(bound):
		t.Fatalf("upstream request still running %v after the call was cancelled", bound)
	}
	select {
	case err := <-returned:
		t.Logf("the call returned: %v", err)
	case <-time.After(bound):
		t.Fatalf("the call had not returned %v after it was cancelled", bound)
	}
}

// TestCancelledCallCancelsUpstream (in-process client): cancelling the
// context of CallTool cancels the handler's context and with it the Open
// WebUI request.
func TestCancelledCallCancelsUpstream(t *testing.T) {
	noLeaks(t, "in-process", func(t *testing.T) {
		e := newEnv(t)
		h := hangGetModel(t, e.fake)
		checkCancellation(t, h, func(ctx context.Context) error {
			var req mcp.CallToolRequest
			req.Params.Name, req.Params.Arguments = "get_model", map[string]any{"id": "any"}
			_, err := e.client.CallTool(ctx, req)
			return err
		})
		e.fake.Override("GET", "/api/v1/models/model", nil)
		e.ok("list_models", nil, nil)
	})
}

// TestCancelledNotificationCancelsUpstream (stdio over pipes): here the
// call's context is the client's own, so only the notifications/cancelled
// message the client sends can stop the server's handler; the test proves
// it reaches the upstream request.
func TestCancelledNotificationCancelsUpstream(t *testing.T) {
	noLeaks(t, "stdio", func(t *testing.T) {
		e := newEnv(t)
		h := hangGetModel(t, e.fake)
		c := stdioClient(t, e.srv)
		checkCancellation(t, h, func(ctx context.Context) error {
			var req mcp.CallToolRequest
			req.Params.Name, req.Params.Arguments = "get_model", map[string]any{"id": "any"}
			_, err := c.CallTool(ctx, req)
			return err
		})
		e.fake.Override("GET", "/api/v1/models/model", nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var req mcp.CallToolRequest
		req.Params.Name = "list_models"
		res, err := c.CallTool(ctx, req)
		if err != nil || res.IsError {
			t.Fatalf("after the cancellation, list_models: %v %v", err, res)
		}
	})
}

// stdioClient serves srv over a pair of pipes, as the binary does on stdio,
// and returns an initialized client on the other end.
func stdioClient(t *testing.T, srv *server.MCPServer) *client.Client {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		s := server.NewStdioServer(srv)
		// Quiet, but not nil: the server logs a response it could not
		// write (the pipe closed by the cleanup) through it.
		s.SetErrorLogger(log.New(io.Discard, "", 0))
		_ = s.Listen(ctx, inR, outW)
	}()
	c := client.NewClient(transport.NewIO(outR, inW, io.NopCloser(strings.NewReader(""))))
	t.Cleanup(func() {
		c.Close()
		stop()
		inW.Close()
		outW.Close()
		select {
		case <-served:
		case <-time.After(10 * time.Second):
			t.Error("the stdio server did not stop")
		}
	})
	ictx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Start(ictx); err != nil {
		t.Fatal(err)
	}
	var init mcp.InitializeRequest
	init.Params.ClientInfo = mcp.Implementation{Name: "stdio-test", Version: "1"}
	if _, err := c.Initialize(ictx, init); err != nil {
		t.Fatal(err)
	}
	return c
}

// panicTransport panics on one method+path and passes the rest on.
type panicTransport struct {
	next         http.RoundTripper
	method, path string
	value        any
}

func (p panicTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == p.method && r.URL.Path == p.path {
		panic(p.value)
	}
	return p.next.RoundTrip(r)
}

// TestPanicsBecomeToolErrors: a panic in a handler, in the Open WebUI client
// path, or in the middle of a gated call becomes an isError result (never a
// protocol error), is logged without secrets, and the server keeps serving.
func TestPanicsBecomeToolErrors(t *testing.T) {
	e := newEnv(t)
	logs := &testutil.Buffer{}
	e.deps.Log = slog.New(slog.NewTextHandler(logs, nil))
	key := fakeowui.AdminKey

	boom := Tool{Spec: Spec{Name: "boom", Title: "Boom", Description: "panics", Class: ClassRead, ReadOnly: true},
		In: schemas.Input[schemas.NoArgs](), Out: schemas.Output[schemas.TagsResult]()}
	boom.call = func(context.Context, *Deps, mcp.CallToolRequest, map[string]any) (*mcp.CallToolResult, error) {
		panic("boom with " + key)
	}
	e.srv.AddTool(boom.MCP(), boom.Handler(e.deps))

	check := func(name string, args map[string]any) {
		t.Helper()
		txt := e.fail(name, args)
		mustContain(t, txt, name+" failed with an internal error")
		if strings.Contains(txt, key) || strings.Contains(txt, "goroutine ") {
			t.Errorf("%s: the panic leaks into the result: %s", name, txt)
		}
		e.ok("list_models", nil, nil)
	}

	check("boom", nil)

	// A panic under the client: the transport blows up on one route.
	healthy := e.deps.Client
	c, err := owui.New(owui.Config{BaseURL: e.http.URL, APIKey: key, Backoff: time.Millisecond,
		Transport: panicTransport{next: http.DefaultTransport, method: "GET", path: "/api/v1/models/model", value: errors.New("transport exploded: " + key)}})
	if err != nil {
		t.Fatal(err)
	}
	e.deps.Client = c
	check("get_model", map[string]any{"id": "anything"})

	// A panic after the plan and the backup, while the change is sent.
	c, err = owui.New(owui.Config{BaseURL: e.http.URL, APIKey: key, Backoff: time.Millisecond,
		Transport: panicTransport{next: http.DefaultTransport, method: "POST", path: "/api/v1/models/model/toggle", value: 42}})
	if err != nil {
		t.Fatal(err)
	}
	e.deps.Client = c
	ids := visibleIDs(t, e.call)
	check("toggle_model", map[string]any{"id": ids[0]})
	e.deps.Client = healthy

	out := logs.String()
	if n := strings.Count(out, "tool panicked"); n != 3 {
		t.Errorf("%d panics logged, want 3:\n%s", n, out)
	}
	if strings.Contains(out, key) {
		t.Errorf("the panic log holds the API key:\n%s", out)
	}
	mustContain(t, out, "[redacted]", "tool=boom", "tool=get_model", "tool=toggle_model")
}

// hostileArgs are argument sets no tool should choke on.
var hostileArgs = []map[string]any{
	nil,
	{},
	{"id": nil},
	{"id": ""},
	{"id": 42},
	{"id": []any{"a", "b"}},
	{"id": map[string]any{"$ne": ""}},
	{"id": strings.Repeat("x", 100_000)},
	{"id": "../../etc/passwd"},
	{"id": "\x00\xff\u202e"},
	{"id": "m", "confirm_token": "x.y"},
	{"id": "m", "confirm_token": strings.Repeat("A", 10_000)},
	{"id": "m", "dry_run": "maybe"},
	{"id": "m", "name": "n", "access_grants": "everyone"},
	{"id": "m", "access_grants": []any{map[string]any{"principal_type": "user", "principal_id": "*", "permission": "admin"}}},
	{"id": "m", "access_grants": []any{nil, 1, "x"}},
	{"id": "m", "meta": "not json {"},
	{"id": "m", "params": []any{}},
	{"id": "m", "tags": map[string]any{"a": 1}},
	{"page": -1}, {"page": "NaN"}, {"page": "Inf"}, {"page": 1e300}, {"page": 1.5},
	{"limit": 0}, {"limit": "1e9"},
	{"models": nil}, {"models": []any{}}, {"models": "[{\"id\":1}]"}, {"models": []any{42, nil, "x"}},
	{"models": []any{map[string]any{"id": strings.Repeat("y", 300), "name": ""}}},
	{"backup": "../../../etc/passwd"}, {"backup": "20261126T153012Z-delete_model-3f9a1c"},
	{"model": map[string]any{}},
	{"unknown": true, "another": []any{}},
	{"mode": "destroy", "id": "m", "access_grants": []any{}},
}

// TestHostileArgumentsThroughTheProtocol sends every hostile argument set to
// every tool through the in-process client (confirmations on): never a
// protocol error, and never a write to Open WebUI.
func TestHostileArgumentsThroughTheProtocol(t *testing.T) {
	e := newEnv(t, withOptions(Options{AllowAccessChanges: true, AllowAdmin: true, Confirm: ConfirmToken}))
	for _, tl := range All() {
		for i, args := range hostileArgs {
			e.fake.ResetRequests()
			res := e.call(tl.Name, args) // a protocol error fails here
			if res.IsError && !strings.Contains(text(res), tl.Name) {
				t.Errorf("%s args #%d: the error does not name the tool: %s", tl.Name, i, text(res))
			}
			// (An argument error may follow reads: sync_models checks its
			// records after reading the current ones. It never follows a write.)
			if w := e.writes(); len(w) != 0 {
				t.Errorf("%s args #%d: hostile arguments wrote upstream: %s %s", tl.Name, i, w[0].Method, w[0].Path)
			}
		}
	}
	e.ok("list_models", nil, nil)
}
