//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/owui-mcp/owui-mcp/owui"
)

// Every check here drives the binary through the MCP client and then reads
// the effect back through Open WebUI's REST API as the admin.

func checkListModels(t *testing.T, tg *target, s *server) {
	rest := tg.adminREST
	truth := rest.list(t, q("page", "1", "order_by", "created_at", "direction", "desc"))
	if truth.Total <= 30 {
		t.Fatalf("the fixture should hold more than 30 custom models, REST says %d", truth.Total)
	}

	r := s.ok(t, "list_models", nil)
	total := int(num(r.S["total"]))
	page1 := idsOf(r.S["models"])
	if total != truth.Total {
		t.Errorf("total: tool %d, REST %d", total, truth.Total)
	}
	if len(page1) != 30 {
		t.Errorf("page 1 has %d models, want 30", len(page1))
	}
	if want := (truth.Total + 29) / 30; int(num(r.S["pages"])) != want {
		t.Errorf("pages: %v, want %d", r.S["pages"], want)
	}
	restIDs := []string{}
	for _, m := range truth.Items {
		restIDs = append(restIDs, m.ID)
	}
	if !slices.Equal(page1, restIDs) {
		t.Errorf("page 1 differs from REST page 1 (same order):\n tool %v\n REST %v", page1, restIDs)
	}

	r2 := s.ok(t, "list_models", map[string]any{"page": 2})
	page2 := idsOf(r2.S["models"])
	if want := min(30, truth.Total-30); len(page2) != want {
		t.Errorf("page 2 has %d models, want %d", len(page2), want)
	}
	for _, id := range page2 {
		if slices.Contains(page1, id) {
			t.Errorf("%s is on page 1 and page 2", id)
		}
	}

	ra := s.ok(t, "list_models", map[string]any{"all": true, "limit": 1000})
	all := idsOf(ra.S["models"])
	if len(all) != truth.Total {
		t.Errorf("all=true listed %d models, total is %d", len(all), truth.Total)
	}
	seen := map[string]bool{}
	for _, id := range all {
		if seen[id] {
			t.Errorf("all=true listed %s twice", id)
		}
		seen[id] = true
	}
	for i := 0; i < bulkCount; i++ {
		if !seen[bulkID(i)] {
			t.Errorf("all=true misses %s (ids with / and :)", bulkID(i))
		}
	}
	if !seen["pty/alpha:1"] {
		t.Error("all=true misses pty/alpha:1")
	}

	// Filters, each compared with the same REST query.
	for _, f := range []map[string]any{
		{"tag": "bulk"},
		{"query": "Bulk Model"},
		{"query": "Bulk Model 07"},
		{"view_option": "created"},
		{"view_option": "shared"},
		{"tag": "ptag", "order_by": "name", "direction": "asc"},
	} {
		qv := q("page", "1")
		for k, v := range f {
			qv.Set(k, fmt.Sprint(v))
		}
		if qv.Get("order_by") == "" {
			qv.Set("order_by", "created_at")
			qv.Set("direction", "desc")
		}
		want := rest.list(t, qv)
		got := s.ok(t, "list_models", f)
		var wantIDs []string
		for _, m := range want.Items {
			wantIDs = append(wantIDs, m.ID)
		}
		if gotIDs := idsOf(got.S["models"]); int(num(got.S["total"])) != want.Total || !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("list_models %v: tool total %v %v, REST total %d %v", f, got.S["total"], gotIDs, want.Total, wantIDs)
		}
	}
	if r := s.ok(t, "list_models", map[string]any{"tag": "bulk"}); int(num(r.S["total"])) != bulkCount {
		t.Errorf("tag=bulk: total %v, want %d", r.S["total"], bulkCount)
	}
	if r := s.ok(t, "list_models", map[string]any{"query": "Bulk Model 07"}); !slices.Equal(idsOf(r.S["models"]), []string{"bulk/m:07"}) {
		t.Errorf("query 'Bulk Model 07': %v", idsOf(r.S["models"]))
	}
	if r := s.ok(t, "list_models", map[string]any{"tag": "ptag", "order_by": "name", "direction": "asc"}); !slices.Equal(idsOf(r.S["models"]), []string{"pty/alpha:1", "pty/beta"}) {
		t.Errorf("tag=ptag by name: %v, want [pty/alpha:1 pty/beta]", idsOf(r.S["models"]))
	}

	// detail=full carries the record.
	rf := s.ok(t, "list_models", map[string]any{"query": "Parity Alpha", "detail": "full"})
	ms := list(rf.S["models"])
	if len(ms) != 1 {
		t.Fatalf("query 'Parity Alpha': %s", rf)
	}
	m := obj(ms[0])
	if str(obj(m["params"])["system"]) != "You are alpha." || len(list(m["access_grants"])) != 1 || str(m["base_model_id"]) != "fake-a" {
		t.Errorf("detail=full record incomplete: %v", m)
	}
	if !strings.Contains(r.Text, "page 1 of") {
		t.Errorf("text rendering lacks the page line: %s", r.Text)
	}
}

