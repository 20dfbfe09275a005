package tools

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// hm is the demo model with three versions; its id has '/' and ':'.
const hm = fakeowui.DemoHistoryModel

const hmQuery = "id=ops%2Fon-call-helper%3Av3"

// upstream returns the requests the fake saw, without the one-time
// /api/version probe.
func (e *env) upstream() []fakeowui.Request {
	var out []fakeowui.Request
	for _, r := range e.fake.Requests() {
		if r.Path != "/api/version" {
			out = append(out, r)
		}
	}
	return out
}

func reqLine(r fakeowui.Request) string {
	s := r.Method + " " + r.Path
	if r.RawQuery != "" {
		s += "?" + r.RawQuery
	}
	return s
}

func reqLines(rs []fakeowui.Request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = reqLine(r)
	}
	return out
}

func (e *env) history(id string) []schemas.Version {
	e.t.Helper()
	var out schemas.ListModelHistoryResult
	e.ok("list_model_history", map[string]any{"id": id, "all": true}, &out)
	return out.Versions
}

func TestListModelHistoryNewestFirst(t *testing.T) {
	e := newEnv(t)
	var out schemas.ListModelHistoryResult
	res := e.ok("list_model_history", map[string]any{"id": hm}, &out)
	got := reqLines(e.upstream())
	want := []string{"GET /api/v1/models/model/history?" + hmQuery + "&page=1", "GET /api/v1/models/model?" + hmQuery}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests:\n got %q\nwant %q", got, want)
	}
	var msgs []string
	for _, v := range out.Versions {
		msgs = append(msgs, v.CommitMessage)
		if v.Author != "Admin" {
			t.Errorf("author %q, want the person's name Admin", v.Author)
		}
	}
	if strings.Join(msgs, "|") != "Rename to v3; temperature 0.2|Mention recent deploys; lower temperature|Initial version" {
		t.Errorf("order: %q", msgs)
	}
	if out.Page != 1 || out.More || out.ID != hm {
		t.Errorf("paging: %+v", out)
	}
	v := out.Versions
	if !v[0].Current || v[1].Current || v[2].Current || out.CurrentVersionID != v[0].VersionID {
		t.Errorf("current marker: %+v", out)
	}
	if v[0].ParentID != v[1].VersionID || v[1].ParentID != v[2].VersionID || v[2].ParentID != "" {
		t.Errorf("parents: %+v", v)
	}
	created := time.Unix(v[2].CreatedAt, 0).UTC().Format(time.RFC3339)
	if v[2].Time != created || v[0].CreatedAt-v[2].CreatedAt != 3*3600 {
		t.Errorf("times: %+v", v)
	}
	mustContain(t, text(res), "3 versions of ops/on-call-helper:v3, page 1", v[0].VersionID+"\t"+v[0].Time+"\tAdmin\tRename to v3; temperature 0.2\t(current)")
}

func TestListModelHistoryPages(t *testing.T) {
	e := newEnv(t)
	// 24 updates give code-reviewer 25 versions: pages of 20 and 5.
	for i := range 24 {
		e.ok("update_model", map[string]any{"id": "code-reviewer", "params": map[string]any{"temperature": float64(i) / 100}, "commit_message": fmt.Sprintf("step %d", i)}, nil)
	}
	var p1, p2, all, cut schemas.ListModelHistoryResult
	e.ok("list_model_history", map[string]any{"id": "code-reviewer"}, &p1)
	e.fake.ResetRequests()
	e.ok("list_model_history", map[string]any{"id": "code-reviewer", "page": 2}, &p2)
	if got := reqLine(e.upstream()[0]); got != "GET /api/v1/models/model/history?id=code-reviewer&page=2" {
		t.Errorf("page 2 request: %s", got)
	}
	if len(p1.Versions) != 20 || !p1.More || len(p2.Versions) != 5 || p2.More || p2.Page != 2 {
		t.Fatalf("pages: %d more=%v, %d more=%v", len(p1.Versions), p1.More, len(p2.Versions), p2.More)
	}
	if p1.Versions[0].CommitMessage != "step 23" || p2.Versions[4].CommitMessage != "" {
		t.Errorf("page order: first %q, last %q", p1.Versions[0].CommitMessage, p2.Versions[4].CommitMessage)
	}
	e.fake.ResetRequests()
	e.ok("list_model_history", map[string]any{"id": "code-reviewer", "all": true}, &all)
	if len(all.Versions) != 25 || all.Truncated || all.Versions[20].VersionID != p2.Versions[0].VersionID {
		t.Errorf("all: %d truncated=%v", len(all.Versions), all.Truncated)
	}
	if got := reqLines(e.upstream()); len(got) != 3 || got[1] != "GET /api/v1/models/model/history?id=code-reviewer&page=2" {
		t.Errorf("all walks two pages then reads the model: %q", got)
	}
	e.ok("list_model_history", map[string]any{"id": "code-reviewer", "all": true, "limit": 7}, &cut)
	if len(cut.Versions) != 7 || !cut.Truncated {
		t.Errorf("limit: %d truncated=%v", len(cut.Versions), cut.Truncated)
	}
}

