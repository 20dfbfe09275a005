package tools

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// preview calls a gated tool without confirmation and checks that nothing
// was written upstream.
func (e *env) preview(tool string, args map[string]any) schemas.Outcome {
	e.t.Helper()
	e.fake.ResetRequests()
	var out schemas.Outcome
	e.ok(tool, args, &out)
	if w := e.writes(); len(w) != 0 {
		e.t.Fatalf("%s: the preview sent writes upstream: %+v", tool, w)
	}
	if out.Status != "confirmation_required" || out.ConfirmToken == "" || out.Preview == nil {
		e.t.Fatalf("%s: not a preview: %+v", tool, out)
	}
	return out
}

func with(args map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for a, b := range args {
		out[a] = b
	}
	out[k] = v
	return out
}

func TestEveryDangerousCallPreviewsFirst(t *testing.T) {
	grants := []any{map[string]any{"principal_type": "group", "principal_id": "g-eng", "permission": "read"}}
	cases := []struct {
		tool string
		args map[string]any
		want []string // in the preview text
	}{
		{"delete_model", map[string]any{"id": "team/support-bot:v2"}, []string{`DELETE "team/support-bot:v2"`, `owner "admin@example.com"`, `group "g-eng" (read)`}},
		{"delete_all_models", map[string]any{}, []string{"delete ALL 38 stored models"}},
		{"sync_models", map[string]any{"models": []any{map[string]any{"id": "code-reviewer", "name": "CR", "base_model_id": "gpt-4o"}}}, []string{"1 updated, 37 DELETED", `DELETE "team/support-bot:v2"`}},
		{"import_models", map[string]any{"models": []any{map[string]any{"id": "code-reviewer", "name": "CR2"}, map[string]any{"id": "brand-new", "name": "B"}}}, []string{"1 new, 1 overwritten", `"code-reviewer" "name": "Code Reviewer" → "CR2"`}},
		{"update_model_access", map[string]any{"id": "code-reviewer", "access_grants": grants}, []string{`user "alice@example.com" (read) → group "g-eng" (read)`, `gains: group "g-eng" (read)`, `loses: user "alice@example.com" (read)`}},
		{"unload_model", map[string]any{"model": "llama3.1:8b"}, []string{`unload "llama3.1:8b" from provider "ollama"`}},
		{"create_model", map[string]any{"id": "n1", "name": "N", "access_grants": grants}, []string{`shared with group "g-eng" (read)`}},
		{"update_model", map[string]any{"id": "code-reviewer", "access_grants": []any{}}, []string{`access user "alice@example.com" (read) → private`}},
		{"rollback_model", map[string]any{"id": hm, "version_id": hmOldest}, []string{`roll back model "ops/on-call-helper:v3" to version ` + hmOldest, "NOT RESTORED: access grants live outside the snapshot"}},
		{"delete_model_version", map[string]any{"id": hm, "version_id": hmOldest}, []string{"delete version " + hmOldest + ` of model "ops/on-call-helper:v3"`, "WARNING: a deleted version cannot be restored"}},
	}
	for _, c := range cases {
		t.Run(c.tool, func(t *testing.T) {
			e := newEnv(t)
			e.fake.ResetRequests()
			res := e.call(c.tool, c.args)
			if res.IsError {
				t.Fatalf("error: %s", text(res))
			}
			if w := e.writes(); len(w) != 0 {
				t.Fatalf("the preview sent writes upstream: %+v", w)
			}
			mustContain(t, text(res), append(c.want, "confirm_token: ", "Nothing was changed yet")...)
			var out schemas.Outcome
			b, _ := json.Marshal(res.StructuredContent)
			_ = json.Unmarshal(b, &out)
			if out.Status != "confirmation_required" || out.ConfirmToken == "" {
				t.Fatalf("outcome: %+v", out)
			}
			// dry_run previews too, and mints nothing.
			var dry schemas.Outcome
			e.ok(c.tool, with(c.args, "dry_run", true), &dry)
			if dry.Status != "dry_run" || dry.ConfirmToken != "" || len(e.writes()) != 0 {
				t.Errorf("dry run: %+v", dry)
			}
			// The token runs it.
			var done schemas.Outcome
			e.ok(c.tool, with(c.args, "confirm_token", out.ConfirmToken), &done)
			if done.Status != "done" || len(e.writes()) == 0 {
				t.Errorf("confirmed call: %+v, writes %+v", done, e.writes())
			}
		})
	}
}