func checkGetModel(t *testing.T, tg *target, s *server) {
	want := tg.adminREST.mustGet(t, "pty/alpha:1")
	r := s.ok(t, "get_model", map[string]any{"id": "pty/alpha:1"})
	m := obj(r.S["model"])
	if str(m["id"]) != want.ID || str(m["name"]) != want.Name || str(m["base_model_id"]) != *want.BaseModelID {
		t.Errorf("get_model: %v, REST %+v", m, want)
	}
	if !slices.Equal(toStrings(m["tags"]), []string{"ptag", "shared-tag"}) || str(m["description"]) != "alpha model" {
		t.Errorf("tags/description: %v %v", m["tags"], m["description"])
	}
	if num(obj(m["params"])["temperature"]) != 0.4 || str(obj(m["params"])["system"]) != "You are alpha." {
		t.Errorf("params: %v", m["params"])
	}
	if got := grantsOfTool(m["access_grants"]); !reflect.DeepEqual(got, want.grantSet()) {
		t.Errorf("grants: tool %v, REST %v", got, want.grantSet())
	}
	if str(m["owner"]) != suite.env["OWUI_ADMIN_EMAIL"] && str(m["owner"]) != tg.adminID {
		t.Errorf("owner %q", m["owner"])
	}
	// ids with '/' and ':' travel in the query string.
	if r := s.ok(t, "get_model", map[string]any{"id": bulkID(3)}); str(obj(r.S["model"])["id"]) != bulkID(3) {
		t.Errorf("get_model %s: %s", bulkID(3), r)
	}
	s.fails(t, "get_model", map[string]any{"id": "e2e/does-not:exist"}, "not", "list_models")
	// A provider model without a stored record is not a stored model.
	s.fails(t, "get_model", map[string]any{"id": "org/fake-b:1"}, "not")
	s.fails(t, "get_model", map[string]any{"id": ""}, "id")
}

func checkProfileImage(t *testing.T, tg *target, s *server) {
	png, _ := base64.StdEncoding.DecodeString(pngBase64)

	r := s.ok(t, "get_model_profile_image", map[string]any{"id": "pty/beta"})
	if str(r.S["kind"]) != "image" || str(r.S["mime_type"]) != "image/png" || int(num(r.S["bytes"])) != len(png) {
		t.Errorf("data URI image: %v", r.S)
	}
	if len(r.Images) != 1 || r.Images[0].MIMEType != "image/png" || !bytes.Equal(r.Images[0].Data, png) {
		t.Errorf("data URI image: want one image/png content with the stored bytes, got %d images", len(r.Images))
	}

	r = s.ok(t, "get_model_profile_image", map[string]any{"id": "pty/gamma"})
	if str(r.S["kind"]) != "url" || str(r.S["url"]) != imageURL || len(r.Images) != 0 {
		t.Errorf("https URL: %v (%d images)", r.S, len(r.Images))
	}

	r = s.ok(t, "get_model_profile_image", map[string]any{"id": "pty/alpha:1"})
	if str(r.S["kind"]) != "default" || len(r.Images) != 0 {
		t.Errorf("no image: %v", r.S)
	}

	// Set an image through update_model, read it back both ways.
	id := "e2e/img:set"
	tg.adminREST.del(t, id)
	tg.adminREST.create(t, map[string]any{"id": id, "name": "Image Set", "base_model_id": "fake-a"})
	s.ok(t, "update_model", map[string]any{"id": id, "meta": map[string]any{"profile_image_url": pngDataURI}})
	raw := tg.adminREST.do(t, "GET", "/api/v1/models/model/profile/image", idQ(id), nil)
	if raw.Status != 200 || !bytes.Equal(raw.Body, png) || raw.Header.Get("Content-Type") != "image/png" {
		t.Errorf("REST profile image after update_model: HTTP %d %s, %d bytes", raw.Status, raw.Header.Get("Content-Type"), len(raw.Body))
	}
	r = s.ok(t, "get_model_profile_image", map[string]any{"id": id})
	if len(r.Images) != 1 || !bytes.Equal(r.Images[0].Data, png) {
		t.Errorf("image set by update_model: %s", r)
	}
	// Unknown id: Open WebUI redirects to its default image.
	if r := s.ok(t, "get_model_profile_image", map[string]any{"id": "e2e/no-such-model"}); str(r.S["kind"]) != "default" {
		t.Errorf("unknown id: %v", r.S)
	}
}

func checkModelTags(t *testing.T, tg *target, s *server) {
	want := tg.adminREST.strings(t, "/api/v1/models/tags")
	sort.Strings(want)
	r := s.ok(t, "list_model_tags", nil)
	got := toStrings(r.S["tags"])
	if !slices.Equal(got, want) {
		t.Errorf("tags: tool %v, REST %v", got, want)
	}
	for _, tag := range []string{"bulk", "ptag", "shared-tag"} {
		if !slices.Contains(got, tag) {
			t.Errorf("tags lack %s: %v", tag, got)
		}
	}
}

func checkBaseModels(t *testing.T, tg *target, s *server) {
	var want []string
	for _, m := range tg.adminREST.baseRows(t) {
		want = append(want, m.ID)
	}
	r := s.ok(t, "list_base_models", nil)
	got := idsOf(r.S["models"])
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || int(num(r.S["count"])) != len(want) {
		t.Errorf("base models: tool %v (count %v), REST %v", got, r.S["count"], want)
	}
	if !slices.Contains(got, "fake-a") {
		t.Errorf("the fixture's base-model record fake-a is missing: %v", got)
	}
	for _, it := range list(r.S["models"]) {
		if m := obj(it); str(m["id"]) == "fake-a" && (str(m["base_model_id"]) != "" || !slices.Contains(toStrings(m["tags"]), "btag")) {
			t.Errorf("fake-a record: %v", m)
		}
	}
}

