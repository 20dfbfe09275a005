package owui

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
)

// Open WebUI 0.12's optimistic lock answers 409 with an object detail; the
// client turns it into its own kind so the gate can treat it as a changed
// target. The record carries version_id, which the client reads.
func TestVersionConflictIsItsOwnKind(t *testing.T) {
	fake := fakeowui.New(fakeowui.Options{})
	fakeowui.SeedDemo(fake)
	hs := httptest.NewServer(fake)
	defer hs.Close()
	c, err := New(Config{BaseURL: hs.URL, APIKey: fakeowui.AdminKey})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := c.GetModel(ctx, "code-reviewer")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.VersionID) != 36 {
		t.Fatalf("version_id not read: %q", m.VersionID)
	}
	f := m.Form()
	f.Name = "Renamed"
	fake.FailVersionConflict(1)
	_, err = c.UpdateModel(ctx, f)
	var e *Error
	if !IsKind(err, KindVersionConflict) || !strings.Contains(err.Error(), "HTTP 409") {
		t.Fatalf("409 version_conflict: %v", err)
	}
	if !errors.As(err, &e) || e.Status != 409 || e.Op != "update_model" {
		t.Errorf("error %+v", e)
	}
	if now, _ := fake.Model("code-reviewer"); now.Name != m.Name {
		t.Fatalf("the conflicting write changed the model: %q", now.Name)
	}
	// The switch lasts for n writes only.
	got, err := c.UpdateModel(ctx, f)
	if err != nil || got.Name != "Renamed" || got.VersionID == m.VersionID {
		t.Fatalf("second update: %v, %+v", err, got)
	}
	// Other 409s are not version conflicts.
	if k := classify(409, `{"code": "other"}`); k == KindVersionConflict {
		t.Errorf("classify(409, other) = %s", k)
	}
}
