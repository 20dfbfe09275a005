package fakeowui

import (
	"bytes"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const listPath = "/api/v1/models/list"

// aliceReadable are the seeded custom models Alice can list (0.12.4: her
// write-only grant on incident-commander lets her GET it, not list it), in insertion
// order: her own, g-eng grants, a user grant, and the public one.
var aliceReadable = []string{
	"team/support-bot:v2", "code-reviewer", "release notes v1.2", "meeting-summarizer",
	"sql-helper", "alice/notes:draft", "onboarding-buddy",
	"data/sql-explainer:v1", "regex-wizard", "security-reviewer", "shell-explainer",
}

func TestListPagingAndOrder(t *testing.T) {
	h := newHarness(t, true, Options{})
	tests := []struct {
		name      string
		key, qs   string
		total     int
		wantIDs   []string // prefix of the page's ids
		pageCount int
	}{
		{"admin default is created_at desc", AdminKey, "", 36, []string{"ops/on-call-helper:v3", "brainstorm-partner"}, 30},
		{"page 2 has the rest", AdminKey, "page=2", 36, []string{"team/support-bot:v2"}[:0], 6},
		{"page beyond the end is empty", AdminKey, "page=3", 36, nil, 0},
		{"page 0 is clamped to 1", AdminKey, "page=0", 36, []string{"ops/on-call-helper:v3"}, 30},
		{"explicit created_at asc", AdminKey, "order_by=created_at&direction=asc", 36, []string{"team/support-bot:v2", "code-reviewer"}, 30},
		{"unknown order_by with a filter means no order", AdminKey, "order_by=bogus", 36, []string{"team/support-bot:v2", "code-reviewer"}, 30},
		{"non-admin without order_by: insertion order", UserKey, "", 11, aliceReadable, 11},
		{"view_option=created", UserKey, "view_option=created", 5, []string{"sql-helper", "alice/notes:draft", "data/sql-explainer:v1", "regex-wizard", "shell-explainer"}, 5},
		{"view_option=shared", UserKey, "view_option=shared", 6, []string{"team/support-bot:v2", "code-reviewer"}, 6},
		{"unknown view_option ignored", UserKey, "view_option=everything", 11, aliceReadable[:1], 11},
		{"query matches name case-insensitively", AdminKey, "query=SUPPORT", 1, []string{"team/support-bot:v2"}, 1},
		{"query matches base_model_id", AdminKey, "query=mistral-small", 4, nil, 4},
		{"query matches owner email", AdminKey, "query=alice%40example", 5, nil, 5},
		{"tag filter, case-insensitive", AdminKey, "tag=LEGACY", 1, []string{"legacy-faq-bot"}, 1},
		{"tag filter respects access", UserKey, "tag=security", 1, []string{"security-reviewer"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("GET", listPath+"?"+tc.qs, tc.key, nil)
			expect(t, r, 200, ctJSON, "")
			o := r.obj(t)
			if got := int(o["total"].(float64)); got != tc.total {
				t.Fatalf("total = %d, want %d", got, tc.total)
			}
			items := o["items"].([]any)
			if len(items) != tc.pageCount {
				t.Fatalf("page has %d items, want %d", len(items), tc.pageCount)
			}
			got := ids(items)
			if len(tc.wantIDs) > 0 {
				mustEqual(t, got[:len(tc.wantIDs)], tc.wantIDs)
			}
		})
	}
}

func TestListOrderByName(t *testing.T) {
	h := newHarness(t, true, Options{})
	for _, dir := range []string{"asc", "desc"} {
		var names []string
		for page := 1; page <= 2; page++ {
			r := h.do("GET", listPath+"?order_by=name&direction="+dir+"&page="+strconv.Itoa(page), UserKey, nil)
			for _, it := range r.obj(t)["items"].([]any) {
				names = append(names, it.(map[string]any)["name"].(string))
			}
		}
		want := slices.Clone(names)
		sort.Strings(want)
		if dir == "desc" {
			slices.Reverse(want)
		}
		mustEqual(t, names, want)
	}
}

func TestListItemShape(t *testing.T) {
	h := newHarness(t, true, Options{})
	find := func(key, id string) map[string]any {
		t.Helper()
		r := h.do("GET", listPath+"?order_by=created_at&direction=asc", key, nil)
		for _, it := range r.obj(t)["items"].([]any) {
			if m := it.(map[string]any); m["id"] == id {
				return m
			}
		}
		t.Fatalf("%s not listed for %s", id, key)
		return nil
	}

	item := find(UserKey, "meeting-summarizer") // read-only for Alice, has an image
	mustEqual(t, item["user"], map[string]any{"id": "u-admin", "name": "Admin", "role": "admin", "email": "admin@example.com"})
	mustEqual(t, item["write_access"], false)
	mustEqual(t, item["params"], map[string]any{})
	if _, has := item["meta"].(map[string]any)["profile_image_url"]; has {
		t.Fatal("list item keeps meta.profile_image_url")
	}
	grants := item["access_grants"].([]any)
	g := grants[0].(map[string]any)
	for _, k := range []string{"id", "resource_type", "resource_id", "principal_type", "principal_id", "permission", "created_at"} {
		if _, ok := g[k]; !ok {
			t.Fatalf("grant lacks %s: %v", k, g)
		}
	}
	mustEqual(t, g["resource_type"], "model")
	mustEqual(t, g["resource_id"], "meeting-summarizer")

	item = find(UserKey, "team/support-bot:v2") // g-eng write grant
	mustEqual(t, item["write_access"], true)
	if item["params"].(map[string]any)["system"] == nil {
		t.Fatal("writer lost params")
	}
	item = find(UserKey, "sql-helper") // owned
	mustEqual(t, item["write_access"], true)
	mustEqual(t, item["user"].(map[string]any)["id"], "u-alice")

	item = find(AdminKey, "meeting-summarizer") // admin bypass
	mustEqual(t, item["write_access"], true)
	if _, has := item["meta"].(map[string]any)["profile_image_url"]; has {
		t.Fatal("list item keeps meta.profile_image_url for admins")
	}
	keys := make([]string, 0, len(item))
	for k := range item {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	mustEqual(t, keys, []string{"access_grants", "base_model_id", "created_at", "id", "is_active", "meta", "name", "params", "updated_at", "user", "user_id", "version_id", "write_access"})
	// 0.12.4: every typed ModelMeta key but the stripped image, null when
	// unset, then the extra keys.
	mustEqual(t, item["meta"], map[string]any{
		"background_image_url": nil, "description": "Summarizes meeting transcripts into decisions and action items.",
		"i18n": nil, "capabilities": nil, "knowledge": nil, "voice": nil, "voice_avatar": nil,
		"tags": []any{map[string]any{"name": "productivity"}},
	})
	r := h.do("GET", listPath+"?query=Meeting", AdminKey, nil)
	if !strings.Contains(string(r.body), `"meta":{"background_image_url":null,"description":"Summarizes`) {
		t.Fatalf("typed meta keys must come first, in ModelMeta order: %s", r.body)
	}
	if !strings.HasPrefix(string(r.body), `{"items":[{"version_id":"`) {
		t.Fatalf("version_id must be the first key: %.80s", r.body)
	}
}

func TestChatVariablesSchema(t *testing.T) {
	h := newHarness(t, true, Options{})
	base := "gpt-4o"
	put := func(id, system string) {
		h.fake.PutModel(Model{ID: id, UserID: "u-admin", BaseModelID: &base, Name: id, IsActive: true,
			Params:       map[string]any{"system": system},
			Meta:         map[string]any{"chat_variables_schema": "stale"},
			AccessGrants: []Grant{{"user", "*", "read"}}})
	}
	put("vars", "Hi {{chat.variables.customer}}, re {{ chat.variables.topic | select:options=[\"a\",\"b\"]:required }} {{chat.variables.customer}}")
	put("plain", "No variables here.")
	put("bad-key", "{{chat.variables.Bad}}")
	want := map[string]any{"fields": []any{
		map[string]any{"key": "customer", "type": "text", "required": false},
		map[string]any{"key": "topic", "options": []any{"a", "b"}, "required": true, "type": "select"},
	}}
	for _, key := range []string{AdminKey, UserKey} { // read-only callers get it too
		r := h.do("GET", idQuery("/api/v1/models/model", "vars"), key, nil)
		expect(t, r, 200, ctJSON, "")
		mustEqual(t, r.obj(t)["meta"].(map[string]any)["chat_variables_schema"], want)
		if !strings.Contains(string(r.body), `{"key":"customer","type":"text","required":false}`) {
			t.Fatalf("field keys out of order: %s", r.body)
		}
	}
	r := h.do("GET", listPath+"?query=vars", UserKey, nil)
	mustEqual(t, r.obj(t)["items"].([]any)[0].(map[string]any)["meta"].(map[string]any)["chat_variables_schema"], want)
	for _, id := range []string{"plain", "bad-key"} {
		r := h.do("GET", idQuery("/api/v1/models/model", id), AdminKey, nil)
		if _, has := r.obj(t)["meta"].(map[string]any)["chat_variables_schema"]; has {
			t.Fatalf("%s: a stale or invalid schema must be dropped", id)
		}
	}
	// Other routes return meta as stored minus the schema, and writes drop it.
	b := updateBody("vars")
	b["meta"] = body{"chat_variables_schema": want}
	h.do("POST", updatePath, AdminKey, b)
	if m, _ := h.fake.Model("vars"); m.Meta["chat_variables_schema"] != nil {
		t.Fatal("update stored chat_variables_schema")
	}
}

func TestListBehaviourKnobs(t *testing.T) {
	h := newHarness(t, true, Options{Behaviour: Behaviour{ListKeepsParams: true, NoAdminBypass: true}})
	r := h.do("GET", listPath+"?view_option=shared", UserKey, nil)
	for _, it := range r.obj(t)["items"].([]any) {
		if len(it.(map[string]any)["params"].(map[string]any)) == 0 {
			t.Fatal("ListKeepsParams: params stripped")
		}
	}
	r = h.do("GET", listPath, AdminKey, nil)
	mustEqual(t, r.obj(t)["total"], float64(31)) // only the admin's own rows
	expect(t, h.do("GET", idQuery("/api/v1/models/model", "sql-helper"), AdminKey, nil), 401, ctJSON, msgAccessProhibited)
}

func TestListValidationAndTagQuirk(t *testing.T) {
	h := newHarness(t, true, Options{})
	expect422(t, h.do("GET", listPath+"?page=abc", AdminKey, nil), "int_parsing", "query", "page")

	// The tag filter is a text search over meta, so any string value equal
	// to the tag matches, not only tag names.
	base := "gpt-4o"
	h.fake.PutModel(Model{ID: "quirk", UserID: "u-admin", BaseModelID: &base, Name: "Quirk", IsActive: true,
		Meta: map[string]any{"owner_team": "Legal"}})
	r := h.do("GET", listPath+"?tag=legal&order_by=created_at&direction=asc", AdminKey, nil)
	mustEqual(t, ids(r.obj(t)["items"].([]any)), []string{"legal-clause-checker", "quirk"})
}

func TestTagRoutes(t *testing.T) {
	h := newHarness(t, true, Options{})
	tests := []struct {
		name, path, key string
		want            []any
	}{
		{"custom tags for alice (readable only)", "/api/v1/models/tags", UserKey,
			[]any{"code", "customer", "data", "engineering", "hr", "personal", "productivity", "security", "support", "writing"}},
		{"base tags", "/api/v1/models/base/tags", AdminKey, []any{"general", "local", "meta", "openai"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("GET", tc.path, tc.key, nil)
			expect(t, r, 200, ctJSON, "")
			mustEqual(t, r.list(t), tc.want)
		})
	}
	all := h.do("GET", "/api/v1/models/tags", AdminKey, nil).list(t)
	if slices.Contains(all, any("openai")) || !slices.Contains(all, any("legal")) {
		t.Fatalf("admin tags wrong: %v", all)
	}
}

func TestBaseModelRoutes(t *testing.T) {
	h := newHarness(t, true, Options{})
	r := h.do("GET", "/api/v1/models/base", AdminKey, nil)
	expect(t, r, 200, ctJSON, "")
	mustEqual(t, ids(r.list(t)), []string{"gpt-4o", "llama3.1:8b"})
	first := r.list(t)[0].(map[string]any)
	mustEqual(t, first["base_model_id"], nil)
	if _, has := first["write_access"]; has {
		t.Fatal("ModelResponse must not carry write_access")
	}
	r = h.do("GET", "/api/v1/models/base?tag=local", AdminKey, nil)
	mustEqual(t, ids(r.list(t)), []string{"llama3.1:8b"})

	r = h.do("GET", "/api/models/base", AdminKey, nil)
	expect(t, r, 200, ctJSON, "")
	data := r.obj(t)["data"].([]any)
	// OpenAI connections first, then Ollama (get_all_base_models).
	mustEqual(t, ids(data), []string{"gpt-4o", "gpt-4o-mini", "mistral/mistral-small:24b", "llama3.1:8b"})
	mustEqual(t, data[0], map[string]any{
		"id": "gpt-4o", "object": "model", "created": float64(DemoEpoch), "owned_by": "openai",
		"connection_type": "external", "name": "gpt-4o",
		"openai":   map[string]any{"id": "gpt-4o", "object": "model", "created": float64(DemoEpoch), "owned_by": "openai", "connection_type": "external"},
		"provider": "", "urlIdx": float64(0),
	})
	llama := data[3].(map[string]any)
	mustEqual(t, llama["owned_by"], "ollama")
	mustEqual(t, llama["created"], float64(0))
	mustEqual(t, llama["connection_type"], "local")
	mustEqual(t, llama["loaded"], false)
	if _, ok := llama["ollama"].(map[string]any); !ok {
		t.Fatal("ollama item lacks the ollama object")
	}
}

func TestAllModels(t *testing.T) {
	h := newHarness(t, true, Options{})
	r := h.do("GET", "/api/v1/models/all", AdminKey, nil)
	expect(t, r, 200, ctJSON, "")
	l := r.list(t)
	if len(l) != 38 { // 2 base rows + 36 custom
		t.Fatalf("/all has %d rows", len(l))
	}
	mustEqual(t, ids(l)[:3], []string{"gpt-4o", "llama3.1:8b", "team/support-bot:v2"})
	first := l[0].(map[string]any)
	if _, has := first["write_access"]; has {
		t.Fatal("/all returns ModelResponse")
	}
	if v, _ := first["version_id"].(string); v == "" {
		t.Fatal("/all rows carry version_id")
	}
}

func TestRuntimeModels(t *testing.T) {
	h := newHarness(t, true, Options{})
	for _, path := range []string{"/api/models", "/api/v1/models"} {
		r := h.do("GET", path, AdminKey, nil)
		expect(t, r, 200, ctJSON, "")
		data := r.obj(t)["data"].([]any)
		got := ids(data)
		// Providers (OpenAI first), then the 35 active custom models.
		mustEqual(t, got[:5], []string{"gpt-4o", "gpt-4o-mini", "mistral/mistral-small:24b", "llama3.1:8b", "team/support-bot:v2"})
		if len(got) != 4+35 || slices.Contains(got, "legacy-faq-bot") {
			t.Fatalf("%s: %d models: %v", path, len(got), got)
		}
		gpt := data[0].(map[string]any)
		mustEqual(t, gpt["name"], "GPT-4o") // the base row's name
		info := gpt["info"].(map[string]any)
		mustEqual(t, info["id"], "gpt-4o")
		mustEqual(t, info["params"], map[string]any{})
		mustEqual(t, gpt["tags"], []any{map[string]any{"name": "openai"}, map[string]any{"name": "general"}})
		if _, has := data[1].(map[string]any)["info"]; has {
			t.Fatal("a provider model without a row has no info")
		}
		custom := data[4].(map[string]any)
		mustEqual(t, custom["preset"], true)
		mustEqual(t, custom["owned_by"], "openai")
		mustEqual(t, custom["created"], float64(DemoEpoch+3600))
		if _, has := custom["info"].(map[string]any)["meta"].(map[string]any)["profile_image_url"]; has {
			t.Fatal("profile_image_url must be stripped")
		}
	}
	// Alice sees only what a row grants her read on: gpt-4o (g-eng grant)
	// and her listable custom models, but not llama3.1:8b (row, no grant),
	// the write-only incident-commander, nor unconfigured providers.
	r := h.do("GET", "/api/models", UserKey, nil)
	got := ids(r.obj(t)["data"].([]any))
	if got[0] != "gpt-4o" || slices.Contains(got, "gpt-4o-mini") || slices.Contains(got, "llama3.1:8b") || len(got) != 1+len(aliceReadable) {
		t.Fatalf("alice sees %v", got)
	}
	expect(t, h.do("GET", "/api/models", "", nil), 401, ctJSON, msgNotAuthenticated)
}

func TestExport(t *testing.T) {
	h := newHarness(t, true, Options{})
	const path = "/api/v1/models/export"
	r := h.do("GET", path, AdminKey, nil)
	expect(t, r, 200, ctJSON, "")
	l := r.list(t)
	if len(l) != 36 {
		t.Fatalf("admin export has %d models, want 36 (no base rows)", len(l))
	}
	first := l[0].(map[string]any)
	if v, has := first["background_image_data"]; !has || v != nil {
		t.Fatalf("background_image_data = %v (present %v), want null", v, has)
	}
	if _, has := first["user"]; has {
		t.Fatal("export items carry no user")
	}
	if v, _ := first["version_id"].(string); v == "" {
		t.Fatal("export items carry version_id")
	}
	// Export keeps profile images and full params (it is ModelModel).
	for _, m := range l {
		m := m.(map[string]any)
		if m["id"] == "meeting-summarizer" && m["meta"].(map[string]any)["profile_image_url"] != demoAvatar {
			t.Fatal("export lost profile_image_url")
		}
	}
	expect(t, h.do("GET", path, UserKey, nil), 401, ctJSON, msgUnauthorized)

	q := func(ids ...string) string { return path + "?" + url.Values{"ids": ids}.Encode() }
	tests := []struct {
		name   string
		key    string
		path   string
		status int
		want   []string
	}{
		{"ids filter, in row order", AdminKey, q("sql-helper", "code-reviewer"), 200, []string{"code-reviewer", "sql-helper"}},
		{"repeated id", AdminKey, q("sql-helper", "sql-helper"), 200, []string{"sql-helper"}},
		{"id with a space", AdminKey, q("release notes v1.2"), 200, []string{"release notes v1.2"}},
		{"unknown id", AdminKey, q("sql-helper", "nope"), 403, nil},
		{"base row", AdminKey, q("gpt-4o"), 403, nil},
		{"empty ids", AdminKey, path + "?ids=", 403, nil},
		{"user: own and write-granted", UserKey, q("sql-helper", "incident-commander"), 200, []string{"sql-helper", "incident-commander"}},
		{"user: read-only model", UserKey, q("sql-helper", "code-reviewer"), 403, nil},
	}
	p := DefaultPermissions()
	p.ModelsExport = true
	hu := newHarness(t, true, Options{UserPermissions: &p})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hh := h
			if tc.key == UserKey {
				hh = hu
			}
			r := hh.do("GET", tc.path, tc.key, nil)
			if tc.status != 200 {
				expect(t, r, tc.status, ctJSON, msgAccessProhibited)
				return
			}
			expect(t, r, 200, ctJSON, "")
			mustEqual(t, ids(r.list(t)), tc.want)
		})
	}
	r = hu.do("GET", path, UserKey, nil)
	mustEqual(t, ids(r.list(t)), []string{
		"team/support-bot:v2", "sql-helper", "alice/notes:draft", "incident-commander",
		"data/sql-explainer:v1", "regex-wizard", "shell-explainer",
	})

	// The fake has no file store, so a model with a background image cannot
	// be exported (the real server inlines the file as background_image_data).
	base := "gpt-4o"
	h.fake.PutModel(Model{ID: "bg", UserID: "u-admin", BaseModelID: &base, Name: "BG", IsActive: true,
		Meta: map[string]any{"background_image_url": "/api/v1/files/0a1b2c3d-0000-4000-8000-000000000001/content"}})
	expect(t, h.do("GET", path, AdminKey, nil), 400, ctJSON, "Could not export background for model bg.")
	expect(t, h.do("GET", q("sql-helper"), AdminKey, nil), 200, ctJSON, "")
}