func checkBaseModelsDirect(t *testing.T, tg *target, s *server) {
	var resp struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	tg.adminREST.must(t, "GET", "/api/models/base", nil, nil, &resp)
	var want []string
	for _, m := range resp.Data {
		want = append(want, m.ID)
	}
	r := s.ok(t, "list_base_models_direct", nil)
	got := idsOf(r.S["models"])
	if !slices.Equal(got, want) {
		t.Errorf("provider models: tool %v, REST %v", got, want)
	}
	for _, id := range tg.providers {
		if !slices.Contains(got, id) {
			t.Errorf("the fake provider's %s is missing: %v", id, got)
		}
	}
	full := s.ok(t, "list_base_models_direct", map[string]any{"detail": "full"})
	for _, it := range list(full.S["models"]) {
		if obj(obj(it)["raw"])["connection_type"] == nil {
			t.Errorf("detail=full lacks the raw entry: %v", it)
		}
	}
}

func checkBaseModelTags(t *testing.T, tg *target, s *server) {
	if !atLeast("0.10.0") {
		// The route is the SPA page before 0.10: the tool says which
		// release it needs, without sending the request.
		r, err := tg.adminREST.try("GET", "/api/v1/models/base/tags", nil, nil)
		if err != nil || r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("REST base/tags on %s: %v %v, want the SPA page", runningVersion(), r, err)
		}
		s.fails(t, "list_base_model_tags", nil, "base-model tags (GET /api/v1/models/base/tags) needs Open WebUI 0.10.0 or later; this server runs "+runningVersion()+" (not sent)")
		return
	}
	want := tg.adminREST.strings(t, "/api/v1/models/base/tags")
	sort.Strings(want)
	got := toStrings(s.ok(t, "list_base_model_tags", nil).S["tags"])
	if !slices.Equal(got, want) || !slices.Contains(got, "btag") {
		t.Errorf("base tags: tool %v, REST %v (want btag)", got, want)
	}
}

func checkCreateModel(t *testing.T, tg *target, s *server) {
	rest := tg.adminREST
	id := "e2e/create:private"
	rest.del(t, id)
	r := s.ok(t, "create_model", map[string]any{
		"id": id, "name": "Created Private", "base_model_id": "fake-a",
		"description": "made by e2e", "tags": []any{"e2e", "made"}, "system": "Be brief.",
		"params": map[string]any{"temperature": 0.7}, "meta": map[string]any{"e2e_key": "v"},
	})
	if r.status() != "done" {
		t.Fatalf("a private create needs no confirmation: %s", r)
	}
	m := rest.mustGet(t, id)
	if m.Name != "Created Private" || deref(m.BaseModelID) != "fake-a" || !m.IsActive || len(m.AccessGrants) != 0 {
		t.Errorf("created model: %+v", m)
	}
	if str(m.Meta["description"]) != "made by e2e" || !slices.Equal(tagNames(m.Meta), []string{"e2e", "made"}) || str(m.Meta["e2e_key"]) != "v" {
		t.Errorf("meta: %v", m.Meta)
	}
	if str(m.Params["system"]) != "Be brief." || num(m.Params["temperature"]) != 0.7 {
		t.Errorf("params: %v", m.Params)
	}

	// Shared at creation: preview first (nothing created), then confirm.
	id2 := "e2e/create:shared"
	rest.del(t, id2)
	args := map[string]any{"id": id2, "name": "Created Shared", "base_model_id": "org/fake-b:1",
		"access_grants": []any{map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "read"}}}
	pre := s.preview(t, "create_model", args)
	if _, ok := rest.get(t, id2); ok {
		t.Fatalf("the preview created %s", id2)
	}
	if !strings.Contains(pre.Text, tg.groupID) {
		t.Errorf("the preview does not name the group: %s", pre.Text)
	}
	done := s.call(t, "create_model", with(args, "confirm_token", pre.token()))
	if done.status() != "done" {
		t.Fatalf("confirm: %s", done)
	}
	if g := rest.mustGet(t, id2).grantSet(); !g["group:"+tg.groupID+":read"] || len(g) != 1 {
		t.Errorf("grants after a shared create: %v", g)
	}

	// Disabled at creation.
	id3 := "e2e/create:off"
	rest.del(t, id3)
	s.ok(t, "create_model", map[string]any{"id": id3, "name": "Created Off", "base_model_id": "fake-a", "is_active": false})
	if rest.mustGet(t, id3).IsActive {
		t.Errorf("is_active=false was not kept on create")
	}

	// A taken id.
	s.fails(t, "create_model", map[string]any{"id": id, "name": "Again", "base_model_id": "fake-a"}, "already registered")
}

