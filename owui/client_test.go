package owui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/owui-mcp/owui-mcp/internal/caller"
)

// seen is one request as the server received it.
type seen struct {
	Method, Path, EscapedPath, RawQuery string
	Header                              http.Header
	Body                                []byte
}

// recorder is an httptest server that logs every request and answers from a
// per-path table (default: 200 with the path's canned JSON).
type recorder struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	reqs    []seen
	answers map[string]func(w http.ResponseWriter, r *http.Request)
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	rec := &recorder{t: t, answers: map[string]func(http.ResponseWriter, *http.Request){}}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seen{Method: r.Method, Path: r.URL.Path, EscapedPath: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: b})
		h := rec.answers[r.Method+" "+r.URL.Path]
		rec.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/profile/image") {
			w.Header().Set("Content-Type", "image/png")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		_, _ = io.WriteString(w, cannedAnswer(r.URL.Path))
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (rec *recorder) answer(method, path string, h func(w http.ResponseWriter, r *http.Request)) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.answers[method+" "+path] = h
}

func (rec *recorder) requests() []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seen(nil), rec.reqs...)
}

func (rec *recorder) reset() {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.reqs = nil
}

func (rec *recorder) client(cfg Config) *Client {
	rec.t.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = rec.srv.URL
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	c, err := New(cfg)
	if err != nil {
		rec.t.Fatal(err)
	}
	return c
}

const cannedModel = `{"id":"m","user_id":"u","base_model_id":"gpt-4o","name":"M","params":{},"meta":{},"access_grants":[],"is_active":true,"updated_at":1,"created_at":1}`

func cannedAnswer(path string) string {
	switch {
	case strings.HasSuffix(path, "/profile/image"):
		return "\x89PNG\r\n\x1a\n"
	case strings.HasSuffix(path, "/models/list"):
		return `{"items":[` + cannedModel + `],"total":1}`
	case strings.HasSuffix(path, "/tags"):
		return `["a","b"]`
	case strings.HasSuffix(path, "/api/models"):
		return `{"data":[{"id":"gpt-4o","owned_by":"openai"},{"id":"team/bot","name":"Bot"}]}`
	case strings.HasSuffix(path, "/api/models/base"):
		return `{"data":[{"id":"gpt-4o","owned_by":"openai"}]}`
	case strings.HasSuffix(path, "/models/base"), strings.HasSuffix(path, "/export"), strings.HasSuffix(path, "/sync"):
		return `[` + cannedModel + `]`
	case strings.HasSuffix(path, "/delete"), strings.HasSuffix(path, "/delete/all"), strings.HasSuffix(path, "/import"):
		return `true`
	case strings.HasSuffix(path, "/unload"):
		return `{"status":true}`
	case strings.HasSuffix(path, "/auths/"):
		return `{"id":"u-1","email":"a@example.com","role":"admin"}`
	case strings.HasSuffix(path, "/api/version"):
		return `{"version":"0.12.4"}`
	}
	return cannedModel
}

func TestNormalizeBaseURL(t *testing.T) {
	ok := []struct{ in, want string }{
		{"http://localhost:8080", "http://localhost:8080"},
		{"http://localhost:8080/", "http://localhost:8080"},
		{"  http://localhost:8080//  ", "http://localhost:8080"},
		{"http://localhost:8080/api", "http://localhost:8080"},
		{"http://localhost:8080/api/", "http://localhost:8080"},
		{"http://localhost:8080/api/v1", "http://localhost:8080"},
		{"http://localhost:8080/api/v1/", "http://localhost:8080"},
		{"https://example.com/owui/api/v1", "https://example.com/owui"},
		{"https://example.com/owui/", "https://example.com/owui"},
		{"http://[::1]:3000/api?x=1#frag", "http://[::1]:3000"},
	}
	for _, c := range ok {
		u, err := NormalizeBaseURL(c.in)
		if err != nil {
			t.Errorf("NormalizeBaseURL(%q): %v", c.in, err)
			continue
		}
		if u.String() != c.want {
			t.Errorf("NormalizeBaseURL(%q) = %q, want %q", c.in, u.String(), c.want)
		}
	}
	bad := []struct{ in, want string }{
		{"", "empty"},
		{"   ", "empty"},
		{"localhost:8080", "not an http(s) URL"},
		{"ftp://example.com", "not an http(s) URL"},
		{"http://", "not an http(s) URL"},
		{"http://admin:hunter2secret@example.com", "must not carry credentials"},
		{"http://sk-urlkey0000000000@example.com/api", "must not carry credentials"},
		{"ftp://admin:hunter2secret@example.com", "must not carry credentials"},
		{"ftp://example.com/?api_key=hunter2secret", "not an http(s) URL"},
		{"http://admin:hunter2secret@exa mple.com/%zz", "not a valid URL"},
	}
	for _, c := range bad {
		_, err := NormalizeBaseURL(c.in)
		if err == nil {
			t.Errorf("NormalizeBaseURL(%q) accepted", c.in)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("NormalizeBaseURL(%q): %v, want it to mention %q", c.in, err, c.want)
		}
		// Credentials, wherever they sit in the URL, are never echoed.
		for _, secret := range []string{"hunter2secret", "sk-urlkey"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("NormalizeBaseURL(%q) echoes a secret: %v", c.in, err)
			}
		}
	}
	if _, err := New(Config{BaseURL: "http://u:p@example.com"}); err == nil {
		t.Error("New accepted a URL with credentials")
	}
}

