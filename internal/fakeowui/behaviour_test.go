package fakeowui

import (
	"strings"
	"testing"
)

// Each release switch alone brings back one ≤0.11.0 behaviour; the
// 0.12.4 side of each is covered by the route tests.
func TestBehaviourSwitches(t *testing.T) {
	public := []any{body{"principal_type": "user", "principal_id": "*", "permission": "read"}}
	group := []any{body{"principal_type": "group", "principal_id": "g-eng", "permission": "write"}}
	withPerms := func(p Permissions, b Behaviour) Options { return Options{UserPermissions: &p, Behaviour: b} }
	tests := []struct {
		name string
		opts Options
		run  func(t *testing.T, h *harness)
	}{
		{"UpdateAppliesGrants", Options{Behaviour: Behaviour{UpdateAppliesGrants: true}}, func(t *testing.T, h *harness) {
			b := updateBody("code-reviewer")
			b["access_grants"] = append(public, body{"principal_type": "anyone", "principal_id": "*", "permission": "read"})
			expect(t, h.do("POST", updatePath, AdminKey, b), 200, ctJSON, "")
			m, _ := h.fake.Model("code-reviewer")
			mustEqual(t, m.AccessGrants, []Grant{{"user", "*", "read"}}) // replaced; anyone dropped
			b["access_grants"] = []any{}
			h.do("POST", updatePath, AdminKey, b)
			m, _ = h.fake.Model("code-reviewer")
			mustEqual(t, m.AccessGrants, []Grant{}) // [] clears
			// 0.9.6–0.11.0: absent is a plain-text 500, null a 422 (on create too).
			delete(b, "access_grants")
			r := h.do("POST", updatePath, AdminKey, b)
			expect(t, r, 500, "text/plain", "")
			mustEqual(t, string(r.body), "Internal Server Error")
			b["access_grants"] = nil
			expect422(t, h.do("POST", updatePath, AdminKey, b), "list_type", "body", "access_grants")
			nb := newModelBody("n")
			nb["access_grants"] = nil
			expect422(t, h.do("POST", createPath, AdminKey, nb), "list_type", "body", "access_grants")
			expect(t, h.do("POST", importPath, AdminKey, body{"models": []any{body{"id": "code-reviewer", "access_grants": nil}}}), 400, ctJSON, "")
			// Import over an existing row applies listed grants too.
			h.do("POST", importPath, AdminKey, body{"models": []any{body{"id": "code-reviewer", "access_grants": group}}})
			m, _ = h.fake.Model("code-reviewer")
			mustEqual(t, m.AccessGrants, []Grant{{"group", "g-eng", "write"}})
		}},
		{"UpdateKeepsOmittedGrants", Options{Behaviour: Behaviour{UpdateAppliesGrants: true, UpdateKeepsOmittedGrants: true}}, func(t *testing.T, h *harness) {
			b := updateBody("code-reviewer")
			delete(b, "access_grants")
			expect(t, h.do("POST", updatePath, AdminKey, b), 200, ctJSON, "")
			m, _ := h.fake.Model("code-reviewer")
			mustEqual(t, m.AccessGrants, []Grant{{"user", "u-alice", "read"}})
		}},
		{"UpdateNullKeepsGrants", Options{Behaviour: Behaviour{UpdateAppliesGrants: true, UpdateNullKeepsGrants: true}}, func(t *testing.T, h *harness) {
			b := updateBody("code-reviewer")
			b["access_grants"] = nil
			expect(t, h.do("POST", updatePath, AdminKey, b), 200, ctJSON, "")
			m, _ := h.fake.Model("code-reviewer")
			mustEqual(t, m.AccessGrants, []Grant{{"user", "u-alice", "read"}})
			nb := newModelBody("n")
			nb["access_grants"] = nil
			expect(t, h.do("POST", createPath, AdminKey, nb), 200, ctJSON, "")
		}},
		{"UpdateResetsOmittedIsActive", Options{Behaviour: Behaviour{UpdateResetsOmittedIsActive: true}}, func(t *testing.T, h *harness) {
			b := updateBody("legacy-faq-bot")
			delete(b, "is_active")
			expect(t, h.do("POST", updatePath, AdminKey, b), 200, ctJSON, "")
			if m, _ := h.fake.Model("legacy-faq-bot"); !m.IsActive {
				t.Fatal("omitted is_active must re-enable")
			}
		}},
		{"DBFailureAnswersFalsy", Options{Behaviour: Behaviour{DBFailureAnswersFalsy: true}}, func(t *testing.T, h *harness) {
			h.fake.FailDB(true)
			r := h.do("POST", updatePath, AdminKey, updateBody("code-reviewer"))
			expect(t, r, 200, ctJSON, "")
			mustEqual(t, string(r.body), "null")
			r = h.do("POST", deletePath, AdminKey, body{"id": "code-reviewer"})
			expect(t, r, 200, ctJSON, "")
			mustEqual(t, string(r.body), "false")
			mustEqual(t, string(h.do("DELETE", "/api/v1/models/delete/all", AdminKey, nil).body), "false")
			mustEqual(t, string(h.do("POST", syncPath, AdminKey, body{}).body), "[]")
			expect(t, h.do("POST", createPath, AdminKey, newModelBody("n")), 401, ctJSON, "Something went wrong :/")
			if len(h.fake.Models()) != 38 {
				t.Fatal("a failed write changed rows")
			}
		}},
		{"UntypedMetaAndParams", Options{Behaviour: Behaviour{UntypedMetaAndParams: true}}, func(t *testing.T, h *harness) {
			r := h.do("GET", idQuery("/api/v1/models/model", "code-reviewer"), AdminKey, nil)
			meta := r.obj(t)["meta"].(map[string]any)
			if _, has := meta["voice"]; has || len(meta) != 2 {
				t.Fatalf("meta = %v, want only the stored keys", meta)
			}
			b := newModelBody("free")
			b["meta"] = body{"description": 5, "background_image_url": "https://x.test/bg.png"}
			b["params"] = body{"model_controls": "x"}
			expect(t, h.do("POST", createPath, AdminKey, b), 200, ctJSON, "")
			b = newModelBody("img")
			b["meta"] = body{"profile_image_url": 5}
			expect422(t, h.do("POST", createPath, AdminKey, b), "string_type", "body", "meta", "profile_image_url")
		}},
		{"NoModelHistory", Options{Behaviour: Behaviour{NoModelHistory: true}}, func(t *testing.T, h *harness) {
			for _, path := range []string{idQuery("/api/v1/models/model", "code-reviewer"), "/api/v1/models/export", listPath} {
				if strings.Contains(string(h.do("GET", path, AdminKey, nil).body), "version_id") {
					t.Fatalf("%s carries version_id", path)
				}
			}
			expect(t, h.do("GET", idQuery(historyPath, "code-reviewer"), AdminKey, nil), 200, "text/html", "")
			expect(t, h.do("POST", idQuery(versionPath, "code-reviewer"), AdminKey, body{"version_id": "x"}), 405, ctJSON, "Method Not Allowed")
			b := updateBody("code-reviewer")
			b["commit_message"] = 5 // not a field any more: ignored
			expect(t, h.do("POST", updatePath, AdminKey, b), 200, ctJSON, "")
		}},
		{"WhitespaceIDsAllowed", Options{Behaviour: Behaviour{WhitespaceIDsAllowed: true}}, func(t *testing.T, h *harness) {
			expect(t, h.do("POST", createPath, AdminKey, newModelBody("a b")), 200, ctJSON, "")
			expect(t, h.do("POST", createPath, AdminKey, newModelBody("")), 400, ctJSON, msgModelIDTooLong)
			expect(t, h.do("POST", updatePath, AdminKey, updateBody("release notes v1.2")), 200, ctJSON, "")
			expect(t, h.do("POST", accessPath, AdminKey, body{"id": "release notes v1.2", "access_grants": []any{}}), 200, ctJSON, "")
			h.do("POST", importPath, AdminKey, body{"models": []any{body{"id": "c d", "name": "x"}}})
			if _, ok := h.fake.Model("c d"); !ok {
				t.Fatal("import skipped a whitespace id")
			}
		}},
		{"KeepsSelfBaseModelID", Options{Behaviour: Behaviour{KeepsSelfBaseModelID: true}}, func(t *testing.T, h *harness) {
			b := newModelBody("self")
			b["base_model_id"] = "self"
			mustEqual(t, h.do("POST", createPath, AdminKey, b).obj(t)["base_model_id"], "self")
		}},
		{"CreateChecksTakenBeforeID", Options{Behaviour: Behaviour{CreateChecksTakenBeforeID: true}}, func(t *testing.T, h *harness) {
			long := strings.Repeat("x", 257)
			h.fake.PutModel(Model{ID: long, UserID: "u-admin", BaseModelID: strp("gpt-4o"), Name: "legacy"})
			expect(t, h.do("POST", createPath, AdminKey, newModelBody(long)), 401, ctJSON, msgModelIDTaken)
		}},
		{"NoNonAdminBaseModelChecks", withPerms(Permissions{WorkspaceModels: true, ModelsImport: true}, Behaviour{NoNonAdminBaseModelChecks: true}), func(t *testing.T, h *harness) {
			b := newModelBody("alice-base")
			delete(b, "base_model_id")
			expect(t, h.do("POST", createPath, UserKey, b), 200, ctJSON, "")
			expect(t, h.do("POST", createPath, UserKey, newModelBody("gpt-4o-mini")), 200, ctJSON, "")
			u := updateBody("sql-helper")
			u["base_model_id"] = nil
			expect(t, h.do("POST", updatePath, UserKey, u), 200, ctJSON, "")
			expect(t, h.do("POST", importPath, UserKey, body{"models": []any{body{"id": "alice-imp", "name": "x"}}}), 200, ctJSON, "")
			if _, ok := h.fake.Model("alice-imp"); !ok {
				t.Fatal("import skipped a base row")
			}
		}},
		{"NoSharingModelsPermission", withPerms(Permissions{WorkspaceModels: true, AllowGroups: true}, Behaviour{NoSharingModelsPermission: true}), func(t *testing.T, h *harness) {
			b := newModelBody("mine")
			b["access_grants"] = append(group, public...)
			h.do("POST", createPath, UserKey, b)
			m, _ := h.fake.Model("mine")
			mustEqual(t, m.AccessGrants, []Grant{{"group", "g-eng", "write"}})
			expect(t, h.do("POST", accessPath, UserKey, body{"id": "mine", "access_grants": group}), 200, ctJSON, "")
			expect(t, h.do("POST", accessPath, UserKey, body{"id": "mine", "access_grants": public}), 403, ctJSON, msgShareForbidden)
		}},
		{"ImportInvalidElementIs500", Options{Behaviour: Behaviour{ImportInvalidElementIs500: true}}, func(t *testing.T, h *harness) {
			r := h.do("POST", importPath, AdminKey, body{"models": []any{body{"id": "n"}}})
			expect(t, r, 500, ctJSON, "")
			if !strings.HasPrefix(r.detail(t), "1 validation error for ModelForm\nname\n  Field required") {
				t.Fatalf("detail = %q", r.detail(t))
			}
		}},
		{"ImportSkipsUnwritable", withPerms(Permissions{ModelsImport: true}, Behaviour{ImportSkipsUnwritable: true}), func(t *testing.T, h *harness) {
			r := h.do("POST", importPath, UserKey, body{"models": []any{body{"id": "code-reviewer", "name": "Hijacked"}, body{"id": "regex-wizard", "name": "Mine"}}})
			expect(t, r, 200, ctJSON, "")
			if m, _ := h.fake.Model("code-reviewer"); m.Name != "Code Reviewer" {
				t.Fatal("overwrote a read-only model")
			}
			if m, _ := h.fake.Model("regex-wizard"); m.Name != "Mine" {
				t.Fatal("later elements must still import")
			}
		}},
		{"ImportReplacesMeta", Options{Behaviour: Behaviour{ImportReplacesMeta: true}}, func(t *testing.T, h *harness) {
			h.do("POST", importPath, AdminKey, body{"models": []any{body{"id": "regex-wizard", "meta": body{"x": "y"}}, body{"id": "sql-helper"}}})
			m, _ := h.fake.Model("regex-wizard")
			mustEqual(t, m.Meta, map[string]any{"x": "y"})
			m, _ = h.fake.Model("sql-helper")
			mustEqual(t, m.Meta, map[string]any{})
		}},
		{"AccessUpdateFiltersGrants", withPerms(Permissions{ShareModels: true, AllowGroups: true}, Behaviour{AccessUpdateFiltersGrants: true}), func(t *testing.T, h *harness) {
			anyone := body{"principal_type": "anyone", "principal_id": "*", "permission": "read"}
			expect(t, h.do("POST", accessPath, AdminKey, body{"id": "code-reviewer", "access_grants": []any{anyone}}), 200, ctJSON, "")
			m, _ := h.fake.Model("code-reviewer")
			mustEqual(t, m.AccessGrants, []Grant{})
			expect(t, h.do("POST", accessPath, UserKey, body{"id": "sql-helper", "access_grants": append(public, group...)}), 200, ctJSON, "")
			m, _ = h.fake.Model("sql-helper")
			mustEqual(t, m.AccessGrants, []Grant{{"group", "g-eng", "write"}})
		}},
		{"SyncTakesOverRows", Options{Behaviour: Behaviour{SyncTakesOverRows: true}}, func(t *testing.T, h *harness) {
			grant := body{"id": "g1", "resource_type": "model", "resource_id": "x", "principal_type": "group", "principal_id": "g-eng", "permission": "read", "created_at": 1}
			r := h.do("POST", syncPath, AdminKey, body{"models": []any{syncModelBody("brand-new", []any{}), syncModelBody("sql-helper", []any{grant})}})
			expect(t, r, 200, ctJSON, "")
			mustEqual(t, ids(r.list(t)), []string{"sql-helper", "brand-new"}) // every row, in row order
			m, _ := h.fake.Model("sql-helper")
			mustEqual(t, m.UserID, "u-admin")
			mustEqual(t, m.CreatedAt, int64(100))
			mustEqual(t, m.AccessGrants, []Grant{{"group", "g-eng", "read"}})
		}},
		{"SyncLocksOnSQLite", Options{Behaviour: Behaviour{SyncTakesOverRows: true, SyncLocksOnSQLite: true}}, func(t *testing.T, h *harness) {
			before, _ := h.fake.Model("sql-helper")
			r := h.do("POST", syncPath, AdminKey, body{"models": []any{syncModelBody("brand-new", []any{}), syncModelBody("sql-helper", []any{})}})
			expect(t, r, 200, ctJSON, "")
			mustEqual(t, len(r.list(t)), 0)
			if _, ok := h.fake.Model("brand-new"); ok {
				t.Fatal("the failed sync created a row")
			}
			after, _ := h.fake.Model("sql-helper")
			mustEqual(t, after, before)
			// Only new rows: nothing is locked, the sync goes through.
			r = h.do("POST", syncPath, AdminKey, body{"models": []any{syncModelBody("brand-new", []any{})}})
			expect(t, r, 200, ctJSON, "")
			mustEqual(t, ids(r.list(t)), []string{"brand-new"})
		}},
		{"ExportIsPlainModelModel", Options{Behaviour: Behaviour{ExportIsPlainModelModel: true}}, func(t *testing.T, h *harness) {
			r := h.do("GET", "/api/v1/models/export?ids=nope", AdminKey, nil)
			expect(t, r, 200, ctJSON, "")
			l := r.list(t)
			if len(l) != 36 {
				t.Fatalf("ids must be ignored: %d items", len(l))
			}
			if _, has := l[0].(map[string]any)["background_image_data"]; has {
				t.Fatal("plain ModelModel expected")
			}
		}},
		{"ProfileImageIgnoresAccess", Options{Behaviour: Behaviour{ProfileImageIgnoresAccess: true}}, func(t *testing.T, h *harness) {
			r := h.do("GET", idQuery("/api/v1/models/model/profile/image", "translator-fr"), UserKey, nil)
			mustEqual(t, r.header.Get("Location"), "https://example.com/avatars/translator-fr.png")
		}},
		{"NoAllModelsRoute", Options{Behaviour: Behaviour{NoAllModelsRoute: true}}, func(t *testing.T, h *harness) {
			expect(t, h.do("GET", "/api/v1/models/all", AdminKey, nil), 200, "text/html", "")
		}},
		{"VersionWithoutDeploymentID", Options{Version: "0.11.0", Behaviour: Behaviour{VersionWithoutDeploymentID: true}}, func(t *testing.T, h *harness) {
			mustEqual(t, string(h.do("GET", "/api/version", "", nil).body), `{"version":"0.11.0"}`)
		}},
		{"JWTErrorSaysInvalidToken", Options{Behaviour: Behaviour{JWTErrorSaysInvalidToken: true}}, func(t *testing.T, h *harness) {
			expect(t, h.do("GET", listPath, "eyJhbGciOi.x.y", nil), 401, ctJSON, "Invalid token")
			expect(t, h.do("GET", listPath, h.fake.IssueSession("u-alice"), nil), 200, ctJSON, "")
		}},
		{"SessionRoutesAcceptAPIKeys", Options{Behaviour: Behaviour{SessionRoutesAcceptAPIKeys: true}}, func(t *testing.T, h *harness) {
			r := h.do("GET", "/api/v1/auths/", UserKey, nil)
			expect(t, r, 200, ctJSON, "")
			mustEqual(t, r.obj(t)["id"], "u-alice")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newHarness(t, true, tc.opts))
		})
	}
}

