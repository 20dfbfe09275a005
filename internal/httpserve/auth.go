package httpserve

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/caller"
	"github.com/owui-mcp/owui-mcp/internal/redact"
)

const (
	// validateCacheTTL is how long an accepted Open WebUI token is trusted
	// without asking Open WebUI again (so a revoked token keeps working for
	// at most this long).
	validateCacheTTL = 30 * time.Second
	// rejectCacheTTL is how long a token Open WebUI rejected is answered 401
	// without asking again (blunts floods of bad tokens).
	rejectCacheTTL = 5 * time.Second
	// validateCacheMax bounds the number of cached tokens.
	validateCacheMax = 1024
	// validateTimeout bounds one call to Options.ValidateToken.
	validateTimeout = 10 * time.Second
)

// authFailure describes why a request was not authenticated.
type authFailure struct {
	status int    // 401 or 503
	code   string // RFC 6750 error code for the body / WWW-Authenticate
	reason string // for the log and the error body; never contains the token
}

// authenticator turns a request into a caller identity.
type authenticator interface {
	authenticate(r *http.Request) (caller.Identity, *authFailure)
}

// bearerToken extracts the token of an "Authorization: Bearer <token>"
// header (scheme case-insensitive). ok is false when there is none.
func bearerToken(r *http.Request) (token string, ok bool) {
	h := r.Header.Get("Authorization")
	scheme, rest, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(rest)
	return token, token != ""
}

var errMissing = &authFailure{status: http.StatusUnauthorized, code: "invalid_request", reason: "missing bearer token"}

// noAuth is token mode without a token (loopback only): everyone is the
// local user.
type noAuth struct{}

func (noAuth) authenticate(*http.Request) (caller.Identity, *authFailure) {
	return caller.Local, nil
}

// tokenAuth is token mode: one shared bearer, compared in constant time.
type tokenAuth struct {
	digest [32]byte
	id     caller.Identity
}

func newTokenAuth(token string) *tokenAuth {
	d := sha256.Sum256([]byte(token))
	return &tokenAuth{
		digest: d,
		id:     caller.Identity{ID: "token:" + hex.EncodeToString(d[:])[:12], Name: "http-token"},
	}
}

func (a *tokenAuth) authenticate(r *http.Request) (caller.Identity, *authFailure) {
	tok, ok := bearerToken(r)
	if !ok {
		return caller.Identity{}, errMissing
	}
	// Comparing fixed-size digests keeps the comparison constant-time in the
	// token length too.
	d := sha256.Sum256([]byte(tok))
	if subtle.ConstantTimeCompare(d[:], a.digest[:]) != 1 {
		return caller.Identity{}, &authFailure{status: http.StatusUnauthorized, code: "invalid_token", reason: "wrong bearer token"}
	}
	return a.id, nil
}

// openWebUIAuth is openwebui mode: the bearer is an Open WebUI user token,
// checked by validate and cached briefly.
type openWebUIAuth struct {
	validate func(ctx context.Context, bearer string) (caller.Identity, error)
	cache    *tokenCache
	shared   SharedAuthCache // nil: in-process only
	ttl      time.Duration   // of an accepted token
	log      *slog.Logger
	warned   atomic.Int64 // unix seconds of the last "shared cache failed" warning
}

func (a *openWebUIAuth) authenticate(r *http.Request) (caller.Identity, *authFailure) {
	tok, ok := bearerToken(r)
	if !ok {
		return caller.Identity{}, errMissing
	}
	key := sha256.Sum256([]byte(tok))
	if id, rejected, hit := a.lookup(r.Context(), key); hit {
		if rejected {
			return caller.Identity{}, &authFailure{status: http.StatusUnauthorized, code: "invalid_token", reason: "Open WebUI rejected the token (cached)"}
		}
		id.UpstreamToken = tok
		return id, nil
	}

	ctx, cancel := context.WithTimeout(r.Context(), validateTimeout)
	defer cancel()
	id, err := a.validate(ctx, tok)
	if err != nil {
		// A validator may echo the token in its error.
		msg := redact.New(tok).String(err.Error())
		if isUnavailable(err) {
			return caller.Identity{}, &authFailure{status: http.StatusServiceUnavailable, code: "temporarily_unavailable",
				reason: "could not validate the token with Open WebUI: " + msg}
		}
		a.store(r.Context(), key, caller.Identity{}, true)
		return caller.Identity{}, &authFailure{status: http.StatusUnauthorized, code: "invalid_token",
			reason: "Open WebUI rejected the token: " + msg}
	}
	if id.ID == "" {
		return caller.Identity{}, &authFailure{status: http.StatusUnauthorized, code: "invalid_token", reason: "Open WebUI returned no user id for the token"}
	}
	id.UpstreamToken = ""
	a.store(r.Context(), key, id, false)
	id.UpstreamToken = tok
	return id, nil
}

