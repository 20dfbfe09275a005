package tools

import (
	"github.com/mark3labs/mcp-go/server"
)

// Name is the server's MCP implementation name.
const Name = "owui-mcp"

// NewServer builds the MCP server with the tools that o and allow enable.
// main, the tests and the benchmarks all build it here, so they run the
// same server.
func NewServer(d *Deps, version string, allow []string) (*server.MCPServer, []Tool, error) {
	all := All()
	enabled, err := Enabled(all, d.Options, allow)
	if err != nil {
		return nil, nil, err
	}
	d.Offered = map[string]bool{}
	for _, t := range enabled {
		d.Offered[t.Name] = true
	}
	hooks := &server.Hooks{}
	s := server.NewMCPServer(Name, version,
		server.WithTitle("Open WebUI models"),
		server.WithToolCapabilities(false),
		server.WithInstructions(Instructions(d.Options, enabled, d.undoHint())),
		// Our handlers recover their own panics into tool errors; this
		// catches anything outside them.
		server.WithRecovery(),
		server.WithHooks(hooks),
	)
	Register(s, enabled, d)
	registerDisabled(s, hooks, all, d.Options, allow, d.Offered)
	return s, enabled, nil
}
