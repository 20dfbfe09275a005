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

// expectIDPattern checks 0.12.4's 422 for an id that does not match ^\S+$.
func expectIDPattern(t *testing.T, r result, id string) {
	t.Helper()
	expect(t, r, http.StatusUnprocessableEntity, ctJSON, "")
	mustEqual(t, string(r.body), `{"detail":[{"type":"string_pattern_mismatch","loc":["body","id"],"msg":"String should match pattern '^\\S+$'","input":`+string(encodeJSON(id))+`,"ctx":{"pattern":"^\\S+$"}}]}`)
}

// nullMeta is ModelMeta with nothing set, as 0.12.4 returns it.
func nullMeta(extra map[string]any) map[string]any {
	m := map[string]any{}
	for _, k := range typedMetaKeys {
		m[k] = nil
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
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
		{"a separator that isspace() but not \\s rejects", AdminKey, newModelBody("a\x1cb"), 400, msgModelIDTooLong},
		{"admin may create a base row", AdminKey, body{"id": "gpt-4o-mini", "name": "Mini", "meta": body{}, "params": body{}}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, h.do("POST", createPath, tc.key, tc.body), tc.status, ctJSON, tc.detail)
		})
	}
	if !strings.Contains(string(h.do("GET", "/api/v1/models/base", AdminKey, nil).body), `"gpt-4o-mini"`) {
		t.Fatal("base row not listed by /base")
	}
	for _, id := range []string{"", " ", "a b", "tab\there", "nbsp\u00a0x", "release notes v1.2"} {
		t.Run("id pattern "+id, func(t *testing.T) {
			expectIDPattern(t, h.do("POST", createPath, AdminKey, newModelBody(id)), id)
		})
	}

	// 0.12.4 checks the id before looking it up.
	h.fake.PutModel(Model{ID: long, UserID: "u-admin", BaseModelID: strp("gpt-4o"), Name: "legacy"})
	expect(t, h.do("POST", createPath, AdminKey, newModelBody(long)), 400, ctJSON, msgModelIDTooLong)

	r := h.do("POST", createPath, AdminKey, body{
		"id": "shape", "name": "Shape", "base_model_id": "llama3.1:8b",
		"meta":           body{"tags": []any{"plain", body{"name": " object ", "x": 1}, "", 5}, "profile_image_url": "data:image/svg+xml;base64,AAAA", "extra": 1},
		"params":         body{"temperature": 0.5, "model_controls": body{}},
		"access_grants":  []any{body{"principal_type": "group", "principal_id": "g-eng", "permission": "read", "id": "client-id"}},
		"unknown_key":    "ignored",
		"commit_message": "first",
	})
	expect(t, r, 200, ctJSON, "")
	o := r.obj(t)
	mustEqual(t, o["user_id"], "u-admin")
	mustEqual(t, o["is_active"], true)
	mustEqual(t, o["created_at"], float64(testStart))
	mustEqual(t, o["updated_at"], float64(testStart))
	mustEqual(t, o["params"], map[string]any{"temperature": 0.5}) // empty model_controls is not kept
	mustEqual(t, o["meta"], nullMeta(map[string]any{
		"tags":              []any{map[string]any{"name": "plain"}, map[string]any{"name": "object"}},
		"profile_image_url": nil, // SVG is not an allowed image: silently cleared
		"extra":             float64(1),
	}))
	if v, _ := o["version_id"].(string); len(v) != 36 {
		t.Fatalf("version_id = %v", o["version_id"])
	}
	g := o["access_grants"].([]any)[0].(map[string]any)
	mustEqual(t, g["resource_type"], "model")
	mustEqual(t, g["resource_id"], "shape")
	mustEqual(t, g["created_at"], float64(testStart))
	if g["id"] == "" || g["id"] == "client-id" {
		t.Fatalf("grant id %v: the server assigns it", g["id"])
	}
	if _, has := o["write_access"]; has {
		t.Fatal("ModelModel must not carry write_access")
	}
	m, ok := h.fake.Model("shape")
	if !ok || len(m.AccessGrants) != 1 {
		t.Fatalf("stored model: %+v", m)
	}

	// base_model_id equal to the id is stored as null; null grants mean private.
	b := newModelBody("selfish")
	b["base_model_id"], b["access_grants"] = "selfish", nil
	r = h.do("POST", createPath, AdminKey, b)
	expect(t, r, 200, ctJSON, "")
	mustEqual(t, r.obj(t)["base_model_id"], nil)
	mustEqual(t, r.obj(t)["access_grants"], []any{})

	// A failed insert raises: a plain-text 500.
	h.fake.FailDB(true)
	r = h.do("POST", createPath, AdminKey, newModelBody("broken-db"))
	expect(t, r, 500, "text/plain", "")
	mustEqual(t, string(r.body), "Internal Server Error")
	if _, ok := h.fake.Model("broken-db"); ok {
		t.Fatal("a failed create stored a row")
	}
}

func TestCreateNonAdminRules(t *testing.T) {
	p := DefaultPermissions()
	p.WorkspaceModels = true
	h := newHarness(t, true, Options{UserPermissions: &p})
	noBase := newModelBody("alice-base")
	delete(noBase, "base_model_id")
	emptyBase := newModelBody("alice-empty")
	emptyBase["base_model_id"] = ""
	selfBase := newModelBody("alice-self")
	selfBase["base_model_id"] = "alice-self"
	tests := []struct {
		name   string
		body   body
		status int
		detail string
	}{
		{"no base_model_id: non-admins cannot create base rows", noBase, 401, msgUnauthorized},
		{"empty base_model_id", emptyBase, 401, msgUnauthorized},
		{"base_model_id equal to the id becomes null, then 401", selfBase, 401, msgUnauthorized},
		{"id of a provider model without a row", newModelBody("gpt-4o-mini"), 401, msgModelIDTaken},
		{"id of a provider model on an OpenAI connection", newModelBody("mistral/mistral-small:24b"), 401, msgModelIDTaken},
		{"an Ollama model's name without the tag", newModelBody("llama3.1"), 401, msgModelIDTaken},
		{"taken id comes first", newModelBody("gpt-4o"), 401, msgModelIDTaken},
		{"a custom model is fine", newModelBody("alice-new"), 200, ""},
		{"a tag of an OpenAI model is not special", newModelBody("gpt-4o-mini:2"), 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("POST", createPath, UserKey, tc.body)
			expect(t, r, tc.status, ctJSON, tc.detail)
			if tc.status == 200 {
				mustEqual(t, r.obj(t)["user_id"], "u-alice")
			} else if _, ok := h.fake.Model(tc.body["id"].(string)); ok && tc.body["id"] != "gpt-4o" {
				t.Fatal("a refused create stored a row")
			}
		})
	}
}

