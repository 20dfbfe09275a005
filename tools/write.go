package tools

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// needsAccessFlag refuses explicit grants unless the server allows access changes.
func needsAccessFlag(d *Deps, grants []schemas.Grant) error {
	if grants != nil && !d.Options.AllowAccessChanges {
		return errors.New("access_grants are refused: this server was started without --allow-access-changes (env OWUI_MCP_ALLOW_ACCESS_CHANGES=true). Call again without access_grants (update keeps the current grants; create makes the model private), or ask the operator to enable the flag")
	}
	return nil
}

var createModel = Gated(Spec{Name: "create_model", Title: "Create model", Class: ClassWrite,
	Description: "Create a private custom model on base_model_id (omitted: a base-model record, not listed).",
	ReadOnly:    false, Destructive: false, Idempotent: false, OpenWorld: false},
	Gate[schemas.CreateModelArgs, owui.ModelForm]{
		Needs: func(_ *Deps, p schemas.CreateModelArgs) bool { return p.AccessGrants != nil },
		Check: func(d *Deps, p schemas.CreateModelArgs) error { return needsAccessFlag(d, p.AccessGrants) },
		Plan: func(ctx context.Context, d *Deps, p schemas.CreateModelArgs) (Plan[owui.ModelForm], error) {
			if len(p.ID) > owui.MaxIDLength {
				return Plan[owui.ModelForm]{}, &ArgError{Tool: "create_model", Problems: []string{fmt.Sprintf("\"id\" is %d bytes; Open WebUI allows at most %d", len(p.ID), owui.MaxIDLength)}}
			}
			f := owui.ModelForm{ID: p.ID, Name: p.Name, Meta: cloneAny(p.Meta), Params: cloneAny(p.Params), AccessGrants: grantsIn(p.AccessGrants), IsActive: true}
			if p.BaseModelID != "" {
				f.BaseModelID = &p.BaseModelID
			}
			if p.Description != "" {
				f.Meta["description"] = p.Description
			}
			if p.Tags != nil {
				f.Meta["tags"] = tagObjects(p.Tags)
			}
			if p.System != "" {
				f.Params["system"] = p.System
			}
			if p.IsActive != nil {
				f.IsActive = *p.IsActive
			}
			f.CommitMessage = commitMessage(ctx, p.CommitMessage, "create_model", nil)
			pv := schemas.Preview{Action: "create_model", Summary: fmt.Sprintf("create model %s (%s)", untrusted(p.ID), untrusted(p.Name)),
				Models: []schemas.Affected{{ID: p.ID, Name: p.Name, Effect: "create", Grants: p.AccessGrants}}}
			pv.People = d.people(ctx, p.AccessGrants)
			if p.AccessGrants != nil {
				after := grantsIn(p.AccessGrants)
				gains, _ := grantDiff(nil, after)
				pv.Access = []schemas.AccessDiff{{ID: p.ID, Before: []schemas.Grant{}, After: p.AccessGrants, Gains: gains}}
				pv.Warnings = writeOnlyWarnings(pv.People, after)
				pv.Summary += fmt.Sprintf(", shared with %s", people(pv.People).grantListOrPrivate(p.AccessGrants))
			}
			pv.Warnings = append(pv.Warnings, baseModelWarnings(ctx, d, p.ID, p.BaseModelID)...)
			return Plan[owui.ModelForm]{Preview: pv, State: f, Targets: []string{p.ID}, Data: f}, nil
		},
		Run: func(ctx context.Context, d *Deps, _ schemas.CreateModelArgs, plan Plan[owui.ModelForm]) (schemas.Outcome, error) {
			m, err := d.Client.CreateModel(ctx, plan.Data)
			if err != nil {
				return schemas.Outcome{}, err
			}
			r := record(m)
			msg := "Created model " + untrusted(m.ID) + "."
			for _, w := range plan.Preview.Warnings {
				msg += " Note: " + w
			}
			return schemas.Outcome{Message: msg, Result: &schemas.Result{Model: &r}}, nil
		},
	})

