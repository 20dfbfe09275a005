package tools

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// Model history (Open WebUI 0.12+). A version is a snapshot of name,
// base_model_id, meta and params; grants, is_active and the owner live
// outside it. The client refuses these calls on older servers with an error
// naming the version needed.

// historyTools are the tools that need Open WebUI 0.12; the instructions
// say so when any of them is listed.
var historyTools = []string{"list_model_history", "get_model_version", "rollback_model", "delete_model_version"}

var listModelHistory = Simple(readSpec("list_model_history", "List model versions",
	"A model's versions, newest first, 20 a page; all=true walks every page up to limit."),
	func(ctx context.Context, d *Deps, p schemas.ListModelHistoryArgs) (historyResult, error) {
		limit := p.Limit
		if limit == 0 {
			limit = 200
		}
		res := historyResult{ListModelHistoryResult: schemas.ListModelHistoryResult{ID: p.ID, Versions: []schemas.Version{}}}
		var entries []owui.HistoryEntry
		if !p.All {
			res.Page = max(p.Page, 1)
			page, err := d.Client.ListModelHistory(ctx, p.ID, res.Page)
			if err != nil {
				return res, err
			}
			entries = page
			res.More = len(page) == owui.HistoryPageSize
		} else {
			seen := map[string]bool{}
			for n := 1; ; n++ {
				page, err := d.Client.ListModelHistory(ctx, p.ID, n)
				if err != nil {
					return res, fmt.Errorf("reading page %d: %w", n, err)
				}
				for _, e := range page {
					// Entries written between page reads shift the pages.
					if seen[e.ID] {
						continue
					}
					if len(entries) == limit {
						res.Truncated = true
						break
					}
					seen[e.ID] = true
					entries = append(entries, e)
				}
				if res.Truncated || len(page) < owui.HistoryPageSize {
					break
				}
			}
		}
		cur, err := d.Client.GetModel(ctx, p.ID)
		if err != nil {
			return res, fmt.Errorf("reading the model's current version: %w", err)
		}
		res.CurrentVersionID = cur.VersionID
		orderVersions(entries)
		for _, e := range entries {
			res.Versions = append(res.Versions, version(e, cur.VersionID))
		}
		return res, nil
	})

// orderVersions puts entries newest first. Open WebUI orders by created_at
// (seconds), then by the random entry id, so edits within one second come
// back in any order; among those, a child version goes before its parent.
func orderVersions(es []owui.HistoryEntry) {
	parent := make(map[string]string, len(es))
	for _, e := range es {
		if e.ParentID != nil {
			parent[e.ID] = *e.ParentID
		}
	}
	depth := make(map[string]int, len(es))
	for _, e := range es {
		n, id := 0, e.ID
		for p, ok := parent[id]; ok && n < len(es); p, ok = parent[id] {
			n, id = n+1, p
		}
		depth[e.ID] = n
	}
	slices.SortStableFunc(es, func(a, b owui.HistoryEntry) int {
		if a.CreatedAt != b.CreatedAt {
			return cmp.Compare(b.CreatedAt, a.CreatedAt)
		}
		return cmp.Compare(depth[b.ID], depth[a.ID])
	})
}

// historyResult renders as a table, one line per version.
type historyResult struct{ schemas.ListModelHistoryResult }