func TestCreateValidation(t *testing.T) {
	h := newHarness(t, true, Options{})
	ok := func(extra body) body {
		b := body{"id": "x", "name": "x", "meta": body{}, "params": body{}}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
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
		{"null meta", AdminKey, ok(body{"meta": nil}), "model_attributes_type", []any{"body", "meta"}},
		{"params not an object", AdminKey, ok(body{"params": "x"}), "model_attributes_type", []any{"body", "params"}},
		{"id not a string", AdminKey, ok(body{"id": 5}), "string_type", []any{"body", "id"}},
		{"commit_message not a string", AdminKey, ok(body{"commit_message": 5}), "string_type", []any{"body", "commit_message"}},
		{"bad is_active", AdminKey, ok(body{"is_active": "maybe"}), "bool_parsing", []any{"body", "is_active"}},
		{"null is_active", AdminKey, ok(body{"is_active": nil}), "bool_type", []any{"body", "is_active"}},
		{"access_grants not a list", AdminKey, ok(body{"access_grants": "x"}), "list_type", []any{"body", "access_grants"}},
		{"access_grants item not an object", AdminKey, ok(body{"access_grants": []any{nil}}), "dict_type", []any{"body", "access_grants", 0}},
		{"typed meta: description", AdminKey, ok(body{"meta": body{"description": 5}}), "string_type", []any{"body", "meta", "description"}},
		{"typed meta: i18n", AdminKey, ok(body{"meta": body{"i18n": "fr"}}), "dict_type", []any{"body", "meta", "i18n"}},
		{"typed meta: capabilities", AdminKey, ok(body{"meta": body{"capabilities": []any{}}}), "dict_type", []any{"body", "meta", "capabilities"}},
		{"typed meta: knowledge", AdminKey, ok(body{"meta": body{"knowledge": "k"}}), "list_type", []any{"body", "meta", "knowledge"}},
		{"typed meta: background must be a file", AdminKey, ok(body{"meta": body{"background_image_url": "https://x.test/bg.png"}}), "value_error", []any{"body", "meta", "background_image_url"}},
		{"params.model_controls must be an object", AdminKey, ok(body{"params": body{"model_controls": "x"}}), "dict_type", []any{"body", "params", "model_controls"}},
		{"a model control needs label and options", AdminKey, ok(body{"params": body{"model_controls": body{"speed": body{}}}}), "missing", []any{"body", "params", "model_controls", "speed", "label"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect422(t, h.do("POST", createPath, tc.key, tc.body), tc.typ, tc.loc...)
		})
	}
	if _, ok := h.fake.Model("x"); ok {
		t.Fatal("an invalid create stored a row")
	}
	r := h.do("POST", createPath, AdminKey, ok(body{"meta": body{"background_image_url": 5}}))
	mustEqual(t, r.obj(t)["detail"].([]any)[0].(map[string]any)["msg"], "Value error, Invalid image URL.")
	// Without auth a well-formed body is an auth error, not a 422.
	expect(t, h.do("POST", createPath, "", body{}), 401, ctJSON, msgNotAuthenticated)

	// A profile_image_url that is not a valid URL (not even a string) is
	// stored as null, not rejected; an allowed one is kept.
	for _, tc := range []struct {
		in   any
		want any
	}{{5, nil}, {"javascript:alert(1)", nil}, {"//evil.test/x.png", nil}, {"https:///nohost", nil}, {"", ""},
		{"/api/v1/users/u-1/profile/image", "/api/v1/users/u-1/profile/image"}, {"HTTPS://x.test/a.png", "HTTPS://x.test/a.png"},
		{"DATA:IMAGE/PNG;base64,AA", "DATA:IMAGE/PNG;base64,AA"}} {
		r := h.do("POST", createPath, AdminKey, body{"id": "img", "name": "x", "meta": body{"profile_image_url": tc.in}, "params": body{}})
		expect(t, r, 200, ctJSON, "")
		mustEqual(t, r.obj(t)["meta"].(map[string]any)["profile_image_url"], tc.want)
		h.do("POST", deletePath, AdminKey, body{"id": "img"})
	}
	// A background image that names a file: the fake has no files, so it
	// is never accessible.
	r = h.do("POST", createPath, AdminKey, ok(body{"meta": body{"background_image_url": "/api/v1/files/0a1b2c3d-0000-4000-8000-000000000001/content"}}))
	expect(t, r, 403, ctJSON, msgBackgroundDenied)
}

