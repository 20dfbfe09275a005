//go:build e2e

package e2e

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
)

// target is one Open WebUI the checks run against: the real server started
// by TestMain, or the Go fake served by httptest with the same fixture.
type target struct {
	name            string // "real" or "fake"
	url             string
	adminKey        string
	userKey         string
	adminID, userID string
	adminREST       *rest
	userREST        *rest
	groupID         string   // a group grants can name
	providers       []string // the provider's live model ids
	admin, user     *server  // owui-mcp processes, started on first use
	mu              sync.Mutex
	fake            *fakeowui.Server
	seeded          bool
}

// Provider models served by scripts/fake-openai.py (its default list).
var providerIDs = []string{"fake-a", "org/fake-b:1"}

// pngDataURI is a valid 1x1 PNG.
const pngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
const pngDataURI = "data:image/png;base64," + pngBase64
const imageURL = "https://example.com/avatars/e2e.png"

var (
	realOnce sync.Once
	realTg   *target
	fakeOnce sync.Once
	fakeTg   *target
)

// realTarget is the server TestMain started (or OWUI_E2E_ENV named).
func realTarget(t testing.TB) *target {
	t.Helper()
	realOnce.Do(func() {
		e := suite.env
		tg := &target{
			name: "real", url: e["OWUI_URL"],
			adminKey: e["OWUI_ADMIN_KEY"], userKey: e["OWUI_USER_KEY"],
			adminID: e["OWUI_ADMIN_ID"], userID: e["OWUI_USER_ID"],
			providers: providerIDs,
		}
		tg.adminREST = newREST(tg.url, tg.adminKey)
		tg.userREST = newREST(tg.url, tg.userKey)
		realTg = tg
	})
	if realTg.groupID == "" {
		realTg.groupID = ensureGroup(t, realTg)
	}
	return realTg
}

// ensureGroup creates (or finds) the group "e2e-group" on the real server.
func ensureGroup(t testing.TB, tg *target) string {
	t.Helper()
	var groups []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	tg.adminREST.must(t, "GET", "/api/v1/groups/", nil, nil, &groups)
	for _, g := range groups {
		if g.Name == "e2e-group" {
			return g.ID
		}
	}
	var g struct {
		ID string `json:"id"`
	}
	tg.adminREST.must(t, "POST", "/api/v1/groups/create", nil, map[string]any{"name": "e2e-group", "description": "owui-mcp e2e"}, &g)
	if g.ID == "" {
		t.Fatal("group create answered no id")
	}
	return g.ID
}

// fakeTarget is the Go fake with the real server's provider models, served
// on loopback so that the binary reaches it exactly as it reaches the real
// server.
func fakeTarget(t testing.TB) *target {
	t.Helper()
	fakeOnce.Do(func() {
		fake := fakeowui.New(fakeOptions())
		for _, id := range providerIDs {
			fake.AddProviderModel(id, "openai", false) // plain OpenAI connection: no unloading
		}
		hs := httptest.NewServer(fake)
		// Lives for the whole suite; the process exit closes it.
		tg := &target{
			name: "fake", url: hs.URL, fake: fake,
			adminKey: fakeowui.AdminKey, userKey: fakeowui.UserKey,
			adminID: "u-admin", userID: "u-alice", groupID: "g-e2e", // u-alice is not a member
			providers: providerIDs,
		}
		tg.adminREST = newREST(tg.url, tg.adminKey)
		tg.userREST = newREST(tg.url, tg.userKey)
		fakeTg = tg
	})
	return fakeTg
}

// fakeOptions is the one place that says which release the fake emulates.
func fakeOptions() fakeowui.Options {
	v := suite.env["OWUI_VERSION"]
	if v == "" {
		v = version()
	}
	// The fake emulates the release the real server runs, switch by switch.
	return fakeowui.Options{Version: v, Behaviour: fakeowui.BehaviourFor(v)}
}

// adminServer and userServer start the target's owui-mcp processes once.
// They live for the rest of the suite (torn down with the test process).
func (tg *target) adminServer(t testing.TB) *server {
	t.Helper()
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.admin == nil {
		tg.admin = startSuiteServer(t, tg.name+"/admin", tg.url, tg.adminKey)
	}
	return tg.admin
}

func (tg *target) userServer(t testing.TB) *server {
	t.Helper()
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.user == nil {
		tg.user = startSuiteServer(t, tg.name+"/user", tg.url, tg.userKey)
	}
	return tg.user
}

// startSuiteServer is startServer for processes shared by several tests:
// their lifetime is the suite's, not one test's.
func startSuiteServer(t testing.TB, name, url, key string) *server {
	t.Helper()
	st := &suiteTB{TB: t}
	s := startServer(st, name, url, key)
	return s
}

