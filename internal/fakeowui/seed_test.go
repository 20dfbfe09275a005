package fakeowui

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"strings"
	"testing"
	"time"
)

func TestSeedDemoContents(t *testing.T) {
	s := New(Options{})
	SeedDemo(s)
	models := s.Models()

	var base, custom, disabled, byAlice, public, engRead, engWrite, aliceGrant int
	var slashColon, spaceDot, dataImage, httpsImage bool
	last := int64(0)
	for _, m := range models {
		if m.BaseModelID == nil {
			base++
			if len(tagNames(m.Meta)) == 0 {
				t.Errorf("base row %s has no tags", m.ID)
			}
			continue
		}
		custom++
		if m.CreatedAt < DemoEpoch || m.UpdatedAt < m.CreatedAt {
			t.Errorf("%s: timestamps %d/%d", m.ID, m.CreatedAt, m.UpdatedAt)
		}
		last = max(last, m.CreatedAt)
		if !m.IsActive {
			disabled++
		}
		if m.UserID == "u-alice" {
			byAlice++
		}
		if len(tagNames(m.Meta)) == 0 || m.Meta["description"] == "" || m.Params["system"] == nil || m.Params["temperature"] == nil {
			t.Errorf("%s lacks tags, description or params", m.ID)
		}
		for _, g := range m.AccessGrants {
			switch g {
			case Grant{"user", "*", "read"}:
				public++
			case Grant{"group", "g-eng", "read"}:
				engRead++
			case Grant{"group", "g-eng", "write"}:
				engWrite++
			case Grant{"user", "u-alice", "read"}:
				aliceGrant++
			}
		}
		slashColon = slashColon || (strings.Contains(m.ID, "/") && strings.Contains(m.ID, ":"))
		spaceDot = spaceDot || (strings.Contains(m.ID, " ") && strings.Contains(m.ID, "."))
		img, _ := m.Meta["profile_image_url"].(string)
		if rest, ok := strings.CutPrefix(img, "data:image/png;base64,"); ok {
			raw, err := base64.StdEncoding.DecodeString(rest)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
				t.Fatalf("demo avatar is not a valid PNG: %v", err)
			}
			dataImage = true
		}
		httpsImage = httpsImage || strings.HasPrefix(img, "https://")
	}
	if base != 2 || custom <= pageSize || disabled != 1 || byAlice == 0 {
		t.Fatalf("base=%d custom=%d disabled=%d alice=%d", base, custom, disabled, byAlice)
	}
	if public != 1 || engRead == 0 || engWrite == 0 || aliceGrant == 0 {
		t.Fatalf("grants: public=%d engRead=%d engWrite=%d alice=%d", public, engRead, engWrite, aliceGrant)
	}
	if !slashColon || !spaceDot || !dataImage || !httpsImage {
		t.Fatalf("ids/images: slashColon=%v spaceDot=%v data=%v https=%v", slashColon, spaceDot, dataImage, httpsImage)
	}
	if n := len(s.providers); n < 3 {
		t.Fatalf("%d provider models", n)
	}
	for _, m := range models {
		if m.BaseModelID != nil {
			if _, ok := s.provider(*m.BaseModelID); !ok {
				t.Errorf("%s is based on %s, which no provider serves", m.ID, *m.BaseModelID)
			}
		}
	}
}

// Demo data must not depend on the clock or on the run.
func TestSeedDemoDeterministic(t *testing.T) {
	export := func(now time.Time) string {
		h := newHarness(t, true, Options{Now: func() time.Time { return now }})
		return string(h.do("GET", "/api/v1/models/export", AdminKey, nil).body) +
			string(h.do("GET", "/api/v1/models/base", AdminKey, nil).body) +
			string(h.do("GET", "/api/models/base", AdminKey, nil).body)
	}
	a, b := export(time.Unix(1, 0)), export(time.Unix(2e9, 0))
	if a != b {
		t.Fatal("SeedDemo output depends on the clock")
	}
}