func TestCreateNonAdminGrantFiltering(t *testing.T) {
	grants := []any{
		body{"principal_type": "user", "principal_id": "*", "permission": "read"},
		body{"principal_type": "group", "principal_id": "g-eng", "permission": "write"},
		body{"principal_type": "user", "principal_id": "u-admin", "permission": "read"},
		body{"principal_type": "group", "principal_id": "g-eng", "permission": "write"}, // duplicate
		body{"principal_type": "anyone", "principal_id": "*", "permission": "read"},     // never allowed on models
		body{"principal_type": "user", "principal_id": "", "permission": "read"},        // invalid
		body{"principal_type": "group", "principal_id": "g-x", "permission": "admin"},   // invalid
	}
	tests := []struct {
		name  string
		perms Permissions
		want  []Grant
	}{
		{"without sharing.models every grant is dropped", Permissions{WorkspaceModels: true, AllowUsers: true, AllowGroups: true}, []Grant{}},
		{"sharing.models: public dropped", Permissions{WorkspaceModels: true, ShareModels: true, AllowUsers: true, AllowGroups: true},
			[]Grant{{"group", "g-eng", "write"}, {"user", "u-admin", "read"}}},
		{"public sharing allowed", Permissions{WorkspaceModels: true, ShareModels: true, PublicModels: true, AllowUsers: true, AllowGroups: true},
			[]Grant{{"user", "*", "read"}, {"group", "g-eng", "write"}, {"user", "u-admin", "read"}}},
		{"no user or group sharing", Permissions{WorkspaceModels: true, ShareModels: true}, []Grant{}},
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
	// Admins keep every valid grant but "anyone".
	h := newHarness(t, false, Options{})
	b := newModelBody("admins")
	b["access_grants"] = grants
	h.do("POST", createPath, AdminKey, b)
	m, _ := h.fake.Model("admins")
	mustEqual(t, m.AccessGrants, []Grant{{"user", "*", "read"}, {"group", "g-eng", "write"}, {"user", "u-admin", "read"}})
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

// 0.12.4 ignores access_grants on update, whatever its form.
func TestUpdateIgnoresGrants(t *testing.T) {
	public := []any{body{"principal_type": "user", "principal_id": "*", "permission": "read"}}
	tests := []struct {
		name   string
		grants any // "absent" for no key
	}{
		{"absent", "absent"},
		{"null", nil},
		{"empty list", []any{}},
		{"a list", public},
		{"garbage items", []any{body{"principal_type": "nope"}}},
	}
	for _, tc := range tests {
		for _, key := range []string{AdminKey, UserKey} {
			t.Run(tc.name+"/"+key[:8], func(t *testing.T) {
				h := newHarness(t, true, Options{})
				id := "code-reviewer" // admin's, shared read with Alice
				if key == UserKey {
					id = "team/support-bot:v2" // Alice writes through g-eng
				}
				before, _ := h.fake.Model(id)
				b := updateBody(id)
				if tc.grants == "absent" {
					delete(b, "access_grants")
				} else {
					b["access_grants"] = tc.grants
				}
				r := h.do("POST", updatePath, key, b)
				expect(t, r, 200, ctJSON, "")
				after, _ := h.fake.Model(id)
				mustEqual(t, after.AccessGrants, before.AccessGrants)
				mustEqual(t, after.Name, "Renamed")
				if n := len(r.obj(t)["access_grants"].([]any)); n != len(before.AccessGrants) {
					t.Fatalf("answer lists %d grants", n)
				}
			})
		}
	}
}

func TestUpdateErrors(t *testing.T) {
	h := newHarness(t, true, Options{})
	noBase := updateBody("incident-commander")
	noBase["base_model_id"] = nil
	emptyBase := updateBody("incident-commander")
	emptyBase["base_model_id"] = ""
	tests := []struct {
		name   string
		key    string
		body   any
		status int
		detail string
	}{
		{"not found is 401", AdminKey, updateBody("nope"), 401, msgNotFound},
		{"read-only caller is 400", UserKey, updateBody("code-reviewer"), 400, msgAccessProhibited},
		{"invisible model is 400 too", UserKey, updateBody("legal-clause-checker"), 400, msgAccessProhibited},
		{"non-admin may not clear base_model_id", UserKey, noBase, 401, msgUnauthorized},
		{"non-admin may not empty base_model_id", UserKey, emptyBase, 401, msgUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, h.do("POST", updatePath, tc.key, tc.body), tc.status, ctJSON, tc.detail)
		})
	}
	// A stored legacy id with a space cannot be updated any more.
	expectIDPattern(t, h.do("POST", updatePath, AdminKey, updateBody("release notes v1.2")), "release notes v1.2")
	expectIDPattern(t, h.do("POST", updatePath, AdminKey, updateBody("")), "")

	// A DB failure raises: a plain-text 500, nothing written.
	h.fake.FailDB(true)
	r := h.do("POST", updatePath, AdminKey, updateBody("code-reviewer"))
	expect(t, r, 500, "text/plain", "")
	mustEqual(t, string(r.body), "Internal Server Error")
	h.fake.FailDB(false)
	m, _ := h.fake.Model("code-reviewer")
	if m.Name != "Code Reviewer" || len(m.AccessGrants) != 1 {
		t.Fatalf("a failed update changed the row: %+v", m)
	}
	m, _ = h.fake.Model("incident-commander")
	if m.BaseModelID == nil {
		t.Fatal("a refused update cleared base_model_id")
	}
}

