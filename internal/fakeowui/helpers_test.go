package fakeowui

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock so tests can see updated_at move.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const testStart int64 = 1800000000

type harness struct {
	t     *testing.T
	fake  *Server
	srv   *httptest.Server
	clock *testClock
}

// newHarness serves a fake (seeded with the demo data when seed is set)
// through a real HTTP server.
func newHarness(t *testing.T, seed bool, opts Options) *harness {
	t.Helper()
	clock := &testClock{t: time.Unix(testStart, 0)}
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	fake := New(opts)
	if seed {
		SeedDemo(fake)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &harness{t: t, fake: fake, srv: srv, clock: clock}
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) ctype() string { return r.header.Get("Content-Type") }

// json decodes the body into a generic value.
func (r result) json(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not JSON (%v): %q", err, r.body)
	}
	return v
}

func (r result) obj(t *testing.T) map[string]any {
	t.Helper()
	m, ok := r.json(t).(map[string]any)
	if !ok {
		t.Fatalf("body is not an object: %s", r.body)
	}
	return m
}

func (r result) list(t *testing.T) []any {
	t.Helper()
	l, ok := r.json(t).([]any)
	if !ok {
		t.Fatalf("body is not a list: %s", r.body)
	}
	return l
}

// detail returns the string detail of an error body.
func (r result) detail(t *testing.T) string {
	t.Helper()
	d, ok := r.obj(t)["detail"].(string)
	if !ok {
		t.Fatalf("detail is not a string: %s", r.body)
	}
	return d
}

// do sends a request with key as bearer token ("" for none). body may be a
// string (sent verbatim), nil (no body) or any JSON-encodable value.
func (h *harness) do(method, path, key string, body any) result {
	h.t.Helper()
	var hdr map[string]string
	if key != "" {
		hdr = map[string]string{"Authorization": "Bearer " + key}
	}
	return h.doHeaders(method, path, hdr, body)
}

// doHeaders is do with arbitrary request headers.
func (h *harness) doHeaders(method, path string, hdr map[string]string, body any) result {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: raw}
}

func idQuery(path, id string) string {
	return path + "?" + url.Values{"id": {id}}.Encode()
}

// expect checks status and content type, and the detail text when given.
func expect(t *testing.T, r result, status int, ctype, detail string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if !strings.HasPrefix(r.ctype(), ctype) {
		t.Fatalf("content type = %q, want %q", r.ctype(), ctype)
	}
	if detail != "" {
		if got := r.detail(t); got != detail {
			t.Fatalf("detail = %q, want %q", got, detail)
		}
	}
}

// expect422 checks a FastAPI validation error and its first item.
func expect422(t *testing.T, r result, typ string, loc ...any) {
	t.Helper()
	expect(t, r, http.StatusUnprocessableEntity, ctJSON, "")
	items, ok := r.obj(t)["detail"].([]any)
	if !ok || len(items) == 0 {
		t.Fatalf("detail is not a non-empty list: %s", r.body)
	}
	first := items[0].(map[string]any)
	for _, k := range []string{"type", "loc", "msg", "input"} {
		if _, ok := first[k]; !ok {
			t.Fatalf("422 item lacks %q: %s", k, r.body)
		}
	}
	if first["type"] != typ {
		t.Fatalf("type = %v, want %s; body %s", first["type"], typ, r.body)
	}
	wantLoc, _ := json.Marshal(loc)
	gotLoc, _ := json.Marshal(first["loc"])
	if loc != nil && string(wantLoc) != string(gotLoc) {
		t.Fatalf("loc = %s, want %s", gotLoc, wantLoc)
	}
}

func mustEqual(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
}

// ids extracts the "id" of each object in a list.
func ids(l []any) []string {
	out := make([]string, len(l))
	for i, x := range l {
		out[i], _ = x.(map[string]any)["id"].(string)
	}
	return out
}

// body is a shorthand for JSON request bodies.
type body = map[string]any

func strp(s string) *string { return &s }
