package httpserve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/caller"

	"github.com/owui-mcp/owui-mcp/internal/testutil"
)

const testToken = "s3cret-test-token-0123456789abcdef"

func TestOptionsValidate(t *testing.T) {
	okValidator := func(context.Context, string) (caller.Identity, error) { return caller.Identity{ID: "u"}, nil }
	cases := []struct {
		name    string
		o       Options
		wantErr []string // substrings of the error; nil = valid
	}{
		{name: "zero value (loopback, no auth)", o: Options{}},
		{name: "localhost", o: Options{Listen: "localhost:0"}},
		{name: "ipv6 loopback", o: Options{Listen: "[::1]:8765"}},
		{name: "all interfaces without auth", o: Options{Listen: "0.0.0.0:8765"},
			wantErr: []string{"--http-token", "OWUI_MCP_HTTP_TOKEN", "--auth=openwebui", "0.0.0.0:8765"}},
		{name: "empty host without auth", o: Options{Listen: ":8765"}, wantErr: []string{"--http-token"}},
		{name: "hostname without auth", o: Options{Listen: "mcp.example.org:443"}, wantErr: []string{"--auth=openwebui"}},
		{name: "all interfaces with token", o: Options{Listen: "0.0.0.0:8765", Token: testToken}},
		{name: "all interfaces with short token", o: Options{Listen: "0.0.0.0:8765", Token: "tiny1"}, wantErr: []string{"too short"}},
		{name: "short token on loopback", o: Options{Token: "short"}},
		{name: "token with space", o: Options{Token: "a b"}, wantErr: []string{"spaces"}},
		{name: "openwebui", o: Options{Listen: "0.0.0.0:8765", Auth: AuthOpenWebUI, ValidateToken: okValidator}},
		{name: "openwebui without validator", o: Options{Auth: AuthOpenWebUI}, wantErr: []string{"validator"}},
		{name: "openwebui with token", o: Options{Auth: AuthOpenWebUI, ValidateToken: okValidator, Token: testToken},
			wantErr: []string{"mutually exclusive"}},
		{name: "unknown mode", o: Options{Auth: "basic"}, wantErr: []string{"--auth"}},
		{name: "bad listen", o: Options{Listen: "8765"}, wantErr: []string{"--listen"}},
		{name: "bad port", o: Options{Listen: "127.0.0.1:http"}, wantErr: []string{"bad port"}},
		{name: "good origin", o: Options{AllowedOrigins: []string{"http://localhost:6274"}}},
		{name: "bad origin", o: Options{AllowedOrigins: []string{"localhost:6274/path"}}, wantErr: []string{"--allowed-origins"}},
		{name: "negative body", o: Options{MaxBodyBytes: -1}, wantErr: []string{"body"}},
		{name: "negative concurrency", o: Options{MaxConcurrent: -1}, wantErr: []string{"concurrent"}},
		{name: "negative timeout", o: Options{IdleTimeout: -time.Second}, wantErr: []string{"timeouts"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.Validate()
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error mentioning %q", tc.wantErr)
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Validate() = %q, missing %q", err, s)
				}
			}
			if tc.o.Token != "" && strings.Contains(err.Error(), tc.o.Token) {
				t.Errorf("error echoes the token: %q", err)
			}
		})
	}
}

func TestServeRefusesNonLoopbackWithoutAuth(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := Serve(ctx, newTestMCPServer(nil), Options{Listen: "0.0.0.0:0"})
	if err == nil || !strings.Contains(err.Error(), "--http-token") {
		t.Fatalf("Serve = %v, want the no-auth refusal", err)
	}
}