func TestUpdateSemantics(t *testing.T) {
	h := newHarness(t, true, Options{})
	before, _ := h.fake.Model("meeting-summarizer")
	oldVersion := h.do("GET", idQuery("/api/v1/models/model", "meeting-summarizer"), AdminKey, nil).obj(t)["version_id"]
	h.clock.Advance(time.Hour)

	// Full replace: params and meta replaced, but base_model_id,
	// meta.profile_image_url and is_active preserved when absent, and the
	// grants never touched.
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
	mustEqual(t, after.AccessGrants, before.AccessGrants)
	mustEqual(t, after.UserID, "u-admin")
	mustEqual(t, after.IsActive, true)
	mustEqual(t, after.CreatedAt, before.CreatedAt)
	mustEqual(t, after.UpdatedAt, testStart+3600)
	o := r.obj(t)
	mustEqual(t, o["updated_at"], float64(testStart+3600))
	mustEqual(t, o["meta"], nullMeta(map[string]any{"description": "x", "profile_image_url": demoAvatar}))
	if o["version_id"] == oldVersion || o["version_id"] == nil {
		t.Fatalf("a changed snapshot needs a new version_id, got %v (was %v)", o["version_id"], oldVersion)
	}

	// Omitting is_active keeps a disabled model disabled; explicit values set it.
	b := updateBody("legacy-faq-bot")
	delete(b, "is_active")
	expect(t, h.do("POST", updatePath, AdminKey, b), 200, ctJSON, "")
	if m, _ := h.fake.Model("legacy-faq-bot"); m.IsActive {
		t.Fatal("0.12.4 must keep is_active when it is omitted")
	}
	b["is_active"] = true
	h.do("POST", updatePath, AdminKey, b)
	if m, _ := h.fake.Model("legacy-faq-bot"); !m.IsActive {
		t.Fatal("explicit is_active must apply")
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
	// base_model_id equal to the id is stored as null.
	b = updateBody("code-reviewer")
	b["base_model_id"] = "code-reviewer"
	r = h.do("POST", updatePath, AdminKey, b)
	mustEqual(t, r.obj(t)["base_model_id"], nil)

	// A group write grant lets Alice update; the owner stays.
	expect(t, h.do("POST", updatePath, UserKey, updateBody("team/support-bot:v2")), 200, ctJSON, "")
	m, _ = h.fake.Model("team/support-bot:v2")
	mustEqual(t, m.UserID, "u-admin")
	mustEqual(t, len(m.AccessGrants), 2)

	// Read-only keys sent back are harmless: unknown keys are ignored and
	// chat_variables_schema is dropped.
	b = updateBody("sql-helper")
	b["write_access"], b["user"], b["version_id"] = true, body{"id": "x"}, "bogus"
	b["meta"] = body{"chat_variables_schema": body{"fields": []any{}}, "description": "d"}
	r = h.do("POST", updatePath, UserKey, b)
	expect(t, r, 200, ctJSON, "")
	if r.obj(t)["version_id"] == "bogus" {
		t.Fatal("version_id is not writable")
	}
	m, _ = h.fake.Model("sql-helper")
	mustEqual(t, m.Meta, map[string]any{"description": "d"})
}

func TestUpdateKeepsUnsentTypedFields(t *testing.T) {
	h := newHarness(t, true, Options{})
	base := "gpt-4o"
	bg := "/api/v1/files/0a1b2c3d-0000-4000-8000-000000000001/content"
	controls := map[string]any{"speed": map[string]any{"label": "Speed", "options": map[string]any{"fast": map[string]any{"label": "Fast", "params": map[string]any{}}}}}
	h.fake.PutModel(Model{ID: "rich", UserID: "u-admin", BaseModelID: &base, Name: "Rich", IsActive: true,
		Meta:   map[string]any{"background_image_url": bg, "voice_avatar": map[string]any{"file_id": "f"}, "description": "d"},
		Params: map[string]any{"model_controls": controls, "temperature": 1}})
	r := h.do("POST", updatePath, AdminKey, body{"id": "rich", "name": "Rich", "meta": body{}, "params": body{}})
	expect(t, r, 200, ctJSON, "")
	m, _ := h.fake.Model("rich")
	mustEqual(t, m.Meta, map[string]any{"background_image_url": bg, "voice_avatar": map[string]any{"file_id": "f"}})
	mustEqual(t, m.Params, map[string]any{"model_controls": controls})
	// Sending the same background again is fine; a different one needs a
	// readable file.
	r = h.do("POST", updatePath, AdminKey, body{"id": "rich", "name": "Rich", "meta": body{"background_image_url": bg}, "params": body{"model_controls": body{}}})
	expect(t, r, 200, ctJSON, "")
	m, _ = h.fake.Model("rich")
	mustEqual(t, m.Params, map[string]any{}) // explicit empty controls clear them
	r = h.do("POST", updatePath, AdminKey, body{"id": "rich", "name": "Rich", "meta": body{"background_image_url": strings.Replace(bg, "0001", "0002", 1)}, "params": body{}})
	expect(t, r, 403, ctJSON, msgBackgroundDenied)
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
		{"legacy id with a space", AdminKey, "release notes v1.2", 200, "", false},
		{"read-only caller", UserKey, "code-reviewer", 401, msgUnauthorized, false},
		{"not found", AdminKey, "nope", 401, msgNotFound, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.clock.Advance(time.Second)
			before := h.do("GET", idQuery("/api/v1/models/model", tc.id), AdminKey, nil)
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
			if before.status == 200 && o["version_id"] != before.obj(t)["version_id"] {
				t.Fatal("toggling is not a new version")
			}
		})
	}
	expect422(t, h.do("POST", togglePath, AdminKey, nil), "missing", "query", "id")
	h.fake.FailDB(true)
	expect(t, h.do("POST", idQuery(togglePath, "code-reviewer"), AdminKey, nil), 400, ctJSON, msgToggleFailed)
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
		{"admin deletes a legacy id with a space", AdminKey, body{"id": "release notes v1.2"}, 200, ""},
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

	// A DB error raises (0.12.4), instead of answering false.
	h.fake.FailDB(true)
	r := h.do("POST", deletePath, AdminKey, body{"id": "code-reviewer"})
	expect(t, r, 500, "text/plain", "")
	mustEqual(t, string(r.body), "Internal Server Error")
	if _, ok := h.fake.Model("code-reviewer"); !ok {
		t.Fatal("a failed delete removed the row")
	}
}

