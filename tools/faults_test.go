package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/internal/testutil"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/tools"
)

// The fault matrix: every way Open WebUI (or the network in front of it)
// can fail, one row each. A row is run twice, once on the client and once
// through the MCP tool (in-process client, the same path a real agent
// takes); then the fault is lifted and list_models must work on the same
// server, so a fault never leaves the server broken.

// faultModel is created in the fake before each row (ids may hold / : and .).
const faultModel = "rel/fault-model:v1.0"

// rig is one MCP server whose Open WebUI client dials through a switch:
// while faulty, connections go to the row's address (a closed port, a
// .invalid host, a listener that never accepts); once healed, every
// connection goes to the fake.
type rig struct {
	t       *testing.T
	fake    *fakeowui.Server
	hs      *httptest.Server
	tr      *http.Transport
	healthy atomic.Bool
	dials   atomic.Int64 // dials while faulty
	client  *owui.Client
	mcp     *client.Client
	stop    chan struct{} // releases hanging handlers at the end
}

func newFake(t *testing.T) (*fakeowui.Server, *httptest.Server, chan struct{}) {
	t.Helper()
	fake := fakeowui.New(fakeowui.Options{})
	fakeowui.SeedDemo(fake)
	hs := httptest.NewServer(fake)
	stop := make(chan struct{})
	t.Cleanup(func() {
		close(stop)
		hs.CloseClientConnections()
		hs.Close()
	})
	setup, err := owui.New(owui.Config{BaseURL: hs.URL, APIKey: fakeowui.AdminKey})
	if err != nil {
		t.Fatal(err)
	}
	base := "gpt-4o"
	if _, err := setup.CreateModel(context.Background(), owui.ModelForm{ID: faultModel, Name: "Fault model", BaseModelID: &base, IsActive: true}); err != nil {
		t.Fatalf("creating %s in the fake: %v", faultModel, err)
	}
	fake.ResetRequests()
	return fake, hs, stop
}

