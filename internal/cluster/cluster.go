// Package cluster is the state several owui-mcp replicas share in Redis
// (--redis-url): the ledger of redeemed confirmation tokens and the
// --auth=openwebui validation cache. Without --redis-url nothing here is used.
package cluster

import (
	"context"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/owui-mcp/owui-mcp/internal/caller"
)

// DefaultSentinelPort is the port of a sentinel host given without one
// (Open WebUI's REDIS_SENTINEL_PORT default).
const DefaultSentinelPort = 26379

// opTimeout bounds one Redis round trip: a confirmation waits at most this
// long before failing closed.
const opTimeout = 2 * time.Second

// Config says how to reach Redis.
type Config struct {
	// URL is redis://, rediss://, unix://, redis+sentinel:// or
	// rediss+sentinel:// (see ParseConfig).
	URL string
	// SentinelHosts, when set, turns a redis:// or rediss:// URL into
	// Open WebUI's Sentinel form: the URL's host is the master's name, and
	// these (comma-separated host[:port]) are the sentinels.
	SentinelHosts string
	// SentinelPort is the port of sentinel hosts given without one.
	// Default DefaultSentinelPort.
	SentinelPort int
	// Prefix starts every key. Default "owui-mcp:".
	Prefix string
}

// Store is the shared state. It is safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
}

// Open connects to Redis and checks that it answers.
func Open(ctx context.Context, c Config) (*Store, error) {
	rdb, err := newClient(c)
	if err != nil {
		return nil, err
	}
	prefix := c.Prefix
	if prefix == "" {
		prefix = "owui-mcp:"
	}
	s := &Store{rdb: rdb, prefix: prefix}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redis at %s does not answer: %w", Redacted(c.URL), err)
	}
	return s, nil
}

// Close closes the connections.
func (s *Store) Close() error { return s.rdb.Close() }

// Redacted is u with any password replaced, for logs and errors.
func Redacted(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	return p.Redacted()
}

// quietLog sends go-redis's own messages (dial failures while Redis is
// down, one per attempt) to slog at debug level: the failures that matter
// reach the caller as errors, and are logged there once.
type quietLog struct{}

