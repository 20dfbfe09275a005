package fakeowui

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// API keys of the two built-in users. They are fake, fixed, and only valid
// against this package.
const (
	// AdminKey authenticates as u-admin (admin@example.com, "Admin").
	AdminKey = "sk-fakeadmin0000000000000000000000"
	// UserKey authenticates as u-alice (alice@example.com, "Alice"), a
	// non-admin member of group g-eng.
	UserKey = "sk-fakeuser00000000000000000000000"
)

type user struct {
	ID, Email, Name, Role string
	Groups                []string
}

func (u *user) admin() bool { return u.Role == "admin" }

func builtinUsers() map[string]*user {
	return map[string]*user{
		AdminKey: {ID: "u-admin", Email: "admin@example.com", Name: "Admin", Role: "admin"},
		UserKey:  {ID: "u-alice", Email: "alice@example.com", Name: "Alice", Role: "user", Groups: []string{"g-eng"}},
	}
}

// userByID finds the owner of a row, for the `user` object of list items.
func (s *Server) userByID(id string) *user {
	for _, u := range s.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// authenticate mirrors utils/auth.py: bearer header first, then the "token"
// cookie, then the x-api-key header (0.9.2+). It returns the user and
// whether a session token (rather than an sk- key) authenticated it, or the
// error response Open WebUI would give.
func (s *Server) authenticate(r *http.Request) (*user, bool, *response) {
	token := ""
	if scheme, rest, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "bearer") {
		token = strings.TrimSpace(rest)
	}
	if token == "" {
		if c, err := r.Cookie("token"); err == nil {
			token = c.Value
		}
	}
	if token == "" {
		token = r.Header.Get("X-Api-Key")
	}
	if token == "" {
		return nil, false, detailResp(http.StatusUnauthorized, msgNotAuthenticated)
	}
	if !strings.HasPrefix(token, "sk-") {
		return s.sessionUser(token)
	}
	u, ok := s.users[token]
	if !ok {
		return nil, false, detailResp(http.StatusUnauthorized, msgInvalidToken)
	}
	if s.opts.Behaviour.DisableAPIKeys {
		return nil, false, detailResp(http.StatusForbidden, msgAPIKeyNotAllowed)
	}
	return u, false, nil
}

// sessionUser resolves a JWT-like token issued by IssueSession. Anything
// else cannot be decoded: 401 "401 Unauthorized" on 0.12.4.
func (s *Server) sessionUser(token string) (*user, bool, *response) {
	s.mu.Lock()
	uid, ok := s.sessions[token]
	s.mu.Unlock()
	if !ok {
		msg := msgUnauthorized
		if s.opts.Behaviour.JWTErrorSaysInvalidToken {
			msg = msgInvalidJWT
		}
		return nil, false, detailResp(http.StatusUnauthorized, msg)
	}
	if u := s.userByID(uid); u != nil {
		return u, true, nil
	}
	// A well-formed token for a user that does not exist.
	return nil, false, detailResp(http.StatusUnauthorized, msgInvalidToken)
}

// sessionHeader is the (constant) first part of every issued token, the
// base64url of {"alg":"HS256","typ":"JWT"}, so tokens look like JWTs.
const sessionHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