func TestGetModel(t *testing.T) {
	h := newHarness(t, true, Options{})
	const path = "/api/v1/models/model"
	tests := []struct {
		name, key, id string
		status        int
		detail        string
		write         bool
	}{
		{"admin, id with / and :", AdminKey, "team/support-bot:v2", 200, "", true},
		{"id with space and dot", UserKey, "release notes v1.2", 200, "", false},
		{"grant via group write", UserKey, "incident-commander", 200, "", true},
		{"owner", UserKey, "sql-helper", 200, "", true},
		{"base row readable via group grant", UserKey, "gpt-4o", 200, "", false},
		{"no access", UserKey, "legal-clause-checker", 401, msgAccessProhibited, false},
		{"no access to a base row", UserKey, "llama3.1:8b", 401, msgAccessProhibited, false},
		{"not found", AdminKey, "nope", 404, msgNotFound, false},
		{"provider model without row", AdminKey, "gpt-4o-mini", 404, msgNotFound, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("GET", idQuery(path, tc.id), tc.key, nil)
			expect(t, r, tc.status, ctJSON, tc.detail)
			if tc.status != 200 {
				return
			}
			o := r.obj(t)
			mustEqual(t, o["id"], tc.id)
			mustEqual(t, o["write_access"], tc.write)
			mustEqual(t, o["user"], nil)
			if params := o["params"].(map[string]any); !tc.write && len(params) != 0 {
				t.Fatalf("read-only caller got params %v", params)
			}
		})
	}
	expect422(t, h.do("GET", path, AdminKey, nil), "missing", "query", "id")

	r := h.do("GET", idQuery(path, "meeting-summarizer"), AdminKey, nil)
	if r.obj(t)["meta"].(map[string]any)["profile_image_url"] != demoAvatar {
		t.Fatal("GET /model must keep meta.profile_image_url")
	}
}

