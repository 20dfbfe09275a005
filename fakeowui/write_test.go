package fakeowui

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	createPath = "/api/v1/models/create"
	updatePath = "/api/v1/models/model/update"
	togglePath = "/api/v1/models/model/toggle"
	deletePath = "/api/v1/models/model/delete"
	accessPath = "/api/v1/models/model/access/update"
	importPath = "/api/v1/models/import"
	syncPath   = "/api/v1/models/sync"
	unloadPath = "/api/models/unload"
)

func newModelBody(id string) body {
	return body{"id": id, "base_model_id": "gpt-4o", "name": "New " + id, "meta": body{}, "params": body{}}
}

func TestCreate(t *testing.T) {
	h := newHarness(t, true, Options{})
	long := strings.Repeat("x", 257)
	tests := []struct {
		name   string
		key    string
		body   any
		status int
		detail string
	}{
		{"admin creates a custom model", AdminKey, newModelBody("ops/new:1"), 200, ""},
		{"256 characters is fine", AdminKey, newModelBody(strings.Repeat("y", 256)), 200, ""},
		{"non-admin without workspace.models", UserKey, newModelBody("alice-new"), 401, msgUnauthorized},
		{"taken id is 401, not 409", AdminKey, newModelBody("code-reviewer"), 401, msgModelIDTaken},
		{"id too long", AdminKey, newModelBody(long), 400, msgModelIDTooLong},
		{"empty id", AdminKey, newModelBody(""), 400, msgModelIDTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, h.do("POST", createPath, tc.key, tc.body), tc.status, ctJSON, tc.detail)
		})
	}

	r := h.do("POST", createPath, AdminKey, body{
		"id": "shape", "name": "Shape", "base_model_id": "llama3.1:8b",
		"meta":          body{"tags": []any{"plain", body{"name": "object"}}, "profile_image_url": "data:image/svg+xml;base64,AAAA", "extra": 1},
		"params":        body{"temperature": 0.5},
		"access_grants": []any{body{"principal_type": "group", "principal_id": "g-eng", "permission": "read"}},
		"unknown_key":   "ignored",
	})
	expect(t, r, 200, ctJSON, "")
	o := r.obj(t)
	mustEqual(t, o["user_id"], "u-admin")
	mustEqual(t, o["is_active"], true)
	mustEqual(t, o["created_at"], float64(testStart))
	mustEqual(t, o["updated_at"], float64(testStart))
	mustEqual(t, o["meta"], map[string]any{
		"tags":              []any{map[string]any{"name": "plain"}, map[string]any{"name": "object"}},
		"profile_image_url": nil, // SVG is not an allowed image: silently cleared
		"extra":             float64(1),
	})
	g := o["access_grants"].([]any)[0].(map[string]any)
	mustEqual(t, g["resource_type"], "model")
	mustEqual(t, g["resource_id"], "shape")
	mustEqual(t, g["created_at"], float64(testStart))
	if g["id"] == "" {
		t.Fatal("grant has no id")
	}
	if _, has := o["write_access"]; has {
		t.Fatal("ModelModel must not carry write_access")
	}
	m, ok := h.fake.Model("shape")
	if !ok || len(m.AccessGrants) != 1 {
		t.Fatalf("stored model: %+v", m)
	}

	// No base_model_id creates a base-model row.
	expect(t, h.do("POST", createPath, AdminKey, body{"id": "gpt-4o-mini", "name": "Mini", "meta": body{}, "params": body{}}), 200, ctJSON, "")
	if !strings.Contains(string(h.do("GET", "/api/v1/models/base", AdminKey, nil).body), `"gpt-4o-mini"`) {
		t.Fatal("base row not listed by /base")
	}
}