// The ids that must survive the query string intact.
const trickyID = "team/support-bot:v2.1 beta"
const trickyQuery = "id=team%2Fsupport-bot%3Av2.1+beta"

// TestEveryOperationSendsExactlyThisRequest pins method, path, query and
// body of all 17 operations plus CurrentUser and Version.
func TestEveryOperationSendsExactlyThisRequest(t *testing.T) {
	base := "gpt-4o"
	name := "New name"
	cases := []struct {
		op                 string
		call               func(ctx context.Context, c *Client) error
		method, path, qry  string
		body               string // exact JSON; "" = no body
		checkResultPresent bool
	}{
		// First: the version is read once and kept, so the version-gated
		// calls below send only their own request.
		{"version", func(ctx context.Context, c *Client) error {
			v, err := c.Version(ctx)
			if err == nil && v != "0.12.4" {
				err = errors.New("version not decoded")
			}
			return err
		}, "GET", "/api/version", "", "", false},
		{"list_models", func(ctx context.Context, c *Client) error {
			l, err := c.ListModels(ctx, ListParams{Query: "a b/c", ViewOption: "created", Tag: "t:x", OrderBy: "name", Direction: "asc", Page: 2})
			if err == nil && (len(l.Items) != 1 || l.Total != 1) {
				err = errors.New("list not decoded")
			}
			return err
		}, "GET", "/api/v1/models/list", "direction=asc&order_by=name&page=2&query=a+b%2Fc&tag=t%3Ax&view_option=created", "", true},
		{"list_models defaults", func(ctx context.Context, c *Client) error {
			_, err := c.ListModels(ctx, ListParams{})
			return err
		}, "GET", "/api/v1/models/list", "page=1", "", false},
		{"list_base_model_tags", func(ctx context.Context, c *Client) error {
			_, err := c.ListBaseModelTags(ctx)
			return err
		}, "GET", "/api/v1/models/base/tags", "", "", false},
		{"list_base_models", func(ctx context.Context, c *Client) error {
			_, err := c.ListBaseModels(ctx)
			return err
		}, "GET", "/api/v1/models/base", "", "", false},
		{"list_base_models_direct", func(ctx context.Context, c *Client) error {
			ms, err := c.ListBaseModelsDirect(ctx)
			if err == nil && (len(ms) != 1 || ms[0]["id"] != "gpt-4o") {
				err = errors.New("data not unwrapped")
			}
			return err
		}, "GET", "/api/models/base", "", "", false},
		{"runtime model ids", func(ctx context.Context, c *Client) error {
			ids, err := c.RuntimeModelIDs(ctx)
			if err == nil && strings.Join(ids, ",") != "gpt-4o,team/bot" {
				err = fmt.Errorf("ids %v", ids)
			}
			return err
		}, "GET", "/api/models", "", "", false},
		{"list_model_tags", func(ctx context.Context, c *Client) error {
			tags, err := c.ListModelTags(ctx)
			if err == nil && len(tags) != 2 {
				err = errors.New("tags not decoded")
			}
			return err
		}, "GET", "/api/v1/models/tags", "", "", false},
		{"create_model", func(ctx context.Context, c *Client) error {
			_, err := c.CreateModel(ctx, ModelForm{ID: trickyID, BaseModelID: &base, Name: "N"})
			return err
		}, "POST", "/api/v1/models/create", "",
			`{"id":"team/support-bot:v2.1 beta","base_model_id":"gpt-4o","name":"N","meta":{},"params":{},"access_grants":[],"is_active":false}`, false},
		{"export_models", func(ctx context.Context, c *Client) error {
			_, err := c.ExportModels(ctx)
			return err
		}, "GET", "/api/v1/models/export", "", "", false},
		{"import_models", func(ctx context.Context, c *Client) error {
			return c.ImportModels(ctx, []map[string]any{{"id": trickyID, "meta": map[string]any{"k": 1}}})
		}, "POST", "/api/v1/models/import", "", `{"models":[{"id":"team/support-bot:v2.1 beta","meta":{"k":1}}]}`, false},
		{"import_models nil", func(ctx context.Context, c *Client) error {
			return c.ImportModels(ctx, nil)
		}, "POST", "/api/v1/models/import", "", `{"models":[]}`, false},
		{"sync_models", func(ctx context.Context, c *Client) error {
			_, err := c.SyncModels(ctx, []Model{{ID: "m", Name: "M", IsActive: true}})
			return err
		}, "POST", "/api/v1/models/sync", "",
			`{"models":[{"id":"m","user_id":"","base_model_id":null,"name":"M","params":null,"meta":null,"access_grants":null,"is_active":true,"updated_at":0,"created_at":0}]}`, false},
		{"get_model", func(ctx context.Context, c *Client) error {
			m, err := c.GetModel(ctx, trickyID)
			if err == nil && m.ID != "m" {
				err = errors.New("model not decoded")
			}
			return err
		}, "GET", "/api/v1/models/model", trickyQuery, "", false},
		{"get_model_profile_image", func(ctx context.Context, c *Client) error {
			_, err := c.GetProfileImage(ctx, trickyID)
			return err
		}, "GET", "/api/v1/models/model/profile/image", trickyQuery, "", false},
		{"toggle_model", func(ctx context.Context, c *Client) error {
			_, err := c.ToggleModel(ctx, trickyID)
			return err
		}, "POST", "/api/v1/models/model/toggle", trickyQuery, "", false},
		{"update_model", func(ctx context.Context, c *Client) error {
			_, err := c.UpdateModel(ctx, ModelForm{ID: trickyID, Name: "N", Meta: map[string]any{"description": "d"},
				AccessGrants: []Grant{{PrincipalType: "group", PrincipalID: "g", Permission: "read"}}, IsActive: true})
			return err
		}, "POST", "/api/v1/models/model/update", "",
			`{"id":"team/support-bot:v2.1 beta","base_model_id":null,"name":"N","meta":{"description":"d"},"params":{},"access_grants":[{"principal_type":"group","principal_id":"g","permission":"read"}],"is_active":true}`, false},
		{"delete_model", func(ctx context.Context, c *Client) error {
			return c.DeleteModel(ctx, trickyID)
		}, "POST", "/api/v1/models/model/delete", "", `{"id":"team/support-bot:v2.1 beta"}`, false},
		{"delete_all_models", func(ctx context.Context, c *Client) error {
			return c.DeleteAllModels(ctx)
		}, "DELETE", "/api/v1/models/delete/all", "", "", false},
		{"update_model_access", func(ctx context.Context, c *Client) error {
			_, err := c.UpdateModelAccess(ctx, AccessForm{ID: trickyID})
			return err
		}, "POST", "/api/v1/models/model/access/update", "", `{"id":"team/support-bot:v2.1 beta","access_grants":[]}`, false},
		{"update_model_access with name", func(ctx context.Context, c *Client) error {
			_, err := c.UpdateModelAccess(ctx, AccessForm{ID: "x", Name: &name, AccessGrants: []Grant{{PrincipalType: "user", PrincipalID: "*", Permission: "read"}}})
			return err
		}, "POST", "/api/v1/models/model/access/update", "",
			`{"id":"x","name":"New name","access_grants":[{"principal_type":"user","principal_id":"*","permission":"read"}]}`, false},
		{"unload_model", func(ctx context.Context, c *Client) error {
			out, err := c.UnloadModel(ctx, "llama3.1:8b")
			if err == nil && out["status"] != true {
				err = errors.New("provider answer not returned")
			}
			return err
		}, "POST", "/api/models/unload", "", `{"model":"llama3.1:8b"}`, false},
		{"current_user", func(ctx context.Context, c *Client) error {
			u, err := c.CurrentUser(ctx)
			if err == nil && u.ID != "u-1" {
				err = errors.New("user not decoded")
			}
			return err
		}, "GET", "/api/v1/auths/", "", "", false},
	}
	for _, prefix := range []string{"", "/owui"} {
		rec := newRecorder(t)
		// The recorder answers by path suffix, so a sub-path install works too.
		c := rec.client(Config{BaseURL: rec.srv.URL + prefix + "/api/v1/", APIKey: "sk-unit0000", UserAgent: "owui-mcp/test"})
		for _, tc := range cases {
			t.Run(strings.TrimPrefix(prefix+"/", "/")+tc.op, func(t *testing.T) {
				rec.reset()
				if err := tc.call(context.Background(), c); err != nil {
					t.Fatalf("%s: %v", tc.op, err)
				}
				reqs := rec.requests()
				if len(reqs) != 1 {
					t.Fatalf("%s sent %d requests, want 1: %+v", tc.op, len(reqs), reqs)
				}
				r := reqs[0]
				if r.Method != tc.method || r.Path != prefix+tc.path || r.RawQuery != tc.qry {
					t.Errorf("%s sent %s %s?%s, want %s %s?%s", tc.op, r.Method, r.Path, r.RawQuery, tc.method, prefix+tc.path, tc.qry)
				}
				// Ids never travel in the path.
				if r.EscapedPath != prefix+tc.path {
					t.Errorf("%s: escaped path %q", tc.op, r.EscapedPath)
				}
				if tc.qry == trickyQuery {
					if got := mustParseQuery(t, r.RawQuery).Get("id"); got != trickyID {
						t.Errorf("%s: id decodes to %q, want %q", tc.op, got, trickyID)
					}
				}
				if string(r.Body) != tc.body {
					t.Errorf("%s body:\n got %s\nwant %s", tc.op, r.Body, tc.body)
				}
				if ct := r.Header.Get("Content-Type"); (tc.body != "") != (ct == "application/json") {
					t.Errorf("%s: Content-Type %q with body %q", tc.op, ct, r.Body)
				}
				if got := r.Header.Get("Authorization"); got != "Bearer sk-unit0000" {
					t.Errorf("%s: Authorization %q", tc.op, got)
				}
				if r.Header.Get("Accept") != "application/json" || r.Header.Get("User-Agent") != "owui-mcp/test" {
					t.Errorf("%s: headers %v", tc.op, r.Header)
				}
			})
		}
	}
}

