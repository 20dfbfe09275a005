// Package owui is the one HTTP client of Open WebUI's models API: one method
// per operation, typed requests and responses, and all the transport policy
// (auth, URL building, timeouts, retries, size caps, error decoding, version
// detection) in one place.
package owui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/caller"
	"github.com/owui-mcp/owui-mcp/internal/redact"
)

// Config configures a Client.
type Config struct {
	// BaseURL is Open WebUI's root, e.g. http://localhost:8080. A trailing
	// "/", "/api" or "/api/v1" is tolerated and removed.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer" unless the request's caller
	// carries its own upstream token (HTTP --auth=openwebui).
	APIKey string
	// Timeout bounds each request attempt. Default 30s.
	Timeout time.Duration
	// MaxTries bounds attempts for idempotent GETs. Default 3. POST and
	// DELETE are tried once.
	MaxTries int
	// MaxResponseBytes caps a response body. Default 32 MiB.
	MaxResponseBytes int64
	// Transport replaces the HTTP transport (tests, --demo's in-process
	// stand-in). Default: a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// UserAgent is sent on every request.
	UserAgent string
	// Backoff is the first retry delay, doubled each retry. Default 200ms.
	Backoff time.Duration
	// Secrets are further secrets (besides APIKey and a caller's token) cut
	// out of every answer, e.g. the HTTP bearer token.
	Secrets []string
}

// Client talks to one Open WebUI. It is safe for concurrent use; make one
// per process.
type Client struct {
	base *url.URL
	key  string
	// hdr is the Authorization ("Bearer " + key, or none), Accept,
	// User-Agent and Content-Type values of a request with the server key.
	hdr     [4]string
	secrets *redact.Set // APIKey and Config.Secrets
	// root is base as a string, built once: a request without a query
	// on a plain path is root + path (see target).
	root string
	// keptBodies recycles the 2xx bodies of requests with keeps set
	// (hundreds of access updates in a row): their decode targets copy
	// every string they keep, and a decoding error quotes copies, so once
	// call has decoded such a body nothing refers to it.
	keptBodies sync.Pool
	http       *http.Client
	tries      int
	maxBody    int64
	ua         string
	backoff    time.Duration

	verMu   sync.Mutex
	version string
}

// New validates cfg and returns a client. It does not contact the server.
func New(cfg Config) (*Client, error) {
	base, err := NormalizeBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:    base,
		key:     cfg.APIKey,
		secrets: redact.New(append([]string{cfg.APIKey}, cfg.Secrets...)...),
		tries:   cfg.MaxTries,
		maxBody: cfg.MaxResponseBytes,
		ua:      cfg.UserAgent,
		backoff: cfg.Backoff,
	}
	if c.tries <= 0 {
		c.tries = 3
	}
	if c.maxBody <= 0 {
		c.maxBody = 32 << 20
	}
	if c.ua == "" {
		c.ua = "owui-mcp"
	}
	c.root = base.String()
	c.hdr = [...]string{"", "application/json", c.ua, "application/json"}
	if c.key != "" {
		c.hdr[0] = "Bearer " + c.key
	}
	if c.backoff <= 0 {
		c.backoff = 200 * time.Millisecond
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	tr := cfg.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		tr = t
	}
	c.http = &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// Redirects are never followed: the profile image's redirect target
		// is reported, not fetched, and the key must never go to another host.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// NormalizeBaseURL parses an Open WebUI root URL and strips a trailing "/",
