package tools

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/owui-mcp/owui-mcp/schemas/schemagen"
)

// The schemas the server publishes come from a generated table; it must be
// exactly what regenerating from today's declarations writes (which also
// runs the shape checks on every schema).
func TestGeneratedSchemasCurrent(t *testing.T) {
	want, err := schemagen.Source(Schemas())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "schemas", schemagen.GeneratedFile)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with the tool declarations: run `%s` (from the module root) and commit the result", path, schemagen.RegenerateCommand)
	}
}
