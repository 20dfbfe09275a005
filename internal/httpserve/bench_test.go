package httpserve

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkServePost: one tools/call through the whole handler chain (origin,
// auth, body, cap, mcp-go, a trivial tool), without the network: what the
// transport costs per call on top of mcp-go.
func BenchmarkServePost(b *testing.B) {
	h, err := Handler(newTestMCPServer(nil), Options{Token: testToken, Stateless: true})
	if err != nil {
		b.Fatal(err)
	}
	body := `{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{` + modernMeta + `,"name":"whoami",` +
		`"arguments":{"id":"llama3:8b-instruct","changes":{"meta":{"description":"General chat model.","tags":[{"name":"chat"}]},"params":{"temperature":0.7}}}}}`
	hdr := http.Header{}
	for k, v := range merge(bearer(testToken), modernHeaders("tools/call")) {
		hdr.Set(k, v)
	}
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Accept", "application/json, text/event-stream")
	hdr.Set("Mcp-Name", "whoami")
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(body))
		r.Header = hdr.Clone() // the handler deletes Authorization from its request
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"result"`) {
			b.Fatalf("HTTP %d %s", w.Code, w.Body)
		}
	}
}
