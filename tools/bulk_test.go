package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	tiktoken "github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

func g(pt, id, perm string) owui.Grant {
	return owui.Grant{PrincipalType: pt, PrincipalID: id, Permission: perm}
}

func TestTagChange(t *testing.T) {
	cases := []struct {
		cur, add, remove, want []string
		changed                bool
	}{
		{[]string{"a", "b"}, []string{"c"}, nil, []string{"a", "b", "c"}, true},
		{[]string{"Research"}, []string{"research"}, nil, []string{"Research"}, false}, // case-insensitive, like the tag filter
		{[]string{"Research", "x"}, nil, []string{"RESEARCH"}, []string{"x"}, true},
		{[]string{"a"}, nil, []string{"a"}, []string{}, true},
		{nil, nil, []string{"a"}, []string{}, false},
		{[]string{"a"}, []string{" b "}, nil, []string{"a", "b"}, true},
	}
	for _, c := range cases {
		got, changed := tagChange(c.cur, c.add, c.remove)
		if !slices.Equal(got, c.want) || changed != c.changed || got == nil {
			t.Errorf("tagChange(%v, +%v, -%v) = %#v, %v; want %v, %v", c.cur, c.add, c.remove, got, changed, c.want, c.changed)
		}
	}
}

func TestGrantChange(t *testing.T) {
	r, w := g("group", "g1", "read"), g("group", "g1", "write")
	u := g("user", "u1", "read")
	after, gains, loses := grantChange([]owui.Grant{w, r}, []owui.Grant{u, r}, []owui.Grant{w})
	if !equalJSON(after, []owui.Grant{r, u}) || !equalJSON(gains, []schemas.Grant{schemas.Grant(u)}) || !equalJSON(loses, []schemas.Grant{schemas.Grant(w)}) {
		t.Errorf("after %v gains %v loses %v", after, gains, loses)
	}
	after, gains, loses = grantChange([]owui.Grant{r}, []owui.Grant{r}, []owui.Grant{u})
	if !equalJSON(after, []owui.Grant{r}) || len(gains)+len(loses) != 0 {
		t.Errorf("no-op: after %v gains %v loses %v", after, gains, loses)
	}
	after, _, loses = grantChange([]owui.Grant{r}, nil, []owui.Grant{r})
	if len(after) != 0 || len(loses) != 1 {
		t.Errorf("remove last: %v %v", after, loses)
	}
}

func TestMatchesFilter(t *testing.T) {
	base := "gpt-4o"
	m := owui.Model{ID: "x", UserID: "u-bob", BaseModelID: &base, IsActive: true,
		User: &owui.User{ID: "u-bob", Name: "Bob Smith", Email: "Bob@Example.com"}}
	yes, no := true, false
	cases := []struct {
		f    schemas.BulkFilter
		want bool
	}{
		{schemas.BulkFilter{Owner: "u-bob"}, true},
		{schemas.BulkFilter{Owner: "bob@example.com"}, true},
		{schemas.BulkFilter{Owner: "bob smith"}, true},
		{schemas.BulkFilter{Owner: "Bob"}, false}, // whole value, not a substring
		{schemas.BulkFilter{Owner: "u-bo"}, false},
		{schemas.BulkFilter{BaseModelID: "gpt-4o"}, true},
		{schemas.BulkFilter{BaseModelID: "GPT-4o"}, false},
		{schemas.BulkFilter{Active: &yes}, true},
		{schemas.BulkFilter{Active: &no}, false},
		{schemas.BulkFilter{Owner: "u-bob", BaseModelID: "gpt-4o-mini"}, false}, // AND
		{schemas.BulkFilter{Query: "anything", Tag: "t"}, true},                 // applied upstream
	}
	for _, c := range cases {
		if got := matchesFilter(m, c.f); got != c.want {
			t.Errorf("matchesFilter(%+v) = %v", c.f, got)
		}
	}
	noUser := owui.Model{UserID: "u-bob"}
	if !ownedBy(noUser, "u-bob") || ownedBy(noUser, "bob@example.com") {
		t.Error("owner of a GET record (user null) matches by user_id only")
	}
}

func TestLit(t *testing.T) {
	for in, want := range map[string]string{
		"team/support-bot:v2": "team/support-bot:v2",
		"release notes v1.2":  `"release notes v1.2"`,
		"evil\nIGNORE":        `"evil\nIGNORE"`,
		"":                    `""`,
	} {
		if got := lit(in); got != want {
			t.Errorf("lit(%q) = %s, want %s", in, got, want)
		}
	}
}

// bulkPreview calls a bulk tool without confirmation and returns the
// outcome and its text.
func (e *env) bulkPreview(tool string, args map[string]any) (schemas.Outcome, string) {
	e.t.Helper()
	e.fake.ResetRequests()
	res := e.ok(tool, args, nil)
	var out schemas.Outcome
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &out); err != nil {
		e.t.Fatal(err)
	}
	if w := e.writes(); len(w) != 0 {
		e.t.Fatalf("%s: the preview sent writes: %+v", tool, w)
	}
	if out.Status != "confirmation_required" || out.ConfirmToken == "" {
		e.t.Fatalf("%s: not a preview: %s", tool, text(res))
	}
	return out, text(res)
}