var updateModel = Gated(Spec{Name: "update_model", Title: "Update model", Class: ClassWrite,
	Description: "Change only the given fields; meta/params keys merge, null removes one.",
	ReadOnly:    false, Destructive: true, Idempotent: true, OpenWorld: false},
	Gate[schemas.UpdateModelArgs, owui.ModelForm]{
		Needs: func(_ *Deps, p schemas.UpdateModelArgs) bool { return p.AccessGrants != nil },
		Check: func(d *Deps, p schemas.UpdateModelArgs) error { return needsAccessFlag(d, p.AccessGrants) },
		Plan: func(ctx context.Context, d *Deps, p schemas.UpdateModelArgs) (Plan[owui.ModelForm], error) {
			cur, err := d.Client.GetModel(ctx, p.ID)
			if err != nil {
				return Plan[owui.ModelForm]{}, err
			}
			if !cur.CanWrite() {
				return Plan[owui.ModelForm]{}, fmt.Errorf("the key has no write access to %s: Open WebUI returned it without its params, so writing it back would erase them. Nothing was sent. Use the owner's or an admin's key, or ask for a write grant", p.ID)
			}
			f := mergeUpdate(cur, p)
			owner := d.ownerOf(ctx, cur)
			changes := formDiff(cur.ID, cur.Form(), f)
			f.CommitMessage = commitMessage(ctx, p.CommitMessage, "update_model", changedFields(changes))
			pp := d.people(ctx, grantsOut(cur.Grants()), grantsOut(f.AccessGrants))
			pv, noop := updatePreview(cur, f, changes, owner, pp, p.AccessGrants != nil)
			return Plan[owui.ModelForm]{Preview: pv, State: cur, Backup: []owui.Model{cur}, Targets: []string{cur.ID}, Data: f, NoOp: noop}, nil
		},
		Run: func(ctx context.Context, d *Deps, p schemas.UpdateModelArgs, plan Plan[owui.ModelForm]) (schemas.Outcome, error) {
			m, err := writeUpdate(ctx, d, plan.Data, p.AccessGrants != nil)
			if err != nil {
				return schemas.Outcome{}, err
			}
			r := record(m)
			return schemas.Outcome{Message: "Updated model " + untrusted(m.ID) + ": " + plan.Preview.Summary + ".", Result: &schemas.Result{Model: &r}}, nil
		},
	})

var toggleModel = Gated(Spec{Name: "toggle_model", Title: "Enable or disable model", Class: ClassWrite,
	Description: "Enable or disable a model (flips it unless active is given).",
	ReadOnly:    false, Destructive: false, Idempotent: false, OpenWorld: false},
	Gate[schemas.ToggleModelArgs, none]{
		Needs: func(*Deps, schemas.ToggleModelArgs) bool { return false },
		Plan: func(ctx context.Context, d *Deps, p schemas.ToggleModelArgs) (Plan[none], error) {
			cur, err := d.Client.GetModel(ctx, p.ID)
			if err != nil {
				return Plan[none]{}, err
			}
			state := map[bool]string{true: "enabled", false: "disabled"}
			pv := schemas.Preview{Action: "toggle_model", Summary: fmt.Sprintf("%s %s → %s", untrusted(cur.ID), state[cur.IsActive], state[!cur.IsActive]),
				Changes: []schemas.FieldChange{{ID: cur.ID, Field: "is_active", Before: cur.IsActive, After: !cur.IsActive}}}
			plan := Plan[none]{Preview: pv, State: cur, Targets: []string{cur.ID}}
			if p.Active != nil && *p.Active == cur.IsActive {
				plan.NoOp = true
				plan.Preview = schemas.Preview{Action: "toggle_model", Summary: fmt.Sprintf("%s is already %s", untrusted(cur.ID), state[cur.IsActive])}
			}
			return plan, nil
		},
		Run: func(ctx context.Context, d *Deps, p schemas.ToggleModelArgs, _ Plan[none]) (schemas.Outcome, error) {
			m, err := d.Client.ToggleModel(ctx, p.ID)
			if err != nil {
				return schemas.Outcome{}, err
			}
			r := record(m)
			state := map[bool]string{true: "enabled", false: "disabled"}
			return schemas.Outcome{Message: fmt.Sprintf("Model %s is now %s.", untrusted(m.ID), state[m.IsActive]), Result: &schemas.Result{Model: &r}}, nil
		},
	})

