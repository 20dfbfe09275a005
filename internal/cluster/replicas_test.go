package cluster_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/caller"
	"github.com/owui-mcp/owui-mcp/internal/cluster"
	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/internal/httpserve"
	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
	"github.com/owui-mcp/owui-mcp/tools"
)

// redisProc is a redis-server on loopback, with an append-only file fsynced
// on every write, so a restart keeps the ledger (as production should).
type redisProc struct {
	bin, dir string
	port     int
	cmd      *exec.Cmd
	exited   chan struct{}
}

func (r *redisProc) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *redisProc) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(r.bin, "--port", fmt.Sprint(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no", "--loglevel", "warning")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	r.cmd, r.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(r.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", r.port), 200*time.Millisecond)
		if err == nil {
			_, _ = c.Write([]byte("PING\r\n"))
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "+PONG") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not answer on port %d", r.port)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *redisProc) kill() {
	if r.cmd != nil {
		_ = r.cmd.Process.Kill()
		<-r.exited
		r.cmd = nil
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// replica is one in-process owui-mcp: its own Tokens, ledger connection,
// auditor and HTTP server; shared key, Redis, backup directory and upstream.
type replica struct {
	id    string
	srv   *httptest.Server
	audit string
	dead  atomic.Bool
}

func newReplica(t *testing.T, id string, key []byte, redisURL, backupDir string, upstream http.RoundTripper) *replica {
	t.Helper()
	var store *cluster.Store
	if redisURL != "" {
		var err error
		if store, err = cluster.Open(context.Background(), cluster.Config{URL: redisURL}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
	}
	c, err := owui.New(owui.Config{BaseURL: "http://owui.invalid", APIKey: fakeowui.AdminKey, Timeout: 10 * time.Second, Transport: upstream})
	if err != nil {
		t.Fatal(err)
	}
	cfg := tools.Config{Client: c, Options: tools.Options{Confirm: tools.ConfirmAuto, AllowAdmin: true}, Version: "test",
		TokenTTL: 5 * time.Minute, BackupDir: backupDir, Replica: id, Log: slog.New(slog.DiscardHandler),
		Secrets: []string{fakeowui.AdminKey}}
	opts := httpserve.Options{Auth: httpserve.AuthOpenWebUI, AuthCacheTTL: time.Second}
	if store != nil { // one process (no store): today's defaults, a random key and an in-process ledger
		cfg.ConfirmKey, cfg.Ledger = key, store.Ledger()
		opts.Stateless, opts.SharedAuth = true, store.AuthCache()
	}
	r := &replica{id: id, audit: filepath.Join(t.TempDir(), "audit-"+id+".log")}
	cfg.AuditPath = r.audit
	b, err := tools.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	opts.Logger = cfg.Log
	opts.ValidateToken = func(ctx context.Context, bearer string) (caller.Identity, error) {
		u, err := c.CurrentUser(caller.With(ctx, caller.Identity{UpstreamToken: bearer}))
		if err != nil {
			return caller.Identity{}, err
		}
		return caller.Identity{ID: u.ID, Name: u.Email}, nil
	}
	h, err := httpserve.Handler(b.Server, opts)
	if err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.dead.Load() {
			// A dead process: the connection just drops.
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		w.Header().Set("X-Served-By", id)
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// kill makes the replica drop every connection, in flight or new.
func (r *replica) kill() {
	r.dead.Store(true)
	r.srv.CloseClientConnections()
}

// lb is a round-robin reverse proxy over the live replicas.
type lb struct {
	reps []*replica
	next atomic.Uint64
	srv  *httptest.Server
	mu   sync.Mutex
	hits []string // X-Served-By of every answer, in order
}

func newLB(t *testing.T, reps []*replica) *lb {
	b := &lb{reps: reps}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			for {
				r := b.reps[b.next.Add(1)%uint64(len(b.reps))]
				if !r.dead.Load() {
					u, _ := url.Parse(r.srv.URL)
					pr.SetURL(u)
					return
				}
			}
		},
		FlushInterval: -1,
		ModifyResponse: func(resp *http.Response) error {
			b.mu.Lock()
			b.hits = append(b.hits, resp.Header.Get("X-Served-By"))
			b.mu.Unlock()
			return nil
		},
		ErrorLog: nil,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, "bad gateway: "+err.Error(), http.StatusBadGateway)
		},
	}
	b.srv = httptest.NewServer(rp)
	t.Cleanup(b.srv.Close)
	return b
}

func (b *lb) served() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.hits...)
}

