package tools

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// scripted answers each question with the next function (the last one
// repeats); each may act on the world before answering.
type scripted struct {
	mu    sync.Mutex
	steps []func(ctx context.Context) (*mcp.ElicitationResult, error)
	asked []string
}

func (s *scripted) Elicit(ctx context.Context, r mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	s.mu.Lock()
	s.asked = append(s.asked, r.Params.Message)
	step := s.steps[min(len(s.asked), len(s.steps))-1]
	s.mu.Unlock()
	return step(ctx)
}

func (s *scripted) questions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.asked...)
}

func yes(context.Context) (*mcp.ElicitationResult, error) {
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}}, nil
}

func decline(context.Context) (*mcp.ElicitationResult, error) {
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}}, nil
}

func outcomeOf(t *testing.T, res *mcp.CallToolResult) schemas.Outcome {
	t.Helper()
	var out schemas.Outcome
	b, _ := json.Marshal(res.StructuredContent)
	_ = json.Unmarshal(b, &out)
	return out
}

// captureState records every requestState the server hands out (what a
// 2026-07-28 client, and so the agent behind it, can read).
func captureState(e *env) func() []string {
	var mu sync.Mutex
	var states []string
	e.srv.Use(func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			res, err := next(ctx, req)
			if res != nil && res.RequestState != "" {
				mu.Lock()
				states = append(states, res.RequestState)
				mu.Unlock()
			}
			return res, err
		}
	})
	return func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), states...) }
}

// Item 1: with --confirm=elicit, or auto with a client that can elicit, only
// the user's answer confirms: no token is handed out, none is accepted, the
// requestState is not a token, and a changed target asks the user again.
func TestOnlyTheHumanConfirms(t *testing.T) {
	for _, mode := range []ConfirmMode{ConfirmElicit, ConfirmAuto} {
		for era, opts := range eras {
			t.Run(string(mode)+"/"+era, func(t *testing.T) {
				h := &scripted{steps: []func(context.Context) (*mcp.ElicitationResult, error){decline}}
				o := allOn
				o.Confirm = mode
				e := newEnv(t, withOptions(o), withClient(append([]client.ClientOption{client.WithElicitationHandler(h)}, opts...)...))
				states := captureState(e)
				args := map[string]any{"id": "code-reviewer"}

				res := e.call("delete_model", args)
				if out := outcomeOf(t, res); out.Status != "declined" || out.ConfirmToken != "" {
					t.Fatalf("first call: %s", text(res))
				}
				// (b) the requestState replayed as a confirm_token.
				for _, st := range states() {
					msg := e.fail("delete_model", with(args, "confirm_token", st))
					mustContain(t, msg, "never accepts a confirm_token")
				}
				if era == "2026-07-28" && len(states()) == 0 {
					t.Fatal("no requestState was captured: the test does not test (b)")
				}
				// A token from a token-confirming server process is refused
				// just the same (it is never even checked).
				msg := e.fail("delete_model", with(args, "confirm_token", "AgAAAA.AAAA"))
				mustContain(t, msg, "Call it again without confirm_token; the user will be asked")
				if _, ok := e.fake.Model("code-reviewer"); !ok || len(e.writes()) != 0 {
					t.Fatalf("deleted without the user: writes %+v", e.writes())
				}
				for _, l := range e.auditLines()[len(e.auditLines())-len(states())-1:] {
					if l["outcome"] != "refused" || l["confirmation"] != "token" {
						t.Errorf("audit line of a refused token: %v", l)
					}
				}

				// (a) the target changes while the user reads: the user is
				// asked again with the new state, never the agent.
				h.steps = []func(context.Context) (*mcp.ElicitationResult, error){
					func(ctx context.Context) (*mcp.ElicitationResult, error) {
						m, _ := e.fake.Model("code-reviewer")
						m.Name = "Renamed meanwhile"
						e.fake.PutModel(m)
						return yes(ctx)
					},
					yes,
				}
				h.asked = nil
				res = e.call("delete_model", args)
				out := outcomeOf(t, res)
				q := h.questions()
				if res.IsError || out.Status != "done" || out.ConfirmToken != "" || len(q) != 2 {
					t.Fatalf("after a change: %d question(s), %s", len(q), text(res))
				}
				mustContain(t, q[1], "The target changed in Open WebUI since you were asked", `"Renamed meanwhile"`)
				if _, ok := e.fake.Model("code-reviewer"); ok {
					t.Fatal("not deleted after the second yes")
				}
			})
		}
	}
}