func effectIDs2(p *schemas.Preview, effect string) []string {
	var out []string
	for _, m := range p.Models {
		if effect == "" || m.Effect == effect {
			out = append(out, m.ID)
		}
	}
	sort.Strings(out)
	return out
}

// listIDs is what list_models all=true shows for query and tag.
func (e *env) listIDs(query, tag string) []string {
	var res schemas.ListModelsResult
	e.ok("list_models", map[string]any{"query": query, "tag": tag, "all": true, "limit": 1000}, &res)
	var out []string
	for _, m := range res.Models {
		out = append(out, m.ID)
	}
	sort.Strings(out)
	return out
}

func TestBulkSelectionFollowsListSemantics(t *testing.T) {
	e := newEnv(t)
	models := e.fake.Models()
	custom := func(keep func(m fakeowui.Model) bool) []string {
		var out []string
		for _, m := range models {
			if m.BaseModelID != nil && keep(m) {
				out = append(out, m.ID)
			}
		}
		sort.Strings(out)
		return out
	}
	eng := e.listIDs("", "engineering")
	if len(eng) != 12 {
		t.Fatalf("seed: %d engineering models listed", len(eng))
	}
	cases := []struct {
		name   string
		filter map[string]any
		want   []string
	}{
		{"tag is case-insensitive like list", map[string]any{"tag": "ENGINEERING"}, e.listIDs("", "ENGINEERING")},
		{"query like list", map[string]any{"query": "sql"}, e.listIDs("sql", "")},
		{"owner by e-mail", map[string]any{"owner": "ALICE@example.com"}, custom(func(m fakeowui.Model) bool { return m.UserID == "u-alice" })},
		{"owner by name", map[string]any{"owner": "alice"}, custom(func(m fakeowui.Model) bool { return m.UserID == "u-alice" })},
		{"owner by id", map[string]any{"owner": "u-alice"}, custom(func(m fakeowui.Model) bool { return m.UserID == "u-alice" })},
		{"base model", map[string]any{"base_model_id": "llama3.1:8b"}, custom(func(m fakeowui.Model) bool { return *m.BaseModelID == "llama3.1:8b" })},
		{"inactive", map[string]any{"active": false}, []string{"legacy-faq-bot"}},
		{"AND", map[string]any{"tag": "engineering", "owner": "u-alice", "base_model_id": "llama3.1:8b"}, []string{"regex-wizard", "sql-helper"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _ := e.bulkPreview("update_models", map[string]any{"filter": c.filter, "add_tags": []any{"zz-new"}})
			got := effectIDs2(out.Preview, "")
			if !slices.Equal(got, c.want) || out.Preview.Counts["matched"] != len(c.want) {
				t.Errorf("selected %v (matched %d)\nwant %v", got, out.Preview.Counts["matched"], c.want)
			}
			for _, r := range e.fake.Requests() {
				if r.Path == "/api/v1/models/list" {
					q, _ := url.ParseQuery(r.RawQuery)
					if q.Get("order_by") != "created_at" || q.Get("page") == "" {
						t.Errorf("list request without stable order: %s", r.RawQuery)
					}
				}
			}
		})
	}
	// Walking pages: 36 custom models are two pages.
	e.bulkPreview("update_models", map[string]any{"filter": map[string]any{"owner": "u-admin"}, "add_tags": []any{"x"}})
	pages := 0
	for _, r := range e.fake.Requests() {
		if r.Path == "/api/v1/models/list" {
			pages++
		}
	}
	if pages != 2 {
		t.Errorf("list pages read: %d, want 2", pages)
	}
}

func TestBulkSelectsByIDsWithSlashColonAndSpace(t *testing.T) {
	e := newEnv(t)
	ids := []any{"team/support-bot:v2", "alice/notes:draft", "release notes v1.2", "team/support-bot:v2"}
	out, _ := e.bulkPreview("update_models", map[string]any{"ids": ids, "active": false})
	if got := effectIDs2(out.Preview, "update"); !slices.Equal(got, []string{"alice/notes:draft", "release notes v1.2", "team/support-bot:v2"}) {
		t.Errorf("selected %v", got)
	}
	var gets []string
	for _, r := range e.fake.Requests() {
		if r.Path == "/api/v1/models/model" {
			gets = append(gets, r.RawQuery)
		}
	}
	sort.Strings(gets)
	want := []string{"id=alice%2Fnotes%3Adraft", "id=release+notes+v1.2", "id=team%2Fsupport-bot%3Av2"}
	if !slices.Equal(gets, want) {
		t.Errorf("GETs %v, want %v (one per distinct id, encoded)", gets, want)
	}
	e.fake.ResetRequests()
	msg := e.fail("update_models", map[string]any{"ids": []any{"code-reviewer", "no/such:model"}, "active": false})
	mustContain(t, msg, "not found or not readable with this key: no/such:model", "Nothing was previewed or changed")
	if len(e.writes()) != 0 {
		t.Error("writes after an unknown id")
	}
}

