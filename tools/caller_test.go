package tools

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/caller"
	"github.com/owui-mcp/owui-mcp/schemas"
)

// callAs runs a tool with a caller identity in the context, as the HTTP
// transport sets it.
func (e *env) callAs(who caller.Identity, name string, args map[string]any) *mcp.CallToolResult {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(caller.With(context.Background(), who), 10*time.Second)
	defer cancel()
	var req mcp.CallToolRequest
	req.Params.Name, req.Params.Arguments = name, args
	res, err := e.client.CallTool(ctx, req)
	if err != nil {
		e.t.Fatalf("%s: %v", name, err)
	}
	return res
}

func TestConfirmationAndBackupsAreBoundToTheCaller(t *testing.T) {
	e := newEnv(t)
	alice := caller.Identity{ID: "u-alice-test", Name: "alice"}
	bob := caller.Identity{ID: "u-bob-test", Name: "bob"}
	if caller.From(context.Background()).ID != "local" {
		t.Fatal("default caller")
	}
	args := map[string]any{"id": "code-reviewer"}
	res := e.callAs(alice, "delete_model", args)
	var pre schemas.Outcome
	b, _ := json.Marshal(res.StructuredContent)
	_ = json.Unmarshal(b, &pre)
	if pre.ConfirmToken == "" {
		t.Fatalf("no preview: %s", text(res))
	}
	res = e.callAs(bob, "delete_model", with(args, "confirm_token", pre.ConfirmToken))
	if !res.IsError {
		t.Fatalf("bob confirmed alice's preview: %s", text(res))
	}
	mustContain(t, text(res), "caller")
	if len(e.writes()) != 0 {
		t.Fatalf("writes: %+v", e.writes())
	}
	res = e.callAs(alice, "delete_model", with(args, "confirm_token", pre.ConfirmToken))
	if res.IsError {
		t.Fatalf("alice's own confirmation failed: %s", text(res))
	}
	var done schemas.Outcome
	b, _ = json.Marshal(res.StructuredContent)
	_ = json.Unmarshal(b, &done)

	// Bob sees none of alice's backups and cannot restore from them.
	res = e.callAs(bob, "list_backups", nil)
	var list schemas.ListBackupsResult
	b, _ = json.Marshal(res.StructuredContent)
	_ = json.Unmarshal(b, &list)
	if len(list.Backups) != 0 {
		t.Errorf("bob lists alice's backups: %+v", list.Backups)
	}
	res = e.callAs(bob, "restore_models", map[string]any{"backup": done.Backup})
	if !res.IsError {
		t.Errorf("bob could preview a restore of alice's backup: %s", text(res))
	}
	audit := readFile(t, e.audit)
	mustContain(t, audit, `"caller":"u-alice-test"`)
}