// "/api" or "/api/v1".
func NormalizeBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("the Open WebUI URL is empty: set OPENWEBUI_URL (e.g. http://localhost:8080)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// The text is not echoed: it may hold a password or a key.
		return nil, errors.New("the Open WebUI URL is not a valid URL (e.g. http://localhost:8080)")
	}
	if u.User != nil {
		return nil, errors.New("the Open WebUI URL must not carry credentials: use OPENWEBUI_API_KEY")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := *u
		shown.RawQuery, shown.ForceQuery, shown.Fragment, shown.RawFragment = "", false, "", ""
		return nil, fmt.Errorf("the Open WebUI URL %q is not an http(s) URL with a host (e.g. http://localhost:8080)", shown.String())
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/api/v1")
	p = strings.TrimSuffix(p, "/api")
	u.Path = strings.TrimRight(p, "/")
	u.RawPath = ""
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// BaseURL returns the normalized server root.
func (c *Client) BaseURL() string { return c.base.String() }

// request describes one call.
type request struct {
	op      string
	method  string
	path    string
	query   url.Values
	body    any    // marshalled as JSON when non-nil
	payload []byte // a body encoded already (instead of body)
	once    bool   // a GET that is not retried
	// keeps says the answer's decode target keeps only a few strings of a
	// 2xx body (SetModelAccess: three per grant of a whole record): the
	// body is not redacted as a whole, call redacts what the target kept
	// (answerKeeper) and any decoding error instead.
	keeps bool
}

// answerKeeper is a decode target of a request with keeps set: redactKept
// cuts the secrets out of every string it keeps of the answer.
type answerKeeper interface {
	redactKept(sec *redact.Set)
}

// response is a successful (2xx or 3xx) answer.
type response struct {
	status int
	header http.Header
	body   []byte
	sec    *redact.Set // what the answer was (or, with request.keeps, is to be) redacted of
	pooled *[]byte     // body's buffer, from Client.keptBodies
}

// keptBodyMax bounds the buffers kept in Client.keptBodies: a rare huge
// answer's buffer is left to the GC rather than held for the next small one.
const keptBodyMax = 64 << 10

// release hands the body's buffer back to keptBodies; resp.body must not
// be used after it.
func (c *Client) release(resp *response) {
	if p := resp.pooled; p != nil && cap(resp.body) <= keptBodyMax {
		*p = resp.body[:0]
		resp.body, resp.pooled = nil, nil
		c.keptBodies.Put(p)
	}
}

// do sends r and returns a 2xx/3xx response, or an *Error.
func (c *Client) do(ctx context.Context, r request) (response, error) {
	payload := r.payload
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return response{}, &Error{Op: r.op, Method: r.method, Path: r.path, Kind: KindInvalid, Err: fmt.Errorf("encoding the request: %w", err)}
		}
		payload = b
	}
	target := c.target(r.path, r.query)
	tries := 1
	if r.method == http.MethodGet && !r.once {
		tries = c.tries
	}
	var lastErr error
	for attempt := 1; attempt <= tries; attempt++ {
		if attempt > 1 {
			delay := c.backoff << (attempt - 2)
			delay += time.Duration(rand.Int64N(int64(delay)/2 + 1))
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return response{}, &Error{Op: r.op, Method: r.method, Path: r.path, Kind: transportKind(ctx, ctx.Err()), Err: ctx.Err()}
			case <-t.C:
			}
		}
		resp, err, retry := c.attempt(ctx, r, target, payload)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if !retry {
			break
		}
	}
	return response{}, lastErr
}

// target is the URL of path with query. A path of plain bytes without a
// query (most requests; update_models sends hundreds) needs no escaping,
// so it is appended to root rather than built and encoded as a url.URL.
func (c *Client) target(path string, query url.Values) string {
	if len(query) == 0 && plainPath(path) {
		return c.root + path
	}
	u := *c.base
	u.Path = c.base.Path + path
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return u.String()
}