// Behaviour011 together gives the 0.11.0 contract, as the fake emulated it
// before 0.12.4 was verified.
func TestBehaviour011(t *testing.T) {
	h := newHarness(t, true, Options{Version: "0.11.0", Behaviour: Behaviour011()})
	mustEqual(t, string(h.do("GET", "/api/version", "", nil).body), `{"version":"0.11.0"}`)
	r := h.do("GET", idQuery("/api/v1/models/model", "meeting-summarizer"), AdminKey, nil)
	o := r.obj(t)
	if _, has := o["version_id"]; has {
		t.Fatal("0.11.0 has no version_id")
	}
	mustEqual(t, o["meta"], map[string]any{
		"description": "Summarizes meeting transcripts into decisions and action items.",
		"tags":        []any{map[string]any{"name": "productivity"}}, "profile_image_url": demoAvatar,
	})
	expect(t, h.do("GET", "/api/v1/auths/", AdminKey, nil), 200, ctJSON, "")
	expect(t, h.do("GET", listPath, "eyJ.x.y", nil), 401, ctJSON, "Invalid token")
	expect(t, h.do("POST", createPath, AdminKey, newModelBody("")), 400, ctJSON, msgModelIDTooLong)
	b := updateBody("legacy-faq-bot")
	delete(b, "is_active")
	expect(t, h.do("POST", updatePath, AdminKey, b), 200, ctJSON, "")
	m, _ := h.fake.Model("legacy-faq-bot")
	if !m.IsActive || len(m.AccessGrants) != 0 {
		t.Fatalf("0.11.0 update: %+v", m)
	}
	delete(b, "access_grants")
	expect(t, h.do("POST", updatePath, AdminKey, b), 500, "text/plain", "")
	expect(t, h.do("POST", importPath, AdminKey, body{"models": []any{body{"id": "n"}}}), 500, ctJSON, "")
	expect(t, h.do("GET", "/api/v1/models/all", AdminKey, nil), 200, "text/html", "")
	r = h.do("GET", idQuery("/api/v1/models/model/profile/image", "translator-fr"), UserKey, nil)
	mustEqual(t, r.header.Get("Location"), "https://example.com/avatars/translator-fr.png")
}