func TestCreateValidation(t *testing.T) {
	h := newHarness(t, true, Options{})
	tests := []struct {
		name string
		key  string
		body any
		typ  string
		loc  []any
	}{
		{"malformed JSON, even without credentials", "", `{"id": `, "json_invalid", nil},
		{"no body", AdminKey, nil, "missing", []any{"body"}},
		{"array body", AdminKey, []any{1}, "model_attributes_type", []any{"body"}},
		{"missing name", AdminKey, body{"id": "x", "meta": body{}, "params": body{}}, "missing", []any{"body", "name"}},
		{"missing meta", AdminKey, body{"id": "x", "name": "x", "params": body{}}, "missing", []any{"body", "meta"}},
		{"id not a string", AdminKey, body{"id": 5, "name": "x", "meta": body{}, "params": body{}}, "string_type", []any{"body", "id"}},
		{"null access_grants", AdminKey, body{"id": "x", "name": "x", "meta": body{}, "params": body{}, "access_grants": nil}, "list_type", []any{"body", "access_grants"}},
		{"bad is_active", AdminKey, body{"id": "x", "name": "x", "meta": body{}, "params": body{}, "is_active": "maybe"}, "bool_parsing", []any{"body", "is_active"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect422(t, h.do("POST", createPath, tc.key, tc.body), tc.typ, tc.loc...)
		})
	}
	if _, ok := h.fake.Model("x"); ok {
		t.Fatal("an invalid create stored a row")
	}
	// Without auth a well-formed body is an auth error, not a 422.
	expect(t, h.do("POST", createPath, "", body{}), 401, ctJSON, msgNotAuthenticated)
}

func TestCreateNonAdminGrantFiltering(t *testing.T) {
	grants := []any{
		body{"principal_type": "user", "principal_id": "*", "permission": "read"},
		body{"principal_type": "group", "principal_id": "g-eng", "permission": "write"},
		body{"principal_type": "user", "principal_id": "u-admin", "permission": "read"},
		body{"principal_type": "group", "principal_id": "g-eng", "permission": "write"}, // duplicate
		body{"principal_type": "anyone", "principal_id": "*", "permission": "read"},     // never allowed here
		body{"principal_type": "user", "principal_id": "", "permission": "read"},        // invalid
		body{"principal_type": "group", "principal_id": "g-x", "permission": "admin"},   // invalid
	}
	tests := []struct {
		name  string
		perms Permissions
		want  []Grant
	}{
		{"defaults drop public", Permissions{WorkspaceModels: true, AllowUsers: true, AllowGroups: true},
			[]Grant{{"group", "g-eng", "write"}, {"user", "u-admin", "read"}}},
		{"public sharing allowed", Permissions{WorkspaceModels: true, PublicModels: true, AllowUsers: true, AllowGroups: true},
			[]Grant{{"user", "*", "read"}, {"group", "g-eng", "write"}, {"user", "u-admin", "read"}}},
		{"no user or group sharing", Permissions{WorkspaceModels: true}, []Grant{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, false, Options{UserPermissions: &tc.perms})
			b := newModelBody("mine")
			b["access_grants"] = grants
			r := h.do("POST", createPath, UserKey, b)
			expect(t, r, 200, ctJSON, "")
			mustEqual(t, r.obj(t)["user_id"], "u-alice")
			m, _ := h.fake.Model("mine")
			mustEqual(t, m.AccessGrants, tc.want)
		})
	}
	// Admins keep every valid grant.
	h := newHarness(t, false, Options{})
	b := newModelBody("admins")
	b["access_grants"] = grants
	h.do("POST", createPath, AdminKey, b)
	m, _ := h.fake.Model("admins")
	if len(m.AccessGrants) != 3 {
		t.Fatalf("admin grants: %+v", m.AccessGrants)
	}
}

func TestCreateTakenStatusKnob(t *testing.T) {
	h := newHarness(t, true, Options{Behaviour: Behaviour{ModelIDTakenStatus: 400}})
	expect(t, h.do("POST", createPath, AdminKey, newModelBody("code-reviewer")), 400, ctJSON, msgModelIDTaken)
}

// updateBody is what a careful client sends: the full form.
func updateBody(id string) body {
	return body{
		"id": id, "base_model_id": "gpt-4o", "name": "Renamed", "meta": body{"description": "new"},
		"params": body{"temperature": 0.9}, "access_grants": []any{}, "is_active": true,
	}
}

