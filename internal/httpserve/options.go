// Package httpserve is the streamable-HTTP transport of owui-mcp: it mounts
// an mcp-go MCPServer at /mcp behind a chain of security checks and serves it
// with bounded resources and a graceful shutdown.
//
// Request pipeline for /mcp, in order (the first failing check answers):
//
//  1. DNS rebinding: a request that arrived on a loopback address with a
//     non-loopback Host header gets 403 (mcp-go performs the same check again
//     inside its handler).
//  2. Origin: a request whose Origin (or Sec-Fetch-Site) marks it as coming
//     from a foreign web origin gets 403, for every method. Requests without
//     Origin (CLI and server-side clients, Open WebUI's backend) pass.
//     Options.AllowedOrigins adds trusted origins. No CORS headers are sent,
//     so a browser page on another origin still cannot read the answers.
//  3. Authentication: a missing or wrong bearer gets 401 with
//     WWW-Authenticate: Bearer realm="owui-mcp". The caller's identity is put
//     into the request context (caller.With) and the Authorization header is
//     removed before mcp-go sees the request, so the token reaches tool
//     handlers only as caller.Identity.UpstreamToken (openwebui mode).
//  4. Session ownership: an Mcp-Session-Id is only valid for the caller that
//     created it; unknown or foreign session IDs get 404.
//  5. Body size: a POST body above MaxBodyBytes gets 413.
//  6. Concurrency: beyond MaxConcurrent in-flight POST requests the server
//     answers 503 with Retry-After: 1 at once (no queueing: a client retries
//     sooner than a queue would drain, and a queue hides overload). JSON-RPC
//     responses (answers to the server's own elicitation requests) and
//     notifications (e.g. notifications/cancelled) are not counted, so a full
//     server can still finish or cancel its calls. Long-lived streams (GET
//     SSE, subscriptions/listen) have their own cap of MaxConcurrent.
//
// Every phase of every connection is bounded, authenticated or not: headers
// by ReadHeaderTimeout, a body by BodyReadTimeout, an idle keep-alive
// connection by IdleTimeout. A request refused before its body was read (any
// 4xx/5xx of steps 1-5, an unknown path) is answered at once and its
// connection closed: the server never waits for a body it will not use.
//
// /healthz answers 200 {"status":"ok"} without authentication; every other
// path is 404.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/caller"
)

// AuthMode selects how HTTP callers are authenticated.
type AuthMode string

const (
	// AuthToken (the default) accepts a single shared bearer token
	// (Options.Token). Upstream calls use the server's own Open WebUI key.
	AuthToken AuthMode = "token"
	// AuthOpenWebUI accepts an Open WebUI user's own bearer token, checked
	// with Options.ValidateToken; that user's upstream calls use the same token.
	AuthOpenWebUI AuthMode = "openwebui"
)

// Defaults applied to zero-valued Options fields.
const (
	DefaultListen            = "127.0.0.1:8765"
	DefaultMaxBodyBytes      = 16 << 20
	DefaultMaxConcurrent     = 64
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultBodyReadTimeout   = 30 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultShutdownTimeout   = 15 * time.Second

	// MinRemoteTokenLength is the shortest shared token accepted when the
	// server listens on a non-loopback address.
	MinRemoteTokenLength = 16
)

// ErrUnavailable may be wrapped by an Options.ValidateToken function when Open
// WebUI could not be asked (unreachable, 5xx). Such failures, and any error
// that is a net.Error or a context deadline, answer 503 instead of 401 and
// are never cached. Every other ValidateToken error means "token rejected" (401).
var ErrUnavailable = errors.New("token validation unavailable")

// Options configures the HTTP transport. The zero value is usable: loopback
// listen address, token mode without a token (no authentication, which is only
// allowed on loopback).
type Options struct {
	// Listen is the host:port to listen on. Default "127.0.0.1:8765".
	Listen string
	// Auth is the authentication mode. Default AuthToken.
	Auth AuthMode
	// Token is the shared bearer for AuthToken. Empty means no
	// authentication, allowed only on a loopback Listen address.
	Token string
	// ValidateToken checks a bearer against Open WebUI (GET /api/v1/auths/)
	// for AuthOpenWebUI and returns the caller (ID = Open WebUI user id,
	// Name = email); UpstreamToken is set to the bearer by this package.
	// Successful results are cached for 30 s, rejections for 5 s, keyed by a
	// SHA-256 of the token (never the token). See ErrUnavailable for how
	// errors are classified.
	//
	// (It cannot be called Validate: a Go struct cannot have a field and a
	// method of the same name, and Options.Validate is the method.)
	ValidateToken func(ctx context.Context, bearer string) (caller.Identity, error)
	// AllowedOrigins are extra trusted browser origins ("scheme://host[:port]").
	AllowedOrigins []string
	// MaxBodyBytes caps a POST body. Default 16 MiB.
	MaxBodyBytes int64
	// MaxConcurrent caps concurrent in-flight POST requests. Default 64.
	MaxConcurrent int
	// ReadHeaderTimeout of the http.Server. Default 10 s.
	ReadHeaderTimeout time.Duration
	// BodyReadTimeout bounds reading a request body, from the end of the
	// headers. Default 30 s.
	BodyReadTimeout time.Duration
	// IdleTimeout of the http.Server (keep-alive). Default 120 s.
	IdleTimeout time.Duration
	// ShutdownTimeout bounds how long in-flight calls may run after the
	// serve context is cancelled. Default 15 s.
	ShutdownTimeout time.Duration
	// Stateless serves every request on its own, with no MCP session
	// (mcp-go's stateless mode): what several replicas behind a load
	// balancer need. Legacy-protocol clients then confirm with
	// confirm_token (the server cannot know, per request, that they can
	// elicit), and the standalone GET stream is refused (405).
	Stateless bool
	// SharedAuth, when set, holds the --auth=openwebui validation cache for
	// every replica (Redis). When it fails, the in-process cache serves.
	SharedAuth SharedAuthCache
	// AuthCacheTTL is how long an accepted Open WebUI token is trusted
	// without asking Open WebUI again, i.e. how long a revoked token may
	// keep working. Default 30 s.
	AuthCacheTTL time.Duration
	// Logger receives transport logs. Default slog.Default(). Tokens are
	// never logged.
	Logger *slog.Logger
}