func TestBulkRefusesBeforeAnyPreview(t *testing.T) {
	e := newEnv(t, withOptions(Options{AllowAdmin: true, Confirm: ConfirmAuto, MaxBulk: 3}))
	grant := []any{map[string]any{"principal_type": "group", "principal_id": "g", "permission": "read"}}
	cases := []struct {
		tool     string
		args     map[string]any
		want     string
		upstream bool // the refusal needed an upstream read
	}{
		{"update_models", map[string]any{"filter": map[string]any{"tag": "no-such-tag"}, "active": false}, "no model matches the selection", true},
		{"delete_models", map[string]any{"filter": map[string]any{"tag": "engineering"}}, "the selection has 12 models, more than --max-bulk=3", true},
		{"delete_models", map[string]any{"ids": []any{"a", "b", "c", "d"}}, "4 models, more than --max-bulk=3", false},
		{"update_models", map[string]any{"ids": []any{"a"}, "filter": map[string]any{"tag": "x"}, "active": true}, "ids or filter, not both", false},
		{"update_models", map[string]any{"active": true}, "give ids", false},
		{"delete_models", map[string]any{"ids": []any{}}, "ids is empty", false},
		{"update_models", map[string]any{"filter": map[string]any{}, "active": true}, "filter needs at least one of", false},
		{"update_models", map[string]any{"ids": []any{"a"}}, "nothing to change", false},
		{"update_models", map[string]any{"ids": []any{"a"}, "add_tags": []any{"x"}, "remove_tags": []any{"X"}}, `tag "x" is both added and removed`, false},
		{"update_models", map[string]any{"ids": []any{"a"}, "add_grants": grant}, "without --allow-access-changes", false},
		// The published schema does not repeat the grant shape; arguments
		// are still checked against it.
		{"update_models", map[string]any{"ids": []any{"a"}, "remove_grants": []any{map[string]any{"principal_type": "group", "principal_id": "g", "permission": "admin"}}}, `"remove_grants[0].permission"`, false},
		{"update_models", map[string]any{"ids": []any{"a"}, "add_grants": []any{map[string]any{"principal_type": "group", "principal_id": "g", "permission": "read", "x": 1}}}, `"add_grants[0].x" is not an argument here`, false},
	}
	for _, c := range cases {
		e.fake.ResetRequests()
		res := e.call(c.tool, c.args)
		if !res.IsError {
			t.Errorf("%s %v: not refused: %s", c.tool, c.args, text(res))
			continue
		}
		mustContain(t, text(res), c.want)
		if strings.Contains(text(res), "confirm_token") {
			t.Errorf("%s: a refusal carries a preview: %s", c.tool, text(res))
		}
		if n := len(e.fake.Requests()); (n > 0) != c.upstream || len(e.writes()) > 0 {
			t.Errorf("%s %v: %d upstream requests", c.tool, c.args, n)
		}
	}
}

func TestBulkStopsReadingPastMaxBulk(t *testing.T) {
	e := newEnv(t, withOptions(Options{AllowAdmin: true, Confirm: ConfirmAuto, MaxBulk: 3}))
	msg := e.fail("delete_models", map[string]any{"filter": map[string]any{"owner": "u-admin"}})
	mustContain(t, msg, "the selection has at least ", "more than --max-bulk=3")
	var pages []string
	for _, r := range e.fake.Requests() {
		if r.Path == "/api/v1/models/list" {
			pages = append(pages, r.RawQuery)
		}
	}
	// Page 1 already holds more than 3 of u-admin's models: page 2 of the
	// 36 is never read.
	if len(pages) != 1 || !strings.Contains(pages[0], "page=1") {
		t.Errorf("list reads %v", pages)
	}
}

func TestUpdateModelsPreviewContent(t *testing.T) {
	e := newEnv(t)
	// support-bot already has the grant; legacy-faq-bot is already off.
	e.fake.PutModel(fakeModelWithTag(e, "legacy-faq-bot", "support"))
	args := map[string]any{"filter": map[string]any{"tag": "support"}, "active": false, "add_tags": []any{"Beta"}, "remove_tags": []any{"customer"},
		"add_grants": []any{map[string]any{"principal_type": "group", "principal_id": "g-eng", "permission": "read"}}}
	out, txt := e.bulkPreview("update_models", args)
	mustContain(t, txt,
		"change 3 of 3 matched models (0 already as asked, 0 cannot be changed by this key)",
		"owner admin@example.com:\n",
		`- team/support-bot:v2 "Support Bot v2": active on→off; tags [support,customer] +Beta −customer`+"\n",
		`- legacy-faq-bot "Legacy FAQ Bot": tags [support,legacy] +Beta; +group "g-eng" (read)`,
		`- customer-sentiment "Customer Sentiment": active on→off; tags [support,data] +Beta; +group "g-eng" (read)`,
		"A backup of the 3 records is written first; restore_models undoes the whole call.",
		"confirm_token: ")
	p := out.Preview
	if len(p.Access) != 2 || p.Access[0].Gains[0].PrincipalID != "g-eng" || p.Counts["change"] != 3 {
		t.Errorf("structured preview: %+v", p)
	}
	// A second selection where some models need nothing.
	_, txt = e.bulkPreview("update_models", map[string]any{"filter": map[string]any{"tag": "support"}, "active": true})
	mustContain(t, txt, "change 1 of 3 matched models (2 already as asked", "- legacy-faq-bot", "already as asked (2): customer-sentiment, team/support-bot:v2")
	// Nothing at all to do: no token.
	var none schemas.Outcome
	e.ok("update_models", map[string]any{"ids": []any{"code-reviewer"}, "active": true}, &none)
	if none.Status != "done" || none.ConfirmToken != "" || !strings.Contains(none.Message, "Nothing to do") {
		t.Errorf("no-op: %+v", none)
	}
}

