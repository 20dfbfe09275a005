package tools

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/owui"
)

func listedTools(t *testing.T, e *env) map[string]mcp.Tool {
	t.Helper()
	res, err := e.client.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]mcp.Tool{}
	for _, tl := range res.Tools {
		out[tl.Name] = tl
	}
	return out
}

// On a release that lacks a route, the tool stays listed, says so in its
// description and in the instructions, and answers a clear error without
// sending the request.
func TestVersionLacksBaseModelTags(t *testing.T) {
	e := newEnv(t, withFake(fakeowui.Options{Version: "0.9.6", Behaviour: fakeowui.BehaviourFor("0.9.6")}))
	const need = "base-model tags (GET /api/v1/models/base/tags) needs Open WebUI 0.10.0 or later; this server runs 0.9.6"
	if !strings.HasSuffix(e.init.Instructions, "\nConnected to Open WebUI 0.9.6. Unavailable on this version: list_base_model_tags (needs 0.10.0), list_model_history (needs 0.12.0), get_model_version (needs 0.12.0), rollback_model (needs 0.12.0), delete_model_version (needs 0.12.0).") {
		t.Errorf("instructions: %q", e.init.Instructions)
	}
	tl := listedTools(t, e)
	want := "UNAVAILABLE on this server: " + need + ". " + listBaseModelTags.MCP().Description
	if got := tl["list_base_model_tags"].Description; got != want {
		t.Errorf("description:\n got %q\nwant %q", got, want)
	}
	if got, want := tl["list_models"].Description, listModels.MCP().Description; got != want {
		t.Errorf("list_models description changed on 0.9.6: %q", got)
	}
	e.fake.ResetRequests()
	msg := e.fail("list_base_model_tags", map[string]any{})
	if !strings.Contains(msg, need+" (not sent)") {
		t.Errorf("error: %q", msg)
	}
	if reqs := e.fake.Requests(); len(reqs) != 0 {
		t.Errorf("requests sent: %+v", reqs)
	}
}

// The newest release keeps the default surface: descriptions exactly as
// declared (the snapshot), the instructions only name the version.
func TestVersionNewestKeepsSurface(t *testing.T) {
	e := newEnv(t)
	if !strings.HasSuffix(e.init.Instructions, "\nConnected to Open WebUI 0.12.4.") {
		t.Errorf("instructions: %q", e.init.Instructions)
	}
	for name, tl := range listedTools(t, e) {
		for _, d := range All() {
			if d.Name == name && d.MCP().Description != tl.Description {
				t.Errorf("%s: description %q, declared %q", name, tl.Description, d.MCP().Description)
			}
		}
	}
}

// initialize never waits for the upstream: with the version not known yet
// it answers without contacting Open WebUI and without a version line;
// tools/list then reads the version and describes what the release lacks.
func TestVersionInitializeDoesNotWait(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	e := newEnv(t, withColdVersion(), withFake(fakeowui.Options{Version: "0.9.6", Behaviour: fakeowui.BehaviourFor("0.9.6")}),
		withUpstream(func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				paths = append(paths, r.URL.Path)
				mu.Unlock()
				h.ServeHTTP(w, r)
			})
		}))
	mu.Lock()
	before := slices.Clone(paths)
	mu.Unlock()
	if len(before) != 0 {
		t.Errorf("requests upstream before initialize was answered: %v", before)
	}
	if strings.Contains(e.init.Instructions, "Connected to") {
		t.Errorf("instructions name a version nobody read: %q", e.init.Instructions)
	}
	tl := listedTools(t, e)
	if got := tl["list_base_model_tags"].Description; !strings.HasPrefix(got, "UNAVAILABLE on this server: base-model tags (GET /api/v1/models/base/tags) needs Open WebUI 0.10.0 or later; this server runs 0.9.6. ") {
		t.Errorf("description after tools/list: %q", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(paths, []string{"/api/version"}) {
		t.Errorf("requests upstream: %v, want /api/version once (at tools/list)", paths)
	}
}

func TestVersionNote(t *testing.T) {
	for _, tc := range []struct{ v, want string }{
		{"", ""},
		{"0.12.4", "Connected to Open WebUI 0.12.4."},
		{"0.10.2", "Connected to Open WebUI 0.10.2."},
		{"0.9.6", "Connected to Open WebUI 0.9.6. Unavailable on this version: list_base_model_tags (needs 0.10.0)."},
		{"0.8.12", "Connected to Open WebUI 0.8.12 (OLDER than the verified range 0.9.6–0.12.4: some tools may fail). Unavailable on this version: list_base_model_tags (needs 0.10.0)."},
		{"0.13.0", "Connected to Open WebUI 0.13.0 (newer than the newest verified 0.12.4)."},
		{"dev", "Connected to Open WebUI dev (unrecognized version; verified range 0.9.6–0.12.4)."},
	} {
		if got := VersionNote(tc.v, []string{"list_models", "list_base_model_tags"}); got != tc.want {
			t.Errorf("VersionNote(%q) = %q, want %q", tc.v, got, tc.want)
		}
	}
	// A tool that is not listed is not named.
	if got := VersionNote("0.9.6", []string{"list_models"}); got != "Connected to Open WebUI 0.9.6." {
		t.Errorf("unlisted tool named: %q", got)
	}
}

// The import and sync previews state the connected release's rule.
func TestReleaseWarnings(t *testing.T) {
	for _, tc := range []struct{ v, sync, imp string }{
		{"", "Open WebUI 0.12 keeps the owner and grants of listed models that already exist; only new ones get the listed grants.",
			"m: Open WebUI 0.12 ignores access_grants of existing models on import (use update_model_access); 0.12.3 and older replace them."},
		{"0.12.4", "Open WebUI 0.12.4 keeps the owner and grants of listed models that already exist; only new ones get the listed grants.",
			"m: Open WebUI 0.12.4 ignores access_grants of existing models on import (use update_model_access); 0.12.3 and older replace them."},
		{"0.12.3", "Open WebUI 0.12.3 keeps the owner of listed models that already exist but REPLACES their grants with the listed ones.",
			"m: Open WebUI 0.12.3 REPLACES the grants of an existing model with the element's access_grants on import."},
		{"0.9.6", "Open WebUI 0.9.6 makes the caller the OWNER of every listed model and replaces its grants with the listed ones.",
			"m: Open WebUI 0.9.6 REPLACES the grants of an existing model with the element's access_grants on import."},
	} {
		r := owui.RulesFor(tc.v)
		if got := syncOwnerWarning(r); got != tc.sync {
			t.Errorf("%q sync: %q", tc.v, got)
		}
		if got := importGrantsWarning("m", r); got != tc.imp {
			t.Errorf("%q import: %q", tc.v, got)
		}
	}
	const lock = "Open WebUI 0.11.4 FAILS a sync that lists an existing model when it runs on SQLite with DATABASE_ENABLE_SESSION_SHARING=false (the default): " +
		"the sync is rolled back and nothing changes. Set DATABASE_ENABLE_SESSION_SHARING=true first, or use import_models and delete_models."
	if got := syncLockWarning(owui.RulesFor("0.11.4")); got != lock {
		t.Errorf("sync lock warning: %q", got)
	}
}
