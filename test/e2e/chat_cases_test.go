//go:build e2e && chat

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/owuiwire"
	"github.com/owui-mcp/owui-mcp/test/bench"
)

// TestChat drives Open WebUI 0.12.4's chat with owui-mcp registered as an
// MCP tool server (streamable HTTP): reads, an update, the confirm_token
// round trip, elicitation declined and accepted through a browser tab, a
// tool error, and session auth where a non-admin's chat cannot delete an
// admin's model. The scripted LLM decides every step.
func TestChat(t *testing.T) {
	t0 := time.Now()
	cs := newChatSuite(t)
	tg := cs.tg
	tg.seed(t)

	// Bearer: every chat acts with the server's own (admin) key.
	bearer := startHTTPServer(t, tg, "owui", "--http-token", "chat-e2e-"+randomHex(t, 12))
	token := bearerToken(t, bearer)
	// Session: Open WebUI forwards each user's own token.
	session := startHTTPServer(t, tg, "owuis", "--auth=openwebui")
	// The README's recipe: ?profile=chat. "owuid" is the same server without
	// it, for the token comparison only.
	plain := *bearer
	plain.id = "owuid"
	cs.register(t, connection(bearer, "bearer", token, "profile=chat"), connection(&plain, "bearer", token, ""),
		connection(session, "session", "", "profile=chat"))

	t.Run("read_list", func(t *testing.T) {
		key := cs.key("list")
		cs.script(t, key, callTool("owui_list_models", map[string]any{}), say("Here are the models."))
		o := cs.chat(t, cs.adminJWT, key, "list the models", "", bearer.toolID())
		if len(o.requests) != 2 {
			t.Fatalf("want 2 LLM requests (call, answer), got %d", len(o.requests))
		}
		// The LLM was offered this server's tools, prefixed with the connection id.
		names := o.requests[0].toolNames()
		for _, want := range []string{"owui_list_models", "owui_get_model", "owui_delete_model", "owui_update_model"} {
			if !slices.Contains(names, want) {
				t.Errorf("the LLM was not offered %s: %v", want, names)
			}
		}
		// ...and the server's instructions reached the system prompt.
		mustContain(t, "the first LLM request", systemText(o.requests[0]), `MCP server "owui" instructions`)
		// The LLM received the first page Open WebUI itself lists.
		page := tg.adminREST.list(t, nil)
		if len(page.Items) == 0 {
			t.Fatal("Open WebUI lists no models")
		}
		res := o.lastTool()
		for _, m := range page.Items {
			mustContain(t, "the list the LLM received", res, m.ID)
		}
		if o.answer != "Here are the models." {
			t.Errorf("final answer %q", o.answer)
		}
	})

	t.Run("read_get", func(t *testing.T) {
		key := cs.key("get")
		cs.script(t, key, callTool("owui_get_model", map[string]any{"id": "pty/alpha:1"}), say("ok"))
		o := cs.chat(t, cs.adminJWT, key, "show pty/alpha:1", "", bearer.toolID())
		want := tg.adminREST.mustGet(t, "pty/alpha:1")
		mustContain(t, "the record the LLM received", o.lastTool(), "pty/alpha:1", want.Name)
	})

	t.Run("update", func(t *testing.T) {
		key, id := cs.key("update"), "chat/update"
		cs.mkModel(t, id, "Before")
		cs.script(t, key, callTool("owui_update_model", map[string]any{"id": id, "name": "Renamed in chat"}), say("renamed"))
		o := cs.chat(t, cs.adminJWT, key, "rename chat/update", "", bearer.toolID())
		if got := tg.adminREST.mustGet(t, id).Name; got != "Renamed in chat" {
			t.Errorf("name after the chat: %q; the LLM received:\n%s", got, o.lastTool())
		}
	})

	t.Run("delete_confirm_token", func(t *testing.T) {
		key, id := cs.key("delete-token"), "chat/delete-token"
		cs.mkModel(t, id, "Delete me by token")
		cs.script(t, key,
			callTool("owui_delete_model", map[string]any{"id": id}),
			callTool("owui_delete_model", map[string]any{"id": id, "confirm_token": "$last_tool:confirm_token"}),
			say("deleted"))
		o := cs.chat(t, cs.adminJWT, key, "delete chat/delete-token", "", bearer.toolID())
		if len(o.requests) != 3 {
			t.Fatalf("want 3 LLM requests (preview, confirm, answer), got %d", len(o.requests))
		}
		preview := o.requests[1].toolMessages()
		if len(preview) != 1 {
			t.Fatalf("after the first call the LLM has %d tool results", len(preview))
		}
		mustContain(t, "the preview the LLM received", preview[0], "confirm_token", id, "Delete me by token")
		// The confirm call carried the token the server minted.
		calls := assistantCalls(o.requests[2])
		if len(calls) != 2 || !strings.Contains(calls[1], `"confirm_token"`) {
			t.Fatalf("the LLM's calls: %v", calls)
		}
		if cs.exists(t, id) {
			t.Fatalf("%s still exists after the confirmed delete; the LLM received:\n%s", id, o.lastTool())
		}
		done := o.lastTool()
		mustContain(t, "the confirmed result", done, "Deleted model", id, "Backup ", "deleted: ")
		// Deleted once, with a backup holding the record.
		ok := 0
		var backup string
		for _, e := range bearer.auditLines(t, "delete_model", id) {
			if e["outcome"] == "ok" {
				ok++
				backup = str(e["backup"])
				if e["confirmation"] != "token" {
					t.Errorf("confirmation mode %v, want token", e["confirmation"])
				}
			}
		}
		if ok != 1 {
			t.Fatalf("audit: %d successful deletes of %s, want 1", ok, id)
		}
		assertBackup(t, bearer, backup, id)
	})

	t.Run("elicitation_declined", func(t *testing.T) {
		key, id := cs.key("elicit-decline"), "chat/elicit-decline"
		cs.mkModel(t, id, "Keep me")
		tab := cs.openTab(t, cs.adminJWT, "decline", nil)
		cs.script(t, key, callTool("owui_delete_model", map[string]any{"id": id}), say("the user declined"))
		o := cs.chat(t, cs.adminJWT, key, "delete chat/elicit-decline", tab.sid, bearer.toolID())
		el := tab.elicitations(t)
		if len(el) != 1 {
			t.Fatalf("the browser tab got %d elicitation requests, want 1", len(el))
		}
		mustContain(t, "the elicitation message", str(el[0]["message"]), id, "Keep me")
		if str(el[0]["server_name"]) == "" {
			t.Errorf("elicitation without server_name: %v", el[0])
		}
		if !cs.exists(t, id) {
			t.Fatalf("%s was deleted although the user declined", id)
		}
		mustContain(t, "what the LLM received", o.lastTool(), "declined")
		if strings.Contains(o.lastTool(), "confirm_token") {
			t.Errorf("a declined call offered a confirm_token:\n%s", o.lastTool())
		}
	})

	t.Run("elicitation_accepted", func(t *testing.T) {
		key, id := cs.key("elicit-accept"), "chat/elicit-accept"
		cs.mkModel(t, id, "Delete me by dialog")
		tab := cs.openTab(t, cs.adminJWT, "accept", map[string]any{"confirm": true})
		cs.script(t, key, callTool("owui_delete_model", map[string]any{"id": id}), say("deleted after approval"))
		o := cs.chat(t, cs.adminJWT, key, "delete chat/elicit-accept", tab.sid, bearer.toolID())
		if el := tab.elicitations(t); len(el) != 1 {
			t.Fatalf("the browser tab got %d elicitation requests, want 1", len(el))
		}
		if cs.exists(t, id) {
			t.Fatalf("%s still exists after the user accepted; the LLM received:\n%s", id, o.lastTool())
		}
		// One tool call, no token round trip.
		if len(o.requests) != 2 {
			t.Errorf("want 2 LLM requests (one call, answer), got %d", len(o.requests))
		}
		mustContain(t, "what the LLM received", o.lastTool(), "Deleted model", id, "Backup ")
		var backup string
		for _, e := range bearer.auditLines(t, "delete_model", id) {
			if e["outcome"] == "ok" {
				backup = str(e["backup"])
				if e["confirmation"] != "elicitation" {
					t.Errorf("confirmation mode %v, want elicitation", e["confirmation"])
				}
			}
		}
		assertBackup(t, bearer, backup, id)
	})

	t.Run("tool_error", func(t *testing.T) {
		key := cs.key("error")
		cs.script(t, key, callTool("owui_get_model", map[string]any{"id": "chat/does-not-exist"}), say("it failed"))
		o := cs.chat(t, cs.adminJWT, key, "show a missing model", "", bearer.toolID())
		res := o.lastTool()
		// Open WebUI turns isError into {"error": "<tool> failed: <text>"}.
		mustContain(t, "the error the LLM received", res, `"error"`, "get_model failed", "HTTP 404", "check the id with list_models")
		if o.answer != "it failed" {
			t.Errorf("final answer %q", o.answer)
		}
	})

	t.Run("session_auth_non_admin", func(t *testing.T) {
		key, id := cs.key("nonadmin-delete"), "chat/admins-model"
		cs.mkModel(t, id, "Admin's model")
		cs.script(t, key,
			callTool("owuis_delete_model", map[string]any{"id": id}),
			callTool("owuis_delete_model", map[string]any{"id": id, "confirm_token": "$last_tool:confirm_token"}),
			say("could not"))
		o := cs.chat(t, cs.userJWT, key, "delete the admin's model", "", session.toolID())
		if !cs.exists(t, id) {
			t.Fatalf("a non-admin's chat deleted the admin's model %s", id)
		}
		all := ""
		for _, r := range o.requests {
			all += strings.Join(r.toolMessages(), "\n") + "\n"
		}
		// Open WebUI refused the user's own token: owui-mcp did not use its
		// admin key (with which the same call succeeds below).
		mustContain(t, "what the LLM received", o.lastTool(), `"error"`, "delete_model failed", "HTTP 401", "permission")
		if strings.Contains(all, "confirm_token") {
			t.Errorf("the non-admin got a preview and token for a model they cannot touch:\n%s", clip(all, 2000))
		}
		for _, e := range session.auditLines(t, "delete_model", id) {
			if e["outcome"] == "ok" || e["outcome"] == "preview" {
				t.Errorf("audit: the non-admin's refused call got a %v entry: %v", e["outcome"], e)
			}
		}
		// The same chat as the admin (session auth, the admin's own rights) works.
		key2 := cs.key("admin-session-delete")
		cs.script(t, key2,
			callTool("owuis_delete_model", map[string]any{"id": id}),
			callTool("owuis_delete_model", map[string]any{"id": id, "confirm_token": "$last_tool:confirm_token"}),
			say("deleted"))
		cs.chat(t, cs.adminJWT, key2, "delete it", "", session.toolID())
		if cs.exists(t, id) {
			t.Fatalf("the admin's own session could not delete %s", id)
		}
		// ...recorded as the admin (the person), not as a shared key.
		lines := okLines(session.auditLines(t, "delete_model", id))
		if len(lines) != 1 || lines[0]["caller"] != suite.env["OWUI_ADMIN_ID"] {
			t.Errorf("audit of the admin's delete: %v, want one ok entry by %s", lines, suite.env["OWUI_ADMIN_ID"])
		}
	})
	t.Run("tokens", func(t *testing.T) { checkChatTokens(t, cs, bearer, &plain) })
	phase("chat", t0, "")
}