// IssueSession returns a new session token for userID ("u-admin" and
// "u-alice" exist), standing in for the JWT a browser login yields. It is
// never an sk- key: the fake accepts it like a JWT, on the models routes and
// on GET /api/v1/auths/, which on 0.12.4 refuses sk- keys. A token for an
// unknown user id is answered with 401 INVALID_TOKEN, as a JWT of a deleted
// user is. Tokens stay valid for the life of the Server.
func (s *Server) IssueSession(userID string) string {
	var sig [24]byte
	if _, err := rand.Read(sig[:]); err != nil {
		panic(fmt.Sprintf("fakeowui: random session signature: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	payload, err := json.Marshal(map[string]any{"id": userID, "n": len(s.sessions) + 1})
	if err != nil {
		panic(fmt.Sprintf("fakeowui: session payload: %v", err))
	}
	enc := base64.RawURLEncoding
	token := sessionHeader + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString(sig[:])
	s.sessions[token] = userID
	return token
}

// RevokeSession makes a token IssueSession returned invalid from now on, as
// a logout or a deleted user does to a real JWT.
func (s *Server) RevokeSession(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, token)
}

func (s *Server) bypass(u *user) bool {
	return u.admin() && !s.opts.Behaviour.NoAdminBypass
}

// hasGrant reports whether one of the row's grants gives u the permission.
// A write grant also counts as read: the doc lists "read or write grant"
// as enough to GET a model.
func hasGrant(u *user, r *row, perm string) bool {
	return grantMatch(u, r, func(p string) bool { return p == "write" || perm == "read" })
}

// hasExactGrant is AccessGrants.has_access: a grant with exactly that
// permission (the profile image checks "read" this way).
func hasExactGrant(u *user, r *row, perm string) bool {
	return grantMatch(u, r, func(p string) bool { return p == perm })
}

func grantMatch(u *user, r *row, permOK func(string) bool) bool {
	for _, g := range r.grants {
		if !permOK(g.Permission) {
			continue
		}
		switch g.PrincipalType {
		case "user":
			if g.PrincipalID == u.ID || g.PrincipalID == "*" {
				return true
			}
		case "group":
			if slices.Contains(u.Groups, g.PrincipalID) {
				return true
			}
		}
	}
	return false
}

// canRead is the read rule of list, get, tags.
func (s *Server) canRead(u *user, r *row) bool {
	return s.bypass(u) || r.userID == u.ID || hasGrant(u, r, "read")
}

// canList is the rule of list and tags on 0.12.4: owner, admin bypass, or
// a grant of exactly read; a write-only grantee may GET the model but does
// not see it listed.
func (s *Server) canList(u *user, r *row) bool {
	return s.bypass(u) || r.userID == u.ID || hasExactGrant(u, r, "read")
}

// canWrite is the write_access flag and the export and history rule.
func (s *Server) canWrite(u *user, r *row) bool {
	return s.bypass(u) || r.userID == u.ID || hasGrant(u, r, "write")
}

// canModify is the rule of toggle, update, delete, import and
// access/update, which always let admins through whatever the bypass
// setting.
func canModify(u *user, r *row) bool {
	return u.admin() || r.userID == u.ID || hasGrant(u, r, "write")
}

func (s *Server) perms() Permissions {
	if s.opts.UserPermissions != nil {
		return *s.opts.UserPermissions
	}
	return DefaultPermissions()
}

// normalizeGrants turns form items into grants like
// normalize_access_grants, silently dropping malformed items and
// duplicates: the principal must be user or group (or anyone, only as
// anyone:*:read), the permission read or write, the principal id a
// non-empty string.
func normalizeGrants(items []any) []Grant {
	out := []Grant{}
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		pt, _ := m["principal_type"].(string)
		pid, _ := m["principal_id"].(string)
		perm, _ := m["permission"].(string)
		switch {
		case pt != "user" && pt != "group" && pt != "anyone",
			perm != "read" && perm != "write",
			pid == "",
			pt == "anyone" && (pid != "*" || perm != "read"):
			continue
		}
		g := Grant{PrincipalType: pt, PrincipalID: pid, Permission: perm}
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// allowedGrants is filter_allowed_access_grants for models: "anyone"
// grants are never allowed, admins keep the rest, and a non-admin keeps
// nothing without sharing.models (0.12.4) and otherwise only the audiences
// its permissions allow. Create and import apply it silently;
// access/update rejects the request when it drops anything.
func (s *Server) allowedGrants(u *user, gs []Grant) []Grant {
	out := []Grant{}
	for _, g := range gs {
		if g.PrincipalType != "anyone" {
			out = append(out, g)
		}
	}
	if u.admin() || len(out) == 0 {
		return out
	}
	p := s.perms()
	if !p.ShareModels && !s.opts.Behaviour.NoSharingModelsPermission {
		return []Grant{}
	}
	kept := []Grant{}
	for _, g := range out {
		switch {
		case g.PrincipalType == "user" && g.PrincipalID == "*":
			if !p.PublicModels {
				continue
			}
		case g.PrincipalType == "user":
			if !p.AllowUsers {
				continue
			}
		case g.PrincipalType == "group":
			if !p.AllowGroups {
				continue
			}
		}
		kept = append(kept, g)
	}
	return kept
}
