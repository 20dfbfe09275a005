package fakeowui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestAuthentication(t *testing.T) {
	h := newHarness(t, true, Options{})
	const list = "/api/v1/models/list"
	alice := h.fake.IssueSession("u-alice")
	ghost := h.fake.IssueSession("u-deleted")
	tests := []struct {
		name   string
		header map[string]string
		status int
		detail string
	}{
		{"no credentials", nil, 401, msgNotAuthenticated},
		{"unknown api key", map[string]string{"Authorization": "Bearer sk-nope"}, 401, msgInvalidToken},
		{"undecodable jwt", map[string]string{"Authorization": "Bearer eyJhbGciOi.x.y"}, 401, "401 Unauthorized"},
		{"tampered session token", map[string]string{"Authorization": "Bearer " + alice + "x"}, 401, "401 Unauthorized"},
		{"session of a user that does not exist", map[string]string{"Authorization": "Bearer " + ghost}, 401, msgInvalidToken},
		{"basic scheme is ignored", map[string]string{"Authorization": "Basic " + AdminKey}, 401, msgNotAuthenticated},
		{"bearer admin", map[string]string{"Authorization": "Bearer " + AdminKey}, 200, ""},
		{"lower-case scheme", map[string]string{"Authorization": "bearer " + UserKey}, 200, ""},
		{"x-api-key header", map[string]string{"X-Api-Key": UserKey}, 200, ""},
		{"token cookie", map[string]string{"Cookie": "token=" + AdminKey}, 200, ""},
		{"session token", map[string]string{"Authorization": "Bearer " + alice}, 200, ""},
		{"session token in the cookie", map[string]string{"Cookie": "token=" + alice}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, h.doHeaders("GET", list, tc.header, nil), tc.status, ctJSON, tc.detail)
		})
	}
}

func TestIssueSession(t *testing.T) {
	h := newHarness(t, true, Options{})
	admin, alice := h.fake.IssueSession("u-admin"), h.fake.IssueSession("u-alice")
	if admin == alice || strings.HasPrefix(admin, "sk-") || strings.Count(admin, ".") != 2 {
		t.Fatalf("tokens %q %q are not distinct JWT-like tokens", admin, alice)
	}
	if again := h.fake.IssueSession("u-alice"); again == alice {
		t.Fatal("IssueSession must mint a new token each time")
	}
	const who = "/api/v1/auths/"
	tests := []struct {
		name, key string
		status    int
		detail    string
		want      map[string]any
	}{
		{"admin session", admin, 200, "", map[string]any{"id": "u-admin", "email": "admin@example.com", "name": "Admin", "role": "admin", "profile_image_url": "/user.png"}},
		{"user session", alice, 200, "", map[string]any{"id": "u-alice", "email": "alice@example.com", "name": "Alice", "role": "user", "profile_image_url": "/user.png"}},
		{"admin api key", AdminKey, 403, msgHumanSession, nil},
		{"user api key", UserKey, 403, msgHumanSession, nil},
		{"unknown bearer", "not-a-jwt", 401, "401 Unauthorized", nil},
		{"no credentials", "", 401, msgNotAuthenticated, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("GET", who, tc.key, nil)
			expect(t, r, tc.status, ctJSON, tc.detail)
			if tc.want != nil {
				mustEqual(t, r.obj(t), tc.want)
			}
		})
	}
	// A session works on the models routes with that user's rights.
	r := h.do("GET", listPath, alice, nil)
	expect(t, r, 200, ctJSON, "")
	mustEqual(t, r.obj(t)["total"], float64(len(aliceReadable)))
	expect(t, h.do("GET", "/api/v1/models/base", alice, nil), 401, ctJSON, msgAccessProhibited)
	expect(t, h.do("GET", "/api/v1/models/base", admin, nil), 200, ctJSON, "")
	// The log keeps the user id, never the token.
	for _, req := range h.fake.Requests() {
		if strings.Contains(fmt.Sprintf("%+v", req), alice) {
			t.Fatal("a session token leaked into the log")
		}
	}
	if got := h.fake.Requests()[len(h.fake.Requests())-1].UserID; got != "u-admin" {
		t.Fatalf("logged user %q", got)
	}
}