// plainPath says whether every byte of path is one a URL path keeps as it is.
func plainPath(path string) bool {
	for i := 0; i < len(path); i++ {
		c := path[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// attempt sends one try. retry says whether a GET may be tried again.
func (c *Client) attempt(ctx context.Context, r request, target string, payload []byte) (response, error, bool) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return response{}, &Error{Op: r.op, Method: r.method, Path: r.path, Kind: KindInvalid, Err: err}, false
	}
	// The keys are canonical already and the values share one array (not
	// an allocation per Header.Set): the client's own for the server key,
	// one per request for a caller's token. Each value slice is capped so
	// an append to one cannot write into the next, and nothing writes into
	// a request's header values (RoundTripper's contract), so requests can
	// share them.
	token, vals := c.key, c.hdr[:]
	if t := caller.From(ctx).UpstreamToken; t != "" {
		own := c.hdr
		token, own[0] = t, "Bearer "+t
		vals = own[:]
	}
	if vals[0] != "" {
		req.Header["Authorization"] = vals[0:1:1]
	}
	req.Header["Accept"] = vals[1:2:2]
	req.Header["User-Agent"] = vals[2:3:3]
	if payload != nil {
		req.Header["Content-Type"] = vals[3:4:4]
	}
	// Every answer is redacted here, at the one entrance of upstream data:
	// a server or proxy that echoes the credential (in an error page or in
	// a successful record) cannot get it into results, previews, backups,
	// audit lines or logs, nor have it written back upstream by an update.
	// (A request with keeps set leaves a 2xx body to call, which redacts
	// the few strings kept of it: see request.keeps.)
	sec := c.secrets.With(token)
	resp, err := c.http.Do(req)
	if err != nil {
		kind := transportKind(ctx, err)
		return response{}, &Error{Op: r.op, Method: r.method, Path: r.path, Kind: kind, Err: sec.Error(scrubURLError(err))}, kind == KindUnavailable
	}
	defer resp.Body.Close()
	tooLarge := func() *Error {
		return &Error{Op: r.op, Method: r.method, Path: r.path, Status: resp.StatusCode, Kind: KindTooLarge,
			Detail: fmt.Sprintf("response body larger than %d bytes (%d MiB); refused", c.maxBody, c.maxBody>>20)}
	}
	// A declared length over the cap is refused before reading a byte.
	if resp.ContentLength > c.maxBody {
		return response{}, tooLarge(), false
	}
	var pooled *[]byte
	var buf []byte
	if r.keeps {
		if pooled, _ = c.keptBodies.Get().(*[]byte); pooled == nil {
			pooled = new([]byte)
		}
		buf = *pooled
	}
	data, over, err := readBody(resp.Body, resp.ContentLength, c.maxBody, buf)
	if err != nil {
		kind := transportKind(ctx, err)
		return response{}, &Error{Op: r.op, Method: r.method, Path: r.path, Status: resp.StatusCode, Kind: kind, Err: fmt.Errorf("reading the response: %w", scrubURLError(err))}, false
	}
	if over {
		return response{}, tooLarge(), false
	}
	if resp.StatusCode >= 400 {
		// An error body may echo the request's headers (proxies, debug
		// pages): the credential is cut out before anything is excerpted,
		// so no part of it survives into the error.
		data = sec.Bytes(data)
		detail := sec.String(decodeDetail(resp.Header.Get("Content-Type"), data))
		e := &Error{Op: r.op, Method: r.method, Path: r.path, Status: resp.StatusCode, Detail: detail, Kind: classify(resp.StatusCode, detail)}
		retry := resp.StatusCode == 502 || resp.StatusCode == 503 || resp.StatusCode == 504
		return response{}, e, retry
	}
	if resp.StatusCode >= 300 {
		if loc := resp.Header.Get("Location"); loc != "" {
			resp.Header.Set("Location", sec.String(loc))
		}
	}
	if !r.keeps {
		data = sec.Body(resp.Header.Get("Content-Type"), data)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data, sec: sec, pooled: pooled}, nil, false
}

// readBody reads a body of at most max bytes; over reports a longer one,
// which is not kept. A declared length is read in one allocation (none
// when buf, which is then overwritten, has room for it); an undeclared one
// into chunks joined once at the end, so an oversize body costs about max
// bytes (io.ReadAll's growth would cost over twice that).
func readBody(body io.Reader, declared, max int64, buf []byte) (data []byte, over bool, err error) {
	if declared >= 0 && declared <= max {
		// Room for the declared length and the read that meets EOF.
		if int64(cap(buf)) < declared+bytes.MinRead {
			buf = make([]byte, 0, declared+bytes.MinRead)
		}
		return readAll(body, buf[:0], max)
	}
	r := io.LimitReader(body, max+1)
	var chunks [][]byte
	var total int64
	size := 4 << 10
	for {
		chunk := make([]byte, size)
		n, err := io.ReadFull(r, chunk)
		if n > 0 {
			chunks = append(chunks, chunk[:n])
			total += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
		size = min(2*size, 1<<20)
	}
	switch {
	case total > max:
		return nil, true, nil
	case len(chunks) == 0:
		return []byte{}, false, nil
	case len(chunks) == 1:
		return chunks[0], false, nil
	}
	data = make([]byte, 0, total)
	for _, c := range chunks {
		data = append(data, c...)
	}
	return data, false, nil
}

// readAll appends body to buf up to EOF or max+1 bytes (then over), as
// bytes.Buffer.ReadFrom of an io.LimitReader would, without allocating
// either of them.
func readAll(body io.Reader, buf []byte, max int64) (data []byte, over bool, err error) {
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, bytes.MinRead)
		}
		room := buf[len(buf):cap(buf)]
		if left := max + 1 - int64(len(buf)); int64(len(room)) > left {
			room = room[:left]
		}
		n, err := body.Read(room)
		buf = buf[:len(buf)+n]
		over = int64(len(buf)) > max
		if err == io.EOF {
			return buf, over, nil
		}
		if err != nil || over {
			return buf, over, err
		}
	}
}

