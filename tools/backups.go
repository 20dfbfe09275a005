package tools

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/caller"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

var listBackups = Simple(readSpec("list_backups", "List backups",
	"List backups written before destructive calls, newest first."),
	func(ctx context.Context, d *Deps, p schemas.ListBackupsArgs) (schemas.ListBackupsResult, error) {
		infos, bad, err := d.Backups.Scan(caller.From(ctx).ID)
		if err != nil {
			return schemas.ListBackupsResult{}, err
		}
		limit := p.Limit
		if limit == 0 {
			limit = 50
		}
		out := schemas.ListBackupsResult{Dir: d.Backups.Dir(), Backups: []schemas.BackupInfo{}}
		for _, b := range infos[:min(limit, len(infos))] {
			out.Backups = append(out.Backups, schemas.BackupInfo{ID: b.ID, Time: b.Time.UTC().Format(time.RFC3339), Tool: b.Tool, Operation: b.Operation, Models: b.Models})
		}
		for _, f := range bad {
			out.Unusable = append(out.Unusable, schemas.UnusableBackup{ID: f.ID, Reason: f.Reason})
		}
		return out, nil
	})

// restoreTarget is one model of a restore: the record to put back and what
// is stored now (nil when it was deleted).
type restoreTarget struct {
	want owui.Model
	cur  *owui.Model
}

var restoreModels = Gated(adminSpec("restore_models", "Restore models from backup",
	"Put models back from a backup: recreate deleted, reset changed (confirmed).",
	true, true),
	Gate[schemas.RestoreModelsArgs, []restoreTarget]{
		Plan: func(ctx context.Context, d *Deps, p schemas.RestoreModelsArgs) (Plan[[]restoreTarget], error) {
			bk, err := d.Backups.Read(p.Backup)
			if err != nil {
				return Plan[[]restoreTarget]{}, err
			}
			if who := caller.From(ctx).ID; bk.Caller != who {
				return Plan[[]restoreTarget]{}, fmt.Errorf("backup %s belongs to another caller; nothing was restored", p.Backup)
			}
			var targets []restoreTarget
			var warnings []string
			var me *owui.User // the key's user, looked up once, on the first recreate
			for _, want := range bk.Models {
				if len(p.IDs) > 0 && !slices.Contains(p.IDs, want.ID) {
					continue
				}
				t := restoreTarget{want: want}
				cur, err := d.Client.GetModel(ctx, want.ID)
				switch {
				case err == nil:
					t.cur = &cur
				case owui.IsKind(err, owui.KindNotFound):
					if w := ownerWarning(ctx, d, want, &me); w != "" {
						warnings = append(warnings, w)
					}
				default:
					return Plan[[]restoreTarget]{}, err
				}
				targets = append(targets, t)
			}
			if err := idsInBackup(p.IDs, p.Backup, bk.Models); err != nil {
				return Plan[[]restoreTarget]{}, err
			}
			current, missing := restoreState(targets)
			pv := restorePreview(bk.ID, bk.Operation, targets, warnings)
			return Plan[[]restoreTarget]{Preview: pv, State: map[string]any{"current": current, "missing": missing}, Backup: current, Targets: idsOf(targets), Data: targets, NoOp: len(targets) == 0}, nil
		},
		Run: func(ctx context.Context, d *Deps, _ schemas.RestoreModelsArgs, plan Plan[[]restoreTarget]) (schemas.Outcome, error) {
			var done []schemas.Model
			for _, t := range plan.Data {
				var m owui.Model
				var err error
				if t.cur == nil {
					m, err = d.Client.CreateModel(ctx, t.want.Form())
				} else if m, err = d.Client.UpdateModel(ctx, t.want.Form()); err == nil {
					m, err = setGrants(ctx, d, m, t.want.Grants())
				}
				if err != nil {
					err = fmt.Errorf("restoring %s (after %d restored): %w", untrusted(t.want.ID), len(done), err)
					if len(done) > 0 {
						return schemas.Outcome{}, &PartialError{Done: len(done), Err: err}
					}
					return schemas.Outcome{}, err
				}
				done = append(done, row(m))
			}
			return schemas.Outcome{Message: fmt.Sprintf("Restored %d model(s).", len(done)), Result: &schemas.Result{Models: done}}, nil
		},
	})