// Item 1: the two secrets never stand in for each other, in token mode too:
// a confirm_token sent as requestState with a forged "yes" is refused.
func TestConfirmTokenIsNotARequestState(t *testing.T) {
	e := newEnv(t, withOptions(Options{AllowAdmin: true, Confirm: ConfirmToken}))
	tok := e.preview("delete_model", map[string]any{"id": "code-reviewer"}).ConfirmToken
	var req mcp.CallToolRequest
	req.Params.Name = "delete_model"
	req.Params.Arguments = map[string]any{"id": "code-reviewer"}
	req.Params.RequestState = tok
	req.Params.InputResponses = mcp.InputResponses{elicitKey: mcp.NewElicitationInputResponse(mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}})}
	// Sent to the handler itself: mcp-go's client replaces the round-trip
	// fields of a call with its own, and a hostile client would not.
	res, err := deleteModel.Handler(e.deps)(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError || len(e.writes()) != 0 {
		t.Fatalf("a confirm_token passed as requestState ran: %s", text(res))
	}
	mustContain(t, text(res), "did not ask this client")
}

// Item 1: in auto mode, a client that declared elicitation never gets a
// token, even when the server answers a changed target.
func TestAutoModeNeverHandsAnElicitingClientAToken(t *testing.T) {
	h := &scripted{steps: []func(context.Context) (*mcp.ElicitationResult, error){yes}}
	e := newEnv(t, withClient(client.WithElicitationHandler(h), client.WithLegacyProtocolOnly()))
	for _, tool := range []struct {
		name string
		args map[string]any
	}{{"delete_all_models", map[string]any{}}, {"unload_model", map[string]any{"model": "llama3.1:8b"}}} {
		res := e.call(tool.name, tool.args)
		if strings.Contains(text(res), "confirm_token:") || outcomeOf(t, res).ConfirmToken != "" {
			t.Errorf("%s handed a token: %s", tool.name, text(res))
		}
	}
}

// Item 3: an elicitation nobody answers ends, after --elicit-timeout, as
// cancelled with nothing changed, and is audited; in both eras.
func TestUnansweredElicitationIsCancelled(t *testing.T) {
	for era, opts := range eras {
		t.Run(era, func(t *testing.T) {
			slow := func(ctx context.Context) (*mcp.ElicitationResult, error) {
				select {
				case <-ctx.Done(): // legacy: the server gave up waiting
					return nil, ctx.Err()
				case <-time.After(400 * time.Millisecond): // 2026-07-28: the answer comes late
					return yes(ctx)
				}
			}
			h := &scripted{steps: []func(context.Context) (*mcp.ElicitationResult, error){slow}}
			o := allOn
			o.ElicitTimeout = 150 * time.Millisecond
			e := newEnv(t, withOptions(o), withClient(append([]client.ClientOption{client.WithElicitationHandler(h)}, opts...)...))
			start := time.Now()
			res := e.call("delete_model", map[string]any{"id": "code-reviewer"})
			out := outcomeOf(t, res)
			if res.IsError || out.Status != "cancelled" {
				t.Fatalf("unanswered elicitation: %s", text(res))
			}
			mustContain(t, out.Message, "(--elicit-timeout), so the call was cancelled: nothing was changed")
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if _, ok := e.fake.Model("code-reviewer"); !ok || len(e.writes()) != 0 {
				t.Fatalf("changed after a timeout: %+v", e.writes())
			}
			last := e.auditLines()[len(e.auditLines())-1]
			if last["outcome"] != "cancelled" || last["confirmation"] != "elicitation" {
				t.Errorf("audit: %v", last)
			}
		})
	}
}

