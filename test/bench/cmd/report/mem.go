package main

import (
	"fmt"
	"time"

	"github.com/owui-mcp/owui-mcp/test/bench"
)

// idleRSS starts a process, initializes it, waits for start-up work (the
// background version check) to finish, and reads its memory.
func idleRSS(argv, env []string) (bench.ProcStatus, error) {
	p, err := bench.StartStdio(argv, env, time.Minute)
	if err != nil {
		return bench.ProcStatus{}, err
	}
	defer p.Close()
	if _, err := p.Initialize(); err != nil {
		return bench.ProcStatus{}, err
	}
	time.Sleep(500 * time.Millisecond)
	return bench.ReadProcStatus(p.Pid())
}

func rowMemory(e *env, ld *httpLoad) (*section, error) {
	up := bench.NewUpstream(bench.DemoFake())
	defer up.Close()
	type cfg struct {
		key, label string
		argv, env  []string
		rss        []float64
	}
	cs := []*cfg{
		{key: "stdio", label: "owui-mcp, stdio, loopback upstream (default flags)", argv: []string{e.bin}, env: e.upstreamEnv(up.URL())},
		{key: "demo", label: "owui-mcp `--demo` (holds the in-memory stand-in and its seed data too)", argv: []string{e.bin, "--demo"}, env: baseEnv()},
	}
	if e.opt.python != "" {
		cs = append(cs, &cfg{key: "py", label: "Python: minimal one-tool server, official SDK", argv: []string{e.opt.python, e.pyScript}, env: baseEnv()})
	}
	for range e.opt.runs {
		for _, c := range cs {
			st, err := idleRSS(c.argv, c.env)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.label, err)
			}
			c.rss = append(c.rss, mb(float64(st.VmRSS)))
		}
	}
	stdio := summarize(cs[0].rss)
	var pyS *bench.Summary
	if len(cs) > 2 {
		s := summarize(cs[2].rss)
		pyS = &s
	}
	base := none
	ratio := none
	if pyS != nil {
		base = "minimal Python MCP server: " + sum(*pyS, "MB")
		ratio = num(stdio.Median/pyS.Median) + "× the Python server's"
	}
	ok := stdio.Median <= 20
	lines := []line{{ID: "6a", Figure: "resident memory (VmRSS) after initialize, idle", Value: sum(stdio, "MB"),
		Baseline: base, Ratio: ratio, Target: "≤ 20 MB idle", Verdict: verdict(ok)}}
	if straddles(stdio, 20) {
		lines[0].Close = fmt.Sprintf("the runs span %s – %s MB", num(stdio.Min), num(stdio.Max))
	}
	if !ok {
		lines[0].Why = "what is resident after initialize is the Go runtime, the pages of the binary that start-up touched and the built server; row 1's VmRSS column shows the trivial Go binary's share of that"
	}
	var rows [][]string
	for _, c := range cs {
		rows = append(rows, []string{c.label, sum(summarize(c.rss), "MB")})
	}
	body := fmt.Sprintf(`VmRSS from /proc/<pid>/status of a fresh process, %d runs each: initialize + notifications/initialized over
stdio, then 500 ms for start-up work (the background Open WebUI version check) to finish.

`, e.opt.runs)
	body += table([]string{"process", "VmRSS after initialize"}, rows)
	if ld != nil {
		lines = append(lines, line{ID: "6b", Figure: fmt.Sprintf("resident memory of the HTTP server after the row-3 load (%s calls over 64 sessions)", commas(float64(ld.calls))),
			Value:    fmt.Sprintf("%s MB (peak VmHWM %s MB)", num(mb(float64(ld.after.VmRSS))), num(mb(float64(ld.after.VmHWM)))),
			Baseline: fmt.Sprintf("same process idle: %s MB", num(mb(float64(ld.idle.VmRSS)))),
			Ratio:    num(float64(ld.after.VmRSS)/float64(ld.idle.VmRSS)) + "× idle", Target: none, Verdict: none})
		body += fmt.Sprintf(`
The HTTP process of row 3 (one process, read once, so no spread): %s MB after start-up (/healthz answered,
300 ms settle), %s MB after 64 sessions initialized, %s MB right after the last load segment (%s calls
answered in all), peak VmHWM %s MB.
`, num(mb(float64(ld.idle.VmRSS))), num(mb(float64(ld.sessions.VmRSS))), num(mb(float64(ld.after.VmRSS))), commas(float64(ld.calls)), num(mb(float64(ld.after.VmHWM))))
	} else {
		body += "\nThe HTTP figures were not measured (row 3 failed).\n"
	}
	return &section{Title: "Row 6: resident memory", Lines: lines, Body: body}, nil
}
