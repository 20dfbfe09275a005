package tools

import (
	"sort"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/safety"
	"github.com/owui-mcp/owui-mcp/owui"
)

// oldContent is the struct the confirmation bound before contentOf became a
// plain map: the fingerprints must stay byte-identical, so a token minted
// by a replica running the older build still redeems on this one.
type oldContent struct {
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

func oldContentOf(m owui.Model) oldContent {
	gs := make([]string, 0, len(m.AccessGrants))
	for _, g := range m.AccessGrants {
		gs = append(gs, g.PrincipalType+"\x00"+g.PrincipalID+"\x00"+g.Permission)
	}
	sort.Strings(gs)
	return oldContent{VersionID: m.VersionID, ID: m.ID, UserID: m.UserID, Name: m.Name, BaseModelID: m.BaseModelID,
		Meta: m.Meta, Params: m.Params, Grants: gs, IsActive: m.IsActive}
}

func TestFingerprintUnchangedAndWalked(t *testing.T) {
	base := "gpt-4o"
	decoded := owui.Model{VersionID: "v1", ID: "team/bot:v2", UserID: "u1", Name: "Bot <b>", BaseModelID: &base, IsActive: true, UpdatedAt: 1,
		Meta:         map[string]any{"tags": []any{map[string]any{"name": "x"}}, "description": "é", "n": 2.5, "capabilities": nil},
		Params:       map[string]any{"system": "be\nbrief", "temperature": 0.2},
		AccessGrants: []owui.AccessGrant{{PrincipalType: "user", PrincipalID: "u2", Permission: "write"}, {PrincipalType: "group", PrincipalID: "g", Permission: "read"}}}
	bare := owui.Model{ID: "m"} // nil meta, params, base and grants
	// Built in code, not decoded: []map[string]any is not a plain value.
	built := owui.Model{ID: "b", Meta: map[string]any{"tags": []map[string]any{{"name": "x"}}}}
	states := []struct {
		name   string
		state  any
		old    any
		walked bool
	}{
		{"one model", decoded, oldContentOf(decoded), true},
		{"bare model", bare, oldContentOf(bare), true},
		{"list", []owui.Model{decoded, bare}, []oldContent{oldContentOf(decoded), oldContentOf(bare)}, true},
		{"map", map[string]any{"cur": decoded, "n": 3.0}, map[string]any{"cur": oldContentOf(decoded), "n": 3.0}, true},
		{"built in code", built, oldContentOf(built), false},
	}
	for _, s := range states {
		t.Run(s.name, func(t *testing.T) {
			if got, want := fingerprint(s.state), safety.Fingerprint(s.old); got != want {
				t.Fatalf("fingerprint %s, the previous build's %s", got, want)
			}
			if got := walkable(content(s.state)); got != s.walked {
				t.Fatalf("walked = %v, want %v", got, s.walked)
			}
		})
	}
	// What a confirmation must notice still changes it.
	edited := decoded
	edited.Meta = map[string]any{"tags": []any{map[string]any{"name": "y"}}}
	if fingerprint(edited) == fingerprint(decoded) {
		t.Fatal("a meta edit left the fingerprint unchanged")
	}
	bumped := decoded
	bumped.UpdatedAt++
	if fingerprint(bumped) != fingerprint(decoded) {
		t.Fatal("updated_at alone changed the fingerprint (content binding, not time)")
	}
}

// walkable mirrors the values safety.Fingerprint walks without a round trip.
func walkable(v any) bool {
	switch x := v.(type) {
	case nil, bool, float64, string, []string, map[string]string:
		return true
	case []any:
		for _, e := range x {
			if !walkable(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range x {
			if !walkable(e) {
				return false
			}
		}
		return true
	}
	return false
}