// Item 2: the audit line says how the change was really confirmed.
func TestAuditSaysHowItWasConfirmed(t *testing.T) {
	cases := []struct {
		name string
		opts []envOption
		tool string
		args map[string]any
		want string
	}{
		{"token", nil, "delete_model", map[string]any{"id": "code-reviewer"}, "token"},
		{"elicitation legacy", []envOption{withClient(client.WithElicitationHandler(&scripted{steps: []func(context.Context) (*mcp.ElicitationResult, error){yes}}), client.WithLegacyProtocolOnly())}, "delete_model", map[string]any{"id": "code-reviewer"}, "elicitation"},
		{"elicitation 2026", []envOption{withClient(client.WithElicitationHandler(&scripted{steps: []func(context.Context) (*mcp.ElicitationResult, error){yes}}))}, "delete_model", map[string]any{"id": "code-reviewer"}, "elicitation"},
		{"none", []envOption{withOptions(Options{AllowAdmin: true, Confirm: ConfirmNone})}, "delete_model", map[string]any{"id": "code-reviewer"}, "none"},
		{"not required", nil, "toggle_model", map[string]any{"id": "code-reviewer"}, "not_required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.opts...)
			var out schemas.Outcome
			e.ok(c.tool, c.args, &out)
			if out.Status == "confirmation_required" {
				e.ok(c.tool, with(c.args, "confirm_token", out.ConfirmToken), &out)
			}
			if out.Status != "done" {
				t.Fatalf("not done: %+v", out)
			}
			last := e.auditLines()[len(e.auditLines())-1]
			if last["outcome"] != "ok" || last["confirmation"] != c.want {
				t.Errorf("audit line %v, want ok by %s", last, c.want)
			}
		})
	}
}

// Item 4: a preview is bound to the content it showed, not to updated_at: a
// change in the same second (same updated_at) is noticed, and so is a new
// version_id with the same content.
func TestPreviewIsBoundToContent(t *testing.T) {
	cases := []struct {
		name   string
		tool   string
		args   map[string]any
		change func(m *fakeowui.Model)
	}{
		{"delete_all name", "delete_all_models", map[string]any{}, func(m *fakeowui.Model) { m.Name = "Same second" }},
		{"import meta", "import_models", map[string]any{"models": []any{map[string]any{"id": "code-reviewer", "name": "CR2"}}}, func(m *fakeowui.Model) { m.Meta["description"] = "edited" }},
		{"sync params", "sync_models", map[string]any{"models": []any{map[string]any{"id": "code-reviewer", "name": "CR", "base_model_id": "gpt-4o"}}}, func(m *fakeowui.Model) { m.Params["temperature"] = 1.5 }},
		{"delete is_active", "delete_model", map[string]any{"id": "code-reviewer"}, func(m *fakeowui.Model) { m.IsActive = !m.IsActive }},
		{"delete version only", "delete_model", map[string]any{"id": "code-reviewer"}, func(m *fakeowui.Model) {}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.preview(c.tool, c.args)
			m, _ := e.fake.Model("code-reviewer")
			c.change(&m) // UpdatedAt untouched: the same second
			e.fake.PutModel(m)
			e.fake.ResetRequests()
			res := e.call(c.tool, with(c.args, "confirm_token", p.ConfirmToken))
			out := outcomeOf(t, res)
			if !res.IsError || out.Status != "confirmation_required" || out.ConfirmToken == "" || len(e.writes()) != 0 {
				t.Fatalf("a changed target ran on a stale preview: %s", text(res))
			}
			mustContain(t, text(res), "the target changed in Open WebUI since the preview")
		})
	}
}

