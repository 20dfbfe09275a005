package owui

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
)

// demoAccessAnswer is the fake's answer to an access update of a demo model
// given two grants: the full model record, as update_models reads it.
func demoAccessAnswer(tb testing.TB) []byte {
	tb.Helper()
	fake := fakeowui.New(fakeowui.Options{})
	fakeowui.SeedDemo(fake)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/models/model/access/update",
		strings.NewReader(`{"id":"team/support-bot:v2","access_grants":[{"principal_type":"group","principal_id":"g-eng","permission":"read"},{"principal_type":"group","principal_id":"g-bench","permission":"read"}]}`))
	req.Header.Set("Authorization", "Bearer "+fakeowui.AdminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		tb.Fatalf("%d %s", resp.StatusCode, body)
	}
	return body
}

// BenchmarkSetModelAccess is one access update as update_models sends it
// (SetModelAccess, an API key, a 30 s timeout) against a server answering
// a fixed demo record, beside a plain http.Client POST of a prebuilt body
// whose answer is discarded: the floor of what one write costs the client.
// cpu-ns/op is the CPU time of the whole process (client, server and
// runtime) per call: on a shared machine ns/op mostly measures waiting.
func BenchmarkSetModelAccess(b *testing.B) {
	answer := demoAccessAnswer(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	defer srv.Close()
	b.Logf("answer: %d bytes", len(answer))
	form := AccessForm{ID: "team/support-bot:v2", AccessGrants: []Grant{
		{PrincipalType: "group", PrincipalID: "g-eng", Permission: "read"},
		{PrincipalType: "group", PrincipalID: "g-bench", Permission: "read"}}}
	b.Run("client", func(b *testing.B) {
		c, err := New(Config{BaseURL: srv.URL, APIKey: "sk-0123456789abcdef0123456789abcdef", Secrets: []string{"bearer-0123456789abcdef"}})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.ReportAllocs()
		cpu0 := processCPU()
		for b.Loop() {
			if gs, err := c.SetModelAccess(ctx, form); err != nil || len(gs) != 2 {
				b.Fatal(gs, err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	})
	b.Run("raw", func(b *testing.B) {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		hc := &http.Client{Transport: tr}
		body := []byte(`{"id":"team/support-bot:v2","access_grants":[{"principal_type":"group","principal_id":"g-eng","permission":"read"},{"principal_type":"group","principal_id":"g-bench","permission":"read"}]}`)
		url := srv.URL + "/api/v1/models/model/access/update"
		b.ReportAllocs()
		cpu0 := processCPU()
		for b.Loop() {
			resp, err := hc.Post(url, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	})
}