func (quietLog) Printf(ctx context.Context, format string, v ...any) {
	slog.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

var setLogger sync.Once

func newClient(c Config) (redis.UniversalClient, error) {
	setLogger.Do(func() { redis.SetLogger(quietLog{}) })
	raw, sentinels := c.URL, ""
	if scheme, rest, ok := strings.Cut(raw, "://"); ok && strings.HasSuffix(strings.ToLower(scheme), "+sentinel") {
		// A host list "h1:26379,h2" is no URL host: take it out, parse the
		// rest with a placeholder host.
		authority, path, _ := strings.Cut(rest, "/")
		userinfo := ""
		if i := strings.LastIndex(authority, "@"); i >= 0 {
			userinfo, authority = authority[:i+1], authority[i+1:]
		}
		sentinels = authority
		raw = scheme + "://" + userinfo + "sentinels/" + path
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("invalid --redis-url: not a URL (want redis://[:password@]host:port/db, rediss://..., unix:///path or redis+sentinel://host1:26379,host2:26379/master/db)")
	}
	port := c.SentinelPort
	if port == 0 {
		port = DefaultSentinelPort
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme == "redis+sentinel" || scheme == "rediss+sentinel":
		if c.SentinelHosts != "" {
			return nil, errors.New("--redis-sentinel-hosts is for Open WebUI's form (redis://:password@master/db); a redis+sentinel:// URL lists its sentinels itself")
		}
		parts := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
		if len(parts) == 0 || len(parts) > 2 {
			return nil, errors.New("invalid --redis-url: a redis+sentinel:// URL names the master: redis+sentinel://[:password@]host1:26379,host2:26379/<master>[/<db>]")
		}
		return failover(u, scheme == "rediss+sentinel", sentinels, parts[0], parts[1:], port)
	case c.SentinelHosts != "":
		if scheme != "redis" && scheme != "rediss" {
			return nil, fmt.Errorf("invalid --redis-url scheme %q with --redis-sentinel-hosts (want redis:// or rediss://)", u.Scheme)
		}
		parts := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
		if len(parts) > 1 {
			return nil, errors.New("invalid --redis-url: the path is the database number, e.g. /0")
		}
		if u.Hostname() == "" {
			return nil, errors.New("invalid --redis-url: with --redis-sentinel-hosts, the URL's host is the Sentinel master's name (redis://:password@mymaster/0)")
		}
		return failover(u, scheme == "rediss", c.SentinelHosts, u.Hostname(), parts, port)
	}
	opt, err := redis.ParseURL(c.URL)
	if err != nil {
		// go-redis errors quote the URL's scheme or path, never the password.
		return nil, fmt.Errorf("invalid --redis-url: %v (want redis://, rediss://, unix://, or redis+sentinel://)", err)
	}
	tune(&opt.DialTimeout, &opt.ReadTimeout, &opt.WriteTimeout, &opt.MaxRetries)
	opt.DialerRetries = 1
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return redis.NewClient(opt), nil
}

func failover(u *url.URL, useTLS bool, hosts, master string, db []string, port int) (redis.UniversalClient, error) {
	o := &redis.FailoverOptions{MasterName: master}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	if len(db) == 1 {
		n, err := strconv.Atoi(db[0])
		if err != nil || n < 0 {
			return nil, fmt.Errorf("invalid --redis-url: database %q is not a number", db[0])
		}
		o.DB = n
	}
	for _, h := range strings.Split(hosts, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(h); err != nil {
			h = net.JoinHostPort(strings.Trim(h, "[]"), strconv.Itoa(port))
		}
		o.SentinelAddrs = append(o.SentinelAddrs, h)
	}
	if len(o.SentinelAddrs) == 0 {
		return nil, errors.New("invalid Redis Sentinel configuration: no sentinel hosts")
	}
	if useTLS {
		o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries)
	o.DialerRetries = 1
	o.DisableIdentity = true
	return redis.NewFailoverClient(o), nil
}

// tune makes failures quick to see, and never retries a command: a retried
// SET NX whose first attempt did land would report a fresh token as used.
func tune(dial, read, write *time.Duration, retries *int) {
	*dial, *read, *write = time.Second, time.Second, time.Second
	*retries = -1
}

// Ledger returns the shared ledger of redeemed tokens (safety.Ledger).
func (s *Store) Ledger() *Ledger { return &Ledger{s: s} }

// Ledger records redeemed tokens as keys that expire with the token.
type Ledger struct{ s *Store }

func (l *Ledger) key(nonce []byte) string { return l.s.prefix + "used:" + hex.EncodeToString(nonce) }

// Claim is SET key 1 NX PX <remaining lifetime>: of concurrent redemptions
// on any replicas, exactly one sets the key.
func (l *Ledger) Claim(nonce []byte, now, exp time.Duration) (bool, error) {
	ttl := exp - now
	if ttl < time.Millisecond {
		ttl = time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	err := l.s.rdb.SetArgs(ctx, l.key(nonce), "1", redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, redis.Nil):
		return false, nil
	}
	return false, fmt.Errorf("redis: %w", err)
}

// Used reports whether the key exists.
func (l *Ledger) Used(nonce []byte, _ time.Duration) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	n, err := l.s.rdb.Exists(ctx, l.key(nonce)).Result()
	if err != nil {
		return false, fmt.Errorf("redis: %w", err)
	}
	return n > 0, nil
}

// AuthCache returns the shared --auth=openwebui validation cache.
func (s *Store) AuthCache() *AuthCache { return &AuthCache{s: s} }

// AuthCache keeps validation results keyed by a digest of the token (never
// the token), so a token Open WebUI revoked stops working on every replica
// when its entry expires.
type AuthCache struct{ s *Store }

type authEntry struct {
	ID       string `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	Rejected bool   `json:"rejected,omitempty"`
}

func (a *AuthCache) key(digest string) string { return a.s.prefix + "auth:" + digest }

// Get returns the cached result for digest.
func (a *AuthCache) Get(ctx context.Context, digest string) (id caller.Identity, rejected, hit bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	b, err := a.s.rdb.Get(ctx, a.key(digest)).Bytes()
	if errors.Is(err, redis.Nil) {
		return caller.Identity{}, false, false, nil
	}
	if err != nil {
		return caller.Identity{}, false, false, fmt.Errorf("redis: %w", err)
	}
	var e authEntry
	if err := json.Unmarshal(b, &e); err != nil || (!e.Rejected && e.ID == "") {
		return caller.Identity{}, false, false, nil // unreadable: ask Open WebUI again
	}
	return caller.Identity{ID: e.ID, Name: e.Name}, e.Rejected, true, nil
}

// Put stores a result for ttl. The identity's UpstreamToken is never stored.
func (a *AuthCache) Put(ctx context.Context, digest string, id caller.Identity, rejected bool, ttl time.Duration) error {
	e := authEntry{Rejected: rejected}
	if !rejected {
		e.ID, e.Name = id.ID, id.Name
	}
	b, _ := json.Marshal(e)
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	if err := a.s.rdb.Set(ctx, a.key(digest), b, ttl).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}