// withDefaults returns o with every zero field replaced by its default.
func (o Options) withDefaults() Options {
	if o.Listen == "" {
		o.Listen = DefaultListen
	}
	if o.Auth == "" {
		o.Auth = AuthToken
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxConcurrent == 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	if o.ReadHeaderTimeout == 0 {
		o.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if o.BodyReadTimeout == 0 {
		o.BodyReadTimeout = DefaultBodyReadTimeout
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.AuthCacheTTL == 0 {
		o.AuthCacheTTL = validateCacheTTL
	}
	return o
}

// Validate reports whether o is a safe, usable configuration. It refuses in
// particular a non-loopback Listen address without authentication.
func (o Options) Validate() error {
	o = o.withDefaults()

	host, port, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return fmt.Errorf("invalid --listen %q: %v (want host:port, e.g. %s)", o.Listen, err, DefaultListen)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("invalid --listen %q: bad port %q", o.Listen, port)
	}
	loopback := isLoopbackHost(host)

	switch o.Auth {
	case AuthToken:
		if o.Token == "" && !loopback {
			return fmt.Errorf("refusing to listen on non-loopback address %q without authentication: "+
				"set a token with --http-token / OWUI_MCP_HTTP_TOKEN, or use --auth=openwebui, "+
				"or listen on 127.0.0.1", o.Listen)
		}
		if strings.ContainsFunc(o.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return errors.New("invalid --http-token / OWUI_MCP_HTTP_TOKEN: it must not contain spaces or control characters")
		}
		if o.Token != "" && !loopback && len(o.Token) < MinRemoteTokenLength {
			return fmt.Errorf("--http-token / OWUI_MCP_HTTP_TOKEN is too short for a non-loopback listen address "+
				"(%d bytes, need at least %d; e.g. openssl rand -hex 32)", len(o.Token), MinRemoteTokenLength)
		}
	case AuthOpenWebUI:
		if o.ValidateToken == nil {
			return errors.New("--auth=openwebui needs a token validator (internal error: Options.ValidateToken is nil)")
		}
		if o.Token != "" {
			return errors.New("--auth=openwebui and --http-token / OWUI_MCP_HTTP_TOKEN are mutually exclusive: " +
				"with --auth=openwebui callers present their own Open WebUI token")
		}
	default:
		return fmt.Errorf("invalid --auth %q (want %q or %q)", o.Auth, AuthToken, AuthOpenWebUI)
	}

	cop := http.NewCrossOriginProtection()
	for _, origin := range o.AllowedOrigins {
		if err := cop.AddTrustedOrigin(origin); err != nil {
			return fmt.Errorf("invalid --allowed-origins entry %q: %v (want scheme://host[:port])", origin, err)
		}
	}
	if o.MaxBodyBytes < 0 {
		return fmt.Errorf("invalid max body size %d", o.MaxBodyBytes)
	}
	if o.MaxConcurrent < 0 {
		return fmt.Errorf("invalid max concurrent requests %d", o.MaxConcurrent)
	}
	if o.ReadHeaderTimeout < 0 || o.BodyReadTimeout < 0 || o.IdleTimeout < 0 || o.ShutdownTimeout < 0 || o.AuthCacheTTL < 0 {
		return errors.New("HTTP timeouts must not be negative")
	}
	return nil
}

// SharedAuthCache is a validation cache several replicas share. Keys are
// hex SHA-256 digests of tokens; implementations never see a token.
type SharedAuthCache interface {
	Get(ctx context.Context, digest string) (id caller.Identity, rejected, hit bool, err error)
	Put(ctx context.Context, digest string, id caller.Identity, rejected bool, ttl time.Duration) error
}

// isLoopbackHost reports whether host (no port; brackets allowed) names a
// loopback interface. An empty host (":8765") means every interface.
func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// isLoopbackHostPort is isLoopbackHost for "host" or "host:port".
func isLoopbackHostPort(addr string) bool {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return isLoopbackHost(host)
	}
	return isLoopbackHost(addr)
}