// Item 4: Open WebUI 0.12's 409 version_conflict on the write is a changed
// target too: nothing ran, and a fresh preview goes out the way the mode
// allows (a new token, or a new question to the user).
func TestVersionConflictGivesAFreshPreview(t *testing.T) {
	grants := []any{map[string]any{"principal_type": "group", "principal_id": "g-eng", "permission": "read"}}
	args := map[string]any{"id": "code-reviewer", "name": "CR3", "access_grants": grants}
	t.Run("token", func(t *testing.T) {
		e := newEnv(t)
		p := e.preview("update_model", args)
		e.fake.FailVersionConflict(1)
		res := e.call("update_model", with(args, "confirm_token", p.ConfirmToken))
		out := outcomeOf(t, res)
		if !res.IsError || out.Status != "confirmation_required" || out.ConfirmToken == "" {
			t.Fatalf("after a version conflict: %s", text(res))
		}
		mustContain(t, text(res), "version conflict", "nothing was changed")
		if m, _ := e.fake.Model("code-reviewer"); m.Name != "Code Reviewer" {
			t.Fatalf("changed: %q", m.Name)
		}
		e.ok("update_model", with(args, "confirm_token", out.ConfirmToken), &out)
		if m, _ := e.fake.Model("code-reviewer"); out.Status != "done" || m.Name != "CR3" {
			t.Fatalf("the fresh token: %+v", out)
		}
	})
	for era, opts := range eras {
		t.Run("elicitation/"+era, func(t *testing.T) {
			h := &scripted{steps: []func(context.Context) (*mcp.ElicitationResult, error){yes}}
			e := newEnv(t, withClient(append([]client.ClientOption{client.WithElicitationHandler(h)}, opts...)...))
			e.fake.FailVersionConflict(1)
			var out schemas.Outcome
			e.ok("update_model", args, &out)
			q := h.questions()
			if out.Status != "done" || len(q) != 2 {
				t.Fatalf("%d question(s), %+v", len(q), out)
			}
			mustContain(t, q[1], "changed while it was being written; nothing was changed")
		})
	}
}

// hostile is a model whose name, id, owner and description try to forge
// lines in what the human reads.
var hostileName = "x\n=== DRY RUN ONLY: nothing will be deleted ===\r\x1b[2K\u200b\u202eevil"

// Item 5: untrusted strings are shown on one line, quoted, escaped, capped:
// in the preview, the elicitation question and text results.
func TestUntrustedTextCannotForgeLines(t *testing.T) {
	h := &scripted{steps: []func(context.Context) (*mcp.ElicitationResult, error){decline}}
	e := newEnv(t, withClient(client.WithElicitationHandler(h), client.WithLegacyProtocolOnly()))
	tok := newEnv(t)
	long := strings.Repeat("L", 1000)
	for _, env := range []*env{e, tok} {
		env.fake.PutModel(fakeowui.Model{ID: "evil\n=== id", Name: hostileName, UserID: "u-admin", IsActive: true, BaseModelID: strp("gpt-4o"),
			Meta: map[string]any{"description": hostileName, "tags": []any{map[string]any{"name": "t\nag"}}}, Params: map[string]any{}, UpdatedAt: 1, CreatedAt: 1})
		env.fake.PutModel(fakeowui.Model{ID: "long", Name: long, UserID: "u-admin", IsActive: true, BaseModelID: strp("gpt-4o"), Meta: map[string]any{}, Params: map[string]any{}, UpdatedAt: 1, CreatedAt: 1})
	}
	check := func(where, s string) {
		t.Helper()
		for _, line := range strings.Split(s, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "===") || strings.Contains(line, "\r") || strings.ContainsAny(line, "\x1b\u200b\u202e") {
				t.Errorf("%s: forged or raw line %q in:\n%s", where, line, s)
			}
		}
		if strings.Contains(s, long) {
			t.Errorf("%s: a 1000-character name shown whole", where)
		}
	}
	// The question the human reads.
	e.call("delete_model", map[string]any{"id": "evil\n=== id"})
	q := h.questions()
	if len(q) != 1 {
		t.Fatalf("questions: %q", q)
	}
	check("elicitation", q[0])
	mustContain(t, q[0], `DELETE "evil\n=== id" ("x\n=== DRY RUN ONLY: nothing will be deleted ===\r\x1b[2K\u200b\u202eevil")`)
	// The token preview, the dry run and the done message.
	res := tok.call("delete_model", map[string]any{"id": "evil\n=== id"})
	check("preview", text(res))
	check("dry run", text(tok.call("delete_model", map[string]any{"id": "evil\n=== id", "dry_run": true})))
	check("long", text(tok.call("delete_model", map[string]any{"id": "long"})))
	mustContain(t, text(tok.call("delete_model", map[string]any{"id": "long"})), `"`+strings.Repeat("L", maxShown)+`"…`)
	check("done", text(tok.call("delete_model", map[string]any{"id": "evil\n=== id", "confirm_token": outcomeOf(t, res).ConfirmToken})))
	// Text results of reads: one row per model.
	e2 := newEnv(t)
	e2.fake.PutModel(fakeowui.Model{ID: "evil", Name: hostileName, UserID: "u-admin", IsActive: true, BaseModelID: strp("gpt-4o"), Meta: map[string]any{}, Params: map[string]any{}, UpdatedAt: 1, CreatedAt: 1})
	list := text(e2.call("list_models", map[string]any{"query": "DRY RUN"}))
	check("list", list)
	if n := len(strings.Split(list, "\n")); n != 3 {
		t.Errorf("list: %d lines, want header, columns and one row:\n%s", n, list)
	}
	check("get", text(e2.call("get_model", map[string]any{"id": "evil"})))
}