// fakeModelWithTag returns the stored model id (a seed model) as is; it
// documents which seed rows a test relies on.
func fakeModelWithTag(e *env, id, tag string) fakeowui.Model {
	m, ok := e.fake.Model(id)
	if !ok || !slices.Contains(tagsOf(owui.ObjectOf(m.Meta)), tag) {
		e.t.Fatalf("seed model %s with tag %s missing", id, tag)
	}
	return m
}

func TestBulkPreviewTokensPerModel(t *testing.T) {
	e := newEnv(t)
	_, txt := e.bulkPreview("update_models", map[string]any{"filter": map[string]any{"owner": "u-admin"}, "active": false, "add_tags": []any{"beta"},
		"add_grants": []any{map[string]any{"principal_type": "group", "principal_id": "g-interns", "permission": "read"}}})
	tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader())
	enc, err := tiktoken.GetEncoding("cl100k_base")
	if err != nil {
		t.Fatal(err)
	}
	// Per model: what the model lines add to the text (the message and
	// the token around them are paid once per call, not per model).
	var fixed []string
	for _, line := range strings.Split(txt, "\n") {
		if !strings.HasPrefix(line, "- ") {
			fixed = append(fixed, line)
		}
	}
	n := len(enc.Encode(txt, nil, nil)) - len(enc.Encode(strings.Join(fixed, "\n"), nil, nil))
	if per := float64(n) / 31; per > 40 {
		t.Errorf("the 31 model lines are %d tokens = %.1f per model, over 40", n, per)
	}
}

// confirm runs a previewed bulk call with its token and returns the result.
func (e *env) confirm(tool string, args map[string]any, tok string) (*mcp.CallToolResult, schemas.Outcome) {
	e.t.Helper()
	e.fake.ResetRequests()
	res := e.call(tool, with(args, "confirm_token", tok))
	var out schemas.Outcome
	b, _ := json.Marshal(res.StructuredContent)
	_ = json.Unmarshal(b, &out)
	return res, out
}

