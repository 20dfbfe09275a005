package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// enableHow says what turns t on, given the flags that turned it off, or ""
// when t is on.
func enableHow(t Tool, o Options, allow []string) string {
	var steps []string
	if o.ReadOnly && t.Class != ClassRead {
		steps = append(steps, "without --read-only (OWUI_MCP_READ_ONLY)")
	}
	switch {
	case t.Class == ClassAccess && !o.AllowAccessChanges:
		steps = append(steps, "with --allow-access-changes (OWUI_MCP_ALLOW_ACCESS_CHANGES=true)")
	case t.Class == ClassAdmin && !o.AllowAdmin:
		steps = append(steps, "with --allow-admin (OWUI_MCP_ALLOW_ADMIN=true)")
	}
	if len(allow) > 0 && !slices.Contains(allow, t.Name) {
		steps = append(steps, "with "+t.Name+" added to --tools (OWUI_MCP_TOOLS)")
	}
	if len(steps) == 0 {
		return ""
	}
	return "restart the server " + strings.Join(steps, " and ")
}

// offers reports whether this server lists the tool name.
func (d *Deps) offers(name string) bool { return d.Offered[name] }

// undoHint says how records in a backup are put back: restore_models when
// it is offered, else the flag that offers it.
func (d *Deps) undoHint() string {
	if d.offers("restore_models") {
		return "restore_models can put them back"
	}
	how := enableHow(restoreModels, d.Options, nil)
	if how == "" { // on by class but cut by --tools
		how = "restart the server with restore_models in --tools (OWUI_MCP_TOOLS)"
	}
	return "to put them back, " + how + " and call restore_models"
}

// disabledTools are the tools that are off, each answering tools/call with
// the flag that turns it on, instead of mcp-go's bare "tool not found"; a
// hook added to hooks keeps them out of tools/list.
func disabledTools(hooks *server.Hooks, all []Tool, o Options, allow []string, offered map[string]bool) []server.ServerTool {
	hidden := map[string]bool{}
	var out []server.ServerTool
	for _, t := range all {
		if offered[t.Name] {
			continue
		}
		hidden[t.Name] = true
		msg := fmt.Sprintf("%s is turned off on this server, so nothing was done: %s. Tell the user; the other tools are unaffected.", t.Name, enableHow(t, o, allow))
		// An open schema: the call is refused whatever its arguments.
		mt := mcp.NewToolWithRawSchema(t.Name, t.Description, []byte(`{"type":"object"}`))
		out = append(out, server.ServerTool{Tool: mt, Handler: func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultError(msg), nil
		}})
	}
	if len(hidden) > 0 {
		hooks.AddAfterListTools(func(_ context.Context, _ any, _ *mcp.ListToolsRequest, r *mcp.ListToolsResult) {
			r.Tools = slices.DeleteFunc(r.Tools, func(t mcp.Tool) bool { return hidden[t.Name] })
		})
	}
	return out
}