// suiteTB lends a test's Helper/Fatal but keeps Cleanup and TempDir for the
// end of the suite.
type suiteTB struct{ testing.TB }

func (s *suiteTB) Cleanup(func()) {} // process exit closes the server (stdin EOF)
func (s *suiteTB) TempDir() string {
	dir, err := os.MkdirTemp(suite.tmp, "srv-")
	if err != nil {
		s.TB.Fatal(err)
	}
	return dir
}

// Fixture: the same models on every target, created through the REST API.

// bulkCount models make list_models page past 30.
const bulkCount = 32

func bulkID(i int) string { return fmt.Sprintf("bulk/m:%02d", i) }

// fixture lists the parity models; grants naming the target's group or
// user are filled in by seed.
func (tg *target) fixture() []map[string]any {
	fa, fb := providerIDs[0], providerIDs[1]
	return []map[string]any{
		{"id": "pty/alpha:1", "name": "Parity Alpha", "base_model_id": fa,
			"meta":          map[string]any{"description": "alpha model", "tags": []any{map[string]any{"name": "ptag"}, map[string]any{"name": "shared-tag"}}},
			"params":        map[string]any{"system": "You are alpha.", "temperature": 0.4},
			"access_grants": []any{map[string]any{"principal_type": "group", "principal_id": tg.groupID, "permission": "read"}}},
		{"id": "pty/beta", "name": "Parity Beta", "base_model_id": fb,
			"meta": map[string]any{"profile_image_url": pngDataURI, "tags": []any{map[string]any{"name": "ptag"}}}},
		{"id": "pty/gamma", "name": "Parity Gamma", "base_model_id": fa,
			"meta": map[string]any{"profile_image_url": imageURL}},
		{"id": "pty/user-read", "name": "Parity User Read", "base_model_id": fa,
			"meta":          map[string]any{"tags": []any{map[string]any{"name": "ro-tag"}}},
			"params":        map[string]any{"system": "secret prompt", "temperature": 0.1},
			"access_grants": []any{map[string]any{"principal_type": "user", "principal_id": tg.userID, "permission": "read"}}},
		// Read and write, as Open WebUI's sharing dialog grants it.
		{"id": "pty/user-write", "name": "Parity User Write", "base_model_id": fa,
			"params": map[string]any{"temperature": 0.2},
			"access_grants": []any{map[string]any{"principal_type": "user", "principal_id": tg.userID, "permission": "read"},
				map[string]any{"principal_type": "user", "principal_id": tg.userID, "permission": "write"}}},
		// Write alone: 0.12.4 lets the user read and write it, but /list omits it.
		{"id": "pty/user-write-only", "name": "Parity User Write Only", "base_model_id": fa,
			"meta":          map[string]any{"tags": []any{map[string]any{"name": "wo-tag"}}},
			"access_grants": []any{map[string]any{"principal_type": "user", "principal_id": tg.userID, "permission": "write"}}},
		{"id": "pty/off", "name": "Parity Off", "base_model_id": fa, "is_active": false},
	}
}

// seed creates the fixture once per target: the parity models, the bulk
// models and a base-model record for the first provider model.
func (tg *target) seed(t testing.TB) {
	t.Helper()
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.seeded {
		return
	}
	for _, f := range tg.fixture() {
		if _, ok := tg.adminREST.get(t, str(f["id"])); ok {
			tg.adminREST.del(t, str(f["id"]))
		}
		tg.adminREST.create(t, f)
	}
	for i := 0; i < bulkCount; i++ {
		if _, ok := tg.adminREST.get(t, bulkID(i)); ok {
			continue
		}
		tg.adminREST.create(t, map[string]any{
			"id": bulkID(i), "name": fmt.Sprintf("Bulk Model %02d", i), "base_model_id": providerIDs[i%2],
			"meta": map[string]any{"tags": []any{map[string]any{"name": "bulk"}}},
		})
	}
	// A base-model record (base_model_id null) for a provider model.
	if _, ok := tg.adminREST.get(t, providerIDs[0]); !ok {
		tg.adminREST.create(t, map[string]any{"id": providerIDs[0], "name": "Fake A (record)", "base_model_id": nil,
			"meta": map[string]any{"tags": []any{map[string]any{"name": "btag"}}}})
	}
	tg.seeded = true
}

// wipe deletes every stored model of the target (the suite's servers are
// throw-away).
func (tg *target) wipe(t testing.TB) {
	t.Helper()
	tg.adminREST.must(t, "DELETE", "/api/v1/models/delete/all", nil, nil, nil)
	tg.seeded = false
}

func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}
