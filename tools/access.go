package tools

import (
	"cmp"
	"context"
	"fmt"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

var updateModelAccess = Gated(Spec{Name: "update_model_access", Title: "Change model access", Class: ClassAccess,
	Description: "Change who may use a model: grants replace (default mode), add or remove (confirmed).",
	ReadOnly:    false, Destructive: true, Idempotent: true, OpenWorld: false},
	Gate[schemas.UpdateAccessArgs, owui.AccessForm]{
		Plan: func(ctx context.Context, d *Deps, p schemas.UpdateAccessArgs) (Plan[owui.AccessForm], error) {
			cur, err := d.Client.GetModel(ctx, p.ID)
			exists := err == nil
			if err != nil && !owui.IsKind(err, owui.KindNotFound) {
				return Plan[owui.AccessForm]{}, err
			}
			before := sortedGrants(cur.Grants())
			after := applyGrantMode(before, grantsIn(p.AccessGrants), p.Mode)
			pp := d.people(ctx, grantsOut(before), grantsOut(after))
			pv, noop := accessPreview(p.ID, before, after, pp, exists)
			plan := Plan[owui.AccessForm]{State: cur, Targets: []string{p.ID}, NoOp: noop,
				Data: owui.AccessForm{ID: p.ID, AccessGrants: after}}
			if exists {
				pv.Models = []schemas.Affected{{ID: cur.ID, Name: cur.Name, Owner: d.ownerOf(ctx, cur), Effect: "update", Grants: grantsOut(before)}}
				plan.Backup = []owui.Model{cur}
			} else {
				name := cmp.Or(p.Name, p.ID)
				plan.Data.Name = &name
				plan.State = nil
				pv.Models = []schemas.Affected{{ID: p.ID, Name: name, Effect: "create"}}
			}
			plan.Preview = pv
			return plan, nil
		},
		Run: func(ctx context.Context, d *Deps, _ schemas.UpdateAccessArgs, plan Plan[owui.AccessForm]) (schemas.Outcome, error) {
			m, err := d.Client.UpdateModelAccess(ctx, plan.Data)
			if err != nil {
				return schemas.Outcome{}, err
			}
			r := record(m)
			msg := "Access updated: " + plan.Preview.Summary + "."
			want := plan.Data.AccessGrants
			if got := sortedGrants(m.Grants()); len(got) != len(want) {
				// Open WebUI silently drops grants the key may not give.
				msg += fmt.Sprintf(" WARNING: Open WebUI kept %d of the %d grants sent (it drops grants the key is not allowed to give); the model's grants are now %s.", len(got), len(want), people(plan.Preview.People).grantListOrPrivate(grantsOut(got)))
			}
			return schemas.Outcome{Message: msg, Result: &schemas.Result{Model: &r}}, nil
		},
	})

// accessPreview shows the change of id's grants from before to after. A
// record that is not stored yet gets created (so it is never a no-op);
// noop means a stored one already has exactly after.
func accessPreview(id string, before, after []owui.Grant, pp people, stored bool) (pv schemas.Preview, noop bool) {
	gains, loses := grantDiff(before, after)
	pv = schemas.Preview{Action: "update_model_access", People: pp,
		Access:   []schemas.AccessDiff{{ID: id, Before: nonNil(grantsOut(before)), After: nonNil(grantsOut(after)), Gains: gains, Loses: loses}},
		Warnings: writeOnlyWarnings(pp, after)}
	pv.Summary = fmt.Sprintf("access of %s: %s → %s", untrusted(id), pp.grantListOrPrivate(grantsOut(before)), pp.grantListOrPrivate(grantsOut(after)))
	if !stored {
		pv.Warnings = append(pv.Warnings, "No stored record for "+untrusted(id)+": Open WebUI creates a base-model record for it (admin keys only; others get an error).")
		return pv, false
	}
	if noop = len(gains) == 0 && len(loses) == 0; noop {
		pv.Summary = "access of " + untrusted(id) + " is already " + pp.grantListOrPrivate(grantsOut(before))
	}
	return pv, noop
}

// applyGrantMode is update_model_access's modes over the current grants:
// add and remove change them as update_models' add_grants/remove_grants
// do, anything else (replace) makes them exactly req. The result is sorted
// and without duplicates.
func applyGrantMode(cur, req []owui.Grant, mode string) []owui.Grant {
	var after []owui.Grant
	switch mode {
	case "add":
		after, _, _ = grantChange(cur, req, nil)
	case "remove":
		after, _, _ = grantChange(cur, nil, req)
	default:
		after = sortedGrants(dedupGrants(req))
	}
	return after
}

func containsGrant(set []owui.Grant, g owui.Grant) bool {
	for _, x := range set {
		if x == g {
			return true
		}
	}
	return false
}

func dedupGrants(gs []owui.Grant) []owui.Grant {
	var out []owui.Grant
	for _, g := range gs {
		if !containsGrant(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// writeOnlyWarnings flags grantees given write but not read: Open WebUI 0.12
// lets them open and change the model, but leaves it out of their model
// list, which is rarely what was meant.
func writeOnlyWarnings(pp people, gs []owui.Grant) []string {
	var out []string
	for _, g := range gs {
		if g.Permission != "write" {
			continue
		}
		read := owui.Grant{PrincipalType: g.PrincipalType, PrincipalID: g.PrincipalID, Permission: "read"}
		if !containsGrant(gs, read) {
			out = append(out, fmt.Sprintf("%s gets write without read: Open WebUI 0.12 will not list the model for them; add a read grant too", pp.grantee(g)))
		}
	}
	return out
}
