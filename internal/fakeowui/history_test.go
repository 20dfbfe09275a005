package fakeowui

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

const historyPath = "/api/v1/models/model/history"

func historyEntryPath(id, version string) string {
	return historyPath + "/" + url.PathEscape(version) + "?" + url.Values{"id": {id}}.Encode()
}

func versionOf(t *testing.T, h *harness, id string) string {
	t.Helper()
	v, _ := h.do("GET", idQuery("/api/v1/models/model", id), AdminKey, nil).obj(t)["version_id"].(string)
	if v == "" {
		t.Fatalf("%s has no version_id", id)
	}
	return v
}

func TestVersionID(t *testing.T) {
	h := newHarness(t, true, Options{})
	const id = "code-reviewer"
	v0 := versionOf(t, h, id)
	if v0 == versionOf(t, h, "sql-helper") {
		t.Fatal("every row has its own version")
	}
	steps := []struct {
		name    string
		do      func() result
		changes bool
	}{
		{"update that changes the name", func() result {
			b := updateBody(id)
			b["commit_message"] = "rename"
			return h.do("POST", updatePath, AdminKey, b)
		}, true},
		{"the same update again", func() result { return h.do("POST", updatePath, AdminKey, updateBody(id)) }, false},
		{"only is_active", func() result {
			b := updateBody(id)
			b["is_active"] = false
			return h.do("POST", updatePath, AdminKey, b)
		}, false},
		{"toggle", func() result { return h.do("POST", idQuery(togglePath, id), AdminKey, nil) }, false},
		{"access update", func() result {
			return h.do("POST", accessPath, AdminKey, body{"id": id, "access_grants": []any{}})
		}, false},
		{"import that changes meta", func() result {
			return h.do("POST", importPath, AdminKey, body{"models": []any{body{"id": id, "meta": body{"x": 1}, "params": body{"temperature": 0.9}}}})
		}, true},
		{"import that changes nothing", func() result {
			return h.do("POST", importPath, AdminKey, body{"models": []any{body{"id": id, "params": body{"temperature": 0.9}}}})
		}, false},
	}
	prev := v0
	for _, st := range steps {
		h.clock.Advance(time.Minute)
		expect(t, st.do(), 200, ctJSON, "")
		v := versionOf(t, h, id)
		if (v != prev) != st.changes {
			t.Fatalf("%s: version %s -> %s, want change=%v", st.name, prev, v, st.changes)
		}
		prev = v
	}

	r := h.do("GET", idQuery(historyPath, id), AdminKey, nil)
	expect(t, r, 200, ctJSON, "")
	l := r.list(t)
	if len(l) != 3 {
		t.Fatalf("%d history entries, want 3: %s", len(l), r.body)
	}
	newest := l[0].(map[string]any)
	mustEqual(t, newest["id"], prev)
	mustEqual(t, newest["model_id"], id)
	mustEqual(t, newest["user_id"], "u-admin")
	mustEqual(t, newest["user"], map[string]any{"name": "Admin"})
	mustEqual(t, newest["commit_message"], nil)
	mustEqual(t, l[1].(map[string]any)["commit_message"], "rename")
	mustEqual(t, newest["parent_id"], l[1].(map[string]any)["id"])
	first := l[2].(map[string]any)
	mustEqual(t, first["id"], v0)
	mustEqual(t, first["parent_id"], nil)
	if _, has := newest["snapshot"]; has {
		t.Fatal("the list has no snapshots")
	}
}

