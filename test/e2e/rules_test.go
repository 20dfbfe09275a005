//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/owui"
)

// checkReleaseRules proves, on the running release, each behaviour that
// differs between releases and that the client has a rule for: first the
// raw upstream behaviour (REST), then the client's answer to it. Every
// branch asserts the running release's own behaviour.
func checkReleaseRules(t *testing.T, tg *target) {
	rest := tg.adminREST
	ru := rules()
	ctx := context.Background()
	admin := ownClient(t, tg.url, tg.adminKey)

	t.Run("update_without_grants_or_is_active", func(t *testing.T) {
		id := "e2e/rules:update"
		rest.del(t, id)
		rest.create(t, map[string]any{"id": id, "name": "R", "base_model_id": "fake-a", "is_active": false,
			"access_grants": []any{map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "read"}}})
		shared := map[string]bool{"group:" + tg.groupID + ":read": true}
		// Raw: an update that omits access_grants and is_active.
		r, err := rest.try("POST", "/api/v1/models/model/update", nil, map[string]any{"id": id, "name": "R2", "base_model_id": "fake-a", "meta": map[string]any{}, "params": map[string]any{}})
		if err != nil {
			t.Fatal(err)
		}
		if ru.UpdateRejectsOmittedGrants {
			// 0.9.6–0.11: a plain 500 (issue #28513).
			if r.Status != 500 {
				t.Errorf("%s: update without access_grants: %s, want 500", runningVersion(), r)
			}
		} else if r.Status != 200 {
			t.Errorf("%s: update without access_grants: %s, want 200", runningVersion(), r)
		}
		m := rest.mustGet(t, id)
		if got := m.grantSet(); !equalSets(got, shared) {
			t.Errorf("%s: raw update changed the grants: %v", runningVersion(), got)
		}
		// Raw: is_active omitted, grants re-sent (so that ≤0.11 accept it).
		rest.do(t, "POST", "/api/v1/models/model/update", nil, map[string]any{"id": id, "name": "R3", "base_model_id": "fake-a", "meta": map[string]any{}, "params": map[string]any{},
			"access_grants": []any{map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "read"}}})
		if got, want := rest.mustGet(t, id).IsActive, ru.UpdateResetsOmittedIsActive; got != want {
			t.Errorf("%s: is_active after an update without it = %v, want %v", runningVersion(), got, want)
		}
		if rest.mustGet(t, id).IsActive { // disabled again for the client's turn
			rest.do(t, "POST", "/api/v1/models/model/toggle", idQ(id), nil)
		}
		// The client: a rename keeps grants and the disabled state everywhere.
		cur, err := admin.GetModel(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		f := cur.Form()
		f.Name = "Renamed By Client"
		if _, err := admin.UpdateModel(ctx, f); err != nil {
			t.Fatalf("client rename: %v", err)
		}
		m = rest.mustGet(t, id)
		if m.Name != "Renamed By Client" || m.IsActive || !equalSets(m.grantSet(), shared) {
			t.Errorf("%s: after the client's rename: name %q active %v grants %v", runningVersion(), m.Name, m.IsActive, m.grantSet())
		}
		rest.del(t, id)
	})

	t.Run("import_over_unwritable_model", func(t *testing.T) {
		restore := grantUserPermission(t, rest, "workspace", "models_import")
		defer restore()
		user := ownClient(t, tg.url, tg.userKey)
		before := rest.mustGet(t, "pty/user-read") // the user may read it, not write it
		err := user.ImportModels(ctx, []map[string]any{{"id": "pty/user-read", "name": "Hijacked", "base_model_id": "fake-a", "meta": map[string]any{}, "params": map[string]any{}}})
		var e *owui.Error
		if !errors.As(err, &e) || e.Kind != owui.KindConflict {
			t.Fatalf("%s: import over a read-only model: %v, want a conflict", runningVersion(), err)
		}
		if ru.ImportSkipsUnwritable {
			// ≤0.12.3 skipped it silently; the client read it back.
			if e.Status != 200 || !strings.Contains(e.Detail, "Open WebUI "+runningVersion()+" skipped 1 element(s) without saying so: pty/user-read (exists; the caller cannot write it)") {
				t.Errorf("%s: %v", runningVersion(), err)
			}
		} else if e.Status != 401 || !strings.Contains(e.Detail, "already registered") {
			t.Errorf("%s: %v, want 401 MODEL_ID_TAKEN", runningVersion(), err)
		}
		if after := rest.mustGet(t, "pty/user-read"); after.Name != before.Name {
			t.Errorf("the import overwrote a model the user cannot write: %q", after.Name)
		}
	})
}

func equalSets(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// ownClient is the project's client, as owui-mcp builds it.
func ownClient(t testing.TB, url, key string) *owui.Client {
	c, err := owui.New(owui.Config{BaseURL: url, APIKey: key, Timeout: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// grantUserPermission turns on one default user permission (e.g.
// workspace.models_import) and returns the function that restores the
// previous permissions.
func grantUserPermission(t testing.TB, rest *rest, section, key string) func() {
	t.Helper()
	var perms map[string]any
	rest.must(t, "GET", "/api/v1/users/default/permissions", nil, nil, &perms)
	orig := cloneJSON(t, perms)
	sec, _ := perms[section].(map[string]any)
	if sec == nil {
		sec = map[string]any{}
	}
	sec[key] = true
	perms[section] = sec
	rest.must(t, "POST", "/api/v1/users/default/permissions", nil, perms, nil)
	return func() { rest.must(t, "POST", "/api/v1/users/default/permissions", nil, orig, nil) }
}

func cloneJSON(t testing.TB, v map[string]any) map[string]any {
	var out map[string]any
	b, err := json.Marshal(v)
	if err == nil {
		err = jsonUnmarshal(b, &out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}