func TestDeleteAll(t *testing.T) {
	h := newHarness(t, true, Options{})
	h.fake.FailDB(true)
	expect(t, h.do("DELETE", "/api/v1/models/delete/all", AdminKey, nil), 500, "text/plain", "")
	h.fake.FailDB(false)
	for range 2 { // also true on an empty table
		r := h.do("DELETE", "/api/v1/models/delete/all", AdminKey, nil)
		expect(t, r, 200, ctJSON, "")
		mustEqual(t, r.json(t), true)
	}
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
	// Malformed items and duplicates are still dropped silently.
	grants := []any{
		body{"principal_type": "group", "principal_id": "g-eng", "permission": "read", "id": "mine"},
		body{"principal_type": "group", "principal_id": "g-eng", "permission": "read"},
		body{"principal_type": "group", "principal_id": "g-unknown", "permission": "write"},
		body{"principal_type": "anyone", "principal_id": "*", "permission": "write"}, // malformed anyone
		body{"principal_type": "role", "principal_id": "user", "permission": "read"},
		body{"principal_type": "user", "principal_id": "u-alice", "permission": "edit"},
		body{"principal_type": "user", "principal_id": "", "permission": "read"},
	}
	r := h.do("POST", accessPath, AdminKey, body{"id": "code-reviewer", "access_grants": grants})
	expect(t, r, 200, ctJSON, "")
	o := r.obj(t)
	mustEqual(t, o["updated_at"], now)
	m, _ := h.fake.Model("code-reviewer")
	mustEqual(t, m.AccessGrants, []Grant{{"group", "g-eng", "read"}, {"group", "g-unknown", "write"}})
	g := o["access_grants"].([]any)[0].(map[string]any)
	if g["resource_id"] != "code-reviewer" || g["id"] == "mine" {
		t.Fatalf("grant = %v", g)
	}

	anyone := []any{body{"principal_type": "anyone", "principal_id": "*", "permission": "read"}}
	public := []any{body{"principal_type": "user", "principal_id": "*", "permission": "read"}}
	group := []any{body{"principal_type": "group", "principal_id": "g-eng", "permission": "write"}}
	user := []any{body{"principal_type": "user", "principal_id": "u-admin", "permission": "read"}}
	tests := []struct {
		name, key string
		perms     *Permissions
		body      body
		status    int
		detail    string
	}{
		{"admin: anyone is refused", AdminKey, nil, body{"id": "code-reviewer", "access_grants": anyone}, 403, msgShareForbidden},
		{"admin: public is fine", AdminKey, nil, body{"id": "code-reviewer", "access_grants": public}, 200, ""},
		{"non-admin, unknown id", UserKey, nil, body{"id": "ghost", "access_grants": []any{}}, 403, msgAccessProhibited},
		{"non-admin, read-only", UserKey, nil, body{"id": "code-reviewer", "access_grants": []any{}}, 400, msgAccessProhibited},
		{"owner clears", UserKey, nil, body{"id": "sql-helper", "access_grants": []any{}}, 200, ""},
		{"owner without sharing.models", UserKey, nil, body{"id": "sql-helper", "access_grants": group}, 403, msgShareForbidden},
		{"only malformed items is an empty list", UserKey, nil, body{"id": "sql-helper", "access_grants": []any{body{"principal_type": "x"}}}, 200, ""},
		{"sharing.models, group", UserKey, &Permissions{ShareModels: true, AllowGroups: true}, body{"id": "sql-helper", "access_grants": group}, 200, ""},
		{"sharing.models, public without public_models", UserKey, &Permissions{ShareModels: true, AllowUsers: true, AllowGroups: true}, body{"id": "sql-helper", "access_grants": append(public, group...)}, 403, msgShareForbidden},
		{"sharing.models, public with public_models", UserKey, &Permissions{ShareModels: true, PublicModels: true}, body{"id": "sql-helper", "access_grants": public}, 200, ""},
		{"sharing.models, user without allow_users", UserKey, &Permissions{ShareModels: true, AllowGroups: true}, body{"id": "sql-helper", "access_grants": user}, 403, msgShareForbidden},
		{"sharing.models, group without allow_groups", UserKey, &Permissions{ShareModels: true, AllowUsers: true}, body{"id": "sql-helper", "access_grants": group}, 403, msgShareForbidden},
		{"write grant holder", UserKey, &Permissions{ShareModels: true, AllowGroups: true}, body{"id": "incident-commander", "access_grants": group}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hh := newHarness(t, true, Options{UserPermissions: tc.perms})
			id := tc.body["id"].(string)
			before, existed := hh.fake.Model(id)
			r := hh.do("POST", accessPath, tc.key, tc.body)
			expect(t, r, tc.status, ctJSON, tc.detail)
			after, exists := hh.fake.Model(id)
			if tc.status != 200 {
				if existed != exists || (exists && (after.UpdatedAt != before.UpdatedAt || len(after.AccessGrants) != len(before.AccessGrants))) {
					t.Fatalf("a refused access update changed the row: %+v", after)
				}
				return
			}
			mustEqual(t, after.AccessGrants, normalizeGrants(tc.body["access_grants"].([]any)))
		})
	}

	// An admin sharing a provider model with no row creates a base row,
	// which stays even when the grants are then refused.
	r = h.do("POST", accessPath, AdminKey, body{"id": "gpt-4o-mini", "name": "GPT-4o mini", "access_grants": public})
	expect(t, r, 200, ctJSON, "")
	m, ok := h.fake.Model("gpt-4o-mini")
	if !ok || m.BaseModelID != nil || m.Name != "GPT-4o mini" || m.UserID != "u-admin" || !m.IsActive {
		t.Fatalf("auto-created row: %+v", m)
	}
	mustEqual(t, r.obj(t)["meta"], nullMeta(nil))
	expect(t, h.do("POST", accessPath, AdminKey, body{"id": "fresh", "name": "", "access_grants": anyone}), 403, ctJSON, msgShareForbidden)
	if m, ok := h.fake.Model("fresh"); !ok || m.Name != "fresh" || len(m.AccessGrants) != 0 {
		t.Fatalf("the auto-created row must stay, named after its id: %+v", m)
	}

	expect422(t, h.do("POST", accessPath, AdminKey, body{"id": "code-reviewer"}), "missing", "body", "access_grants")
	expect422(t, h.do("POST", accessPath, AdminKey, body{"id": "code-reviewer", "access_grants": nil}), "list_type", "body", "access_grants")
	expectIDPattern(t, h.do("POST", accessPath, AdminKey, body{"id": "release notes v1.2", "access_grants": []any{}}), "release notes v1.2")
	expectIDPattern(t, h.do("POST", accessPath, AdminKey, body{"id": "new id", "access_grants": []any{}}), "new id")
	if _, ok := h.fake.Model("new id"); ok {
		t.Fatal("a 422 auto-created a row")
	}
}

