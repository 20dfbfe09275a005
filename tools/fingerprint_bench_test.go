package tools

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/internal/safety"
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

// TestFingerprintBulkStateAsRoundTrip: the state a confirming update_models
// call binds (up to 500 records, walked in parallel chunks from 64 on)
// fingerprints exactly as its encode round trip (oldContent structs, which
// are never walked) at every size around the chunking, on 1 and 2 cores.
func TestFingerprintBulkStateAsRoundTrip(t *testing.T) {
	models := bulkModels(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 63, 64, 65, 96, 129, 500} {
			ms := models[:n]
			old := make([]oldContent, n)
			for i, m := range ms {
				old[i] = oldContentOf(m)
			}
			readOnly := []string{"ro-1", "ro-2"}
			got := fingerprint(map[string]any{"models": ms, "read_only": readOnly})
			if want := safety.Fingerprint(map[string]any{"models": old, "read_only": readOnly}); got != want {
				t.Fatalf("procs %d, %d records: fingerprint %s, round trip %s", procs, n, got, want)
			}
			if got, want := fingerprint(ms), safety.Fingerprint(old); got != want {
				t.Fatalf("procs %d, %d records as a list: fingerprint %s, round trip %s", procs, n, got, want)
			}
		}
	}
}