// idsInBackup refuses a restore_models ids entry that backup does not hold.
func idsInBackup(ids []string, backup string, held []owui.Model) error {
	for _, id := range ids {
		if !slices.ContainsFunc(held, func(m owui.Model) bool { return m.ID == id }) {
			return &ArgError{Tool: "restore_models", Problems: []string{fmt.Sprintf("%q is not in backup %s", id, backup)}}
		}
	}
	return nil
}

// restoreState is what a restore's confirmation binds: the stored records it
// overwrites (also its backup), and the ids it recreates, which must still
// be absent.
func restoreState(ts []restoreTarget) (current []owui.Model, missing []string) {
	for _, t := range ts {
		if t.cur != nil {
			current = append(current, *t.cur)
		} else {
			missing = append(missing, t.want.ID)
		}
	}
	return current, missing
}

// restorePreview shows what restoring ts from backup id (made by operation)
// does: a stored record is overwritten (field and grant changes), a missing
// one recreated.
func restorePreview(id, operation string, ts []restoreTarget, warnings []string) schemas.Preview {
	pv := schemas.Preview{Action: "restore_models", Counts: map[string]int{}, Warnings: warnings}
	for _, t := range ts {
		want := t.want
		if t.cur == nil {
			pv.Models = append(pv.Models, affected(want, "restore"))
			pv.Counts["recreate"]++
			continue
		}
		cur := *t.cur
		pv.Models = append(pv.Models, affected(cur, "overwrite"))
		pv.Changes = append(pv.Changes, formDiff(want.ID, cur.Form(), want.Form())...)
		if gains, loses := grantDiff(sortedGrants(cur.Grants()), sortedGrants(want.Grants())); len(gains)+len(loses) > 0 {
			pv.Access = append(pv.Access, schemas.AccessDiff{ID: want.ID, Before: nonNil(grantsOut(cur.Grants())), After: nonNil(grantsOut(want.Grants())), Gains: gains, Loses: loses})
		}
		pv.Counts["overwrite"]++
	}
	pv.Summary = fmt.Sprintf("restore %d model(s) from backup %s (%s): %d recreated, %d overwritten", len(ts), untrusted(id), untrusted(operation), pv.Counts["recreate"], pv.Counts["overwrite"])
	return pv
}

func idsOf(ts []restoreTarget) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.want.ID
	}
	return out
}

// ownerWarning warns that a recreated model changes owner: Open WebUI makes
// the key's user the owner of what it creates. No warning when that user
// already was the owner; a failed lookup keeps the warning, hedged.
func ownerWarning(ctx context.Context, d *Deps, want owui.Model, me **owui.User) string {
	if want.UserID == "" {
		return ""
	}
	if *me == nil {
		u, err := d.Client.CurrentUser(ctx)
		if err != nil {
			d.logger().Debug("current user not known", "err", d.scrub(err.Error()))
			return fmt.Sprintf("%s is recreated owned by this key's user, which may not be its owner before (%s)", untrusted(want.ID), untrusted(d.ownerOf(ctx, want)))
		}
		*me = &u
	}
	if (*me).ID == want.UserID {
		return ""
	}
	// A backup record may carry no user (bulk backups hold the export's
	// records): the owner is then looked up by id.
	return fmt.Sprintf("%s is recreated owned by this key's user %s (it was owned by %s)", untrusted(want.ID), untrusted(owner(owui.Model{UserID: (*me).ID, User: *me})), untrusted(d.ownerOf(ctx, want)))
}
