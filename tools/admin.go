package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

func adminSpec(name, title, desc string, destructive, idempotent bool) Spec {
	return Spec{Name: name, Title: title, Description: desc, Class: ClassAdmin,
		ReadOnly: false, Destructive: destructive, Idempotent: idempotent, OpenWorld: false}
}

// storedModels reads every stored model record: custom models (export) and
// base-model records (base), which together are what delete-all and sync
// act on.
func storedModels(ctx context.Context, d *Deps) ([]owui.Model, error) {
	custom, err := d.Client.ExportModels(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the current models for the preview: %w", err)
	}
	base, err := d.Client.ListBaseModels(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the current base-model records for the preview: %w", err)
	}
	all := append(custom, base...)
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all, nil
}

// byID indexes models by id.
func byID(ms []owui.Model) map[string]owui.Model {
	out := make(map[string]owui.Model, len(ms))
	for _, m := range ms {
		out[m.ID] = m
	}
	return out
}

func affected(m owui.Model, effect string) schemas.Affected {
	return schemas.Affected{ID: m.ID, Name: m.Name, Owner: owner(m), Effect: effect, Grants: grantsOut(m.Grants())}
}

func ids(ms []owui.Model) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

var deleteAllModels = Gated(adminSpec("delete_all_models", "Delete ALL models",
	"Delete EVERY stored model and grant (confirmed).",
	true, true),
	Gate[schemas.ConfirmOnlyArgs, none]{
		Plan: func(ctx context.Context, d *Deps, _ schemas.ConfirmOnlyArgs) (Plan[none], error) {
			all, err := storedModels(ctx, d)
			if err != nil {
				return Plan[none]{}, err
			}
			pv := schemas.Preview{Action: "delete_all_models", Summary: fmt.Sprintf("delete ALL %d stored models", len(all)),
				Counts: map[string]int{"delete": len(all)}}
			for _, m := range all {
				pv.Models = append(pv.Models, affected(m, "delete"))
			}
			return Plan[none]{Preview: pv, State: all, Backup: all, Targets: ids(all), NoOp: len(all) == 0}, nil
		},
		Run: func(ctx context.Context, d *Deps, _ schemas.ConfirmOnlyArgs, plan Plan[none]) (schemas.Outcome, error) {
			if err := d.Client.DeleteAllModels(ctx); err != nil {
				return schemas.Outcome{}, err
			}
			return schemas.Outcome{Message: fmt.Sprintf("Deleted all %d models.", len(plan.Targets)), Result: &schemas.Result{Deleted: plan.Targets}}, nil
		},
	})

var importModels = Gated(adminSpec("import_models", "Import models",
	"Import records (confirmed): new ids are created, existing ones OVERWRITTEN.",
	true, true),
	Gate[schemas.ImportModelsArgs, none]{
		Plan: func(ctx context.Context, d *Deps, p schemas.ImportModelsArgs) (Plan[none], error) {
			all, err := storedModels(ctx, d)
			if err != nil {
				return Plan[none]{}, err
			}
			stored := byID(all)
			pv := schemas.Preview{Action: "import_models", Counts: map[string]int{}}
			var backup []owui.Model
			var targets []string
			for i, el := range p.Models {
				id, _ := el["id"].(string)
				if id == "" || len(id) > owui.MaxIDLength {
					pv.Warnings = append(pv.Warnings, fmt.Sprintf("models[%d] has no usable id; Open WebUI skips it", i))
					continue
				}
				targets = append(targets, id)
				cur, exists := stored[id]
				if !exists {
					name, _ := el["name"].(string)
					if name == "" {
						return Plan[none]{}, &ArgError{Tool: "import_models", Problems: []string{fmt.Sprintf("models[%d] (%s) is new and needs a name", i, id)}}
					}
					pv.Models = append(pv.Models, schemas.Affected{ID: id, Name: name, Effect: "create"})
					pv.Counts["create"]++
					continue
				}
				pv.Models = append(pv.Models, affected(cur, "overwrite"))
				pv.Counts["overwrite"]++
				if _, ok := el["access_grants"]; ok {
					pv.Warnings = append(pv.Warnings, importGrantsWarning(untrusted(id), d.Client.Rules(ctx)))
				}
				pv.Changes = append(pv.Changes, importDiff(cur, el)...)
				backup = append(backup, cur)
			}
			pv.Summary = fmt.Sprintf("import %d model(s): %d new, %d overwritten (%d field changes)", pv.Counts["create"]+pv.Counts["overwrite"], pv.Counts["create"], pv.Counts["overwrite"], len(pv.Changes))
			return Plan[none]{Preview: pv, State: backup, Backup: backup, Targets: targets}, nil
		},
		Run: func(ctx context.Context, d *Deps, p schemas.ImportModelsArgs, plan Plan[none]) (schemas.Outcome, error) {
			if err := d.Client.ImportModels(ctx, p.Models); err != nil {
				return schemas.Outcome{}, err
			}
			return schemas.Outcome{Message: "Imported: " + plan.Preview.Summary + "."}, nil
		},
	})

