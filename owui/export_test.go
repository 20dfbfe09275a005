package owui

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
)

// benchExport is the fake's export answer for n custom models shaped as
// test/bench's bulkFake builds them (the demo's 36 repeated with numbered
// ids, a bench tag added): the bytes update_models decodes before a bulk
// write.
func benchExport(tb testing.TB, n int) []byte {
	tb.Helper()
	demo := fakeowui.New(fakeowui.Options{})
	fakeowui.SeedDemo(demo)
	var custom []fakeowui.Model
	for _, m := range demo.Models() {
		if m.BaseModelID != nil {
			custom = append(custom, m)
		}
	}
	fake := fakeowui.New(fakeowui.Options{})
	for i := range n {
		m := custom[i%len(custom)]
		k := i / len(custom)
		m.ID = strings.ReplaceAll(fmt.Sprintf("%s-%04d", m.ID, k), " ", "-")
		m.Name = fmt.Sprintf("%s %d", m.Name, k+1)
		m.CreatedAt = fakeowui.DemoEpoch + int64(i)*600
		m.UpdatedAt = m.CreatedAt + int64(i%4)*3600
		tags, _ := m.Meta["tags"].([]any)
		m.Meta["tags"] = append(tags, map[string]any{"name": "bench-bulk"})
		fake.PutModel(m)
	}
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
