package main

import (
	"strings"
	"testing"
)

const sampleTraces = `File: profserve
Type: cpu
-----------+-------------------------------------------------------
      30ms   encoding/json.Unmarshal
             github.com/owui-mcp/owui-mcp/owui.(*Client).decodeJSON
             github.com/owui-mcp/owui-mcp/owui.(*Client).call
             github.com/owui-mcp/owui-mcp/tools.init.func15
             github.com/mark3labs/mcp-go/server.(*MCPServer).HandleMessage
-----------+-------------------------------------------------------
      1.2s   internal/runtime/syscall/linux.EpollWait
             runtime.findRunnable
             runtime.schedule
-----------+-------------------------------------------------------
      10ms   syscall.write
             net/http.(*persistConn).writeLoop
-----------+-------------------------------------------------------
      10ms   runtime.memmove
`

func TestBreakdownBucketsByFirstMatchingRule(t *testing.T) {
	tbl, top, err := breakdown(sampleTraces, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// 1.25 s over 1000 calls = 1250 µs per call; the scheduler sample is 1.2 s.
	for _, want := range []string{
		"| Go scheduler: goroutine hand-offs, netpoll, idle spinning | 96% | 1200 |",
		"| owui client: decoding the upstream's JSON into owui.Model | 2% | 30.0 |",
		"| owui client: the HTTP request to the upstream (net/http client, loopback socket) | 1% | 10.0 |",
		"| " + otherBucket + " | 1% | 10.0 |",
		"| **total sampled** | 100% | 1250 |",
	} {
		if !strings.Contains(tbl, want) {
			t.Errorf("missing row %q in\n%s", want, tbl)
		}
	}
	if len(top) != 4 || !strings.HasPrefix(top[0], "Go scheduler") {
		t.Errorf("top = %q", top)
	}
	if _, _, err := breakdown("File: x\n", 10); err == nil {
		t.Error("an empty profile must be an error")
	}
}

func TestKeepHandWritten(t *testing.T) {
	old := "# Benchmarks\nold rows\n\n" + handWritten + "\n## Replicas\nhand figures\n"
	got := keepHandWritten("# Benchmarks\nnew rows\n", old)
	want := "# Benchmarks\nnew rows\n\n" + handWritten + "\n## Replicas\nhand figures\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := keepHandWritten("# Benchmarks\nnew rows\n", "# Benchmarks\nno marker\n"); got != "# Benchmarks\nnew rows\n" {
		t.Errorf("without the marker: %q", got)
	}
}
