// Command gcab measures owui-mcp's GC setting: for each GOGC value it
// starts the server (stdio, loopback fakeowui upstream), makes 500 warm-up
// and 5,000 timed get_model calls, and prints the server's CPU per call
// and its resident memory. Rounds interleave the values, so load drifts
// hit them alike. It is how the server's default (internal/gctune: GOGC=200 when GOGC is
// unset) was chosen:
//
//	go build -o /tmp/owui-mcp . && go run ./test/bench/cmd/gcab /tmp/owui-mcp
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/test/bench"
)

func main() {
	up := bench.NewUpstream(bench.DemoFake())
	defer up.Close()
	for round := 0; round < 3; round++ {
		for _, gc := range []string{"100", "200", "400"} {
			env := append(os.Environ(), "OPENWEBUI_URL="+up.URL(), "OPENWEBUI_API_KEY="+fakeowui.AdminKey, "GOGC="+gc)
			p, err := bench.StartStdio([]string{os.Args[1]}, env, time.Minute)
			if err != nil {
				panic(err)
			}
			p.Initialize()
			call := func(id int) {
				p.Send([]byte(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"get_model","arguments":{"id":%q}}}`+"\n", id, bench.DemoModelID)))
				for {
					l, err := p.ReadLine()
					if err != nil {
						panic(err)
					}
					if len(l) > 0 && l[0] == '{' && string(l[:len(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d`, id))]) == fmt.Sprintf(`{"jsonrpc":"2.0","id":%d`, id) {
						return
					}
				}
			}
			for i := 0; i < 500; i++ {
				call(10 + i)
			}
			c0, _ := bench.ProcCPU(p.Pid())
			n := 5000
			for i := 0; i < n; i++ {
				call(1000 + i)
				if i%2000 == 0 {
					up.Fake.ResetRequests()
				}
			}
			c1, _ := bench.ProcCPU(p.Pid())
			st, _ := bench.ReadProcStatus(p.Pid())
			fmt.Printf("GOGC=%s cpu/call %.1f µs VmRSS %.1f MB VmHWM %.1f\n", gc, float64(c1-c0)/float64(n)/1000, float64(st.VmRSS)/1e6, float64(st.VmHWM)/1e6)
			p.Close()
			up.Fake.ResetRequests()
		}
	}
}
