package httpserve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/caller"
)

const (
	// endpointPath is where the MCP endpoint is mounted.
	endpointPath = "/mcp"
	// sessionIdleTTL: legacy MCP sessions idle for longer are forgotten, and
	// a client using one gets 404 and must initialize again.
	sessionIdleTTL = 24 * time.Hour
)

// mcpHTTP is the /mcp handler with its state.
type mcpHTTP struct {
	opts     Options
	log      *slog.Logger
	mcp      *server.StreamableHTTPServer
	auth     authenticator
	cop      *http.CrossOriginProtection
	sessions *sessionBinder
	calls    chan struct{} // semaphore: in-flight POST calls
	streams  chan struct{} // semaphore: open GET / subscriptions/listen streams
	mux      *http.ServeMux
	handler  http.Handler // mux behind bounded

	// streamsCtx is cancelled at shutdown; it ends long-lived streams so
	// that only real calls hold the server up.
	streamsCtx  context.Context
	stopStreams context.CancelFunc
}

// Handler returns the HTTP handler of the transport: /mcp (streamable HTTP,
// sessions bound to the authenticated caller), /healthz and 404 for the rest.
// Options are validated first; zero fields get their defaults. Serve is the
// normal entry point; Handler is for embedding and tests: it has no graceful
// shutdown of its own, and mcp-go's idle-session sweeper it starts (one
// goroutine) runs until the process ends.
func Handler(s *server.MCPServer, o Options) (http.Handler, error) {
	t, err := newMCPHTTP(s, o)
	if err != nil {
		return nil, err
	}
	return t.handler, nil
}

func newMCPHTTP(s *server.MCPServer, o Options) (*mcpHTTP, error) {
	if s == nil {
		return nil, errors.New("httpserve: nil MCP server")
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()

	t := &mcpHTTP{
		opts:    o,
		log:     o.Logger,
		cop:     http.NewCrossOriginProtection(),
		calls:   make(chan struct{}, o.MaxConcurrent),
		streams: make(chan struct{}, o.MaxConcurrent),
	}
	t.streamsCtx, t.stopStreams = context.WithCancel(context.Background())
	for _, origin := range o.AllowedOrigins {
		if err := t.cop.AddTrustedOrigin(origin); err != nil { // already checked by Validate
			return nil, err
		}
	}
	switch {
	case o.Auth == AuthOpenWebUI:
		t.auth = &openWebUIAuth{validate: o.ValidateToken, cache: newTokenCache(validateCacheMax),
			shared: o.SharedAuth, ttl: o.AuthCacheTTL, log: o.Logger}
	case o.Token != "":
		t.auth = newTokenAuth(o.Token)
	default:
		t.auth = noAuth{}
	}
	sessions := server.WithStateLess(true)
	if !o.Stateless {
		t.sessions = newSessionBinder(o.Logger)
		sessions = server.WithSessionIdManagerResolver(t.sessions)
	}
	// mcp-go queues a subscriptions/listen acknowledgement for its
	// notification forwarder and may write the result first, and the
	// forwarder then drops it (see waitForAck); the hook holds the result
	// until the acknowledgement is on the wire.
	if h := s.GetHooks(); h != nil {
		h.AddAfterSubscriptionsListen(t.waitForAck)
	} else {
		o.Logger.Warn("the MCP server has no hooks (server.WithHooks), so subscriptions/listen acknowledgements may be lost")
	}
	t.mcp = server.NewStreamableHTTPServer(s,
		server.WithEndpointPath(endpointPath),
		sessions,
		server.WithSessionIdleTTL(sessionIdleTTL),
		server.WithStreamableHTTPLogger(o.Logger),
	)

	mux := http.NewServeMux()
	t.mux = mux
	mux.HandleFunc(endpointPath, t.serveMCP)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.log.Debug("http request rejected", "status", http.StatusNotFound, "reason", "unknown path",
			"remote", r.RemoteAddr, "method", r.Method, "path", r.URL.Path)
		dropBody(w, r)
		writeError(w, http.StatusNotFound, "not_found", "not found; the MCP endpoint is "+endpointPath)
	})
	t.handler = t.bounded(mux)
	return t, nil
}

// bounded puts a deadline on reading the body of every request that has
// one, before any handler runs: the http.Server has no ReadTimeout (streams
// are long-lived), so without it a caller that declares a body and never
// sends it would hold its connection, and a goroutine, forever. serveMCP
// lifts the deadline once it has read the body.
func (t *mcpHTTP) bounded(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hasBody(r) {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(t.opts.BodyReadTimeout))
		}
		h.ServeHTTP(w, r)
	})
}

// readBody marks a request body this package has already read in full.
type readBody struct{ *bytes.Reader }

func (readBody) Close() error { return nil }

// hasBody reports whether r may still have body bytes on the wire.
func hasBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return false
	}
	_, read := r.Body.(readBody)
	return !read
}