func TestUpdateModelsUsesTheCheapestRoute(t *testing.T) {
	e := newEnv(t)
	grant := map[string]any{"principal_type": "group", "principal_id": "g-ops", "permission": "read"}
	cases := []struct {
		name  string
		args  map[string]any
		check func(t *testing.T, w []fakeowui.Request)
	}{
		{"active alone is a toggle", map[string]any{"ids": []any{"alice/notes:draft"}, "active": false}, func(t *testing.T, w []fakeowui.Request) {
			if len(w) != 1 || w[0].Path != "/api/v1/models/model/toggle" || w[0].RawQuery != "id=alice%2Fnotes%3Adraft" || len(w[0].Body) != 0 {
				t.Errorf("writes %+v", w)
			}
		}},
		{"grants alone go to the access route", map[string]any{"ids": []any{"team/support-bot:v2"}, "add_grants": []any{grant}}, func(t *testing.T, w []fakeowui.Request) {
			want := map[string]any{"id": "team/support-bot:v2", "access_grants": []any{
				map[string]any{"principal_type": "group", "principal_id": "g-eng", "permission": "read"},
				map[string]any{"principal_type": "group", "principal_id": "g-eng", "permission": "write"},
				grant}}
			if len(w) != 1 || w[0].Path != "/api/v1/models/model/access/update" || !equalJSON(body(t, w[0].Body), want) {
				t.Errorf("writes %+v", w)
			}
		}},
		{"tags are a full update keeping the rest", map[string]any{"ids": []any{"meeting-summarizer"}, "add_tags": []any{"beta"}, "active": false, "commit_message": "bulk beta"}, func(t *testing.T, w []fakeowui.Request) {
			if len(w) != 1 || w[0].Path != "/api/v1/models/model/update" {
				t.Fatalf("writes %+v", w)
			}
			got := body(t, w[0].Body)
			meta := got["meta"].(map[string]any)
			if got["is_active"] != false || got["base_model_id"] != "gpt-4o" || got["commit_message"] != "bulk beta" ||
				!equalJSON(meta["tags"], []any{map[string]any{"name": "productivity"}, map[string]any{"name": "beta"}}) ||
				!strings.HasPrefix(fmt.Sprint(meta["profile_image_url"]), "data:image/png") ||
				got["params"].(map[string]any)["temperature"] != 0.4 ||
				!equalJSON(got["access_grants"], []any{map[string]any{"principal_type": "group", "principal_id": "g-eng", "permission": "read"}}) {
				t.Errorf("update body %s", compactJSON(got))
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _ := e.bulkPreview("update_models", c.args)
			res, done := e.confirm("update_models", c.args, out.ConfirmToken)
			if res.IsError || done.Status != "done" || done.Backup == "" {
				t.Fatalf("confirmed: %s", text(res))
			}
			c.check(t, e.writes())
		})
	}
	m, _ := e.fake.Model("meeting-summarizer")
	if m.IsActive || !slices.Contains(tagsOf(owui.ObjectOf(m.Meta)), "beta") {
		t.Errorf("after: %+v", m)
	}
}

// A confirmation binds the selection and every selected record, whichever
// way the confirming call re-reads them: a small selection is re-read as
// the preview read it (list pages and single reads), a large one first out
// of one export (planBulk); both refuse every change below.
func TestBulkTargetChangedBetweenPreviewAndConfirmation(t *testing.T) {
	grant := map[string]any{"principal_type": "group", "principal_id": "g-audit", "permission": "read"}
	selections := []struct {
		name   string
		args   map[string]any
		victim string // a selected model; copied, it matches the filter too
	}{
		{"small, by tag", map[string]any{"filter": map[string]any{"tag": "hr"}, "add_tags": []any{"people"}}, "hr-policy-assistant"},
		{"large, by base model", map[string]any{"filter": map[string]any{"base_model_id": "gpt-4o"}, "add_grants": []any{grant}}, "meeting-summarizer"},
	}
	cases := []struct {
		name   string
		change func(e *env, victim string)
	}{
		{"model added to the filter", func(e *env, victim string) {
			m, _ := e.fake.Model(victim)
			m.ID = "new-copy-of-" + victim
			m.CreatedAt, m.UpdatedAt = 0, 0
			e.fake.PutModel(m)
		}},
		{"model removed", func(e *env, victim string) {
			p := e.preview("delete_model", map[string]any{"id": victim})
			e.ok("delete_model", map[string]any{"id": victim, "confirm_token": p.ConfirmToken}, nil)
		}},
		{"model edited", func(e *env, victim string) {
			e.ok("update_model", map[string]any{"id": victim, "description": "edited meanwhile"}, nil)
		}},
		// Neither changes meta or version_id: the binding must still see them.
		{"model toggled", func(e *env, victim string) {
			e.ok("toggle_model", map[string]any{"id": victim}, nil)
		}},
		{"grant added", func(e *env, victim string) {
			m, _ := e.fake.Model(victim)
			m.AccessGrants = append(m.AccessGrants, fakeowui.Grant{PrincipalType: "user", PrincipalID: "u-new", Permission: "read"})
			e.fake.PutModel(m)
		}},
	}
	for _, sel := range selections {
		for _, c := range cases {
			t.Run(sel.name+"/"+c.name, func(t *testing.T) {
				e := newEnv(t)
				out, _ := e.bulkPreview("update_models", sel.args)
				c.change(e, sel.victim)
				res, again := e.confirm("update_models", sel.args, out.ConfirmToken)
				if !res.IsError || again.Status != "confirmation_required" || again.ConfirmToken == "" {
					t.Fatalf("not refused with a fresh preview: %s", text(res))
				}
				mustContain(t, text(res), "the target changed in Open WebUI since the preview")
				if len(e.writes()) != 0 {
					t.Fatalf("writes after a changed target: %+v", e.writes())
				}
				res, done := e.confirm("update_models", sel.args, again.ConfirmToken)
				if res.IsError || done.Status != "done" {
					t.Errorf("fresh token: %s", text(res))
				}
			})
		}
	}
}

// readsOf lists the GET paths of the fake's request log, in order.
func readsOf(e *env) []string {
	var out []string
	for _, r := range e.fake.Requests() {
		if r.Method == http.MethodGet {
			out = append(out, r.Path)
		}
	}
	return out
}

// A confirming call whose state is unchanged re-reads a large selection or
// a list of ids out of one export instead of every list page or one read
// per id, and sends the same writes; a filter by query or owner (matched
// upstream against user names too) is re-read page by page, and so is any
// selection whose export shortcut does not reproduce the bound state.
func TestBulkConfirmationRereadsOneExport(t *testing.T) {
	grant := map[string]any{"principal_type": "group", "principal_id": "g-audit", "permission": "read"}
	export := "/api/v1/models/export"
	cases := []struct {
		name      string
		args      map[string]any
		between   func(e *env) // runs between preview and confirmation
		wantReads func(reads []string) bool
	}{
		{"large filter", map[string]any{"filter": map[string]any{"base_model_id": "gpt-4o"}, "add_grants": []any{grant}}, nil,
			func(r []string) bool { return slices.Equal(r, []string{export}) }},
		{"ids", map[string]any{"ids": []any{"sql-helper", "team/support-bot:v2", "alice/notes:draft"}, "add_tags": []any{"x"}}, nil,
			func(r []string) bool { return slices.Equal(r, []string{export}) }},
		{"an unselected model changed", map[string]any{"filter": map[string]any{"base_model_id": "gpt-4o"}, "add_grants": []any{grant}},
			func(e *env) { e.ok("toggle_model", map[string]any{"id": "sql-helper"}, nil) }, // base gpt-4o-mini
			func(r []string) bool { return slices.Equal(r, []string{export}) }},
		{"query filter", map[string]any{"filter": map[string]any{"query": "helper"}, "add_tags": []any{"x"}}, nil,
			func(r []string) bool { return !slices.Contains(r, export) && slices.Contains(r, "/api/v1/models/list") }},
		// Three targets, read one by one at preview: those reads are what was
		// bound, and the export's records are the same.
		{"small filter", map[string]any{"filter": map[string]any{"tag": "hr"}, "add_tags": []any{"people"}}, nil,
			func(r []string) bool { return slices.Equal(r, []string{export}) }},
		// onboarding-buddy already grants g-eng read: it was bound as its list
		// item (no full record read for a model that needs no change), which
		// the export cannot reproduce, so the pages and reads follow.
		{"a model already as asked", map[string]any{"filter": map[string]any{"tag": "hr"}, "add_grants": []any{
			map[string]any{"principal_type": "group", "principal_id": "g-eng", "permission": "read"}}}, nil,
			func(r []string) bool { return slices.Contains(r, export) && slices.Contains(r, "/api/v1/models/list") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The same call on a twin server, confirmed without the shortcut
			// (--confirm=none plans once, with no token to bind): the writes
			// must be the same.
			none := allOn
			none.Confirm = ConfirmNone
			twin := newEnv(t, withOptions(none))
			if c.between != nil {
				c.between(twin)
			}
			twin.fake.ResetRequests()
			var twinDone schemas.Outcome
			twin.ok("update_models", c.args, &twinDone)
			want := twin.writes()

			e := newEnv(t)
			out, _ := e.bulkPreview("update_models", c.args)
			if c.between != nil {
				c.between(e)
			}
			res, done := e.confirm("update_models", c.args, out.ConfirmToken)
			if res.IsError || done.Status != "done" || done.Backup == "" {
				t.Fatalf("confirmed: %s", text(res))
			}
			if r := readsOf(e); !c.wantReads(r) {
				t.Errorf("reads at confirmation: %v", r)
			}
			got := e.writes()
			if len(got) != len(want) || len(got) == 0 {
				t.Fatalf("%d writes, the unconfirmed twin sent %d", len(got), len(want))
			}
			key := func(r fakeowui.Request) string {
				return r.Method + " " + r.Path + "?" + r.RawQuery + " " + compactJSON(body(t, r.Body))
			}
			g, w := make([]string, len(got)), make([]string, len(want))
			for i := range got {
				g[i], w[i] = key(got[i]), key(want[i])
			}
			sort.Strings(g)
			sort.Strings(w)
			if !slices.Equal(g, w) {
				t.Errorf("writes differ from the twin's:\n got %v\nwant %v", g, w)
			}
			// The shortcut's plan is built without the preview's text; what
			// the backup records of it must still be the full plan's.
			mine, err := e.deps.Backups.Read(done.Backup)
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := twin.deps.Backups.Read(twinDone.Backup)
			if err != nil {
				t.Fatal(err)
			}
			if mine.Operation != theirs.Operation || !slices.Equal(mine.Changed, theirs.Changed) || !slices.Equal(mine.Deleted, theirs.Deleted) {
				t.Errorf("backup says %q changed %v deleted %v; the twin's %q %v %v", mine.Operation, mine.Changed, mine.Deleted, theirs.Operation, theirs.Changed, theirs.Deleted)
			}
		})
	}
}

// TestBulkLeanPreviewKeepsEffects: a lean preview (a confirm_token's bound
// plan) is the full one without its text and details: the same summary,
// counts, warnings and per-model effects in the same order.
func TestBulkLeanPreviewKeepsEffects(t *testing.T) {
	models, err := newEnv(t).deps.Client.ExportModels(context.Background())
	if err != nil || len(models) < 9 {
		t.Fatalf("%d demo models: %v", len(models), err)
	}
	var ts []bulkTarget
	for i, m := range models[:6] {
		tg := bulkTarget{cur: m, delete: i == 5}
		if i%2 == 0 {
			on := !m.IsActive
			tg.active = &on
		}
		if i%2 == 1 {
			tg.grants = true
			tg.gains = []schemas.Grant{{PrincipalType: "group", PrincipalID: "g-x", Permission: "read"}}
		}
		ts = append(ts, tg)
	}
	same := []string{models[6].ID}
	blocked := map[string][]string{"read-only for this key": {models[7].ID}, "another reason": {models[8].ID}}
	for _, tool := range []string{"update_models", "delete_models"} {
		full := bulkPreview(tool, 9, ts, same, blocked, []string{"w"}, people{}, false)
		lean := bulkPreview(tool, 9, ts, same, blocked, []string{"w"}, people{}, true)
		if full.Text == "" || lean.Text != "" || lean.Changes != nil || lean.Access != nil {
			t.Fatalf("%s: text %q / %q, lean details %v %v", tool, full.Text, lean.Text, lean.Changes, lean.Access)
		}
		if !reflect.DeepEqual(full.Models, lean.Models) || full.Summary != lean.Summary ||
			!reflect.DeepEqual(full.Counts, lean.Counts) || !slices.Equal(full.Warnings, lean.Warnings) {
			t.Errorf("%s: lean preview differs:\n full %+v\n lean %+v", tool, full, lean)
		}
		if len(full.Models) != 9 {
			t.Errorf("%s: %d model effects, want 9", tool, len(full.Models))
		}
	}
}

func TestBulkPartialFailure(t *testing.T) {
	args := map[string]any{"filter": map[string]any{"tag": "engineering", "owner": "u-admin"}, "active": false}
	for _, keepGoing := range []bool{false, true} {
		t.Run(fmt.Sprint("continue_on_error=", keepGoing), func(t *testing.T) {
			e := newEnv(t, withOptions(Options{AllowAdmin: true, AllowAccessChanges: true, Confirm: ConfirmAuto, BulkConcurrency: 1}))
			a := with(args, "continue_on_error", keepGoing)
			out, _ := e.bulkPreview("update_models", a)
			ids := effectIDs2(out.Preview, "update") // run in id order
			if len(ids) != 9 {
				t.Fatalf("targets %v", ids)
			}
			e.fake.FailModel(ids[3], 500, "database is locked")
			res, done := e.confirm("update_models", a, out.ConfirmToken)
			if !res.IsError {
				t.Fatalf("a partial failure is not an error result: %s", text(res))
			}
			r := done.Result
			if done.Status != "partial" || done.Backup == "" || r == nil || len(r.Failed) != 1 || r.Failed[0].ID != ids[3] {
				t.Fatalf("outcome %+v", done)
			}
			mustContain(t, text(res), "database is locked", "restore_models with backup "+done.Backup, "failed: "+ids[3])
			wantChanged, wantSkipped := ids[:3], ids[4:]
			if keepGoing {
				wantChanged, wantSkipped = append(append([]string{}, ids[:3]...), ids[4:]...), nil
			} else {
				mustContain(t, text(res), "stopped at the first failure", "not attempted: "+litList(ids[4:]))
			}
			if !slices.Equal(r.Changed, wantChanged) || !slices.Equal(r.NotAttempted, wantSkipped) {
				t.Errorf("changed %v not attempted %v", r.Changed, r.NotAttempted)
			}
			for _, id := range ids {
				m, _ := e.fake.Model(id)
				if m.IsActive != !slices.Contains(wantChanged, id) {
					t.Errorf("%s active=%v", id, m.IsActive)
				}
			}
			// The backup holds every target, tried or not.
			bk, err := e.deps.Backups.Read(done.Backup)
			if err != nil || len(bk.Models) != 9 {
				t.Fatalf("backup: %v %d", err, len(bk.Models))
			}
		})
	}
}

func TestBulkRestoreWholeOperation(t *testing.T) {
	e := newEnv(t)
	before := e.fake.Models()
	grant := map[string]any{"principal_type": "group", "principal_id": "g-interns", "permission": "read"}
	steps := []struct {
		tool string
		args map[string]any
	}{
		{"update_models", map[string]any{"filter": map[string]any{"tag": "data"}, "add_grants": []any{grant}, "add_tags": []any{"x"}, "active": false}},
		{"delete_models", map[string]any{"filter": map[string]any{"owner": "alice@example.com"}}},
	}
	var backups []string
	for _, s := range steps {
		out, _ := e.bulkPreview(s.tool, s.args)
		res, done := e.confirm(s.tool, s.args, out.ConfirmToken)
		if res.IsError || done.Status != "done" {
			t.Fatalf("%s: %s", s.tool, text(res))
		}
		mustContain(t, text(res), "Backup "+done.Backup)
		backups = append(backups, done.Backup)
	}
	if _, ok := e.fake.Model("sql-helper"); ok {
		t.Fatal("not deleted")
	}
	for i := len(backups) - 1; i >= 0; i-- {
		p := e.preview("restore_models", map[string]any{"backup": backups[i]})
		e.ok("restore_models", map[string]any{"backup": backups[i], "confirm_token": p.ConfirmToken}, nil)
	}
	after := e.fake.Models()
	if len(after) != len(before) {
		t.Fatalf("%d models after restore, %d before", len(after), len(before))
	}
	for i := range before {
		a, b := after[i], before[i]
		if a.ID != b.ID || a.Name != b.Name || a.IsActive != b.IsActive || !equalJSON(a.Meta, b.Meta) || !equalJSON(a.Params, b.Params) ||
			!equalJSON(sortedFake(a.AccessGrants), sortedFake(b.AccessGrants)) {
			t.Errorf("%s differs after restore:\n got %+v\nwant %+v", b.ID, a, b)
		}
	}
}

func TestBulkNonAdminChangesOnlyWhatItMay(t *testing.T) {
	// Concurrency 1 makes the plan try one export first (Alice may not
	// export), then read the records one by one.
	e := newEnv(t, withKey(fakeowui.UserKey), withOptions(Options{AllowAccessChanges: true, AllowAdmin: true, Confirm: ConfirmAuto, BulkConcurrency: 1}))
	args := map[string]any{"filter": map[string]any{"tag": "engineering"}, "add_tags": []any{"reviewed"}}
	out, txt := e.bulkPreview("update_models", args)
	// Alice owns these; incident-commander (a g-eng write grant without
	// read) is not in her list at all (0.12.4, compatibility E1).
	mine := []string{"regex-wizard", "shell-explainer", "sql-helper"}
	if got := effectIDs2(out.Preview, "update"); !slices.Equal(got, mine) {
		t.Errorf("changeable %v, want %v", got, mine)
	}
	mustContain(t, txt, "cannot change, read-only for this key (", "code-reviewer", `"release notes v1.2"`)
	var export, gets int
	for _, r := range e.fake.Requests() {
		switch r.Path {
		case "/api/v1/models/export":
			export++
		case "/api/v1/models/model":
			gets++
		}
	}
	if export != 1 || gets != len(mine) {
		t.Errorf("full records: %d export, %d GETs", export, gets)
	}
	res, done := e.confirm("update_models", args, out.ConfirmToken)
	if res.IsError || !slices.Equal(done.Result.Changed, mine) {
		t.Fatalf("confirmed: %s", text(res))
	}
	for _, r := range e.writes() {
		if id, _ := body(t, r.Body)["id"].(string); !slices.Contains(mine, id) {
			t.Errorf("wrote %s", id)
		}
	}
	bk, _ := e.deps.Backups.Read(done.Backup)
	for _, m := range bk.Models {
		if m.Params.Empty() {
			t.Errorf("backup of %s has no params (a list item, not a full record)", m.ID)
		}
	}
	// Only read-only models selected: refused with the reason, nothing sent.
	msg := e.fail("delete_models", map[string]any{"ids": []any{"code-reviewer"}})
	mustContain(t, msg, "none of the 1 matched models that need a change can be changed by this key (read-only for this key: code-reviewer)")
}

func TestBulkResultIsAudited(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bk")
	e := newEnv(t, withBackupDir(dir))
	args := map[string]any{"ids": []any{"code-reviewer", "go-gopher"}}
	out, _ := e.bulkPreview("delete_models", args)
	e.fake.FailModel("go-gopher", 401, "We could not find what you're looking for :/")
	res, done := e.confirm("delete_models", args, out.ConfirmToken)
	if !res.IsError || done.Status != "partial" || !slices.Equal(done.Result.Deleted, []string{"code-reviewer"}) {
		t.Fatalf("%s", text(res))
	}
	audit, _ := os.ReadFile(e.audit)
	mustContain(t, string(audit), `"outcome":"partial"`, done.Backup)
}

func TestBulkElicitsOnceForTheWholeSelection(t *testing.T) {
	h := &elicitor{action: mcp.ElicitationResponseActionAccept, content: map[string]any{"confirm": true}}
	e := newEnv(t, withClient(client.WithElicitationHandler(h)))
	var out schemas.Outcome
	e.ok("delete_models", map[string]any{"filter": map[string]any{"owner": "u-alice"}}, &out)
	if len(h.asked) != 1 {
		t.Fatalf("asked %d times", len(h.asked))
	}
	mustContain(t, h.asked[0], "delete_models: DELETE 5 of 5 matched models", "owner alice@example.com:\n", `- DELETE alice/notes:draft "Alice's Draft Notes", private`)
	if out.Status != "done" || len(out.Result.Deleted) != 5 || len(e.writes()) != 5 {
		t.Errorf("outcome %+v, writes %d", out, len(e.writes()))
	}
}

// The backup of a filter selection holds every record the call changes,
// exactly as Open WebUI's export had it before the call (data-URI images
// included, which /models/list strips), and nothing else.
func TestBulkBackupHoldsExactlyWhatTheServerHad(t *testing.T) {
	e := newEnv(t)
	exported := func() map[string]map[string]any {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/api/v1/models/export", nil)
		req.Header.Set("Authorization", "Bearer "+fakeowui.AdminKey)
		rr := httptest.NewRecorder()
		e.fake.ServeHTTP(rr, req)
		var items []map[string]any
		if err := json.Unmarshal(rr.Body.Bytes(), &items); err != nil || rr.Code != http.StatusOK {
			t.Fatalf("export: %d %v", rr.Code, err)
		}
		out := map[string]map[string]any{}
		for _, m := range items {
			delete(m, "background_image_data") // an export-only field; models keep no such key
			out[m["id"].(string)] = m
		}
		return out
	}
	before := exported()
	args := map[string]any{"filter": map[string]any{"active": true}, "continue_on_error": true,
		"add_grants": []any{map[string]any{"principal_type": "group", "principal_id": "g-audit", "permission": "read"}}}
	out, _ := e.bulkPreview("update_models", args)
	changed := effectIDs2(out.Preview, "update")
	if len(changed) <= e.deps.Options.bulkConcurrency() {
		t.Fatalf("only %d targets: the export path is not exercised", len(changed))
	}
	res, done := e.confirm("update_models", args, out.ConfirmToken)
	// The demo's pre-0.12 row "release notes v1.2" (an id with a space) is
	// refused by the fake as by 0.12.4: the backup still holds every target.
	if done.Backup == "" || done.Result == nil || len(done.Result.Changed) < len(changed)-1 {
		t.Fatalf("confirmed: %s", text(res))
	}
	bk, err := e.deps.Backups.Read(done.Backup)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	images := 0
	for _, m := range bk.Models {
		ids = append(ids, m.ID)
		got, _ := json.Marshal(m)
		var gotMap map[string]any
		_ = json.Unmarshal(got, &gotMap)
		a, _ := json.Marshal(gotMap) // map keys sorted: canonical bytes
		b, _ := json.Marshal(before[m.ID])
		if string(a) != string(b) {
			t.Errorf("backup of %s differs from what the server had:\n got %s\nwant %s", m.ID, a, b)
		}
		if strings.HasPrefix(m.Meta.String("profile_image_url"), "data:") {
			images++
		}
	}
	sort.Strings(ids)
	if !slices.Equal(ids, changed) {
		t.Errorf("backup holds %v, the call changed %v", ids, changed)
	}
	if images == 0 {
		t.Error("no data-URI image in the backup: the test does not show the records are full")
	}
	after := exported()
	for _, id := range done.Result.Changed {
		if reflect.DeepEqual(after[id], before[id]) {
			t.Errorf("%s unchanged by the call", id)
		}
	}
}
