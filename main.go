// Command owui-mcp is an MCP server that lets AI agents manage the models of
// an Open WebUI instance, safely: reads are easy, and every destructive or
// access-changing call is previewed, confirmed, backed up and audited.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/caller"
	"github.com/owui-mcp/owui-mcp/internal/cluster"
	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/internal/gctune"
	"github.com/owui-mcp/owui-mcp/internal/httpserve"
	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/tools"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func buildVersion() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(version, bi)
}

// versionOf prefers the stamped version (release builds), then the module
// version that `go install github.com/owui-mcp/owui-mcp@v1.2.3` records in
// the build info; a build from a checkout has neither and says "dev".
func versionOf(stamped string, bi *debug.BuildInfo) string {
	if stamped != "" {
		return stamped
	}
	if bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func main() {
	gctune.Apply() // GOGC=200 unless GOGC is set (internal/gctune)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is every setting, from flags and environment variables.
type config struct {
	URL, APIKey, APIKeyFile string
	Timeout                 time.Duration
	ReadOnly, AllowAccess   bool
	AllowAdmin, Demo        bool
	Tools                   string
	Confirm                 string
	ConfirmTTL              time.Duration
	ElicitTimeout           time.Duration
	BackupDir, AuditLog     string
	MaxBackupBytes          int64
	LogLevel                string
	Transport, Listen       string
	HTTPToken, Auth         string
	AllowedOrigins          string
	MaxBodyBytes            int64
	MaxConcurrent           int
	RedisURL                string
	RedisSentinelHosts      string
	RedisSentinelPort       int
	ConfirmKeyFile          string
	ReplicaID               string
	AuthCacheTTL            time.Duration
	HeaderTimeout           time.Duration
	BodyTimeout             time.Duration
	IdleTimeout             time.Duration
	MaxBulk                 int
	BulkConcurrency         int
	Version                 bool
}

// flagDef ties a flag to its environment variable; the env var sets the
// default, the flag overrides it.
type flagDef struct {
	name, env, usage string
	bind             func(fs *flag.FlagSet, name, def, usage string) error
	def              string
}

func str(p *string) func(*flag.FlagSet, string, string, string) error {
	return func(fs *flag.FlagSet, name, def, usage string) error { fs.StringVar(p, name, def, usage); return nil }
}

func boolean(p *bool) func(*flag.FlagSet, string, string, string) error {
	return func(fs *flag.FlagSet, name, def, usage string) error {
		v := false
		if def != "" {
			b, err := strconv.ParseBool(def)
			if err != nil {
				return fmt.Errorf("invalid boolean %q", def)
			}
			v = b
		}
		fs.BoolVar(p, name, v, usage)
		return nil
	}
}

func duration(p *time.Duration) func(*flag.FlagSet, string, string, string) error {
	return func(fs *flag.FlagSet, name, def, usage string) error {
		d, err := time.ParseDuration(def)
		if err != nil {
			return fmt.Errorf("invalid duration %q", def)
		}
		fs.DurationVar(p, name, d, usage)
		return nil
	}
}

func integer(p *int) func(*flag.FlagSet, string, string, string) error {
	return func(fs *flag.FlagSet, name, def, usage string) error {
		n, err := strconv.Atoi(def)
		if err != nil {
			return fmt.Errorf("invalid number %q", def)
		}
		fs.IntVar(p, name, n, usage)
		return nil
	}
}

func integer64(p *int64) func(*flag.FlagSet, string, string, string) error {
	return func(fs *flag.FlagSet, name, def, usage string) error {
		n, err := strconv.ParseInt(def, 10, 64)
		if err != nil {
			return fmt.Errorf("invalid number %q", def)
		}
		fs.Int64Var(p, name, n, usage)
		return nil
	}
}

func (c *config) flags() []flagDef {
	return []flagDef{
		{"url", "OPENWEBUI_URL", "Open WebUI server root, e.g. http://localhost:8080", str(&c.URL), ""},
		{"api-key", "OPENWEBUI_API_KEY", "Open WebUI API key (sk-...); prefer the env var or --api-key-file", str(&c.APIKey), ""},
		{"api-key-file", "OPENWEBUI_API_KEY_FILE", "file holding the Open WebUI API key", str(&c.APIKeyFile), ""},
		{"timeout", "OWUI_MCP_TIMEOUT", "timeout of each Open WebUI request", duration(&c.Timeout), "30s"},
		{"read-only", "OWUI_MCP_READ_ONLY", "offer only the read tools", boolean(&c.ReadOnly), ""},
		{"allow-access-changes", "OWUI_MCP_ALLOW_ACCESS_CHANGES", "offer update_model_access and allow access_grants on create/update", boolean(&c.AllowAccess), ""},
		{"allow-admin", "OWUI_MCP_ALLOW_ADMIN", "offer the admin tools (delete_models, delete_all_models, import_models, sync_models, unload_model, restore_models)", boolean(&c.AllowAdmin), ""},
		{"max-bulk", "OWUI_MCP_MAX_BULK", "most models one update_models/delete_models call may select", integer(&c.MaxBulk), "500"},
		{"bulk-concurrency", "OWUI_MCP_BULK_CONCURRENCY", "upstream calls a bulk call makes at once", integer(&c.BulkConcurrency), "4"},
		{"tools", "OWUI_MCP_TOOLS", "comma-separated allow-list of tool names, applied after the class flags", str(&c.Tools), ""},
		{"confirm", "OWUI_MCP_CONFIRM", "how dangerous calls are confirmed: auto, token, elicit or none", str(&c.Confirm), "auto"},
		{"confirm-ttl", "OWUI_MCP_CONFIRM_TTL", "lifetime of a confirm_token", duration(&c.ConfirmTTL), "5m"},
		{"elicit-timeout", "OWUI_MCP_ELICIT_TIMEOUT", "how long a confirmation question may stay unanswered; then the call is cancelled and nothing changes", duration(&c.ElicitTimeout), "3m"},
		{"backup-dir", "OWUI_MCP_BACKUP_DIR", "where backups are written before destructive calls (default $XDG_STATE_HOME/owui-mcp/backups)", str(&c.BackupDir), ""},
		{"max-backup-bytes", "OWUI_MCP_MAX_BACKUP_BYTES", "largest backup file written or read (a bigger file in the backup folder is refused)", integer64(&c.MaxBackupBytes), strconv.Itoa(64 << 20)},
		{"audit-log", "OWUI_MCP_AUDIT_LOG", "also append audit lines (JSON) to this file", str(&c.AuditLog), ""},
		{"log-level", "OWUI_MCP_LOG_LEVEL", "debug, info, warn or error (logs go to stderr)", str(&c.LogLevel), "info"},
		{"transport", "OWUI_MCP_TRANSPORT", "stdio or http (streamable HTTP)", str(&c.Transport), "stdio"},
		{"listen", "OWUI_MCP_LISTEN", "HTTP listen address", str(&c.Listen), "127.0.0.1:8765"},
		{"http-token", "OWUI_MCP_HTTP_TOKEN", "bearer token HTTP callers must present (--auth=token)", str(&c.HTTPToken), ""},
		{"auth", "OWUI_MCP_AUTH", "HTTP caller auth: token (shared --http-token) or openwebui (each caller's own Open WebUI token)", str(&c.Auth), "token"},
		{"allowed-origins", "OWUI_MCP_ALLOWED_ORIGINS", "comma-separated extra browser origins allowed over HTTP", str(&c.AllowedOrigins), ""},
		{"max-body-bytes", "OWUI_MCP_MAX_BODY_BYTES", "largest HTTP request body", integer64(&c.MaxBodyBytes), strconv.Itoa(16 << 20)},
		{"max-concurrent", "OWUI_MCP_MAX_CONCURRENT", "most HTTP requests served at once", integer(&c.MaxConcurrent), "64"},
		{"redis-url", "OWUI_MCP_REDIS_URL", "share state with other replicas in Redis: redis://[:password@]host:6379/0, rediss://..., unix:///path, redis+sentinel://host1:26379,host2:26379/<master>[/<db>]; needs --confirm-key-file", str(&c.RedisURL), ""},
		{"redis-sentinel-hosts", "OWUI_MCP_REDIS_SENTINEL_HOSTS", "Open WebUI's Sentinel form: comma-separated sentinels; --redis-url's host is then the master's name (like REDIS_SENTINEL_HOSTS)", str(&c.RedisSentinelHosts), ""},
		{"redis-sentinel-port", "OWUI_MCP_REDIS_SENTINEL_PORT", "port of sentinel hosts given without one (like REDIS_SENTINEL_PORT)", integer(&c.RedisSentinelPort), "26379"},
		{"confirm-key-file", "OWUI_MCP_CONFIRM_KEY_FILE", "file holding the confirmation key (at least 32 bytes, e.g. openssl rand -hex 32), the same on every replica; required with --redis-url", str(&c.ConfirmKeyFile), ""},
		{"replica-id", "OWUI_MCP_REPLICA_ID", "this replica's name on audit lines and backups (default with --redis-url: the host name)", str(&c.ReplicaID), ""},
		{"auth-cache-ttl", "OWUI_MCP_AUTH_CACHE_TTL", "how long an accepted Open WebUI token is trusted before asking again (--auth=openwebui): a revoked token works at most this long", duration(&c.AuthCacheTTL), "30s"},
		{"http-header-timeout", "OWUI_MCP_HTTP_HEADER_TIMEOUT", "longest an HTTP caller may take to send request headers", duration(&c.HeaderTimeout), "10s"},
		{"http-body-timeout", "OWUI_MCP_HTTP_BODY_TIMEOUT", "longest an HTTP caller may take to send a request body", duration(&c.BodyTimeout), "30s"},
		{"http-idle-timeout", "OWUI_MCP_HTTP_IDLE_TIMEOUT", "how long an idle HTTP keep-alive connection stays open", duration(&c.IdleTimeout), "2m"},
		{"demo", "OWUI_MCP_DEMO", "run against a built-in in-memory Open WebUI sandbox (no Open WebUI needed)", boolean(&c.Demo), ""},
		{"version", "", "print the version and exit", boolean(&c.Version), ""},
	}
}

// parse reads flags, then fills every flag not given on the command line
// from its environment variable. Defaults shown by --help are the built-in
// ones, so a secret in the environment never appears there.
func parse(args []string, getenv func(string) string, stderr io.Writer) (*config, *flag.FlagSet, error) {
	c := &config{}
	fs := flag.NewFlagSet("owui-mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defs := c.flags()
	for _, d := range defs {
		usage := d.usage
		if d.env != "" {
			usage += " (env " + d.env
			if secretFlags[d.name] {
				usage += ", " + setOrUnset(getenv(d.env))
			}
			usage += ")"
		}
		if err := d.bind(fs, d.name, d.def, usage); err != nil {
			return nil, fs, fmt.Errorf("flag --%s: %v", d.name, err)
		}
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `owui-mcp %s: an MCP server for managing Open WebUI models, safely.

Usage:
  owui-mcp --demo                                   # try it: in-memory sandbox, no Open WebUI needed
  OPENWEBUI_URL=http://localhost:8080 OPENWEBUI_API_KEY=sk-... owui-mcp
  owui-mcp --transport http --http-token "$TOKEN"   # streamable HTTP on 127.0.0.1:8765/mcp

Flags (each also read from the environment variable named; a flag wins over its variable):
`, buildVersion())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	if fs.NArg() > 0 {
		return nil, fs, fmt.Errorf("unexpected argument %q (flags start with --; see --help)", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, d := range defs {
		if d.env == "" || given[d.name] {
			continue
		}
		if v, ok := lookup(getenv, d.env); ok {
			if err := fs.Set(d.name, v); err != nil {
				shown := fmt.Sprintf("%q", v)
				if secretFlags[d.name] {
					shown = "(hidden)"
				}
				return nil, fs, fmt.Errorf("environment variable %s=%s: %v", d.env, shown, err)
			}
		}
	}
	return c, fs, nil
}

// secretFlags are never echoed: --help says only whether they are set.
var secretFlags = map[string]bool{"api-key": true, "http-token": true, "redis-url": true}

func lookup(getenv func(string) string, k string) (string, bool) {
	v := getenv(k)
	return v, v != ""
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, _, err := parse(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "owui-mcp: %v\n", err)
		return 2
	}
	if c.Version {
		fmt.Fprintf(stdout, "owui-mcp %s\n", buildVersion())
		return 0
	}
	logger, err := newLogger(c.LogLevel, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "owui-mcp: %v\n", err)
		return 2
	}
	app, err := build(c, getenv, logger)
	if err != nil {
		fmt.Fprintf(stderr, "owui-mcp: %v\n", err)
		return 2
	}
	defer app.close()
	if c.Transport == "stdio" && stdinIsTerminal(stdin) {
		printFirstRunHint(stderr)
	}
	if err := app.serve(ctx, stdin, stdout); err != nil {
		fmt.Fprintf(stderr, "owui-mcp: %v\n", err)
		return 1
	}
	return 0
}

func newLogger(level string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// app is a built server, ready to serve.
type app struct {
	cfg     *config
	srv     *server.MCPServer
	deps    *tools.Deps
	store   *cluster.Store // nil without --redis-url
	log     *slog.Logger
	cleanup []func()
}

func (a *app) close() {
	for i := len(a.cleanup) - 1; i >= 0; i-- {
		a.cleanup[i]()
	}
}

func build(c *config, getenv func(string) string, logger *slog.Logger) (*app, error) {
	a := &app{cfg: c, log: logger}
	mode := tools.ConfirmMode(c.Confirm)
	switch mode {
	case tools.ConfirmAuto, tools.ConfirmToken, tools.ConfirmElicit, tools.ConfirmNone:
	default:
		return nil, fmt.Errorf("--confirm %q: use auto, token, elicit or none", c.Confirm)
	}
	if c.MaxBulk < 1 || c.BulkConcurrency < 1 {
		return nil, fmt.Errorf("--max-bulk (%d) and --bulk-concurrency (%d) must be at least 1", c.MaxBulk, c.BulkConcurrency)
	}
	if c.Transport != "stdio" && c.Transport != "http" {
		return nil, fmt.Errorf("--transport %q: use stdio or http", c.Transport)
	}
	key := c.APIKey
	if c.APIKeyFile != "" {
		b, err := os.ReadFile(c.APIKeyFile)
		if err != nil {
			// The path is not echoed: a key pasted by mistake would leak.
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("reading --api-key-file: %v", err)
		}
		key = strings.TrimSpace(string(b))
	}

	cfg := owui.Config{BaseURL: c.URL, APIKey: key, Timeout: c.Timeout, UserAgent: "owui-mcp/" + buildVersion(), Secrets: nonEmpty(c.HTTPToken)}
	backupDir := c.BackupDir
	if c.Demo {
		fake := fakeowui.New(fakeowui.Options{Sandbox: true, RequestLogLimit: 1000})
		cfg.BaseURL = "http://owui-demo.invalid"
		cfg.APIKey = fakeowui.AdminKey
		cfg.Transport = seedOnFirstUse(fake)
		if backupDir == "" {
			dir, err := os.MkdirTemp("", "owui-mcp-demo-backups-")
			if err != nil {
				return nil, err
			}
			backupDir = dir
			a.cleanup = append(a.cleanup, func() { os.RemoveAll(dir) })
		}
	} else {
		if cfg.BaseURL == "" {
			return nil, errors.New("no Open WebUI URL: set OPENWEBUI_URL or --url (or try --demo for a sandbox)")
		}
		if cfg.APIKey == "" {
			return nil, errors.New("no Open WebUI API key: set OPENWEBUI_API_KEY or --api-key-file (Open WebUI > Settings > Account > API keys)")
		}
	}
	client, err := owui.New(cfg)
	if err != nil {
		return nil, err
	}
	if c.MaxBackupBytes <= 0 {
		return nil, fmt.Errorf("--max-backup-bytes %d: must be positive", c.MaxBackupBytes)
	}
	tc := tools.Config{
		Client: client,
		Options: tools.Options{ReadOnly: c.ReadOnly, AllowAccessChanges: c.AllowAccess, AllowAdmin: c.AllowAdmin, Confirm: mode, ElicitTimeout: c.ElicitTimeout, Sandbox: c.Demo,
			MaxBulk: c.MaxBulk, BulkConcurrency: c.BulkConcurrency},
		Version:        buildVersion(),
		Log:            logger,
		Secrets:        nonEmpty(key, c.HTTPToken),
		TokenTTL:       c.ConfirmTTL,
		BackupDir:      backupDir, // "" means safety.DefaultBackupDir()
		MaxBackupBytes: c.MaxBackupBytes,
		AuditPath:      c.AuditLog,
		Replica:        c.ReplicaID,
	}
	for _, n := range strings.Split(c.Tools, ",") {
		if n = strings.TrimSpace(n); n != "" {
			tc.Allow = append(tc.Allow, n)
		}
	}
	if c.RedisURL != "" {
		if c.ConfirmKeyFile == "" {
			return nil, errors.New("--redis-url needs --confirm-key-file / OWUI_MCP_CONFIRM_KEY_FILE: every replica must verify every confirmation, so they share one key (create it once: openssl rand -hex 32 > confirm.key)")
		}
		if tc.ConfirmKey, err = readKeyFile(c.ConfirmKeyFile); err != nil {
			return nil, err
		}
		store, err := cluster.Open(context.Background(), cluster.Config{URL: c.RedisURL, SentinelHosts: c.RedisSentinelHosts, SentinelPort: c.RedisSentinelPort})
		if err != nil {
			return nil, err
		}
		a.cleanup = append(a.cleanup, func() { store.Close() })
		a.store = store
		tc.Ledger = store.Ledger()
		if tc.Replica == "" {
			tc.Replica = defaultReplicaID()
		}
	} else if c.ConfirmKeyFile != "" {
		// A fixed key in one process would let a used token be redeemed
		// again after a restart (the in-process ledger is gone then).
		return nil, errors.New("--confirm-key-file is only for --redis-url (replicas sharing a key and a ledger); without Redis each process keeps its own random key")
	}
	built, err := tools.Build(tc)
	if err != nil {
		var ce *tools.ConfigError
		if errors.As(err, &ce) && flagOf[ce.Field] != "" {
			return nil, fmt.Errorf("%s: %v", flagOf[ce.Field], ce.Err)
		}
		return nil, err
	}
	a.cleanup = append(a.cleanup, func() { built.Close() })
	a.deps, a.srv = built.Deps, built.Server
	enabled := built.Enabled
	if mode == tools.ConfirmNone {
		logger.Warn("confirmation is off (--confirm=none): destructive calls run without a preview; backups and audit lines are still written")
	}
	names := make([]string, len(enabled))
	for i, t := range enabled {
		names[i] = t.Name
	}
	logger.Info("owui-mcp starting", "version", buildVersion(), "open_webui", client.BaseURL(), "api_key", setOrUnset(key),
		"demo", c.Demo, "transport", c.Transport, "confirm", string(mode), "backup_dir", a.deps.Backups.Dir(), "tools", len(names))
	if a.store != nil {
		logger.Info("sharing state with other replicas", "redis", cluster.Redacted(c.RedisURL), "replica", tc.Replica, "confirm_key", "set")
	}
	logger.Debug("tools enabled", "names", strings.Join(names, ","))
	return a, nil
}

func (a *app) serve(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	// Learn the upstream version early, without delaying start-up; the
	// client asks again later if the server is down now. The --demo
	// stand-in runs in this process and is always there: probing it would
	// only compete with the first answer for a core.
	vctx, vcancel := context.WithTimeout(ctx, 5*time.Second)
	vdone := make(chan struct{})
	// Wait for the check, so that it never logs after serve returned.
	defer func() { vcancel(); <-vdone }()
	go func() {
		defer close(vdone)
		if a.cfg.Demo {
			return
		}
		if v, err := a.deps.Client.Version(vctx); err == nil {
			a.log.Info("connected to Open WebUI", "version", v)
		} else {
			a.log.Warn("Open WebUI not reachable yet; will retry on the first call", "err", err)
		}
	}()
	switch a.cfg.Transport {
	case "http":
		opts := httpserve.Options{
			Listen:        a.cfg.Listen,
			Auth:          httpserve.AuthMode(a.cfg.Auth),
			Token:         a.cfg.HTTPToken,
			MaxBodyBytes:  a.cfg.MaxBodyBytes,
			MaxConcurrent: a.cfg.MaxConcurrent,
			AuthCacheTTL:  a.cfg.AuthCacheTTL,
			Logger:        a.log,

			ReadHeaderTimeout: a.cfg.HeaderTimeout,
			BodyReadTimeout:   a.cfg.BodyTimeout,
			IdleTimeout:       a.cfg.IdleTimeout,
		}
		if a.store != nil {
			// No MCP session may tie a client to one replica.
			opts.Stateless = true
			opts.SharedAuth = a.store.AuthCache()
		}
		for _, o := range strings.Split(a.cfg.AllowedOrigins, ",") {
			if o = strings.TrimSpace(o); o != "" {
				opts.AllowedOrigins = append(opts.AllowedOrigins, o)
			}
		}
		if opts.Auth == httpserve.AuthMode("openwebui") {
			opts.ValidateToken = func(ctx context.Context, bearer string) (caller.Identity, error) {
				u, err := a.deps.Client.CurrentUser(caller.With(ctx, caller.Identity{UpstreamToken: bearer}))
				if err != nil {
					if owui.IsKind(err, owui.KindUnavailable) || owui.IsKind(err, owui.KindTimeout) || owui.IsKind(err, owui.KindServer) {
						return caller.Identity{}, fmt.Errorf("%w: %v", httpserve.ErrUnavailable, err)
					}
					return caller.Identity{}, err
				}
				return caller.Identity{ID: u.ID, Name: u.Email, UpstreamToken: bearer}, nil
			}
		}
		if err := opts.Validate(); err != nil {
			return err
		}
		return httpserve.Serve(ctx, a.srv, opts)
	default:
		stdio := server.NewStdioServer(a.srv)
		stdio.SetErrorLogger(log.New(slogWriter{a.log}, "", 0))
		err := stdio.Listen(ctx, stdin, stdout)
		if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
}

// seedOnFirstUse is the --demo transport: seeding the sandbox takes ~2 ms,
// so it happens on the first request that reads models, not before the
// server answers initialize (/api/version, which the tools read first to
// learn the release, needs no models).
func seedOnFirstUse(fake *fakeowui.Server) http.RoundTripper {
	var seed sync.Once
	rt := fakeowui.Transport(fake)
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path != "/api/version" {
			seed.Do(func() { fakeowui.SeedDemo(fake) })
		}
		return rt.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// slogWriter routes mcp-go's stdio error logger into slog.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Warn(strings.TrimSpace(string(p)))
	return len(p), nil
}

// flagOf names the flag behind each tools.Config field Build may refuse.
var flagOf = map[string]string{
	"AuditPath":      "--audit-log",
	"ConfirmKey":     "--confirm-key-file",
	"MaxBackupBytes": "--max-backup-bytes",
}

// readKeyFile reads the confirmation key. Neither the key nor the path is
// echoed in errors (a key pasted as a path would leak).
func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("reading --confirm-key-file: %v", err)
	}
	k := bytes.TrimSpace(b)
	if len(k) < safety.MinKeyLen {
		return nil, fmt.Errorf("--confirm-key-file holds %d bytes, need at least %d (create it with: openssl rand -hex 32 > confirm.key)", len(k), safety.MinKeyLen)
	}
	return k, nil
}

// defaultReplicaID is the host name (a pod name under Kubernetes), else a
// random name.
func defaultReplicaID() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "replica-" + rand.Text()[:8]
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func setOrUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return "set"
}
