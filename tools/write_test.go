package tools

import (
	"encoding/json"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

func body(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %s: %v", b, err)
	}
	return m
}

func TestCreateModelSendsCompleteForm(t *testing.T) {
	e := newEnv(t)
	var out schemas.Outcome
	e.ok("create_model", map[string]any{
		"id": "team/new:v1", "name": "New", "base_model_id": "gpt-4o", "description": "d",
		"tags": "ops", "system": "be brief", "params": map[string]any{"temperature": 0.5},
	}, &out)
	w := e.writes()
	if len(w) != 1 || w[0].Path != "/api/v1/models/create" {
		t.Fatalf("writes: %+v", w)
	}
	got := body(t, w[0].Body)
	want := map[string]any{
		"id": "team/new:v1", "name": "New", "base_model_id": "gpt-4o", "is_active": true,
		"meta":          map[string]any{"description": "d", "tags": []any{map[string]any{"name": "ops"}}},
		"params":        map[string]any{"system": "be brief", "temperature": 0.5},
		"access_grants": []any{},
		// The fake reports 0.12.4, so the default history note is sent.
		"commit_message": "create_model via owui-mcp (test)",
	}
	if !equalJSON(got, want) {
		t.Errorf("create body\n got %s\nwant %s", compactJSON(got), compactJSON(want))
	}
	if out.Status != "done" || out.Result == nil || out.Result.Model.ID != "team/new:v1" {
		t.Errorf("outcome: %+v", out)
	}
}

func TestCreateModelChecksIDBeforeSending(t *testing.T) {
	e := newEnv(t)
	long := make([]byte, 257)
	for i := range long {
		long[i] = 'a'
	}
	msg := e.fail("create_model", map[string]any{"id": string(long), "name": "x"})
	mustContain(t, msg, `"id" must be at most 256 characters`)
	msg = e.fail("create_model", map[string]any{"id": "", "name": "x"})
	mustContain(t, msg, `"id" must not be empty`)
	msg = e.fail("create_model", map[string]any{"name": "x", "colour": "red"})
	mustContain(t, msg, `"id" is required`, `"colour" is not an argument here (valid: id, name,`)
	if w := e.writes(); len(w) != 0 {
		t.Errorf("a half-built request went upstream: %+v", w)
	}
}

func TestUpdateModelIsPartialAndKeepsGrants(t *testing.T) {
	e := newEnv(t)
	before, _ := e.fake.Model("team/support-bot:v2")
	var out schemas.Outcome
	e.ok("update_model", map[string]any{"id": "team/support-bot:v2", "name": "Support Bot v3", "params": map[string]any{"temperature": 0.9, "system": nil}}, &out)
	w := e.writes()
	if len(w) != 1 || w[0].Path != "/api/v1/models/model/update" {
		t.Fatalf("writes: %+v", w)
	}
	got := body(t, w[0].Body)
	if got["name"] != "Support Bot v3" || got["is_active"] != true || got["base_model_id"] != "gpt-4o" {
		t.Errorf("body: %s", compactJSON(got))
	}
	params := got["params"].(map[string]any)
	if params["temperature"] != 0.9 || params["system"] != nil {
		t.Errorf("params not merged: %v", params)
	}
	grants, _ := got["access_grants"].([]any)
	if len(grants) != 2 {
		t.Fatalf("current grants were not re-sent: %s", compactJSON(got["access_grants"]))
	}
	for _, g := range grants {
		if len(g.(map[string]any)) != 3 {
			t.Errorf("grant not reduced to principal_type, principal_id, permission: %v", g)
		}
	}
	after, _ := e.fake.Model("team/support-bot:v2")
	if len(after.AccessGrants) != len(before.AccessGrants) || after.Name != "Support Bot v3" {
		t.Errorf("after update: %+v", after)
	}
	if out.Backup == "" {
		t.Errorf("no backup of the previous record")
	}
}

func TestUpdateKeepsDisabledState(t *testing.T) {
	e := newEnv(t)
	e.ok("update_model", map[string]any{"id": "legacy-faq-bot", "description": "still off"}, nil)
	got := body(t, e.writes()[0].Body)
	if got["is_active"] != false {
		t.Errorf("is_active must be sent as stored (false): %v", got["is_active"])
	}
}