func checkUpdateModel(t *testing.T, tg *target, s *server) {
	rest := tg.adminREST
	id := "e2e/update:shared"
	rest.del(t, id)
	rest.create(t, map[string]any{"id": id, "name": "Before Rename", "base_model_id": "fake-a",
		"meta":      map[string]any{"description": "d", "tags": []any{map[string]any{"name": "keep"}}, "profile_image_url": imageURL},
		"params":    map[string]any{"temperature": 0.3, "top_p": 0.9, "system": "S"},
		"is_active": false,
		"access_grants": []any{
			map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "read"},
			map[string]any{"principal_type": "user", "principal_id": tg.userID, "permission": "write"},
		}})
	before := rest.mustGet(t, id)
	if before.IsActive || len(before.AccessGrants) != 2 {
		t.Fatalf("setup: %+v", before)
	}

	// A rename needs no confirmation and keeps everything else.
	r := s.ok(t, "update_model", map[string]any{"id": id, "name": "After Rename"})
	if r.status() != "done" {
		t.Fatalf("rename: %s", r)
	}
	after := rest.mustGet(t, id)
	if after.Name != "After Rename" {
		t.Errorf("name: %q", after.Name)
	}
	if !reflect.DeepEqual(after.grantSet(), before.grantSet()) {
		t.Errorf("the group/user shares were lost by a rename: before %v, after %v", before.grantSet(), after.grantSet())
	}
	if !reflect.DeepEqual(after.Params, before.Params) {
		t.Errorf("params changed by a rename: %v → %v", before.Params, after.Params)
	}
	if after.IsActive {
		t.Error("a disabled model was re-enabled by a rename")
	}
	if !reflect.DeepEqual(tagNames(after.Meta), []string{"keep"}) || str(after.Meta["description"]) != "d" || str(after.Meta["profile_image_url"]) != imageURL {
		t.Errorf("meta changed by a rename: %v", after.Meta)
	}
	if deref(after.BaseModelID) != "fake-a" {
		t.Errorf("base_model_id: %v", deref(after.BaseModelID))
	}

	// params merge key-wise; null removes a key.
	s.ok(t, "update_model", map[string]any{"id": id, "params": map[string]any{"temperature": 0.5, "top_p": nil}, "tags": []any{"keep", "new"}})
	m := rest.mustGet(t, id)
	if num(m.Params["temperature"]) != 0.5 || m.Params["top_p"] != nil || str(m.Params["system"]) != "S" {
		t.Errorf("params merge: %v", m.Params)
	}
	if !slices.Equal(tagNames(m.Meta), []string{"keep", "new"}) {
		t.Errorf("tags: %v", tagNames(m.Meta))
	}
	if !reflect.DeepEqual(m.grantSet(), before.grantSet()) || m.IsActive {
		t.Errorf("grants or is_active changed by a params update: %v %v", m.grantSet(), m.IsActive)
	}

	// Unchanged values: nothing to do.
	if r := s.ok(t, "update_model", map[string]any{"id": id, "name": "After Rename"}); !strings.Contains(r.Text, "Nothing to do") {
		t.Errorf("same values: %s", r)
	}

	// access_grants through update_model: preview, then confirm.
	args := map[string]any{"id": id, "access_grants": []any{map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "write"}}}
	pre := s.preview(t, "update_model", args)
	acc := obj(list(pre.preview()["access"])[0])
	if len(list(acc["gains"])) != 1 || len(list(acc["loses"])) != 2 {
		t.Errorf("access diff: %v", acc)
	}
	if !reflect.DeepEqual(rest.mustGet(t, id).grantSet(), before.grantSet()) {
		t.Error("the preview changed the grants")
	}
	s.ok(t, "update_model", with(args, "confirm_token", pre.token()))
	if g := rest.mustGet(t, id).grantSet(); len(g) != 1 || !g["group:"+tg.groupID+":write"] {
		t.Errorf("grants after a confirmed update_model: %v", g)
	}

	s.fails(t, "update_model", map[string]any{"id": "e2e/no-such", "name": "x"}, "not")
}

func checkToggleModel(t *testing.T, tg *target, s *server) {
	rest := tg.adminREST
	id := "e2e/toggle"
	rest.del(t, id)
	rest.create(t, map[string]any{"id": id, "name": "Toggle", "base_model_id": "fake-a"})

	if r := s.ok(t, "toggle_model", map[string]any{"id": id, "dry_run": true}); r.status() != "dry_run" || !rest.mustGet(t, id).IsActive {
		t.Errorf("dry run: %s", r)
	}
	r := s.ok(t, "toggle_model", map[string]any{"id": id})
	if r.status() != "done" || rest.mustGet(t, id).IsActive {
		t.Errorf("toggle should disable: %s", r)
	}
	if r := s.ok(t, "toggle_model", map[string]any{"id": id, "active": false}); !strings.Contains(r.Text, "Nothing to do") || rest.mustGet(t, id).IsActive {
		t.Errorf("active=false on a disabled model: %s", r)
	}
	if s.ok(t, "toggle_model", map[string]any{"id": id, "active": true}); !rest.mustGet(t, id).IsActive {
		t.Error("active=true did not enable")
	}
	s.fails(t, "toggle_model", map[string]any{"id": "e2e/no-such"}, "not")
}

func checkDeleteModel(t *testing.T, tg *target, s *server) {
	rest := tg.adminREST
	id := "e2e/delete:me"
	rest.del(t, id)
	rest.create(t, map[string]any{"id": id, "name": "Delete Me", "base_model_id": "fake-a",
		"access_grants": []any{map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "read"}}})

	pre := s.preview(t, "delete_model", map[string]any{"id": id})
	if got := previewIDs(pre, "delete"); !slices.Equal(got, []string{id}) {
		t.Errorf("preview deletes %v", got)
	}
	if !strings.Contains(pre.Text, "DELETE "+strconv.Quote(id)) {
		t.Errorf("preview text: %s", pre.Text)
	}
	if _, ok := rest.get(t, id); !ok {
		t.Fatal("the preview deleted the model")
	}
	done := s.call(t, "delete_model", map[string]any{"id": id, "confirm_token": pre.token()})
	if done.status() != "done" || !slices.Equal(toStrings(obj(done.S["result"])["deleted"]), []string{id}) {
		t.Fatalf("confirmed delete: %s", done)
	}
	if _, ok := rest.get(t, id); ok {
		t.Error("the model still exists after a confirmed delete")
	}
	bk := s.backupFile(t, done, id)
	if m := obj(list(bk["models"])[0]); len(list(m["access_grants"])) != 1 {
		t.Errorf("the backup lost the grants: %v", m)
	}
	s.fails(t, "delete_model", map[string]any{"id": id}, "not")
}