func TestAPIKeysDisabled(t *testing.T) {
	h := newHarness(t, true, Options{Behaviour: Behaviour{DisableAPIKeys: true}})
	expect(t, h.do("GET", "/api/v1/models/list", AdminKey, nil), 403, ctJSON, msgAPIKeyNotAllowed)
	// An unknown key is still an unknown key; sessions are unaffected.
	expect(t, h.do("GET", "/api/v1/models/list", "sk-nope", nil), 401, ctJSON, msgInvalidToken)
	expect(t, h.do("GET", "/api/v1/models/list", h.fake.IssueSession("u-admin"), nil), 200, ctJSON, "")
}

func TestAdminOnlyRoutes(t *testing.T) {
	h := newHarness(t, true, Options{})
	routes := []struct{ method, path string }{
		{"GET", "/api/v1/models/base"},
		{"GET", "/api/v1/models/base/tags"},
		{"GET", "/api/models/base"},
		{"GET", "/api/v1/models/all"},
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
		{"GET", "/api/v1/models/", 200, "text/html"},                  // pre-0.6.35 list path
		{"GET", "/api/v1/models/nope", 200, "text/html"},              // unknown GET
		{"GET", "/api/v1/models/create", 200, "text/html"},            // known path, wrong method, GET
		{"GET", "/api/v1/models/model/update", 200, "text/html"},      // recorded on 0.12.4
		{"GET", "/api/v1/models/model/history/", 200, "text/html"},    // empty {history_id}
		{"GET", "/api/v1/models/model/history/a/b", 200, "text/html"}, // two segments
		{"GET", "/workspace/models", 200, "text/html"},                // a frontend page
		{"POST", "/api/v1/models/nope", 405, ctJSON},                  // unknown POST
		{"POST", "/api/v1/models/list", 405, ctJSON},                  // recorded on 0.12.4
		{"DELETE", "/api/v1/models/model/delete", 405, ctJSON},        // pre-0.6.37 delete
		{"PUT", "/api/v1/models/model/update", 405, ctJSON},           // wrong method
		{"PUT", "/api/v1/models/model/history/x", 405, ctJSON},        // templated path, wrong method
		{"POST", "/api/v1/models/model/update?id=x", 422, ctJSON},     // real route, no body
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
	h := newHarness(t, false, Options{})
	tests := []struct {
		path string
		want string
	}{
		{"/health", `{"status":true}`},
		{"/ready", `{"status":true}`},
		{"/api/version", `{"version":"0.12.4","deployment_id":""}`},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			r := h.do("GET", tc.path, "", nil)
			expect(t, r, 200, ctJSON, "")
			mustEqual(t, string(r.body), tc.want)
		})
	}
	expect(t, h.do("GET", "/api/v1/auths/", "", nil), 401, ctJSON, msgNotAuthenticated)

	// Options.Version changes only the reported version.
	other := newHarness(t, false, Options{Version: "0.12.9"})
	mustEqual(t, string(other.do("GET", "/api/version", "", nil).body), `{"version":"0.12.9","deployment_id":""}`)
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

func TestRequestLogLimitKeepsTheNewest(t *testing.T) {
	s := New(Options{RequestLogLimit: 3})
	for i := range 10 {
		req := httptest.NewRequest("GET", fmt.Sprintf("/api/version?n=%d", i), nil)
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	got := s.Requests()
	if len(got) != 3 || got[0].RawQuery != "n=7" || got[2].RawQuery != "n=9" {
		t.Fatalf("log: %+v", got)
	}
	if len(s.log) > 6 {
		t.Errorf("the log grew to %d entries with a limit of 3", len(s.log))
	}
}