func TestUpdateRefusesWithoutWriteAccess(t *testing.T) {
	e := newEnv(t, withKey(fakeowui.UserKey))
	// Alice can read release notes (public) but not write it.
	msg := e.fail("update_model", map[string]any{"id": "release notes v1.2", "name": "x"})
	mustContain(t, msg, "no write access", "Nothing was sent")
	if w := e.writes(); len(w) != 0 {
		t.Errorf("writes: %+v", w)
	}
}

func TestUpdateNoChangeSendsNothing(t *testing.T) {
	e := newEnv(t)
	var out schemas.Outcome
	e.ok("update_model", map[string]any{"id": "code-reviewer", "name": "Code Reviewer"}, &out)
	if len(e.writes()) != 0 || out.Status != "done" {
		t.Errorf("no-op update sent %+v, outcome %+v", e.writes(), out)
	}
}

func TestAccessGrantsNeedTheFlag(t *testing.T) {
	e := newEnv(t, withOptions(Options{Confirm: ConfirmToken}))
	grants := []any{map[string]any{"principal_type": "group", "principal_id": "g-eng", "permission": "read"}}
	for _, tool := range []string{"create_model", "update_model"} {
		msg := e.fail(tool, map[string]any{"id": "code-reviewer", "name": "x", "access_grants": grants})
		mustContain(t, msg, "--allow-access-changes")
	}
	if len(e.fake.Requests()) != 0 {
		t.Errorf("requests sent: %+v", e.fake.Requests())
	}
}

func TestToggleModel(t *testing.T) {
	e := newEnv(t)
	var out schemas.Outcome
	e.ok("toggle_model", map[string]any{"id": "legacy-faq-bot", "active": true}, &out)
	w := e.writes()
	if len(w) != 1 || w[0].Path != "/api/v1/models/model/toggle" || w[0].RawQuery != "id=legacy-faq-bot" || len(w[0].Body) != 0 {
		t.Fatalf("writes: %+v", w)
	}
	if m, _ := e.fake.Model("legacy-faq-bot"); !m.IsActive || !out.Result.Model.IsActive {
		t.Errorf("not enabled")
	}
	e.fake.ResetRequests()
	e.ok("toggle_model", map[string]any{"id": "legacy-faq-bot", "active": "true"}, &out)
	if len(e.writes()) != 0 {
		t.Errorf("toggle to the current state sent %+v", e.writes())
	}
	e.ok("toggle_model", map[string]any{"id": "legacy-faq-bot", "dry_run": true}, &out)
	if out.Status != "dry_run" || len(e.writes()) != 0 {
		t.Errorf("dry run: %+v, writes %+v", out, e.writes())
	}
}

func TestUpdatePreview(t *testing.T) {
	r := g("group", "g1", "read")
	cur := owui.Model{ID: "m", Name: "M", Meta: owui.EmptyObject(), Params: owui.EmptyObject()}
	renamed := schemas.FieldChange{ID: "m", Field: "name", Before: "M", After: "M2"}
	cases := []struct {
		name    string
		after   []owui.Grant
		changes []schemas.FieldChange
		grants  bool
		noop    bool
		access  int
		summary string
	}{
		{"fields only", nil, []schemas.FieldChange{renamed}, false, false, 0, `update model "m": 1 field change(s)`},
		{"same values", nil, nil, false, true, 0, `model "m" already has these values`},
		{"same grants given", nil, nil, true, true, 0, `model "m" already has these values`},
		{"grants shared", []owui.Grant{r}, nil, true, false, 1, `update model "m": 0 field change(s), access private → group "g1" (read)`},
		{"grants in the form but not given are not shown", []owui.Grant{r}, nil, false, true, 0, `model "m" already has these values`},
	}
	for _, c := range cases {
		f := cur.Form()
		f.AccessGrants = c.after
		pv, noop := updatePreview(cur, f, c.changes, "bob", nil, c.grants)
		if noop != c.noop || len(pv.Access) != c.access || pv.Summary != c.summary || len(pv.Changes) != len(c.changes) ||
			len(pv.Models) != 1 || pv.Models[0].Owner != "bob" || pv.Models[0].Effect != "update" {
			t.Errorf("%s: noop %v access %+v summary %q models %+v", c.name, noop, pv.Access, pv.Summary, pv.Models)
		}
	}
}