func checkTokenRefusals(t *testing.T, tg *target, s *server) {
	rest := tg.adminREST
	a, b := "e2e/token:a", "e2e/token:b"
	for _, id := range []string{a, b} {
		rest.del(t, id)
		rest.create(t, map[string]any{"id": id, "name": id, "base_model_id": "fake-a"})
	}
	grantArgs := map[string]any{"id": a, "access_grants": []any{map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "read"}}}

	// Reused: a token confirms exactly one call. Make the call meaningful
	// again first (back to private), so that only the token stops it.
	pre, _ := s.confirmed(t, "update_model_access", grantArgs)
	rest.setAccess(t, a, nil)
	s.fails(t, "update_model_access", with(grantArgs, "confirm_token", pre.token()), "already used")
	if g := rest.mustGet(t, a).grantSet(); len(g) != 0 {
		t.Errorf("a reused token changed the grants: %v", g)
	}

	// Other arguments: a token for deleting a does not delete b.
	pre = s.preview(t, "delete_model", map[string]any{"id": a})
	s.fails(t, "delete_model", map[string]any{"id": b, "confirm_token": pre.token()}, "arguments differ")
	// Other tool.
	s.fails(t, "toggle_model", map[string]any{"id": a, "confirm_token": pre.token()}, "not an argument")
	s.fails(t, "update_model_access", with(grantArgs, "confirm_token", pre.token()), "issued for tool")
	// Garbage.
	s.fails(t, "delete_model", map[string]any{"id": a, "confirm_token": "not-a-token"}, "malformed")
	for _, id := range []string{a, b} {
		if _, ok := rest.get(t, id); !ok {
			t.Errorf("%s was deleted by a refused token", id)
		}
	}

	// Target changed upstream between preview and confirmation: refused,
	// with a fresh preview; nothing deleted.
	pre = s.preview(t, "delete_model", map[string]any{"id": b})
	rest.must(t, "POST", "/api/v1/models/model/toggle", idQ(b), nil, nil)
	r := s.call(t, "delete_model", map[string]any{"id": b, "confirm_token": pre.token()})
	if !r.IsError || r.status() != "confirmation_required" || r.token() == "" || !strings.Contains(r.Text, "changed") {
		t.Errorf("target changed: %s", r)
	}
	if _, ok := rest.get(t, b); !ok {
		t.Error("deleted although the target changed since the preview")
	}
	// The fresh token works.
	if done := s.call(t, "delete_model", map[string]any{"id": b, "confirm_token": r.token()}); done.status() != "done" {
		t.Errorf("fresh token: %s", done)
	}
	if _, ok := rest.get(t, b); ok {
		t.Error("not deleted with the fresh token")
	}
}

func checkUpdateAccess(t *testing.T, tg *target, s *server) {
	rest := tg.adminREST
	id := "e2e/access"
	rest.del(t, id)
	rest.create(t, map[string]any{"id": id, "name": "Access", "base_model_id": "fake-a"})
	user := map[string]any{"principal_type": "user", "principal_id": tg.userID, "permission": "read"}
	group := map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "write"}

	step := func(args map[string]any, gains, loses int, want ...string) {
		t.Helper()
		pre := s.preview(t, "update_model_access", args)
		acc := obj(list(pre.preview()["access"])[0])
		if len(list(acc["gains"])) != gains || len(list(acc["loses"])) != loses {
			t.Errorf("%v: gains %v loses %v, want %d/%d", args, acc["gains"], acc["loses"], gains, loses)
		}
		done := s.call(t, "update_model_access", with(args, "confirm_token", pre.token()))
		if done.status() != "done" {
			t.Fatalf("confirm %v: %s", args, done)
		}
		got := rest.mustGet(t, id).grantSet()
		wantSet := map[string]bool{}
		for _, w := range want {
			wantSet[w] = true
		}
		if !reflect.DeepEqual(got, wantSet) {
			t.Errorf("after %v: REST grants %v, want %v", args, got, wantSet)
		}
		if strings.Contains(done.Text, "WARNING") {
			t.Errorf("Open WebUI dropped grants: %s", done.Text)
		}
	}
	u := "user:" + tg.userID + ":read"
	g := "group:" + tg.groupID + ":write"
	step(map[string]any{"id": id, "access_grants": []any{user}}, 1, 0, u)
	step(map[string]any{"id": id, "mode": "add", "access_grants": []any{group}}, 1, 0, u, g)
	step(map[string]any{"id": id, "mode": "remove", "access_grants": []any{user}}, 0, 1, g)
	step(map[string]any{"id": id, "access_grants": []any{}}, 0, 1)

	// Already so: nothing to do, no token needed.
	if r := s.ok(t, "update_model_access", map[string]any{"id": id, "access_grants": []any{}}); !strings.Contains(r.Text, "Nothing to do") {
		t.Errorf("no-op: %s", r)
	}

	// An unknown id: the admin's call creates a base-model record.
	nb := "e2e/access:new-record"
	rest.del(t, nb)
	pre := s.preview(t, "update_model_access", map[string]any{"id": nb, "name": "New Record", "access_grants": []any{user}})
	if !strings.Contains(pre.Text, "creates a base-model record") {
		t.Errorf("preview lacks the warning: %s", pre.Text)
	}
	s.ok(t, "update_model_access", map[string]any{"id": nb, "name": "New Record", "access_grants": []any{user}, "confirm_token": pre.token()})
	m := rest.mustGet(t, nb)
	if m.BaseModelID != nil || m.Name != "New Record" || !m.grantSet()[u] {
		t.Errorf("record created by access update: %+v", m)
	}
	rest.del(t, nb)
}