// newRig builds the server. base is the URL the client is configured with;
// "" means the fake itself.
func newRig(t *testing.T, fake *fakeowui.Server, hs *httptest.Server, stop chan struct{}, base string, timeout time.Duration) *rig {
	t.Helper()
	r := &rig{t: t, fake: fake, hs: hs, stop: stop}
	if base == "" {
		base = hs.URL
		r.healthy.Store(true)
	}
	fakeAddr := hs.Listener.Addr().String()
	var d net.Dialer
	r.tr = http.DefaultTransport.(*http.Transport).Clone()
	r.tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if r.healthy.Load() {
			return d.DialContext(ctx, network, fakeAddr)
		}
		r.dials.Add(1)
		return d.DialContext(ctx, network, addr)
	}
	t.Cleanup(r.tr.CloseIdleConnections)
	c, err := owui.New(owui.Config{BaseURL: base, APIKey: fakeowui.AdminKey, Timeout: timeout, Backoff: time.Millisecond, Transport: r.tr})
	if err != nil {
		t.Fatal(err)
	}
	r.client = c
	b, err := tools.Build(tools.Config{Client: c, Options: tools.Options{AllowAccessChanges: true, AllowAdmin: true, Confirm: tools.ConfirmNone},
		Version: "test", TokenTTL: time.Minute, BackupDir: filepath.Join(t.TempDir(), "backups"),
		AuditPath: filepath.Join(t.TempDir(), "audit.jsonl"), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Secrets: []string{fakeowui.AdminKey}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	srv := b.Server
	r.mcp = startClient(t, srv)
	return r
}

func (r *rig) heal() {
	r.healthy.Store(true)
	r.tr.CloseIdleConnections()
}

// upstream counts the requests the fake received for method+path.
func (r *rig) upstream(method, path string) int {
	n := 0
	for _, q := range r.fake.Requests() {
		if q.Method == method && q.Path == path {
			n++
		}
	}
	return n
}

// op is one operation: the client call, the tool that makes it, and the
// request that carries the fault.
type op struct {
	tool         string
	args         map[string]any
	method, path string
	call         func(ctx context.Context, c *owui.Client) error
}

var (
	opGet = op{"get_model", map[string]any{"id": faultModel}, "GET", "/api/v1/models/model",
		func(ctx context.Context, c *owui.Client) error { _, err := c.GetModel(ctx, faultModel); return err }}
	opList = op{"list_models", map[string]any{}, "GET", "/api/v1/models/list",
		func(ctx context.Context, c *owui.Client) error {
			_, err := c.ListModels(ctx, owui.ListParams{})
			return err
		}}
	opExport = op{"export_models", map[string]any{}, "GET", "/api/v1/models/export",
		func(ctx context.Context, c *owui.Client) error { _, err := c.ExportModels(ctx); return err }}
	opToggle = op{"toggle_model", map[string]any{"id": faultModel}, "POST", "/api/v1/models/model/toggle",
		func(ctx context.Context, c *owui.Client) error { _, err := c.ToggleModel(ctx, faultModel); return err }}
	opCreate = op{"create_model", map[string]any{"id": "rel/new", "name": "New"}, "POST", "/api/v1/models/create",
		func(ctx context.Context, c *owui.Client) error {
			_, err := c.CreateModel(ctx, owui.ModelForm{ID: "rel/new", Name: "New"})
			return err
		}}
	opUpdate = op{"update_model", map[string]any{"id": faultModel, "name": "Renamed"}, "POST", "/api/v1/models/model/update",
		func(ctx context.Context, c *owui.Client) error {
			_, err := c.UpdateModel(ctx, owui.ModelForm{ID: faultModel, Name: "Renamed"})
			return err
		}}
	opDeleteAll = op{"delete_all_models", map[string]any{}, "DELETE", "/api/v1/models/delete/all",
		func(ctx context.Context, c *owui.Client) error { return c.DeleteAllModels(ctx) }}
)

// Fault handlers, installed with fakeowui.Override.

func detail(status int, d any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"detail": d})
	}
}

