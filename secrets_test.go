package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/internal/testutil"
	"github.com/owui-mcp/owui-mcp/tools"
)

// Recognisable secrets. The markers are what must never appear anywhere,
// not even cut short: an excerpt that keeps the first half of a key leaks
// it as surely as the whole.
const (
	secretKey    = "sk-SECRETKEY000000000000000000000000"
	secretHTTP   = "tok-SECRETHTTP-00000000000000000000"
	secretCaller = "eyJSECRETCALLER.eyJwYXlsb2FkIjoxfQ.c2lnbmF0dXJl"
	secretWrong  = "tok-SECRETWRONG-0000000000000000000"
)

var secretMarkers = []string{"SECRETKEY", "SECRETHTTP", "SECRETCALLER", "SECRETWRONG"}

// leaks names every marker found in s.
func leaks(s string) []string {
	var out []string
	for _, m := range secretMarkers {
		if strings.Contains(s, m) {
			out = append(out, m)
		}
	}
	return out
}

// echoUpstream stands in front of the fake. Healthy, it swaps the test's
// secrets for the fake's own admin key (and answers the session check of
// --auth=openwebui itself). Faulty, it answers every request (or only the
// writes) in a way that echoes the request's Authorization header back,
// as a debugging proxy or a verbose error page would.
type echoUpstream struct {
	fake *fakeowui.Server
	stop chan struct{}
	mu   sync.Mutex
	mode string
}

func (u *echoUpstream) set(mode string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.mode = mode
}

func (u *echoUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	mode := u.mode
	u.mu.Unlock()
	auth := r.Header.Get("Authorization")
	if mode == "writes" {
		mode = ""
		if r.Method != http.MethodGet {
			mode = "500"
		}
	}
	switch mode {
	case "500":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		// Padding puts the key across the 200-character excerpt limit.
		fmt.Fprintf(w, "Internal Server Error %s\nrequest: %s %s\nAuthorization: %s\nUser-Agent: %s\n",
			strings.Repeat(".", 150), r.Method, r.URL, auth, r.UserAgent())
		return
	case "401":
		writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Not authenticated: rejected " + auth})
	case "422":
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": []any{
			map[string]any{"loc": []any{"header", "authorization"}, "msg": "bad credential " + auth, "input": auth}}})
	case "html":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<!doctype html><html><body>debug: %s</body></html>", auth)
	case "redirect":
		http.Redirect(w, r, "https://elsewhere.example/login?token="+strings.TrimPrefix(auth, "Bearer "), http.StatusFound)
	case "truncated":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"x","name":"%s`, auth)
	case "hang":
		select {
		case <-r.Context().Done():
		case <-u.stop:
		}
	case "echo200":
		// A healthy answer that echoes the credential inside the records
		// themselves, in the spellings a proxy or a debug field produces.
		rec := httptest.NewRecorder()
		u.forward(rec, r, auth)
		body := rec.Body.String()
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			body = strings.ReplaceAll(body, `"description":"`, `"description":"`+echoForms(strings.TrimPrefix(auth, "Bearer "))+" ")
		}
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		io.WriteString(w, body)
	default:
		u.forward(w, r, auth)
	}
}

// echoForms is tok as an echo may spell it.
func echoForms(tok string) string {
	b := []byte(tok)
	forms := []string{tok, strings.ToUpper(tok), strings.ToLower(tok), url.QueryEscape("Bearer " + tok), url.PathEscape(tok),
		base64.StdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
		base64.StdEncoding.EncodeToString([]byte("Bearer " + tok)), base64.RawURLEncoding.EncodeToString([]byte("x:" + tok))}
	return strings.Join(forms, " ")
}

// encodedLeaks names every secret found in s in an encoded spelling: any
// case, or base64 at any of the three byte offsets in either alphabet.
func encodedLeaks(s string) []string {
	var out []string
	low := strings.ToLower(s)
	for _, sec := range []string{secretKey, secretHTTP, secretCaller, secretWrong} {
		found := strings.Contains(low, strings.ToLower(sec))
		for k := 0; k < 3 && !found; k++ {
			for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
				full := enc.EncodeToString(append(make([]byte, k), sec...))
				// Characters 3..len-3 depend on the secret's bytes alone.
				if strings.Contains(s, full[3:len(full)-3]) {
					found = true
				}
			}
		}
		if found {
			out = append(out, sec[:6]+"…")
		}
	}
	return out
}