func TestUpdateErrors(t *testing.T) {
	h := newHarness(t, true, Options{})
	omitted := updateBody("code-reviewer")
	delete(omitted, "access_grants")
	null := updateBody("code-reviewer")
	null["access_grants"] = nil
	tests := []struct {
		name   string
		key    string
		body   any
		status int
		ctype  string
		detail string
	}{
		{"not found is 401", AdminKey, updateBody("nope"), 401, ctJSON, msgNotFound},
		{"read-only caller is 400", UserKey, updateBody("code-reviewer"), 400, ctJSON, msgAccessProhibited},
		{"invisible model is 400 too", UserKey, updateBody("legal-clause-checker"), 400, ctJSON, msgAccessProhibited},
		{"omitted access_grants is a plain-text 500", AdminKey, omitted, 500, "text/plain", ""},
		{"null access_grants is 422", AdminKey, null, 422, ctJSON, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("POST", updatePath, tc.key, tc.body)
			expect(t, r, tc.status, tc.ctype, tc.detail)
			if tc.status == 500 && string(r.body) != "Internal Server Error" {
				t.Fatalf("500 body = %q", r.body)
			}
		})
	}
	expect422(t, h.do("POST", updatePath, AdminKey, null), "list_type", "body", "access_grants")
	m, _ := h.fake.Model("code-reviewer")
	if m.Name != "Code Reviewer" || len(m.AccessGrants) != 1 {
		t.Fatalf("a failed update changed the row: %+v", m)
	}
}

func TestUpdateSemantics(t *testing.T) {
	h := newHarness(t, true, Options{})
	before, _ := h.fake.Model("meeting-summarizer")
	h.clock.Advance(time.Hour)

	// Full replace: params and meta replaced, is_active defaulted, but
	// base_model_id and meta.profile_image_url preserved when absent.
	r := h.do("POST", updatePath, AdminKey, body{
		"id": "meeting-summarizer", "name": "Minutes", "meta": body{"description": "x"}, "params": body{},
		"access_grants": []any{body{"principal_type": "user", "principal_id": "u-alice", "permission": "write"}},
	})
	expect(t, r, 200, ctJSON, "")
	after, _ := h.fake.Model("meeting-summarizer")
	mustEqual(t, after.Name, "Minutes")
	mustEqual(t, after.Params, map[string]any{})
	mustEqual(t, after.Meta, map[string]any{"description": "x", "profile_image_url": demoAvatar})
	mustEqual(t, after.BaseModelID, before.BaseModelID)
	mustEqual(t, after.AccessGrants, []Grant{{"user", "u-alice", "write"}})
	mustEqual(t, after.UserID, "u-admin")
	mustEqual(t, after.CreatedAt, before.CreatedAt)
	mustEqual(t, after.UpdatedAt, testStart+3600)
	mustEqual(t, r.obj(t)["updated_at"], float64(testStart+3600))

	// Omitting is_active re-enables a disabled model.
	b := updateBody("legacy-faq-bot")
	delete(b, "is_active")
	expect(t, h.do("POST", updatePath, AdminKey, b), 200, ctJSON, "")
	if m, _ := h.fake.Model("legacy-faq-bot"); !m.IsActive {
		t.Fatal("omitted is_active must mean true")
	}

	// Explicit nulls: the image is cleared, and the model becomes a base row.
	b = updateBody("translator-fr")
	b["base_model_id"] = nil
	b["meta"] = body{"profile_image_url": nil}
	expect(t, h.do("POST", updatePath, AdminKey, b), 200, ctJSON, "")
	m, _ := h.fake.Model("translator-fr")
	if m.BaseModelID != nil || m.Meta["profile_image_url"] != nil {
		t.Fatalf("explicit nulls not applied: %+v", m)
	}
	if strings.Contains(string(h.do("GET", listPath+"?query=Renamed", AdminKey, nil).body), "translator-fr") {
		t.Fatal("a base row must leave /list")
	}

	// A group write grant lets Alice update; her public grant is filtered.
	b = updateBody("team/support-bot:v2")
	b["access_grants"] = []any{body{"principal_type": "user", "principal_id": "*", "permission": "read"}}
	expect(t, h.do("POST", updatePath, UserKey, b), 200, ctJSON, "")
	m, _ = h.fake.Model("team/support-bot:v2")
	mustEqual(t, m.AccessGrants, []Grant{})
	mustEqual(t, m.UserID, "u-admin")
}