func TestImport(t *testing.T) {
	h := newHarness(t, true, Options{})
	before, _ := h.fake.Model("sql-helper")
	r := h.do("POST", importPath, AdminKey, body{"models": []any{
		body{"id": "imported", "name": "Imported", "base_model_id": "gpt-4o", "access_grants": []any{
			body{"principal_type": "group", "principal_id": "g-eng", "permission": "read"},
			body{"principal_type": "anyone", "principal_id": "*", "permission": "read"},
		}},
		body{"id": "code-reviewer", "meta": body{"description": "merged"}},
		body{"name": "no id"},
		body{"id": 5, "name": "id not a string"},
		body{"id": strings.Repeat("z", 300), "name": "too long"},
		body{"id": "a b", "name": "whitespace"},
		body{"id": "release notes v1.2", "name": "legacy row"},
		body{"id": "sql-helper", "name": "SQL Helper 2", "access_grants": []any{}},
		body{"id": "legacy-faq-bot", "name": "Still off", "access_grants": nil},
		body{"id": "self", "name": "Self", "base_model_id": "self"},
	}})
	expect(t, r, 200, ctJSON, "")
	mustEqual(t, r.json(t), true)

	m, ok := h.fake.Model("imported")
	if !ok || m.UserID != "u-admin" || len(m.Meta) != 0 || len(m.Params) != 0 || !m.IsActive {
		t.Fatalf("new import: %+v", m)
	}
	mustEqual(t, m.AccessGrants, []Grant{{"group", "g-eng", "read"}}) // "anyone" stripped
	m, _ = h.fake.Model("code-reviewer")
	mustEqual(t, m.Meta["description"], "merged")
	if m.Meta["tags"] == nil {
		t.Fatal("import must merge meta, keeping tags")
	}
	mustEqual(t, m.Params, map[string]any{}) // params absent means {}
	mustEqual(t, m.Name, "Code Reviewer")
	mustEqual(t, m.AccessGrants, []Grant{{"user", "u-alice", "read"}})
	m, _ = h.fake.Model("sql-helper")
	mustEqual(t, m.AccessGrants, before.AccessGrants) // element grants ignored
	mustEqual(t, m.Name, "SQL Helper 2")
	mustEqual(t, m.UserID, "u-alice") // owner unchanged
	m, _ = h.fake.Model("legacy-faq-bot")
	if m.IsActive || m.Name != "Still off" {
		t.Fatalf("stored is_active must stay: %+v", m)
	}
	m, _ = h.fake.Model("release notes v1.2")
	mustEqual(t, m.Name, "Release Notes v1.2")
	if m, _ := h.fake.Model("self"); m.BaseModelID != nil {
		t.Fatal("base_model_id equal to the id must be stored as null")
	}
	if n := len(h.fake.Models()); n != 40 {
		t.Fatalf("%d rows, want 40 (skipped elements must not be stored)", n)
	}

	// A new element without name is a 400 with pydantic's text; import is
	// not atomic, so the elements before it stay imported.
	// (A raw body: the detail shows the element's keys in the order sent.)
	r = h.do("POST", importPath, AdminKey, `{"models": [
		{"id": "first", "name": "First"},
		{"id": "second", "base_model_id": "gpt-4o"},
		{"id": "third", "name": "Third"}]}`)
	expect(t, r, 400, ctJSON, "1 validation error for ModelForm\nname\n  Field required [type=missing, input_value={'id': 'second', 'base_mo...meta': {}, 'params': {}}, input_type=dict]\n    For further information visit https://errors.pydantic.dev/2.13/v/missing")
	if _, ok := h.fake.Model("first"); !ok {
		t.Fatal("elements before the failure must stay")
	}
	if _, ok := h.fake.Model("third"); ok {
		t.Fatal("elements after the failure must not be imported")
	}
	r = h.do("POST", importPath, AdminKey, `{"models":[{"name":"N","id":"short","meta":{"b":1.0,"a":"it's"}, "params": null}]}`)
	expect(t, r, 400, ctJSON, "1 validation error for ModelForm\nparams\n  Input should be a valid dictionary or instance of ModelParams [type=model_type, input_value=None, input_type=NoneType]\n    For further information visit https://errors.pydantic.dev/2.13/v/model_type")
	r = h.do("POST", importPath, AdminKey, `{"models":[{"name":5,"id":"short2","meta":{"b":1.0,"a":"it's"}}]}`)
	expect(t, r, 400, ctJSON, "1 validation error for ModelForm\nname\n  Input should be a valid string [type=string_type, input_value=5, input_type=int]\n    For further information visit https://errors.pydantic.dev/2.13/v/string_type")
	// Over an existing row the whole merged form is validated.
	r = h.do("POST", importPath, AdminKey, body{"models": []any{body{"id": "first", "params": nil}}})
	expect(t, r, 400, ctJSON, "")
	if d := r.detail(t); !strings.HasPrefix(d, "1 validation error for ModelForm\nparams\n  Input should be a valid dictionary or instance of ModelParams [type=model_type, input_value=None") {
		t.Fatalf("detail = %q", d)
	}
	r = h.do("POST", importPath, AdminKey, body{"models": []any{body{"id": "first", "meta": "x"}}})
	expect(t, r, 500, ctJSON, "'str' object is not a mapping")

	expect422(t, h.do("POST", importPath, AdminKey, body{}), "missing", "body", "models")
	expect422(t, h.do("POST", importPath, AdminKey, body{"models": []any{"x"}}), "dict_type", "body", "models", 0)
	expect(t, h.do("POST", importPath, UserKey, body{"models": []any{}}), 401, ctJSON, msgUnauthorized)
}

