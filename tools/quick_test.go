package tools

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/safety"
)

// markKept appends mark to the summary of the plan kept for tok, so that a
// backup written from that plan (its Operation) shows it ran; false if no
// plan is kept for tok.
func (e *env) markKept(tok, mark string) bool {
	q := &e.deps.quick
	q.mu.Lock()
	defer q.mu.Unlock()
	ent, ok := q.entries[tok]
	if !ok {
		return false
	}
	p := ent.plan.(Plan[bulkPlan])
	p.Preview.Summary += mark
	ent.plan = p
	q.entries[tok] = ent
	return true
}

func (e *env) keptPlans() int {
	q := &e.deps.quick
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.entries)
}

// backupFiles lists the backup directory, temporary files included.
func (e *env) backupFiles() []string {
	e.t.Helper()
	es, err := os.ReadDir(e.deps.Backups.Dir())
	if err != nil && !os.IsNotExist(err) {
		e.t.Fatal(err)
	}
	var out []string
	for _, x := range es {
		out = append(out, x.Name())
	}
	return out
}

// A confirmation whose export is byte for byte the one its preview read
// runs the plan the preview kept for its token, with the backup written
// while the export was read; any change to the export (even to a model
// outside the selection) makes it plan from the bytes it read, as before.
// Either way it reads one export, sends the same writes, and leaves one
// backup and no temporary file.
func TestBulkConfirmRunsTheKeptPlan(t *testing.T) {
	grant := map[string]any{"principal_type": "group", "principal_id": "g-audit", "permission": "read"}
	args := map[string]any{"filter": map[string]any{"base_model_id": "gpt-4o"}, "add_grants": []any{grant}}
	for _, changed := range []bool{false, true} {
		e := newEnv(t)
		out, _ := e.bulkPreview("update_models", args)
		if !e.markKept(out.ConfirmToken, " [kept]") {
			t.Fatalf("the preview kept no plan for its token (%d kept)", e.keptPlans())
		}
		if changed { // sql-helper's base is gpt-4o-mini: not selected
			e.ok("toggle_model", map[string]any{"id": "sql-helper"}, nil)
		}
		res, done := e.confirm("update_models", args, out.ConfirmToken)
		if res.IsError || done.Status != "done" || done.Backup == "" {
			t.Fatalf("changed=%v: %s", changed, text(res))
		}
		if r := readsOf(e); !slices.Equal(r, []string{"/api/v1/models/export"}) {
			t.Errorf("changed=%v: reads %v; want one export", changed, r)
		}
		if n := len(e.writes()); n != len(done.Result.Changed) || n == 0 {
			t.Errorf("changed=%v: %d writes for %d changed", changed, n, len(done.Result.Changed))
		}
		bk, err := e.deps.Backups.Read(done.Backup)
		if err != nil {
			t.Fatal(err)
		}
		if ran := strings.HasSuffix(bk.Operation, " [kept]"); ran == changed {
			t.Errorf("changed=%v: the kept plan ran: %v (backup operation %q)", changed, ran, bk.Operation)
		}
		if len(bk.Models) != len(done.Result.Changed) {
			t.Errorf("changed=%v: backup holds %d models, %d changed", changed, len(bk.Models), len(done.Result.Changed))
		}
		if f := e.backupFiles(); !slices.Equal(f, []string{done.Backup + ".json"}) {
			t.Errorf("changed=%v: backup directory holds %q; want only %s.json", changed, f, done.Backup)
		}
		if n := e.keptPlans(); n != 0 {
			t.Errorf("changed=%v: %d plans still kept after the confirmation", changed, n)
		}
	}
}