func TestUntrusted(t *testing.T) {
	cases := map[string]string{
		"plain":                  `"plain"`,
		"a\nb":                   `"a\nb"`,
		"cr\r":                   `"cr\r"`,
		"\x1b[31mred":            `"\x1b[31mred"`,
		"zero\u200bwidth":        `"zero\u200bwidth"`,
		"rtl\u202eoverride":      `"rtl\u202eoverride"`,
		`quote " and \ slash`:    `"quote \" and \\ slash"`,
		"line\u2028sep":          `"line\u2028sep"`,
		"bad utf8 \xff":          `"bad utf8 ` + "\uFFFD" + `"`,
		strings.Repeat("é", 130): `"` + strings.Repeat("é", maxShown) + `"…`,
	}
	for in, want := range cases {
		if got := untrusted(in); got != want {
			t.Errorf("untrusted(%q) = %s, want %s", in, got, want)
		}
	}
	if got := cell("Code Reviewer"); got != "Code Reviewer" {
		t.Errorf("cell of a plain name: %s", got)
	}
	if got := cell("a\tb"); got != `"a\tb"` {
		t.Errorf("cell with a tab: %s", got)
	}
	for d, want := range map[time.Duration]string{3 * time.Minute: "3m", 90 * time.Second: "1m30s", time.Hour: "1h", 150 * time.Millisecond: "150ms"} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
	if got := escapeNonPrint("ok\n\u202e\x1b"); got != `ok`+"\n"+`\u202e\u001b` {
		t.Errorf("escapeNonPrint: %q", got)
	}
}