// Budgets of issue 12, in cl100k tokens, as the LLM receives them through
// the real Open WebUI (also held in plain go test by owuiwire).
const (
	budgetListPage = 900
	budgetPreview  = 300
	budgetToolsDef = 2000
)

// checkChatTokens measures what the LLM received through the real Open
// WebUI, read from the provider's request log: a 30-row list_models page, a
// delete preview and the tool definitions, with ?profile=chat (budgets) and
// without (for comparison). It prints E2E-TOKENS lines for BENCHMARKS.md.
func checkChatTokens(t *testing.T, cs *chatSuite, chat, plain *httpServer) {
	id := "chat/token-preview"
	// Shared with the non-admin user: the preview names them as a person.
	userID, userEmail := suite.env["OWUI_USER_ID"], suite.env["OWUI_USER_EMAIL"]
	if userID == "" || userEmail == "" {
		t.Fatal("the env file lacks OWUI_USER_ID or OWUI_USER_EMAIL (scripts/openwebui-up writes them)")
	}
	cs.tg.adminREST.del(t, id)
	cs.tg.adminREST.create(t, map[string]any{"id": id, "name": "Token preview", "base_model_id": "fake-a",
		"meta": map[string]any{"description": "chat suite"}, "params": map[string]any{},
		"access_grants": []map[string]any{{"principal_type": "user", "principal_id": userID, "permission": "read"}}})
	measure := func(h *httpServer) (nList, nPreview, nSpecs int, previewText string) {
		key := cs.key("tokens-" + h.id)
		cs.script(t, key,
			callTool(h.id+"_list_models", map[string]any{}),
			callTool(h.id+"_delete_model", map[string]any{"id": id}),
			say("measured"))
		o := cs.chat(t, cs.adminJWT, key, "measure", "", h.toolID())
		if len(o.requests) != 3 {
			t.Fatalf("%s: want 3 LLM requests, got %d", h.id, len(o.requests))
		}
		tm := o.requests[2].toolMessages()
		if len(tm) != 2 {
			t.Fatalf("%s: want 2 tool results, got %d", h.id, len(tm))
		}
		if n := strings.Count(tm[0], "\n"); n < 30 {
			t.Errorf("%s: the list is not a 30-row page (%d lines)", h.id, n)
		}
		var own []any
		for _, x := range list(o.requests[0].Body["tools"]) {
			if strings.HasPrefix(str(obj(obj(x)["function"])["name"]), h.id+"_") {
				own = append(own, x)
			}
		}
		raw, _ := json.Marshal(own)
		py, err := owuiwire.Dumps(raw, -1, true)
		if err != nil {
			t.Fatal(err)
		}
		return tokensOf(t, tm[0]), tokensOf(t, tm[1]), tokensOf(t, py), tm[1]
	}
	l, p, s, text := measure(chat)
	ld, pd, sd, textd := measure(plain)
	fmt.Printf("E2E-TOKENS list_models_30_rows chat=%d default=%d budget=%d\n", l, ld, budgetListPage)
	fmt.Printf("E2E-TOKENS delete_preview chat=%d default=%d budget=%d\n", p, pd, budgetPreview)
	fmt.Printf("E2E-TOKENS tool_definitions_default_flags chat=%d default=%d budget=%d\n", s, sd, budgetToolsDef)
	if l > budgetListPage {
		t.Errorf("a 30-row list_models page reached the LLM as %d tokens, over %d", l, budgetListPage)
	}
	if p > budgetPreview {
		t.Errorf("the delete preview reached the LLM as %d tokens, over %d:\n%s", p, budgetPreview, text)
	}
	if s > budgetToolsDef {
		t.Errorf("the tool definitions reached the LLM as %d tokens, over %d", s, budgetToolsDef)
	}
	tok := ""
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, "confirm_token: "); ok {
			tok = v
		}
	}
	if tok == "" || strings.Count(text, tok) != 1 {
		t.Errorf("the preview must carry its confirm_token exactly once:\n%s", text)
	}
	if strings.Contains(text, suite.env["OWUI_ADMIN_ID"]) || !strings.Contains(text, suite.env["OWUI_ADMIN_EMAIL"]) {
		t.Errorf("the preview does not name the owner as a person:\n%s", text)
	}
	if strings.Contains(text, userID) || !strings.Contains(text, `user "`+userEmail+`" (read)`) {
		t.Errorf("the preview does not name the granted user as a person:\n%s", text)
	}
	t.Logf("without ?profile=chat the LLM received a preview of %d tokens:\n%s", pd, clip(textd, 1500))
}