func mustParseQuery(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCreateAndUpdateRefuseBadIDsWithoutSending(t *testing.T) {
	rec := newRecorder(t)
	c := rec.client(Config{})
	for _, id := range []string{"", "   ", strings.Repeat("x", MaxIDLength+1)} {
		if _, err := c.CreateModel(context.Background(), ModelForm{ID: id, Name: "n"}); !IsKind(err, KindInvalid) {
			t.Errorf("create %d-byte id: %v", len(id), err)
		}
		if _, err := c.UpdateModel(context.Background(), ModelForm{ID: id, Name: "n"}); !IsKind(err, KindInvalid) {
			t.Errorf("update %d-byte id: %v", len(id), err)
		}
	}
	if n := len(rec.requests()); n != 0 {
		t.Errorf("%d requests sent for invalid ids", n)
	}
}

func TestAuthorizationHeader(t *testing.T) {
	rec := newRecorder(t)
	auth := func(c *Client, ctx context.Context) string {
		t.Helper()
		rec.reset()
		if _, err := c.GetModel(ctx, "m"); err != nil {
			t.Fatal(err)
		}
		return rec.requests()[0].Header.Get("Authorization")
	}
	withKey := rec.client(Config{APIKey: "sk-serverkey000"})
	if got := auth(withKey, context.Background()); got != "Bearer sk-serverkey000" {
		t.Errorf("server key: %q", got)
	}
	// A caller's own upstream token replaces the server key.
	ctx := caller.With(context.Background(), caller.Identity{ID: "u-1", UpstreamToken: "eyJcaller.token"})
	if got := auth(withKey, ctx); got != "Bearer eyJcaller.token" {
		t.Errorf("caller token: %q", got)
	}
	// A caller without a token falls back to the server key.
	ctx = caller.With(context.Background(), caller.Identity{ID: "u-2"})
	if got := auth(withKey, ctx); got != "Bearer sk-serverkey000" {
		t.Errorf("caller without token: %q", got)
	}
	noKey := rec.client(Config{})
	if got := auth(noKey, context.Background()); got != "" {
		t.Errorf("no key: Authorization %q sent", got)
	}
}

func TestVersionIsCachedAndReaskedAfterFailure(t *testing.T) {
	rec := newRecorder(t)
	var mu sync.Mutex
	fail := true
	rec.answer("GET", "/api/version", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, `{"version":"0.12.4"}`)
	})
	c := rec.client(Config{})
	if _, err := c.Version(context.Background()); !IsKind(err, KindServer) {
		t.Fatalf("first Version: %v, want a server error", err)
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	for i := 0; i < 3; i++ {
		v, err := c.Version(context.Background())
		if err != nil || v != "0.12.4" {
			t.Fatalf("Version #%d: %q %v", i+2, v, err)
		}
	}
	if n := len(rec.requests()); n != 2 {
		t.Errorf("%d version requests, want 2 (one failed, one kept)", n)
	}

	// No version in the answer is a failure too, and is not kept.
	rec2 := newRecorder(t)
	rec2.answer("GET", "/api/version", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{}`) })
	c2 := rec2.client(Config{})
	for i := 0; i < 2; i++ {
		if _, err := c2.Version(context.Background()); !IsKind(err, KindBadResponse) {
			t.Errorf("empty version: %v", err)
		}
	}
	if n := len(rec2.requests()); n != 2 {
		t.Errorf("%d version requests, want 2", n)
	}
}

func TestRouteMissingNamesTheVersion(t *testing.T) {
	rec := newRecorder(t)
	rec.answer("GET", "/api/v1/models/base/tags", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><html><body>app</body></html>")
	})
	rec.answer("POST", "/api/v1/models/model/access/update", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusMethodNotAllowed)
		_, _ = io.WriteString(w, `{"detail":"Method Not Allowed"}`)
	})
	c := rec.client(Config{})
	_, err := c.ListBaseModelTags(context.Background())
	if !IsKind(err, KindRouteMissing) || !strings.Contains(err.Error(), "(Open WebUI 0.12.4)") {
		t.Errorf("SPA page: %v", err)
	}
	_, err = c.UpdateModelAccess(context.Background(), AccessForm{ID: "m"})
	if !IsKind(err, KindRouteMissing) || !strings.Contains(err.Error(), "HTTP 405") || strings.Count(err.Error(), "Open WebUI 0.12.4") != 1 {
		t.Errorf("405: %v", err)
	}
	versions := 0
	for _, r := range rec.requests() {
		if r.Path == "/api/version" {
			versions++
		}
	}
	if versions != 1 {
		t.Errorf("version asked %d times, want once", versions)
	}
}

func TestDecodeDetail(t *testing.T) {
	long := strings.Repeat("é", 300)
	cases := []struct {
		name, ctype, body, want string
	}{
		{"string", "application/json", `{"detail":"We could not find what you're looking for :/"}`, detailNotFound},
		{"422 list", "application/json", `{"detail":[{"type":"missing","loc":["body","name"],"msg":"Field required","input":{}},{"loc":["query","id",0],"msg":"bad"}]}`,
			"body.name: Field required; query.id.0: bad"},
		{"object detail", "application/json", `{"detail":{"error":"x"}}`, `{"error":"x"}`},
		{"plain text", "text/plain", "Internal Server Error\n", "Internal Server Error"},
		{"whitespace collapsed", "text/plain", "line one\n\n\tline two  ", "line one line two"},
		{"html by type", "text/html; charset=utf-8", "<p>hi</p>", "an HTML page instead of JSON"},
		{"html by sniff", "", "  <!DOCTYPE html><html>", "an HTML page instead of JSON"},
		{"empty", "", "", ""},
		{"long excerpt is cut on a rune", "text/plain", long, strings.Repeat("é", 200) + "…"},
		{"invalid utf-8 is replaced", "text/plain", "bad \xff\xfe byte", "bad \uFFFD byte"},
		{"json null detail", "application/json", `{"detail":null}`, `{"detail":null}`},
	}
	for _, c := range cases {
		got := decodeDetail(c.ctype, []byte(c.body))
		if got != c.want {
			t.Errorf("%s: decodeDetail = %q, want %q", c.name, got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("%s: invalid UTF-8 %q", c.name, got)
		}
	}
	huge := `{"detail":"` + strings.Repeat("x", 10*maxDetail) + `"}`
	if got := decodeDetail("application/json", []byte(huge)); utf8.RuneCountInString(got) > maxDetail+1 {
		t.Errorf("a huge detail string is kept whole (%d runes)", utf8.RuneCountInString(got))
	}
}

func TestErrorKindsFromStatusAndDetail(t *testing.T) {
	cases := []struct {
		status int
		detail string
		want   Kind
	}{
		{401, detailNotAuthenticated, KindUnauthenticated},
		{401, detailInvalidToken, KindUnauthenticated},
		{401, detailSessionExpired, KindUnauthenticated},
		{401, detailNotFound, KindNotFound},
		{400, detailNotFound, KindNotFound},
		{401, detailUnauthorized, KindForbidden},
		{400, detailAccessProhibited, KindForbidden},
		{401, detailIDTaken, KindConflict},
		{403, detailAPIKeyNotAllowed, KindAPIKeysDisabled},
		{403, "", KindForbidden},
		{404, "", KindNotFound},
		{404, `Model "x" not found`, KindNotFound},
		{405, "Method Not Allowed", KindRouteMissing},
		{422, "body.name: Field required", KindInvalid},
		{413, "", KindTooLarge},
		{500, "Internal Server Error", KindServer},
		{502, "", KindUnavailable},
		{503, "", KindUnavailable},
		{504, "", KindUnavailable},
		{418, "", KindOther},
	}
	for _, c := range cases {
		if got := classify(c.status, c.detail); got != c.want {
			t.Errorf("classify(%d, %q) = %s, want %s", c.status, c.detail, got, c.want)
		}
	}
}

func TestFalseAndNullAnswersAreErrors(t *testing.T) {
	rec := newRecorder(t)
	c := rec.client(Config{})
	ctx := context.Background()
	set := func(method, path, body string) {
		rec.answer(method, path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, body)
		})
	}
	cases := []struct {
		name, method, path, body string
		call                     func() error
		want                     string
	}{
		{"delete false", "POST", pathDelete, "false", func() error { return c.DeleteModel(ctx, "m") }, "answered false"},
		{"delete null", "POST", pathDelete, "null", func() error { return c.DeleteModel(ctx, "m") }, "answered null"},
		{"delete all false", "DELETE", pathDeleteAll, "false", func() error { return c.DeleteAllModels(ctx) }, "answered false"},
		{"import false", "POST", pathImport, "false", func() error { return c.ImportModels(ctx, nil) }, "answered false"},
		{"import empty body", "POST", pathImport, "", func() error { return c.ImportModels(ctx, nil) }, "answered null"},
		{"update null", "POST", pathUpdate, "null", func() error {
			_, err := c.UpdateModel(ctx, ModelForm{ID: "m", Name: "n"})
			return err
		}, "answered null"},
		{"get null", "GET", pathModel, " null\n", func() error { _, err := c.GetModel(ctx, "m"); return err }, "answered null"},
		{"sync empty after models", "POST", pathSync, "[]", func() error {
			_, err := c.SyncModels(ctx, []Model{{ID: "m", Name: "n"}})
			return err
		}, "empty list"},
		{"user without id", "GET", pathCurrentUser, `{"name":"x"}`, func() error { _, err := c.CurrentUser(ctx); return err }, "no user id"},
		{"truncated", "GET", pathModel, `{"id":"m","name":`, func() error { _, err := c.GetModel(ctx, "m"); return err }, "not the expected JSON"},
		{"wrong shape", "GET", pathList, `[1,2]`, func() error { _, err := c.ListModels(ctx, ListParams{}); return err }, "not the expected JSON"},
		{"string for bool", "POST", pathDelete, `"true"`, func() error { return c.DeleteModel(ctx, "m") }, "not the expected JSON"},
	}
	for _, tc := range cases {
		set(tc.method, tc.path, tc.body)
		err := tc.call()
		if !IsKind(err, KindBadResponse) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "HTTP 200") {
			t.Errorf("%s: %v, want a bad_response naming HTTP 200 and %q", tc.name, err, tc.want)
		}
	}
	// Syncing nothing may answer [].
	set("POST", pathSync, "[]")
	if _, err := c.SyncModels(ctx, nil); err != nil {
		t.Errorf("empty sync: %v", err)
	}
}

func TestRedirectsAreNeverFollowed(t *testing.T) {
	var mu sync.Mutex
	hits := 0
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		_, _ = io.WriteString(w, cannedModel)
	}))
	defer elsewhere.Close()
	rec := newRecorder(t)
	to := func(loc string) func(w http.ResponseWriter, r *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, loc, http.StatusFound) }
	}
	rec.answer("GET", pathModel, to(elsewhere.URL+"/steal"))
	rec.answer("POST", pathDelete, to(elsewhere.URL+"/steal"))
	rec.answer("GET", pathProfileImage, to(elsewhere.URL+"/avatar.png"))
	c := rec.client(Config{APIKey: "sk-redirect0000"})
	ctx := context.Background()
	if _, err := c.GetModel(ctx, "m"); !IsKind(err, KindBadResponse) || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("GET redirect: %v", err)
	}
	if err := c.DeleteModel(ctx, "m"); !IsKind(err, KindBadResponse) {
		t.Errorf("POST redirect: %v", err)
	}
	img, err := c.GetProfileImage(ctx, "m")
	if err != nil || img.Kind != "url" || img.URL != elsewhere.URL+"/avatar.png" {
		t.Errorf("profile image redirect: %+v %v", img, err)
	}
	rec.answer("GET", pathProfileImage, to("/static/favicon.png"))
	if img, err := c.GetProfileImage(ctx, "m"); err != nil || img.Kind != "default" {
		t.Errorf("favicon redirect: %+v %v", img, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != 0 {
		t.Errorf("a redirect was followed %d time(s): the key would have gone to another host", hits)
	}
}

func TestErrorBodiesNeverCarryTheCredential(t *testing.T) {
	const key = "sk-ECHOKEY0123456789abcdef0123456789"
	rec := newRecorder(t)
	echo := func(status int, prefix string) func(w http.ResponseWriter, r *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, prefix+"Authorization: "+r.Header.Get("Authorization")+" trailing text")
		}
	}
	ctx := context.Background()
	c := rec.client(Config{APIKey: key})
	// The key straddles the 200-rune excerpt limit: a cut-then-scrub would
	// leave its first characters in the error.
	for _, pad := range []int{0, 150, 170, 180, 190, 199} {
		rec.answer("GET", pathModel, echo(500, strings.Repeat("x", pad)+" "))
		_, err := c.GetModel(ctx, "m")
		if err == nil || strings.Contains(err.Error(), key[:8]) {
			t.Errorf("pad %d: %v", pad, err)
		}
	}
	rec.answer("GET", pathModel, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"detail": "bad header " + r.Header.Get("Authorization")})
	})
	_, err := c.GetModel(ctx, "m")
	if err == nil || strings.Contains(err.Error(), key[:8]) || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("JSON detail echo: %v", err)
	}
	// A caller's own token is cut out the same way.
	callerCtx := caller.With(ctx, caller.Identity{ID: "u", UpstreamToken: "eyJCALLERTOKEN.payload.sig"})
	rec.answer("GET", pathModel, echo(502, ""))
	_, err = c.GetModel(callerCtx, "m")
	if err == nil || strings.Contains(err.Error(), "eyJCALLERTOKEN") {
		t.Errorf("caller token echo: %v", err)
	}
	// And from a redirect's Location.
	rec.answer("GET", pathProfileImage, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://cdn.example.com/img?auth="+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), http.StatusFound)
	})
	img, err := c.GetProfileImage(ctx, "m")
	if err != nil || strings.Contains(img.URL, key[:8]) {
		t.Errorf("Location echo: %+v %v", img, err)
	}
}

func TestOversizeBodies(t *testing.T) {
	rec := newRecorder(t)
	const limit = 1 << 10
	body := `[` + strings.Repeat(cannedModel+",", 20) + cannedModel + `]`
	rec.answer("GET", pathExport, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", "999999999")
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	})
	c := rec.client(Config{MaxResponseBytes: limit})
	_, err := c.ExportModels(context.Background())
	if !IsKind(err, KindTooLarge) || !strings.Contains(err.Error(), "larger than 1024 bytes") {
		t.Errorf("declared oversize: %v", err)
	}
	// Exactly the limit is fine; one byte more is not.
	exact := strings.Repeat(" ", limit-2) + "[]"
	rec.answer("GET", pathTags, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, exact) })
	if _, err := c.ListModelTags(context.Background()); err != nil {
		t.Errorf("body of exactly the limit: %v", err)
	}
	rec.answer("GET", pathTags, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, " "+exact)
		w.(http.Flusher).Flush() // no Content-Length: chunked
	})
	if _, err := c.ListModelTags(context.Background()); !IsKind(err, KindTooLarge) {
		t.Errorf("one byte over, chunked: %v", err)
	}
}

func TestRetriesOnlyIdempotentReads(t *testing.T) {
	rec := newRecorder(t)
	for _, p := range []string{"GET " + pathModel, "POST " + pathToggle, "DELETE " + pathDeleteAll, "GET " + pathList} {
		method, path, _ := strings.Cut(p, " ")
		rec.answer(method, path, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		})
	}
	rec.answer("GET", pathList, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"detail":"We could not find what you're looking for :/"}`, http.StatusNotFound)
	})
	c := rec.client(Config{MaxTries: 4})
	ctx := context.Background()
	count := func(f func() error) int {
		rec.reset()
		_ = f()
		return len(rec.requests())
	}
	if n := count(func() error { _, err := c.GetModel(ctx, "m"); return err }); n != 4 {
		t.Errorf("GET 503 tried %d times, want 4", n)
	}
	if n := count(func() error { _, err := c.ToggleModel(ctx, "m"); return err }); n != 1 {
		t.Errorf("POST 503 tried %d times, want 1", n)
	}
	if n := count(func() error { return c.DeleteAllModels(ctx) }); n != 1 {
		t.Errorf("DELETE 503 tried %d times, want 1", n)
	}
	if n := count(func() error { _, err := c.ListModels(ctx, ListParams{}); return err }); n != 1 {
		t.Errorf("GET 404 tried %d times, want 1", n)
	}
	// A cancelled context stops the retry loop during the backoff.
	slow := rec.client(Config{Backoff: time.Hour})
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := slow.GetModel(cctx, "m")
	if !IsKind(err, KindTimeout) || time.Since(start) > 5*time.Second {
		t.Errorf("backoff ignores the context: %v after %v", err, time.Since(start))
	}
}