// forward passes the request to the fake with the test's secrets swapped
// for the fake's admin key.
func (u *echoUpstream) forward(w http.ResponseWriter, r *http.Request, auth string) {
	{
		switch auth {
		case "Bearer " + secretCaller:
			if r.URL.Path == "/api/v1/auths/" {
				writeJSON(w, http.StatusOK, map[string]any{"id": "u-admin", "email": "admin@example.com", "role": "admin"})
				return
			}
			fallthrough
		case "Bearer " + secretKey:
			r.Header.Set("Authorization", "Bearer "+fakeowui.AdminKey)
		}
		u.fake.ServeHTTP(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// secretsRun is one run of the binary's run() against the echoing upstream.
type secretsRun struct {
	t        *testing.T
	up       *echoUpstream
	stderr   *testutil.Buffer
	traffic  *testutil.Buffer // everything the server sent to the client
	dir      string
	client   *client.Client
	results  []string
	stopRun  func()
	runError chan int
}

// startRun starts run() with the given transport flags and connects a
// client: over pipes for stdio, over HTTP (bearer) otherwise.
func startRun(t *testing.T, env map[string]string, bearer string, extra ...string) *secretsRun {
	t.Helper()
	fake := fakeowui.New(fakeowui.Options{})
	fakeowui.SeedDemo(fake)
	up := &echoUpstream{fake: fake, stop: make(chan struct{}), mode: "500"} // the start-up version check meets the echo
	hs := httptest.NewServer(up)
	t.Cleanup(func() {
		close(up.stop)
		hs.CloseClientConnections()
		hs.Close()
	})
	dir := t.TempDir()
	args := append([]string{"--url", hs.URL, "--allow-admin", "--allow-access-changes", "--confirm", "token",
		"--timeout", "400ms", "--backup-dir", filepath.Join(dir, "backups"), "--audit-log", filepath.Join(dir, "audit.jsonl"),
		"--log-level", "debug"}, extra...)
	getenv := func(k string) string { return env[k] }
	r := &secretsRun{t: t, up: up, stderr: &testutil.Buffer{}, traffic: &testutil.Buffer{}, dir: dir, runError: make(chan int, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	r.stopRun = cancel

	stdio := !strings.Contains(strings.Join(extra, " "), "--transport http")
	var tr transport.Interface
	var wrongToken func()
	if stdio {
		inR, inW := io.Pipe()
		outR, outW := io.Pipe()
		go func() {
			r.runError <- run(ctx, args, getenv, inR, outW, r.stderr)
			outW.Close()
		}()
		t.Cleanup(func() { inW.Close(); inR.Close() })
		tr = transport.NewIO(io.TeeReader(outR, r.traffic), inW, io.NopCloser(strings.NewReader("")))
	} else {
		go func() { r.runError <- run(ctx, args, getenv, strings.NewReader(""), io.Discard, r.stderr) }()
		url := r.waitLog(regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/mcp)`))
		httpc := &http.Client{Transport: teeTransport{http.DefaultTransport, r.traffic}}
		var err error
		tr, err = transport.NewStreamableHTTP(url, transport.WithHTTPBasicClient(httpc),
			transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + bearer}))
		if err != nil {
			t.Fatal(err)
		}
		wrongToken = func() {
			// A caller with a wrong token is refused, and its token not logged.
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
			req.Header.Set("Authorization", "Bearer "+secretWrong)
			req.Header.Set("Content-Type", "application/json")
			if resp, err := httpc.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("a wrong token: %v %v, want 401", resp, err)
			} else {
				resp.Body.Close()
			}
		}
	}
	// The start-up version check meets the echoing upstream first.
	r.waitLog(regexp.MustCompile(`Open WebUI not reachable yet`))
	up.set("")
	if wrongToken != nil {
		wrongToken()
	}
	c := client.NewClient(tr)
	ictx, icancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer icancel()
	if err := c.Start(ictx); err != nil {
		t.Fatal(err)
	}
	var init mcp.InitializeRequest
	init.Params.ClientInfo = mcp.Implementation{Name: "secrets-test", Version: "1"}
	if _, err := c.Initialize(ictx, init); err != nil {
		t.Fatalf("initialize: %v\nstderr:\n%s", err, r.stderr)
	}
	r.client = c
	return r
}

// teeTransport copies every response body the client reads into w.
type teeTransport struct {
	next http.RoundTripper
	w    io.Writer
}

func (t teeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err == nil {
		fmt.Fprintf(t.w, "\n%s %v\n", resp.Status, resp.Header)
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(resp.Body, t.w), resp.Body}
	}
	return resp, err
}

func (r *secretsRun) waitLog(re *regexp.Regexp) string {
	r.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(r.stderr.String()); m != nil {
			return m[len(m)-1]
		}
		select {
		case code := <-r.runError:
			r.t.Fatalf("run exited with %d:\n%s", code, r.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	r.t.Fatalf("no log line matching %s:\n%s", re, r.stderr)
	return ""
}

// call runs a tool; a confirm_token in the answer is redeemed at once, so
// every gated tool reaches its write.
func (r *secretsRun) call(name string, args map[string]any) *mcp.CallToolResult {
	r.t.Helper()
	res := r.callOnce(name, args)
	b, _ := json.Marshal(res.StructuredContent)
	var out struct {
		ConfirmToken string `json:"confirm_token"`
	}
	if json.Unmarshal(b, &out) == nil && out.ConfirmToken != "" {
		with := map[string]any{"confirm_token": out.ConfirmToken}
		for k, v := range args {
			with[k] = v
		}
		res = r.callOnce(name, with)
	}
	return res
}

func (r *secretsRun) callOnce(name string, args map[string]any) *mcp.CallToolResult {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var req mcp.CallToolRequest
	req.Params.Name, req.Params.Arguments = name, args
	res, err := r.client.CallTool(ctx, req)
	if err != nil {
		r.t.Fatalf("%s: protocol error: %v", name, err)
	}
	b, _ := json.Marshal(res)
	r.results = append(r.results, name+": "+string(b))
	return res
}

// stop ends the run and returns everything that must hold no secret:
// results, the raw traffic, stderr, the audit log and every backup file.
func (r *secretsRun) stop() map[string]string {
	r.t.Helper()
	r.client.Close()
	r.stopRun()
	select {
	case code := <-r.runError:
		if code != 0 {
			r.t.Errorf("run exited with %d", code)
		}
	case <-time.After(30 * time.Second):
		r.t.Fatal("run did not stop")
	}
	out := map[string]string{
		"tool results": strings.Join(r.results, "\n"),
		"traffic":      r.traffic.String(),
		"stderr":       r.stderr.String(),
	}
	audit, err := os.ReadFile(filepath.Join(r.dir, "audit.jsonl"))
	if err != nil {
		r.t.Errorf("no audit log: %v", err)
	}
	out["audit log"] = string(audit)
	backups := 0
	_ = filepath.WalkDir(filepath.Join(r.dir, "backups"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		st, _ := d.Info()
		if want := fs.FileMode(0o600); d.IsDir() {
			want = 0o700 | fs.ModeDir
			if st.Mode() != want {
				r.t.Errorf("backup folder %s: mode %s, want %s", p, st.Mode(), want)
			}
		} else {
			backups++
			if st.Mode() != want {
				r.t.Errorf("backup %s: mode %s, want %s", p, st.Mode(), want)
			}
			b, _ := os.ReadFile(p)
			out["backup "+d.Name()] = string(b)
		}
		return nil
	})
	if backups == 0 {
		r.t.Error("no backup was written, so backups went unchecked")
	}
	return out
}

// everyTool runs each tool once, with arguments that reach its upstream
// calls (and, through call, its confirmation).
func everyTool(r *secretsRun, backup string) {
	id := "secret-test-model"
	for _, step := range []struct {
		name string
		args map[string]any
	}{
		{"list_models", map[string]any{"all": true}},
		{"get_model", map[string]any{"id": "code-reviewer"}},
		{"get_model_profile_image", map[string]any{"id": "meeting-summarizer"}},
		{"list_model_tags", nil},
		{"list_base_models", nil},
		{"list_base_models_direct", map[string]any{"detail": "full"}},
		{"list_base_model_tags", nil},
		{"export_models", nil},
		{"list_backups", nil},
		{"create_model", map[string]any{"id": id, "name": "Secret test", "base_model_id": "gpt-4o"}},
		{"update_model", map[string]any{"id": id, "description": "changed"}},
		{"toggle_model", map[string]any{"id": id}},
		{"update_model_access", map[string]any{"id": id, "access_grants": []any{map[string]any{"principal_type": "group", "principal_id": "g-eng", "permission": "read"}}}},
		{"update_models", map[string]any{"filter": map[string]any{"tag": "engineering"}, "add_tags": []any{"secret-test"}, "add_grants": []any{map[string]any{"principal_type": "group", "principal_id": "g-eng", "permission": "read"}}}},
		{"delete_models", map[string]any{"ids": []any{id, "code-reviewer"}}},
		{"import_models", map[string]any{"models": []any{map[string]any{"id": "imported-model", "name": "Imported", "base_model_id": "gpt-4o"}}}},
		{"unload_model", map[string]any{"model": "llama3.1:8b"}},
		{"delete_model", map[string]any{"id": id}},
		{"restore_models", map[string]any{"backup": backup}},
		// The demo model with three versions; the seed numbers its entries
		// 39 (oldest) to 41 (current).
		{"list_model_history", map[string]any{"id": fakeowui.DemoHistoryModel}},
		{"get_model_version", map[string]any{"id": fakeowui.DemoHistoryModel, "version_id": "00000000-0000-4000-9000-000000000039"}},
		{"rollback_model", map[string]any{"id": fakeowui.DemoHistoryModel, "version_id": "00000000-0000-4000-9000-000000000039"}},
		{"delete_model_version", map[string]any{"id": fakeowui.DemoHistoryModel, "version_id": "00000000-0000-4000-9000-000000000040"}},
		{"sync_models", map[string]any{"models": []any{map[string]any{"id": "synced-model", "name": "Synced", "base_model_id": "gpt-4o"}}}},
		{"delete_all_models", nil},
	} {
		r.call(step.name, step.args)
	}
}

// latestBackup returns the newest backup id list_backups shows, or a
// well-formed id that does not exist.
func latestBackup(r *secretsRun) string {
	res := r.callOnce("list_backups", nil)
	b, _ := json.Marshal(res.StructuredContent)
	var out struct {
		Backups []struct {
			ID string `json:"id"`
		} `json:"backups"`
	}
	if json.Unmarshal(b, &out) == nil && len(out.Backups) > 0 {
		return out.Backups[0].ID
	}
	return "20260101T000000Z-delete_model-000000"
}

// exercise runs every tool healthy, then under every echoing fault, then
// with only the writes failing (so the audit log records upstream errors),
// then a few calls that time out.
func exercise(r *secretsRun) {
	// Healthy answers that echo the credential inside the records: every
	// read, preview, backup and result carries them.
	r.up.set("echo200")
	everyTool(r, "20260101T000000Z-delete_model-000000")
	fakeowui.SeedDemo(r.up.fake)
	if res := r.callOnce("get_model", map[string]any{"id": "code-reviewer"}); res.IsError || !strings.Contains(fmt.Sprint(res.StructuredContent), "[redacted]") {
		r.t.Errorf("an echoing healthy upstream did not reach the results (the test would prove nothing): %+v", res)
	}
	r.up.set("")
	everyTool(r, "20260101T000000Z-delete_model-000000")
	// The healthy pass deleted everything at the end; start again.
	fakeowui.SeedDemo(r.up.fake)
	backup := latestBackup(r)
	for _, mode := range []string{"500", "401", "422", "html", "redirect", "truncated"} {
		r.up.set(mode)
		everyTool(r, backup)
	}
	r.up.set("writes")
	everyTool(r, backup)
	r.up.set("hang")
	for _, name := range []string{"get_model", "list_models", "delete_model"} {
		if res := r.call(name, map[string]any{"id": "code-reviewer"}); !res.IsError {
			r.t.Errorf("%s against a hanging upstream did not fail", name)
		}
	}
	r.up.set("")
}

func checkNoLeaks(t *testing.T, outputs map[string]string) {
	t.Helper()
	for where, s := range outputs {
		for _, m := range leaks(s) {
			i := strings.Index(s, m)
			t.Errorf("%s holds %s: …%s…", where, m, s[max(0, i-120):min(len(s), i+80)])
		}
		for _, m := range encodedLeaks(s) {
			t.Errorf("%s holds %s encoded", where, m)
		}
	}
}

// TestSecretsNeverLeakStdio: the stdio binary with a recognisable API key
// (and an HTTP token configured, unused on stdio) runs every tool healthy
// and under every fault, including upstream errors that echo the
// Authorization header, and timeouts. No result, byte on stdout, log line,
// audit line or backup holds either secret; the start-up log says only
// that a key is set.
func TestSecretsNeverLeakStdio(t *testing.T) {
	r := startRun(t, map[string]string{"OPENWEBUI_API_KEY": secretKey, "OWUI_MCP_HTTP_TOKEN": secretHTTP}, "")
	exercise(r)
	out := r.stop()
	checkNoLeaks(t, out)
	if !strings.Contains(out["stderr"], "api_key=set") {
		t.Errorf("the start-up log does not say the key is set:\n%s", out["stderr"])
	}
	for _, want := range []string{"Open WebUI not reachable yet", "[redacted]"} {
		if !strings.Contains(out["stderr"]+out["tool results"], want) {
			t.Errorf("expected %q somewhere in the output (the test would prove nothing)", want)
		}
	}
	if !strings.Contains(out["audit log"], `"outcome":"error"`) {
		t.Errorf("no audit line records an upstream error, so the audit path went untested:\n%s", out["audit log"])
	}
	if !strings.Contains(out["tool results"], "HTTP 500") || !strings.Contains(out["tool results"], "did not answer in time") {
		t.Errorf("the fault passes did not reach the tools")
	}
}

// TestSecretsNeverLeakHTTPToken: the same over streamable HTTP with the
// shared --http-token; a caller with a wrong token is refused and its token
// is not logged either.
func TestSecretsNeverLeakHTTPToken(t *testing.T) {
	r := startRun(t, map[string]string{"OPENWEBUI_API_KEY": secretKey, "OWUI_MCP_HTTP_TOKEN": secretHTTP}, secretHTTP,
		"--transport", "http", "--listen", "127.0.0.1:0")
	exercise(r)
	checkNoLeaks(t, r.stop())
}

// TestSecretsNeverLeakHTTPOpenWebUI: with --auth=openwebui each caller's own
// Open WebUI token goes upstream; when upstream echoes it, it is cut out of
// results, logs and audit lines just like the server's key.
func TestSecretsNeverLeakHTTPOpenWebUI(t *testing.T) {
	r := startRun(t, map[string]string{"OPENWEBUI_API_KEY": secretKey}, secretCaller,
		"--transport", "http", "--listen", "127.0.0.1:0", "--auth", "openwebui")
	exercise(r)
	checkNoLeaks(t, r.stop())
}

// TestSecretsInHelpAndConfigErrors: --help and every configuration error
// say at most whether a secret is set.
func TestSecretsInHelpAndConfigErrors(t *testing.T) {
	env := map[string]string{"OPENWEBUI_API_KEY": secretKey, "OWUI_MCP_HTTP_TOKEN": secretHTTP}
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte(secretKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{"--help"},
		{"--url", "http://admin:" + secretKey + "@localhost:8080"},
		{"--url", "ftp://localhost/?key=" + secretKey},
		{"--url", "http://[::1%zz]:" + secretKey},
		{"--url", "http://127.0.0.1:1", "--api-key-file", keyFile, "--confirm", "maybe"},
		{"--url", "http://127.0.0.1:1", "--transport", "http", "--listen", "0.0.0.0:0", "--http-token", "short"},
		{"--url", "http://127.0.0.1:1", "--transport", "http", "--http-token", secretHTTP + " x"},
		{"--url", "http://127.0.0.1:1", "--log-level", "verbose"},
	}
	for _, args := range cases {
		var stdout, stderr testutil.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		code := run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
		cancel()
		all := stdout.String() + stderr.String()
		if args[0] == "--help" {
			if code != 0 || !strings.Contains(all, "set)") {
				t.Errorf("--help: exit %d, and it should say the key is set:\n%s", code, all)
			}
		} else if code == 0 {
			t.Errorf("%q: accepted", args)
		}
		if l := leaks(all); len(l) > 0 {
			t.Errorf("%q prints %v:\n%s", args, l, all)
		}
	}
}

// The tool table is what everyTool must cover; a new tool without a step
// here fails this test instead of going unchecked.
func TestSecretsCoverEveryTool(t *testing.T) {
	src, err := os.ReadFile("secrets_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range tools.All() {
		if !strings.Contains(string(src), `{"`+tl.Name+`", `) {
			t.Errorf("everyTool does not run %s", tl.Name)
		}
	}
}