var deleteModel = Gated(Spec{Name: "delete_model", Title: "Delete model", Class: ClassWrite,
	Description: "Delete a model and its grants (confirmed).",
	ReadOnly:    false, Destructive: true, Idempotent: false, OpenWorld: false},
	Gate[schemas.DeleteModelArgs, none]{
		Plan: func(ctx context.Context, d *Deps, p schemas.DeleteModelArgs) (Plan[none], error) {
			cur, err := d.Client.GetModel(ctx, p.ID)
			if err != nil {
				return Plan[none]{}, err
			}
			who := d.ownerOf(ctx, cur)
			pp := d.people(ctx, grantsOut(cur.Grants()))
			pv := schemas.Preview{Action: "delete_model", People: pp,
				Summary: fmt.Sprintf("delete model %s (%s, owner %s, %s)", untrusted(cur.ID), untrusted(cur.Name), untrusted(who), pp.grantListOrPrivate(grantsOut(cur.Grants()))),
				Models:  []schemas.Affected{{ID: cur.ID, Name: cur.Name, Owner: who, Effect: "delete", Grants: grantsOut(cur.Grants())}}}
			return Plan[none]{Preview: pv, State: cur, Backup: []owui.Model{cur}, Targets: []string{cur.ID}}, nil
		},
		Run: func(ctx context.Context, d *Deps, p schemas.DeleteModelArgs, _ Plan[none]) (schemas.Outcome, error) {
			if err := d.Client.DeleteModel(ctx, p.ID); err != nil {
				return schemas.Outcome{}, err
			}
			return schemas.Outcome{Message: "Deleted model " + untrusted(p.ID) + ".", Result: &schemas.Result{Deleted: []string{p.ID}}}, nil
		},
	})

// mergeUpdate is update_model's merge: the current record's form (which
// re-sends what Open WebUI needs to keep: grants, is_active, base_model_id,
// meta and params) with only the given fields changed. update_models builds
// its forms here too.
func mergeUpdate(cur owui.Model, p schemas.UpdateModelArgs) owui.ModelForm {
	f := cur.Form()
	if p.Name != "" {
		f.Name = p.Name
	}
	if p.BaseModelID != "" {
		f.BaseModelID = &p.BaseModelID
	}
	if p.Description != nil {
		setOrDelete(f.Meta, "description", *p.Description)
	}
	if p.Tags != nil {
		f.Meta["tags"] = tagObjects(p.Tags)
	}
	if p.System != nil {
		setOrDelete(f.Params, "system", *p.System)
	}
	mergeKeys(f.Meta, p.Meta)
	mergeKeys(f.Params, p.Params)
	if p.IsActive != nil {
		f.IsActive = *p.IsActive
	}
	if p.AccessGrants != nil {
		f.AccessGrants = grantsIn(p.AccessGrants)
	}
	return f
}

// updatePreview shows update_model's change of cur into f: the field
// changes, and when grants were given (grants) how access changes. noop
// means f changes nothing.
func updatePreview(cur owui.Model, f owui.ModelForm, changes []schemas.FieldChange, owner string, pp people, grants bool) (pv schemas.Preview, noop bool) {
	before := cur.Grants()
	pv = schemas.Preview{Action: "update_model", Models: []schemas.Affected{{ID: cur.ID, Name: cur.Name, Owner: owner, Effect: "update", Grants: grantsOut(before)}},
		Changes: changes, People: pp}
	if grants {
		gains, loses := grantDiff(before, f.AccessGrants)
		pv.Warnings = writeOnlyWarnings(pp, f.AccessGrants)
		if len(gains)+len(loses) > 0 {
			pv.Access = []schemas.AccessDiff{{ID: cur.ID, Before: nonNil(grantsOut(before)), After: nonNil(grantsOut(f.AccessGrants)), Gains: gains, Loses: loses}}
		}
	}
	pv.Summary = fmt.Sprintf("update model %s: %d field change(s)", untrusted(cur.ID), len(pv.Changes))
	if len(pv.Access) > 0 {
		pv.Summary += fmt.Sprintf(", access %s → %s", pp.grantListOrPrivate(pv.Access[0].Before), pp.grantListOrPrivate(pv.Access[0].After))
	}
	if noop = len(pv.Changes) == 0 && len(pv.Access) == 0; noop {
		pv.Summary = "model " + untrusted(cur.ID) + " already has these values"
	}
	return pv, noop
}

