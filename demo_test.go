package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// buildBinary builds the server once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "owui-mcp")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// TestDemoWalkthrough is the newcomer's first session, through the built
// binary over stdio with no Open WebUI anywhere: list → get → update →
// delete (preview, confirm) → restore.
func TestDemoWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	home := t.TempDir()
	c, err := client.NewStdioMCPClient(bin, []string{"HOME=" + home, "XDG_STATE_HOME=" + home, "PATH=" + os.Getenv("PATH")}, "--demo", "--allow-admin")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var init mcp.InitializeRequest
	init.Params.ClientInfo = mcp.Implementation{Name: "demo-test", Version: "1"}
	res, err := c.Initialize(ctx, init)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Instructions, "SANDBOX") {
		t.Errorf("instructions do not say this is a sandbox: %q", res.Instructions)
	}

	call := func(name string, args map[string]any) (map[string]any, string) {
		t.Helper()
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = name, args
		r, err := c.CallTool(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		txt := ""
		for _, ct := range r.Content {
			if tc, ok := ct.(mcp.TextContent); ok {
				txt += tc.Text
			}
		}
		if r.IsError {
			t.Fatalf("%s failed: %s", name, txt)
		}
		if !strings.Contains(txt, "SANDBOX") {
			t.Errorf("%s result does not say sandbox: %s", name, txt)
		}
		var out map[string]any
		b, _ := json.Marshal(r.StructuredContent)
		_ = json.Unmarshal(b, &out)
		return out, txt
	}

	list, _ := call("list_models", map[string]any{"all": true})
	if list["total"].(float64) <= 30 {
		t.Errorf("demo should page: total %v", list["total"])
	}
	got, _ := call("get_model", map[string]any{"id": "team/support-bot:v2"})
	model := got["model"].(map[string]any)
	if model["name"] != "Support Bot v2" {
		t.Fatalf("get_model: %v", model)
	}
	upd, _ := call("update_model", map[string]any{"id": "team/support-bot:v2", "description": "Now with refunds."})
	if upd["status"] != "done" {
		t.Fatalf("update: %v", upd)
	}
	pre, ptxt := call("delete_model", map[string]any{"id": "team/support-bot:v2"})
	if pre["status"] != "confirmation_required" || !strings.Contains(ptxt, `DELETE "team/support-bot:v2"`) {
		t.Fatalf("delete preview: %v", pre)
	}
	del, _ := call("delete_model", map[string]any{"id": "team/support-bot:v2", "confirm_token": pre["confirm_token"]})
	if del["status"] != "done" || del["backup"] == "" {
		t.Fatalf("delete: %v", del)
	}
	var req mcp.CallToolRequest
	req.Params.Name, req.Params.Arguments = "get_model", map[string]any{"id": "team/support-bot:v2"}
	if r, err := c.CallTool(ctx, req); err != nil || !r.IsError {
		t.Fatalf("the model is still there after delete")
	}
	rp, _ := call("restore_models", map[string]any{"backup": del["backup"]})
	if rp["status"] != "confirmation_required" {
		t.Fatalf("restore preview: %v", rp)
	}
	call("restore_models", map[string]any{"backup": del["backup"], "confirm_token": rp["confirm_token"]})
	back, _ := call("get_model", map[string]any{"id": "team/support-bot:v2"})
	m := back["model"].(map[string]any)
	if m["name"] != "Support Bot v2" || m["description"] != "Now with refunds." || len(m["access_grants"].([]any)) != 2 {
		t.Errorf("restored model differs: %v", m)
	}
}
