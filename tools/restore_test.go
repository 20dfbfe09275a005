package tools

import (
	"errors"
	"slices"
	"testing"

	"github.com/owui-mcp/owui-mcp/owui"
)

func TestRestorePreviewAndState(t *testing.T) {
	r := g("group", "g1", "read")
	mk := func(id, name string, gs ...owui.Grant) owui.Model {
		m := owui.Model{ID: id, Name: name, Meta: owui.EmptyObject(), Params: owui.EmptyObject()}
		for _, x := range gs {
			m.AccessGrants = append(m.AccessGrants, owui.AccessGrant{PrincipalType: x.PrincipalType, PrincipalID: x.PrincipalID, Permission: x.Permission})
		}
		return m
	}
	a, aRenamed, aShared := mk("a", "A"), mk("a", "A2"), mk("a", "A", r)
	b := mk("b", "B")
	cases := []struct {
		name             string
		ts               []restoreTarget
		effects          []string
		changes, access  int
		current, missing []string
		summary          string
	}{
		{"nothing", nil, nil, 0, 0, nil, nil, `restore 0 model(s) from backup "bk1" ("delete_model x"): 0 recreated, 0 overwritten`},
		{"recreate a deleted one", []restoreTarget{{want: b}}, []string{"b:restore"}, 0, 0, nil, []string{"b"},
			`restore 1 model(s) from backup "bk1" ("delete_model x"): 1 recreated, 0 overwritten`},
		{"overwrite a renamed one", []restoreTarget{{want: a, cur: &aRenamed}}, []string{"a:overwrite"}, 1, 0, []string{"a"}, nil,
			`restore 1 model(s) from backup "bk1" ("delete_model x"): 0 recreated, 1 overwritten`},
		{"overwrite takes a grant back", []restoreTarget{{want: a, cur: &aShared}, {want: b}}, []string{"a:overwrite", "b:restore"}, 0, 1, []string{"a"}, []string{"b"},
			`restore 2 model(s) from backup "bk1" ("delete_model x"): 1 recreated, 1 overwritten`},
	}
	for _, c := range cases {
		pv := restorePreview("bk1", "delete_model x", c.ts, []string{"w"})
		var effects []string
		for _, m := range pv.Models {
			effects = append(effects, m.ID+":"+m.Effect)
		}
		if !slices.Equal(effects, c.effects) || len(pv.Changes) != c.changes || len(pv.Access) != c.access || pv.Summary != c.summary || !slices.Equal(pv.Warnings, []string{"w"}) {
			t.Errorf("%s: effects %v changes %+v access %+v summary %q", c.name, effects, pv.Changes, pv.Access, pv.Summary)
		}
		if c.access > 0 && (len(pv.Access[0].Loses) != 1 || len(pv.Access[0].Gains) != 0 || len(pv.Access[0].After) != 0 || pv.Access[0].After == nil) {
			t.Errorf("%s: access %+v", c.name, pv.Access[0])
		}
		current, missing := restoreState(c.ts)
		if !slices.Equal(ids(current), c.current) || !slices.Equal(missing, c.missing) {
			t.Errorf("%s: state current %v missing %v", c.name, ids(current), missing)
		}
	}
}

func TestIDsInBackup(t *testing.T) {
	held := []owui.Model{{ID: "a"}, {ID: "b"}}
	if err := idsInBackup(nil, "bk1", held); err != nil {
		t.Errorf("no ids: %v", err)
	}
	if err := idsInBackup([]string{"b", "a"}, "bk1", held); err != nil {
		t.Errorf("held ids: %v", err)
	}
	var ae *ArgError
	err := idsInBackup([]string{"a", "zz"}, "bk1", held)
	if !errors.As(err, &ae) || ae.Tool != "restore_models" || !slices.Equal(ae.Problems, []string{`"zz" is not in backup bk1`}) {
		t.Errorf("missing id: %#v", err)
	}
}
