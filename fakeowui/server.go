package fakeowui

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// maxBody bounds what one request may upload; data: URIs can be large but
// not this large.
const maxBody = 32 << 20

// Request is one logged request. The Authorization header is deliberately
// not kept: only the user id it resolved to.
type Request struct {
	Method   string
	Path     string // URL path, decoded
	RawQuery string
	Body     []byte
	UserID   string // "" when the request carried no valid credentials
}

// Server is an in-memory Open WebUI models API. It is safe for concurrent
// use; all state sits behind one mutex.
type Server struct {
	opts   Options
	users  map[string]*user // by API key; fixed after New
	routes map[string]route // "METHOD /path"; fixed after New

	mu        sync.Mutex
	rows      map[string]*row
	seq       int64
	grantSeq  int64
	providers []provider
	log       []Request
	overrides map[string]http.HandlerFunc
}

type authLevel int

const (
	authNone     authLevel = iota
	authVerified           // any user (get_verified_user)
	authAdmin              // admins only (get_admin_user)
)

type route struct {
	auth authLevel
	body bool // the route takes a JSON body (parsed before auth, as FastAPI does)
	h    func(*call) *response
}

// call is the per-request state handed to a route handler.
type call struct {
	r       *http.Request
	query   url.Values
	body    any // decoded JSON body
	hasBody bool
	user    *user
	now     int64
}

// New returns an empty server (no models, no provider models).
func New(opts Options) *Server {
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.UserPermissions != nil {
		p := *opts.UserPermissions
		opts.UserPermissions = &p
	}
	s := &Server{
		opts:      opts,
		users:     builtinUsers(),
		rows:      map[string]*row{},
		overrides: map[string]http.HandlerFunc{},
	}
	s.routes = s.routeTable()
	return s
}

func (s *Server) now() int64 { return s.opts.Now().Unix() }

// ServeHTTP logs the request, then answers it from an override, a built-in
// route, or the SPA/405 fallback of a real Open WebUI.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	u, authErr := s.authenticate(r)
	uid := ""
	if u != nil {
		uid = u.ID
	}

	s.mu.Lock()
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Body: body, UserID: uid})
	override := s.overrides[r.Method+" "+r.URL.Path]
	s.mu.Unlock()

	if s.opts.Sandbox {
		w.Header().Set("X-OWUI-Fake", "sandbox")
	}
	if override != nil {
		// Called without the lock so it may use the Server's methods.
		r.Body = io.NopCloser(bytes.NewReader(body))
		override(w, r)
		return
	}
	s.dispatch(r, body, u, authErr).write(w)
}

func (s *Server) dispatch(r *http.Request, body []byte, u *user, authErr *response) *response {
	rt, ok := s.routes[r.Method+" "+r.URL.Path]
	if !ok {
		return fallback(r.Method)
	}
	c := &call{r: r, query: r.URL.Query(), user: u}
	if rt.body {
		v, present, bad := parseBody(body)
		if bad != nil {
			return bad
		}
		c.body, c.hasBody = v, present
	}
	switch {
	case rt.auth == authNone:
	case u == nil:
		return authErr
	case rt.auth == authAdmin && !u.admin():
		return detailResp(http.StatusUnauthorized, msgAccessProhibited)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.now = s.now()
	return rt.h(c)
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.log))
	for i, r := range s.log {
		r.Body = slices.Clone(r.Body)
		out[i] = r
	}
	return out
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// Override makes h answer method+path (the decoded URL path, no query)
// instead of the built-in route, for fault injection. A nil h removes the
// override. Overridden requests are still logged.
func (s *Server) Override(method, path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == nil {
		delete(s.overrides, method+" "+path)
		return
	}
	s.overrides[method+" "+path] = h
}
