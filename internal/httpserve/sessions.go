package httpserve

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"sync"

	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/caller"
)

// sessionBinder is the session ID manager of the transport. It mints random
// MCP session IDs (protocol versions up to 2025-11-25; 2026-07-28 has no
// sessions) and remembers which caller created each, so that one caller
// cannot use, listen on or delete another caller's session, and an unknown
// session ID gets 404 (the client then initializes again).
//
// It implements server.SessionIdManagerResolver: mcp-go resolves a manager
// per request, with the request whose context carries the caller identity,
// and with a nil request from its idle-session sweeper and CloseSessions.
type sessionBinder struct {
	log    *slog.Logger
	mu     sync.Mutex
	owners map[string]string // session ID -> caller ID
}

func newSessionBinder(log *slog.Logger) *sessionBinder {
	return &sessionBinder{log: log, owners: make(map[string]string)}
}

var (
	errSessionUnknown = errors.New("session not found")
	errSessionForeign = errors.New("session belongs to another caller")
)

// ResolveSessionIdManager implements server.SessionIdManagerResolver.
func (b *sessionBinder) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	if r == nil {
		return systemSessions{b}
	}
	return &callerSessions{b: b, owner: caller.From(r.Context()).ID, remote: r.RemoteAddr}
}

// owns reports whether session id exists and belongs to owner.
func (b *sessionBinder) owns(id, owner string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.owners[id]
	return ok && o == owner
}

func (b *sessionBinder) check(id, owner string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.owners[id]
	switch {
	case !ok:
		return errSessionUnknown
	case o != owner:
		return errSessionForeign
	}
	return nil
}

// callerSessions is the manager for one request of one caller.
type callerSessions struct {
	b      *sessionBinder
	owner  string
	remote string
}

func (m *callerSessions) Generate() string {
	id := "mcp-session-" + rand.Text()
	m.b.mu.Lock()
	m.b.owners[id] = m.owner
	m.b.mu.Unlock()
	return id
}

func (m *callerSessions) Validate(id string) (isTerminated bool, err error) {
	if err := m.b.check(id, m.owner); err != nil {
		m.b.log.Info("http request rejected", "status", http.StatusNotFound, "reason", err.Error(),
			"remote", m.remote, "caller", m.owner)
		return false, err
	}
	return false, nil
}

func (m *callerSessions) Terminate(id string) (isNotAllowed bool, err error) {
	m.b.mu.Lock()
	defer m.b.mu.Unlock()
	o, ok := m.b.owners[id]
	if !ok {
		return false, nil // already gone: DELETE is idempotent
	}
	if o != m.owner {
		m.b.log.Info("http request rejected", "status", http.StatusMethodNotAllowed,
			"reason", "delete of another caller's session", "remote", m.remote, "caller", m.owner)
		return true, nil
	}
	delete(m.b.owners, id)
	return false, nil
}

// systemSessions is the manager used by mcp-go outside a request (idle
// sweeper, shutdown): it may terminate any session.
type systemSessions struct{ b *sessionBinder }

func (systemSessions) Generate() string { return "mcp-session-" + rand.Text() }

func (s systemSessions) Validate(id string) (bool, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if _, ok := s.b.owners[id]; !ok {
		return false, errSessionUnknown
	}
	return false, nil
}

func (s systemSessions) Terminate(id string) (bool, error) {
	s.b.mu.Lock()
	delete(s.b.owners, id)
	s.b.mu.Unlock()
	return false, nil
}
