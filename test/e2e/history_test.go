//go:build e2e

package e2e

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
)

// historyRow is one item of GET /api/v1/models/model/history.
type historyRow struct {
	ID            string  `json:"id"`
	ModelID       string  `json:"model_id"`
	ParentID      *string `json:"parent_id"`
	UserID        string  `json:"user_id"`
	CommitMessage *string `json:"commit_message"`
	CreatedAt     int64   `json:"created_at"`
	User          *struct {
		Name string `json:"name"`
	} `json:"user"`
}

// restHistory reads page 1 of a model's history as the admin.
func restHistory(tg *target, id string) ([]historyRow, error) {
	r, err := tg.adminREST.try("GET", "/api/v1/models/model/history", url.Values{"id": {id}, "page": {"1"}}, nil)
	if err != nil {
		return nil, err
	}
	if r.Status != 200 {
		return nil, fmt.Errorf("GET history of %s: %s", id, r)
	}
	var out []historyRow
	if err := jsonUnmarshal(r.Body, &out); err != nil {
		return nil, err
	}
	// Open WebUI orders same-second entries by their random ids; the
	// checks want newest first, which the parent links give.
	depth := func(h historyRow) int {
		n := 0
		for p := h.ParentID; p != nil && n < len(out); n++ {
			next := (*string)(nil)
			for _, o := range out {
				if o.ID == *p {
					next = o.ParentID
				}
			}
			p = next
		}
		return n
	}
	slices.SortStableFunc(out, func(a, b historyRow) int {
		if a.CreatedAt != b.CreatedAt {
			return cmp.Compare(b.CreatedAt, a.CreatedAt)
		}
		return cmp.Compare(depth(b), depth(a))
	})
	return out, nil
}

func commitOf(h historyRow) string {
	if h.CommitMessage == nil {
		return ""
	}
	return *h.CommitMessage
}

// restUpdate writes a full form through REST as the admin.
func restUpdate(t testing.TB, tg *target, form map[string]any) {
	t.Helper()
	tg.adminREST.must(t, "POST", "/api/v1/models/model/update", nil, form, nil)
}

// historyFixture (re)creates id with three versions: H1 (temperature 0.1,
// no message), H2 (0.2, "second") and H3 (0.3, "third"), the current one.
func historyFixture(id string) func(testing.TB, *target) {
	return func(t testing.TB, tg *target) {
		tg.adminREST.del(t, id)
		tg.adminREST.create(t, map[string]any{"id": id, "name": "H1", "base_model_id": "fake-a", "meta": map[string]any{"description": "one"}, "params": map[string]any{"temperature": 0.1}})
		for i, msg := range []string{"second", "third"} {
			restUpdate(t, tg, map[string]any{"id": id, "name": fmt.Sprintf("H%d", i+2), "base_model_id": "fake-a", "meta": map[string]any{"description": "one"},
				"params": map[string]any{"temperature": float64(i+2) / 10}, "is_active": true, "commit_message": msg})
		}
	}
}

// versionArgs builds {id, version_id} with the version at index i of the
// model's history (0 = newest), read from the target.
func versionArgs(id string, i int, extra ...any) func(*target) map[string]any {
	return func(tg *target) map[string]any {
		h, err := restHistory(tg, id)
		if err != nil || len(h) <= i {
			panic(fmt.Sprintf("history of %s: %v %+v", id, err, h))
		}
		args := map[string]any{"id": id, "version_id": h[i].ID}
		for j := 0; j+1 < len(extra); j += 2 {
			args[extra[j].(string)] = extra[j+1]
		}
		return args
	}
}