// importDiff lists the fields an import element changes on an existing model.
func importDiff(cur owui.Model, el map[string]any) []schemas.FieldChange {
	var out []schemas.FieldChange
	curJSON := map[string]any{}
	b, _ := json.Marshal(cur)
	_ = json.Unmarshal(b, &curJSON)
	for _, k := range []string{"name", "base_model_id", "is_active"} {
		if v, ok := el[k]; ok && !equalJSON(v, curJSON[k]) {
			out = append(out, schemas.FieldChange{ID: cur.ID, Field: k, Before: curJSON[k], After: v})
		}
	}
	if v, ok := el["params"]; ok {
		pm, _ := v.(map[string]any)
		out = append(out, mapDiff(cur.ID, "params", cur.Params.Map(), pm)...)
	} else if !cur.Params.Empty() {
		// Open WebUI defaults a missing params to {} on import.
		out = append(out, mapDiff(cur.ID, "params", cur.Params.Map(), map[string]any{})...)
	}
	if v, ok := el["meta"].(map[string]any); ok {
		out = append(out, mapDiff(cur.ID, "meta", cur.Meta.Map(), v)...)
	}
	return out
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(normJSON(a))
	y, _ := json.Marshal(normJSON(b))
	return string(x) == string(y)
}

var syncModels = Gated(adminSpec("sync_models", "Sync models (replace all)",
	"Make the stored models exactly this list (confirmed): EVERY model not listed is DELETED.",
	true, true),
	Gate[schemas.SyncModelsArgs, []owui.Model]{
		Plan: func(ctx context.Context, d *Deps, p schemas.SyncModelsArgs) (Plan[[]owui.Model], error) {
			// Arguments first: a bad element costs no upstream read.
			els, err := syncElements(p.Models, time.Now().Unix())
			if err != nil {
				return Plan[[]owui.Model]{}, err
			}
			all, err := storedModels(ctx, d)
			if err != nil {
				return Plan[[]owui.Model]{}, err
			}
			pv, deleted := syncPreview(els, all)
			if pv.Counts["update"] > 0 {
				ru := d.Client.Rules(ctx)
				pv.Warnings = append(pv.Warnings, syncOwnerWarning(ru))
				if ru.SyncLocksOnSQLite {
					pv.Warnings = append(pv.Warnings, syncLockWarning(ru))
				}
			}
			if len(deleted) > 0 {
				pv.Warnings = append(pv.Warnings, fmt.Sprintf("%d stored model(s) not in the list will be DELETED: %s", len(deleted), untrustedList(deleted)))
			}
			return Plan[[]owui.Model]{Preview: pv, State: all, Backup: all, Targets: append(ids(els), deleted...), Data: els}, nil
		},
		Run: func(ctx context.Context, d *Deps, _ schemas.SyncModelsArgs, plan Plan[[]owui.Model]) (schemas.Outcome, error) {
			out, err := d.Client.SyncModels(ctx, plan.Data)
			if err != nil {
				return schemas.Outcome{}, err
			}
			return schemas.Outcome{Message: "Synced: " + plan.Preview.Summary + ".", Result: &schemas.Result{Models: recordsCompact(out), Deleted: effectIDs(plan.Preview, "delete")}}, nil
		},
	})

// syncElements turns sync_models' records into what /sync takes, refusing
// an element that is not a complete record or an id listed twice.
func syncElements(models []map[string]any, now int64) ([]owui.Model, error) {
	listed := map[string]bool{}
	var els []owui.Model
	for i, el := range models {
		m, err := syncElement(el, now)
		if err != nil {
			return nil, &ArgError{Tool: "sync_models", Problems: []string{fmt.Sprintf("models[%d]: %v", i, err)}}
		}
		if listed[m.ID] {
			return nil, &ArgError{Tool: "sync_models", Problems: []string{fmt.Sprintf("models[%d]: id %s is listed twice", i, m.ID)}}
		}
		listed[m.ID] = true
		els = append(els, m)
	}
	return els, nil
}