func TestConfirmedDeleteBacksUpFirstAndAudits(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bk")
	e := newEnv(t, withBackupDir(dir))
	var backupsAtDelete int
	e.fake.Override("POST", "/api/v1/models/model/delete", func(w http.ResponseWriter, r *http.Request) {
		entries, _ := os.ReadDir(dir)
		backupsAtDelete = len(entries)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("true"))
	})
	p := e.preview("delete_model", map[string]any{"id": "code-reviewer"})
	var done schemas.Outcome
	e.ok("delete_model", map[string]any{"id": "code-reviewer", "confirm_token": p.ConfirmToken}, &done)
	if backupsAtDelete != 1 {
		t.Fatalf("backup files when the delete was sent: %d, want 1", backupsAtDelete)
	}
	if done.Backup == "" || done.Result == nil || len(done.Result.Deleted) != 1 {
		t.Fatalf("outcome: %+v", done)
	}
	raw, err := os.ReadFile(filepath.Join(dir, done.Backup+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"id": "code-reviewer"`) && !strings.Contains(string(raw), `"id":"code-reviewer"`) {
		t.Errorf("backup lacks the record: %s", raw)
	}
	audit, _ := os.ReadFile(e.audit)
	lines := strings.Split(strings.TrimSpace(string(audit)), "\n")
	var last map[string]any
	_ = json.Unmarshal([]byte(lines[len(lines)-1]), &last)
	if last["tool"] != "delete_model" || last["outcome"] != "ok" || last["confirmation"] != "token" || last["backup"] != done.Backup {
		t.Errorf("audit line: %s", lines[len(lines)-1])
	}
}

func TestUnwritableBackupSkipsTheCall(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o600)
	e := newEnv(t, withBackupDir(filepath.Join(file, "backups")))
	p := e.preview("delete_model", map[string]any{"id": "code-reviewer"})
	msg := e.fail("delete_model", map[string]any{"id": "code-reviewer", "confirm_token": p.ConfirmToken})
	mustContain(t, msg, "could not write the backup, so nothing was changed")
	if w := e.writes(); len(w) != 0 {
		t.Errorf("writes despite the failed backup: %+v", w)
	}
	if _, ok := e.fake.Model("code-reviewer"); !ok {
		t.Errorf("model deleted")
	}
}

func TestTokenRefusals(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	e := newEnv(t, withClock(clock))
	args := map[string]any{"id": "code-reviewer"}
	tok := e.preview("delete_model", args).ConfirmToken

	mustContain(t, e.fail("delete_model", with(args, "confirm_token", tok[:len(tok)-2]+"xx")), "was not run")
	mustContain(t, e.fail("delete_model", map[string]any{"id": "sql-helper", "confirm_token": tok}), "argument")
	mustContain(t, e.fail("unload_model", map[string]any{"model": "code-reviewer", "confirm_token": tok}), "delete_model")
	advance(6 * time.Minute)
	mustContain(t, e.fail("delete_model", with(args, "confirm_token", tok)), "expired")
	if w := e.writes(); len(w) != 0 {
		t.Fatalf("refused tokens sent writes: %+v", w)
	}

	tok = e.preview("delete_model", args).ConfirmToken
	e.ok("delete_model", with(args, "confirm_token", tok), nil)
	// The model is gone, so the plan fails before the token is checked;
	// reuse on a live target is refused as already used.
	tok2 := e.preview("delete_model", map[string]any{"id": "sql-helper"}).ConfirmToken
	e.ok("delete_model", map[string]any{"id": "sql-helper", "confirm_token": tok2}, nil)
	e.fake.PutModel(fakeowui.Model{ID: "sql-helper", Name: "back", UserID: "u-admin", IsActive: true, Meta: map[string]any{}, Params: map[string]any{}, UpdatedAt: 1, CreatedAt: 1, BaseModelID: strp("gpt-4o")})
	e.fake.ResetRequests()
	msg := e.fail("delete_model", map[string]any{"id": "sql-helper", "confirm_token": tok2})
	mustContain(t, msg, "the confirm_token was already used")
	if w := e.writes(); len(w) != 0 {
		t.Fatalf("reused token sent writes: %+v", w)
	}
}

func strp(s string) *string { return &s }

func TestChangedTargetGetsAFreshPreview(t *testing.T) {
	e := newEnv(t)
	args := map[string]any{"id": "code-reviewer"}
	tok := e.preview("delete_model", args).ConfirmToken
	m, _ := e.fake.Model("code-reviewer")
	m.Name = "Renamed meanwhile"
	m.UpdatedAt++
	e.fake.PutModel(m)
	e.fake.ResetRequests()
	res := e.call("delete_model", with(args, "confirm_token", tok))
	if !res.IsError {
		t.Fatalf("a changed target was deleted: %s", text(res))
	}
	mustContain(t, text(res), "target changed", "Renamed meanwhile", "confirm_token: ")
	if len(e.writes()) != 0 {
		t.Fatalf("writes: %+v", e.writes())
	}
	var fresh schemas.Outcome
	b, _ := json.Marshal(res.StructuredContent)
	_ = json.Unmarshal(b, &fresh)
	e.ok("delete_model", with(args, "confirm_token", fresh.ConfirmToken), nil)
	if _, ok := e.fake.Model("code-reviewer"); ok {
		t.Errorf("the fresh token did not delete")
	}
}

type elicitor struct {
	action  mcp.ElicitationResponseAction
	content any
	mu      sync.Mutex
	asked   []string
}

func (h *elicitor) Elicit(_ context.Context, r mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	h.mu.Lock()
	h.asked = append(h.asked, r.Params.Message)
	h.mu.Unlock()
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: h.action, Content: h.content}}, nil
}

// eras are the two ways a client is asked: elicitation/create (legacy) and
// an input_required result with requestState (2026-07-28).
var eras = map[string][]client.ClientOption{
	"2026-07-28": nil,
	"legacy":     {client.WithLegacyProtocolOnly()},
}

func TestElicitation(t *testing.T) {
	cases := []struct {
		name    string
		action  mcp.ElicitationResponseAction
		content any
		deleted bool
		status  string
		outcome string // audit
		msg     string
	}{
		{"accept-yes", mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true}, true, "done", "ok", "Deleted model"},
		{"accept-no", mcp.ElicitationResponseActionAccept, map[string]any{"confirm": false}, false, "declined", "declined", "The user answered no to the confirmation: nothing was changed."},
		// #15: accepting with the form left empty is not a "decline".
		{"accept-empty", mcp.ElicitationResponseActionAccept, map[string]any{}, false, "declined", "declined", "The user accepted the dialog but did not tick or answer the confirmation, so it counts as no: nothing was changed."},
		{"accept-nil", mcp.ElicitationResponseActionAccept, nil, false, "declined", "declined", "did not tick or answer the confirmation"},
		{"accept-string", mcp.ElicitationResponseActionAccept, map[string]any{"confirm": "yes"}, false, "declined", "declined", "did not tick or answer the confirmation"},
		{"decline", mcp.ElicitationResponseActionDecline, nil, false, "declined", "declined", "The user declined the confirmation: nothing was changed."},
		{"cancel", mcp.ElicitationResponseActionCancel, nil, false, "cancelled", "cancelled", "The user cancelled the confirmation (dismissed it without answering): nothing was changed."},
	}
	for era, opts := range eras {
		for _, c := range cases {
			t.Run(era+"/"+c.name, func(t *testing.T) {
				h := &elicitor{action: c.action, content: c.content}
				e := newEnv(t, withClient(append([]client.ClientOption{client.WithElicitationHandler(h)}, opts...)...))
				var out schemas.Outcome
				res := e.ok("delete_model", map[string]any{"id": "code-reviewer"}, &out)
				if len(h.asked) != 1 || !strings.Contains(h.asked[0], `DELETE "code-reviewer"`) {
					t.Fatalf("the user was not shown the preview: %q", h.asked)
				}
				_, exists := e.fake.Model("code-reviewer")
				if exists == c.deleted || out.Status != c.status || !strings.Contains(out.Message, c.msg) {
					t.Fatalf("deleted=%v status=%s %q, want deleted=%v status=%s %q", !exists, out.Status, out.Message, c.deleted, c.status, c.msg)
				}
				if out.ConfirmToken != "" || strings.Contains(text(res), "confirm_token:") {
					t.Errorf("a token was handed to the agent: %s", text(res))
				}
				if !c.deleted && len(e.writes()) != 0 {
					t.Errorf("writes after %s: %+v", c.name, e.writes())
				}
				// The call that carried the answer wrote its line, labelled
				// elicitation (a 2026-07-28 preview round trip wrote one too).
				last := e.auditLines()[len(e.auditLines())-1]
				if last["outcome"] != c.outcome || last["confirmation"] != "elicitation" {
					t.Errorf("audit line %v, want outcome %s by elicitation", last, c.outcome)
				}
			})
		}
	}
}

// auditLines returns the audit file's lines, decoded.
func (e *env) auditLines() []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(readFile(e.t, e.audit)), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			e.t.Fatalf("audit line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestNoElicitationFallsBackToToken(t *testing.T) {
	e := newEnv(t) // the default in-process client declares no elicitation
	done := make(chan schemas.Outcome, 1)
	go func() {
		var out schemas.Outcome
		e.ok("delete_model", map[string]any{"id": "code-reviewer"}, &out)
		done <- out
	}()
	select {
	case out := <-done:
		if out.Status != "confirmation_required" || out.ConfirmToken == "" {
			t.Errorf("outcome: %+v", out)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the call hung waiting for an elicitation the client cannot answer")
	}
}

func TestConfirmModes(t *testing.T) {
	e := newEnv(t, withOptions(Options{AllowAdmin: true, Confirm: ConfirmElicit}))
	mustContain(t, e.fail("delete_model", map[string]any{"id": "code-reviewer"}), "does not support elicitation", "nothing was changed")

	e = newEnv(t, withOptions(Options{AllowAdmin: true, Confirm: ConfirmNone}))
	var out schemas.Outcome
	e.ok("delete_model", map[string]any{"id": "code-reviewer"}, &out)
	if out.Status != "done" || out.Backup == "" {
		t.Errorf("--confirm=none: %+v", out)
	}
	audit, _ := os.ReadFile(e.audit)
	mustContain(t, string(audit), `"confirmation":"none"`)
}

func TestRestoreRoundTrip(t *testing.T) {
	e := newEnv(t)
	before, _ := e.fake.Model("team/support-bot:v2")
	p := e.preview("delete_model", map[string]any{"id": "team/support-bot:v2"})
	var del schemas.Outcome
	e.ok("delete_model", map[string]any{"id": "team/support-bot:v2", "confirm_token": p.ConfirmToken}, &del)
	if _, ok := e.fake.Model("team/support-bot:v2"); ok {
		t.Fatal("not deleted")
	}
	var list schemas.ListBackupsResult
	e.ok("list_backups", nil, &list)
	if len(list.Backups) != 1 || list.Backups[0].ID != del.Backup || list.Backups[0].Tool != "delete_model" {
		t.Fatalf("backups: %+v", list)
	}
	rp := e.preview("restore_models", map[string]any{"backup": del.Backup})
	mustContain(t, rp.Preview.Summary, "1 recreated")
	e.ok("restore_models", map[string]any{"backup": del.Backup, "confirm_token": rp.ConfirmToken}, nil)
	after, ok := e.fake.Model("team/support-bot:v2")
	if !ok {
		t.Fatal("not restored")
	}
	if after.Name != before.Name || *after.BaseModelID != *before.BaseModelID || after.IsActive != before.IsActive ||
		!equalJSON(after.Meta, before.Meta) || !equalJSON(after.Params, before.Params) ||
		!equalJSON(sortedFake(after.AccessGrants), sortedFake(before.AccessGrants)) {
		t.Errorf("restored model differs:\n got %+v\nwant %+v", after, before)
	}
}

func sortedFake(gs []fakeowui.Grant) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.PrincipalType + ":" + g.PrincipalID + ":" + g.Permission
	}
	sort.Strings(out)
	return out
}

func TestReadOnlyHoldsAtCall(t *testing.T) {
	e := newEnv(t, withOptions(Options{ReadOnly: true, AllowAdmin: true, AllowAccessChanges: true}))
	res, err := e.client.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range res.Tools {
		if tl.Annotations.ReadOnlyHint == nil || !*tl.Annotations.ReadOnlyHint {
			t.Errorf("read-only server lists %s", tl.Name)
		}
	}
	var req mcp.CallToolRequest
	req.Params.Name = "delete_model"
	req.Params.Arguments = map[string]any{"id": "code-reviewer", "confirm_token": "x"}
	if res, err := e.client.CallTool(context.Background(), req); err != nil || !res.IsError || !strings.Contains(text(res), "without --read-only") {
		t.Errorf("calling a hidden tool: %v %+v", err, res)
	}
	// Only the version read of initialize/tools/list may reach upstream.
	for _, r := range e.fake.Requests() {
		if r.Method != "GET" || r.Path != "/api/version" {
			t.Errorf("request sent: %+v", r)
		}
	}
}