// historyParityCases run on the fake and on the real server alike. A
// release without history gets historyRefusalCases instead.
func historyParityCases() []pcase {
	if !owui.Has(runningVersion(), owui.FeatureModelHistory) {
		return historyRefusalCases()
	}
	return []pcase{
		{name: "history/list_newest_first", tool: "list_model_history", setup: historyFixture("pty/h-list:1"),
			args: argsOf(map[string]any{"id": "pty/h-list:1"}),
			check: succeeds(func(tg *target, r *result) error {
				vs := list(r.S["versions"])
				var msgs, authors []string
				for _, v := range vs {
					msgs = append(msgs, str(obj(v)["commit_message"]))
					authors = append(authors, str(obj(v)["author"]))
				}
				h, err := restHistory(tg, "pty/h-list:1")
				if err != nil {
					return err
				}
				m, err := restModel(tg, "pty/h-list:1")
				if err != nil {
					return err
				}
				return all(expectEq("messages", msgs, []string{"third", "second", ""}), expectEq("authors", authors, []string{"Admin", "Admin", "Admin"}),
					expectEq("first is current", obj(vs[0])["current"], true), expectEq("current_version_id", r.S["current_version_id"], m.VersionID),
					expectEq("newest id", str(obj(vs[0])["version_id"]), h[0].ID), expectEq("parent", h[0].ParentID != nil && *h[0].ParentID == h[1].ID, true))
			})},
		{name: "history/get_version_diff", tool: "get_model_version", setup: historyFixture("pty/h-diff"),
			args: versionArgs("pty/h-diff", 2),
			check: succeeds(func(_ *target, r *result) error {
				// Null typed meta keys, on either side, are no differences.
				got := map[string]string{}
				for _, c := range list(r.S["changes"]) {
					got[str(obj(c)["field"])] = fmt.Sprint(obj(c)["before"], "→", obj(c)["after"])
				}
				snap := obj(r.S["snapshot"])
				return all(expectEq("changes", got, map[string]string{"name": "H3→H1", "params.temperature": "0.3→0.1"}),
					expectEq("snapshot name", snap["name"], "H1"), expectEq("against", r.S["against"], "current"))
			})},
		{name: "history/diff_against_version", tool: "get_model_version", setup: historyFixture("pty/h-against"),
			args: func(tg *target) map[string]any {
				a := versionArgs("pty/h-against", 2)(tg)
				a["diff_against"] = versionArgs("pty/h-against", 1)(tg)["version_id"]
				return a
			},
			check: succeeds(func(_ *target, r *result) error {
				return expectEq("changes", len(list(r.S["changes"])), 2)
			})},
		{name: "history/version_of_another_model", tool: "get_model_version", setup: historyFixture("pty/h-other"),
			args: func(tg *target) map[string]any {
				return map[string]any{"id": "pty/alpha:1", "version_id": versionArgs("pty/h-other", 0)(tg)["version_id"]}
			},
			check: failsWith("HTTP 404", "Model version not found")},
		{name: "history/rollback", tool: "rollback_model", confirm: true, setup: historyFixture("pty/h-rollback"),
			args: versionArgs("pty/h-rollback", 2),
			check: succeeds(func(tg *target, r *result) error {
				m, err := restModel(tg, "pty/h-rollback")
				if err != nil {
					return err
				}
				h, err := restHistory(tg, "pty/h-rollback")
				if err != nil {
					return err
				}
				return all(expectEq("name", m.Name, "H1"), expectEq("temperature", m.Params["temperature"], 0.1), expectEq("entries", len(h), 3),
					expectEq("version_id", m.VersionID, h[2].ID), expectEq("is_active", m.IsActive, true))
			})},
		{name: "history/delete_version", tool: "delete_model_version", confirm: true, setup: historyFixture("pty/h-delete"),
			args: versionArgs("pty/h-delete", 1),
			check: succeeds(func(tg *target, r *result) error {
				h, err := restHistory(tg, "pty/h-delete")
				if err != nil {
					return err
				}
				msgs := []string{}
				for _, e := range h {
					msgs = append(msgs, commitOf(e))
				}
				return all(expectEq("left", msgs, []string{"third", ""}), expectEq("re-parented", h[0].ParentID != nil && *h[0].ParentID == h[1].ID, true))
			})},
		{name: "history/delete_current_refused", tool: "delete_model_version", setup: historyFixture("pty/h-current"),
			args:  versionArgs("pty/h-current", 0),
			check: failsWith("is the current version", "Nothing was sent")},
		{name: "history/commit_message_stored", tool: "update_model", setup: historyFixture("pty/h-commit"),
			args: argsOf(map[string]any{"id": "pty/h-commit", "name": "H4", "commit_message": "agent note"}),
			check: succeeds(func(tg *target, r *result) error {
				h, err := restHistory(tg, "pty/h-commit")
				if err != nil {
					return err
				}
				return all(expectEq("entries", len(h), 4), expectEq("message", commitOf(h[0]), "agent note"))
			})},
		{name: "history/default_commit_message", tool: "update_model", setup: historyFixture("pty/h-default"),
			args: argsOf(map[string]any{"id": "pty/h-default", "name": "H4", "params": map[string]any{"temperature": 0.9}}),
			check: succeeds(func(tg *target, r *result) error {
				h, err := restHistory(tg, "pty/h-default")
				if err != nil {
					return err
				}
				msg := commitOf(h[0])
				if !strings.HasPrefix(msg, "update_model via owui-mcp") || !strings.HasSuffix(msg, ": name, params.temperature") {
					return fmt.Errorf("default commit message %q", msg)
				}
				return nil
			})},
		{name: "user/history_read_grant_forbidden", as: "user", tool: "list_model_history", args: argsOf(map[string]any{"id": "pty/user-read"}),
			check: failsWith("HTTP 403", "permission", "write grant")},
		{name: "user/history_write_grant_allowed", as: "user", tool: "list_model_history", args: argsOf(map[string]any{"id": "pty/user-write"}),
			check: succeeds(func(_ *target, r *result) error {
				if len(list(r.S["versions"])) == 0 {
					return fmt.Errorf("no versions: %s", r)
				}
				return nil
			})},
	}
}

