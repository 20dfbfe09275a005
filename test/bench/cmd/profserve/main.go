// Command profserve serves the owui-mcp MCP server the way main does
// (tools.Build; mcp-go's StdioServer for stdio, httpserve.Serve for
// HTTP; an owui client over the network; an info-level logger on stderr)
// while writing a CPU profile, so the benchmark report can say where a
// call's CPU goes. It is a measuring tool for test/bench/cmd/report, not a second
// server: it takes only the settings the benchmarks need, from the same
// environment variables as owui-mcp.
//
//	OPENWEBUI_URL=http://127.0.0.1:PORT OPENWEBUI_API_KEY=... profserve -cpuprofile cpu.out
//	... OWUI_MCP_HTTP_TOKEN=... profserve -cpuprofile cpu.out -listen 127.0.0.1:PORT
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/owui-mcp/owui-mcp/internal/httpserve"
	"github.com/owui-mcp/owui-mcp/owui"
	"github.com/owui-mcp/owui-mcp/tools"
)

func main() {
	prof := flag.String("cpuprofile", "", "write a CPU profile here")
	listen := flag.String("listen", "", "serve streamable HTTP on this loopback address instead of stdio")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *prof, *listen); err != nil {
		fmt.Fprintln(os.Stderr, "profserve:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, prof, listen string) error {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	key := os.Getenv("OPENWEBUI_API_KEY")
	c, err := owui.New(owui.Config{BaseURL: os.Getenv("OPENWEBUI_URL"), APIKey: key, Timeout: 30 * time.Second, UserAgent: "owui-mcp/bench"})
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "profserve-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	token := os.Getenv("OWUI_MCP_HTTP_TOKEN")
	b, err := tools.Build(tools.Config{Client: c, Options: tools.Options{Confirm: tools.ConfirmAuto}, Version: "bench",
		TokenTTL: 5 * time.Minute, BackupDir: dir, Log: logger, Secrets: []string{key, token}})
	if err != nil {
		return err
	}
	srv := b.Server
	if prof != "" {
		f, err := os.Create(prof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if listen != "" {
		return httpserve.Serve(ctx, srv, httpserve.Options{Listen: listen, Token: token, Logger: logger})
	}
	err = server.NewStdioServer(srv).Listen(ctx, os.Stdin, os.Stdout)
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
