package owui

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
)

// Open WebUI 0.12 answers GET /api/v1/auths/ only for session tokens; an
// sk- key is identified through the user-status route instead.
func TestCurrentUserForSessionsAndKeys(t *testing.T) {
	fake := fakeowui.New(fakeowui.Options{})
	hs := httptest.NewServer(fake)
	defer hs.Close()
	cases := []struct {
		name, token, wantID string
		wantPaths           []string
	}{
		{"session token", fake.IssueSession("u-alice"), "u-alice", []string{"/api/v1/auths/"}},
		{"sk- key", fakeowui.UserKey, "u-alice", []string{"/api/v1/auths/", "/api/v1/users/user/status"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake.ResetRequests()
			cl, err := New(Config{BaseURL: hs.URL, APIKey: c.token})
			if err != nil {
				t.Fatal(err)
			}
			u, err := cl.CurrentUser(context.Background())
			if err != nil || u.ID != c.wantID || u.Email != "alice@example.com" {
				t.Fatalf("user %+v, err %v", u, err)
			}
			reqs := fake.Requests()
			if len(reqs) != len(c.wantPaths) {
				t.Fatalf("requests: %+v", reqs)
			}
			for i, p := range c.wantPaths {
				if reqs[i].Method != "GET" || reqs[i].Path != p {
					t.Errorf("request %d: %s %s, want GET %s", i, reqs[i].Method, reqs[i].Path, p)
				}
			}
		})
	}
	cl, _ := New(Config{BaseURL: hs.URL, APIKey: "sk-unknown"})
	if _, err := cl.CurrentUser(context.Background()); !IsKind(err, KindUnauthenticated) {
		t.Errorf("unknown key: %v", err)
	}
}
