package tools

import (
	"sort"

	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/owui"
)

// fingerprint is what a confirmation binds of a Plan.State: every model
// record in it by the content a preview can show (owner, name, base model,
// meta, params, grants, is_active) and by version_id where Open WebUI has
// one (0.12+), never by updated_at alone, whose one-second resolution lets
// an edit in the same second as the preview pass unnoticed. Any other value
// is bound as its canonical JSON.
func fingerprint(state any) string {
	return safety.Fingerprint(bound(state))
}

// boundOf is the part of a record a confirmation must find unchanged, as
// a plain JSON object (its keys are the record's JSON names) that
// safety.Fingerprint hashes as it walks it, without encoding it: 500
// records are bound in a few milliseconds. Meta and params go in as their
// raw bytes, which the walk hashes as the maps they decode to (the same
// bytes as when they were decoded here, so tokens of older builds still
// bind), so their key order and spacing do not change the fingerprint.
func boundOf(m owui.Model) safety.Fields {
	gs := make([]string, 0, len(m.AccessGrants))
	for _, g := range m.AccessGrants {
		gs = append(gs, g.PrincipalType+"\x00"+g.PrincipalID+"\x00"+g.Permission)
	}
	sort.Strings(gs)
	var base any
	if m.BaseModelID != nil {
		base = *m.BaseModelID
	}
	// In key order, so the walk needs no map per record (a map of the
	// same members hashes alike).
	return safety.Fields{{Key: "base_model_id", Value: base}, {Key: "grants", Value: gs}, {Key: "id", Value: m.ID},
		{Key: "is_active", Value: m.IsActive}, {Key: "meta", Value: safety.RawObject(m.Meta.Raw())}, {Key: "name", Value: m.Name},
		{Key: "params", Value: safety.RawObject(m.Params.Raw())}, {Key: "user_id", Value: m.UserID}, {Key: "version_id", Value: m.VersionID}}
}

// bound replaces the models found in v (directly, or inside slices and
// maps) by their boundOf.
func bound(v any) any { return mapModels(v, boundOf) }

// mapModels replaces the models found in v (directly, or inside slices
// and maps) by of(model).
func mapModels[R any](v any, of func(owui.Model) R) any {
	switch x := v.(type) {
	case owui.Model:
		return of(x)
	case *owui.Model:
		if x == nil {
			return nil
		}
		return of(*x)
	case []owui.Model:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = of(m)
		}
		return out
	case map[string]owui.Model:
		out := make(map[string]any, len(x))
		for k, m := range x {
			out[k] = of(m)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mapModels(e, of)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = mapModels(e, of)
		}
		return out
	}
	return v
}
