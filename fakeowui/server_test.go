package fakeowui

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestAuthentication(t *testing.T) {
	h := newHarness(t, true, Options{})
	const list = "/api/v1/models/list"
	tests := []struct {
		name   string
		header map[string]string
		status int
		detail string
	}{
		{"no credentials", nil, 401, msgNotAuthenticated},
		{"unknown api key", map[string]string{"Authorization": "Bearer sk-nope"}, 401, msgInvalidToken},
		{"not a key, not a jwt we issued", map[string]string{"Authorization": "Bearer eyJhbGciOi.x.y"}, 401, msgInvalidJWT},
		{"basic scheme is ignored", map[string]string{"Authorization": "Basic " + AdminKey}, 401, msgNotAuthenticated},
		{"bearer admin", map[string]string{"Authorization": "Bearer " + AdminKey}, 200, ""},
		{"lower-case scheme", map[string]string{"Authorization": "bearer " + UserKey}, 200, ""},
		{"x-api-key header", map[string]string{"X-Api-Key": UserKey}, 200, ""},
		{"token cookie", map[string]string{"Cookie": "token=" + AdminKey}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, h.doHeaders("GET", list, tc.header, nil), tc.status, ctJSON, tc.detail)
		})
	}
}

func TestAPIKeysDisabled(t *testing.T) {
	h := newHarness(t, true, Options{Behaviour: Behaviour{DisableAPIKeys: true}})
	expect(t, h.do("GET", "/api/v1/models/list", AdminKey, nil), 403, ctJSON, msgAPIKeyNotAllowed)
}

func TestAdminOnlyRoutes(t *testing.T) {
	h := newHarness(t, true, Options{})
	routes := []struct{ method, path string }{
		{"GET", "/api/v1/models/base"},
		{"GET", "/api/v1/models/base/tags"},
		{"GET", "/api/models/base"},
		{"POST", "/api/v1/models/sync"},
		{"DELETE", "/api/v1/models/delete/all"},
		{"POST", "/api/models/unload"},
	}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			var b any
			if rt.method == "POST" {
				b = body{"models": []any{}, "model": "gpt-4o"}
			}
			expect(t, h.do(rt.method, rt.path, UserKey, b), 401, ctJSON, msgAccessProhibited)
			expect(t, h.do(rt.method, rt.path, "", b), 401, ctJSON, msgNotAuthenticated)
		})
	}
	if len(h.fake.Models()) == 0 {
		t.Fatal("a non-admin request deleted rows")
	}
}

func TestFallbackRoutes(t *testing.T) {
	h := newHarness(t, false, Options{})
	tests := []struct {
		method, path string
		status       int
		ctype        string
	}{
		{"GET", "/api/v1/models/", 200, "text/html"},              // pre-0.6.35 list path
		{"GET", "/api/v1/models/nope", 200, "text/html"},          // unknown GET
		{"GET", "/api/v1/models/create", 200, "text/html"},        // known path, wrong method, GET
		{"GET", "/workspace/models", 200, "text/html"},            // a frontend page
		{"POST", "/api/v1/models/nope", 405, ctJSON},              // unknown POST
		{"DELETE", "/api/v1/models/model/delete", 405, ctJSON},    // pre-0.6.37 delete
		{"PUT", "/api/v1/models/model/update", 405, ctJSON},       // wrong method
		{"POST", "/api/v1/models/model/update?id=x", 422, ctJSON}, // real route, no body
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := h.do(tc.method, tc.path, AdminKey, nil)
			expect(t, r, tc.status, tc.ctype, "")
			switch tc.status {
			case 200:
				if !strings.HasPrefix(string(r.body), "<!doctype html>") {
					t.Fatalf("SPA body = %q", r.body)
				}
			case 405:
				if r.detail(t) != "Method Not Allowed" {
					t.Fatalf("405 body = %s", r.body)
				}
			}
		})
	}
}

