package testutil

import (
	"fmt"
	"io"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

func TestBufferConcurrentWriters(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				fmt.Fprintf(&b, "%d.%d\n", i, j)
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if n := strings.Count(b.String(), "\n"); n != 800 {
		t.Fatalf("%d lines, want 800", n)
	}
	if !strings.Contains(b.String(), "7.99\n") {
		t.Errorf("a write is missing: %q...", b.String()[:40])
	}
}

func TestBigJSONBody(t *testing.T) {
	for _, declare := range []bool{true, false} {
		rec := httptest.NewRecorder()
		BigJSONBody(200<<10, declare)(rec, httptest.NewRequest("GET", "/", nil))
		body, _ := io.ReadAll(rec.Body)
		if len(body) != 200<<10 || body[0] != '[' || strings.Count(string(body), "[") != 1 {
			t.Errorf("declare=%v: %d bytes, starts %q, %d '['", declare, len(body), body[:1], strings.Count(string(body), "["))
		}
		if got, want := rec.Header().Get("Content-Length"), map[bool]string{true: "204800", false: ""}[declare]; got != want {
			t.Errorf("declare=%v: Content-Length %q, want %q", declare, got, want)
		}
	}
}

// TestNotInTheBinary: test helpers stay out of the owui-mcp binary.
func TestNotInTheBinary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/owui-mcp/owui-mcp").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %q", deps)
	}
	for _, d := range deps {
		if d == "github.com/owui-mcp/owui-mcp/internal/testutil" {
			t.Fatal("the owui-mcp binary links internal/testutil")
		}
	}
}
