package fakeowui

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
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

	mu         sync.Mutex
	rows       map[string]*row
	seq        int64
	grantSeq   int64
	versionSeq int64
	providers  []provider
	log        []Request
	overrides  map[string]http.HandlerFunc
	sessions   map[string]string  // session token -> user id (IssueSession)
	dbFailing  bool               // FailDB
	conflicts  int                // FailVersionConflict
	failing    map[string]failure // FailModel, by model id
	// Open WebUI's in-memory provider maps (OPENAI_MODELS, OLLAMA_MODELS,
	// by connection type) and its merged MODELS map: whether each is
	// filled. Unload only finds providers of a filled map.
	mapsFilled   map[string]bool
	modelsFilled bool
}

type authLevel int

const (
	authNone     authLevel = iota
	authVerified           // any user (get_verified_user)
	authAdmin              // admins only (get_admin_user)
)

type route struct {
	auth  authLevel
	human bool // needs a session token, not an sk- key (0.12.4 get_human_user)
	body  bool // the route takes a JSON body (parsed before auth, as FastAPI does)
	h     func(*call) *response
}

// call is the per-request state handed to a route handler.
type call struct {
	r        *http.Request
	query    url.Values
	body     any    // decoded JSON body
	raw      []byte // the body as sent
	hasBody  bool
	user     *user
	session  bool   // authenticated by a session token rather than an sk- key
	pathItem string // the {history_id} of a templated route
	now      int64
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
		opts:       opts,
		users:      builtinUsers(),
		rows:       map[string]*row{},
		overrides:  map[string]http.HandlerFunc{},
		sessions:   map[string]string{},
		failing:    map[string]failure{},
		mapsFilled: map[string]bool{},
	}
	for _, u := range opts.Users {
		// Keyed by a string no Authorization header can carry: not a key.
		s.users["\x00"+u.ID] = &user{ID: u.ID, Email: u.Email, Name: u.Name, Role: "user"}
	}
	if opts.Behaviour.ProviderMapsFilledAtStart {
		s.fillProviderMaps()
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
	u, session, authErr := s.authenticate(r)
	uid := ""
	if u != nil {
		uid = u.ID
	}

	s.mu.Lock()
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Body: body, UserID: uid})
	if n := s.opts.RequestLogLimit; n > 0 && len(s.log) > 2*n {
		// Trim in batches so each request costs O(1) on average.
		s.log = append(s.log[:0:0], s.log[len(s.log)-n:]...)
	}
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
	s.dispatch(r, body, u, session, authErr).write(w)
}

func (s *Server) dispatch(r *http.Request, body []byte, u *user, session bool, authErr *response) *response {
	rt, item, ok := s.match(r.Method, r.URL.Path)
	if !ok {
		return fallback(r.Method)
	}
	c := &call{r: r, query: r.URL.Query(), raw: body, user: u, session: session, pathItem: item}
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
	case rt.human && !session && !s.opts.Behaviour.SessionRoutesAcceptAPIKeys:
		return detailResp(http.StatusForbidden, msgHumanSession)
	case rt.auth == authAdmin && !u.admin():
		return detailResp(http.StatusUnauthorized, msgAccessProhibited)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.failing[writeTarget(c)]; ok && r.Method != http.MethodGet {
		return detailResp(f.status, f.detail)
	}
	c.now = s.now()
	return rt.h(c)
}

// match finds the route for method and path: an exact path, or a path with
// one trailing {item} segment (the route key then ends in "/{}").
func (s *Server) match(method, path string) (route, string, bool) {
	if rt, ok := s.routes[method+" "+path]; ok {
		return rt, "", true
	}
	i := strings.LastIndexByte(path, '/')
	if i < 0 || i == len(path)-1 {
		return route{}, "", false
	}
	if rt, ok := s.routes[method+" "+path[:i+1]+"{}"]; ok {
		return rt, path[i+1:], true
	}
	// One item before a fixed last segment: /api/v1/users/{}/info.
	j := strings.LastIndexByte(path[:i], '/')
	if j < 0 || j == i-1 {
		return route{}, "", false
	}
	rt, ok := s.routes[method+" "+path[:j+1]+"{}"+path[i:]]
	return rt, path[j+1 : i], ok
}

// FailDB emulates a broken database until it is called with false: the
// writes of create, toggle, update, delete, delete/all and sync fail, and
// answer the way the emulated release reports a DB error (0.12.4: a
// plain-text 500, toggle 400; see Behaviour.DBFailureAnswersFalsy). Reads,
// import and access/update are not affected.
func (s *Server) FailDB(fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dbFailing = fail
}

// FailVersionConflict makes the next n writes of POST /model/update answer
// 0.12's optimistic-lock clash, 409 {"detail":{"code":"version_conflict"}},
// and change nothing: what Open WebUI answers when the record changed
// between reading and writing it (source only; not reproducible on demand
// against a real server). n <= 0 turns it off.
func (s *Server) FailVersionConflict(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conflicts = max(n, 0)
}

type failure struct {
	status int
	detail string
}

// FailModel makes every write naming this model id (toggle, update,
// delete, access/update: the id in the query or the JSON body) answer
// status with {"detail": detail} and change nothing, until it is called
// with status 0. It injects a failure for one model among many.
func (s *Server) FailModel(id string, status int, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status == 0 {
		delete(s.failing, id)
		return
	}
	s.failing[id] = failure{status, detail}
}

// writeTarget is the model id a request names, if any.
func writeTarget(c *call) string {
	if id := c.query.Get("id"); id != "" {
		return id
	}
	if m, ok := c.body.(map[string]any); ok {
		id, _ := m["id"].(string)
		return id
	}
	return ""
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	log := s.log
	if n := s.opts.RequestLogLimit; n > 0 && len(log) > n {
		log = log[len(log)-n:]
	}
	out := make([]Request, len(log))
	for i, r := range log {
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