func checkExportImport(t *testing.T, tg *target, s *server) {
	rest := tg.adminREST
	ex := s.ok(t, "export_models", nil)
	restEx := rest.export(t)
	if int(num(ex.S["count"])) != len(restEx) || len(list(ex.S["models"])) != len(restEx) {
		t.Errorf("export: tool %v models, REST %d", ex.S["count"], len(restEx))
	}

	// Round trip: export a model, delete it, import the exported record.
	id := "e2e/roundtrip:1"
	rest.del(t, id)
	rest.create(t, map[string]any{"id": id, "name": "Round Trip", "base_model_id": "fake-a",
		"meta":          map[string]any{"description": "rt", "tags": []any{map[string]any{"name": "rt"}}, "custom": map[string]any{"k": 1.0}},
		"params":        map[string]any{"system": "RT", "temperature": 0.25},
		"is_active":     false,
		"access_grants": []any{map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "read"}}})
	orig := rest.mustGet(t, id)
	var rec map[string]any
	for _, it := range list(s.ok(t, "export_models", nil).S["models"]) {
		if str(obj(it)["id"]) == id {
			rec = obj(it)
		}
	}
	if rec == nil {
		t.Fatalf("export_models lacks %s", id)
	}
	rest.del(t, id)

	pre, done := s.confirmed(t, "import_models", map[string]any{"models": []any{rec}})
	if c := obj(pre.preview()["counts"]); num(c["create"]) != 1 || num(c["overwrite"]) != 0 {
		t.Errorf("import preview counts: %v", c)
	}
	_ = done
	got := rest.mustGet(t, id)
	sameModel(t, "import round trip", orig, got)

	// Overwrite an existing model: preview shows the field change.
	rec2 := with(rec, "name", "Round Trip Renamed")
	pre, done = s.confirmed(t, "import_models", map[string]any{"models": []any{rec2}})
	if c := obj(pre.preview()["counts"]); num(c["overwrite"]) != 1 {
		t.Errorf("overwrite preview counts: %v", c)
	}
	if !strings.Contains(pre.Text, `"Round Trip" → "Round Trip Renamed"`) {
		t.Errorf("preview lacks the name change: %s", pre.Text)
	}
	s.backupFile(t, done, id)
	if m := rest.mustGet(t, id); m.Name != "Round Trip Renamed" || str(m.Params["system"]) != "RT" || m.IsActive {
		t.Errorf("after overwrite: %+v", m)
	}
}

func checkSyncModels(t *testing.T, tg *target, s *server) {
	rest := tg.adminREST
	victim, fresh := "e2e/sync:victim", "e2e/sync:new"
	rest.del(t, victim)
	rest.del(t, fresh)
	rest.create(t, map[string]any{"id": victim, "name": "Sync Victim", "base_model_id": "fake-a"})

	// The wanted list: everything stored (export + base records), minus the
	// victim, plus one new model.
	var models []any
	for _, tool := range []string{"export_models", "list_base_models"} {
		for _, it := range list(s.ok(t, tool, nil).S["models"]) {
			if str(obj(it)["id"]) != victim {
				models = append(models, it)
			}
		}
	}
	before := len(rest.export(t)) + len(rest.baseRows(t))
	if len(models) != before-1 {
		t.Fatalf("built %d records from %d stored", len(models), before)
	}
	alpha := rest.mustGet(t, "pty/alpha:1")
	models = append(models, map[string]any{"id": fresh, "name": "Sync New", "base_model_id": "fake-a"})

	args := map[string]any{"models": models}
	pre := s.preview(t, "sync_models", args)
	if got := previewIDs(pre, "delete"); !slices.Equal(got, []string{victim}) {
		t.Errorf("sync preview deletes %v, want only %s", got, victim)
	}
	if got := previewIDs(pre, "create"); !slices.Equal(got, []string{fresh}) {
		t.Errorf("sync preview creates %v", got)
	}
	if !strings.Contains(pre.Text, "1 DELETED") || !strings.Contains(pre.Text, victim) {
		t.Errorf("preview text: %s", tail(pre.Text, 5))
	}
	if _, ok := rest.get(t, victim); !ok {
		t.Fatal("the preview deleted the victim")
	}
	done := s.call(t, "sync_models", with(args, "confirm_token", pre.token()))
	if rules().SyncLocksOnSQLite {
		// 0.9.6–0.11 on SQLite: upstream fails and rolls back; the preview
		// warned, the tool says why, and nothing changed.
		if !strings.Contains(pre.Text, "FAILS a sync that lists an existing model") {
			t.Errorf("the preview does not warn about the SQLite failure: %s", tail(pre.Text, 8))
		}
		if !done.IsError || !strings.Contains(done.Text, owui.SyncLockedText(runningVersion())) {
			t.Fatalf("confirmed sync on %s: %s", runningVersion(), done)
		}
		if _, ok := rest.get(t, victim); !ok {
			t.Error("the failed sync deleted the victim")
		}
		if _, ok := rest.get(t, fresh); ok {
			t.Error("the failed sync created the new model")
		}
		if a2 := rest.mustGet(t, "pty/alpha:1"); !reflect.DeepEqual(a2.grantSet(), alpha.grantSet()) || a2.Name != alpha.Name || a2.UserID != alpha.UserID {
			t.Errorf("the failed sync changed a listed model: %+v → %+v", alpha, a2)
		}
		rest.del(t, victim)
		return
	}
	if done.status() != "done" {
		t.Fatalf("confirmed sync: %s", done)
	}
	if _, ok := rest.get(t, victim); ok {
		t.Error("the unlisted model survived the sync")
	}
	if m, ok := rest.get(t, fresh); !ok || m.Name != "Sync New" {
		t.Errorf("the new model: %+v %v", m, ok)
	}
	if after := len(rest.export(t)) + len(rest.baseRows(t)); after != before {
		t.Errorf("stored models: %d before, %d after (want -1 +1)", before, after)
	}
	a2 := rest.mustGet(t, "pty/alpha:1")
	if !reflect.DeepEqual(a2.grantSet(), alpha.grantSet()) || a2.Name != alpha.Name || a2.UserID != alpha.UserID {
		t.Errorf("a listed model changed: %+v → %+v", alpha, a2)
	}
	s.backupFile(t, done, victim, "pty/alpha:1")
}