func TestPutModelAndReadBack(t *testing.T) {
	s := New(Options{Now: func() time.Time { return time.Unix(500, 0) }})
	base := "gpt-4o"
	in := Model{ID: "m", UserID: "u-admin", BaseModelID: &base, Name: "M",
		Meta:         map[string]any{"tags": []string{"a"}, "n": 1},
		AccessGrants: []Grant{{"user", "u-alice", "write"}}}
	s.PutModel(in)
	got, ok := s.Model("m")
	if !ok {
		t.Fatal("not stored")
	}
	// Values are normalized to decoded-JSON types; zero times become now.
	mustEqual(t, got.Meta, map[string]any{"tags": []any{"a"}, "n": float64(1)})
	mustEqual(t, got.Params, map[string]any{})
	mustEqual(t, got.CreatedAt, int64(500))
	mustEqual(t, got.UpdatedAt, int64(500))

	// Read-backs are deep copies.
	got.Meta["tags"].([]any)[0] = "changed"
	*got.BaseModelID = "other"
	got.AccessGrants[0].Permission = "read"
	again, _ := s.Model("m")
	mustEqual(t, again.Meta["tags"], []any{"a"})
	mustEqual(t, *again.BaseModelID, "gpt-4o")
	mustEqual(t, again.AccessGrants[0].Permission, "write")

	// Overwriting keeps the row's place in insertion order.
	s.PutModel(Model{ID: "z", UserID: "u-admin", BaseModelID: &base, Name: "Z"})
	s.PutModel(Model{ID: "m", UserID: "u-admin", BaseModelID: &base, Name: "M2"})
	rows := s.sortedRows()
	mustEqual(t, []string{rows[0].id, rows[1].id}, []string{"m", "z"})
	mustEqual(t, len(s.Models()), 2)
	if _, ok := s.Model("nope"); ok {
		t.Fatal("unknown id found")
	}

	s.AddProviderModel("p", "openai", false)
	s.AddProviderModel("p", "ollama", true)
	if p, _ := s.provider("p"); len(s.providers) != 1 || !p.canUnload {
		t.Fatalf("AddProviderModel must replace: %+v", s.providers)
	}
}

// The walk a demo user or an MCP client takes on the seeded data, with the
// 0.12.4 rules: it must work for an ordinary model.
func TestSeedDemoWalk(t *testing.T) {
	h := newHarness(t, true, Options{})
	const id = "code-reviewer"

	r := h.do("GET", listPath+"?query=Code+Reviewer", AdminKey, nil)
	expect(t, r, 200, ctJSON, "")
	mustEqual(t, ids(r.obj(t)["items"].([]any)), []string{id})

	r = h.do("GET", idQuery("/api/v1/models/model", id), AdminKey, nil)
	expect(t, r, 200, ctJSON, "")
	backup := r.obj(t)
	grants := []any{}
	for _, g := range backup["access_grants"].([]any) {
		g := g.(map[string]any)
		grants = append(grants, body{"principal_type": g["principal_type"], "principal_id": g["principal_id"], "permission": g["permission"]})
	}
	form := func(name string) body {
		return body{"id": id, "base_model_id": backup["base_model_id"], "name": name, "meta": backup["meta"],
			"params": backup["params"], "is_active": backup["is_active"], "access_grants": grants}
	}

	h.clock.Advance(time.Minute)
	r = h.do("POST", updatePath, AdminKey, form("Code Reviewer (edited)"))
	expect(t, r, 200, ctJSON, "")
	if r.obj(t)["version_id"] == backup["version_id"] {
		t.Fatal("the edit must be a new version")
	}

	expect(t, h.do("POST", deletePath, AdminKey, body{"id": id}), 200, ctJSON, "")
	expect(t, h.do("GET", idQuery("/api/v1/models/model", id), AdminKey, nil), 404, ctJSON, msgNotFound)

	// Restore: create from the backup (the read-only keys it carries are
	// harmless), then re-share; or import it.
	r = h.do("POST", createPath, AdminKey, form("Code Reviewer"))
	expect(t, r, 200, ctJSON, "")
	expect(t, h.do("POST", accessPath, AdminKey, body{"id": id, "access_grants": grants}), 200, ctJSON, "")
	restored := h.do("GET", idQuery("/api/v1/models/model", id), AdminKey, nil).obj(t)
	for _, k := range []string{"name", "base_model_id", "meta", "params", "is_active", "user_id"} {
		mustEqual(t, restored[k], backup[k])
	}
	mustEqual(t, len(restored["access_grants"].([]any)), len(grants))

	h.do("POST", deletePath, AdminKey, body{"id": id})
	el := form("Code Reviewer")
	expect(t, h.do("POST", importPath, AdminKey, body{"models": []any{el}}), 200, ctJSON, "")
	if m, ok := h.fake.Model(id); !ok || m.Name != "Code Reviewer" {
		t.Fatalf("import restore: %+v", m)
	}

	// The legacy row with a space in its id cannot take that walk on
	// 0.12.4: it reads and deletes, but neither updates nor comes back.
	const legacy = "release notes v1.2"
	expect(t, h.do("GET", idQuery("/api/v1/models/model", legacy), AdminKey, nil), 200, ctJSON, "")
	expectIDPattern(t, h.do("POST", updatePath, AdminKey, updateBody(legacy)), legacy)
	expect(t, h.do("POST", deletePath, AdminKey, body{"id": legacy}), 200, ctJSON, "")
	expectIDPattern(t, h.do("POST", createPath, AdminKey, newModelBody(legacy)), legacy)
}