func TestImportNonAdmin(t *testing.T) {
	p := DefaultPermissions()
	p.ModelsImport = true
	h := newHarness(t, true, Options{UserPermissions: &p})
	own := body{"id": "regex-wizard", "meta": body{"x": "y"}}
	r := h.do("POST", importPath, UserKey, body{"models": []any{
		own,
		body{"id": "alice-new", "name": "Alice New", "base_model_id": "gpt-4o", "access_grants": []any{body{"principal_type": "group", "principal_id": "g-eng", "permission": "read"}}},
		body{"id": "alice-base", "name": "No base"},                       // skipped: non-admins cannot create base rows
		body{"id": "sql-helper", "name": "Cleared", "base_model_id": nil}, // skipped: would clear the base
		body{"id": "code-reviewer", "name": "Hijacked"},                   // read-only: 401, aborts
		body{"id": "after", "name": "After", "base_model_id": "gpt-4o"},   // never reached
	}})
	expect(t, r, 401, ctJSON, msgModelIDTaken)
	m, _ := h.fake.Model("regex-wizard")
	mustEqual(t, m.Meta["x"], "y")
	mustEqual(t, m.Meta["description"], "Builds and explains regular expressions.")
	m, _ = h.fake.Model("alice-new")
	mustEqual(t, m.UserID, "u-alice")
	mustEqual(t, m.AccessGrants, []Grant{}) // no sharing.models: dropped silently
	if _, ok := h.fake.Model("alice-base"); ok {
		t.Fatal("a non-admin imported a base row")
	}
	if m, _ := h.fake.Model("sql-helper"); m.BaseModelID == nil || m.Name != "SQL Helper" {
		t.Fatal("a non-admin cleared base_model_id through import")
	}
	if m, _ := h.fake.Model("code-reviewer"); m.Name != "Code Reviewer" {
		t.Fatal("import overwrote a model Alice cannot write")
	}
	if _, ok := h.fake.Model("after"); ok {
		t.Fatal("elements after the refusal must not be imported")
	}
	for _, id := range []string{"gpt-4o-mini", "llama3.1"} {
		r = h.do("POST", importPath, UserKey, body{"models": []any{body{"id": id, "name": "x", "base_model_id": "gpt-4o"}}})
		expect(t, r, 401, ctJSON, msgModelIDTaken)
	}
}

func syncModelBody(id string, grants []any) body {
	return body{
		"id": id, "user_id": "u-someone", "base_model_id": "gpt-4o", "name": "Synced " + id,
		"params": body{}, "meta": body{}, "access_grants": grants, "is_active": false,
		"created_at": 100, "updated_at": 200, "version_id": "from-another-server",
	}
}

func TestSync(t *testing.T) {
	h := newHarness(t, true, Options{})
	h.clock.Advance(time.Hour)
	grant := func(pt, pid string) body {
		return body{"id": "g1", "resource_type": "model", "resource_id": "x", "principal_type": pt,
			"principal_id": pid, "permission": "read", "created_at": 1}
	}
	before, _ := h.fake.Model("code-reviewer")
	r := h.do("POST", syncPath, AdminKey, body{"models": []any{
		syncModelBody("brand-new", []any{grant("group", "g-eng"), grant("anyone", "*"), grant("group", "g-eng")}),
		syncModelBody("code-reviewer", []any{grant("group", "g-eng")}),
	}})
	expect(t, r, 200, ctJSON, "")
	// The answer is the written rows, in list order.
	mustEqual(t, ids(r.list(t)), []string{"brand-new", "code-reviewer"})
	if n := len(h.fake.Models()); n != 2 {
		t.Fatalf("sync must delete unlisted rows; %d left", n)
	}
	m, _ := h.fake.Model("code-reviewer") // existed: owner, created_at and grants kept
	mustEqual(t, m.UserID, "u-admin")
	mustEqual(t, m.Name, "Synced code-reviewer")
	mustEqual(t, m.IsActive, false)
	mustEqual(t, m.CreatedAt, before.CreatedAt)
	mustEqual(t, m.UpdatedAt, testStart+3600)
	mustEqual(t, m.AccessGrants, before.AccessGrants)
	m, _ = h.fake.Model("brand-new") // new: the caller's, now, listed grants
	mustEqual(t, m.UserID, "u-admin")
	mustEqual(t, m.CreatedAt, testStart+3600)
	mustEqual(t, m.AccessGrants, []Grant{{"group", "g-eng", "read"}, {"anyone", "*", "read"}})
	if v := r.list(t)[0].(map[string]any)["version_id"]; v == "from-another-server" {
		t.Fatal("a listed version_id is never kept")
	}

	bad := syncModelBody("x", []any{body{"principal_type": "user", "principal_id": "*", "permission": "read"}})
	delete(bad, "user_id")
	r = h.do("POST", syncPath, AdminKey, body{"models": []any{bad}})
	expect422(t, r, "missing", "body", "models", 0, "user_id")
	if !strings.Contains(string(r.body), `["body","models",0,"access_grants",0,"created_at"]`) {
		t.Fatalf("grant errors not reported: %s", r.body)
	}
	// A whitespace id fails inside the transaction: 500, nothing changes.
	r = h.do("POST", syncPath, AdminKey, body{"models": []any{syncModelBody("a b", []any{})}})
	expect(t, r, 500, "text/plain", "")
	// So does a new id listed twice.
	r = h.do("POST", syncPath, AdminKey, body{"models": []any{syncModelBody("twice", []any{}), syncModelBody("twice", []any{})}})
	expect(t, r, 500, "text/plain", "")
	h.fake.FailDB(true)
	expect(t, h.do("POST", syncPath, AdminKey, body{}), 500, "text/plain", "")
	h.fake.FailDB(false)
	if len(h.fake.Models()) != 2 {
		t.Fatal("a failed sync changed rows")
	}

	for _, b := range []body{{"models": []any{}}, {}} {
		h := newHarness(t, true, Options{})
		r = h.do("POST", syncPath, AdminKey, b)
		expect(t, r, 200, ctJSON, "")
		mustEqual(t, r.list(t), []any{})
		if len(h.fake.Models()) != 0 {
			t.Fatal("an empty sync must delete everything")
		}
	}
}