// BehaviourFor maps each verified release to its switches.
func TestBehaviourFor(t *testing.T) {
	v10 := Behaviour011()
	v10.ImportReplacesMeta, v10.ListKeepsParams, v10.SyncLocksOnSQLite = true, true, true
	v9 := v10
	v9.NoBaseModelTagsRoute, v9.UnloadIgnoresBaseChain = true, true
	for _, tc := range []struct {
		v    string
		want Behaviour
	}{
		{"0.12.4", Behaviour{}},
		{"", Behaviour{}},
		{"0.13.1", Behaviour{}},
		{"0.12.3", Behaviour{UpdateAppliesGrants: true, UpdateKeepsOmittedGrants: true, UpdateNullKeepsGrants: true,
			NoSharingModelsPermission: true, AccessUpdateFiltersGrants: true, ImportSkipsUnwritable: true, SyncReplacesGrants: true}},
		{"0.11.4", Behaviour{UpdateAppliesGrants: true, UpdateKeepsOmittedGrants: true, UpdateNullKeepsGrants: true,
			UpdateResetsOmittedIsActive: true, DBFailureAnswersFalsy: true, NoModelHistory: true,
			NoSharingModelsPermission: true, AccessUpdateFiltersGrants: true, ImportSkipsUnwritable: true,
			SyncTakesOverRows: true, SyncLocksOnSQLite: true, JWTErrorSaysInvalidToken: true, SessionRoutesAcceptAPIKeys: true}},
		{"0.10.2", v10},
		{"0.9.6", v9},
	} {
		if got := BehaviourFor(tc.v); got != tc.want {
			t.Errorf("BehaviourFor(%q) = %+v\nwant %+v", tc.v, got, tc.want)
		}
	}
}

// Before 0.10 the base-model tags route is the SPA page.
func TestNoBaseModelTagsRoute(t *testing.T) {
	h := newHarness(t, true, Options{Behaviour: Behaviour{NoBaseModelTagsRoute: true}})
	expect(t, h.do("GET", "/api/v1/models/base/tags", AdminKey, nil), 200, ctHTML, "")
	h = newHarness(t, true, Options{})
	expect(t, h.do("GET", "/api/v1/models/base/tags", AdminKey, nil), 200, ctJSON, "")
}
