package tools

import "testing"

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