// connect opens an MCP client through the balancer. legacy pins 2025-11-25.
func connect(t *testing.T, url, bearer string, legacy bool, opts ...client.ClientOption) *client.Client {
	t.Helper()
	tr, err := transport.NewStreamableHTTP(url+"/mcp", transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + bearer}),
		transport.WithLogger(slog.New(slog.DiscardHandler)), transport.WithHTTPTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if legacy {
		opts = append(opts, client.WithLegacyProtocolOnly())
	}
	c := client.NewClient(tr, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	req := mcp.InitializeRequest{}
	req.Params.ClientInfo = mcp.Implementation{Name: "replica-test", Version: "1"}
	if legacy {
		req.Params.ProtocolVersion = mcp.ProtocolVersion20251125
	}
	if _, err := c.Initialize(ctx, req); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return c
}

// call runs one tool; it returns the outcome, the text, and whether the
// result was an error (a transport failure is reported as err).
func call(c *client.Client, name string, args map[string]any) (schemas.Outcome, string, bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name, Arguments: args}})
	if err != nil {
		return schemas.Outcome{}, "", false, err
	}
	var text strings.Builder
	for _, ct := range res.Content {
		if tc, ok := ct.(mcp.TextContent); ok {
			text.WriteString(tc.Text)
		}
	}
	var out schemas.Outcome
	if res.StructuredContent != nil {
		b, _ := json.Marshal(res.StructuredContent)
		_ = json.Unmarshal(b, &out)
	}
	return out, text.String(), res.IsError, nil
}

type elicitor struct {
	mu    sync.Mutex
	asked int
}

func (e *elicitor) Elicit(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	e.mu.Lock()
	e.asked++
	e.mu.Unlock()
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}}, nil
}

// auditLines reads every replica's audit file.
func auditLines(t *testing.T, reps []*replica) []safety.Entry {
	t.Helper()
	var all []safety.Entry
	for _, r := range reps {
		b, err := os.ReadFile(r.audit)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if l == "" {
				continue
			}
			var e safety.Entry
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatalf("audit line %q: %v", l, err)
			}
			all = append(all, e)
		}
	}
	return all
}

func okDeletes(lines []safety.Entry, id string) (n int, replicas []string) {
	for _, e := range lines {
		if e.Tool == "delete_model" && e.Outcome == "ok" && len(e.Targets) == 1 && e.Targets[0] == id {
			n++
			replicas = append(replicas, e.Replica)
		}
	}
	return n, replicas
}

// deletes counts the delete requests Open WebUI received for id.
func deletes(fake *fakeowui.Server, id string) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPost && r.Path == "/api/v1/models/model/delete" && strings.Contains(string(r.Body), `"`+id+`"`) {
			n++
		}
	}
	return n
}

// slowDeletes makes every delete take 2×delay upstream: delay before Open
// WebUI acts, delay after, so that a replica killed meanwhile is cut off
// either before or after the change.
type slowDeletes struct {
	next  http.RoundTripper
	delay atomic.Int64
}

func (s *slowDeletes) RoundTrip(r *http.Request) (*http.Response, error) {
	d := time.Duration(s.delay.Load())
	if d == 0 || !strings.HasSuffix(r.URL.Path, "/model/delete") {
		return s.next.RoundTrip(r)
	}
	time.Sleep(d)
	resp, err := s.next.RoundTrip(r)
	time.Sleep(d)
	return resp, err
}

