package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/tools"
)

// InProcess is the server main builds (tools.Build), wired to an
// upstream through rt and driven by mcp-go's in-process client: the whole
// call path minus the stdio or HTTP transport.
type InProcess struct {
	Client *client.Client
	srv    *server.MCPServer
	dir    string
}

// AllTools turns every tool class on, as --allow-admin --allow-access-changes.
var AllTools = tools.Options{AllowAdmin: true, AllowAccessChanges: true, Confirm: tools.ConfirmAuto}

// NewInProcess builds and initializes the server. rt nil means the real
// network (baseURL must then be a loopback URL).
func NewInProcess(baseURL string, rt http.RoundTripper, opts tools.Options) (*InProcess, error) {
	return NewInProcessKey(baseURL, fakeowui.AdminKey, rt, opts)
}

// NewInProcessKey is NewInProcess with another API key (a real Open WebUI's).
func NewInProcessKey(baseURL, key string, rt http.RoundTripper, opts tools.Options) (*InProcess, error) {
	c, err := owui.New(owui.Config{BaseURL: baseURL, APIKey: key, Timeout: 30 * time.Second, Transport: rt})
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "owui-mcp-bench-")
	if err != nil {
		return nil, err
	}
	b, err := tools.Build(tools.Config{Client: c, Options: opts, Version: "bench", TokenTTL: 5 * time.Minute, BackupDir: dir,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Secrets: []string{key}})
	if err != nil {
		return nil, err
	}
	srv := b.Server
	mc, err := client.NewInProcessClient(srv)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if err := mc.Start(ctx); err != nil {
		return nil, err
	}
	var init mcp.InitializeRequest
	init.Params.ProtocolVersion = ProtocolVersion
	init.Params.ClientInfo = mcp.Implementation{Name: "owui-mcp-bench", Version: "1"}
	if _, err := mc.Initialize(ctx, init); err != nil {
		return nil, err
	}
	return &InProcess{Client: mc, srv: srv, dir: dir}, nil
}

// Call runs one tool.
func (p *InProcess) Call(ctx context.Context, name string, args map[string]any) (*mcp.CallToolResult, error) {
	var req mcp.CallToolRequest
	req.Params.Name = name
	req.Params.Arguments = args
	return p.Client.CallTool(ctx, req)
}

// ToolsJSON is the tools of a tools/list answer as the server sends them
// (each inputSchema in its own key order): the Go client's ListTools
// re-marshals schemas with sorted keys, which a Python client never sees.
func (p *InProcess) ToolsJSON(ctx context.Context) ([]json.RawMessage, error) {
	msg := p.srv.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	b, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Result *struct {
			Tools []json.RawMessage `json:"tools"`
		} `json:"result"`
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return nil, err
	}
	if resp.Result == nil {
		return nil, fmt.Errorf("tools/list failed: %s", resp.Error)
	}
	return resp.Result.Tools, nil
}

// Close stops the client and removes the backup directory.
func (p *InProcess) Close() {
	_ = p.Client.Close()
	_ = os.RemoveAll(p.dir)
}
