//go:build e2e

package e2e

import (
	"slices"
	"strings"
	"testing"
)

// checkNonAdmin drives a server that holds the non-admin user's key (every
// tool class on, so the admin tools are offered and must fail cleanly).
func checkNonAdmin(t *testing.T, tg *target) {
	if suite.env["OWUI_USER_AUTH"] != "api_key" {
		t.Logf("the non-admin credential is a JWT (OWUI_USER_AUTH=%s), not an sk- key", suite.env["OWUI_USER_AUTH"])
	}
	u := tg.userServer(t)
	rest := tg.adminREST

	// Admin-only tools: a clear permission error that names the admin key.
	adminOnly := []struct {
		tool string
		args map[string]any
	}{
		{"list_base_models", nil},
		{"list_base_models_direct", nil},
		{"list_base_model_tags", nil},
		{"delete_all_models", nil},
		{"sync_models", map[string]any{"models": []any{}}},
		{"unload_model", map[string]any{"model": "fake-a"}},
		{"import_models", map[string]any{"models": []any{map[string]any{"id": "e2e/user-import", "name": "x", "base_model_id": "fake-a"}}}},
		{"export_models", nil},
		{"create_model", map[string]any{"id": "e2e/user-create", "name": "x", "base_model_id": "fake-a"}},
	}
	for _, c := range adminOnly {
		t.Run(c.tool, func(t *testing.T) {
			if c.tool == "list_base_model_tags" && !atLeast("0.10.0") {
				u.fails(t, c.tool, c.args, "needs Open WebUI 0.10.0 or later")
				return
			}
			r := u.fails(t, c.tool, c.args, "permission")
			if !strings.Contains(strings.ToLower(r.Text), "admin") {
				t.Errorf("%s: the error does not mention the admin key: %s", c.tool, r.Text)
			}
		})
	}
	for _, id := range []string{"e2e/user-import", "e2e/user-create"} {
		if _, ok := rest.get(t, id); ok {
			t.Errorf("%s was created by the non-admin", id)
		}
	}

	t.Run("list_models", func(t *testing.T) {
		r := u.ok(t, "list_models", map[string]any{"all": true, "detail": "full"})
		var ids []string
		for _, it := range list(r.S["models"]) {
			m := obj(it)
			ids = append(ids, str(m["id"]))
			if str(m["id"]) == "pty/user-read" && len(obj(m["params"])) != 0 {
				t.Errorf("a read-only caller sees params: %v", m["params"])
			}
		}
		for _, want := range []string{"pty/user-read", "pty/user-write"} {
			if !slices.Contains(ids, want) {
				t.Errorf("the user does not see %s: %v", want, ids)
			}
		}
		// 0.12.4 lists only models the user owns or holds a read grant on:
		// a write grant alone is not listed, though the model is readable.
		if slices.Contains(ids, "pty/user-write-only") {
			t.Errorf("a write-only grant is listed (0.12.4 does not): %v", ids)
		}
		if r := u.ok(t, "get_model", map[string]any{"id": "pty/user-write-only"}); obj(r.S["model"])["write_access"] != true {
			t.Errorf("write-only grant: %s", r)
		}
		if slices.Contains(ids, "pty/gamma") || slices.Contains(ids, bulkID(0)) {
			t.Errorf("the user sees models not shared with it: %v", ids)
		}
	})

	t.Run("get_model_not_shared", func(t *testing.T) {
		u.fails(t, "get_model", map[string]any{"id": "pty/gamma"}, "permission")
	})

	t.Run("update_model_read_only", func(t *testing.T) {
		u.fails(t, "update_model", map[string]any{"id": "pty/user-read", "name": "Hacked"}, "no write access")
		if m := rest.mustGet(t, "pty/user-read"); m.Name != "Parity User Read" || str(m.Params["system"]) != "secret prompt" {
			t.Errorf("changed: %+v", m)
		}
	})

	t.Run("delete_model_read_only", func(t *testing.T) {
		pre := u.preview(t, "delete_model", map[string]any{"id": "pty/user-read"})
		u.fails(t, "delete_model", map[string]any{"id": "pty/user-read", "confirm_token": pre.token()}, "permission")
		if _, ok := rest.get(t, "pty/user-read"); !ok {
			t.Error("deleted by a read-only user")
		}
	})

	t.Run("write_grant_works", func(t *testing.T) {
		u.ok(t, "update_model", map[string]any{"id": "pty/user-write", "name": "Renamed By User"})
		m := rest.mustGet(t, "pty/user-write")
		if m.Name != "Renamed By User" || num(m.Params["temperature"]) != 0.2 || !m.grantSet()["user:"+tg.userID+":write"] {
			t.Errorf("after the user's rename: %+v", m)
		}
		u.ok(t, "toggle_model", map[string]any{"id": "pty/user-write", "active": false})
		if rest.mustGet(t, "pty/user-write").IsActive {
			t.Error("the user's toggle did not disable")
		}
		u.ok(t, "update_model", map[string]any{"id": "pty/user-write", "name": "Parity User Write", "is_active": true})
	})

}
