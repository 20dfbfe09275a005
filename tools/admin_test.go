package tools

import (
	"errors"
	"slices"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

func TestSyncElements(t *testing.T) {
	ok := func(id string) map[string]any { return map[string]any{"id": id, "name": id + " bot"} }
	cases := []struct {
		name    string
		in      []map[string]any
		ids     []string
		problem string
	}{
		{"none", nil, nil, ""},
		{"complete records", []map[string]any{ok("a"), ok("b")}, []string{"a", "b"}, ""},
		{"an id listed twice", []map[string]any{ok("a"), ok("b"), ok("a")}, nil, "models[2]: id a is listed twice"},
		{"a record without a name", []map[string]any{ok("a"), {"id": "b"}}, nil, "models[1]: b needs a name"},
		{"a record without an id", []map[string]any{{"name": "x"}}, nil, "models[0]: needs an id of 1 to 256 characters"},
	}
	for _, c := range cases {
		els, err := syncElements(c.in, 1700000000)
		var ae *ArgError
		switch {
		case c.problem == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.problem != "" && (!errors.As(err, &ae) || ae.Tool != "sync_models" || !slices.Equal(ae.Problems, []string{c.problem})):
			t.Errorf("%s: error %#v; want the problem %q", c.name, err, c.problem)
		case c.problem == "" && !slices.Equal(ids(els), c.ids):
			t.Errorf("%s: ids %v; want %v", c.name, ids(els), c.ids)
		}
		for _, m := range els {
			if !m.IsActive || m.Meta.IsNull() || m.Params.IsNull() || m.CreatedAt != 1700000000 {
				t.Errorf("%s: %s not completed: %+v", c.name, m.ID, m)
			}
		}
	}
}

func TestSyncPreview(t *testing.T) {
	a := owui.Model{ID: "a", Name: "A", Meta: owui.EmptyObject(), Params: owui.EmptyObject()}
	a2 := a
	a2.Name = "A2"
	b := owui.Model{ID: "b", Name: "B", Meta: owui.EmptyObject(), Params: owui.EmptyObject()}
	cases := []struct {
		name    string
		els     []owui.Model
		all     []owui.Model
		effects []string // id:effect in preview order
		changes int
		deleted []string
		summary string
	}{
		{"empty list deletes everything", nil, []owui.Model{a, b}, []string{"a:delete", "b:delete"}, 0, []string{"a", "b"}, "sync: 0 created, 0 updated, 2 DELETED"},
		{"create into nothing", []owui.Model{a}, nil, []string{"a:create"}, 0, nil, "sync: 1 created, 0 updated, 0 DELETED"},
		{"update one, delete one", []owui.Model{a2}, []owui.Model{a, b}, []string{"a:update", "b:delete"}, 1, []string{"b"}, "sync: 0 created, 1 updated, 1 DELETED"},
		{"unchanged update has no changes", []owui.Model{a, b}, []owui.Model{a, b}, []string{"a:update", "b:update"}, 0, nil, "sync: 0 created, 2 updated, 0 DELETED"},
	}
	for _, c := range cases {
		pv, deleted := syncPreview(c.els, c.all)
		var effects []string
		for _, m := range pv.Models {
			effects = append(effects, m.ID+":"+m.Effect)
		}
		if !slices.Equal(effects, c.effects) || len(pv.Changes) != c.changes || !slices.Equal(deleted, c.deleted) || pv.Summary != c.summary || pv.Action != "sync_models" {
			t.Errorf("%s: effects %v changes %+v deleted %v summary %q", c.name, effects, pv.Changes, deleted, pv.Summary)
		}
	}
	pv, _ := syncPreview([]owui.Model{a2}, []owui.Model{a})
	if want := (schemas.FieldChange{ID: "a", Field: "name", Before: "A", After: "A2"}); len(pv.Changes) != 1 || pv.Changes[0] != want {
		t.Errorf("changes %+v; want %+v", pv.Changes, want)
	}
}