func TestHealthzAndNotFound(t *testing.T) {
	ts := startHandler(t, newTestMCPServer(nil), Options{Token: testToken})

	r := do(t, http.MethodGet, ts.URL+"/healthz", "", nil) // no auth needed
	if r.status != http.StatusOK || strings.TrimSpace(r.body) != `{"status":"ok"}` {
		t.Fatalf("/healthz = %d %q", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("/healthz Content-Type = %q", ct)
	}
	for _, path := range []string{"/", "/mcp/", "/metrics", "/sse", "/.well-known/oauth-protected-resource"} {
		r := do(t, http.MethodGet, ts.URL+path, "", bearer(testToken))
		if r.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, r.status)
		}
	}
	if r := do(t, http.MethodPost, ts.URL+"/healthz", pingBody, nil); r.status != http.StatusNotFound && r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz = %d", r.status)
	}
}

func TestTokenAuth(t *testing.T) {
	var logs testutil.Buffer
	ts := startHandler(t, newTestMCPServer(nil), Options{Token: testToken, Logger: newLogger(&logs)})
	url := ts.URL + "/mcp"

	t.Run("missing bearer", func(t *testing.T) {
		r := do(t, http.MethodPost, url, initializeBody, nil)
		if r.status != http.StatusUnauthorized {
			t.Fatalf("status = %d, want 401", r.status)
		}
		if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="owui-mcp"` {
			t.Errorf("WWW-Authenticate = %q", got)
		}
		var body map[string]string
		if err := json.Unmarshal([]byte(r.body), &body); err != nil || body["error"] == "" {
			t.Errorf("body = %q, want a JSON error", r.body)
		}
	})
	for _, hdr := range []string{"Bearer wrong-token-value", "Bearer " + testToken + "x", "Basic " + testToken, "bearer", testToken} {
		t.Run("bad header "+hdr[:min(len(hdr), 12)], func(t *testing.T) {
			r := do(t, http.MethodPost, url, initializeBody, map[string]string{"Authorization": hdr})
			if r.status != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", r.status)
			}
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Bearer realm="owui-mcp"`) {
				t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
			}
			if strings.Contains(r.body, "wrong-token-value") || strings.Contains(r.body, testToken) {
				t.Errorf("401 body echoes a token: %q", r.body)
			}
		})
	}
	t.Run("GET and DELETE need auth too", func(t *testing.T) {
		for _, m := range []string{http.MethodGet, http.MethodDelete} {
			if r := do(t, m, url, "", nil); r.status != http.StatusUnauthorized {
				t.Errorf("%s without bearer = %d, want 401", m, r.status)
			}
		}
	})
	t.Run("right bearer, both protocol eras", func(t *testing.T) {
		sum := sha256.Sum256([]byte(testToken))
		want := "token:" + hex.EncodeToString(sum[:])[:12]
		for _, legacy := range []bool{false, true} {
			c := connect(t, url, bearer(testToken), legacy)
			w := callWhoami(t, c)
			if w.ID != want || w.Name != "http-token" || w.UpstreamToken != "" {
				t.Errorf("legacy=%v: identity = %+v, want ID %s, Name http-token, no upstream token", legacy, w, want)
			}
			if w.AuthHeader != "" {
				t.Errorf("legacy=%v: tool saw the Authorization header %q", legacy, w.AuthHeader)
			}
		}
	})
	if strings.Contains(logs.String(), testToken) || strings.Contains(logs.String(), "wrong-token-value") {
		t.Errorf("a token was logged:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "http request rejected") || !strings.Contains(logs.String(), "status=401") {
		t.Errorf("no rejection log line:\n%s", logs.String())
	}
}

// TestProfileQuery: ?profile= on the server URL picks the answer profile
// for every request of that connection; an unknown one is refused, naming
// the valid choice.
func TestProfileQuery(t *testing.T) {
	ts := startHandler(t, newTestMCPServer(nil), Options{Token: testToken})
	for _, c := range []struct{ query, want string }{{"", ""}, {"?profile=chat", "chat"}} {
		cl := connect(t, ts.URL+"/mcp"+c.query, bearer(testToken), false)
		if got := callWhoami(t, cl).Profile; got != c.want {
			t.Errorf("%q: the tool saw profile %q, want %q", c.query, got, c.want)
		}
	}
	r := do(t, http.MethodPost, ts.URL+"/mcp?profile=tiny", initializeBody, bearer(testToken))
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "profile=chat") || !strings.Contains(r.body, "tiny") {
		t.Errorf("unknown profile: %d %s", r.status, r.body)
	}
}

