package tools

import (
	"encoding/json"
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
		Meta: m.Meta.Map(), Params: m.Params.Map(), Grants: gs, IsActive: m.IsActive}
}

func TestFingerprintUnchangedAndWalked(t *testing.T) {
	base := "gpt-4o"
	decoded := owui.Model{VersionID: "v1", ID: "team/bot:v2", UserID: "u1", Name: "Bot <b>", BaseModelID: &base, IsActive: true, UpdatedAt: 1,
		Meta:         owui.ObjectOf(map[string]any{"tags": []any{map[string]any{"name": "x"}}, "description": "é", "n": 2.5, "capabilities": nil}),
		Params:       owui.ObjectOf(map[string]any{"system": "be\nbrief", "temperature": 0.2}),
		AccessGrants: []owui.AccessGrant{{PrincipalType: "user", PrincipalID: "u2", Permission: "write"}, {PrincipalType: "group", PrincipalID: "g", Permission: "read"}}}
	bare := owui.Model{ID: "m"} // nil meta, params, base and grants
	// Meta and params are always decoded to plain values; a state built
	// in code may hold others ([]int), which take the encode round trip.
	built := map[string]any{"cur": bare, "ns": []int{1, 2}}
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
		{"built in code", built, map[string]any{"cur": oldContentOf(bare), "ns": []int{1, 2}}, false},
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
	edited.Meta = owui.ObjectOf(map[string]any{"tags": []any{map[string]any{"name": "y"}}})
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

// Meta and params are kept as the bytes Open WebUI sent: the same content
// in another key order or spacing is the same state.
func TestFingerprintIgnoresRawKeyOrderAndSpace(t *testing.T) {
	model := func(meta, params string) owui.Model {
		t.Helper()
		var m owui.Model
		raw := `{"id":"m","name":"M","meta":` + meta + `,"params":` + params + `}`
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a := model(`{"description":"d","tags":[{"name":"x"}],"n":2.50,"capabilities":{"vision":true,"citations":false}}`,
		`{"temperature":0.2,"system":"s"}`)
	cases := []struct {
		name         string
		meta, params string
		same         bool
	}{
		{"keys reordered", `{"capabilities":{"citations":false,"vision":true},"n":2.5,"tags":[{"name":"x"}],"description":"d"}`, `{"system":"s","temperature":0.2}`, true},
		{"spaced and escaped", "{ \"description\" : \"\\u0064\",\n \"tags\":[ {\"name\":\"x\"} ], \"n\":25e-1, \"capabilities\":{\"vision\":true,\"citations\":false} }", ` {"temperature": 2e-1, "system":"s"} `, true},
		{"a value changed", `{"description":"d","tags":[{"name":"y"}],"n":2.5,"capabilities":{"vision":true,"citations":false}}`, `{"temperature":0.2,"system":"s"}`, false},
		{"a nested key's order is not its value", `{"description":"d","tags":[{"name":"x"}],"n":2.5,"capabilities":{"vision":false,"citations":true}}`, `{"temperature":0.2,"system":"s"}`, false},
		{"params moved into meta", `{"description":"d","tags":[{"name":"x"}],"n":2.5,"capabilities":{"vision":true,"citations":false},"system":"s"}`, `{"temperature":0.2}`, false},
	}
	for _, c := range cases {
		b := model(c.meta, c.params)
		if got := fingerprint(b) == fingerprint(a); got != c.same {
			t.Errorf("%s: same fingerprint = %v, want %v", c.name, got, c.same)
		}
		if got := fingerprint([]owui.Model{a, b}) == fingerprint([]owui.Model{b, b}); got != c.same {
			t.Errorf("%s in a list: same fingerprint = %v, want %v", c.name, got, c.same)
		}
	}
}