func TestGetModelVersionDiff(t *testing.T) {
	e := newEnv(t)
	vs := e.history(hm)
	newest, middle, oldest := vs[0].VersionID, vs[1].VersionID, vs[2].VersionID
	e.fake.ResetRequests()
	var out schemas.GetModelVersionResult
	res := e.ok("get_model_version", map[string]any{"id": hm, "version_id": oldest}, &out)
	if got := reqLines(e.upstream()); len(got) != 2 || got[0] != "GET /api/v1/models/model/history/"+oldest+"?"+hmQuery || got[1] != "GET /api/v1/models/model?"+hmQuery {
		t.Fatalf("requests: %q", got)
	}
	want := map[string][2]any{
		"name":               {"On-call Helper v3", "On-call Helper"},
		"meta.description":   {"Links alerts to runbooks and recent deploys.", "Links alerts to runbooks."},
		"params.system":      {"You are On-call Helper v3. Links alerts to runbooks and recent deploys.", "You are On-call Helper. Links alerts to runbooks."},
		"params.temperature": {0.2, 0.5},
	}
	checkChanges(t, out.Changes, want)
	if out.Against != "current" || out.Version.VersionID != oldest || out.Version.CommitMessage != "Initial version" || out.Version.Current {
		t.Errorf("version: %+v against %s", out.Version, out.Against)
	}
	if out.Snapshot.Name != "On-call Helper" || out.Snapshot.BaseModelID != "gpt-4o" || out.Snapshot.Params["temperature"] != 0.5 {
		t.Errorf("snapshot: %+v", out.Snapshot)
	}
	mustContain(t, strings.Join(out.Notes, "\n"), "access grants live outside the snapshot", "is_active is not versioned")
	mustContain(t, text(res), `name: "On-call Helper v3" → "On-call Helper"`, "4 difference(s), current → this version")

	e.ok("get_model_version", map[string]any{"id": hm, "version_id": oldest, "diff_against": middle}, &out)
	want["name"] = [2]any{"On-call Helper v2", "On-call Helper"}
	want["params.system"] = [2]any{"You are On-call Helper v2. Links alerts to runbooks and recent deploys.", "You are On-call Helper. Links alerts to runbooks."}
	want["params.temperature"] = [2]any{0.3, 0.5}
	checkChanges(t, out.Changes, want)
	if out.Against != middle {
		t.Errorf("against %q", out.Against)
	}

	// The current version has nothing to differ in: null typed meta keys,
	// meta.hidden and chat_variables_schema are not differences.
	e.ok("get_model_version", map[string]any{"id": hm, "version_id": newest}, &out)
	if len(out.Changes) != 0 || !out.Version.Current {
		t.Errorf("current version vs current record: %+v", out)
	}
}

func checkChanges(t *testing.T, got []schemas.FieldChange, want map[string][2]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("changes: %+v, want %v", got, want)
	}
	for _, c := range got {
		w, ok := want[c.Field]
		if !ok || !equalJSON(c.Before, w[0]) || !equalJSON(c.After, w[1]) {
			t.Errorf("change %s: %v → %v, want %v", c.Field, c.Before, c.After, w)
		}
	}
}

// A version id of another model is not found, for every tool, and nothing
// is written.
func TestVersionOfAnotherModel(t *testing.T) {
	e := newEnv(t)
	foreign := e.history(hm)[2].VersionID
	for _, tool := range []string{"get_model_version", "rollback_model", "delete_model_version"} {
		e.fake.ResetRequests()
		msg := e.fail(tool, map[string]any{"id": "code-reviewer", "version_id": foreign})
		mustContain(t, msg, tool+" failed", "HTTP 404", "Model version not found")
		if w := e.writes(); len(w) != 0 {
			t.Errorf("%s wrote: %+v", tool, w)
		}
		if got := reqLine(e.upstream()[0]); got != "GET /api/v1/models/model/history/"+foreign+"?id=code-reviewer" {
			t.Errorf("%s asked %s", tool, got)
		}
	}
}