func checkUnloadModel(t *testing.T, tg *target, s *server) {
	pre := s.preview(t, "unload_model", map[string]any{"model": "fake-a"})
	if !strings.Contains(pre.Text, `unload "fake-a"`) {
		t.Errorf("preview: %s", pre.Text)
	}
	r := s.fails(t, "unload_model", map[string]any{"model": "fake-a", "confirm_token": pre.token()}, "does not support")
	for _, bad := range []string{"correct the arguments"} {
		if strings.Contains(r.Text, bad) {
			t.Errorf("the unsupported-provider error gives misleading advice (%q): %s", bad, r.Text)
		}
	}
	if !strings.Contains(strings.ToLower(r.Text), "ollama") && !strings.Contains(strings.ToLower(r.Text), "llama.cpp") {
		t.Errorf("the error should say which providers can unload: %s", r.Text)
	}
	// A custom model is resolved through its base_model_id chain.
	pre = s.preview(t, "unload_model", map[string]any{"model": "pty/alpha:1"})
	s.fails(t, "unload_model", map[string]any{"model": "pty/alpha:1", "confirm_token": pre.token()}, "does not support")
	// Unknown.
	pre = s.preview(t, "unload_model", map[string]any{"model": "e2e/nope"})
	s.fails(t, "unload_model", map[string]any{"model": "e2e/nope", "confirm_token": pre.token()}, "not found")
}

func checkRestoreModels(t *testing.T, tg *target, s *server) {
	rest := tg.adminREST
	id := "e2e/restore:me"
	rest.del(t, id)
	rest.create(t, map[string]any{"id": id, "name": "Restore Me", "base_model_id": "org/fake-b:1",
		"meta":      map[string]any{"description": "to restore", "tags": []any{map[string]any{"name": "r"}}, "profile_image_url": pngDataURI, "x": []any{"y"}},
		"params":    map[string]any{"system": "R", "temperature": 0.6, "stop": []any{"END"}},
		"is_active": false,
		"access_grants": []any{
			map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "read"},
			map[string]any{"principal_type": "user", "principal_id": tg.userID, "permission": "write"},
		}})
	orig := rest.mustGet(t, id)

	// Deleted → recreated.
	_, done := s.confirmed(t, "delete_model", map[string]any{"id": id})
	backup := done.backup()
	if _, ok := rest.get(t, id); ok {
		t.Fatal("not deleted")
	}
	pre, _ := s.confirmed(t, "restore_models", map[string]any{"backup": backup})
	if c := obj(pre.preview()["counts"]); num(c["recreate"]) != 1 {
		t.Errorf("restore preview counts: %v", c)
	}
	sameModel(t, "restore after delete", orig, rest.mustGet(t, id))

	// Changed → reset (the backup of an update_model).
	_, done = s.confirmed(t, "update_model", map[string]any{"id": id, "name": "Changed", "params": map[string]any{"temperature": 1.0}, "is_active": true,
		"access_grants": []any{}})
	if m := rest.mustGet(t, id); m.Name != "Changed" || len(m.AccessGrants) != 0 || !m.IsActive {
		t.Fatalf("update before restore: %+v", m)
	}
	pre, _ = s.confirmed(t, "restore_models", map[string]any{"backup": done.backup()})
	if c := obj(pre.preview()["counts"]); num(c["overwrite"]) != 1 {
		t.Errorf("restore preview counts: %v", c)
	}
	sameModel(t, "restore after update", orig, rest.mustGet(t, id))

	s.fails(t, "restore_models", map[string]any{"backup": "../etc/passwd"}, "backup")
}

func checkListBackups(t *testing.T, tg *target, s *server) {
	r := s.ok(t, "list_backups", nil)
	if str(r.S["dir"]) != s.backupDir {
		t.Errorf("dir %v, want %s", r.S["dir"], s.backupDir)
	}
	bs := list(r.S["backups"])
	tools := map[string]bool{}
	for _, b := range bs {
		tools[str(obj(b)["tool"])] = true
	}
	for _, want := range []string{"delete_model", "update_model", "import_models", "sync_models"} {
		if !tools[want] {
			t.Errorf("no %s backup listed: %v", want, tools)
		}
	}
}