// historyRefusalCases: before 0.12 each history tool answers the clear
// "needs Open WebUI 0.12.0" error without sending anything, and an update
// with a commit message still goes through (the message is dropped).
func historyRefusalCases() []pcase {
	need := owui.NeedsText(owui.FeatureModelHistory, runningVersion())
	plain := func(id string) func(testing.TB, *target) {
		return func(t testing.TB, tg *target) {
			tg.adminREST.del(t, id)
			tg.adminREST.create(t, map[string]any{"id": id, "name": "H1", "base_model_id": "fake-a"})
		}
	}
	vargs := argsOf(map[string]any{"id": "pty/h-none", "version_id": "00000000-0000-0000-0000-000000000000"})
	return []pcase{
		{name: "history/list_refused", tool: "list_model_history", setup: plain("pty/h-none"), args: argsOf(map[string]any{"id": "pty/h-none"}),
			check: failsWith(need, "not sent")},
		{name: "history/get_version_refused", tool: "get_model_version", args: vargs, check: failsWith(need, "not sent")},
		{name: "history/rollback_refused", tool: "rollback_model", args: vargs, check: failsWith(need, "not sent")},
		{name: "history/delete_version_refused", tool: "delete_model_version", args: vargs, check: failsWith(need, "not sent")},
		{name: "history/commit_message_dropped", tool: "update_model", setup: plain("pty/h-commit"),
			args: argsOf(map[string]any{"id": "pty/h-commit", "name": "H4", "commit_message": "agent note"}),
			check: succeeds(func(tg *target, r *result) error {
				m, err := restModel(tg, "pty/h-commit")
				if err != nil {
					return err
				}
				return all(expectEq("name", m.Name, "H4"), expectEq("version_id", m.VersionID, ""))
			})},
	}
}

