package httpserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// maxHeaderBytes caps request headers (Open WebUI JWTs are well below it).
const maxHeaderBytes = 64 << 10

// Serve listens on o.Listen and serves s until ctx is cancelled, then shuts
// down gracefully:
//
//  1. the listener is closed at once (new connections are refused) and idle
//     keep-alive connections are closed;
//  2. long-lived streams (GET SSE, subscriptions/listen) are ended;
//  3. in-flight requests (tool calls) may finish within o.ShutdownTimeout;
//  4. MCP sessions are closed.
//
// It returns nil after a clean stop, or an error when the options are
// invalid, the address cannot be bound, serving fails, or in-flight calls had
// to be aborted at the end of ShutdownTimeout.
//
// A legacy-protocol tool call that is waiting for the client's answer to an
// elicitation when shutdown starts cannot receive it (the answer would come
// on a new request); it runs into ShutdownTimeout.
func Serve(ctx context.Context, s *server.MCPServer, o Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	o = o.withDefaults()
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.Listen, err)
	}
	return serve(ctx, s, o, ln)
}

// httpServer is the http.Server for t. There is deliberately no ReadTimeout
// or WriteTimeout: SSE streams and long tool calls outlive any fixed bound.
// Slow clients are bounded by ReadHeaderTimeout, the per-body read deadline
// (BodyReadTimeout, set by bounded) and IdleTimeout.
func (t *mcpHTTP) httpServer() *http.Server {
	return &http.Server{
		Handler:           t.handler,
		ReadHeaderTimeout: t.opts.ReadHeaderTimeout,
		IdleTimeout:       t.opts.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(t.opts.Logger.Handler(), slog.LevelWarn),
	}
}

// serve is Serve on an existing listener (which it closes).
func serve(ctx context.Context, s *server.MCPServer, o Options, ln net.Listener) error {
	t, err := newMCPHTTP(s, o)
	if err != nil {
		_ = ln.Close()
		return err
	}
	o = t.opts
	srv := t.httpServer()
	var fresh freshConns
	srv.ConnState = fresh.track

	auth := string(o.Auth)
	if o.Auth == AuthToken && o.Token == "" {
		auth = "none (loopback only)"
	}
	o.Logger.Info("serving MCP over streamable HTTP",
		"url", "http://"+ln.Addr().String()+endpointPath, "auth", auth,
		"max_body_bytes", o.MaxBodyBytes, "max_concurrent", o.MaxConcurrent)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		// Serve failed on its own (it never returns nil).
		t.stopStreams()
		_ = t.mcp.Shutdown(context.Background())
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}

	start := time.Now()
	o.Logger.Info("shutting down HTTP transport", "grace", o.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), o.ShutdownTimeout)
	defer cancel()

	t.stopStreams()
	shutdownDone := make(chan error, 1)
	go func() { shutdownDone <- srv.Shutdown(shutdownCtx) }() // closes the listener, waits for in-flight requests
	var shutdownErr error
	tick := time.NewTicker(25 * time.Millisecond)
wait:
	for {
		select {
		case shutdownErr = <-shutdownDone:
			break wait
		case <-tick.C:
			fresh.closeOlderThan(freshConnGrace)
		}
	}
	tick.Stop()
	if shutdownErr != nil {
		_ = srv.Close() // abort what is left; their contexts are cancelled
	}
	// Closes MCP sessions and stops mcp-go's idle-session sweeper.
	sessCtx, sessCancel := context.WithTimeout(context.Background(), 2*time.Second)
	_ = t.mcp.Shutdown(sessCtx)
	sessCancel()

	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	if shutdownErr != nil {
		o.Logger.Warn("HTTP transport stopped; in-flight requests were aborted", "after", time.Since(start).Round(time.Millisecond))
		return fmt.Errorf("graceful shutdown: in-flight requests did not finish within %s and were aborted", o.ShutdownTimeout)
	}
	o.Logger.Info("HTTP transport stopped", "after", time.Since(start).Round(time.Millisecond))
	return nil
}

// freshConnGrace: during shutdown, a connection that has carried no request
// for this long is closed.
const freshConnGrace = 100 * time.Millisecond

// freshConns tracks connections that have not carried a request yet. HTTP
// clients pre-dial spare connections; http.Server.Shutdown waits 5 s for
// those before it treats them as idle, which would delay every shutdown.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]time.Time
}

func (f *freshConns) track(c net.Conn, st http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if st == http.StateNew {
		if f.conns == nil {
			f.conns = make(map[net.Conn]time.Time)
		}
		f.conns[c] = time.Now()
		return
	}
	delete(f.conns, c)
}

func (f *freshConns) closeOlderThan(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c, since := range f.conns {
		if time.Since(since) >= d {
			_ = c.Close()
			delete(f.conns, c)
		}
	}
}