// SetModelAccess sends exactly what UpdateModelAccess sends and returns the
// grants of the answer reduced to form grants.
func TestSetModelAccess(t *testing.T) {
	rec := newRecorder(t)
	rec.answer("POST", "/api/v1/models/model/access/update", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"team/bot:v2","meta":{"profile_image_url":"data:image/png;base64,AAAA"},"params":{"system":"x"},`+
			`"access_grants":[{"id":"ag1","resource_type":"model","resource_id":"team/bot:v2","principal_type":"group","principal_id":"g1","permission":"read","created_at":5}]}`)
	})
	c := rec.client(Config{})
	for _, grants := range [][]Grant{nil, {{PrincipalType: "group", PrincipalID: "g1", Permission: "read"}}} {
		rec.reset()
		kept, err := c.SetModelAccess(context.Background(), AccessForm{ID: "team/bot:v2", AccessGrants: grants})
		if err != nil {
			t.Fatal(err)
		}
		if want := []Grant{{PrincipalType: "group", PrincipalID: "g1", Permission: "read"}}; !reflect.DeepEqual(kept, want) {
			t.Fatalf("kept %+v, want %+v", kept, want)
		}
		reqs := rec.requests()
		wantBody := `{"id":"team/bot:v2","access_grants":[]}`
		if grants != nil {
			wantBody = `{"id":"team/bot:v2","access_grants":[{"principal_type":"group","principal_id":"g1","permission":"read"}]}`
		}
		if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Path != "/api/v1/models/model/access/update" || reqs[0].RawQuery != "" || string(reqs[0].Body) != wantBody {
			t.Fatalf("requests %+v, want one POST with %s", reqs, wantBody)
		}
	}
	rec.answer("POST", "/api/v1/models/model/access/update", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"detail":"You do not have permission to share with the requested audience"}`)
	})
	if _, err := c.SetModelAccess(context.Background(), AccessForm{ID: "m"}); err == nil || !strings.Contains(err.Error(), "permission to share") {
		t.Fatalf("403: %v", err)
	}
}