func TestBadVersionIDsAreNotSent(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"../model", "a/b", "a b", "x?y", "..", strings.Repeat("a", 129)} {
		for _, tool := range []string{"get_model_version", "rollback_model", "delete_model_version"} {
			e.fake.ResetRequests()
			msg := e.fail(tool, map[string]any{"id": hm, "version_id": id})
			mustContain(t, msg, "invalid arguments for "+tool, `"version_id" `, "Fix them")
			for _, r := range e.fake.Requests() {
				if strings.Contains(r.Path, "/history") || r.Method != http.MethodGet {
					t.Errorf("%s %q sent %s", tool, id, reqLine(r))
				}
			}
		}
	}
	// diff_against is checked the same way.
	msg := e.fail("get_model_version", map[string]any{"id": hm, "version_id": e.history(hm)[0].VersionID, "diff_against": "a/b"})
	mustContain(t, msg, `"diff_against" contains '/'`)
}

func TestRollbackPreviewConfirmBackup(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bk")
	e := newEnv(t, withBackupDir(dir))
	before, _ := e.fake.Model(hm)
	vs := e.history(hm)
	oldest := vs[2].VersionID
	args := map[string]any{"id": hm, "version_id": oldest, "commit_message": "back to the first prompt"}
	pv := e.preview("rollback_model", args)
	checkChanges(t, pv.Preview.Changes, map[string][2]any{
		"name":               {"On-call Helper v3", "On-call Helper"},
		"meta.description":   {"Links alerts to runbooks and recent deploys.", "Links alerts to runbooks."},
		"params.system":      {"You are On-call Helper v3. Links alerts to runbooks and recent deploys.", "You are On-call Helper. Links alerts to runbooks."},
		"params.temperature": {0.2, 0.5},
	})
	res := e.call("rollback_model", args)
	mustContain(t, text(res), `roll back model "ops/on-call-helper:v3" to version `+oldest, `"Initial version"`,
		"NOT RESTORED: access grants live outside the snapshot; they stay private", "NOT RESTORED: is_active is not versioned; the model stays enabled")

	e.fake.ResetRequests()
	var done schemas.Outcome
	e.ok("rollback_model", with(args, "confirm_token", pv.ConfirmToken), &done)
	w := e.writes()
	if len(w) != 1 || reqLine(w[0]) != "POST /api/v1/models/model/update/version?"+hmQuery || string(w[0].Body) != `{"version_id":"`+oldest+`"}` {
		t.Fatalf("writes: %q %s", reqLines(w), w[0].Body)
	}
	after, _ := e.fake.Model(hm)
	if after.Name != "On-call Helper" || after.Params["temperature"] != 0.5 || !after.IsActive {
		t.Errorf("after rollback: %+v", after)
	}
	if done.Result == nil || done.Result.Model.Name != "On-call Helper" {
		t.Errorf("result: %+v", done.Result)
	}
	var bk safety.Backup
	raw, err := os.ReadFile(filepath.Join(dir, done.Backup+".json"))
	if err == nil {
		err = json.Unmarshal(raw, &bk)
	}
	if err != nil || len(bk.Models) != 1 {
		t.Fatalf("backup %s: %v %s", done.Backup, err, raw)
	}
	b := bk.Models[0]
	if b.Name != before.Name || !equalJSON(b.Params, before.Params) || b.VersionID != vs[0].VersionID || bk.Tool != "rollback_model" {
		t.Errorf("backup holds %+v, want the pre-rollback record %+v", b, before)
	}
	mustContain(t, bk.Operation, `note "back to the first prompt"`)
	// Open WebUI's rollback writes no entry: the version becomes current.
	now := e.history(hm)
	if len(now) != 3 || !now[2].Current {
		t.Errorf("history after rollback: %+v", now)
	}
	// Rolling back to the current version does nothing.
	var noop schemas.Outcome
	e.fake.ResetRequests()
	e.ok("rollback_model", map[string]any{"id": hm, "version_id": oldest}, &noop)
	if noop.Status != "done" || !strings.Contains(noop.Message, "already at version") || len(e.writes()) != 0 {
		t.Errorf("no-op rollback: %+v %+v", noop, e.writes())
	}
}

