package tools

import (
	"sort"

	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/owui"
)

// content and contentOf are what fingerprint bound before meta and params
// were walked as raw bytes: the same record content with meta and params
// decoded into maps (owui.Object.Map). fingerprint must hash exactly what
// safety.Fingerprint(content(state)) hashes, so that a token minted by a
// replica running an older build still redeems on this one.
func contentOf(m owui.Model) map[string]any {
	gs := make([]string, 0, len(m.AccessGrants))
	for _, g := range m.AccessGrants {
		gs = append(gs, g.PrincipalType+"\x00"+g.PrincipalID+"\x00"+g.Permission)
	}
	sort.Strings(gs)
	var base any
	if m.BaseModelID != nil {
		base = *m.BaseModelID
	}
	return map[string]any{"version_id": m.VersionID, "id": m.ID, "user_id": m.UserID, "name": m.Name, "base_model_id": base,
		"meta": m.Meta.Map(), "params": m.Params.Map(), "grants": gs, "is_active": m.IsActive}
}

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
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = contentOf(m)
		}
		return out
	case map[string]owui.Model:
		out := make(map[string]any, len(x))
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

// oldFingerprint is fingerprint as the previous builds computed it.
func oldFingerprint(state any) string { return safety.Fingerprint(content(state)) }