// okLines keeps the audit entries of changes that ran (the audit also
// records previews and failed attempts).
func okLines(lines []map[string]any) []map[string]any {
	var out []map[string]any
	for _, e := range lines {
		if e["outcome"] == "ok" {
			out = append(out, e)
		}
	}
	return out
}

func tokensOf(t *testing.T, s string) int {
	t.Helper()
	n, err := bench.Tokens(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// bearerToken reads back the --http-token the server was started with.
func bearerToken(t *testing.T, h *httpServer) string {
	t.Helper()
	return h.token
}

func systemText(r llmRequest) string {
	var b strings.Builder
	for _, m := range list(r.Body["messages"]) {
		if str(obj(m)["role"]) == "system" {
			b.WriteString(contentText(obj(m)["content"]))
		}
	}
	return b.String()
}

// assistantCalls lists the tool calls (name + arguments) the LLM made, as
// Open WebUI replays them in a later request.
func assistantCalls(r llmRequest) []string {
	var out []string
	for _, m := range list(r.Body["messages"]) {
		for _, c := range list(obj(m)["tool_calls"]) {
			f := obj(obj(c)["function"])
			out = append(out, str(f["name"])+" "+str(f["arguments"]))
		}
	}
	return out
}

// assertBackup checks that backup id exists in h's backup dir and holds id.
func assertBackup(t *testing.T, h *httpServer, backup, id string) {
	t.Helper()
	if backup == "" {
		t.Fatalf("no backup recorded for %s", id)
	}
	b, err := os.ReadFile(filepath.Join(h.backupDir, backup+".json"))
	if err != nil {
		t.Fatalf("backup %s: %v", backup, err)
	}
	var f struct {
		Models []struct {
			ID string `json:"id"`
		} `json:"models"`
	}
	if err := json.Unmarshal(b, &f); err != nil || len(f.Models) != 1 || f.Models[0].ID != id {
		t.Fatalf("backup %s does not hold exactly %s: %v %s", backup, id, err, clip(string(b), 300))
	}
}
