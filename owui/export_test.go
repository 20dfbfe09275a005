package owui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
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