// A model changed between the preview and the confirmation gets a fresh
// preview, not the rollback.
func TestRollbackTargetChangedGetsFreshPreview(t *testing.T) {
	e := newEnv(t)
	oldest := e.history(hm)[2].VersionID
	args := map[string]any{"id": hm, "version_id": oldest}
	tok := e.preview("rollback_model", args).ConfirmToken
	e.ok("update_model", map[string]any{"id": hm, "name": "Edited meanwhile"}, nil)
	e.fake.ResetRequests()
	res := e.call("rollback_model", with(args, "confirm_token", tok))
	if !res.IsError {
		t.Fatalf("rolled back a changed model: %s", text(res))
	}
	mustContain(t, text(res), "target changed", `"name": "Edited meanwhile" → "On-call Helper"`, "confirm_token: ")
	if w := e.writes(); len(w) != 0 {
		t.Fatalf("writes: %+v", w)
	}
	var fresh schemas.Outcome
	b, _ := json.Marshal(res.StructuredContent)
	_ = json.Unmarshal(b, &fresh)
	e.ok("rollback_model", with(args, "confirm_token", fresh.ConfirmToken), nil)
	if m, _ := e.fake.Model(hm); m.Name != "On-call Helper" {
		t.Errorf("the fresh token did not roll back: %q", m.Name)
	}
}

func TestDeleteModelVersion(t *testing.T) {
	e := newEnv(t)
	vs := e.history(hm)
	middle := vs[1].VersionID
	args := map[string]any{"id": hm, "version_id": middle}
	pv := e.preview("delete_model_version", args)
	mustContain(t, pv.Preview.Summary, "delete version "+middle+` of model "ops/on-call-helper:v3"`, `"Mention recent deploys; lower temperature"`, "the model itself is not changed")
	mustContain(t, strings.Join(pv.Preview.Warnings, " "), "cannot be restored", `"temperature":0.3`)
	e.fake.ResetRequests()
	var done schemas.Outcome
	e.ok("delete_model_version", with(args, "confirm_token", pv.ConfirmToken), &done)
	w := e.writes()
	if len(w) != 1 || reqLine(w[0]) != "DELETE /api/v1/models/model/history/"+middle+"?"+hmQuery || len(w[0].Body) != 0 {
		t.Fatalf("writes: %q", reqLines(w))
	}
	now := e.history(hm)
	if len(now) != 2 || now[0].VersionID != vs[0].VersionID || now[1].VersionID != vs[2].VersionID || now[0].ParentID != vs[2].VersionID {
		t.Errorf("history after delete: %+v", now)
	}
	// The current version is refused before anything is sent.
	e.fake.ResetRequests()
	msg := e.fail("delete_model_version", map[string]any{"id": hm, "version_id": vs[0].VersionID})
	mustContain(t, msg, "is the current version", "Nothing was sent", "rollback_model")
	if len(e.writes()) != 0 {
		t.Errorf("writes: %+v", e.writes())
	}
}

// A non-admin without write access gets Open WebUI's 403 as a clear error.
func TestHistoryWithoutWriteAccess(t *testing.T) {
	e := newEnv(t, withKey(fakeowui.UserKey))
	// code-reviewer is shared with Alice for reading only.
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"list_model_history", map[string]any{"id": "code-reviewer"}},
		{"get_model_version", map[string]any{"id": "code-reviewer", "version_id": "00000000-0000-4000-9000-000000000001"}},
		{"rollback_model", map[string]any{"id": "code-reviewer", "version_id": "00000000-0000-4000-9000-000000000001"}},
		{"delete_model_version", map[string]any{"id": "code-reviewer", "version_id": "00000000-0000-4000-9000-000000000001"}},
	} {
		e.fake.ResetRequests()
		msg := e.fail(c.tool, c.args)
		mustContain(t, msg, c.tool+" failed", "HTTP 403", "You do not have permission to access this resource", "ownership of the model or a write grant")
		if len(e.writes()) != 0 {
			t.Errorf("%s wrote: %+v", c.tool, e.writes())
		}
	}
	// A write grant is enough: incident-commander grants g-eng write.
	var out schemas.ListModelHistoryResult
	e.ok("list_model_history", map[string]any{"id": "incident-commander"}, &out)
	if len(out.Versions) != 1 {
		t.Errorf("write-grant holder: %+v", out)
	}
}