func raw(status int, ctype, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// failThen answers status once, then body with 200.
func failThen(status int, body string) http.HandlerFunc {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			http.Error(w, http.StatusText(status), status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

// hang never answers: it waits for the client to give up (or the test to end).
func hang(stop chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}
}

// slowBody sends the headers and the start of a body, then stalls.
func slowBody(stop chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"id":"`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}
}

// closedPort returns a loopback address nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// blackhole returns a loopback address whose listen queue is full, so a new
// connection is never accepted and the connect itself times out. It uses a
// raw socket with a backlog of 0, fills the queue and never accepts.
func blackhole(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Skipf("raw socket: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Skipf("bind: %v", err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Skipf("listen: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Skipf("getsockname: %v", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	for i := 0; i < 64; i++ {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			return addr // the queue is full: connects now hang
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("this OS keeps accepting connections into a full listen queue; no loopback blackhole")
	return ""
}

type faultRow struct {
	name string
	// base returns the client's base URL ("" = the fake); called once.
	base func(t *testing.T) string
	// arm installs the fault; called before each of the two runs.
	arm     func(r *rig)
	op      op
	timeout time.Duration
	// What the failure must be; kind "" means the call must succeed.
	kind   owui.Kind
	kinds  []owui.Kind // alternatives to kind (DNS answers vary by resolver)
	status int
	text   []string // in the client error and the tool text
	hint   string   // the next step, in the tool text
	// tries is how many requests (HTTP rows) or dials (network rows) the
	// faulted operation makes; 0 skips the check.
	tries int
	// toolTries, when set, is tries for the tool's run (which may probe
	// the version before a write).
	toolTries int
}

func override(method, path string, h func(stop chan struct{}) http.HandlerFunc) func(r *rig) {
	return func(r *rig) { r.fake.Override(method, path, h(r.stop)) }
}

// fixed installs h; fresh installs a new handler from mk each time (for
// handlers with state, such as failThen's counter).
func fixed(h http.HandlerFunc) func(chan struct{}) http.HandlerFunc {
	return func(chan struct{}) http.HandlerFunc { return h }
}

func fresh(mk func() http.HandlerFunc) func(chan struct{}) http.HandlerFunc {
	return func(chan struct{}) http.HandlerFunc { return mk() }
}

func faultRows() []faultRow {
	model := `{"id":"` + faultModel + `","user_id":"u-admin","base_model_id":"gpt-4o","name":"Fault model","params":{},"meta":{},"access_grants":[],"is_active":true,"updated_at":1,"created_at":1}`
	list := `{"items":[` + model + `],"total":1}`
	const notReachable = "Open WebUI is not reachable"
	const tooSlow = "did not answer in time"
	return []faultRow{
		{name: "connection refused", base: func(t *testing.T) string { return "http://" + closedPort(t) },
			op: opGet, kind: owui.KindUnavailable, text: []string{"connection refused"}, hint: notReachable, tries: 3},
		{name: "connection refused on a write is not retried", base: func(t *testing.T) string { return "http://" + closedPort(t) },
			// The tool adds a commit note, so it probes the version first
			// (one try, for the note) before its one POST.
			op: opCreate, kind: owui.KindUnavailable, text: []string{"connection refused"}, hint: notReachable, tries: 1, toolTries: 2},
		{name: "DNS failure", base: func(*testing.T) string { return "http://owui-mcp-fault-test.invalid:8080" },
			// A resolver that does not answer makes this a timeout; bound it.
			op: opGet, timeout: 3 * time.Second, kind: owui.KindUnavailable, kinds: []owui.Kind{owui.KindTimeout}, text: []string{"owui-mcp-fault-test.invalid"}, hint: "Open WebUI"},
		{name: "connect timeout", base: func(t *testing.T) string { return "http://" + blackhole(t) },
			op: opGet, timeout: 750 * time.Millisecond, kind: owui.KindTimeout, text: []string{"Timeout"}, hint: tooSlow, tries: 1},
		{name: "no response headers", arm: override("GET", opGet.path, hang),
			op: opGet, timeout: 750 * time.Millisecond, kind: owui.KindTimeout, text: []string{"Timeout"}, hint: tooSlow, tries: 1},
		{name: "slow body past the timeout", arm: override("GET", opGet.path, slowBody),
			op: opGet, timeout: 750 * time.Millisecond, kind: owui.KindTimeout, status: 200, text: []string{"reading the response"}, hint: tooSlow, tries: 1},
		{name: "401 not authenticated", arm: override("GET", opGet.path, fixed(detail(401, "Not authenticated"))),
			op: opGet, kind: owui.KindUnauthenticated, status: 401, text: []string{"Not authenticated"}, hint: "check OPENWEBUI_API_KEY", tries: 1},
		{name: "401 with the not-found text", arm: override("POST", opToggle.path, fixed(detail(401, "We could not find what you're looking for :/"))),
			op: opToggle, kind: owui.KindNotFound, status: 401, text: []string{"could not find"}, hint: "check the id with list_models", tries: 1},
		{name: "403 API keys disabled", arm: override("GET", opList.path, fixed(detail(403, "Use of API key is not enabled in the environment."))),
			op: opList, kind: owui.KindAPIKeysDisabled, status: 403, text: []string{"API key is not enabled"}, hint: "ENABLE_API_KEYS=true", tries: 1},
		{name: "404", arm: override("GET", opGet.path, fixed(detail(404, "We could not find what you're looking for :/"))),
			op: opGet, kind: owui.KindNotFound, status: 404, text: []string{"could not find"}, hint: "check the id with list_models", tries: 1},
		{name: "405", arm: override("POST", opUpdate.path, fixed(detail(405, "Method Not Allowed"))),
			op: opUpdate, kind: owui.KindRouteMissing, status: 405, text: []string{"Method Not Allowed", "(Open WebUI "}, hint: "upgrade Open WebUI", tries: 1},
		{name: "422 list detail", arm: override("POST", opCreate.path, fixed(detail(422, []map[string]any{
			{"type": "missing", "loc": []any{"body", "name"}, "msg": "Field required", "input": map[string]any{}},
			{"type": "string_type", "loc": []any{"body", "meta", "tags", 0}, "msg": "Input should be a valid string"},
		}))),
			op: opCreate, kind: owui.KindInvalid, status: 422, text: []string{"body.name: Field required; body.meta.tags.0: Input should be a valid string"}, hint: "correct the arguments", tries: 1},
		{name: "500 plain text", arm: override("POST", opUpdate.path, fixed(raw(500, "text/plain; charset=utf-8", "Internal Server Error"))),
			op: opUpdate, kind: owui.KindServer, status: 500, text: []string{"Internal Server Error"}, hint: "read the model back before retrying", tries: 1},
		{name: "502 then success, GET retried", arm: override("GET", opGet.path, fresh(func() http.HandlerFunc { return failThen(502, model) })),
			op: opGet, tries: 2},
		{name: "503 then success, GET retried", arm: override("GET", opList.path, fresh(func() http.HandlerFunc { return failThen(503, list) })),
			op: opList, tries: 2},
		{name: "503 on a POST is not retried", arm: override("POST", opToggle.path, fresh(func() http.HandlerFunc { return failThen(503, model) })),
			op: opToggle, kind: owui.KindUnavailable, status: 503, text: []string{"Service Unavailable"}, hint: notReachable, tries: 1},
		{name: "502 on a DELETE is not retried", arm: override("DELETE", opDeleteAll.path, fresh(func() http.HandlerFunc { return failThen(502, "true") })),
			op: opDeleteAll, kind: owui.KindUnavailable, status: 502, text: []string{"Bad Gateway"}, hint: notReachable, tries: 1},
		{name: "200 HTML (SPA fallback)", arm: override("GET", opGet.path, fixed(raw(200, "text/html; charset=utf-8", "<!doctype html><html><body><div id=app></div></body></html>"))),
			op: opGet, kind: owui.KindRouteMissing, status: 200, text: []string{"web page instead of JSON", "(Open WebUI "}, hint: "upgrade Open WebUI", tries: 1},
		{name: "200 truncated JSON", arm: override("GET", opGet.path, fixed(raw(200, "application/json", model[:40]))),
			op: opGet, kind: owui.KindBadResponse, status: 200, text: []string{"not the expected JSON", "unexpected end of JSON input"}, hint: "OPENWEBUI_URL points at Open WebUI's root", tries: 1},
		{name: "200 null", arm: override("GET", opGet.path, fixed(raw(200, "application/json", "null"))),
			op: opGet, kind: owui.KindBadResponse, status: 200, text: []string{"answered null"}, hint: "read the model back", tries: 1},
		{name: "50 MB body, chunked", arm: override("GET", opExport.path, fixed(testutil.BigJSONBody(50<<20, false))),
			op: opExport, kind: owui.KindTooLarge, status: 200, text: []string{"larger than 33554432 bytes (32 MiB); refused"}, hint: "narrow the request", tries: 1},
		{name: "50 MB body, declared", arm: override("GET", opExport.path, fixed(testutil.BigJSONBody(50<<20, true))),
			op: opExport, kind: owui.KindTooLarge, status: 200, text: []string{"larger than 33554432 bytes (32 MiB); refused"}, hint: "narrow the request", tries: 1},
	}
}

func TestFaultMatrix(t *testing.T) {
	for _, row := range faultRows() {
		t.Run(row.name, func(t *testing.T) {
			fake, hs, stop := newFake(t)
			base := ""
			if row.base != nil {
				base = row.base(t)
			}
			timeout := row.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			r := newRig(t, fake, hs, stop, base, timeout)
			arm := func() {
				r.fake.ResetRequests()
				r.dials.Store(0)
				if row.arm != nil {
					row.arm(r)
				}
			}
			tries := func() int64 {
				if row.base != nil {
					return r.dials.Load()
				}
				return int64(r.upstream(row.op.method, row.op.path))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			// 1. The client: kind, status, text, attempts.
			arm()
			err := row.op.call(ctx, r.client)
			if row.kind == "" {
				if err != nil {
					t.Fatalf("client: %v, want success", err)
				}
			} else {
				e, ok := err.(*owui.Error)
				if !ok {
					t.Fatalf("client: %T %v, want *owui.Error", err, err)
				}
				if e.Kind != row.kind && !contains(row.kinds, e.Kind) {
					t.Errorf("client: kind %s, want %s (%v)", e.Kind, row.kind, err)
				}
				if e.Status != row.status {
					t.Errorf("client: status %d, want %d (%v)", e.Status, row.status, err)
				}
				for _, s := range row.text {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("client: %q lacks %q", err, s)
					}
				}
			}
			if row.tries > 0 {
				if n := tries(); n != int64(row.tries) {
					t.Errorf("client: %d attempt(s), want %d", n, row.tries)
				}
			}

			// 2. The tool: an isError result naming the status and the next step.
			arm()
			res := callTool(t, r.mcp, row.op.tool, row.op.args)
			txt := resultText(res)
			t.Logf("tool text: %s", txt)
			if row.kind == "" {
				if res.IsError {
					t.Fatalf("tool: %s", txt)
				}
			} else {
				if !res.IsError {
					t.Fatalf("tool: not an error: %s", txt)
				}
				if !strings.HasPrefix(txt, row.op.tool+" failed") {
					t.Errorf("tool: text does not start with %q: %s", row.op.tool+" failed", txt)
				}
				if row.status != 0 && !strings.Contains(txt, fmt.Sprintf("HTTP %d", row.status)) {
					t.Errorf("tool: text does not name HTTP %d: %s", row.status, txt)
				}
				if row.status == 0 && strings.Contains(txt, "HTTP ") {
					t.Errorf("tool: names a status though no response arrived: %s", txt)
				}
				for _, s := range append(row.text, row.hint) {
					if !strings.Contains(txt, s) {
						t.Errorf("tool: text lacks %q: %s", s, txt)
					}
				}
			}
			if want := max(row.toolTries, row.tries); want > 0 {
				if n := tries(); n != int64(want) {
					t.Errorf("tool: %d attempt(s) of %s %s, want %d", n, row.op.method, row.op.path, want)
				}
			}

			// 3. Lift the fault: the same server serves again.
			r.fake.Override(row.op.method, row.op.path, nil)
			r.heal()
			res = callTool(t, r.mcp, "list_models", nil)
			if res.IsError {
				t.Fatalf("after the fault, list_models failed: %s", resultText(res))
			}
			if !strings.Contains(resultText(res), faultModel) {
				t.Errorf("after the fault, list_models lacks %s: %s", faultModel, resultText(res))
			}
		})
	}
}

func contains(ks []owui.Kind, k owui.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// Shared MCP helpers.

func startClient(t *testing.T, srv *server.MCPServer) *client.Client {
	t.Helper()
	mc, err := client.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := mc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var init mcp.InitializeRequest
	init.Params.ClientInfo = mcp.Implementation{Name: "fault-test", Version: "1"}
	if _, err := mc.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mc.Close() })
	return mc
}

func callTool(t *testing.T, mc *client.Client, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var req mcp.CallToolRequest
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := mc.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("%s: protocol error: %v", name, err)
	}
	return res
}

func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}