// syncPreview diffs the wanted records els against all stored ones: listed
// ones are created or updated, every stored one not listed is deleted.
func syncPreview(els, all []owui.Model) (pv schemas.Preview, deleted []string) {
	stored := byID(all)
	listed := make(map[string]bool, len(els))
	pv = schemas.Preview{Action: "sync_models", Counts: map[string]int{}}
	for _, m := range els {
		listed[m.ID] = true
		if cur, ok := stored[m.ID]; ok {
			pv.Models = append(pv.Models, affected(cur, "update"))
			pv.Counts["update"]++
			pv.Changes = append(pv.Changes, formDiff(m.ID, cur.Form(), m.Form())...)
		} else {
			pv.Models = append(pv.Models, schemas.Affected{ID: m.ID, Name: m.Name, Effect: "create"})
			pv.Counts["create"]++
		}
	}
	for _, m := range all {
		if !listed[m.ID] {
			pv.Models = append(pv.Models, affected(m, "delete"))
			pv.Counts["delete"]++
			deleted = append(deleted, m.ID)
		}
	}
	pv.Summary = fmt.Sprintf("sync: %d created, %d updated, %d DELETED", pv.Counts["create"], pv.Counts["update"], pv.Counts["delete"])
	return pv, deleted
}

// syncElement turns an exported record into the complete ModelModel that
// /sync requires (every field, grants as full grant objects).
func syncElement(el map[string]any, now int64) (owui.Model, error) {
	b, err := json.Marshal(el)
	if err != nil {
		return owui.Model{}, err
	}
	var m owui.Model
	if err := json.Unmarshal(b, &m); err != nil {
		return owui.Model{}, fmt.Errorf("not a model record: %v", err)
	}
	if m.ID == "" || len(m.ID) > owui.MaxIDLength {
		return owui.Model{}, fmt.Errorf("needs an id of 1 to %d characters", owui.MaxIDLength)
	}
	if m.Name == "" {
		return owui.Model{}, fmt.Errorf("%s needs a name", m.ID)
	}
	if _, ok := el["is_active"]; !ok {
		m.IsActive = true
	}
	if m.Meta.IsNull() {
		m.Meta = owui.EmptyObject()
	}
	if m.Params.IsNull() {
		m.Params = owui.EmptyObject()
	}
	if m.CreatedAt == 0 {
		m.CreatedAt = now
	}
	if m.UpdatedAt == 0 {
		m.UpdatedAt = now
	}
	m.User, m.WriteAccess, m.VersionID = nil, nil, "" // read-only; never sent
	grants := make([]owui.AccessGrant, 0, len(m.AccessGrants))
	for i, g := range m.AccessGrants {
		if g.ID == "" {
			g.ID = fmt.Sprintf("sync-%d-%d", now, i)
		}
		g.ResourceType, g.ResourceID = "model", m.ID
		if g.CreatedAt == 0 {
			g.CreatedAt = now
		}
		grants = append(grants, g)
	}
	m.AccessGrants = grants
	return m, nil
}

func recordsCompact(ms []owui.Model) []schemas.Model {
	out := make([]schemas.Model, len(ms))
	for i, m := range ms {
		out[i] = row(m)
	}
	return out
}

var unloadModel = Gated(adminSpec("unload_model", "Unload model from provider",
	"Free a model from its provider's memory (Ollama, llama.cpp; confirmed).",
	false, true),
	Gate[schemas.UnloadModelArgs, none]{
		Plan: func(ctx context.Context, d *Deps, p schemas.UnloadModelArgs) (Plan[none], error) {
			live, err := d.Client.ListBaseModelsDirect(ctx)
			if err != nil {
				return Plan[none]{}, err
			}
			pv := schemas.Preview{Action: "unload_model", Models: []schemas.Affected{{ID: p.Model, Effect: "unload"}}}
			provider := ""
			for _, m := range live {
				if id, _ := m["id"].(string); id == p.Model {
					provider, _ = m["owned_by"].(string)
					pv.Models[0].Name, _ = m["name"].(string)
				}
			}
			if provider == "" {
				pv.Summary = fmt.Sprintf("unload %s (not a live provider model: its base_model_id chain is followed to the provider model)", untrusted(p.Model))
				pv.Warnings = append(pv.Warnings, untrusted(p.Model)+" is not in the live provider list; Open WebUI may answer that it is not found.")
			} else {
				pv.Summary = fmt.Sprintf("unload %s from provider %s", untrusted(p.Model), untrusted(provider))
			}
			return Plan[none]{Preview: pv, State: provider, Targets: []string{p.Model}}, nil
		},
		Run: func(ctx context.Context, d *Deps, p schemas.UnloadModelArgs, plan Plan[none]) (schemas.Outcome, error) {
			resp, err := d.Client.UnloadModel(ctx, p.Model)
			if err != nil {
				return schemas.Outcome{}, err
			}
			return schemas.Outcome{Message: "Unloaded: " + plan.Preview.Summary + ".", Result: &schemas.Result{Provider: resp}}, nil
		},
	})
