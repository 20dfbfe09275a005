package fakeowui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkAnswers is the fake's own CPU per answer (no network), for the
// requests update_models sends in bulk: an access update, a list page of
// 30 and an export of the demo models.
func BenchmarkAnswers(b *testing.B) {
	f := New(Options{RequestLogLimit: 1})
	SeedDemo(f)
	grants := `{"id":"team/support-bot:v2","access_grants":[{"principal_type":"group","principal_id":"g-eng","permission":"read"},{"principal_type":"group","principal_id":"g-bench","permission":"read"}]}`
	for _, tc := range []struct{ name, method, path, body string }{
		{"access_update", "POST", "/api/v1/models/model/access/update", grants},
		{"list_page", "GET", "/api/v1/models/list?order_by=created_at&direction=asc", ""},
		{"export", "GET", "/api/v1/models/export", ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
				req.Header.Set("Authorization", "Bearer "+AdminKey)
				if tc.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				w := httptest.NewRecorder()
				f.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