// Against Open WebUI 0.11 the history tools say which version they need,
// without calling the missing routes, and commit_message is not sent.
func TestHistoryNeedsOpenWebUI012(t *testing.T) {
	e := newEnv(t, withFake(fakeowui.Options{Version: "0.11.4", Behaviour: fakeowui.Behaviour011()}))
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"list_model_history", map[string]any{"id": "code-reviewer"}},
		{"get_model_version", map[string]any{"id": "code-reviewer", "version_id": "v1"}},
		{"rollback_model", map[string]any{"id": "code-reviewer", "version_id": "v1"}},
		{"delete_model_version", map[string]any{"id": "code-reviewer", "version_id": "v1"}},
	} {
		e.fake.ResetRequests()
		msg := e.fail(c.tool, c.args)
		mustContain(t, msg, "model history (/api/v1/models/model/history) needs Open WebUI 0.12.0 or later; this server runs 0.11.4", "upgrade Open WebUI")
		for _, r := range e.fake.Requests() {
			if strings.Contains(r.Path, "history") || strings.Contains(r.Path, "update/version") {
				t.Errorf("%s called %s", c.tool, reqLine(r))
			}
		}
	}
	e.fake.ResetRequests()
	e.ok("update_model", map[string]any{"id": "code-reviewer", "name": "CR", "commit_message": "rename"}, nil)
	e.ok("create_model", map[string]any{"id": "n1", "name": "N", "base_model_id": "gpt-4o"}, nil)
	for _, w := range e.writes() {
		if _, ok := body(t, w.Body)["commit_message"]; ok {
			t.Errorf("commit_message sent to 0.11.4: %s %s", reqLine(w), w.Body)
		}
	}
}

func TestCommitMessages(t *testing.T) {
	e := newEnv(t)
	e.ok("update_model", map[string]any{"id": hm, "name": "On-call Helper v4", "params": map[string]any{"temperature": 0.1}}, nil)
	e.ok("update_model", map[string]any{"id": hm, "system": "Be terse.", "commit_message": "  shorter prompt  "}, nil)
	var sent []string
	for _, w := range e.writes() {
		sent = append(sent, fmt.Sprint(body(t, w.Body)["commit_message"]))
	}
	want := []string{"update_model via owui-mcp (test): name, params.temperature", "shorter prompt"}
	if strings.Join(sent, "|") != strings.Join(want, "|") {
		t.Errorf("commit messages sent: %q, want %q", sent, want)
	}
	vs := e.history(hm)
	if vs[0].CommitMessage != "shorter prompt" || vs[1].CommitMessage != want[0] {
		t.Errorf("history: %+v", vs[:2])
	}
}

func TestDefaultCommitLimitsFields(t *testing.T) {
	fields := []string{"name", "meta.a", "meta.b", "meta.c", "params.a", "params.b", "params.c", "params.d"}
	got := defaultCommit(t.Context(), "update_model", fields)
	if got != "update_model via owui-mcp: name, meta.a, meta.b, meta.c, params.a, params.b, +2 more" {
		t.Errorf("got %q", got)
	}
	if got := defaultCommit(t.Context(), "create_model", nil); got != "create_model via owui-mcp" {
		t.Errorf("got %q", got)
	}
}

// Untrusted commit messages and names stay on one line in the text.
func TestHistoryTextIsOneLinePerVersion(t *testing.T) {
	e := newEnv(t)
	e.ok("update_model", map[string]any{"id": hm, "name": "X", "commit_message": "line one\nline two\tand\x1b[31mred"}, nil)
	res := e.ok("list_model_history", map[string]any{"id": hm}, nil)
	lines := strings.Split(text(res), "\n")
	if len(lines) != 2+4 {
		t.Fatalf("lines: %q", lines)
	}
	mustContain(t, lines[2], `line one\nline two\tand\x1b[31mred`)
}

// Open WebUI lists same-second edits in random order; the tool restores
// newest first from the parent links.
func TestOrderVersionsWithinOneSecond(t *testing.T) {
	p := func(s string) *string { return &s }
	es := []owui.HistoryEntry{
		{ID: "b", ParentID: p("a"), CreatedAt: 10},
		{ID: "old", CreatedAt: 5},
		{ID: "a", ParentID: p("old"), CreatedAt: 10},
		{ID: "d", ParentID: p("c"), CreatedAt: 20},
		{ID: "c", ParentID: p("b"), CreatedAt: 10},
		{ID: "x", ParentID: p("off-page"), CreatedAt: 10},
	}
	orderVersions(es)
	var got []string
	for _, e := range es {
		got = append(got, e.ID)
	}
	if strings.Join(got, ",") != "d,c,b,a,x,old" {
		t.Errorf("order %v", got)
	}
}
