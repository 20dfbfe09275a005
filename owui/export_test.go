package owui

import (
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/internal/redact"
)

// benchExport is the fake's export answer for n custom models shaped as
// test/bench's bulkFake builds them (the demo's 36 repeated with numbered
// ids, a bench tag added): the bytes update_models decodes before a bulk
// write.
func benchExport(tb testing.TB, n int) []byte {
	tb.Helper()
	fake := fakeowui.New(fakeowui.Options{})
	fakeowui.SeedRepeatedDemo(fake, n, "bench-bulk")
	srv := httptest.NewServer(fake)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+pathExport, nil)
	req.Header.Set("Authorization", "Bearer "+fakeowui.AdminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		tb.Fatalf("export: %d %s", resp.StatusCode, body)
	}
	return body
}

// ReadExport sends what ExportModels sends, names the answer's bytes (as
// redacted: a key echoed upstream is not part of them) by their SHA-256,
// and Models decodes them as ExportModels does, errors included.
func TestReadExport(t *testing.T) {
	rec := newRecorder(t)
	const key = "sk-export-secret"
	body := `[` + cannedModel + `,{"id":"echo","user_id":"u","base_model_id":"gpt-4o","name":"` + key + `","params":{},"meta":{},"access_grants":[],"is_active":true,"updated_at":2,"created_at":2}]`
	rec.answer("GET", "/api/v1/models/export", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	})
	c := rec.client(Config{APIKey: key})
	ctx := context.Background()
	e, err := c.ReadExport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	if len(reqs) != 1 || reqs[0].Method != "GET" || reqs[0].Path != "/api/v1/models/export" || reqs[0].RawQuery != "" || len(reqs[0].Body) != 0 {
		t.Fatalf("requests: %+v", reqs)
	}
	redacted := strings.ReplaceAll(body, key, redact.Mask)
	if e.Digest != sha256.Sum256([]byte(redacted)) {
		t.Errorf("digest is not the SHA-256 of the redacted answer")
	}
	got, err := e.Models(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := c.ExportModels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || len(got) != 2 || got[1].Name != redact.Mask {
		t.Errorf("Models = %+v; ExportModels = %+v", got, want)
	}
	got[0].Name = "changed by a caller"
	if second, err := e.Models(ctx); err != nil || !reflect.DeepEqual(second, want) {
		t.Errorf("a second Models = %+v, %v; want the first answer, unchanged by its caller", second, err)
	}
	again, err := c.ReadExport(ctx)
	if err != nil || again.Digest != e.Digest {
		t.Errorf("the same answer read twice: digests differ (%v)", err)
	}

	// An answer that is not a list of models fails in Models, as in
	// ExportModels, with the same error.
	rec.answer("GET", "/api/v1/models/export", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"detail":"odd"}`)
	})
	bad, err := c.ReadExport(ctx)
	if err != nil {
		t.Fatalf("ReadExport of a JSON answer: %v", err)
	}
	_, errModels := bad.Models(ctx)
	_, errExport := c.ExportModels(ctx)
	if !IsKind(errModels, KindBadResponse) || errExport == nil || errModels.Error() != errExport.Error() {
		t.Errorf("Models: %v; ExportModels: %v", errModels, errExport)
	}
	// A failed read is an error of ReadExport itself.
	rec.answer("GET", "/api/v1/models/export", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"detail":"Unauthorized"}`, http.StatusUnauthorized)
	})
	if _, err := c.ReadExport(ctx); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("ReadExport of a 401: %v", err)
	}
}
