package tools

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/owui"
)

// bulkModels are the 500 records test/bench's BenchmarkBulkGrant binds
// (the demo's custom models repeated with numbered ids, each with one more
// tag), decoded from the fake's export as a confirming update_models call
// decodes them.
func bulkModels(tb testing.TB) []owui.Model {
	tb.Helper()
	fake := fakeowui.New(fakeowui.Options{})
	fakeowui.SeedRepeatedDemo(fake, 500, "bench-bulk")
	req := httptest.NewRequest(http.MethodGet, "/api/v1/models/export", nil)
	req.Header.Set("Authorization", "Bearer "+fakeowui.AdminKey)
	rr := httptest.NewRecorder()
	fake.ServeHTTP(rr, req)
	var models []owui.Model
	if err := json.Unmarshal(rr.Body.Bytes(), &models); rr.Code != http.StatusOK || err != nil || len(models) != 500 {
		tb.Fatalf("export: %d, %v, %d models", rr.Code, err, len(models))
	}
	return models
}

// BenchmarkFingerprintBulk binds the 500 records of BenchmarkBulkGrant as
// a confirming update_models call does: "decode" is the previous builds'
// way (meta and params decoded into maps, then walked), "raw" this one's.
func BenchmarkFingerprintBulk(b *testing.B) {
	models := bulkModels(b)
	if fingerprint(models) != oldFingerprint(models) {
		b.Fatal("the two ways disagree")
	}
	for _, c := range []struct {
		name string
		fp   func(any) string
	}{{"decode", oldFingerprint}, {"raw", fingerprint}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = c.fp(models)
			}
		})
	}
}

func TestFingerprintBulkMatchesDecode(t *testing.T) {
	models := bulkModels(t)
	if got, want := fingerprint(models), oldFingerprint(models); got != want {
		t.Fatalf("fingerprint %s, decoded %s", got, want)
	}
	for _, m := range models[:40] {
		if got, want := fingerprint(m), oldFingerprint(m); got != want {
			t.Fatalf("%s: fingerprint %s, decoded %s", m.ID, got, want)
		}
	}
}