func (r historyResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d versions of %s", len(r.Versions), oneLine(r.ID))
	switch {
	case r.Page > 0 && r.More:
		fmt.Fprintf(&b, ", page %d (20 per page; page %d may have more)", r.Page, r.Page+1)
	case r.Page > 0:
		fmt.Fprintf(&b, ", page %d (20 per page)", r.Page)
	case r.Truncated:
		b.WriteString(" (cut at limit)")
	}
	b.WriteString(", newest first\nversion_id\ttime\tauthor\tcommit_message\n")
	for _, v := range r.Versions {
		cur := ""
		if v.Current {
			cur = "\t(current)"
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s%s\n", oneLine(v.VersionID), v.Time, oneLine(v.Author), oneLine(v.CommitMessage), cur)
	}
	return strings.TrimRight(b.String(), "\n")
}

var getModelVersion = Simple(readSpec("get_model_version", "Get model version",
	"One version's snapshot, diffed against the current record or diff_against."),
	func(ctx context.Context, d *Deps, p schemas.GetModelVersionArgs) (versionResult, error) {
		if err := versionArgs("get_model_version", [2]string{"version_id", p.VersionID}, [2]string{"diff_against", p.DiffAgainst}); err != nil {
			return versionResult{}, err
		}
		e, err := d.Client.GetModelVersion(ctx, p.ID, p.VersionID)
		if err != nil {
			return versionResult{}, err
		}
		cur, err := d.Client.GetModel(ctx, p.ID)
		if err != nil {
			return versionResult{}, fmt.Errorf("reading the current record: %w", err)
		}
		base, against := liveSnapshot(cur), "current"
		if p.DiffAgainst != "" {
			o, err := d.Client.GetModelVersion(ctx, p.ID, p.DiffAgainst)
			if err != nil {
				return versionResult{}, fmt.Errorf("reading diff_against %s: %w", p.DiffAgainst, err)
			}
			base, against = *o.Snapshot, p.DiffAgainst
		}
		out := schemas.GetModelVersionResult{
			ID: p.ID, Version: version(e, cur.VersionID), Snapshot: snapshotOut(*e.Snapshot), Against: against,
			Changes: snapshotDiff(p.ID, base, *e.Snapshot), Notes: notRestored(d.people(ctx, grantsOut(cur.Grants())), cur),
		}
		if out.Changes == nil {
			out.Changes = []schemas.FieldChange{}
		}
		return versionResult{out}, nil
	})

type versionResult struct{ schemas.GetModelVersionResult }

func (r versionResult) Text() string {
	var b strings.Builder
	v := r.Version
	fmt.Fprintf(&b, "Version %s of %s: %s by %s", oneLine(v.VersionID), oneLine(r.ID), v.Time, oneLine(v.Author))
	if v.CommitMessage != "" {
		fmt.Fprintf(&b, ", %q", v.CommitMessage)
	}
	if v.Current {
		b.WriteString(" (current)")
	}
	fmt.Fprintf(&b, "\nsnapshot: %s", compactJSON(r.Snapshot))
	if len(r.Changes) == 0 {
		fmt.Fprintf(&b, "\nno differences from %s", oneLine(r.Against))
	} else {
		fmt.Fprintf(&b, "\n%d difference(s), %s → this version:", len(r.Changes), oneLine(r.Against))
		for _, c := range r.Changes {
			fmt.Fprintf(&b, "\n- %s: %s → %s", c.Field, short(c.Before), short(c.After))
		}
	}
	for _, n := range r.Notes {
		b.WriteString("\nnote: " + n)
	}
	return b.String()
}

var rollbackModel = Gated(Spec{Name: "rollback_model", Title: "Roll back model", Class: ClassWrite,
	Description: "Restore a version's name, base model, meta and params; grants and is_active stay (confirmed).",
	ReadOnly:    false, Destructive: true, Idempotent: true, OpenWorld: false},
	Gate[schemas.RollbackModelArgs, none]{
		Check: func(_ *Deps, p schemas.RollbackModelArgs) error {
			return versionArgs("rollback_model", [2]string{"version_id", p.VersionID})
		},
		Plan: func(ctx context.Context, d *Deps, p schemas.RollbackModelArgs) (Plan[none], error) {
			e, cur, err := versionAndCurrent(ctx, d, p.ID, p.VersionID)
			if err != nil {
				return Plan[none]{}, err
			}
			v := version(e, cur.VersionID)
			pp := d.people(ctx, grantsOut(cur.Grants()))
			pv := schemas.Preview{Action: "rollback_model", People: pp,
				Models:      []schemas.Affected{{ID: cur.ID, Name: cur.Name, Owner: owner(cur), Effect: "update", Grants: grantsOut(cur.Grants())}},
				Changes:     snapshotDiff(cur.ID, liveSnapshot(cur), *e.Snapshot),
				NotRestored: notRestored(pp, cur),
			}
			pv.Summary = fmt.Sprintf("roll back model %s to version %s (%s by %s%s): %d field change(s)",
				untrusted(cur.ID), v.VersionID, v.Time, untrusted(v.Author), quoted(v.CommitMessage), len(pv.Changes))
			// Open WebUI's rollback route takes no message and writes no
			// entry; the note is kept in the backup and the audit trail.
			if msg := strings.TrimSpace(p.CommitMessage); msg != "" {
				pv.Summary += "; note " + strconv.Quote(msg)
			}
			plan := Plan[none]{Preview: pv, State: cur, Backup: []owui.Model{cur}, Targets: []string{cur.ID}}
			if cur.VersionID != "" && cur.VersionID == e.ID {
				plan.NoOp = true
				plan.Preview = schemas.Preview{Action: "rollback_model", Summary: fmt.Sprintf("%s is already at version %s", untrusted(cur.ID), e.ID)}
			}
			return plan, nil
		},
		Run: func(ctx context.Context, d *Deps, p schemas.RollbackModelArgs, plan Plan[none]) (schemas.Outcome, error) {
			m, err := d.Client.RollbackModel(ctx, p.ID, p.VersionID)
			if err != nil {
				return schemas.Outcome{}, err
			}
			r := record(m)
			return schemas.Outcome{Message: fmt.Sprintf("Rolled back model %s to version %s; grants and is_active were left as they were.", untrusted(m.ID), p.VersionID),
				Result: &schemas.Result{Model: &r}}, nil
		},
	})

var deleteModelVersion = Gated(Spec{Name: "delete_model_version", Title: "Delete model version", Class: ClassWrite,
	Description: "Delete one non-current version from a model's history (confirmed).",
	ReadOnly:    false, Destructive: true, Idempotent: false, OpenWorld: false},
	Gate[schemas.DeleteModelVersionArgs, none]{
		Check: func(_ *Deps, p schemas.DeleteModelVersionArgs) error {
			return versionArgs("delete_model_version", [2]string{"version_id", p.VersionID})
		},
		Plan: func(ctx context.Context, d *Deps, p schemas.DeleteModelVersionArgs) (Plan[none], error) {
			e, cur, err := versionAndCurrent(ctx, d, p.ID, p.VersionID)
			if err != nil {
				return Plan[none]{}, err
			}
			if e.ID == cur.VersionID {
				return Plan[none]{}, fmt.Errorf("version %s is the current version of %s, and Open WebUI keeps the current version. Nothing was sent. Roll back to another version first (rollback_model) if this one must go", e.ID, untrusted(cur.ID))
			}
			v := version(e, cur.VersionID)
			pv := schemas.Preview{Action: "delete_model_version",
				Summary: fmt.Sprintf("delete version %s of model %s (%s by %s%s); the model itself is not changed", v.VersionID, untrusted(cur.ID), v.Time, untrusted(v.Author), quoted(v.CommitMessage)),
				Models:  []schemas.Affected{{ID: cur.ID, Name: cur.Name, Owner: owner(cur), Effect: "delete_version"}},
				Warnings: []string{"a deleted version cannot be restored: backups hold model records, not history entries. " +
					"The snapshot is: " + compactJSON(snapshotOut(*e.Snapshot))},
			}
			return Plan[none]{Preview: pv, State: cur, Targets: []string{cur.ID}}, nil
		},
		Run: func(ctx context.Context, d *Deps, p schemas.DeleteModelVersionArgs, _ Plan[none]) (schemas.Outcome, error) {
			if err := d.Client.DeleteModelVersion(ctx, p.ID, p.VersionID); err != nil {
				return schemas.Outcome{}, err
			}
			return schemas.Outcome{Message: fmt.Sprintf("Deleted version %s of model %s.", p.VersionID, untrusted(p.ID))}, nil
		},
	})

// versionAndCurrent reads one history entry and the model's current
// record: what rollback and delete-version previews are built from.
func versionAndCurrent(ctx context.Context, d *Deps, id, versionID string) (owui.HistoryEntry, owui.Model, error) {
	e, err := d.Client.GetModelVersion(ctx, id, versionID)
	if err != nil {
		return owui.HistoryEntry{}, owui.Model{}, err
	}
	cur, err := d.Client.GetModel(ctx, id)
	return e, cur, err
}

// versionArgs refuses version ids that could not be sent, naming the
// argument (the client refuses them too, without the argument's name).
func versionArgs(tool string, args ...[2]string) error {
	var problems []string
	for _, a := range args {
		if a[1] == "" {
			continue
		}
		if why := owui.HistoryIDProblem(a[1]); why != "" {
			problems = append(problems, fmt.Sprintf("%q %s", a[0], why))
		}
	}
	if len(problems) > 0 {
		return &ArgError{Tool: tool, Problems: problems}
	}
	return nil
}

// version is a history entry as the tools show it.
func version(e owui.HistoryEntry, current string) schemas.Version {
	v := schemas.Version{VersionID: e.ID, CreatedAt: e.CreatedAt, Time: stamp(e.CreatedAt), Author: "unknown user", Current: e.ID != "" && e.ID == current}
	if e.User != nil && e.User.Name != "" {
		v.Author = e.User.Name
	}
	if e.CommitMessage != nil {
		v.CommitMessage = *e.CommitMessage
	}
	if e.ParentID != nil {
		v.ParentID = *e.ParentID
	}
	return v
}

func stamp(epoch int64) string {
	if epoch == 0 {
		return ""
	}
	return time.Unix(epoch, 0).UTC().Format(time.RFC3339)
}

// liveSnapshot is the part of a record that a version keeps, as Open WebUI
// takes it (model_snapshot): meta without hidden and chat_variables_schema.
func liveSnapshot(m owui.Model) owui.Snapshot {
	return owui.Snapshot{Name: m.Name, BaseModelID: m.BaseModelID, Params: m.Params.Map(), Meta: m.Meta.Map()}
}

func snapshotOut(s owui.Snapshot) schemas.Snapshot {
	out := schemas.Snapshot{Name: s.Name, Meta: comparable(s.Meta, true), Params: comparable(s.Params, false)}
	if s.BaseModelID != nil {
		out.BaseModelID = *s.BaseModelID
	}
	return out
}

// comparable drops what is not model state: null keys (Open WebUI's typed
// meta keys are always present, null when unset) and, in meta, the keys a
// version never keeps.
func comparable(m map[string]any, meta bool) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if v == nil || meta && (k == "hidden" || k == "chat_variables_schema") {
			continue
		}
		out[k] = v
	}
	return out
}