// checkModelHistory is the real-server walk of the four history tools:
// two updates with commit messages, the list, a diff, a confirmed rollback
// with its backup, and a deleted version.
func checkModelHistory(t *testing.T, tg *target, s *server) {
	rest := tg.adminREST
	id := "e2e/history:model"
	rest.del(t, id)
	if !owui.Has(runningVersion(), owui.FeatureModelHistory) {
		checkHistoryRefused(t, tg, s, id)
		return
	}
	rest.create(t, map[string]any{"id": id, "name": "Hist One", "base_model_id": "fake-a",
		"meta": map[string]any{"description": "first"}, "params": map[string]any{"temperature": 0.1},
		"access_grants": []any{map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "read"}}})
	s.ok(t, "update_model", map[string]any{"id": id, "name": "Hist Two", "commit_message": "rename to two"})
	s.ok(t, "update_model", map[string]any{"id": id, "params": map[string]any{"temperature": 0.7}, "description": "third", "commit_message": "warmer"})

	l := s.ok(t, "list_model_history", map[string]any{"id": id})
	vs := list(l.S["versions"])
	if len(vs) != 3 {
		t.Fatalf("versions: %s", l)
	}
	var msgs []string
	for _, v := range vs {
		msgs = append(msgs, str(obj(v)["commit_message"]))
		if a := str(obj(v)["author"]); a != "Admin" {
			t.Errorf("author %q, want the admin's name", a)
		}
	}
	if strings.Join(msgs, "|") != "warmer|rename to two|" {
		t.Errorf("commit messages newest first: %q", msgs)
	}
	if !strings.Contains(l.Text, "(current)") {
		t.Errorf("text: %s", l.Text)
	}
	first, current := str(obj(vs[2])["version_id"]), str(obj(vs[0])["version_id"])

	d := s.ok(t, "get_model_version", map[string]any{"id": id, "version_id": first})
	fields := map[string]bool{}
	for _, c := range list(d.S["changes"]) {
		fields[str(obj(c)["field"])] = true
	}
	if len(fields) != 3 || !fields["name"] || !fields["params.temperature"] || !fields["meta.description"] {
		t.Errorf("diff of the first version vs current: %v (%s)", fields, d.Text)
	}

	// Roll back with confirmation: the preview names what stays.
	args := map[string]any{"id": id, "version_id": first, "commit_message": "undo the agent"}
	pre, done := s.confirmed(t, "rollback_model", args)
	if !strings.Contains(pre.Text, "NOT RESTORED: access grants live outside the snapshot") {
		t.Errorf("preview: %s", pre.Text)
	}
	after := rest.mustGet(t, id)
	if after.Name != "Hist One" || after.Params["temperature"] != 0.1 || str(after.Meta["description"]) != "first" || after.VersionID != first {
		t.Errorf("after rollback: %+v", after)
	}
	if !after.grantSet()["group:"+tg.groupID+":read"] {
		t.Errorf("the rollback lost the grant: %v", after.grantSet())
	}
	bk := s.backupFile(t, done, id)
	m := obj(list(bk["models"])[0])
	if m["name"] != "Hist Two" || obj(m["params"])["temperature"] != 0.7 || m["version_id"] != current {
		t.Errorf("backup holds %v, want the pre-rollback record", m)
	}

	// Delete the middle version.
	middle := str(obj(vs[1])["version_id"])
	s.confirmed(t, "delete_model_version", map[string]any{"id": id, "version_id": middle})
	h, err := restHistory(tg, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].ID != current || h[1].ID != first {
		t.Errorf("history after the delete: %+v", h)
	}
	rest.del(t, id)
}

// checkHistoryRefused: before 0.12 the four history tools stay listed, say
// in their descriptions that this release lacks them, and answer the
// clear error naming 0.12.0 (nothing sent); an update_model with a
// commit_message goes through without it.
func checkHistoryRefused(t *testing.T, tg *target, s *server, id string) {
	rest := tg.adminREST
	rest.create(t, map[string]any{"id": id, "name": "Hist One", "base_model_id": "fake-a"})
	need := owui.NeedsText(owui.FeatureModelHistory, runningVersion())
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"list_model_history", map[string]any{"id": id}},
		{"get_model_version", map[string]any{"id": id, "version_id": "00000000-0000-0000-0000-000000000000"}},
		{"rollback_model", map[string]any{"id": id, "version_id": "00000000-0000-0000-0000-000000000000"}},
		{"delete_model_version", map[string]any{"id": id, "version_id": "00000000-0000-0000-0000-000000000000"}},
	} {
		if d := s.descs[c.tool]; !strings.HasPrefix(d, "UNAVAILABLE on this server: "+need) {
			t.Errorf("%s description on %s: %q", c.tool, runningVersion(), d)
		}
		r := s.call(t, c.tool, c.args)
		if !r.IsError || !strings.Contains(r.Text, need+" (not sent)") {
			t.Errorf("%s on %s: %s", c.tool, runningVersion(), r)
		}
	}
	// Named per tool when the release was known at initialize, else the
	// generic note (initialize never waits for Open WebUI).
	if want := "get_model_version (needs 0.12.0)"; !instructionsNameRelease(s) {
		if !strings.Contains(s.instr, "need Open WebUI 0.12+; on older servers those tools answer an error") {
			t.Errorf("instructions on %s carry no history note: %q", runningVersion(), s.instr)
		}
	} else if !strings.Contains(s.instr, want) {
		t.Errorf("instructions on %s do not name the missing history tools: %q", runningVersion(), s.instr)
	}
	s.ok(t, "update_model", map[string]any{"id": id, "name": "Hist Two", "commit_message": "rename to two"})
	if m := rest.mustGet(t, id); m.Name != "Hist Two" || m.VersionID != "" {
		t.Errorf("update with a commit message on %s: %+v", runningVersion(), m)
	}
	rest.del(t, id)
}
