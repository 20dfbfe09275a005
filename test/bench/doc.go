// Package bench measures owui-mcp beside baselines taken in the same run:
// cold start, per-call overhead over stdio, streamable HTTP throughput and
// latency, the size of tools/list, the size of list_models rows, and memory.
//
//	scripts/bench                     # the one command: installs the Python baselines, writes BENCHMARKS.md
//	scripts/bench -quick -out /tmp/x.md   # a smoke run (flags go to the harness)
//	go run ./test/bench/cmd/report -h      # the harness alone (-rows 1,5 runs some rows)
//	go test -run '^$' -bench . ./test/bench/   # the in-process Go benchmarks alone
//
// Layout:
//
//   - this package: what the Go benchmarks (bench_test.go) and the harness
//     share: stdio process control and /proc readings (proc.go), the fake
//     upstream on loopback and the synthetic 10,000-model data (upstream.go),
//     the in-process server (inprocess.go), the cl100k token count
//     (tokens.go) and median/percentile helpers (stats.go).
//   - cmd/report: the harness; one file per row, report.go renders the markdown.
//   - cmd/floor: the trivial Go binary, the floor of rows 1 and 2.
//   - cmd/profserve: the server as main serves it, with a CPU profile; the
//     harness uses it to say where a call's CPU goes (rows 2 and 3).
//   - py/minimal_server.py: the minimal Python MCP server of row 1.
//
// Everything runs on loopback: the upstream is fakeowui served by an
// httptest server on 127.0.0.1, or in memory. Every load loop is bounded in
// count or time.
package bench