// scrubURLError drops the URL from a *url.Error: the URL holds no secret,
// but the message reads better without the repeated method and address.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// maxDetail bounds, in runes, a detail text kept in an error: Open WebUI's
// own texts (pydantic reports included) fit; a runaway body does not.
const maxDetail = 2000

// decodeDetail extracts Open WebUI's `detail` (a string, or the 422 list of
// {loc,msg}), or a short excerpt of a non-JSON body.
func decodeDetail(contentType string, body []byte) string {
	var env struct {
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &env) == nil && len(env.Detail) > 0 && string(env.Detail) != "null" {
		var s string
		if json.Unmarshal(env.Detail, &s) == nil {
			return clip(s, maxDetail)
		}
		var list []struct {
			Loc []any  `json:"loc"`
			Msg string `json:"msg"`
		}
		if json.Unmarshal(env.Detail, &list) == nil && len(list) > 0 {
			parts := make([]string, 0, len(list))
			for _, it := range list {
				loc := make([]string, 0, len(it.Loc))
				for _, l := range it.Loc {
					loc = append(loc, fmt.Sprint(l))
				}
				parts = append(parts, strings.Join(loc, ".")+": "+it.Msg)
			}
			return clip(strings.Join(parts, "; "), maxDetail)
		}
		return excerpt(env.Detail)
	}
	if isHTML(contentType, body) {
		return "an HTML page instead of JSON"
	}
	return excerpt(body)
}

// excerpt is a short, single-line, valid UTF-8 rendering of a body.
func excerpt(b []byte) string {
	return clip(strings.Join(strings.Fields(string(b)), " "), 200)
}

// clip makes s valid UTF-8 and cuts it to at most n runes.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos] + "…"
		}
		i++
	}
	return s
}

func isHTML(contentType string, body []byte) bool {
	// Open WebUI's own Content-Type needs no parsing (ParseMediaType
	// allocates a parameter map per call, twice per answer).
	if contentType != "application/json" {
		if mt, _, _ := mime.ParseMediaType(contentType); mt == "text/html" {
			return true
		}
	}
	// EqualFold, not ToLower (an allocation per answer): no non-ASCII
	// character folds to a byte of "<!doctype html", so both agree.
	t := bytes.TrimSpace(body)
	const doctype = "<!doctype html"
	return len(t) >= len(doctype) && bytes.EqualFold(t[:len(doctype)], []byte(doctype)) || bytes.HasPrefix(t, []byte("<html"))
}

// decodeJSON decodes a 2xx body into out. It refuses HTML (Open WebUI's SPA
// answers unknown GETs with 200 text/html: the endpoint is missing on this
// version), JSON null, and bodies that do not fit out.
func (c *Client) decodeJSON(r request, resp *response, out any) error {
	if isHTML(resp.header.Get("Content-Type"), resp.body) {
		return &Error{Op: r.op, Method: r.method, Path: r.path, Status: resp.status, Kind: KindRouteMissing,
			Detail: "Open WebUI answered with its web page instead of JSON: this version lacks the endpoint" + c.versionSuffix()}
	}
	t := bytes.TrimSpace(resp.body)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return &Error{Op: r.op, Method: r.method, Path: r.path, Status: resp.status, Kind: KindBadResponse,
			Detail: "Open WebUI answered null where a result was expected (the operation failed upstream)"}
	}
	if f, ok := out.(fastDecoder); ok && f.decodeFast(t) {
		return nil
	}
	if ms, ok := out.(*[]Model); ok && decodeModelsFast(t, ms) {
		return nil // export, base models, sync: lists of whole records
	}
	if err := json.Unmarshal(t, out); err != nil {
		return &Error{Op: r.op, Method: r.method, Path: r.path, Status: resp.status, Kind: KindBadResponse,
			Detail: "the response is not the expected JSON", Err: err}
	}
	return nil
}

