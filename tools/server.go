package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/caller"
)

// Name is the server's MCP implementation name.
const Name = "owui-mcp"

// newServer builds the MCP server with the tools that d.Options and allow
// enable. Build calls it (for main, the tests and the benchmarks alike), so
// they all run the same server.
func newServer(d *Deps, version string, allow []string) (*server.MCPServer, []Tool, error) {
	all := All()
	enabled, err := Enabled(all, d.Options, allow)
	if err != nil {
		return nil, nil, err
	}
	d.Offered = map[string]bool{}
	for _, t := range enabled {
		d.Offered[t.Name] = true
	}
	hooks := versionHooks(d, enabled) // disabledTools adds its own to the same set
	s := server.NewMCPServer(Name, version,
		server.WithTitle("Open WebUI models"),
		server.WithToolCapabilities(false),
		server.WithInstructions(Instructions(d.Options, enabled, d.undoHint())),
		// Our handlers recover their own panics into tool errors; this
		// catches anything outside them.
		server.WithRecovery(),
		server.WithToolFilter(chatProfileTools),
		server.WithHooks(hooks),
		// Descriptions follow the connected release (so do the instructions: see versionHooks).
		server.WithToolFilter(versionFilter(d)),
	)
	// Building the tools (their published schemas, ~1 ms) and mcp-go's check
	// of each input schema as it is added (~20 µs a tool) wait until the
	// client has its initialize answer: they start on notifications/
	// initialized, beside the client's own next steps, or on the first
	// tools/list or tools/call if that comes first (clients that skip the
	// notification, 2026-07-28 clients, stateless HTTP); those two wait for
	// them. On 2 cores, building beside the initialize answer delayed it by
	// ~0.7 ms (BENCHMARKS.md row 1). The hooks are registered here, before
	// anything is served.
	off := disabledTools(hooks, all, d.Options, allow, d.Offered)
	ready := make(chan struct{})
	var once sync.Once
	build := func() {
		once.Do(func() {
			go func() {
				defer close(ready)
				s.AddTools(append(serverTools(enabled, d), off...)...)
			}()
		})
	}
	wait := func() { build(); <-ready }
	s.AddNotificationHandler(string(mcp.MethodNotificationInitialized), func(context.Context, mcp.JSONRPCNotification) { build() })
	hooks.AddBeforeListTools(func(context.Context, any, *mcp.ListToolsRequest) { wait() })
	hooks.AddBeforeCallTool(func(context.Context, any, *mcp.CallToolRequest) { wait() })
	return s, enabled, nil
}

// chatProfileTools drops outputSchema for the chat profile: its results carry
// no structuredContent (see Tool.Handler), and a client must not be promised
// one. Open WebUI ignores outputSchema when it builds the LLM's tool list.
func chatProfileTools(ctx context.Context, list []mcp.Tool) []mcp.Tool {
	if caller.ProfileFrom(ctx) != caller.ProfileChat {
		return list
	}
	out := make([]mcp.Tool, len(list))
	for i, t := range list {
		t.OutputSchema = mcp.ToolOutputSchema{}
		t.RawOutputSchema = nil
		if c, err := compactSchema(t.RawInputSchema); err == nil {
			t.RawInputSchema = c
		}
		out[i] = t
	}
	return out
}

// chatDropped are the schema keywords the chat profile leaves out of the
// input schemas it advertises: bounds and closedness that the server checks
// itself on every call (decode validates against the full schema), so the
// LLM, which Open WebUI sends every schema on every turn, need not pay for
// them.
var chatDropped = map[string]bool{"additionalProperties": true, "minLength": true, "maxLength": true,
	"minimum": true, "maximum": true, "minItems": true}

// compactSchema rewrites a JSON schema without chatDropped keywords and
// empty "required" lists, keeping key order.
func compactSchema(raw json.RawMessage) (json.RawMessage, error) {
	return rewriteSchema(raw, func(k string, v json.RawMessage) bool {
		return chatDropped[k] || (k == "required" && string(bytes.TrimSpace(v)) == "[]")
	}, nil)
}

// rewriteSchema copies a JSON schema in its key order, leaving out every
// keyword for which dropKey is true and every property (an entry of a
// "properties" object, whatever its name) for which dropProp is true.
func rewriteSchema(raw json.RawMessage, dropKey func(k string, v json.RawMessage) bool, dropProp func(v json.RawMessage) bool) (json.RawMessage, error) {
	return rewriteIn(raw, false, dropKey, dropProp)
}

// rewriteIn does rewriteSchema; names says raw is a "properties" object,
// whose keys are property names (kept whatever they are called).
func rewriteIn(raw json.RawMessage, names bool, dropKey func(string, json.RawMessage) bool, dropProp func(json.RawMessage) bool) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return raw, nil
	}
	switch raw[0] {
	case '{':
		d := json.NewDecoder(bytes.NewReader(raw))
		if _, err := d.Token(); err != nil {
			return nil, err
		}
		var b bytes.Buffer
		b.WriteByte('{')
		n := 0
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			var v json.RawMessage
			if err := d.Decode(&v); err != nil {
				return nil, err
			}
			if names && dropProp != nil && dropProp(v) {
				continue
			}
			if !names && dropKey != nil && dropKey(k, v) {
				continue
			}
			cv, err := rewriteIn(v, !names && k == "properties", dropKey, dropProp)
			if err != nil {
				return nil, err
			}
			if n > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			b.Write(cv)
			n++
		}
		b.WriteByte('}')
		return b.Bytes(), nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		for i, it := range items {
			c, err := rewriteIn(it, false, dropKey, dropProp)
			if err != nil {
				return nil, err
			}
			items[i] = c
		}
		return json.Marshal(items)
	}
	return raw, nil
}
