// Command floor is the floor of BENCHMARKS.md: the least a Go stdio server
// can do. By default it reads one line from stdin, takes its JSON-RPC id,
// writes one JSON line answering it, and exits (row 1, cold start). With
// -loop it answers every line until stdin closes, with a fixed result
// (row 2: the cost of the stdio round trip alone).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
)

func main() {
	loop := flag.Bool("loop", false, "answer every line until EOF")
	flag.Parse()
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	out := bufio.NewWriter(os.Stdout)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 {
			var req struct {
				ID json.RawMessage `json:"id"`
			}
			_ = json.Unmarshal(line, &req)
			if req.ID == nil {
				req.ID = json.RawMessage("null")
			}
			out.WriteString(`{"jsonrpc":"2.0","id":` + string(req.ID) + `,"result":{"protocolVersion":"2025-11-25","capabilities":{},"serverInfo":{"name":"floor","version":"0"}}}` + "\n")
			out.Flush()
		}
		if err != nil || !*loop {
			return
		}
	}
}