func (c *Client) versionSuffix() string {
	c.verMu.Lock()
	defer c.verMu.Unlock()
	if c.version == "" {
		return ""
	}
	return " (Open WebUI " + c.version + ")"
}

// call sends r and decodes the JSON answer into out.
func (c *Client) call(ctx context.Context, r request, out any) error {
	resp, err := c.answer(ctx, r)
	if err != nil {
		return err
	}
	err = c.decodeAnswer(ctx, r, &resp, out)
	c.release(&resp)
	return err
}

// answer sends r and returns its 2xx answer, undecoded.
func (c *Client) answer(ctx context.Context, r request) (response, error) {
	resp, err := c.do(ctx, r)
	if err != nil {
		return response{}, c.enrich(ctx, err)
	}
	if resp.status >= 300 {
		return response{}, &Error{Op: r.op, Method: r.method, Path: r.path, Status: resp.status, Kind: KindBadResponse,
			Detail: "unexpected redirect to " + clip(resp.header.Get("Location"), 200)}
	}
	return resp, nil
}

// decodeAnswer decodes the answer answer returned for r into out.
func (c *Client) decodeAnswer(ctx context.Context, r request, resp *response, out any) error {
	err := c.decodeJSON(r, resp, out)
	if r.keeps {
		// Before the error: a failed decode may have kept some strings.
		out.(answerKeeper).redactKept(resp.sec)
		if e := (*Error)(nil); err != nil && errors.As(err, &e) { // err != nil first: e escapes
			e.Detail, e.Err = resp.sec.String(e.Detail), resp.sec.Error(e.Err)
		}
	}
	if err != nil {
		return c.enrich(ctx, err)
	}
	return nil
}

// callOK is call for endpoints that answer a bare boolean: false is a failure.
func (c *Client) callOK(ctx context.Context, r request) error {
	var ok bool
	if err := c.call(ctx, r, &ok); err != nil {
		return err
	}
	if !ok {
		return &Error{Op: r.op, Method: r.method, Path: r.path, Status: 200, Kind: KindBadResponse,
			Detail: "Open WebUI answered false: the operation failed upstream"}
	}
	return nil
}

// enrich adds the server version to a route-missing error, fetching it
// once, and names the release needed when the path is a known late feature.
func (c *Client) enrich(ctx context.Context, err error) error {
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindRouteMissing || strings.Contains(e.Detail, " needs Open WebUI ") {
		return err
	}
	v, verr := c.Version(ctx)
	if verr != nil || v == "" {
		return err
	}
	if f, ok := featureOfPath[e.Path]; ok && Lacks(v, f) {
		e.Detail = NeedsText(f, v) + ": " + e.Detail
	} else if !strings.Contains(e.Detail, "(Open WebUI ") {
		e.Detail += " (Open WebUI " + v + ")"
	}
	return err
}

// Version returns Open WebUI's version from GET /api/version. It is fetched
// once and kept; a failure is not kept, so a server that was down at start is
// asked again on the next call.
func (c *Client) Version(ctx context.Context) (string, error) {
	return c.fetchVersion(ctx, false)
}

// fetchVersion is Version; once asks at most one time (no retries), for a probe
// that precedes a write and must not delay its failure.
func (c *Client) fetchVersion(ctx context.Context, once bool) (string, error) {
	c.verMu.Lock()
	v := c.version
	c.verMu.Unlock()
	if v != "" {
		return v, nil
	}
	var out struct {
		Version string `json:"version"`
	}
	r := request{op: "version", method: http.MethodGet, path: "/api/version", once: once}
	resp, err := c.do(ctx, r)
	if err != nil {
		return "", err
	}
	if err := c.decodeJSON(r, &resp, &out); err != nil {
		return "", err
	}
	if out.Version == "" {
		return "", &Error{Op: r.op, Method: r.method, Path: r.path, Status: resp.status, Kind: KindBadResponse, Detail: "no version in the answer"}
	}
	c.verMu.Lock()
	c.version = out.Version
	c.verMu.Unlock()
	return out.Version, nil
}