func TestHistoryRoutes(t *testing.T) {
	h := newHarness(t, true, Options{})
	const id = "team/support-bot:v2"
	v0 := versionOf(t, h, id)
	h.clock.Advance(time.Minute)
	h.do("POST", updatePath, AdminKey, updateBody(id))
	v1 := versionOf(t, h, id)
	h.clock.Advance(time.Minute)
	b := updateBody(id)
	b["name"] = "Third"
	h.do("POST", updatePath, AdminKey, b)
	v2 := versionOf(t, h, id)

	r := h.do("GET", historyEntryPath(id, v0), UserKey, nil) // g-eng write grant
	expect(t, r, 200, ctJSON, "")
	o := r.obj(t)
	mustEqual(t, o["id"], v0)
	snap := o["snapshot"].(map[string]any)
	mustEqual(t, snap["name"], "Support Bot v2")
	mustEqual(t, snap["base_model_id"], "gpt-4o")
	mustEqual(t, snap["meta"].(map[string]any)["voice"], nil) // ModelMeta dump
	if !strings.Contains(string(r.body), `"snapshot":{"name":"Support Bot v2","base_model_id":"gpt-4o","params":`) {
		t.Fatalf("snapshot key order: %s", r.body)
	}

	tests := []struct {
		name, method, path, key string
		body                    any
		status                  int
		detail                  string
	}{
		{"list: read-only caller", "GET", idQuery(historyPath, "code-reviewer"), UserKey, nil, 403, msgAccessProhibited},
		{"list: unknown model", "GET", idQuery(historyPath, "nope"), AdminKey, nil, 404, msgNotFound},
		{"list: no id", "GET", historyPath, AdminKey, nil, 422, ""},
		{"list: bad page", "GET", idQuery(historyPath, id) + "&page=x", AdminKey, nil, 422, ""},
		{"list: page 2 is empty", "GET", idQuery(historyPath, id) + "&page=2", AdminKey, nil, 200, ""},
		{"entry: unknown version", "GET", historyEntryPath(id, "nope"), AdminKey, nil, 404, msgVersionNotFound},
		{"entry: another model's version", "GET", historyEntryPath("code-reviewer", v0), AdminKey, nil, 404, msgVersionNotFound},
		{"delete: current version", "DELETE", historyEntryPath(id, v2), AdminKey, nil, 400, msgCurrentVersion},
		{"delete: read-only caller", "DELETE", historyEntryPath("code-reviewer", "x"), UserKey, nil, 403, msgAccessProhibited},
		{"delete: unknown version", "DELETE", historyEntryPath(id, "nope"), AdminKey, nil, 404, msgVersionNotFound},
		{"delete: the middle version", "DELETE", historyEntryPath(id, v1), AdminKey, nil, 200, ""},
		{"set version: unknown", "POST", idQuery(versionPath, id), AdminKey, body{"version_id": "nope"}, 404, msgVersionNotFound},
		{"set version: deleted one", "POST", idQuery(versionPath, id), AdminKey, body{"version_id": v1}, 404, msgVersionNotFound},
		{"set version: no body field", "POST", idQuery(versionPath, id), AdminKey, body{}, 422, ""},
		{"set version: read-only caller", "POST", idQuery(versionPath, "code-reviewer"), UserKey, body{"version_id": "x"}, 403, msgAccessProhibited},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, h.do(tc.method, tc.path, tc.key, tc.body), tc.status, ctJSON, tc.detail)
		})
	}
	// v2's parent is now v0.
	l := h.do("GET", idQuery(historyPath, id), AdminKey, nil).list(t)
	mustEqual(t, ids(l), []string{v2, v0})
	mustEqual(t, l[0].(map[string]any)["parent_id"], v0)

	// Rolling back restores the snapshot, keeps is_active and grants, and
	// writes no new entry.
	h.do("POST", idQuery(togglePath, id), AdminKey, nil)
	h.clock.Advance(time.Minute)
	r = h.do("POST", idQuery(versionPath, id), UserKey, body{"version_id": v0})
	expect(t, r, 200, ctJSON, "")
	o = r.obj(t)
	mustEqual(t, o["version_id"], v0)
	mustEqual(t, o["name"], "Support Bot v2")
	mustEqual(t, o["is_active"], false)
	mustEqual(t, o["updated_at"], float64(h.clock.Now().Unix()))
	m, _ := h.fake.Model(id)
	mustEqual(t, len(m.AccessGrants), 2)
	mustEqual(t, m.Params["temperature"], 0.3)
	mustEqual(t, len(h.do("GET", idQuery(historyPath, id), AdminKey, nil).list(t)), 2)
	// v2 is no longer current, so it may go now.
	expect(t, h.do("DELETE", historyEntryPath(id, v2), AdminKey, nil), 200, ctJSON, "")

	// Rolling back needs the snapshot's base model to be available.
	h.fake.PutModel(Model{ID: "gone-base", UserID: "u-admin", BaseModelID: strp("retired"), Name: "G"})
	gv := versionOf(t, h, "gone-base")
	h.do("POST", updatePath, AdminKey, updateBody("gone-base"))
	expect(t, h.do("POST", idQuery(versionPath, "gone-base"), AdminKey, body{"version_id": gv}), 400, ctJSON, "The base model is unavailable.")
	// A legacy id with a space cannot be rolled back (ModelForm fails).
	lv := versionOf(t, h, "release notes v1.2")
	r = h.do("POST", idQuery(versionPath, "release notes v1.2"), AdminKey, body{"version_id": lv})
	expect(t, r, 500, "text/plain", "")
}

const versionPath = "/api/v1/models/model/update/version"

func TestHistoryNonAdminCannotRollBackToBaseRow(t *testing.T) {
	h := newHarness(t, true, Options{})
	const id = "sql-helper" // Alice's
	h.do("POST", accessPath, AdminKey, body{"id": id, "access_grants": []any{}})
	b := updateBody(id)
	b["base_model_id"] = nil
	expect(t, h.do("POST", updatePath, AdminKey, b), 200, ctJSON, "") // admins may
	baseVersion := versionOf(t, h, id)
	b["base_model_id"] = "llama3.1:8b"
	h.do("POST", updatePath, AdminKey, b)
	expect(t, h.do("POST", idQuery(versionPath, id), UserKey, body{"version_id": baseVersion}), 403, ctJSON, msgAccessProhibited)
	expect(t, h.do("POST", idQuery(versionPath, id), AdminKey, body{"version_id": baseVersion}), 200, ctJSON, "")
}
