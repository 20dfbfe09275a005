package tools

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestClientKnowsNoTools: the Open WebUI client is about Open WebUI only.
// Advice that names tools and flags lives here in tools/ (advice.go); the
// client must not import the MCP SDK or the tool side of this module.
func TestClientKnowsNoTools(t *testing.T) {
	const client = "github.com/owui-mcp/owui-mcp/owui"
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", client).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", client, err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, client) {
		t.Fatalf("go list did not list %s itself: %q", client, deps)
	}
	forbidden := []string{
		"github.com/mark3labs/mcp-go",
		"github.com/owui-mcp/owui-mcp/tools",
		"github.com/owui-mcp/owui-mcp/schemas",
		"github.com/owui-mcp/owui-mcp/internal/httpserve",
	}
	for _, d := range deps {
		for _, f := range forbidden {
			if d == f || strings.HasPrefix(d, f+"/") {
				t.Errorf("%s imports %s (via %s)", client, f, d)
			}
		}
	}
}
