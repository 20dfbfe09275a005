package tools

import (
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
)

func TestAccessPreviewModesAndWriteOnlyWarning(t *testing.T) {
	e := newEnv(t)
	write := []any{map[string]any{"principal_type": "group", "principal_id": "g-ops", "permission": "write"}}
	p := e.preview("update_model_access", map[string]any{"id": "code-reviewer", "access_grants": write, "mode": "add"})
	a := p.Preview.Access[0]
	if len(a.Before) != 1 || len(a.After) != 2 || len(a.Gains) != 1 || len(a.Loses) != 0 {
		t.Errorf("add: %+v", a)
	}
	if len(p.Preview.Warnings) != 1 {
		t.Fatalf("no write-without-read warning: %+v", p.Preview.Warnings)
	}
	mustContain(t, p.Preview.Warnings[0], `group "g-ops" gets write without read`)

	rm := []any{map[string]any{"principal_type": "user", "principal_id": "u-alice", "permission": "read"}}
	p = e.preview("update_model_access", map[string]any{"id": "code-reviewer", "access_grants": rm, "mode": "remove"})
	a = p.Preview.Access[0]
	if len(a.After) != 0 || len(a.Loses) != 1 || p.Preview.Summary != `access of "code-reviewer": user "alice@example.com" (read) → private` {
		t.Errorf("remove: %+v / %s", a, p.Preview.Summary)
	}
	e.ok("update_model_access", map[string]any{"id": "code-reviewer", "access_grants": rm, "mode": "remove", "confirm_token": p.ConfirmToken}, nil)
	w := e.writes()
	if len(w) != 1 || w[0].Path != "/api/v1/models/model/access/update" {
		t.Fatalf("writes: %+v", w)
	}
	mustContain(t, string(w[0].Body), `"id":"code-reviewer"`, `"access_grants":[]`)
	if m, _ := e.fake.Model("code-reviewer"); len(m.AccessGrants) != 0 {
		t.Errorf("grants after remove: %+v", m.AccessGrants)
	}
}

func TestApplyGrantMode(t *testing.T) {
	r, w := g("group", "g1", "read"), g("group", "g1", "write")
	u := g("user", "u1", "read")
	cases := []struct {
		name     string
		cur, req []owui.Grant
		mode     string
		want     []owui.Grant
	}{
		{"add merges, sorted, no duplicates", []owui.Grant{w, r}, []owui.Grant{u, r}, "add", []owui.Grant{r, w, u}},
		{"add to private", nil, []owui.Grant{u}, "add", []owui.Grant{u}},
		{"add nothing new", []owui.Grant{r}, []owui.Grant{r}, "add", []owui.Grant{r}},
		{"remove some", []owui.Grant{r, w, u}, []owui.Grant{w}, "remove", []owui.Grant{r, u}},
		{"remove absent grant", []owui.Grant{r}, []owui.Grant{u}, "remove", []owui.Grant{r}},
		{"remove last makes private", []owui.Grant{r}, []owui.Grant{r}, "remove", nil},
		{"replace (default mode)", []owui.Grant{r, w}, []owui.Grant{u, u}, "", []owui.Grant{u}},
		{"replace explicitly", []owui.Grant{r}, []owui.Grant{w, r}, "replace", []owui.Grant{r, w}},
		{"replace with none makes private", []owui.Grant{r}, nil, "replace", nil},
	}
	for _, c := range cases {
		got := applyGrantMode(c.cur, c.req, c.mode)
		if !equalJSON(got, c.want) || len(got) != len(c.want) {
			t.Errorf("%s: applyGrantMode(%v, %v, %q) = %v; want %v", c.name, c.cur, c.req, c.mode, got, c.want)
		}
	}
}

func TestAccessPreview(t *testing.T) {
	r := g("group", "g1", "read")
	cases := []struct {
		name          string
		before, after []owui.Grant
		stored        bool
		noop          bool
		summary       string
		warnings      int
	}{
		{"stored, changed", nil, []owui.Grant{r}, true, false, `access of "m": private → group "g1" (read)`, 0},
		{"stored, unchanged", []owui.Grant{r}, []owui.Grant{r}, true, true, `access of "m" is already group "g1" (read)`, 0},
		{"not stored is created, never a no-op", nil, nil, false, false, `access of "m": private → private`, 1},
	}
	for _, c := range cases {
		pv, noop := accessPreview("m", c.before, c.after, nil, c.stored)
		if noop != c.noop || pv.Summary != c.summary || len(pv.Warnings) != c.warnings || len(pv.Access) != 1 || pv.Access[0].Before == nil || pv.Access[0].After == nil {
			t.Errorf("%s: noop %v summary %q warnings %v access %+v", c.name, noop, pv.Summary, pv.Warnings, pv.Access)
		}
	}
}