// checkDeleteAll runs last, on a server process of its own: it empties the
// server, then restore_models brings everything back from its backup.
func checkDeleteAll(t *testing.T, tg *target) {
	rest := tg.adminREST
	s := startServer(t, "delete-all", tg.url, tg.adminKey)
	stored := map[string]model{}
	for _, m := range append(rest.export(t), rest.baseRows(t)...) {
		stored[m.ID] = m
	}
	if len(stored) < bulkCount {
		t.Fatalf("only %d stored models before delete_all", len(stored))
	}

	pre := s.preview(t, "delete_all_models", nil)
	if n := int(num(obj(pre.preview()["counts"])["delete"])); n != len(stored) {
		t.Errorf("preview deletes %d, %d are stored", n, len(stored))
	}
	if got := previewIDs(pre, "delete"); len(got) != len(stored) {
		t.Errorf("preview lists %d models", len(got))
	}
	if len(rest.export(t)) == 0 {
		t.Fatal("the preview deleted models")
	}
	done := s.call(t, "delete_all_models", map[string]any{"confirm_token": pre.token()})
	if done.status() != "done" {
		t.Fatalf("confirmed delete_all: %s", done)
	}
	if n := len(rest.export(t)) + len(rest.baseRows(t)); n != 0 {
		t.Errorf("%d models left after delete_all", n)
	}
	if l := rest.list(t, q("page", "1")); l.Total != 0 {
		t.Errorf("list total %d after delete_all", l.Total)
	}
	var ids []string
	for id := range stored {
		ids = append(ids, id)
	}
	s.backupFile(t, done, ids...)
	if s.ok(t, "delete_all_models", nil).status() != "done" {
		t.Error("delete_all on an empty server should be a no-op")
	}

	pre, _ = s.confirmed(t, "restore_models", map[string]any{"backup": done.backup()})
	if n := int(num(obj(pre.preview()["counts"])["recreate"])); n != len(stored) {
		t.Errorf("restore preview recreates %d of %d", n, len(stored))
	}
	back := map[string]model{}
	for _, m := range append(rest.export(t), rest.baseRows(t)...) {
		back[m.ID] = m
	}
	if len(back) != len(stored) {
		t.Errorf("restored %d of %d models", len(back), len(stored))
	}
	for id, want := range stored {
		got, ok := back[id]
		if !ok {
			t.Errorf("%s not restored", id)
			continue
		}
		sameModel(t, "restore after delete_all: "+id, want, got)
	}
}

// sameModel compares what a restore or import must give back.
func sameModel(t *testing.T, what string, want, got model) {
	t.Helper()
	if got.ID != want.ID || got.Name != want.Name || deref(got.BaseModelID) != deref(want.BaseModelID) || got.IsActive != want.IsActive {
		t.Errorf("%s: id/name/base/is_active %q %q %q %v, want %q %q %q %v", what, got.ID, got.Name, deref(got.BaseModelID), got.IsActive,
			want.ID, want.Name, deref(want.BaseModelID), want.IsActive)
	}
	if !reflect.DeepEqual(got.Meta, want.Meta) {
		t.Errorf("%s: meta\n got %v\nwant %v", what, got.Meta, want.Meta)
	}
	if !reflect.DeepEqual(got.Params, want.Params) {
		t.Errorf("%s: params %v, want %v", what, got.Params, want.Params)
	}
	if !reflect.DeepEqual(got.grantSet(), want.grantSet()) {
		t.Errorf("%s: grants %v, want %v", what, got.grantSet(), want.grantSet())
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func tagNames(meta map[string]any) []string {
	var out []string
	for _, t := range list(meta["tags"]) {
		out = append(out, str(obj(t)["name"]))
	}
	return out
}

func toStrings(v any) []string {
	out := []string{}
	for _, it := range list(v) {
		out = append(out, str(it))
	}
	return out
}

// grantsOfTool turns a tool's access_grants into the REST grant-set form.
func grantsOfTool(v any) map[string]bool {
	out := map[string]bool{}
	for _, it := range list(v) {
		g := obj(it)
		out[str(g["principal_type"])+":"+str(g["principal_id"])+":"+str(g["permission"])] = true
	}
	return out
}

// checkElicitation confirms through the user instead of a token: a server
// with the default --confirm=auto and a client that supports elicitation
// (the SDK's handler stands in for the user).
func checkElicitation(t *testing.T, tg *target) {
	rest := tg.adminREST
	var asked []string
	answer := "decline"
	handler := func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		asked = append(asked, req.Params.Message)
		if answer == "accept" {
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, nil
		}
		return &mcp.ElicitResult{Action: answer}, nil
	}
	s := startServerWith(t, "elicit", tg.url, tg.adminKey, &mcp.ClientOptions{ElicitationHandler: handler},
		"--allow-admin", "--allow-access-changes", "--backup-dir", "{backup}")
	id := "e2e/elicit:a"
	rest.del(t, id)
	rest.create(t, map[string]any{"id": id, "name": "Elicit", "base_model_id": "fake-a"})

	r := s.ok(t, "delete_model", map[string]any{"id": id})
	if r.status() != "declined" || len(asked) != 1 || !strings.Contains(asked[0], "DELETE "+strconv.Quote(id)) {
		t.Errorf("declined: %s; asked %q", r, asked)
	}
	if _, ok := rest.get(t, id); !ok {
		t.Fatal("deleted although the user declined")
	}
	answer = "cancel"
	if r := s.ok(t, "delete_model", map[string]any{"id": id}); r.status() != "cancelled" || !strings.Contains(r.Text, "cancelled") {
		t.Errorf("cancelled: %s", r)
	}
	answer = "accept"
	r = s.ok(t, "delete_model", map[string]any{"id": id})
	if r.status() != "done" || len(asked) != 3 {
		t.Fatalf("accepted: %s (asked %d times)", r, len(asked))
	}
	if _, ok := rest.get(t, id); ok {
		t.Error("not deleted although the user accepted")
	}
	s.backupFile(t, r, id)
}