func TestReplicas(t *testing.T) {
	if os.Getenv("OWUI_MCP_TEST_REDIS") != "1" {
		t.Skip("the replica suite needs a real redis-server: run scripts/replicas-test (or set OWUI_MCP_TEST_REDIS=1 with redis-server on PATH)")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("OWUI_MCP_TEST_REDIS=1 but redis-server is not on PATH (apt-get install -y redis-server)")
	}
	rs := &redisProc{bin: bin, dir: t.TempDir(), port: freePort(t)}
	rs.start(t)
	t.Cleanup(rs.kill)

	fake := fakeowui.New(fakeowui.Options{RequestLogLimit: 100000})
	for i := range 80 {
		fake.PutModel(fakeowui.Model{ID: fmt.Sprintf("m-%02d", i), UserID: "u-admin", Name: fmt.Sprintf("Model %d", i), IsActive: true, CreatedAt: 1, UpdatedAt: 1})
	}
	var kb [32]byte
	_, _ = rand.Read(kb[:])
	key := []byte(hex.EncodeToString(kb[:]))
	backupDir := t.TempDir()
	slow := &slowDeletes{next: fakeowui.Transport(fake)}
	reps := []*replica{
		newReplica(t, "r1", key, rs.url(), backupDir, slow),
		newReplica(t, "r2", key, rs.url(), backupDir, slow),
		newReplica(t, "r3", key, rs.url(), backupDir, slow),
	}
	b := newLB(t, reps)
	admin := fake.IssueSession("u-admin")
	modern := connect(t, b.srv.URL, admin, false)

	t.Run("token minted on one replica is redeemed on another", func(t *testing.T) {
		start := len(b.served())
		out, _, isErr, err := call(modern, "delete_model", map[string]any{"id": "m-00"})
		if err != nil || isErr || out.Status != "confirmation_required" || out.ConfirmToken == "" {
			t.Fatalf("preview: %+v isError=%v err=%v", out, isErr, err)
		}
		out, text, isErr, err := call(modern, "delete_model", map[string]any{"id": "m-00", "confirm_token": out.ConfirmToken})
		if err != nil || isErr || out.Status != "done" {
			t.Fatalf("confirm: %+v %s isError=%v err=%v", out, text, isErr, err)
		}
		hits := b.served()[start:]
		if len(hits) != 2 || hits[0] == hits[1] {
			t.Fatalf("preview and confirmation were served by %v, want two different replicas", hits)
		}
		if _, ok := fake.Model("m-00"); ok {
			t.Fatal("m-00 still exists")
		}
		n, by := okDeletes(auditLines(t, reps), "m-00")
		if n != 1 || by[0] != hits[1] {
			t.Fatalf("audit: %d ok lines by %v, want 1 by %s", n, by, hits[1])
		}
		// The backup, written by the confirming replica, is listed by the others.
		bk, err := safety.NewBackups(backupDir).Read(out.Backup)
		if err != nil || bk.Replica != hits[1] {
			t.Fatalf("backup %q: replica %q, %v; want %s", out.Backup, bk.Replica, err, hits[1])
		}
		for range 3 {
			_, text, isErr, err := call(modern, "list_backups", map[string]any{})
			if err != nil || isErr || !strings.Contains(text, out.Backup) {
				t.Fatalf("list_backups on %s does not show %s: %s %v", b.served()[len(b.served())-1], out.Backup, text, err)
			}
		}
	})

	t.Run("exactly once across 50 concurrent redemptions", func(t *testing.T) {
		out, _, _, err := call(modern, "delete_model", map[string]any{"id": "m-01"})
		if err != nil || out.ConfirmToken == "" {
			t.Fatalf("preview: %+v %v", out, err)
		}
		start := len(b.served())
		var done, failed atomic.Int32
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				o, _, isErr, err := call(modern, "delete_model", map[string]any{"id": "m-01", "confirm_token": out.ConfirmToken})
				switch {
				case err == nil && !isErr && o.Status == "done":
					done.Add(1)
				default:
					failed.Add(1)
				}
			})
		}
		wg.Wait()
		by := map[string]int{}
		for _, h := range b.served()[start:] {
			by[h]++
		}
		if done.Load() != 1 || failed.Load() != 49 {
			t.Fatalf("%d calls ran, %d were refused; want exactly 1 and 49", done.Load(), failed.Load())
		}
		if len(by) != 3 {
			t.Fatalf("redemptions reached %v, want all three replicas", by)
		}
		if n := deletes(fake, "m-01"); n != 1 {
			t.Fatalf("Open WebUI got %d DELETEs for m-01, want 1", n)
		}
		if n, _ := okDeletes(auditLines(t, reps), "m-01"); n != 1 {
			t.Fatalf("%d ok audit lines for m-01, want 1", n)
		}
	})

	t.Run("elicitation answered on another replica (2026-07-28)", func(t *testing.T) {
		e := &elicitor{}
		c := connect(t, b.srv.URL, admin, false, client.WithElicitationHandler(e))
		start := len(b.served())
		out, text, isErr, err := call(c, "delete_model", map[string]any{"id": "m-02"})
		if err != nil || isErr || out.Status != "done" || e.asked != 1 {
			t.Fatalf("%+v %s isError=%v err=%v asked=%d", out, text, isErr, err, e.asked)
		}
		hits := b.served()[start:]
		if len(hits) != 2 || hits[0] == hits[1] {
			t.Fatalf("question and answer were served by %v, want two different replicas", hits)
		}
		if _, ok := fake.Model("m-02"); ok {
			t.Fatal("m-02 still exists")
		}
	})

	t.Run("legacy client with elicitation gets a token that works anywhere", func(t *testing.T) {
		// Stateless HTTP cannot route a legacy elicitation answer back to
		// the replica that asked, so legacy clients confirm by token.
		e := &elicitor{}
		c := connect(t, b.srv.URL, admin, true, client.WithElicitationHandler(e))
		out, text, isErr, err := call(c, "delete_model", map[string]any{"id": "m-03"})
		if err != nil || isErr || out.Status != "confirmation_required" || e.asked != 0 {
			t.Fatalf("%+v %s isError=%v err=%v asked=%d", out, text, isErr, err, e.asked)
		}
		start := len(b.served())
		out, text, isErr, err = call(c, "delete_model", map[string]any{"id": "m-03", "confirm_token": out.ConfirmToken})
		if err != nil || isErr || out.Status != "done" {
			t.Fatalf("confirm: %+v %s isError=%v err=%v", out, text, isErr, err)
		}
		if _, ok := fake.Model("m-03"); ok {
			t.Fatal("m-03 still exists")
		}
		if hits := b.served()[start:]; len(hits) != 1 {
			t.Fatalf("served by %v", hits)
		}
	})

	t.Run("changed target refused on every replica", func(t *testing.T) {
		out, _, _, err := call(modern, "delete_model", map[string]any{"id": "m-04"})
		if err != nil || out.ConfirmToken == "" {
			t.Fatalf("preview: %+v %v", out, err)
		}
		m, _ := fake.Model("m-04")
		m.Name, m.UpdatedAt = "Renamed meanwhile", 2
		fake.PutModel(m)
		start := len(b.served())
		for range 3 {
			o, text, isErr, err := call(modern, "delete_model", map[string]any{"id": "m-04", "confirm_token": out.ConfirmToken})
			if err != nil || !isErr || o.Status != "confirmation_required" || !strings.Contains(text, "target changed") {
				t.Fatalf("%+v %s isError=%v err=%v", o, text, isErr, err)
			}
		}
		by := map[string]bool{}
		for _, h := range b.served()[start:] {
			by[h] = true
		}
		if len(by) != 3 {
			t.Fatalf("refusals came from %v, want all three replicas", by)
		}
		if _, ok := fake.Model("m-04"); !ok || deletes(fake, "m-04") != 0 {
			t.Fatal("m-04 was deleted")
		}
	})

	t.Run("shared auth cache: revocation reaches every replica within the TTL", func(t *testing.T) {
		alice := fake.IssueSession("u-admin")
		status := func() int {
			req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
			req.Header.Set("Authorization", "Bearer "+alice)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		before := validations(fake)
		for range 3 {
			if s := status(); s == http.StatusUnauthorized {
				t.Fatalf("valid token got %d", s)
			}
		}
		if n := validations(fake) - before; n != 1 {
			t.Fatalf("three replicas asked Open WebUI %d times, want 1 (the cache is shared)", n)
		}
		fake.RevokeSession(alice)
		time.Sleep(1200 * time.Millisecond)
		for range 3 {
			if s := status(); s != http.StatusUnauthorized {
				t.Fatalf("revoked token got %d after the cache TTL, want 401", s)
			}
		}
	})

	t.Run("Redis down: confirmations fail closed, reads work; Redis back: restored", func(t *testing.T) {
		// A token redeemed before the outage stays used after it (AOF).
		store, err := cluster.Open(context.Background(), cluster.Config{URL: rs.url()})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		tk, _ := safety.NewTokensWithKey(time.Minute, nil, key)
		tk.UseLedger(store.Ledger())
		claims := safety.Claims{Tool: "t", Args: "a", Caller: "c", Target: "x"}
		used := tk.Mint(claims)
		if err := tk.Redeem(used, claims); err != nil {
			t.Fatal(err)
		}

		out, _, _, err := call(modern, "delete_model", map[string]any{"id": "m-05"})
		if err != nil || out.ConfirmToken == "" {
			t.Fatalf("preview: %+v %v", out, err)
		}
		rs.kill()
		for range 3 {
			o, text, isErr, err := call(modern, "delete_model", map[string]any{"id": "m-05", "confirm_token": out.ConfirmToken})
			if err != nil || !isErr || o.Status == "done" || !strings.Contains(text, "shared state store is unreachable") || !strings.Contains(text, "nothing was changed") {
				t.Fatalf("confirmation with Redis down: %+v %q isError=%v err=%v", o, text, isErr, err)
			}
			if _, text, isErr, err := call(modern, "get_model", map[string]any{"id": "m-06"}); err != nil || isErr || !strings.Contains(text, "m-06") {
				t.Fatalf("read with Redis down: %s isError=%v err=%v", text, isErr, err)
			}
		}
		if _, ok := fake.Model("m-05"); !ok || deletes(fake, "m-05") != 0 {
			t.Fatal("m-05 was deleted without a recorded confirmation")
		}

		rs.start(t)
		if got := safety.ReasonOf(retryRedeem(t, tk, used, claims)); got != safety.ReasonUsed {
			t.Fatalf("token used before the outage: reason %q after it, want %q", got, safety.ReasonUsed)
		}
		var o schemas.Outcome
		var text string
		deadline := time.Now().Add(5 * time.Second)
		for {
			var isErr bool
			o, text, isErr, err = call(modern, "delete_model", map[string]any{"id": "m-05", "confirm_token": out.ConfirmToken})
			if err == nil && !isErr && o.Status == "done" || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if o.Status != "done" {
			t.Fatalf("after Redis came back: %+v %s %v", o, text, err)
		}
		if _, ok := fake.Model("m-05"); ok {
			t.Fatal("m-05 still exists")
		}
	})

	t.Run("a replica killed mid-run loses no confirmed change", func(t *testing.T) {
		ids := make([]string, 30)
		toks := make([]string, 30)
		for i := range ids {
			ids[i] = fmt.Sprintf("m-%02d", 40+i)
			out, _, _, err := call(modern, "delete_model", map[string]any{"id": ids[i]})
			if err != nil || out.ConfirmToken == "" {
				t.Fatalf("preview %s: %+v %v", ids[i], out, err)
			}
			toks[i] = out.ConfirmToken
		}
		results := make([]string, len(ids))
		slow.delay.Store(int64(100 * time.Millisecond))
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				o, text, isErr, err := call(modern, "delete_model", map[string]any{"id": ids[i], "confirm_token": toks[i]})
				switch {
				case err != nil:
					results[i] = "transport: " + err.Error()
				case isErr:
					results[i] = "error: " + text
				default:
					results[i] = o.Status
				}
			})
		}
		time.Sleep(150 * time.Millisecond) // mid-way through the upstream deletes
		reps[2].kill()
		wg.Wait()
		slow.delay.Store(0)
		cut := 0
		for _, res := range results {
			if res != "done" {
				cut++
			}
		}
		if cut == 0 {
			t.Fatal("the kill cut off no call: the test did not test anything")
		}
		// Clients whose call was cut off retry the same token on a survivor.
		for i, res := range results {
			if res == "done" {
				continue
			}
			o, text, isErr, err := call(modern, "delete_model", map[string]any{"id": ids[i], "confirm_token": toks[i]})
			if err != nil {
				t.Fatalf("retry %s on a survivor: %v", ids[i], err)
			}
			if !isErr {
				results[i] = o.Status
			} else {
				results[i] = "error: " + text
			}
		}
		lines := auditLines(t, reps)
		lost := 0
		for i, id := range ids {
			_, exists := fake.Model(id)
			n, _ := okDeletes(lines, id)
			if d := deletes(fake, id); d > 1 {
				t.Errorf("%s: %d DELETEs upstream, want at most 1", id, d)
			}
			switch {
			case !exists && n == 0 && !auditedAttempt(lines, id):
				t.Errorf("%s was deleted but no replica audited it (client saw %q)", id, results[i])
			case exists && n > 0:
				t.Errorf("%s is audited as deleted but exists", id)
			case exists:
				lost++ // did not run: the confirmation was cut off before the change
			}
			if results[i] == "done" && exists {
				t.Errorf("%s: the client was told done but it exists", id)
			}
		}
		t.Logf("killed replica: %d of %d confirmations did not run (none half-done); results %v", lost, len(ids), results)
	})
}

// auditedAttempt: an error line with a backup means the call reached the
// upstream write and the process recorded it (e.g. cut off mid-call).
func auditedAttempt(lines []safety.Entry, id string) bool {
	for _, e := range lines {
		if e.Tool == "delete_model" && e.Backup != "" && len(e.Targets) == 1 && e.Targets[0] == id {
			return true
		}
	}
	return false
}

func validations(fake *fakeowui.Server) int {
	n := 0
	for _, r := range fake.Requests() {
		if r.Path == "/api/v1/auths/" {
			n++
		}
	}
	return n
}

// retryRedeem redeems, waiting out the reconnection after a restart.
func retryRedeem(t *testing.T, tk *safety.Tokens, tok string, c safety.Claims) error {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := tk.Redeem(tok, c)
		if safety.ReasonOf(err) != safety.ReasonUnavailable || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