func TestUpdateGrantKnobs(t *testing.T) {
	h := newHarness(t, true, Options{Behaviour: Behaviour{UpdateKeepsOmittedGrants: true, UpdateNullKeepsGrants: true}})
	omitted := updateBody("code-reviewer")
	delete(omitted, "access_grants")
	null := updateBody("code-reviewer")
	null["access_grants"] = nil
	for _, b := range []body{omitted, null} {
		expect(t, h.do("POST", updatePath, AdminKey, b), 200, ctJSON, "")
		m, _ := h.fake.Model("code-reviewer")
		mustEqual(t, m.AccessGrants, []Grant{{"user", "u-alice", "read"}})
	}
}

func TestToggle(t *testing.T) {
	h := newHarness(t, true, Options{Behaviour: Behaviour{NoAdminBypass: true}})
	tests := []struct {
		name, key, id string
		status        int
		detail        string
		active        bool
	}{
		{"admin disables", AdminKey, "code-reviewer", 200, "", false},
		{"admin re-enables a disabled model", AdminKey, "legacy-faq-bot", 200, "", true},
		{"admin always may, even without the bypass", AdminKey, "sql-helper", 200, "", false},
		{"group write grant", UserKey, "incident-commander", 200, "", false},
		{"read-only caller", UserKey, "release notes v1.2", 401, msgUnauthorized, false},
		{"not found", AdminKey, "nope", 401, msgNotFound, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.clock.Advance(time.Second)
			r := h.do("POST", idQuery(togglePath, tc.id), tc.key, nil)
			expect(t, r, tc.status, ctJSON, tc.detail)
			if tc.status != 200 {
				return
			}
			o := r.obj(t)
			mustEqual(t, o["is_active"], tc.active)
			mustEqual(t, o["updated_at"], float64(h.clock.Now().Unix()))
			if _, has := o["write_access"]; has {
				t.Fatal("toggle returns ModelResponse, without write_access")
			}
		})
	}
	expect422(t, h.do("POST", togglePath, AdminKey, nil), "missing", "query", "id")
}

func TestDelete(t *testing.T) {
	h := newHarness(t, true, Options{})
	tests := []struct {
		name, key string
		body      any
		status    int
		detail    string
	}{
		{"owner deletes", UserKey, body{"id": "sql-helper"}, 200, ""},
		{"admin deletes id with space", AdminKey, body{"id": "release notes v1.2"}, 200, ""},
		{"group write grant", UserKey, body{"id": "incident-commander"}, 200, ""},
		{"read-only caller", UserKey, body{"id": "code-reviewer"}, 401, msgUnauthorized},
		{"not found", AdminKey, body{"id": "sql-helper"}, 401, msgNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("POST", deletePath, tc.key, tc.body)
			expect(t, r, tc.status, ctJSON, tc.detail)
			if tc.status == 200 {
				mustEqual(t, r.json(t), true)
				if _, ok := h.fake.Model(tc.body.(body)["id"].(string)); ok {
					t.Fatal("row still there")
				}
			}
		})
	}
	expect422(t, h.do("POST", deletePath, AdminKey, body{}), "missing", "body", "id")
	// The pre-0.6.37 form is gone.
	expect(t, h.do("DELETE", idQuery(deletePath, "code-reviewer"), AdminKey, nil), 405, ctJSON, "Method Not Allowed")
}