// isHTML gives the same answer with and without the unparsed fast path for
// Open WebUI's own Content-Type.
func TestIsHTMLContentTypes(t *testing.T) {
	for _, tc := range []struct {
		ctype, body string
		want        bool
	}{
		{"application/json", `{"id":"m"}`, false},
		{"application/json", ` <!DOCTYPE html><html></html>`, true},
		{"application/json", `<html>`, true},
		{"application/json; charset=utf-8", `[]`, false},
		{"text/html; charset=utf-8", `{}`, true},
		{"Text/HTML", `{}`, true},
		{"", `<!doctype HTML>`, true},
		{"", `null`, false},
	} {
		if got := isHTML(tc.ctype, []byte(tc.body)); got != tc.want {
			t.Errorf("isHTML(%q, %q) = %v, want %v", tc.ctype, tc.body, got, tc.want)
		}
	}
}

// Every request carries exactly these headers (as the server receives
// them: Go's transport adds Accept-Encoding and Content-Length), one value
// each.
func TestRequestHeadersExactly(t *testing.T) {
	rec := newRecorder(t)
	callerCtx := caller.With(context.Background(), caller.Identity{ID: "u", UpstreamToken: "eyJcaller.token"})
	for _, tc := range []struct {
		name string
		key  string
		ctx  context.Context
		post bool
		want http.Header
	}{
		{"GET", "sk-unit0000", context.Background(), false, http.Header{"Accept": {"application/json"}, "Accept-Encoding": {"gzip"},
			"Authorization": {"Bearer sk-unit0000"}, "User-Agent": {"owui-mcp/test"}}},
		{"POST", "sk-unit0000", context.Background(), true, http.Header{"Accept": {"application/json"}, "Accept-Encoding": {"gzip"},
			"Authorization": {"Bearer sk-unit0000"}, "Content-Length": {"29"}, "Content-Type": {"application/json"}, "User-Agent": {"owui-mcp/test"}}},
		{"POST, caller token", "sk-unit0000", callerCtx, true, http.Header{"Accept": {"application/json"}, "Accept-Encoding": {"gzip"},
			"Authorization": {"Bearer eyJcaller.token"}, "Content-Length": {"29"}, "Content-Type": {"application/json"}, "User-Agent": {"owui-mcp/test"}}},
		{"POST, no key", "", context.Background(), true, http.Header{"Accept": {"application/json"}, "Accept-Encoding": {"gzip"},
			"Content-Length": {"29"}, "Content-Type": {"application/json"}, "User-Agent": {"owui-mcp/test"}}},
	} {
		rec.reset()
		c := rec.client(Config{APIKey: tc.key, UserAgent: "owui-mcp/test"})
		var err error
		if tc.post {
			_, err = c.SetModelAccess(tc.ctx, AccessForm{ID: "m"})
		} else {
			_, err = c.GetModel(tc.ctx, "m")
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := rec.requests()[0].Header; !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: headers\n got %v\nwant %v", tc.name, got, tc.want)
		}
	}
}