// When a selected model changed, the kept plan's staged backup is dropped
// with the refusal: nothing written upstream, no backup, no temporary file.
func TestBulkKeptPlanOfAChangedTarget(t *testing.T) {
	grant := map[string]any{"principal_type": "group", "principal_id": "g-audit", "permission": "read"}
	args := map[string]any{"filter": map[string]any{"base_model_id": "gpt-4o"}, "add_grants": []any{grant}}
	e := newEnv(t)
	out, _ := e.bulkPreview("update_models", args)
	if !e.markKept(out.ConfirmToken, " [kept]") {
		t.Fatal("no plan kept")
	}
	e.ok("update_model", map[string]any{"id": "meeting-summarizer", "description": "edited meanwhile"}, nil)
	before := e.backupFiles() // update_model's own backup
	res, again := e.confirm("update_models", args, out.ConfirmToken)
	if !res.IsError || again.Status != "confirmation_required" {
		t.Fatalf("not refused with a fresh preview: %s", text(res))
	}
	if w := e.writes(); len(w) != 0 {
		t.Fatalf("writes: %+v", w)
	}
	if f := e.backupFiles(); !slices.Equal(f, before) {
		t.Fatalf("backup directory holds %q after the refusal; it held %q before", f, before)
	}
}

// The kept plans: few, taken once, only for the claims they were minted
// for, and never past the token's life.
func TestQuickPlans(t *testing.T) {
	cl := safety.Claims{Kind: safety.KindConfirm, Tool: "update_models", Args: "a", Caller: "c", Target: "t"}
	entry := func(n byte, cl safety.Claims, ttl time.Duration) quickEntry {
		return quickEntry{quickPlan: quickPlan{digest: [32]byte{n}}, claims: cl, expires: time.Now().Add(ttl)}
	}
	var q quickPlans
	for i := range maxQuickPlans + 1 {
		q.put(string(rune('a'+i)), entry(byte(i), cl, time.Minute))
	}
	if _, ok := q.take("a", cl); ok {
		t.Error("the oldest plan was not dropped past the bound")
	}
	want := cl
	want.Target = "" // the target is not asked: it is what the confirmation checks
	if got, ok := q.take("b", want); !ok || got.digest != [32]byte{1} {
		t.Errorf("take(b) = %v, %v", got.digest, ok)
	}
	if _, ok := q.take("b", want); ok {
		t.Error("a kept plan was taken twice")
	}
	for name, other := range map[string]safety.Claims{
		"other args":   {Kind: cl.Kind, Tool: cl.Tool, Args: "b", Caller: cl.Caller},
		"other caller": {Kind: cl.Kind, Tool: cl.Tool, Args: cl.Args, Caller: "d"},
		"other tool":   {Kind: cl.Kind, Tool: "delete_models", Args: cl.Args, Caller: cl.Caller},
	} {
		q.put("x", entry(9, cl, time.Minute))
		if _, ok := q.take("x", other); ok {
			t.Errorf("%s: taken", name)
		}
		if _, ok := q.take("x", want); ok {
			t.Errorf("%s: still kept after a refused take", name)
		}
	}
	q.put("old", entry(7, cl, -time.Second))
	if _, ok := q.take("old", want); ok {
		t.Error("an expired plan was taken")
	}
	q.put("y", entry(8, cl, -time.Second))
	q.put("z", entry(8, cl, time.Minute))
	q.mu.Lock()
	_, stale := q.entries["y"]
	q.mu.Unlock()
	if stale {
		t.Error("an expired plan outlived the next put")
	}
}

// A kept plan whose backup cannot be staged is not run on a missing backup:
// the gate writes it the usual way, which fails the same, and nothing is
// sent upstream.
func TestBulkKeptPlanBackupFails(t *testing.T) {
	grant := map[string]any{"principal_type": "group", "principal_id": "g-audit", "permission": "read"}
	args := map[string]any{"filter": map[string]any{"base_model_id": "gpt-4o"}, "add_grants": []any{grant}}
	e := newEnv(t)
	out, _ := e.bulkPreview("update_models", args)
	if e.keptPlans() != 1 {
		t.Fatal("no plan kept")
	}
	dir := e.deps.Backups.Dir()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a directory"), 0o600); err != nil { // even root cannot write into it
		t.Fatal(err)
	}
	res, _ := e.confirm("update_models", args, out.ConfirmToken)
	if !res.IsError {
		t.Fatalf("ran without a backup: %s", text(res))
	}
	mustContain(t, text(res), "could not write the backup, so nothing was changed")
	if w := e.writes(); len(w) != 0 {
		t.Fatalf("writes without a backup: %+v", w)
	}
}