func TestDeleteAll(t *testing.T) {
	h := newHarness(t, true, Options{})
	r := h.do("DELETE", "/api/v1/models/delete/all", AdminKey, nil)
	expect(t, r, 200, ctJSON, "")
	mustEqual(t, r.json(t), true)
	if n := len(h.fake.Models()); n != 0 {
		t.Fatalf("%d rows left", n)
	}
	// Provider models are not rows.
	if n := len(h.do("GET", "/api/models/base", AdminKey, nil).obj(t)["data"].([]any)); n != 4 {
		t.Fatalf("provider list has %d models", n)
	}
}

func TestAccessUpdate(t *testing.T) {
	h := newHarness(t, true, Options{})
	h.clock.Advance(time.Minute)
	now := float64(testStart + 60)
	grants := []any{
		body{"principal_type": "group", "principal_id": "g-eng", "permission": "read"},
		body{"principal_type": "group", "principal_id": "g-eng", "permission": "read"},
		body{"principal_type": "anyone", "principal_id": "*", "permission": "read"},
		body{"principal_type": "user", "principal_id": "u-alice", "permission": "edit"},
	}
	r := h.do("POST", accessPath, AdminKey, body{"id": "code-reviewer", "access_grants": grants})
	expect(t, r, 200, ctJSON, "")
	o := r.obj(t)
	mustEqual(t, o["updated_at"], now)
	gs := o["access_grants"].([]any)
	if len(gs) != 1 || gs[0].(map[string]any)["principal_id"] != "g-eng" || gs[0].(map[string]any)["resource_id"] != "code-reviewer" {
		t.Fatalf("grants = %v", gs)
	}

	// An admin sharing a provider model with no row creates a base row.
	r = h.do("POST", accessPath, AdminKey, body{"id": "gpt-4o-mini", "name": "GPT-4o mini", "access_grants": []any{
		body{"principal_type": "user", "principal_id": "*", "permission": "read"},
	}})
	expect(t, r, 200, ctJSON, "")
	m, ok := h.fake.Model("gpt-4o-mini")
	if !ok || m.BaseModelID != nil || m.Name != "GPT-4o mini" || m.UserID != "u-admin" || !m.IsActive {
		t.Fatalf("auto-created row: %+v", m)
	}
	h.do("POST", accessPath, AdminKey, body{"id": "fresh", "access_grants": []any{}})
	if m, _ := h.fake.Model("fresh"); m.Name != "fresh" {
		t.Fatalf("name defaults to the id, got %q", m.Name)
	}

	tests := []struct {
		name, key string
		body      any
		status    int
		detail    string
	}{
		{"non-admin, unknown id", UserKey, body{"id": "ghost", "access_grants": []any{}}, 403, msgAccessProhibited},
		{"non-admin, read-only", UserKey, body{"id": "release notes v1.2", "access_grants": []any{}}, 400, msgAccessProhibited},
		{"owner", UserKey, body{"id": "sql-helper", "access_grants": []any{}}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, h.do("POST", accessPath, tc.key, tc.body), tc.status, ctJSON, tc.detail)
		})
	}
	if _, ok := h.fake.Model("ghost"); ok {
		t.Fatal("non-admin created a row")
	}
	// Alice's public grant is dropped; her group grant stays.
	h.do("POST", accessPath, UserKey, body{"id": "sql-helper", "access_grants": []any{
		body{"principal_type": "user", "principal_id": "*", "permission": "read"},
		body{"principal_type": "group", "principal_id": "g-eng", "permission": "write"},
	}})
	m, _ = h.fake.Model("sql-helper")
	mustEqual(t, m.AccessGrants, []Grant{{"group", "g-eng", "write"}})

	expect422(t, h.do("POST", accessPath, AdminKey, body{"id": "code-reviewer"}), "missing", "body", "access_grants")
	expect422(t, h.do("POST", accessPath, AdminKey, body{"id": "code-reviewer", "access_grants": nil}), "list_type", "body", "access_grants")
}

