package owuiwire_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/owui-mcp/owui-mcp/internal/caller"
	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/internal/owuiwire"
	"github.com/owui-mcp/owui-mcp/test/bench"
	"github.com/owui-mcp/owui-mcp/tools"
)

// Budgets, in cl100k tokens, of what Open WebUI 0.12.4's chat puts in front
// of the LLM: issue 12's targets. The tool definitions are counted from the
// tools/list answer as the server sends it (wireSpecs), the form Open
// WebUI's Python client keeps.
const (
	budgetListPage   = 900
	budgetPreview    = 300
	budgetToolsDef   = 2000
	budgetToolsAllOn = 3000
)

func tokens(t *testing.T, s string) int {
	t.Helper()
	n, err := bench.Tokens(s)
	if err != nil {
		t.Fatalf("offline tokenizer: %v", err)
	}
	return n
}

func inProcess(t *testing.T, opts tools.Options) *bench.InProcess {
	t.Helper()
	p, err := bench.NewInProcess("http://upstream.invalid", fakeowui.Transport(bench.DemoFake()), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func listTools(t *testing.T, p *bench.InProcess, ctx context.Context) []mcp.Tool {
	t.Helper()
	res, err := p.Client.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Tools
}

// wireSpecs is the tools array Open WebUI builds from the server's
// tools/list answer as sent (schemas in their own key order).
func wireSpecs(t *testing.T, p *bench.InProcess, ctx context.Context) string {
	t.Helper()
	raw, err := p.ToolsJSON(ctx)
	if err != nil {
		t.Fatal(err)
	}
	specs, err := owuiwire.ToolSpecsJSON(raw, "owui")
	if err != nil {
		t.Fatal(err)
	}
	return specs
}

// TestOpenWebUIToolDefinitionsBudget: the tools array Open WebUI sends with
// every chat request (name prefixed with the connection id, description,
// inputSchema), default flags and every class on.
func TestOpenWebUIToolDefinitionsBudget(t *testing.T) {
	for _, c := range []struct {
		name   string
		opts   tools.Options
		budget int
	}{
		{"default flags", tools.Options{Confirm: tools.ConfirmAuto}, budgetToolsDef},
		{"every tool on", bench.AllTools, budgetToolsAllOn},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := inProcess(t, c.opts)
			ctx := caller.WithProfile(context.Background(), caller.ProfileChat)
			list := listTools(t, p, ctx)
			for _, tl := range list {
				if tl.OutputSchema.Type != "" || tl.RawOutputSchema != nil {
					t.Errorf("chat profile: %s still declares an outputSchema", tl.Name)
				}
			}
			specs := wireSpecs(t, p, ctx)
			n := tokens(t, specs)
			t.Logf("%s: %d tools, %d tokens as Open WebUI sends them (budget %d)", c.name, len(list), n, c.budget)
			if n > c.budget {
				t.Errorf("%s: tool definitions cost %d tokens, over the budget of %d: shorten descriptions or schemas", c.name, n, c.budget)
			}
			// Without ?profile=chat the schemas keep their bounds: dearer, never cheaper.
			nd := tokens(t, wireSpecs(t, p, context.Background()))
			t.Logf("%s: without the chat profile %d tokens", c.name, nd)
			if nd < n {
				t.Errorf("the chat profile costs more (%d) than the default one (%d)", n, nd)
			}
		})
	}
}

// TestOpenWebUIResultBudgets: a 30-row list_models page and a delete
// preview, as the LLM receives them through Open WebUI's call_tool and
// process_tool_result, with ?profile=chat (the README's recipe).
func TestOpenWebUIResultBudgets(t *testing.T) {
	p := inProcess(t, bench.AllTools)
	chat := caller.WithProfile(context.Background(), caller.ProfileChat)

	call := func(ctx context.Context, name string, args map[string]any) (*mcp.CallToolResult, string) {
		t.Helper()
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = name, args
		res, err := p.Client.CallTool(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		wire, err := owuiwire.ToolResult(res)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return res, wire
	}

	t.Run("list_models page", func(t *testing.T) {
		res, wire := call(chat, "list_models", map[string]any{})
		if res.StructuredContent != nil {
			t.Errorf("chat profile: list_models still sends structuredContent")
		}
		rows := strings.Count(wire, "\n") - 1 // header lines: summary, column names
		if rows < 29 {
			t.Fatalf("want a 30-row page, got %d lines:\n%s", rows, wire)
		}
		n := tokens(t, wire)
		_, def := call(context.Background(), "list_models", map[string]any{})
		t.Logf("list_models, 30 rows: chat profile %d tokens (budget %d); default profile %d tokens", n, budgetListPage, tokens(t, def))
		if n > budgetListPage {
			t.Errorf("a 30-row page reaches the LLM as %d tokens, over %d", n, budgetListPage)
		}
		// Owners are people.
		if !strings.Contains(wire, "@") || strings.Contains(wire, "u-admin") {
			t.Errorf("owners not shown as people:\n%s", wire)
		}
	})

	t.Run("delete preview", func(t *testing.T) {
		res, wire := call(chat, "delete_model", map[string]any{"id": bench.DemoModelID})
		if res.StructuredContent != nil {
			t.Errorf("chat profile: delete_model still sends structuredContent")
		}
		tok := ""
		for _, line := range strings.Split(wire, "\n") {
			if v, ok := strings.CutPrefix(line, "confirm_token: "); ok {
				tok = v
			}
		}
		if tok == "" {
			t.Fatalf("no confirm_token line in the preview:\n%s", wire)
		}
		if c := strings.Count(wire, tok); c != 1 {
			t.Errorf("the confirm token appears %d times, want once:\n%s", c, wire)
		}
		n := tokens(t, wire)
		_, def := call(context.Background(), "delete_model", map[string]any{"id": bench.DemoModelID})
		t.Logf("delete preview: chat profile %d tokens (budget %d); default profile %d tokens", n, budgetPreview, tokens(t, def))
		if n > budgetPreview {
			t.Errorf("the delete preview reaches the LLM as %d tokens, over %d:\n%s", n, budgetPreview, wire)
		}
		if strings.Contains(wire, "owner u-") {
			t.Errorf("the preview names an owner by user id, not as a person:\n%s", wire)
		}
	})
}