// snapshotDiff lists the field changes from a to b over name,
// base_model_id, meta and params.
func snapshotDiff(id string, a, b owui.Snapshot) []schemas.FieldChange {
	var out []schemas.FieldChange
	if a.Name != b.Name {
		out = append(out, schemas.FieldChange{ID: id, Field: "name", Before: a.Name, After: b.Name})
	}
	if x, y := deref(a.BaseModelID), deref(b.BaseModelID); x != y {
		out = append(out, schemas.FieldChange{ID: id, Field: "base_model_id", Before: x, After: y})
	}
	out = append(out, mapDiff(id, "meta", comparable(a.Meta, true), comparable(b.Meta, true))...)
	return append(out, mapDiff(id, "params", comparable(a.Params, false), comparable(b.Params, false))...)
}

// notRestored says what a version does not hold, with the live values that
// a rollback keeps.
func notRestored(pp people, cur owui.Model) []string {
	state := map[bool]string{true: "enabled", false: "disabled"}
	out := []string{
		"access grants live outside the snapshot; they stay " + pp.grantListOrPrivate(grantsOut(cur.Grants())) + " (change them with update_model_access)",
		"is_active is not versioned; the model stays " + state[cur.IsActive],
		"the owner stays " + owner(cur),
	}
	if h, ok := cur.Meta.Get("hidden"); ok && h != nil {
		out = append(out, "meta.hidden stays "+compactJSON(h))
	}
	return out
}