// writeUpdate sends a merged form; when grants change it then sets them
// through the access route: Open WebUI 0.12.4 ignores access_grants on
// update, and the access route works on every 0.8+ (on ≤0.12.3 the update
// already applied them, so setGrants finds nothing left to do).
func writeUpdate(ctx context.Context, d *Deps, form owui.ModelForm, grants bool) (owui.Model, error) {
	m, err := d.Client.UpdateModel(ctx, form)
	if err != nil || !grants {
		return m, err
	}
	if m, err = setGrants(ctx, d, m, form.AccessGrants); err != nil {
		return m, fmt.Errorf("the fields were updated, but changing the grants failed: %w", err)
	}
	return m, nil
}

func setOrDelete(m map[string]any, k, v string) {
	if v == "" {
		delete(m, k)
		return
	}
	m[k] = v
}

// mergeKeys applies a partial object: keys with null are removed.
func mergeKeys(dst, patch map[string]any) {
	for k, v := range patch {
		if v == nil {
			delete(dst, k)
			continue
		}
		dst[k] = v
	}
}

func cloneAny(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func nonNil(gs []schemas.Grant) []schemas.Grant {
	if gs == nil {
		return []schemas.Grant{}
	}
	return gs
}

// formDiff lists the field changes from a to b: top-level fields, then meta
// and params key by key.
func formDiff(id string, a, b owui.ModelForm) []schemas.FieldChange {
	var out []schemas.FieldChange
	add := func(field string, x, y any) {
		if !reflect.DeepEqual(x, y) {
			out = append(out, schemas.FieldChange{ID: id, Field: field, Before: x, After: y})
		}
	}
	add("name", a.Name, b.Name)
	add("base_model_id", deref(a.BaseModelID), deref(b.BaseModelID))
	add("is_active", a.IsActive, b.IsActive)
	out = append(out, mapDiff(id, "meta", a.Meta, b.Meta)...)
	out = append(out, mapDiff(id, "params", a.Params, b.Params)...)
	return out
}

func mapDiff(id, prefix string, a, b map[string]any) []schemas.FieldChange {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var out []schemas.FieldChange
	for _, k := range sorted {
		x, y := a[k], b[k]
		if !reflect.DeepEqual(normJSON(x), normJSON(y)) {
			out = append(out, schemas.FieldChange{ID: id, Field: prefix + "." + k, Before: x, After: y})
		}
	}
	return out
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// setGrants makes m's grants exactly want, through the access route, unless
// they already are.
func setGrants(ctx context.Context, d *Deps, m owui.Model, want []owui.Grant) (owui.Model, error) {
	if equalJSON(sortedGrants(m.Grants()), sortedGrants(want)) {
		return m, nil
	}
	if want == nil {
		want = []owui.Grant{}
	}
	return d.Client.UpdateModelAccess(ctx, owui.AccessForm{ID: m.ID, AccessGrants: want})
}

// baseModelWarnings explains what a create without base_model_id makes, and
// flags a base_model_id that names no model the key can use: Open WebUI
// accepts both silently, and the model then is missing from lists or chats.
func baseModelWarnings(ctx context.Context, d *Deps, id, base string) []string {
	if base == "" {
		return []string{fmt.Sprintf("without base_model_id, %s is a base-model record (settings for a provider model of that id), which list_models does not show (list_base_models does, admin key). For a custom model, create it with base_model_id (ids from list_base_models_direct).", untrusted(id))}
	}
	known, err := d.Client.RuntimeModelIDs(ctx)
	if err != nil {
		// The check is advice; a failed lookup must not block the create.
		d.logger().Debug("base_model_id not checked", "err", d.scrub(err.Error()))
		return nil
	}
	if !slices.Contains(known, base) {
		return []string{fmt.Sprintf("base_model_id %s names no model this key can use (GET /api/models): check the id with list_base_models_direct; chats with %s fail until that model exists.", untrusted(base), untrusted(id))}
	}
	return nil
}