func TestProfileImage(t *testing.T) {
	h := newHarness(t, true, Options{})
	base := "gpt-4o"
	put := func(id, url string) {
		h.fake.PutModel(Model{ID: id, UserID: "u-admin", BaseModelID: &base, Name: id, IsActive: true,
			Meta: map[string]any{"profile_image_url": url}, UpdatedAt: 1234})
	}
	put("svg", "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=")
	put("broken", "data:image/png;base64,!!!")
	put("static", "/static/./img/../logo.png")
	put("escape", "/static/../etc/passwd")
	put("relative", "/user.png")

	const path = "/api/v1/models/model/profile/image"
	tests := []struct {
		key, id, location string
	}{
		{AdminKey, "translator-fr", "https://example.com/avatars/translator-fr.png"},
		{AdminKey, "code-reviewer", "/static/favicon.png"}, // no image stored
		{AdminKey, "unknown-model", "/static/favicon.png"}, // never a 404
		{AdminKey, "svg", "/static/favicon.png"},
		{AdminKey, "broken", "/static/favicon.png"},
		{AdminKey, "static", "/static/logo.png"},
		{AdminKey, "escape", "/static/favicon.png"},
		{AdminKey, "relative", "/static/favicon.png"},
		// 0.12.4 checks read access: Alice cannot read these, so she gets
		// the default image, whatever is stored.
		{UserKey, "translator-fr", "/static/favicon.png"},
		{UserKey, "static", "/static/favicon.png"},
	}
	for _, tc := range tests {
		t.Run(tc.id+"/"+tc.key[:8], func(t *testing.T) {
			r := h.do("GET", idQuery(path, tc.id), tc.key, nil)
			if r.status != http.StatusFound || r.header.Get("Location") != tc.location {
				t.Fatalf("got %d Location %q, want 302 %q", r.status, r.header.Get("Location"), tc.location)
			}
		})
	}

	// Alice reads meeting-summarizer through a g-eng read grant.
	r := h.do("GET", idQuery(path, "meeting-summarizer"), UserKey, nil)
	expect(t, r, 200, "image/png", "")
	if _, err := png.Decode(bytes.NewReader(r.body)); err != nil {
		t.Fatalf("served image is not a PNG: %v", err)
	}
	m, _ := h.fake.Model("meeting-summarizer")
	mustEqual(t, r.header.Get("ETag"), `"`+strconv.FormatInt(m.UpdatedAt, 10)+`"`)
	mustEqual(t, r.header.Get("Content-Disposition"), "inline")
	mustEqual(t, r.header.Get("X-Content-Type-Options"), "nosniff")

	// The check is has_access(read): an owner passes, a write-only grant
	// does not.
	alice := "u-alice"
	h.fake.PutModel(Model{ID: "own", UserID: alice, BaseModelID: &base, Name: "own", Meta: map[string]any{"profile_image_url": "https://x.test/own.png"}})
	h.fake.PutModel(Model{ID: "w", UserID: "u-admin", BaseModelID: &base, Name: "w", Meta: map[string]any{"profile_image_url": "https://x.test/w.png"},
		AccessGrants: []Grant{{"user", alice, "write"}}})
	mustEqual(t, h.do("GET", idQuery(path, "own"), UserKey, nil).header.Get("Location"), "https://x.test/own.png")
	mustEqual(t, h.do("GET", idQuery(path, "w"), UserKey, nil).header.Get("Location"), "/static/favicon.png")

	expect(t, h.do("GET", idQuery(path, "meeting-summarizer"), "", nil), 401, ctJSON, msgNotAuthenticated)
	expect422(t, h.do("GET", path, UserKey, nil), "missing", "query", "id")

	fav := h.do("GET", "/static/favicon.png", "", nil)
	expect(t, fav, 200, "image/png", "")
	if _, err := png.Decode(bytes.NewReader(fav.body)); err != nil {
		t.Fatalf("favicon is not a PNG: %v", err)
	}

	noFwd := newHarness(t, true, Options{Behaviour: Behaviour{NoProfileImageForwarding: true}})
	r = noFwd.do("GET", idQuery(path, "translator-fr"), AdminKey, nil)
	mustEqual(t, r.header.Get("Location"), "/static/favicon.png")
	// Without the admin bypass an admin needs read access too.
	noBypass := newHarness(t, true, Options{Behaviour: Behaviour{NoAdminBypass: true}})
	mustEqual(t, noBypass.do("GET", idQuery(path, "translator-fr"), AdminKey, nil).header.Get("Location"), "https://example.com/avatars/translator-fr.png")
	noBypass.fake.PutModel(Model{ID: "hers", UserID: alice, BaseModelID: &base, Name: "hers", Meta: map[string]any{"profile_image_url": "https://x.test/h.png"}})
	mustEqual(t, noBypass.do("GET", idQuery(path, "hers"), AdminKey, nil).header.Get("Location"), "/static/favicon.png")
}