func TestImport(t *testing.T) {
	h := newHarness(t, true, Options{})
	r := h.do("POST", importPath, AdminKey, body{"models": []any{
		body{"id": "imported", "name": "Imported", "base_model_id": "gpt-4o"},
		body{"id": "code-reviewer", "meta": body{"description": "merged"}},
		body{"name": "no id"},
		body{"id": strings.Repeat("z", 300), "name": "too long"},
		body{"id": "sql-helper", "name": "SQL Helper 2", "access_grants": []any{}},
	}})
	expect(t, r, 200, ctJSON, "")
	mustEqual(t, r.json(t), true)

	m, ok := h.fake.Model("imported")
	if !ok || m.UserID != "u-admin" || len(m.Meta) != 0 || len(m.Params) != 0 || !m.IsActive {
		t.Fatalf("new import: %+v", m)
	}
	m, _ = h.fake.Model("code-reviewer")
	mustEqual(t, m.Meta["description"], "merged")
	if m.Meta["tags"] == nil {
		t.Fatal("0.11.0 import must merge meta, keeping tags")
	}
	mustEqual(t, m.Params, map[string]any{}) // params absent means {}
	mustEqual(t, m.Name, "Code Reviewer")
	mustEqual(t, m.AccessGrants, []Grant{{"user", "u-alice", "read"}})
	m, _ = h.fake.Model("sql-helper")
	mustEqual(t, m.AccessGrants, []Grant{})
	mustEqual(t, m.UserID, "u-alice") // owner unchanged
	if n := len(h.fake.Models()); n != 39 {
		t.Fatalf("%d rows, want 39 (skipped elements must not be stored)", n)
	}

	// A new element without name aborts with 500 and pydantic's text;
	// earlier elements stay imported.
	r = h.do("POST", importPath, AdminKey, body{"models": []any{
		body{"id": "first", "name": "First"},
		body{"id": "second"},
		body{"id": "third", "name": "Third"},
	}})
	expect(t, r, 500, ctJSON, "")
	if d := r.detail(t); !strings.Contains(d, "1 validation error for ModelForm\nname\n  Field required") {
		t.Fatalf("detail = %q", d)
	}
	if _, ok := h.fake.Model("first"); !ok {
		t.Fatal("elements before the failure must stay")
	}
	if _, ok := h.fake.Model("third"); ok {
		t.Fatal("elements after the failure must not be imported")
	}
	r = h.do("POST", importPath, AdminKey, body{"models": []any{body{"id": "first", "access_grants": nil}}})
	expect(t, r, 500, ctJSON, "")

	expect422(t, h.do("POST", importPath, AdminKey, body{}), "missing", "body", "models")
	expect422(t, h.do("POST", importPath, AdminKey, body{"models": []any{"x"}}), "dict_type", "body", "models", 0)
	expect(t, h.do("POST", importPath, UserKey, body{"models": []any{}}), 401, ctJSON, msgUnauthorized)
}

func TestImportNonAdminAndKnob(t *testing.T) {
	p := DefaultPermissions()
	p.ModelsImport = true
	h := newHarness(t, true, Options{UserPermissions: &p, Behaviour: Behaviour{ImportReplacesMeta: true}})
	r := h.do("POST", importPath, UserKey, body{"models": []any{
		body{"id": "code-reviewer", "name": "Hijacked"},              // read-only: silently skipped
		body{"id": "regex-wizard", "meta": body{"x": "y"}},           // own: meta replaced (knob)
		body{"id": "alice-new", "name": "Alice New", "meta": body{}}, // new: owned by Alice
	}})
	expect(t, r, 200, ctJSON, "")
	if m, _ := h.fake.Model("code-reviewer"); m.Name != "Code Reviewer" {
		t.Fatal("import overwrote a model Alice cannot write")
	}
	m, _ := h.fake.Model("regex-wizard")
	mustEqual(t, m.Meta, map[string]any{"x": "y"})
	m, _ = h.fake.Model("alice-new")
	mustEqual(t, m.UserID, "u-alice")
}

func syncModelBody(id string, grants []any) body {
	return body{
		"id": id, "user_id": "u-someone", "base_model_id": "gpt-4o", "name": "Synced " + id,
		"params": body{}, "meta": body{}, "access_grants": grants, "is_active": false,
		"created_at": 100, "updated_at": 200,
	}
}