// dropBody is called before refusing a request whose body was not read: the
// connection is closed after the answer instead of being kept for another
// request, and the read deadline is moved to now. Without it net/http would
// first try to read (and discard) the rest of the body before sending the
// answer, and again after it, to reuse the connection: a caller that
// declares a body and sends nothing would get no answer until the body
// deadline.
func dropBody(w http.ResponseWriter, r *http.Request) {
	if !hasBody(r) {
		return
	}
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
}

func (t *mcpHTTP) serveMCP(w http.ResponseWriter, r *http.Request) {
	// 1. DNS rebinding (Host), before anything else.
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && la != nil &&
		isLoopbackHostPort(la.String()) && !isLoopbackHostPort(r.Host) {
		t.reject(w, r, http.StatusForbidden, "forbidden", "non-loopback Host header on a loopback connection (DNS rebinding protection)")
		return
	}

	// 2. Origin, for every method (CrossOriginProtection itself lets safe
	// methods through, so ask it about those as if they were a POST; the
	// others, POST above all, are checked as they are, without a copy).
	probe := r
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		probe = &http.Request{Method: http.MethodPost, Header: r.Header, Host: r.Host, URL: r.URL}
	}
	if err := t.cop.Check(probe); err != nil {
		t.reject(w, r, http.StatusForbidden, "forbidden", "cross-origin request rejected",
			"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
		return
	}

	// 3. Authentication.
	id, fail := t.auth.authenticate(r)
	if fail != nil {
		switch fail.status {
		case http.StatusUnauthorized:
			challenge := `Bearer realm="owui-mcp"`
			if fail.code == "invalid_token" {
				challenge += `, error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
		case http.StatusServiceUnavailable:
			w.Header().Set("Retry-After", "5")
		}
		t.reject(w, r, fail.status, fail.code, fail.reason)
		return
	}
	// The per-connection answer profile (?profile=chat on the registered URL).
	var profile string
	if r.URL.RawQuery != "" { // most requests have none: no map to build
		profile = r.URL.Query().Get("profile")
	}
	prof, err := caller.ParseProfile(profile)
	if err != nil {
		t.reject(w, r, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	r = r.WithContext(caller.WithProfile(caller.With(r.Context(), id), prof))
	// From here on the token lives only in id.UpstreamToken (openwebui mode).
	// Deleted in place, not from a clone (one map copy per request): the
	// header map belongs to this request alone, and nothing after
	// authentication reads Authorization.
	r.Header.Del("Authorization")

	switch r.Method {
	case http.MethodGet:
		if t.sessions == nil {
			// Stateless: a standalone stream would belong to no session
			// (mcp-go would share one among all callers), and the next
			// request may reach another replica anyway.
			w.Header().Set("Allow", "POST")
			t.reject(w, r, http.StatusMethodNotAllowed, "method_not_allowed",
				"this server is stateless (several replicas): there is no standalone GET stream; use POST")
			return
		}
		// 4. A GET stream may only join a session its caller owns (mcp-go
		// does not validate session IDs on GET).
		if sid := r.Header.Get(server.HeaderKeySessionID); sid != "" && !t.sessions.owns(sid, id.ID) {
			t.reject(w, r, http.StatusNotFound, "session_not_found", "unknown session or session of another caller", "caller", id.ID)
			return
		}
		t.serveStream(w, r)
		return
	case http.MethodPost:
	default:
		t.mcp.ServeHTTP(w, r) // DELETE (ownership checked by the session manager), HEAD, 404 for the rest
		return
	}

	// 5. Body size.
	if r.ContentLength > t.opts.MaxBodyBytes {
		w.Header().Set("Connection", "close")
		t.reject(w, r, http.StatusRequestEntityTooLarge, "request_too_large", tooLarge(t.opts.MaxBodyBytes))
		return
	}
	rc := http.NewResponseController(w)
	body, err := readAtMost(r.Body, t.opts.MaxBodyBytes, r.ContentLength)
	if err != nil {
		t.reject(w, r, http.StatusBadRequest, "invalid_request", "could not read the request body within "+t.opts.BodyReadTimeout.String())
		return
	}
	if int64(len(body)) > t.opts.MaxBodyBytes {
		w.Header().Set("Connection", "close")
		t.reject(w, r, http.StatusRequestEntityTooLarge, "request_too_large", tooLarge(t.opts.MaxBodyBytes))
		return
	}
	// Read in full: lift the deadline (an expired one would end the call:
	// net/http watches the idle connection for a client going away).
	_ = rc.SetReadDeadline(time.Time{})
	r.Body = readBody{bytes.NewReader(body)}
	r.ContentLength = int64(len(body))

	// 6. Concurrency.
	switch classify(body) {
	case kindResponse, kindNotification:
		t.mcp.ServeHTTP(w, r)
	case kindStream:
		aw := &ackWriter{ResponseWriter: w, acked: make(chan struct{})}
		t.serveStream(aw, r.WithContext(context.WithValue(r.Context(), listenAckKey{}, aw.acked)))
	default:
		select {
		case t.calls <- struct{}{}:
			defer func() { <-t.calls }()
		default:
			w.Header().Set("Retry-After", "1")
			t.reject(w, r, http.StatusServiceUnavailable, "server_busy",
				"too many concurrent requests (limit "+strconv.Itoa(cap(t.calls))+"); retry shortly")
			return
		}
		t.mcp.ServeHTTP(w, r)
	}
}

// readPrealloc caps the buffer readAtMost sizes from Content-Length.
const readPrealloc = 64 << 10

// readAtMost reads body to its end, but no more than limit+1 bytes (one
// more than allowed tells "too large"). declared is the Content-Length (-1
// when unknown): a body of up to 64 KiB that declares its size is read into
// one buffer of the right size, where io.ReadAll would start at 512 bytes
// and grow, copying, for every larger body. Larger buffers grow as the
// bytes arrive: a caller that declares 16 MiB and sends nothing must not
// make the server hold 16 MiB.
func readAtMost(body io.Reader, limit, declared int64) ([]byte, error) {
	size := int64(512)
	if declared >= 0 {
		size = min(declared, limit, readPrealloc) + 1 // +1: room to see the end without growing
	}
	buf := make([]byte, 0, size)
	lr := io.LimitedReader{R: body, N: limit + 1}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// serveStream serves a long-lived stream (GET SSE or subscriptions/listen):
// counted against the stream cap and ended when the server shuts down.
func (t *mcpHTTP) serveStream(w http.ResponseWriter, r *http.Request) {
	select {
	case t.streams <- struct{}{}:
		defer func() { <-t.streams }()
	default:
		w.Header().Set("Retry-After", "1")
		t.reject(w, r, http.StatusServiceUnavailable, "server_busy",
			"too many open streams (limit "+strconv.Itoa(cap(t.streams))+"); retry shortly")
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(t.streamsCtx, cancel)
	defer stop()
	t.mcp.ServeHTTP(w, r.WithContext(ctx))
}

// ackWait bounds how long a subscriptions/listen result waits for its
// acknowledgement to be written.
const ackWait = 2 * time.Second

type listenAckKey struct{}

// ackWriter is the response writer of a subscriptions/listen stream; it
// notes when the acknowledgement has been written.
type ackWriter struct {
	http.ResponseWriter
	acked chan struct{}
	once  sync.Once
}

func (a *ackWriter) Write(p []byte) (int, error) {
	n, err := a.ResponseWriter.Write(p)
	if bytes.Contains(p, []byte(mcp.MethodNotificationSubscriptionsAcknowledged)) {
		a.once.Do(func() { close(a.acked) })
	}
	return n, err
}

// Flush keeps the stream a stream (mcp-go streams only through an http.Flusher).
func (a *ackWriter) Flush() {
	if f, ok := a.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (a *ackWriter) Unwrap() http.ResponseWriter { return a.ResponseWriter }

// waitForAck runs (as an mcp-go hook) after subscriptions/listen succeeded
// and before its result is written. mcp-go v1.2.1 sends the
// acknowledgement through the session's notification channel; when nothing
// was subscribed (this server offers no list-changed notifications) the
// handler returns at once, and if the response path takes the stream's lock
// before the forwarder goroutine that already took the acknowledgement off
// the channel, the forwarder drops it: the client gets a result and no
// acknowledgement, which must come first (SEP-2575). Waiting here, before
// the response path locks anything, lets the forwarder write it.
func (t *mcpHTTP) waitForAck(ctx context.Context, _ any, _ *mcp.SubscriptionsListenRequest, _ *mcp.SubscriptionsListenResult) {
	acked, _ := ctx.Value(listenAckKey{}).(chan struct{})
	if acked == nil {
		return
	}
	timer := time.NewTimer(ackWait)
	defer timer.Stop()
	select {
	case <-acked:
	case <-ctx.Done():
	case <-timer.C:
		t.log.Warn("subscriptions/listen: the acknowledgement was not written in time; the result goes out without it", "wait", ackWait)
	}
}

// reject logs one line for a refused request and writes a JSON error body.
// Nothing here may contain a token.
func (t *mcpHTTP) reject(w http.ResponseWriter, r *http.Request, status int, code, reason string, attrs ...any) {
	args := append([]any{"status", status, "reason", reason, "remote", r.RemoteAddr,
		"method", r.Method, "path", r.URL.Path}, attrs...)
	t.log.Info("http request rejected", args...)
	dropBody(w, r)
	writeError(w, status, code, reason)
}

// writeError writes {"error": code, "error_description": description}.
func writeError(w http.ResponseWriter, status int, code, description string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

func tooLarge(limit int64) string {
	return "request body larger than " + strconv.FormatInt(limit, 10) + " bytes"
}