func TestNoAuthOnLoopback(t *testing.T) {
	ts := startHandler(t, newTestMCPServer(nil), Options{})
	c := connect(t, ts.URL+"/mcp", nil, false)
	if w := callWhoami(t, c); w.ID != caller.Local.ID {
		t.Fatalf("identity = %+v, want %+v", w, caller.Local)
	}
}

func TestOrigin(t *testing.T) {
	var logs testutil.Buffer
	ts := startHandler(t, newTestMCPServer(nil), Options{Token: testToken, AllowedOrigins: []string{"http://localhost:6274"},
		Logger: newLogger(&logs)})
	url := ts.URL + "/mcp"
	auth := bearer(testToken)

	forbidden := []map[string]string{
		{"Origin": "https://evil.example"},
		{"Origin": "null"},
		{"Origin": "http://localhost:9999"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
	}
	for _, h := range forbidden {
		for _, m := range []string{http.MethodPost, http.MethodGet, http.MethodDelete} {
			body := ""
			if m == http.MethodPost {
				body = initializeBody
			}
			// With and without a valid bearer: the Origin check comes first.
			for _, withAuth := range []bool{true, false} {
				hdr := h
				if withAuth {
					hdr = merge(h, auth)
				}
				if r := do(t, m, url, body, hdr); r.status != http.StatusForbidden {
					t.Errorf("%s %v auth=%v: status %d, want 403", m, h, withAuth, r.status)
				}
			}
		}
	}
	allowed := []map[string]string{
		{},                                  // CLI client: no Origin
		{"Origin": "http://localhost:6274"}, // trusted via AllowedOrigins
		{"Origin": ts.URL},                  // same origin
		{"Sec-Fetch-Site": "same-origin"},
		{"Sec-Fetch-Site": "none"},
	}
	for _, h := range allowed {
		if r := do(t, http.MethodPost, url, initializeBody, merge(h, auth)); r.status != http.StatusOK {
			t.Errorf("POST %v: status %d, want 200 (%s)", h, r.status, r.body)
		}
	}
	if !strings.Contains(logs.String(), "status=403") || !strings.Contains(logs.String(), "evil.example") {
		t.Errorf("no 403 log line:\n%s", logs.String())
	}
}

func TestDNSRebindingHost(t *testing.T) {
	ts := startHandler(t, newTestMCPServer(nil), Options{})
	url := ts.URL + "/mcp"
	if r := do(t, http.MethodPost, url, initializeBody, map[string]string{"Host": "evil.example.com"}); r.status != http.StatusForbidden {
		t.Errorf("foreign Host: status %d, want 403", r.status)
	}
	for _, host := range []string{"localhost", strings.TrimPrefix(ts.URL, "http://"), "localhost:1234"} {
		if r := do(t, http.MethodPost, url, initializeBody, map[string]string{"Host": host}); r.status != http.StatusOK {
			t.Errorf("Host %s: status %d, want 200", host, r.status)
		}
	}
}

func TestMaxBodyBytes(t *testing.T) {
	const limit = 1024
	ts := startHandler(t, newTestMCPServer(nil), Options{Token: testToken, MaxBodyBytes: limit})
	url := ts.URL + "/mcp"

	// Small enough: passes to mcp-go.
	if r := do(t, http.MethodPost, url, initializeBody, bearer(testToken)); r.status != http.StatusOK {
		t.Fatalf("small body: %d %s", r.status, r.body)
	}
	big := `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"` + strings.Repeat("x", 2*limit) + `"}}`
	// Declared Content-Length.
	if r := do(t, http.MethodPost, url, big, bearer(testToken)); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("big body: status %d, want 413", r.status)
	}
	// Chunked (no Content-Length): counted while reading.
	req, _ := http.NewRequest(http.MethodPost, url, io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.ContentLength != 0 || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked big body: status %d (content length %d), want 413", resp.StatusCode, req.ContentLength)
	}

	// Exactly at the limit passes, one byte more does not; declared and chunked.
	sized := func(n int) string {
		const head, tail = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"},"pad":"`, `"}}`
		return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
	}
	for _, c := range []struct {
		size    int
		chunked bool
		want    int
	}{{limit, false, http.StatusOK}, {limit, true, http.StatusOK}, {limit + 1, false, http.StatusRequestEntityTooLarge}, {limit + 1, true, http.StatusRequestEntityTooLarge}} {
		var body io.Reader = strings.NewReader(sized(c.size))
		if c.chunked {
			body = io.MultiReader(body)
		}
		req, _ := http.NewRequest(http.MethodPost, url, body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want || (c.want == http.StatusOK && !strings.Contains(string(got), `"protocolVersion"`)) {
			t.Errorf("%d bytes (chunked %v): status %d %s, want %d", c.size, c.chunked, resp.StatusCode, got, c.want)
		}
	}
}

func TestMaxConcurrent(t *testing.T) {
	b := newBlocker()
	defer b.Release()
	ts := startHandler(t, newTestMCPServer(b), Options{Token: testToken, MaxConcurrent: 1})
	url := ts.URL + "/mcp"
	c := connect(t, url, bearer(testToken), false)

	done := make(chan error, 1)
	go func() {
		_, err := c.CallTool(context.Background(), mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "block"}})
		done <- err
	}()
	select {
	case <-b.started:
	case <-time.After(5 * time.Second):
		t.Fatal("block tool did not start")
	}

	r := do(t, http.MethodPost, url, initializeBody, bearer(testToken))
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Errorf("second request: status %d Retry-After %q, want 503 with Retry-After", r.status, r.header.Get("Retry-After"))
	}
	// A JSON-RPC response (answer to a server request) and a notification
	// (e.g. a cancellation) are not counted.
	for _, msg := range []string{
		`{"jsonrpc":"2.0","id":99,"result":{}}`,
		`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":12345}}`,
	} {
		if r := do(t, http.MethodPost, url, msg, bearer(testToken)); r.status == http.StatusServiceUnavailable {
			t.Errorf("%s was refused by the cap: %d %s", msg, r.status, r.body)
		}
	}

	b.Release()
	if err := <-done; err != nil {
		t.Fatalf("blocked call: %v", err)
	}
	// The slot is free again.
	if r := do(t, http.MethodPost, url, initializeBody, bearer(testToken)); r.status != http.StatusOK {
		t.Errorf("after release: status %d, want 200", r.status)
	}
}

