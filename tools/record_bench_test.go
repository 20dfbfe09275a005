package tools

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// BenchmarkGetModelRecord is the server's own per-call work on a get_model
// answer, without transports: decode Open WebUI's body into owui.Model,
// convert it to the result record, and encode the result as the wrapper
// does (issue 19: meta and params pass through undecoded).
func BenchmarkGetModelRecord(b *testing.B) {
	fake := fakeowui.New(fakeowui.Options{})
	fakeowui.SeedDemo(fake)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/models/model?id=code-reviewer", nil)
	req.Header.Set("Authorization", "Bearer "+fakeowui.AdminKey)
	rr := httptest.NewRecorder()
	fake.ServeHTTP(rr, req)
	if rr.Code != http.StatusOK {
		b.Fatalf("get: %d %s", rr.Code, rr.Body)
	}
	body := rr.Body.Bytes()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var m owui.Model
		if err := json.Unmarshal(body, &m); err != nil {
			b.Fatal(err)
		}
		out, err := json.Marshal(schemas.ModelResult{Model: record(m)})
		if err != nil || len(out) == 0 {
			b.Fatal(err)
		}
	}
}
