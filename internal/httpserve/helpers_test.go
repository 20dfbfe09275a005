package httpserve

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/caller"
	"github.com/owui-mcp/owui-mcp/internal/testutil"
)

// whoami is what the test tool "whoami" reports about its context.
type whoami struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	UpstreamToken string `json:"upstream_token"`
	AuthHeader    string `json:"auth_header"` // Authorization as mcp-go passed it to the tool
	Profile       string `json:"profile"`
}

// blocker lets a test hold the "block" tool until released.
type blocker struct {
	started chan struct{} // receives one value per call that started
	release chan struct{} // closed to let every call finish
	once    sync.Once
}

func newBlocker() *blocker {
	return &blocker{started: make(chan struct{}, 16), release: make(chan struct{})}
}

func (b *blocker) Release() { b.once.Do(func() { close(b.release) }) }

// newTestMCPServer builds a small real MCP server with two tools: whoami
// (reports caller.Identity from its context) and block (waits for b).
func newTestMCPServer(b *blocker) *server.MCPServer {
	s := server.NewMCPServer("httpserve-test", "0.0.1", server.WithToolCapabilities(false), server.WithHooks(&server.Hooks{}))
	s.AddTool(mcp.NewTool("whoami", mcp.WithDescription("who is calling")),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			id := caller.From(ctx)
			w := whoami{ID: id.ID, Name: id.Name, UpstreamToken: id.UpstreamToken, AuthHeader: req.Header.Get("Authorization"), Profile: string(caller.ProfileFrom(ctx))}
			return mcp.NewToolResultStructured(w, id.ID), nil
		})
	s.AddTool(mcp.NewTool("block", mcp.WithDescription("blocks until the test releases it")),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if b == nil {
				return mcp.NewToolResultText("no blocker"), nil
			}
			b.started <- struct{}{}
			select {
			case <-b.release:
				return mcp.NewToolResultText("released"), nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		})
	return s
}

func newLogger(lb *testutil.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// startHandler serves Handler(s, o) on a loopback httptest server.
func startHandler(t *testing.T, s *server.MCPServer, o Options) *httptest.Server {
	t.Helper()
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	h, err := Handler(s, o)
	if err != nil {
		t.Fatalf("Handler: %v", err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// connect starts and initializes an mcp-go streamable HTTP client. legacy
// pins protocol 2025-11-25 (initialize handshake, Mcp-Session-Id); otherwise
// the client negotiates 2026-07-28.
func connect(t *testing.T, url string, headers map[string]string, legacy bool) *client.Client {
	t.Helper()
	tr, err := transport.NewStreamableHTTP(url, transport.WithHTTPHeaders(headers),
		transport.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("transport: %v", err)
	}
	var opts []client.ClientOption
	if legacy {
		opts = append(opts, client.WithProtocolVersion(mcp.ProtocolVersion20251125))
	}
	c := client.NewClient(tr, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatalf("client start: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	req := mcp.InitializeRequest{}
	req.Params.ClientInfo = mcp.Implementation{Name: "httpserve-test", Version: "1"}
	if legacy {
		req.Params.ProtocolVersion = mcp.ProtocolVersion20251125
	}
	if _, err := c.Initialize(ctx, req); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return c
}

// callWhoami calls the whoami tool and decodes its structured result.
func callWhoami(t *testing.T, c *client.Client) whoami {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "whoami"}})
	if err != nil {
		t.Fatalf("call whoami: %v", err)
	}
	if res.IsError {
		t.Fatalf("whoami returned an error result: %+v", res.Content)
	}
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var w whoami
	if err := json.Unmarshal(raw, &w); err != nil {
		t.Fatalf("decode whoami %s: %v", raw, err)
	}
	return w
}

// rawResult is one raw HTTP exchange.
type rawResult struct {
	status int
	header http.Header
	body   string
}

// do sends a raw HTTP request to ts.URL+path with the given headers.
func do(t *testing.T, method, url, body string, headers map[string]string) rawResult {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
	}
	for k, v := range headers {
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResult{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

const pingBody = `{"jsonrpc":"2.0","id":2,"method":"ping"}`

func bearer(tok string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + tok}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