// fakeValidator stands in for GET /api/v1/auths/ of Open WebUI.
type fakeValidator struct {
	calls atomic.Int64
	users map[string]caller.Identity // token -> identity
}

func (f *fakeValidator) validate(ctx context.Context, tok string) (caller.Identity, error) {
	f.calls.Add(1)
	switch tok {
	case "token-down":
		return caller.Identity{}, fmt.Errorf("open webui: HTTP 502: %w", ErrUnavailable)
	case "token-refused":
		return caller.Identity{}, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	case "token-echo":
		return caller.Identity{}, fmt.Errorf("bad token %q", tok) // a careless validator
	}
	if id, ok := f.users[tok]; ok {
		return id, nil
	}
	return caller.Identity{}, errors.New("open webui: HTTP 401: Invalid token")
}

func TestOpenWebUIMode(t *testing.T) {
	fv := &fakeValidator{users: map[string]caller.Identity{
		"token-alice": {ID: "user-alice", Name: "alice@example.org"},
		"token-bob":   {ID: "user-bob", Name: "bob@example.org", UpstreamToken: "ignored"},
	}}
	var logs testutil.Buffer
	ts := startHandler(t, newTestMCPServer(nil), Options{Auth: AuthOpenWebUI, ValidateToken: fv.validate, Logger: newLogger(&logs)})
	url := ts.URL + "/mcp"

	for _, legacy := range []bool{false, true} {
		alice := connect(t, url, bearer("token-alice"), legacy)
		bob := connect(t, url, bearer("token-bob"), legacy)
		for range 3 {
			if w := callWhoami(t, alice); w.ID != "user-alice" || w.Name != "alice@example.org" || w.UpstreamToken != "token-alice" || w.AuthHeader != "" {
				t.Errorf("legacy=%v alice: %+v", legacy, w)
			}
			if w := callWhoami(t, bob); w.ID != "user-bob" || w.Name != "bob@example.org" || w.UpstreamToken != "token-bob" {
				t.Errorf("legacy=%v bob: %+v", legacy, w)
			}
		}
	}
	// Each token was validated once; the rest came from the cache.
	if n := fv.calls.Load(); n != 2 {
		t.Errorf("validator called %d times, want 2 (cache)", n)
	}

	r := do(t, http.MethodPost, url, initializeBody, bearer("token-mallory"))
	if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Bearer realm="owui-mcp"`) {
		t.Errorf("unknown token: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	before := fv.calls.Load()
	do(t, http.MethodPost, url, initializeBody, bearer("token-mallory"))
	if fv.calls.Load() != before {
		t.Errorf("a rejected token was validated again at once (no negative cache)")
	}
	if r := do(t, http.MethodPost, url, initializeBody, nil); r.status != http.StatusUnauthorized {
		t.Errorf("no token: %d", r.status)
	}
	for _, tok := range []string{"token-down", "token-refused"} {
		r := do(t, http.MethodPost, url, initializeBody, bearer(tok))
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
			t.Errorf("%s: %d Retry-After %q, want 503", tok, r.status, r.header.Get("Retry-After"))
		}
	}
	// Unavailability is not cached.
	before = fv.calls.Load()
	do(t, http.MethodPost, url, initializeBody, bearer("token-down"))
	if fv.calls.Load() != before+1 {
		t.Errorf("an unavailable result was cached")
	}
	r = do(t, http.MethodPost, url, initializeBody, bearer("token-echo"))
	if r.status != http.StatusUnauthorized || strings.Contains(r.body, "token-echo") {
		t.Errorf("echoing validator: %d %q", r.status, r.body)
	}
	for _, tok := range []string{"token-alice", "token-bob", "token-mallory", "token-echo"} {
		if strings.Contains(logs.String(), tok) {
			t.Errorf("token %s was logged", tok)
		}
	}
}

func TestSessionsBoundToCaller(t *testing.T) {
	fv := &fakeValidator{users: map[string]caller.Identity{
		"token-alice": {ID: "user-alice", Name: "alice@example.org"},
		"token-bob":   {ID: "user-bob", Name: "bob@example.org"},
	}}
	ts := startHandler(t, newTestMCPServer(nil), Options{Auth: AuthOpenWebUI, ValidateToken: fv.validate})
	url := ts.URL + "/mcp"
	alice, bob := bearer("token-alice"), bearer("token-bob")

	r := do(t, http.MethodPost, url, initializeBody, alice)
	sid := r.header.Get("Mcp-Session-Id")
	if r.status != http.StatusOK || sid == "" {
		t.Fatalf("initialize: %d session %q", r.status, sid)
	}
	session := func(h map[string]string) map[string]string {
		return merge(h, map[string]string{"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"})
	}
	if r := do(t, http.MethodPost, url, pingBody, session(alice)); r.status != http.StatusOK {
		t.Errorf("owner ping: %d %s", r.status, r.body)
	}
	if r := do(t, http.MethodPost, url, pingBody, session(bob)); r.status != http.StatusNotFound {
		t.Errorf("bob using alice's session: %d, want 404", r.status)
	}
	if r := do(t, http.MethodGet, url, "", session(bob)); r.status != http.StatusNotFound {
		t.Errorf("bob listening on alice's session: %d, want 404", r.status)
	}
	if r := do(t, http.MethodDelete, url, "", session(bob)); r.status < 400 {
		t.Errorf("bob deleting alice's session: %d, want an error", r.status)
	}
	unknown := merge(alice, map[string]string{"Mcp-Session-Id": "mcp-session-made-up", "MCP-Protocol-Version": "2025-11-25"})
	if r := do(t, http.MethodPost, url, pingBody, unknown); r.status != http.StatusNotFound {
		t.Errorf("unknown session: %d, want 404", r.status)
	}
	if r := do(t, http.MethodDelete, url, "", session(alice)); r.status != http.StatusOK {
		t.Errorf("owner delete: %d %s", r.status, r.body)
	}
	if r := do(t, http.MethodPost, url, pingBody, session(alice)); r.status != http.StatusNotFound {
		t.Errorf("ping after delete: %d, want 404", r.status)
	}
}

func TestTokenCache(t *testing.T) {
	now := time.Unix(1000, 0)
	c := newTokenCache(3)
	c.now = func() time.Time { return now }
	key := func(s string) [32]byte { return sha256.Sum256([]byte(s)) }

	c.putAccepted(key("a"), caller.Identity{ID: "a"})
	if id, rej, hit := c.get(key("a")); !hit || rej || id.ID != "a" {
		t.Fatalf("get a = %+v %v %v", id, rej, hit)
	}
	now = now.Add(validateCacheTTL)
	if _, _, hit := c.get(key("a")); hit {
		t.Fatal("entry survived its TTL")
	}
	c.putRejected(key("r"))
	if _, rej, hit := c.get(key("r")); !hit || !rej {
		t.Fatal("rejection not cached")
	}
	now = now.Add(rejectCacheTTL)
	if _, _, hit := c.get(key("r")); hit {
		t.Fatal("rejection survived its TTL")
	}
	for i := range 10 {
		c.putAccepted(key(fmt.Sprint(i)), caller.Identity{ID: fmt.Sprint(i)})
		now = now.Add(time.Millisecond)
	}
	if n := c.len(); n > 3 {
		t.Fatalf("cache holds %d entries, max 3", n)
	}
	if _, _, hit := c.get(key("9")); !hit {
		t.Error("newest entry was evicted")
	}
}

// startServe runs serve on a fresh loopback listener.
func startServe(t *testing.T, ctx context.Context, o Options, b *blocker) (url string, errc chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	errc = make(chan error, 1)
	go func() { errc <- serve(ctx, newTestMCPServer(b), o.withDefaults(), ln) }()
	url = "http://" + ln.Addr().String()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return url, errc
}

func TestGracefulShutdown(t *testing.T) {
	b := newBlocker()
	defer b.Release()
	var logs testutil.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, errc := startServe(t, ctx, Options{Token: testToken, ShutdownTimeout: 10 * time.Second, Logger: newLogger(&logs)}, b)

	// A legacy client with an open GET stream must not hold the shutdown up.
	legacy := connect(t, url+"/mcp", bearer(testToken), true)
	streamCtx, streamCancel := context.WithCancel(context.Background())
	defer streamCancel()
	req, _ := http.NewRequestWithContext(streamCtx, http.MethodGet, url+"/mcp", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Mcp-Session-Id", legacy.GetSessionId())
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != http.StatusOK {
		t.Fatalf("GET stream: %v %v", err, stream)
	}
	streamEnded := make(chan struct{})
	go func() {
		defer close(streamEnded)
		_, _ = io.Copy(io.Discard, stream.Body)
		stream.Body.Close()
	}()

	var wg sync.WaitGroup
	results := make(chan string, 2)
	for _, legacyEra := range []bool{false, true} {
		c := connect(t, url+"/mcp", bearer(testToken), legacyEra)
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.CallTool(context.Background(), mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "block"}})
			switch {
			case err != nil:
				results <- "error: " + err.Error()
			case res.IsError:
				results <- fmt.Sprintf("tool error: %+v", res.Content)
			default:
				results <- res.Content[0].(mcp.TextContent).Text
			}
		}()
	}
	for range 2 {
		select {
		case <-b.started:
		case <-time.After(5 * time.Second):
			t.Fatal("block tool did not start")
		}
	}

	cancel() // SIGTERM

	// New connections are refused while the calls are still running.
	addr := strings.TrimPrefix(url, "http://")
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still accepts connections after cancel")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-streamEnded: // streams end at once
	case <-time.After(5 * time.Second):
		t.Fatal("GET stream still open after cancel")
	}
	select {
	case err := <-errc:
		t.Fatalf("serve returned before the in-flight calls finished: %v", err)
	case <-time.After(200 * time.Millisecond):
	}

	b.Release()
	wg.Wait()
	close(results)
	for r := range results {
		if r != "released" {
			t.Errorf("in-flight call = %q, want it to finish normally", r)
		}
	}
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("serve = %v, want nil after a clean stop", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return after the calls finished")
	}
	if !strings.Contains(logs.String(), "HTTP transport stopped") {
		t.Errorf("no stop log line:\n%s", logs.String())
	}
}

func TestShutdownTimeoutAbortsCalls(t *testing.T) {
	b := newBlocker()
	defer b.Release()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, errc := startServe(t, ctx, Options{Token: testToken, ShutdownTimeout: 300 * time.Millisecond}, b)
	c := connect(t, url+"/mcp", bearer(testToken), false)
	callErr := make(chan error, 1)
	go func() {
		_, err := c.CallTool(context.Background(), mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "block"}})
		callErr <- err
	}()
	<-b.started
	start := time.Now()
	cancel()
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "did not finish") {
			t.Errorf("serve = %v, want a timeout error", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("shutdown took %s", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after ShutdownTimeout")
	}
	select {
	case err := <-callErr:
		if err == nil {
			t.Error("aborted call reported success")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("aborted call did not return")
	}
}

func TestServeBindError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = Serve(context.Background(), newTestMCPServer(nil), Options{Listen: ln.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "listen on") {
		t.Fatalf("Serve on a busy port = %v", err)
	}
}

func TestHTTPServerTimeouts(t *testing.T) {
	mt, err := newMCPHTTP(newTestMCPServer(nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := mt.httpServer()
	if srv.ReadHeaderTimeout != DefaultReadHeaderTimeout || srv.IdleTimeout != DefaultIdleTimeout || srv.MaxHeaderBytes != maxHeaderBytes {
		t.Errorf("server limits = %s %s %d", srv.ReadHeaderTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
	}
	mt, err = newMCPHTTP(newTestMCPServer(nil), Options{ReadHeaderTimeout: time.Second, IdleTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if srv := mt.httpServer(); srv.ReadHeaderTimeout != time.Second || srv.IdleTimeout != 2*time.Second {
		t.Errorf("configured limits = %s %s", srv.ReadHeaderTimeout, srv.IdleTimeout)
	}
}

func TestSlowHeadersAreCut(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, errc := startServe(t, ctx, Options{ReadHeaderTimeout: 200 * time.Millisecond}, nil)
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err = io.ReadAll(conn) // the server closes the connection
	if err != nil {
		t.Fatalf("read: %v (server did not close the connection)", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("slow header connection closed after %s", d)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("serve = %v", err)
	}
}

func TestShutdownNotHeldByUnusedConnections(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, errc := startServe(t, ctx, Options{}, nil)
	// Clients pre-dial spare connections that may never carry a request;
	// http.Server.Shutdown alone would wait 5 s for them.
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(50 * time.Millisecond) // let the server accept it
	start := time.Now()
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("serve = %v", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("shutdown took %s with an unused connection open", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return")
	}
}