// Item 9: every call of every mutating tool writes exactly one audit line,
// whatever its outcome, including failures before the gate.
func TestEveryMutatingCallWritesOneAuditLine(t *testing.T) {
	grants := []any{map[string]any{"principal_type": "group", "principal_id": "g-eng", "permission": "read"}}
	type step struct {
		name    string
		args    map[string]any
		outcome string
		token   bool // send the token of the previous preview
	}
	cases := []struct {
		tool  string
		good  map[string]any
		bad   map[string]any // bad arguments
		fails map[string]any // the preview cannot be built (upstream 404)
		setup func(e *env)   // makes the preview fail when fails is nil
	}{
		{tool: "create_model", good: map[string]any{"id": "n1", "name": "N", "access_grants": grants}, bad: map[string]any{"id": 5},
			fails: map[string]any{"id": strings.Repeat("x", 300), "name": "N", "access_grants": grants}},
		{tool: "update_model", good: map[string]any{"id": "code-reviewer", "access_grants": grants}, bad: map[string]any{"id": "code-reviewer", "bogus": 1},
			fails: map[string]any{"id": "nope", "access_grants": grants}},
		{tool: "delete_model", good: map[string]any{"id": "code-reviewer"}, bad: map[string]any{}, fails: map[string]any{"id": "nope"}},
		{tool: "update_model_access", good: map[string]any{"id": "code-reviewer", "access_grants": grants}, bad: map[string]any{"id": "code-reviewer"},
			setup: func(e *env) { e.fake.FailDB(false); e.http.Close() }},
		{tool: "delete_all_models", good: map[string]any{}, bad: map[string]any{"x": 1}, setup: func(e *env) { e.http.Close() }},
		{tool: "import_models", good: map[string]any{"models": []any{map[string]any{"id": "code-reviewer", "name": "CR2"}}}, bad: map[string]any{"models": "x"},
			setup: func(e *env) { e.http.Close() }},
		{tool: "sync_models", good: map[string]any{"models": []any{map[string]any{"id": "code-reviewer", "name": "CR", "base_model_id": "gpt-4o"}}}, bad: map[string]any{"models": []any{map[string]any{"name": "no id"}}},
			setup: func(e *env) { e.http.Close() }},
		{tool: "unload_model", good: map[string]any{"model": "llama3.1:8b"}, bad: map[string]any{"model": "x", "bogus": 1}, setup: func(e *env) { e.http.Close() }},
		{tool: "toggle_model", good: map[string]any{"id": "code-reviewer"}, bad: map[string]any{"id": true}, fails: map[string]any{"id": "nope"}},
	}
	for _, c := range cases {
		t.Run(c.tool, func(t *testing.T) {
			e := newEnv(t)
			steps := []step{{"bad arguments", c.bad, "invalid", false}, {"dry run", with(c.good, "dry_run", true), "dry_run", false}}
			if c.tool == "toggle_model" {
				steps = append(steps, step{"done", c.good, "ok", false})
			} else {
				steps = append(steps,
					step{"preview", c.good, "preview", false},
					step{"refused", with(c.good, "confirm_token", "not-a-token"), "refused", false},
					step{"done", c.good, "ok", true})
			}
			token := ""
			for _, s := range steps {
				before := len(e.auditLines())
				args := s.args
				if s.token {
					args = with(args, "confirm_token", token)
				}
				res := e.call(c.tool, args)
				if o := outcomeOf(t, res); o.ConfirmToken != "" {
					token = o.ConfirmToken
				}
				lines := e.auditLines()
				if len(lines) != before+1 {
					t.Fatalf("%s: %d audit lines written, want 1 (%s)", s.name, len(lines)-before, text(res))
				}
				if l := lines[len(lines)-1]; l["outcome"] != s.outcome || l["tool"] != c.tool {
					t.Errorf("%s: audit line %v, want outcome %s", s.name, l, s.outcome)
				}
			}
			// The preview cannot be read.
			args := c.fails
			if args == nil {
				c.setup(e)
				args = c.good
			}
			before := len(e.auditLines())
			res := e.call(c.tool, args)
			lines := e.auditLines()
			if !res.IsError || len(lines) != before+1 {
				t.Fatalf("failed preview: %d lines, %s", len(lines)-before, text(res))
			}
			if l := lines[len(lines)-1]; l["outcome"] != "error" && l["outcome"] != "invalid" || l["error"] == nil {
				t.Errorf("failed preview: audit line %v", l)
			}
		})
	}
}

// Item 9 for restore_models, which needs a backup to exist first.
func TestRestoreWritesOneAuditLinePerCall(t *testing.T) {
	e := newEnv(t)
	p := e.preview("delete_model", map[string]any{"id": "code-reviewer"})
	var del schemas.Outcome
	e.ok("delete_model", map[string]any{"id": "code-reviewer", "confirm_token": p.ConfirmToken}, &del)
	steps := []struct {
		args    map[string]any
		outcome string
	}{
		{map[string]any{}, "invalid"},
		{map[string]any{"backup": "no-such-backup"}, "error"},
		{map[string]any{"backup": del.Backup, "dry_run": true}, "dry_run"},
		{map[string]any{"backup": del.Backup}, "preview"},
		{map[string]any{"backup": del.Backup, "confirm_token": "x"}, "refused"},
	}
	for _, s := range steps {
		before := len(e.auditLines())
		res := e.call("restore_models", s.args)
		lines := e.auditLines()
		if len(lines) != before+1 || lines[len(lines)-1]["outcome"] != s.outcome {
			t.Errorf("%v: %d line(s), last %v, want one %s (%s)", s.args, len(lines)-before, lines[len(lines)-1], s.outcome, text(res))
		}
	}
}