// Config.Timeout bounds each attempt as a whole, waiting for the answer's
// headers and reading its body alike; a timed-out GET is not tried again.
// The texts are net/http's for http.Client.Timeout.
func TestTimeoutBoundsEachAttempt(t *testing.T) {
	rec := newRecorder(t)
	stall := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
	midBody := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"m",`)
		w.(http.Flusher).Flush()
		stall(w, r)
	}
	c := rec.client(Config{Timeout: 150 * time.Millisecond, MaxTries: 2})
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		method   string
		handler  func(http.ResponseWriter, *http.Request)
		call     func() error
		attempts int
	}{
		{"POST, no headers", "POST", stall, func() error { _, err := c.SetModelAccess(ctx, AccessForm{ID: "m"}); return err }, 1},
		{"POST, half a body", "POST", midBody, func() error { _, err := c.SetModelAccess(ctx, AccessForm{ID: "m"}); return err }, 1},
		{"GET, no headers", "GET", stall, func() error { _, err := c.GetModel(ctx, "m"); return err }, 1},
	} {
		path := pathAccessUpdate
		if tc.method == "GET" {
			path = pathModel
		}
		rec.answer(tc.method, path, tc.handler)
		rec.reset()
		start := time.Now()
		err := tc.call()
		took := time.Since(start)
		t.Logf("%s: %v after %v", tc.name, err, took)
		if !IsKind(err, KindTimeout) || !strings.Contains(err.Error(), "(Client.Timeout ") {
			t.Errorf("%s: %v, want http.Client's timeout", tc.name, err)
		}
		if n := len(rec.requests()); n != tc.attempts {
			t.Errorf("%s: %d attempts, want %d", tc.name, n, tc.attempts)
		}
		if min := time.Duration(tc.attempts) * 150 * time.Millisecond; took < min || took > 5*time.Second {
			t.Errorf("%s: took %v, want about %v", tc.name, took, min)
		}
	}
}

// FuzzIsHTMLDoctype: the doctype test without bytes.ToLower agrees with the
// one it replaced on every body.
func FuzzIsHTMLDoctype(f *testing.F) {
	for _, s := range []string{"<!DOCTYPE html>", " <!doctype HTML", "<!doctype htm", "<!doctype html", "\u0130<!doctype html", "<!doctype \u212Atml", "<html>", "{}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tr := bytes.TrimSpace(body)
		old := bytes.HasPrefix(bytes.ToLower(tr[:min(len(tr), 15)]), []byte("<!doctype html")) || bytes.HasPrefix(tr, []byte("<html"))
		if got := isHTML("application/json", body); got != old {
			t.Fatalf("isHTML(%q) = %v, the ToLower test gave %v", body, got, old)
		}
	})
}

// target's shortcut for plain query-less paths gives the URL that building
// it as a url.URL gives, whatever the base (a sub-path, one that needs
// escaping), and paths that need escaping or carry a query take the long way.
func TestTargetMatchesURLBuild(t *testing.T) {
	paths := []string{pathList, pathModel, pathProfileImage, pathTags, pathBase, pathBaseDirect, pathRuntime,
		pathBaseTags, pathExport, pathCreate, pathUpdate, pathToggle, pathDelete, pathAccessUpdate, pathDeleteAll,
		pathImport, pathSync, pathUnload, pathCurrentUser, pathUserStatus, pathHistory, pathUpdateVersion,
		historyEntryPath("0f8e2a1c-1d2b-4c3d-9e8f-0a1b2c3d4e5f"), "/api/v1/odd path/ü", "/api/v1/a%2Fb"}
	for _, base := range []string{"http://localhost:8080", "https://owui.example.com/sub/dir/", "http://h/my owui/api/v1"} {
		c, err := New(Config{BaseURL: base})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			for _, q := range []url.Values{nil, {"id": {"a b/c:d"}}} {
				u := *c.base
				u.Path = c.base.Path + p
				if len(q) > 0 {
					u.RawQuery = q.Encode()
				}
				if got, want := c.target(p, q), u.String(); got != want {
					t.Errorf("base %q path %q query %v: target %q, want %q", base, p, q, got, want)
				}
			}
		}
	}
}
