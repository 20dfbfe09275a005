package fakeowui

import (
	"bytes"
	"image/png"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"testing"
)

const listPath = "/api/v1/models/list"

// aliceReadable are the seeded custom models Alice can read, in insertion
// order: her own, g-eng grants, a user grant, and the public one.
var aliceReadable = []string{
	"team/support-bot:v2", "code-reviewer", "release notes v1.2", "meeting-summarizer",
	"sql-helper", "alice/notes:draft", "incident-commander", "onboarding-buddy",
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
		{"non-admin without order_by: insertion order", UserKey, "", 12, aliceReadable, 12},
		{"view_option=created", UserKey, "view_option=created", 5, []string{"sql-helper", "alice/notes:draft", "data/sql-explainer:v1", "regex-wizard", "shell-explainer"}, 5},
		{"view_option=shared", UserKey, "view_option=shared", 7, []string{"team/support-bot:v2", "code-reviewer"}, 7},
		{"unknown view_option ignored", UserKey, "view_option=everything", 12, aliceReadable[:1], 12},
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
	for _, k := range []string{"id", "user_id", "base_model_id", "name", "params", "meta", "access_grants", "is_active", "updated_at", "created_at", "user", "write_access"} {
		if _, ok := item[k]; !ok {
			t.Fatalf("item lacks %s", k)
		}
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
			[]any{"code", "customer", "data", "engineering", "hr", "ops", "personal", "productivity", "security", "support", "writing"}},
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
	mustEqual(t, ids(data), []string{"gpt-4o", "gpt-4o-mini", "llama3.1:8b", "mistral/mistral-small:24b"})
	gpt := data[0].(map[string]any)
	mustEqual(t, gpt["owned_by"], "openai")
	mustEqual(t, gpt["name"], "gpt-4o")
	mustEqual(t, gpt["urlIdx"], float64(0))
	if _, ok := gpt["openai"].(map[string]any); !ok {
		t.Fatal("openai item lacks the raw entry")
	}
	llama := data[2].(map[string]any)
	mustEqual(t, llama["owned_by"], "ollama")
	if _, ok := llama["ollama"].(map[string]any); !ok {
		t.Fatal("ollama item lacks the ollama object")
	}
}

func TestExport(t *testing.T) {
	h := newHarness(t, true, Options{})
	r := h.do("GET", "/api/v1/models/export", AdminKey, nil)
	expect(t, r, 200, ctJSON, "")
	if n := len(r.list(t)); n != 36 {
		t.Fatalf("admin export has %d models, want 36 (no base rows)", n)
	}
	expect(t, h.do("GET", "/api/v1/models/export", UserKey, nil), 401, ctJSON, msgUnauthorized)

	p := DefaultPermissions()
	p.ModelsExport = true
	h = newHarness(t, true, Options{UserPermissions: &p})
	r = h.do("GET", "/api/v1/models/export", UserKey, nil)
	mustEqual(t, ids(r.list(t)), []string{
		"team/support-bot:v2", "sql-helper", "alice/notes:draft", "incident-commander",
		"data/sql-explainer:v1", "regex-wizard", "shell-explainer",
	})
	// Export keeps profile images and full params (it is ModelModel).
	r = h.do("GET", "/api/v1/models/export", AdminKey, nil)
	for _, m := range r.list(t) {
		m := m.(map[string]any)
		if m["id"] == "meeting-summarizer" && m["meta"].(map[string]any)["profile_image_url"] == nil {
			t.Fatal("export lost profile_image_url")
		}
	}
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
		id, location string
	}{
		{"translator-fr", "https://example.com/avatars/translator-fr.png"},
		{"code-reviewer", "/static/favicon.png"}, // no image stored
		{"unknown-model", "/static/favicon.png"}, // never a 404
		{"svg", "/static/favicon.png"},
		{"broken", "/static/favicon.png"},
		{"static", "/static/logo.png"},
		{"escape", "/static/favicon.png"},
		{"relative", "/static/favicon.png"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			r := h.do("GET", idQuery(path, tc.id), UserKey, nil)
			if r.status != http.StatusFound || r.header.Get("Location") != tc.location {
				t.Fatalf("got %d Location %q, want 302 %q", r.status, r.header.Get("Location"), tc.location)
			}
		})
	}

	r := h.do("GET", idQuery(path, "meeting-summarizer"), UserKey, nil)
	expect(t, r, 200, "image/png", "")
	if _, err := png.Decode(bytes.NewReader(r.body)); err != nil {
		t.Fatalf("served image is not a PNG: %v", err)
	}
	m, _ := h.fake.Model("meeting-summarizer")
	mustEqual(t, r.header.Get("ETag"), `"`+strconv.FormatInt(m.UpdatedAt, 10)+`"`)
	mustEqual(t, r.header.Get("Content-Disposition"), "inline")
	mustEqual(t, r.header.Get("X-Content-Type-Options"), "nosniff")

	expect(t, h.do("GET", idQuery(path, "meeting-summarizer"), "", nil), 401, ctJSON, msgNotAuthenticated)
	expect422(t, h.do("GET", path, UserKey, nil), "missing", "query", "id")

	fav := h.do("GET", "/static/favicon.png", "", nil)
	expect(t, fav, 200, "image/png", "")
	if _, err := png.Decode(bytes.NewReader(fav.body)); err != nil {
		t.Fatalf("favicon is not a PNG: %v", err)
	}

	noFwd := newHarness(t, true, Options{Behaviour: Behaviour{NoProfileImageForwarding: true}})
	r = noFwd.do("GET", idQuery(path, "translator-fr"), UserKey, nil)
	mustEqual(t, r.header.Get("Location"), "/static/favicon.png")
}