func TestSync(t *testing.T) {
	h := newHarness(t, true, Options{})
	grant := body{"id": "g1", "resource_type": "model", "resource_id": "code-reviewer", "principal_type": "group",
		"principal_id": "g-eng", "permission": "read", "created_at": 1}
	r := h.do("POST", syncPath, AdminKey, body{"models": []any{
		syncModelBody("code-reviewer", []any{grant}),
		syncModelBody("brand-new", []any{}),
	}})
	expect(t, r, 200, ctJSON, "")
	mustEqual(t, ids(r.list(t)), []string{"code-reviewer", "brand-new"})
	got := h.fake.Models()
	if len(got) != 2 {
		t.Fatalf("sync must delete unlisted rows; %d left", len(got))
	}
	m, _ := h.fake.Model("code-reviewer")
	mustEqual(t, m.UserID, "u-admin")
	mustEqual(t, m.Name, "Synced code-reviewer")
	mustEqual(t, m.IsActive, false)
	mustEqual(t, m.CreatedAt, int64(100))
	mustEqual(t, m.UpdatedAt, testStart)
	mustEqual(t, m.AccessGrants, []Grant{{"group", "g-eng", "read"}})

	bad := syncModelBody("x", []any{body{"principal_type": "user", "principal_id": "*", "permission": "read"}})
	delete(bad, "user_id")
	r = h.do("POST", syncPath, AdminKey, body{"models": []any{bad}})
	expect422(t, r, "missing", "body", "models", 0, "user_id")
	if !strings.Contains(string(r.body), `["body","models",0,"access_grants",0,"created_at"]`) {
		t.Fatalf("grant errors not reported: %s", r.body)
	}
	if len(h.fake.Models()) != 2 {
		t.Fatal("an invalid sync changed rows")
	}

	r = h.do("POST", syncPath, AdminKey, body{})
	expect(t, r, 200, ctJSON, "")
	mustEqual(t, r.list(t), []any{})
	if len(h.fake.Models()) != 0 {
		t.Fatal("an empty sync must delete everything")
	}
}

func TestUnload(t *testing.T) {
	h := newHarness(t, true, Options{})
	base := func(s string) *string { return &s }
	h.fake.PutModel(Model{ID: "orphan", UserID: "u-admin", BaseModelID: base("ghost"), Name: "Orphan"})
	h.fake.PutModel(Model{ID: "loop-a", UserID: "u-admin", BaseModelID: base("loop-b"), Name: "A"})
	h.fake.PutModel(Model{ID: "loop-b", UserID: "u-admin", BaseModelID: base("loop-a"), Name: "B"})
	tests := []struct {
		model  string
		status int
		detail string
	}{
		{"gpt-4o", 400, `Provider "openai" does not support model unloading`},
		{"code-reviewer", 400, `Provider "openai" does not support model unloading`}, // via base_model_id
		{"llama3.1:8b", 200, ""},
		{"mistral/mistral-small:24b", 200, ""},
		{"sql-helper", 200, ""}, // custom model over llama3.1:8b
		{"nope", 404, `Model "nope" not found`},
		{"orphan", 404, `Model "ghost" not found`},
		{"loop-a", 404, `Model "loop-a" not found`},
	}
	for _, tc := range tests {
		t.Run(tc.model, func(t *testing.T) {
			r := h.do("POST", unloadPath, AdminKey, body{"model": tc.model})
			expect(t, r, tc.status, ctJSON, tc.detail)
			if tc.status == 200 {
				mustEqual(t, r.obj(t), map[string]any{"status": true})
			}
		})
	}
	expect422(t, h.do("POST", unloadPath, AdminKey, body{}), "missing", "body", "model")
	if got := h.do("POST", unloadPath, AdminKey, body{"model": "gpt-4o"}); got.status != http.StatusBadRequest {
		t.Fatal("unload must not change state")
	}
}
