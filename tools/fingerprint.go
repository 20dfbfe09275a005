package tools

import (
	"sort"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/safety"
)

// fingerprint is what a confirmation binds of a Plan.State: every model
// record in it by the content a preview can show (owner, name, base model,
// meta, params, grants, is_active) and by version_id where Open WebUI has
// one (0.12+), never by updated_at alone, whose one-second resolution lets
// an edit in the same second as the preview pass unnoticed. Any other value
// is bound as its canonical JSON.
func fingerprint(state any) string {
	return safety.Fingerprint(content(state))
}

// modelContent is the part of a record a confirmation must find unchanged.
type modelContent struct {
	VersionID   string         `json:"version_id"`
	ID          string         `json:"id"`
	UserID      string         `json:"user_id"`
	Name        string         `json:"name"`
	BaseModelID *string        `json:"base_model_id"`
	Meta        map[string]any `json:"meta"`
	Params      map[string]any `json:"params"`
	Grants      []string       `json:"grants"`
	IsActive    bool           `json:"is_active"`
}

func contentOf(m owui.Model) modelContent {
	gs := make([]string, 0, len(m.AccessGrants))
	for _, g := range m.AccessGrants {
		gs = append(gs, g.PrincipalType+"\x00"+g.PrincipalID+"\x00"+g.Permission)
	}
	sort.Strings(gs)
	return modelContent{VersionID: m.VersionID, ID: m.ID, UserID: m.UserID, Name: m.Name, BaseModelID: m.BaseModelID,
		Meta: m.Meta, Params: m.Params, Grants: gs, IsActive: m.IsActive}
}

// content replaces the models found in v (directly, or inside slices and
// maps) by their modelContent.
func content(v any) any {
	switch x := v.(type) {
	case owui.Model:
		return contentOf(x)
	case *owui.Model:
		if x == nil {
			return nil
		}
		return contentOf(*x)
	case []owui.Model:
		out := make([]modelContent, len(x))
		for i, m := range x {
			out[i] = contentOf(m)
		}
		return out
	case map[string]owui.Model:
		out := make(map[string]modelContent, len(x))
		for k, m := range x {
			out[k] = contentOf(m)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = content(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = content(e)
		}
		return out
	}
	return v
}
