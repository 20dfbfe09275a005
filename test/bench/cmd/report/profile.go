package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// bucket is a part of the server's work, recognised by a frame of a sampled
// stack. Rules are tried in order; the first that matches any frame of a
// stack takes the sample.
type bucket struct {
	name   string
	frames []string
}

var buckets = []bucket{
	{"owui client: decoding the upstream's JSON into owui.Model", []string{"owui.(*Client).decodeJSON"}},
	{"owui client: the HTTP request to the upstream (net/http client, loopback socket)", []string{
		"net/http.(*persistConn)", "net/http.(*Transport)", "net/http.(*Client)", "net/http.send", "owui-mcp/owui."}},
	{"tool handler: building the result (text + structuredContent)", []string{"owui-mcp/tools.structured"}},
	{"tool handler: the rest (argument decoding, record conversion, scrubbing)", []string{"owui-mcp/tools."}},
	{"mcp-go: encoding the JSON-RPC response and writing it to stdout", []string{"StdioServer).writeResponse"}},
	{"mcp-go: JSON-RPC decoding, dispatch and hooks", []string{"mcp-go/server.(*MCPServer)"}},
	{"mcp-go: reading and pre-parsing requests from stdin", []string{"mcp-go/server.(*StdioServer)"}},
	{"mcp-go: streamable HTTP handler (sessions, request decoding, response writing)", []string{"server.(*StreamableHTTPServer)"}},
	{"owui-mcp HTTP transport checks (httpserve: origin, auth, body, concurrency)", []string{"owui-mcp/httpserve."}},
	{"net/http server: connections, headers, response writing", []string{"net/http.(*conn)", "net/http.(*response)", "net/http.(*chunkWriter)"}},
	{"garbage collector (background marking and sweeping)", []string{"runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge"}},
	{"Go scheduler: goroutine hand-offs, netpoll, idle spinning", []string{"runtime.mcall", "runtime.schedule", "runtime.findRunnable", "runtime.morestack"}},
}

const otherBucket = "other (runtime and syscalls outside the above)"

// profileBreakdown reads a CPU profile with `go tool pprof -traces` and
// returns a markdown table of CPU per call by bucket, and the largest
// buckets as short phrases.
func profileBreakdown(e *env, bin, prof string, calls int64) (string, []string, error) {
	cmd := exec.Command("go", "tool", "pprof", "-traces", bin, prof)
	cmd.Dir = e.root
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", nil, fmt.Errorf("go tool pprof: %v: %s", err, stderr.String())
	}
	return breakdown(out.String(), calls)
}

// breakdown buckets the samples of `go tool pprof -traces` output.
func breakdown(traces string, calls int64) (string, []string, error) {
	sums := map[string]time.Duration{}
	var total time.Duration
	for _, block := range strings.Split(traces, "-----------+-------------------------------------------------------") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if len(lines) == 0 {
			continue
		}
		f := strings.Fields(lines[0])
		if len(f) < 2 {
			continue
		}
		v, err := time.ParseDuration(f[0])
		if err != nil {
			continue // the header block
		}
		frames := append([]string{strings.Join(f[1:], " ")}, lines[1:]...)
		name := otherBucket
	rules:
		for _, b := range buckets {
			for _, fr := range frames {
				for _, pat := range b.frames {
					if strings.Contains(fr, pat) {
						name = b.name
						break rules
					}
				}
			}
		}
		sums[name] += v
		total += v
	}
	if total == 0 || calls == 0 {
		return "", nil, fmt.Errorf("empty profile")
	}
	type kv struct {
		k string
		v time.Duration
	}
	var kvs []kv
	for k, v := range sums {
		kvs = append(kvs, kv{k, v})
	}
	slices.SortFunc(kvs, func(a, b kv) int { return int(b.v - a.v) })
	var rows [][]string
	var top []string
	for i, x := range kvs {
		rows = append(rows, []string{x.k, fmt.Sprintf("%.0f%%", 100*float64(x.v)/float64(total)), num(us(x.v) / float64(calls))})
		if i < 4 {
			top = append(top, fmt.Sprintf("%s %s µs", x.k, num(us(x.v)/float64(calls))))
		}
	}
	rows = append(rows, []string{"**total sampled**", "100%", num(us(total) / float64(calls))})
	return table([]string{"where the server process's CPU goes", "share", "µs per call"}, rows), top, nil
}
