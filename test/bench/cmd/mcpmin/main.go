// Command mcpmin is the library's floor in BENCHMARKS.md: the least an
// mcp-go server can be. One tool, get_model, makes the same upstream GET as
// owui-mcp's (GET {OPENWEBUI_URL}/api/v1/models/model?id=, bearer
// OPENWEBUI_API_KEY) and returns the body as text, undecoded. Served over
// stdio by mcp-go's StdioServer, or with -listen over mcp-go's streamable
// HTTP server behind a bearer-token check (OWUI_MCP_HTTP_TOKEN). Every
// ratio against it says how much of a cost is the library and how much is
// owui-mcp.
package main

import (
	"context"
	"crypto/subtle"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func main() {
	listen := flag.String("listen", "", "serve streamable HTTP on this loopback address instead of stdio")
	flag.Parse()
	base, key := os.Getenv("OPENWEBUI_URL"), os.Getenv("OPENWEBUI_API_KEY")
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	hc := &http.Client{Transport: t, Timeout: 30 * time.Second}

	s := server.NewMCPServer("mcpmin", "0", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("get_model", mcp.WithDescription("Get one model by id."),
		mcp.WithString("id", mcp.Required())),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			id, err := req.RequireString("id")
			if err != nil {
				return mcp.NewToolResultError(err.Error()), nil
			}
			r, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/models/model?id="+url.QueryEscape(id), nil)
			r.Header.Set("Authorization", "Bearer "+key)
			r.Header.Set("Accept", "application/json")
			resp, err := hc.Do(r)
			if err != nil {
				return mcp.NewToolResultError(err.Error()), nil
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != http.StatusOK {
				return mcp.NewToolResultError(fmt.Sprintf("GET model: %s %v", resp.Status, err)), nil
			}
			return mcp.NewToolResultText(string(b)), nil
		})

	if *listen == "" {
		if err := server.ServeStdio(s); err != nil {
			fmt.Fprintln(os.Stderr, "mcpmin:", err)
			os.Exit(1)
		}
		return
	}
	want := []byte("Bearer " + os.Getenv("OWUI_MCP_HTTP_TOKEN"))
	mcpHandler := server.NewStreamableHTTPServer(s)
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.Handle("/mcp", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		mcpHandler.ServeHTTP(w, r)
	}))
	if err := http.ListenAndServe(*listen, mux); err != nil {
		fmt.Fprintln(os.Stderr, "mcpmin:", err)
		os.Exit(1)
	}
}