// defaultCommit is the history note written when the agent gives none: the
// tool, this server, the MCP client when it named itself, and the fields.
func defaultCommit(ctx context.Context, tool string, fields []string) string {
	var b strings.Builder
	b.WriteString(tool + " via owui-mcp")
	if c := clientName(ctx); c != "" {
		b.WriteString(" (" + c + ")")
	}
	const show = 6
	if len(fields) > 0 {
		b.WriteString(": " + strings.Join(fields[:min(len(fields), show)], ", "))
		if len(fields) > show {
			fmt.Fprintf(&b, ", +%d more", len(fields)-show)
		}
	}
	return clipRunes(b.String(), 300)
}

// clientName is the MCP client's self-declared name, reduced to one short
// line of printable characters (it is untrusted and ends up upstream).
func clientName(ctx context.Context) string {
	var name string
	if i := server.RequestProtocolInfoFromContext(ctx); i != nil && i.ClientInfo != nil {
		name = i.ClientInfo.Name
	} else if s, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		name = s.GetClientInfo().Name
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) && r != '(' && r != ')' {
			return r
		}
		return -1
	}, name)
	return clipRunes(strings.TrimSpace(name), 40)
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// commitMessage is the agent's note, or the default one.
func commitMessage(ctx context.Context, given, tool string, fields []string) string {
	if msg := strings.TrimSpace(given); msg != "" {
		return msg
	}
	return defaultCommit(ctx, tool, fields)
}

// changedFields names the fields of a preview's changes, for a commit note.
func changedFields(cs []schemas.FieldChange) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Field)
	}
	return out
}

// oneLine shows untrusted text on one line: control characters, newlines
// and tabs escaped, as in a Go string literal without the quotes.
func oneLine(s string) string {
	q := strconv.Quote(clipRunes(s, 200))
	return q[1 : len(q)-1]
}

func quoted(s string) string {
	if s == "" {
		return ""
	}
	return ", " + strconv.Quote(clipRunes(s, 200))
}
