//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
)

// checkBulk runs update_models and delete_models against the server: grant
// a group on the models with one tag, disable by base model, tag with a
// commit message, delete by owner, then restore from the backups.
func checkBulk(t *testing.T, tg *target, s *server) {
	rest := tg.adminREST
	id := func(i int) string { return fmt.Sprintf("e2e/bulk:%d", i) }
	all := []string{id(1), id(2), id(3), id(4), id(5)}
	for _, x := range all {
		rest.del(t, x)
	}
	t.Cleanup(func() {
		for _, x := range all {
			rest.del(t, x)
		}
	})
	tags := map[int]string{1: "bulk-research", 2: "bulk-research", 3: "bulk-other", 4: "Bulk-Research", 5: "bulk-other"}
	for i := 1; i <= 5; i++ {
		base := "org/fake-b:1"
		if i > 3 {
			base = "fake-a"
		}
		meta := map[string]any{"description": fmt.Sprintf("bulk %d", i), "tags": []any{map[string]any{"name": tags[i]}}}
		if i == 1 || i == 4 {
			meta["profile_image_url"] = pngDataURI
		}
		rest.create(t, map[string]any{"id": id(i), "name": fmt.Sprintf("E2E Bulk %d", i), "base_model_id": base, "meta": meta,
			"params": map[string]any{"system": "bulk", "temperature": 0.3}})
	}
	group := map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "read"}
	g := "group:" + tg.groupID + ":read"

	// 0. The premise of a confirmation that runs the plan its preview kept
	// (tools/quick.go): the export of an unchanged server is the same bytes
	// read after read, and a change to any model changes them.
	admin := ownClient(t, tg.url, tg.adminKey)
	ctx := context.Background()
	digest := func() [32]byte {
		t.Helper()
		e, err := admin.ReadExport(ctx)
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		return e.Digest
	}
	if first, second := digest(), digest(); first != second {
		t.Errorf("two exports of an unchanged server differ")
	}
	before := digest()
	rest.must(t, "POST", "/api/v1/models/model/toggle", q("id", id(5)), nil, nil)
	toggled := digest()
	rest.must(t, "POST", "/api/v1/models/model/toggle", q("id", id(5)), nil, nil)
	if toggled == before {
		t.Errorf("toggling %s did not change the export", id(5))
	}

	// 1. Grant a group on the models with one tag (the tag filter is
	// case-insensitive, as in list_models).
	args := map[string]any{"filter": map[string]any{"tag": "bulk-research"}, "add_grants": []any{group}}
	pre, grantDone := s.confirmed(t, "update_models", args)
	if got := previewIDs(pre, "update"); !slices.Equal(got, []string{id(1), id(2), id(4)}) {
		t.Errorf("grant preview targets %v", got)
	}
	for i, x := range all {
		m := rest.mustGet(t, x)
		if m.grantSet()[g] != (i == 0 || i == 1 || i == 3) {
			t.Errorf("%s grants %v", x, m.grantSet())
		}
	}
	if m := rest.mustGet(t, id(1)); str(m.Meta["profile_image_url"]) != pngDataURI || m.Params["system"] != "bulk" || !m.IsActive {
		t.Errorf("the grant touched other fields: %+v", m)
	}

	// 2. Disable by base model (narrowed to these models by query).
	_, done := s.confirmed(t, "update_models", map[string]any{"filter": map[string]any{"base_model_id": "org/fake-b:1", "query": "E2E Bulk"}, "active": false})
	if got := idsOfResult(done); !slices.Equal(got, all[:3]) {
		t.Errorf("disabled %v", got)
	}
	for i, x := range all {
		if m := rest.mustGet(t, x); m.IsActive != (i >= 3) {
			t.Errorf("%s is_active %v", x, m.IsActive)
		}
	}

	// 3. Tags with a commit message: a full update that keeps the rest.
	before4 := rest.mustGet(t, id(4))
	s.confirmed(t, "update_models", map[string]any{"ids": []any{id(4), id(5)}, "add_tags": []any{"bulk-beta"}, "remove_tags": []any{"bulk-other"}, "commit_message": "bulk tagging"})
	m4, m5 := rest.mustGet(t, id(4)), rest.mustGet(t, id(5))
	if got := tagNames(m4.Meta); !slices.Equal(got, []string{"Bulk-Research", "bulk-beta"}) {
		t.Errorf("%s tags %v", id(4), got)
	}
	if got := tagNames(m5.Meta); !slices.Equal(got, []string{"bulk-beta"}) {
		t.Errorf("%s tags %v", id(5), got)
	}
	if str(m4.Meta["profile_image_url"]) != pngDataURI || m4.Params["temperature"] != 0.3 || !m4.grantSet()[g] || m4.Meta["description"] != before4.Meta["description"] {
		t.Errorf("the tag update lost fields: %+v", m4)
	}
	// restHistory orders by parent links: the create and the bulk version
	// often share created_at's second.
	// Before 0.12 there is no history: the client drops the message.
	if owui.Has(runningVersion(), owui.FeatureModelHistory) {
		if hist, err := restHistory(tg, id(5)); err != nil || len(hist) == 0 || hist[0].CommitMessage == nil || *hist[0].CommitMessage != "bulk tagging" {
			t.Errorf("history of %s: %+v %v", id(5), hist, err)
		}
	} else if m5.VersionID != "" {
		t.Errorf("%s has a version_id on %s: %q", id(5), runningVersion(), m5.VersionID)
	}

	// 4. Delete by owner (e-mail; the user id selects the same models).
	var l struct {
		Items []struct {
			User struct{ ID, Email string } `json:"user"`
		} `json:"items"`
	}
	rest.must(t, "GET", "/api/v1/models/list", q("query", "E2E Bulk", "page", "1"), nil, &l)
	if len(l.Items) != 5 || l.Items[0].User.Email == "" {
		t.Fatalf("list items: %+v", l)
	}
	email := l.Items[0].User.Email
	byID := s.ok(t, "delete_models", map[string]any{"filter": map[string]any{"owner": l.Items[0].User.ID, "query": "E2E Bulk"}, "dry_run": true})
	stored := map[string]model{}
	for _, x := range all {
		stored[x] = rest.mustGet(t, x)
	}
	pre, del := s.confirmed(t, "delete_models", map[string]any{"filter": map[string]any{"owner": email, "query": "E2E Bulk"}})
	if got := previewIDs(pre, "delete"); !slices.Equal(got, all) || !slices.Equal(previewIDs(byID, "delete"), all) {
		t.Errorf("delete by owner previews %v (by id: %v)", got, previewIDs(byID, "delete"))
	}
	for _, x := range all {
		if _, ok := rest.get(t, x); ok {
			t.Errorf("%s not deleted", x)
		}
	}
	s.backupFile(t, del, all...)

	// 5. Restore the whole delete, then undo the grant of step 1.
	s.confirmed(t, "restore_models", map[string]any{"backup": del.backup()})
	for _, x := range all {
		sameModel(t, "restore after delete_models: "+x, stored[x], rest.mustGet(t, x))
	}
	s.confirmed(t, "restore_models", map[string]any{"backup": grantDone.backup()})
	for _, x := range all {
		if rest.mustGet(t, x).grantSet()[g] {
			t.Errorf("%s still has the group grant after restoring %s", x, grantDone.backup())
		}
	}
}

func idsOfResult(r *result) []string {
	out := toStrings(obj(r.S["result"])["changed"])
	slices.Sort(out)
	return out
}
