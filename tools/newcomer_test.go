package tools

import (
	"net/http"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/schemas"
)

// Things a first-time user tripped on (issue 15), each pinned here.

func TestCreateModelExplainsMissingOrUnknownBase(t *testing.T) {
	cases := []struct {
		name     string
		base     any
		want     []string
		not      []string
		runtimeQ int // GET /api/models sent
	}{
		{"no base", nil, []string{`Created model "tmp-x".`, `Note: without base_model_id, "tmp-x" is a base-model record`, "list_models does not show"}, []string{"names no model"}, 0},
		{"unknown base", "gpt-5-typo", []string{`Created model "tmp-x".`, `Note: base_model_id "gpt-5-typo" names no model this key can use`}, []string{"base-model record"}, 1},
		{"known base", "gpt-4o-mini", []string{`Created model "tmp-x".`}, []string{"Note:"}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			args := map[string]any{"id": "tmp-x", "name": "X"}
			if c.base != nil {
				args["base_model_id"] = c.base
			}
			var out schemas.Outcome
			res := e.ok("create_model", args, &out)
			mustContain(t, text(res), c.want...)
			mustContain(t, out.Message, c.want...)
			for _, n := range c.not {
				if strings.Contains(text(res), n) {
					t.Errorf("unexpected %q in %s", n, text(res))
				}
			}
			n := 0
			for _, r := range e.fake.Requests() {
				if r.Method == http.MethodGet && r.Path == "/api/models" {
					n++
				}
			}
			if n != c.runtimeQ {
				t.Errorf("GET /api/models sent %d times, want %d", n, c.runtimeQ)
			}
			if w := e.writes(); len(w) != 1 || w[0].Path != "/api/v1/models/create" {
				t.Errorf("writes: %+v", w)
			}
		})
	}
	// The warning shows in the preview too, before anything is sent.
	e := newEnv(t)
	var out schemas.Outcome
	e.ok("create_model", map[string]any{"id": "tmp-y", "name": "Y", "base_model_id": "nope", "dry_run": true}, &out)
	if out.Preview == nil || len(out.Preview.Warnings) != 1 || !strings.Contains(out.Preview.Warnings[0], `"nope" names no model`) {
		t.Errorf("dry run preview: %+v", out.Preview)
	}
	if len(e.writes()) != 0 {
		t.Errorf("dry run wrote: %+v", e.writes())
	}
}

func TestRestoreWarnsOfOwnerChangeOnlyWhenItChanges(t *testing.T) {
	cases := []struct {
		id   string
		warn bool
	}{
		{"team/support-bot:v2", false}, // owned by the admin, restored with the admin's key
		{"sql-helper", true},           // owned by alice, restored with the admin's key
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			e := newEnv(t)
			p := e.preview("delete_model", map[string]any{"id": c.id})
			var del schemas.Outcome
			e.ok("delete_model", map[string]any{"id": c.id, "confirm_token": p.ConfirmToken}, &del)
			rp := e.preview("restore_models", map[string]any{"backup": del.Backup})
			var warns []string
			if rp.Preview != nil {
				warns = rp.Preview.Warnings
			}
			if !c.warn && len(warns) != 0 {
				t.Errorf("the key's user is the original owner, yet: %q", warns)
			}
			if c.warn && (len(warns) != 1 || warns[0] != `"`+c.id+`" is recreated owned by this key's user "admin@example.com" (it was owned by "alice@example.com")`) {
				t.Errorf("warnings %q", warns)
			}
		})
	}
}

func TestListModelsPagePastTheEnd(t *testing.T) {
	e := newEnv(t)
	var out schemas.ListModelsResult
	res := e.ok("list_models", map[string]any{"page": 99}, &out)
	if len(out.Models) != 0 || out.Page != 99 || out.Pages != 2 {
		t.Errorf("structured: %+v", out)
	}
	if got, want := text(res), "page 99 is past the end: 36 models fill 2 page(s) of 30; ask for page 1 to 2, or all=true"; got != want {
		t.Errorf("text\n got %q\nwant %q", got, want)
	}
	// The last real page still reads normally.
	res = e.ok("list_models", map[string]any{"page": 2}, &out)
	mustContain(t, text(res), "36 models, page 2 of 2")
}
