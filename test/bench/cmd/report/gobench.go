package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+([\d.]+) ns/op(?:\s+([\d.]+) B/op)?(?:\s+([\d.]+) allocs/op)?`)

// goBenchmarks runs the Go benchmarks of ./bench and summarizes them.
func goBenchmarks(e *env) (*section, error) {
	args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", strconv.Itoa(e.opt.benchCount), "./test/bench/"}
	cmd := exec.Command("go", args...)
	cmd.Dir = e.root
	cmd.Env = baseEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	type agg struct{ ns, bop, allocs []float64 }
	res := map[string]*agg{}
	var order []string
	for _, l := range strings.Split(out.String(), "\n") {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		a, ok := res[m[1]]
		if !ok {
			a = &agg{}
			res[m[1]] = a
			order = append(order, m[1])
		}
		ns, _ := strconv.ParseFloat(m[3], 64)
		a.ns = append(a.ns, ns)
		if m[4] != "" {
			v, _ := strconv.ParseFloat(m[4], 64)
			a.bop = append(a.bop, v)
		}
		if m[5] != "" {
			v, _ := strconv.ParseFloat(m[5], 64)
			a.allocs = append(a.allocs, v)
		}
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("no benchmark results in:\n%s", out.String())
	}
	var rows [][]string
	for _, name := range order {
		a := res[name]
		t := summarize(a.ns)
		unit, scale := "µs", 1e3
		if t.Median >= 1e7 {
			unit, scale = "ms", 1e6
		}
		ts := summarize(scale1(a.ns, 1/scale))
		rows = append(rows, []string{"`" + name + "`", sum(ts, unit), sum(summarize(scale1(a.bop, 1.0/1024)), "KiB"), sum(summarize(a.allocs), ""), strconv.Itoa(t.N)})
	}
	body := fmt.Sprintf(`The in-process half of rows 2, 4 and 5, with the upstream in memory (fakeowui.Transport: no sockets): "Server"
runs the real MCP server (tools.Build, as main builds it) through mcp-go's in-process client; "Direct" does
the same upstream work with a plain http.Client. Their difference is what the server itself costs per call,
without stdio or HTTP. B/op is memory allocated per operation (runtime.MemStats via -benchmem), not resident
memory.

`+"```sh\ngo %s\n```\n\n", strings.Join(args, " "))
	body += table([]string{"benchmark", "time/op", "allocated/op", "allocs/op", "n"}, rows)
	if s, d := res["BenchmarkGetModel/Server"], res["BenchmarkGetModel/Direct"]; s != nil && d != nil {
		sm, dm := summarize(s.ns).Median, summarize(d.ns).Median
		body += fmt.Sprintf("\nget_model in process: the server adds %s µs per call over the direct in-memory GET (%s× its time) and %s allocations.\n",
			num((sm-dm)/1e3), num(sm/dm), commas(summarize(s.allocs).Median-summarize(d.allocs).Median))
	}
	return &section{Title: "Go benchmarks (in process)", Body: body}, nil
}

func scale1(xs []float64, f float64) []float64 {
	out := slices.Clone(xs)
	for i := range out {
		out[i] *= f
	}
	return out
}