func TestUnload(t *testing.T) {
	h := newHarness(t, true, Options{})
	base := func(s string) *string { return &s }
	h.fake.PutModel(Model{ID: "orphan", UserID: "u-admin", BaseModelID: base("ghost"), Name: "Orphan"})
	h.fake.PutModel(Model{ID: "loop-a", UserID: "u-admin", BaseModelID: base("loop-b"), Name: "A"})
	h.fake.PutModel(Model{ID: "loop-b", UserID: "u-admin", BaseModelID: base("loop-a"), Name: "B"})
	const noUnload = `Provider "default" does not support model unloading`
	unload := func(model string, status int, detail string, want any) {
		t.Helper()
		r := h.do("POST", unloadPath, AdminKey, body{"model": model})
		expect(t, r, status, ctJSON, detail)
		if want != nil {
			mustEqual(t, r.json(t), want)
		}
	}
	// The provider maps start empty, as after a restart: nothing is found.
	unload("gpt-4o", 404, `Model "gpt-4o" not found`, nil)
	unload("code-reviewer", 404, `Model "gpt-4o" not found`, nil) // the last id of the chain
	unload("llama3.1:8b", 404, `Model "llama3.1:8b" not found`, nil)

	expect(t, h.do("GET", "/api/models/base", AdminKey, nil), 200, ctJSON, "")
	unload("gpt-4o", 400, noUnload, nil)
	unload("code-reviewer", 400, noUnload, nil) // via base_model_id
	unload("nope", 404, `Model "nope" not found`, nil)
	unload("orphan", 404, `Model "ghost" not found`, nil)
	unload("loop-a", 404, `Model "loop-a" not found`, nil)
	unload("sql-helper", 200, "", map[string]any{"status": true}) // custom model over llama3.1:8b (Ollama)
	// That emptied the Ollama map only.
	unload("llama3.1:8b", 404, `Model "llama3.1:8b" not found`, nil)
	unload("mistral/mistral-small:24b", 200, "", map[string]any{"success": true, "model": "mistral/mistral-small:24b"}) // llama.cpp
	unload("mistral/mistral-small:24b", 404, `Model "mistral/mistral-small:24b" not found`, nil)
	unload("gpt-4o", 404, `Model "gpt-4o" not found`, nil)
	// Any listing refills them.
	expect(t, h.do("GET", "/api/v1/models", UserKey, nil), 200, ctJSON, "")
	unload("gpt-4o", 400, noUnload, nil)
	unload("llama3.1:8b", 200, "", map[string]any{"status": true})
	// A non-admin create looks the providers up, which refills them too.
	p := DefaultPermissions()
	p.WorkspaceModels = true
	hu := newHarness(t, true, Options{UserPermissions: &p})
	expect(t, hu.do("POST", createPath, UserKey, newModelBody("llama3.1")), 401, ctJSON, msgModelIDTaken)
	expect(t, hu.do("POST", unloadPath, AdminKey, body{"model": "gpt-4o"}), 400, ctJSON, noUnload)

	expect422(t, h.do("POST", unloadPath, AdminKey, body{}), "missing", "body", "model")

	// ENABLE_BASE_MODELS_CACHE fills the maps at startup; the other switch
	// turns off the emptying.
	for _, b := range []Behaviour{{ProviderMapsFilledAtStart: true}, {ProviderMapsFilledAtStart: true, UnloadKeepsProviderMaps: true}} {
		hh := newHarness(t, true, Options{Behaviour: b})
		expect(t, hh.do("POST", unloadPath, AdminKey, body{"model": "gpt-4o"}), 400, ctJSON, noUnload)
		expect(t, hh.do("POST", unloadPath, AdminKey, body{"model": "llama3.1:8b"}), 200, ctJSON, "")
		want := 404
		if b.UnloadKeepsProviderMaps {
			want = 200
		}
		if got := hh.do("POST", unloadPath, AdminKey, body{"model": "llama3.1:8b"}).status; got != want {
			t.Fatalf("%+v: second unload %d, want %d", b, got, want)
		}
	}
}

func TestFailModelFailsWritesOfOneModelOnly(t *testing.T) {
	h := newHarness(t, true, Options{})
	h.fake.FailModel("team/support-bot:v2", 500, "database is locked")
	before, _ := h.fake.Model("team/support-bot:v2")
	for _, r := range []result{
		h.do("POST", idQuery("/api/v1/models/model/toggle", "team/support-bot:v2"), AdminKey, nil),
		h.do("POST", "/api/v1/models/model/delete", AdminKey, map[string]any{"id": "team/support-bot:v2"}),
		h.do("POST", "/api/v1/models/model/access/update", AdminKey, map[string]any{"id": "team/support-bot:v2", "access_grants": []any{}}),
	} {
		expect(t, r, 500, "application/json", "database is locked")
	}
	after, ok := h.fake.Model("team/support-bot:v2")
	if !ok || after.IsActive != before.IsActive || len(after.AccessGrants) != len(before.AccessGrants) {
		t.Errorf("a failed write changed the model: %+v", after)
	}
	if r := h.do("GET", idQuery("/api/v1/models/model", "team/support-bot:v2"), AdminKey, nil); r.status != 200 {
		t.Errorf("reads are not affected: %d", r.status)
	}
	if r := h.do("POST", idQuery("/api/v1/models/model/toggle", "code-reviewer"), AdminKey, nil); r.status != 200 {
		t.Errorf("other models are not affected: %d", r.status)
	}
	h.fake.FailModel("team/support-bot:v2", 0, "")
	if r := h.do("POST", idQuery("/api/v1/models/model/toggle", "team/support-bot:v2"), AdminKey, nil); r.status != 200 {
		t.Errorf("after clearing: %d", r.status)
	}
}