// lookup asks the shared cache when there is one, and the in-process cache
// when there is none or it fails (so a Redis outage costs only extra
// validations, never a working token).
func (a *openWebUIAuth) lookup(ctx context.Context, key [32]byte) (caller.Identity, bool, bool) {
	if a.shared != nil {
		id, rejected, hit, err := a.shared.Get(ctx, hex.EncodeToString(key[:]))
		if err == nil {
			return id, rejected, hit
		}
		a.sharedFailed(err)
	}
	return a.cache.get(key)
}

func (a *openWebUIAuth) store(ctx context.Context, key [32]byte, id caller.Identity, rejected bool) {
	if a.shared != nil {
		ttl := a.ttl
		if rejected {
			ttl = min(rejectCacheTTL, a.ttl)
		}
		err := a.shared.Put(ctx, hex.EncodeToString(key[:]), id, rejected, ttl)
		if err == nil {
			return
		}
		a.sharedFailed(err)
	}
	if rejected {
		a.cache.putRejected(key)
	} else {
		a.cache.put(key, cacheEntry{id: id, expires: a.cache.now().Add(a.ttl)})
	}
}

// sharedFailed logs a shared-cache failure at most every 10 s.
func (a *openWebUIAuth) sharedFailed(err error) {
	now := time.Now().Unix()
	if last := a.warned.Load(); now-last >= 10 && a.warned.CompareAndSwap(last, now) {
		a.log.Warn("shared auth cache unavailable; using the in-process cache", "err", err.Error())
	}
}

// isUnavailable reports whether a ValidateToken error means "could not ask"
// rather than "token rejected".
func isUnavailable(err error) bool {
	var ne net.Error
	return errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled) || errors.As(err, &ne)
}

// tokenCache is a small TTL cache keyed by the SHA-256 of a token. It never
// stores the token itself (entries hold the identity without UpstreamToken).
type tokenCache struct {
	mu      sync.Mutex
	now     func() time.Time
	max     int
	entries map[[32]byte]cacheEntry
}

type cacheEntry struct {
	id       caller.Identity
	rejected bool
	expires  time.Time
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{now: time.Now, max: max, entries: make(map[[32]byte]cacheEntry)}
}

func (c *tokenCache) get(key [32]byte) (id caller.Identity, rejected, hit bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return caller.Identity{}, false, false
	}
	if !c.now().Before(e.expires) {
		delete(c.entries, key)
		return caller.Identity{}, false, false
	}
	return e.id, e.rejected, true
}

func (c *tokenCache) putAccepted(key [32]byte, id caller.Identity) {
	c.put(key, cacheEntry{id: id, expires: c.now().Add(validateCacheTTL)})
}

func (c *tokenCache) putRejected(key [32]byte) {
	c.put(key, cacheEntry{rejected: true, expires: c.now().Add(rejectCacheTTL)})
}

func (c *tokenCache) put(key [32]byte, e cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.max {
		now := c.now()
		for k, v := range c.entries {
			if !now.Before(v.expires) {
				delete(c.entries, k)
			}
		}
		// Still full: drop the entry closest to expiry.
		for len(c.entries) >= c.max {
			var oldest [32]byte
			first := true
			var oldestExp time.Time
			for k, v := range c.entries {
				if first || v.expires.Before(oldestExp) {
					oldest, oldestExp, first = k, v.expires, false
				}
			}
			delete(c.entries, oldest)
		}
	}
	c.entries[key] = e
}

func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
