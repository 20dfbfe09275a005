package tools

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/schemas"
)

// All is the tool table: every tool the server can offer, in one place.
// Which of them a server lists is derived from it by Enabled.
func All() []Tool {
	return []Tool{
		listModels, getModel, getModelProfileImage, listModelTags,
		listBaseModels, listBaseModelsDirect, listBaseModelTags, exportModels,
		listModelHistory, getModelVersion,
		listBackups,
		createModel, updateModel, toggleModel, deleteModel, updateModels,
		rollbackModel, deleteModelVersion,
		updateModelAccess,
		deleteModels, deleteAllModels, importModels, syncModels, unloadModel, restoreModels,
	}
}

// Enabled filters the table by the server flags, then by the --tools
// allow-list (empty means no further filter). It reports allow-list names
// that match no tool, so a typo fails at start instead of hiding a tool.
func Enabled(all []Tool, o Options, allow []string) ([]Tool, error) {
	known := map[string]bool{}
	for _, t := range all {
		known[t.Name] = true
	}
	var unknown []string
	for _, n := range allow {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("--tools names unknown tool(s): %s", strings.Join(unknown, ", "))
	}
	var out []Tool
	for _, t := range all {
		if !classOn(t.Class, o) {
			continue
		}
		if len(allow) > 0 && !slices.Contains(allow, t.Name) {
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

func classOn(c Class, o Options) bool {
	switch c {
	case ClassRead:
		return true
	case ClassWrite:
		return !o.ReadOnly
	case ClassAccess:
		return !o.ReadOnly && o.AllowAccessChanges
	case ClassAdmin:
		return !o.ReadOnly && o.AllowAdmin
	}
	return false
}

// serverTools are tools ready for s.AddTools. Tools not added are absent
// from tools/list; disabledTools makes tools/call name the flag they need.
func serverTools(tools []Tool, d *Deps) []server.ServerTool {
	on := func(c Class) bool { return classOn(c, d.Options) }
	out := make([]server.ServerTool, len(tools))
	for i, t := range tools {
		out[i] = server.ServerTool{Tool: t.mcpFor(on), Handler: t.Handler(d)}
	}
	return out
}

// Instructions tells the agent at initialize what is on, what is off and how
// dangerous calls are confirmed.
func Instructions(o Options, tools []Tool, undoHint string) string {
	var b strings.Builder
	if o.Sandbox {
		b.WriteString("SANDBOX (--demo): every tool works against an in-memory Open WebUI stand-in seeded with example models; nothing is real and nothing persists.\n")
	}
	b.WriteString("Manage the models of an Open WebUI instance. Model ids may contain '/', ':' and spaces: pass them exactly as listed. Owners and granted users are shown by e-mail; grant arguments take a user or group id, or * for everyone.\n")
	on := []string{"read"}
	var off []string
	add := func(cond bool, name, how string) {
		if cond {
			on = append(on, name)
		} else {
			off = append(off, name+" ("+how+")")
		}
	}
	add(!o.ReadOnly, "write", "restart without --read-only")
	add(!o.ReadOnly && o.AllowAccessChanges, "access changes", "--allow-access-changes")
	add(!o.ReadOnly && o.AllowAdmin, "admin", "--allow-admin")
	fmt.Fprintf(&b, "Tool classes on: %s.", strings.Join(on, ", "))
	if len(off) > 0 {
		fmt.Fprintf(&b, " Off: %s.", strings.Join(off, "; "))
	}
	fmt.Fprintf(&b, " %d tools listed.\n", len(tools))
	if slices.ContainsFunc(tools, func(t Tool) bool { return slices.Contains(historyTools, t.Name) }) {
		b.WriteString("Model history (list_model_history, get_model_version, rollback_model, delete_model_version) and commit_message need Open WebUI 0.12+; on older servers those tools answer an error.\n")
	}
	undo := "list_backups shows them; " + undoHint
	switch {
	case o.ReadOnly:
		b.WriteString("Read-only: nothing can be changed through this server.\n")
	case o.Confirm == ConfirmNone:
		b.WriteString("Dangerous calls run without confirmation (--confirm=none); backups of changed records are still written: " + undo + ".\n")
	default:
		b.WriteString("Calls marked (confirmed) (deletes, access changes, admin tools) first return a preview and change nothing: show it to the user, and call again with the same arguments plus confirm_token only if they approve (or the user is asked directly when the client supports elicitation). dry_run=true only previews. Backups of changed records are written first: " + undo + ".\n")
	}
	return strings.TrimSpace(b.String())
}

// Schemas are the input and output schemas of every tool of the table, for
// the generator of the schemas table (schemas/gen) and its test.
func Schemas() []schemas.Schema {
	var out []schemas.Schema
	for _, t := range All() {
		out = append(out, t.In, t.Out)
	}
	return out
}
