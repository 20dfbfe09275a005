package fakeowui

import (
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

// authenticate mirrors utils/auth.py: bearer header first, then the
// x-api-key header (0.9.2+), then the "token" cookie. It returns the user or
// the error response Open WebUI would give.
func (s *Server) authenticate(r *http.Request) (*user, *response) {
	token := ""
	if scheme, rest, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "bearer") {
		token = strings.TrimSpace(rest)
	}
	if token == "" {
		token = r.Header.Get("X-Api-Key")
	}
	if token == "" {
		if c, err := r.Cookie("token"); err == nil {
			token = c.Value
		}
	}
	if token == "" {
		return nil, detailResp(http.StatusUnauthorized, msgNotAuthenticated)
	}
	if !strings.HasPrefix(token, "sk-") {
		// Anything else would be a JWT; the fake issues none.
		return nil, detailResp(http.StatusUnauthorized, msgInvalidJWT)
	}
	if s.opts.Behaviour.DisableAPIKeys {
		return nil, detailResp(http.StatusForbidden, msgAPIKeyNotAllowed)
	}
	if u, ok := s.users[token]; ok {
		return u, nil
	}
	return nil, detailResp(http.StatusUnauthorized, msgInvalidToken)
}

func (s *Server) bypass(u *user) bool {
	return u.admin() && !s.opts.Behaviour.NoAdminBypass
}

// hasGrant reports whether one of the row's grants gives u the permission.
// A write grant also counts as read: the doc lists "read or write grant"
// as enough to GET a model.
func hasGrant(u *user, r *row, perm string) bool {
	for _, g := range r.grants {
		if perm == "write" && g.Permission != "write" {
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

// canWrite is the write_access flag and the export rule.
func (s *Server) canWrite(u *user, r *row) bool {
	return s.bypass(u) || r.userID == u.ID || hasGrant(u, r, "write")
}

// canModify is the rule of toggle, update, delete and access/update, which
// always let admins through whatever the bypass setting.
func canModify(u *user, r *row) bool {
	return u.admin() || r.userID == u.ID || hasGrant(u, r, "write")
}

func (s *Server) perms() Permissions {
	if s.opts.UserPermissions != nil {
		return *s.opts.UserPermissions
	}
	return DefaultPermissions()
}

// normalizeGrants turns form items into grants, silently dropping invalid
// ones and duplicates, like AccessGrants.set_access_grants. The "anyone"
// principal is valid in 0.11.0 but the models router never allows it.
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
		if (pt != "user" && pt != "group") || (perm != "read" && perm != "write") || pid == "" {
			continue
		}
		g := Grant{PrincipalType: pt, PrincipalID: pid, Permission: perm}
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// filterGrants drops, for non-admins, the grants their permissions do not
// allow; Open WebUI does this silently on create, update, import and
// access/update.
func (s *Server) filterGrants(u *user, gs []Grant) []Grant {
	if u.admin() {
		return gs
	}
	p := s.perms()
	out := []Grant{}
	for _, g := range gs {
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
		out = append(out, g)
	}
	return out
}
