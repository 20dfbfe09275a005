package tools

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// toolCalls names, for every tool, arguments that reach upstream and the
// endpoint whose failure the tool must report (for gated tools, the write
// that runs once confirmed).
var toolCalls = []struct {
	tool, method, path string
	args               map[string]any
}{
	{"list_models", "GET", "/api/v1/models/list", nil},
	{"get_model", "GET", "/api/v1/models/model", map[string]any{"id": "code-reviewer"}},
	{"get_model_profile_image", "GET", "/api/v1/models/model/profile/image", map[string]any{"id": "meeting-summarizer"}},
	{"list_model_tags", "GET", "/api/v1/models/tags", nil},
	{"list_base_models", "GET", "/api/v1/models/base", nil},
	{"list_base_models_direct", "GET", "/api/models/base", nil},
	{"list_base_model_tags", "GET", "/api/v1/models/base/tags", nil},
	{"export_models", "GET", "/api/v1/models/export", nil},
	{"create_model", "POST", "/api/v1/models/create", map[string]any{"id": "n1", "name": "N"}},
	{"update_model", "POST", "/api/v1/models/model/update", map[string]any{"id": "code-reviewer", "name": "X"}},
	{"toggle_model", "POST", "/api/v1/models/model/toggle", map[string]any{"id": "code-reviewer"}},
	{"delete_model", "POST", "/api/v1/models/model/delete", map[string]any{"id": "code-reviewer"}},
	{"update_model_access", "POST", "/api/v1/models/model/access/update", map[string]any{"id": "code-reviewer", "access_grants": []any{}}},
	{"delete_all_models", "DELETE", "/api/v1/models/delete/all", nil},
	{"import_models", "POST", "/api/v1/models/import", map[string]any{"models": []any{map[string]any{"id": "code-reviewer", "name": "Y"}}}},
	{"sync_models", "POST", "/api/v1/models/sync", map[string]any{"models": []any{map[string]any{"id": "code-reviewer", "name": "Y"}}}},
	{"unload_model", "POST", "/api/models/unload", map[string]any{"model": "llama3.1:8b"}},
	{"list_model_history", "GET", "/api/v1/models/model/history", map[string]any{"id": hm}},
	{"get_model_version", "GET", "/api/v1/models/model/history/" + hmOldest, map[string]any{"id": hm, "version_id": hmOldest}},
	{"rollback_model", "POST", "/api/v1/models/model/update/version", map[string]any{"id": hm, "version_id": hmOldest}},
	{"delete_model_version", "DELETE", "/api/v1/models/model/history/" + hmOldest, map[string]any{"id": hm, "version_id": hmOldest}},
}

// hmOldest is the first version of the demo history model: the seed writes
// one entry for each of its 38 rows, then that model's three.
const hmOldest = "00000000-0000-4000-9000-000000000039"

// TestEveryToolReportsEveryUpstreamError: each tool, each way its endpoint
// can fail, gives a tool error naming the status and what to do next.
func TestEveryToolReportsEveryUpstreamError(t *testing.T) {
	faults := []struct {
		name        string
		status      int
		ctype, body string
		want        []string
	}{
		{"not found", 401, "application/json", `{"detail":"We could not find what you're looking for :/"}`, []string{"HTTP 401", "list_models"}},
		{"forbidden", 401, "application/json", `{"detail":"You do not have permission to access this resource. Please contact your administrator for assistance."}`, []string{"HTTP 401", "admin"}},
		{"422 list", 422, "application/json", `{"detail":[{"type":"missing","loc":["body","name"],"msg":"Field required","input":{}}]}`, []string{"HTTP 422", "body.name: Field required", "correct the arguments"}},
		{"500 text", 500, "text/plain", "Internal Server Error", []string{"HTTP 500", "Internal Server Error", "read the model back"}},
		{"html", 200, "text/html; charset=utf-8", "<!doctype html><html></html>", []string{"web page", "version"}},
		{"null", 200, "application/json", "null", []string{"unexpected"}},
	}
	for _, tc := range toolCalls {
		for _, f := range faults {
			if f.name == "html" && tc.method != "GET" {
				continue // the SPA page answers only GETs
			}
			t.Run(tc.tool+"/"+f.name, func(t *testing.T) {
				e := newEnv(t, withOptions(Options{AllowAdmin: true, AllowAccessChanges: true, Confirm: ConfirmNone}))
				hits := 0
				e.fake.Override(tc.method, tc.path, func(w http.ResponseWriter, r *http.Request) {
					hits++
					w.Header().Set("Content-Type", f.ctype)
					w.WriteHeader(f.status)
					fmt.Fprint(w, f.body)
				})
				msg := e.fail(tc.tool, tc.args)
				if hits == 0 {
					t.Fatalf("the fault endpoint was not called; error: %s", msg)
				}
				mustContain(t, msg, tc.tool+" failed")
				low := strings.ToLower(msg)
				for _, w := range f.want {
					if !strings.Contains(low, strings.ToLower(w)) {
						t.Errorf("missing %q in %s", w, msg)
					}
				}
				// The server keeps serving.
				e.fake.Override(tc.method, tc.path, nil)
				e.ok("list_models", nil, nil)
			})
		}
	}
}

// TestEveryToolReportsAnUnreachableServer: refused connections and
// timeouts come out as the same clear error from every tool.
func TestEveryToolReportsAnUnreachableServer(t *testing.T) {
	e := newEnv(t, withOptions(Options{AllowAdmin: true, AllowAccessChanges: true, Confirm: ConfirmNone}))
	e.http.Close() // nothing listens there any more
	for _, tc := range toolCalls {
		msg := e.fail(tc.tool, tc.args)
		mustContain(t, msg, tc.tool+" failed", "not reachable", "OPENWEBUI_URL")
	}
}

// Open WebUI's 400 for a provider that cannot unload is not an argument
// mistake: the error says so and that retrying will not help.
func TestUnloadUnsupportedProviderIsExplained(t *testing.T) {
	e := newEnv(t, withOptions(Options{AllowAdmin: true, Confirm: ConfirmNone}))
	e.fake.AddProviderModel("plain-openai", "openai", false)
	msg := e.fail("unload_model", map[string]any{"model": "plain-openai"})
	mustContain(t, msg, "HTTP 400", `does not support model unloading`, "Only Ollama connections", "retrying will not help")
	if strings.Contains(msg, "correct the arguments") {
		t.Errorf("the hint blames the arguments: %s", msg)
	}
}