func TestMiscRoutes(t *testing.T) {
	h := newHarness(t, false, Options{Version: "0.11.0"})
	tests := []struct {
		path, key string
		want      map[string]any
	}{
		{"/health", "", map[string]any{"status": true}},
		{"/ready", "", map[string]any{"status": true}},
		{"/api/version", "", map[string]any{"version": "0.11.0"}},
		{"/api/v1/auths/", AdminKey, map[string]any{"id": "u-admin", "email": "admin@example.com", "name": "Admin", "role": "admin", "profile_image_url": "/user.png"}},
		{"/api/v1/auths/", UserKey, map[string]any{"id": "u-alice", "email": "alice@example.com", "name": "Alice", "role": "user", "profile_image_url": "/user.png"}},
	}
	for _, tc := range tests {
		t.Run(tc.path+tc.key, func(t *testing.T) {
			r := h.do("GET", tc.path, tc.key, nil)
			expect(t, r, 200, ctJSON, "")
			mustEqual(t, r.obj(t), tc.want)
		})
	}
	expect(t, h.do("GET", "/api/v1/auths/", "", nil), 401, ctJSON, msgNotAuthenticated)

	def := newHarness(t, false, Options{})
	mustEqual(t, def.do("GET", "/api/version", "", nil).obj(t)["version"], "0.12.4")
}

func TestSandboxHeader(t *testing.T) {
	on := newHarness(t, false, Options{Sandbox: true})
	off := newHarness(t, false, Options{})
	if got := on.do("GET", "/health", "", nil).header.Get("X-OWUI-Fake"); got != "sandbox" {
		t.Fatalf("sandbox header = %q", got)
	}
	if got := off.do("GET", "/health", "", nil).header.Get("X-OWUI-Fake"); got != "" {
		t.Fatalf("header without sandbox = %q", got)
	}
}

func TestRequestLog(t *testing.T) {
	h := newHarness(t, true, Options{})
	h.do("GET", idQuery("/api/v1/models/model", "team/support-bot:v2"), AdminKey, nil)
	h.do("POST", "/api/v1/models/model/delete", UserKey, body{"id": "sql-helper"})
	h.do("GET", "/no/such/page", "", nil)
	h.do("GET", "/health", "sk-bogus", nil)

	got := h.fake.Requests()
	want := []Request{
		{Method: "GET", Path: "/api/v1/models/model", RawQuery: "id=team%2Fsupport-bot%3Av2", Body: []byte{}, UserID: "u-admin"},
		{Method: "POST", Path: "/api/v1/models/model/delete", Body: []byte(`{"id":"sql-helper"}`), UserID: "u-alice"},
		{Method: "GET", Path: "/no/such/page", Body: []byte{}},
		{Method: "GET", Path: "/health", Body: []byte{}},
	}
	mustEqual(t, got, want)
	for _, r := range got {
		if strings.Contains(fmt.Sprintf("%+v", r), "sk-") {
			t.Fatalf("a credential leaked into the log: %+v", r)
		}
	}
	got[0].Body = append(got[0].Body, 'x')
	if len(h.fake.Requests()[0].Body) != 0 {
		t.Fatal("Requests does not return a copy")
	}
	h.fake.ResetRequests()
	if n := len(h.fake.Requests()); n != 0 {
		t.Fatalf("after reset: %d requests", n)
	}
}

func TestOverride(t *testing.T) {
	h := newHarness(t, true, Options{})
	const path = "/api/v1/models/list"
	h.fake.Override("GET", path, func(w http.ResponseWriter, r *http.Request) {
		// Overrides run without the lock, so they may use the Server.
		_ = h.fake.Models()
		http.Error(w, "boom", http.StatusBadGateway)
	})
	r := h.do("GET", path+"?page=2", AdminKey, nil)
	if r.status != http.StatusBadGateway || !strings.Contains(string(r.body), "boom") {
		t.Fatalf("override not used: %d %s", r.status, r.body)
	}
	if n := len(h.fake.Requests()); n != 1 {
		t.Fatalf("overridden request not logged: %d", n)
	}
	// Other methods on the same path are unaffected.
	expect(t, h.do("POST", path, AdminKey, nil), 405, ctJSON, "")
	h.fake.Override("GET", path, nil)
	expect(t, h.do("GET", path, AdminKey, nil), 200, ctJSON, "")
}

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, true, Options{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("race-%d", i)
			h.do("POST", "/api/v1/models/create", AdminKey, body{"id": id, "base_model_id": "gpt-4o", "name": id, "meta": body{}, "params": body{}})
			h.do("POST", idQuery("/api/v1/models/model/toggle", id), AdminKey, nil)
			h.do("GET", "/api/v1/models/list?page=2", UserKey, nil)
			h.fake.Models()
			h.fake.Requests()
		}()
	}
	wg.Wait()
	if n := len(h.fake.Requests()); n != 24 {
		t.Fatalf("logged %d requests, want 24", n)
	}
}
