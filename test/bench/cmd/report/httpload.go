package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/owui-mcp/owui-mcp/test/bench"
)

// httpLoad is what row 6 needs from row 3: the memory of the HTTP server.
type httpLoad struct {
	idle, sessions, after bench.ProcStatus
	calls                 int64
}

// mcpSession is one streamable-HTTP client session of the harness.
type mcpSession struct {
	url, token, id string
}

func (s *mcpSession) post(hc *http.Client, body []byte) (int, http.Header, []byte, error) {
	req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+s.token)
	if s.id != "" {
		req.Header.Set("Mcp-Session-Id", s.id)
		req.Header.Set("MCP-Protocol-Version", bench.ProtocolVersion)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header, b, err
}

func (s *mcpSession) initialize(hc *http.Client) error {
	st, h, b, err := s.post(hc, bytes.TrimSpace(bench.InitializeLine))
	if err != nil {
		return err
	}
	if st != http.StatusOK || !bytes.Contains(b, []byte(`"result"`)) {
		return fmt.Errorf("initialize over HTTP: %d %.300s", st, b)
	}
	s.id = h.Get("Mcp-Session-Id")
	st, _, b, err = s.post(hc, bytes.TrimSpace(bench.InitializedLine))
	if err != nil {
		return err
	}
	if st != http.StatusAccepted && st != http.StatusOK {
		return fmt.Errorf("notifications/initialized over HTTP: %d %.300s", st, b)
	}
	return nil
}

// getModel is one tools/call get_model over HTTP. A non-200 status or a
// tool error is returned as an error with the status.
func (s *mcpSession) getModel(hc *http.Client, id int) (int, error) {
	body := fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"get_model","arguments":{"id":%q}}}`, id, bench.DemoModelID)
	st, _, b, err := s.post(hc, body)
	if err != nil {
		return 0, err
	}
	if st != http.StatusOK {
		return st, fmt.Errorf("HTTP %d: %.200s", st, b)
	}
	if !bytes.Contains(b, []byte(`"result"`)) || bytes.Contains(b, isErrorTrue) {
		return st, fmt.Errorf("bad answer: %.300s", b)
	}
	return st, nil
}

// segment is one timed load at one concurrency.
type segment struct {
	calls, errors int64
	statuses      map[int]int64 // non-200 statuses seen
	firstErr      string
	elapsed       time.Duration
	p50, p99      time.Duration
	serverCPU     time.Duration // owui-mcp process CPU in the segment (0 for the baseline)
	harnessCPU    time.Duration
}

func (s segment) rate() float64 { return float64(s.calls) / s.elapsed.Seconds() }

// load runs c workers calling f until d has passed; latencies of successful
// calls are kept. Each worker calls f(worker, seq).
func load(c int, d time.Duration, f func(w, seq int) (int, error)) segment {
	var (
		mu       sync.Mutex
		all      []float64
		errs     atomic.Int64
		statuses = map[int]int64{}
		firstErr string
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	t0 := time.Now()
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]float64, 0, 4096)
			for seq := 0; ctx.Err() == nil; seq++ {
				t := time.Now()
				st, err := f(w, seq)
				if err != nil {
					errs.Add(1)
					mu.Lock()
					if st != 0 {
						statuses[st]++
					}
					if firstErr == "" {
						firstErr = err.Error()
					}
					mu.Unlock()
					continue
				}
				lat = append(lat, float64(time.Since(t)))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(t0)
	slices.Sort(all)
	return segment{calls: int64(len(all)), errors: errs.Load(), statuses: statuses, firstErr: firstErr, elapsed: el,
		p50: time.Duration(bench.Percentile(all, 50)), p99: time.Duration(bench.Percentile(all, 99))}
}

func waitHealthy(hc *http.Client, base string, p *bench.Proc) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := hc.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if p.Cmd.ProcessState != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("the HTTP server did not answer /healthz; stderr: %s", lastLines(p.Stderr(), 5))
}

var concurrencies = []int{1, 16, 64}

func rowHTTP(e *env) (*section, *httpLoad, error) {
	fake := bench.DemoFake()
	up := bench.NewUpstream(fake)
	defer up.Close()
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	token := randomToken()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	argv := []string{e.bin, "--transport", "http", "--listen", addr}
	env := append(e.upstreamEnv(up.URL()), "OWUI_MCP_HTTP_TOKEN="+token) // env, not argv: keeps the token out of ps
	p, err := bench.StartStdio(argv, env, 10*time.Minute)
	if err != nil {
		return nil, nil, err
	}
	defer p.Close()
	hc := upstreamClient()
	base := "http://" + addr
	if err := waitHealthy(hc, base, p); err != nil {
		return nil, nil, err
	}
	time.Sleep(300 * time.Millisecond) // let start-up settle before the idle reading
	ld := &httpLoad{}
	ld.idle, _ = bench.ReadProcStatus(p.Pid())

	maxC := slices.Max(concurrencies)
	sessions := make([]*mcpSession, maxC)
	for i := range sessions {
		sessions[i] = &mcpSession{url: base + "/mcp", token: token}
		if err := sessions[i].initialize(hc); err != nil {
			return nil, nil, err
		}
	}
	ld.sessions, _ = bench.ReadProcStatus(p.Pid())
	if _, err := sessions[0].getModel(hc, 1); err != nil {
		return nil, nil, fmt.Errorf("first get_model over HTTP: %w", err)
	}
	// The library's floor: the minimal mcp-go server (streamable HTTP, same
	// token check, same upstream GET), with its own sessions.
	libPort, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	libAddr := "127.0.0.1:" + strconv.Itoa(libPort)
	lp, err := bench.StartStdio([]string{e.mcpmin, "-listen", libAddr}, append(e.upstreamEnv(up.URL()), "OWUI_MCP_HTTP_TOKEN="+token), 10*time.Minute)
	if err != nil {
		return nil, nil, err
	}
	defer lp.Close()
	if err := waitHealthy(hc, "http://"+libAddr, lp); err != nil {
		return nil, nil, fmt.Errorf("mcpmin: %w", err)
	}
	libSessions := make([]*mcpSession, maxC)
	for i := range libSessions {
		libSessions[i] = &mcpSession{url: "http://" + libAddr + "/mcp", token: token}
		if err := libSessions[i].initialize(hc); err != nil {
			return nil, nil, fmt.Errorf("mcpmin: %w", err)
		}
	}
	libCall := func(w, seq int) (int, error) { return libSessions[w].getModel(hc, 2+seq) }

	u := modelURL(up.URL())
	serverCall := func(w, seq int) (int, error) { return sessions[w].getModel(hc, 2+seq) }
	directCall := func(int, int) (int, error) {
		if err := directGet(hc, u); err != nil {
			return 0, err
		}
		return http.StatusOK, nil
	}

	warm := min(300*time.Millisecond, e.opt.segment/2)
	type pair struct{ server, direct, lib []segment }
	res := map[int]*pair{}
	for _, c := range concurrencies {
		res[c] = &pair{}
	}
	for run := range e.opt.runs {
		for _, c := range concurrencies {
			e.log("  run %d, %d clients", run+1, c)
			load(c, warm, serverCall)
			fake.ResetRequests()
			cpu0, _ := bench.ProcCPU(p.Pid())
			self0 := bench.SelfCPU()
			s := load(c, e.opt.segment, serverCall)
			cpu1, _ := bench.ProcCPU(p.Pid())
			s.serverCPU, s.harnessCPU = cpu1-cpu0, bench.SelfCPU()-self0
			res[c].server = append(res[c].server, s)
			ld.calls += s.calls
			fake.ResetRequests()

			load(c, warm, libCall)
			cpu0, _ = bench.ProcCPU(lp.Pid())
			self0 = bench.SelfCPU()
			ls := load(c, e.opt.segment, libCall)
			cpu1, _ = bench.ProcCPU(lp.Pid())
			ls.serverCPU, ls.harnessCPU = cpu1-cpu0, bench.SelfCPU()-self0
			res[c].lib = append(res[c].lib, ls)
			fake.ResetRequests()

			load(c, warm, directCall)
			self0 = bench.SelfCPU()
			d := load(c, e.opt.segment, directCall)
			d.harnessCPU = bench.SelfCPU() - self0
			res[c].direct = append(res[c].direct, d)
			fake.ResetRequests()
		}
	}
	ld.after, _ = bench.ReadProcStatus(p.Pid())
	_ = p.Cmd.Process.Signal(syscall.SIGTERM) // graceful shutdown, as on Ctrl-C
	p.Close()                                 // the profiled pass below gets the cores to itself
	lp.Close()
	e.log("  profiled pass")
	profTbl, profTop, profCalls, profErr := profileHTTP(e, fake, up)

	col := func(ss []segment, f func(segment) float64) bench.Summary {
		xs := make([]float64, len(ss))
		for i, s := range ss {
			xs[i] = f(s)
		}
		return summarize(xs)
	}
	rate := func(s segment) float64 { return s.rate() }
	p50 := func(s segment) float64 { return ms(s.p50) }
	p99 := func(s segment) float64 { return ms(s.p99) }
	perCall := func(cpu func(segment) time.Duration) func(segment) float64 {
		return func(s segment) float64 {
			if s.calls == 0 {
				return 0
			}
			return us(cpu(s)) / float64(s.calls)
		}
	}

	var lines []line
	var rows [][]string
	var errNotes []string
	for _, c := range concurrencies {
		sv, dr := res[c].server, res[c].direct
		sr, drr := col(sv, rate), col(dr, rate)
		s50, d50 := col(sv, p50), col(dr, p50)
		s99, d99 := col(sv, p99), col(dr, p99)
		sCPU := col(sv, perCall(func(s segment) time.Duration { return s.serverCPU }))
		lv := res[c].lib
		lr, l50, l99 := col(lv, rate), col(lv, p50), col(lv, p99)
		lCPU := col(lv, perCall(func(s segment) time.Duration { return s.serverCPU }))
		lhCPU := col(lv, perCall(func(s segment) time.Duration { return s.harnessCPU }))
		hCPU := col(sv, perCall(func(s segment) time.Duration { return s.harnessCPU }))
		dCPU := col(dr, perCall(func(s segment) time.Duration { return s.harnessCPU }))
		var errs, calls int64
		statuses := map[int]int64{}
		first := ""
		for _, s := range sv {
			errs += s.errors
			calls += s.calls
			for k, v := range s.statuses {
				statuses[k] += v
			}
			if first == "" {
				first = s.firstErr
			}
		}
		if errs > 0 {
			errNotes = append(errNotes, fmt.Sprintf("%d clients: %d failed calls beside %d answered (statuses %v); first: `%s`",
				c, errs, calls, statuses, oneLine(first)))
		}
		id := map[int]string{1: "3a", 16: "3b", 64: "3c"}[c]
		fig := fmt.Sprintf("streamable HTTP, get_model, %d concurrent client%s: calls/s", c, map[bool]string{true: "s"}[c > 1])
		l := line{ID: id, Figure: fig, Value: sum(sr, "calls/s"), Baseline: "direct GET: " + sum(drr, "calls/s"),
			Ratio: num(sr.Median/drr.Median) + "× the direct rate", Target: none, Verdict: none}
		l.Baseline = "mcp-go minimal: " + sum(lr, "calls/s") + "; " + l.Baseline
		l.Ratio = num(sr.Median/lr.Median) + "× mcp-go minimal; " + l.Ratio
		// The throughput target is judged where there is concurrency to use
		// both cores; one sequential client measures latency, not capacity.
		if c > 1 {
			l.Target = "≥ 5,000 calls/s on 2 cores"
			l.Verdict = verdict(sr.Median >= 5000)
			if straddles(sr, 5000) {
				l.Close = fmt.Sprintf("the runs span %s – %s calls/s", commas(sr.Min), commas(sr.Max))
			}
			if sr.Median < 5000 {
				l.Why = fmt.Sprintf("CPU bound: each answered call costs %s µs of CPU in the owui-mcp process plus %s µs in the harness "+
					"(load generator + fake upstream, on the same 2 cores), so 2 cores (2,000,000 µs of CPU per second) cap the rate near %s calls/s; "+
					"the fake upstream hit directly reaches %s calls/s at %d clients with %s µs of CPU per call. "+
					"With both cores to itself (load generator and upstream elsewhere) the server's own %s µs per call would allow about %s calls/s",
					num(sCPU.Median), num(hCPU.Median), commas(2e6/(sCPU.Median+hCPU.Median)), commas(drr.Median), c, num(dCPU.Median),
					num(sCPU.Median), commas(2e6/sCPU.Median))
				if profErr == nil {
					l.Why += "; largest parts of the server's CPU in the profile: " + strings.Join(profTop, "; ")
				}
			}
		} else {
			l.Target = "— (latency-bound: one call at a time)"
		}
		if errs > 0 {
			l.Value += fmt.Sprintf("; %d failed calls", errs)
		}
		lines = append(lines, l)
		pl := line{ID: id + "'", Figure: fmt.Sprintf("streamable HTTP, %d client%s: latency p50 / p99", c, map[bool]string{true: "s"}[c > 1]),
			Value:    "p50 " + sum(s50, "ms") + "; p99 " + sum(s99, "ms"),
			Baseline: "mcp-go minimal: p50 " + sum(l50, "ms") + "; p99 " + sum(l99, "ms") + "; direct GET: p50 " + sum(d50, "ms") + "; p99 " + sum(d99, "ms"),
			Ratio:    "p99 " + num(s99.Median/l99.Median) + "× mcp-go minimal, " + num(s99.Median/d99.Median) + "× direct", Target: none, Verdict: none}
		if c == 64 {
			pl.Target = "p99 ≤ 20 ms at 64 clients"
			pl.Verdict = verdict(s99.Median <= 20)
			if straddles(s99, 20) {
				pl.Close = fmt.Sprintf("the runs' p99 spans %s – %s ms", num(s99.Min), num(s99.Max))
			}
			if s99.Median > 20 {
				pl.Why = fmt.Sprintf("queueing: with 64 calls always in flight, the mean latency is 64 / throughput (Little's law) = %s ms at the measured %s calls/s, "+
					"so p99 ≤ 20 ms needs well over 3,200 calls/s; p99 is %s× p50 here. The throughput is CPU-bound on the 2 shared cores: each call costs "+
					"%s µs of server CPU plus %s µs of harness CPU (load generator + fake upstream), so the cores allow at most %s calls/s, "+
					"i.e. a mean latency of at least %s ms at 64 clients. The minimal mcp-go server, measured the same way "+
					"(%s µs server + %s µs harness CPU per call), reaches %s calls/s with p99 %s ms: the library's own floor on this machine",
					num(64/sr.Median*1000), commas(sr.Median), num(s99.Median/s50.Median),
					num(sCPU.Median), num(hCPU.Median), commas(2e6/(sCPU.Median+hCPU.Median)), num(64/(2e6/(sCPU.Median+hCPU.Median))*1000),
					num(lCPU.Median), num(lhCPU.Median), commas(lr.Median), num(l99.Median))
			}
		}
		lines = append(lines, pl)
		rows = append(rows, []string{strconv.Itoa(c),
			sum(sr, ""), sum(s50, ""), sum(s99, ""), num(sCPU.Median), num(hCPU.Median),
			sum(lr, ""), sum(l99, ""), num(lCPU.Median), num(lhCPU.Median),
			sum(drr, ""), sum(d50, ""), sum(d99, ""), num(dCPU.Median)})
	}
	body := fmt.Sprintf(`One `+"`owui-mcp --transport http --listen %s`"+` process (bearer token from OWUI_MCP_HTTP_TOKEN,
every other setting default, so `+"`--max-concurrent`"+` is 64), pointed at a fakeowui server on 127.0.0.1. The harness
opens %d sessions (initialize with protocol %s → Mcp-Session-Id, then notifications/initialized) and, at each
concurrency c, runs c goroutines, each on its own session, POSTing `+"`tools/call get_model`"+` back to back
(raw JSON-RPC over a shared keep-alive http.Client; each answer checked for a result without isError). The baseline
is c goroutines GETting the same model from the same fake directly; the library's floor is the same load against
test/bench/cmd/mcpmin (a minimal mcp-go server, streamable HTTP, same bearer check, one tool making the same upstream GET). Each timed segment lasts %s after a %s
warm-up; server and baseline segments alternate; %d runs per concurrency. calls/s counts answered calls;
p50/p99 are over every call of a segment; the table gives medians [min – max] over runs. CPU columns are µs of
CPU per answered call: the owui-mcp process (from /proc/<pid>/stat, 10 ms ticks) and the harness process (load
generator + fake upstream, getrusage). All three share the machine's %d cores.

`, addr, maxC, bench.ProtocolVersion, e.opt.segment, warm, e.opt.runs, e.machineCores())
	body += table([]string{"clients", "owui-mcp calls/s", "p50 ms", "p99 ms", "server CPU µs/call", "harness CPU µs/call",
		"mcp-go minimal calls/s", "p99 ms", "server CPU µs/call", "harness CPU µs/call",
		"direct calls/s", "p50 ms", "p99 ms", "harness CPU µs/call"}, rows)
	if len(errNotes) > 0 {
		body += "\nFailed calls (counted out of calls/s and latency):\n\n- " + strings.Join(errNotes, "\n- ") + "\n"
	} else {
		body += "\nNo call failed.\n"
	}
	if profErr != nil {
		body += "\nCPU profile: not available (" + oneLine(profErr.Error()) + ").\n"
	} else {
		body += fmt.Sprintf(`
**Where the server's CPU goes at 64 clients.** One more pass, not timed: test/bench/cmd/profserve (the same server
served by httpserve.Serve as main does, with a CPU profile) answers %s get_model calls from 64 sessions in %s;
each sampled stack is put in the first bucket one of its frames matches.

`, commas(float64(profCalls)), e.opt.segment)
		body += profTbl
	}
	return &section{Title: "Row 3: streamable HTTP", Lines: lines, Body: body}, ld, nil
}

// profileHTTP loads profserve over HTTP at 64 clients for one segment and
// breaks its CPU profile down.
func profileHTTP(e *env, fake interface{ ResetRequests() }, up *bench.Upstream) (string, []string, int64, error) {
	port, err := freePort()
	if err != nil {
		return "", nil, 0, err
	}
	token := randomToken()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	prof := filepath.Join(e.dir, "http.prof")
	p, err := bench.StartStdio([]string{e.prof, "-cpuprofile", prof, "-listen", addr},
		append(e.upstreamEnv(up.URL()), "OWUI_MCP_HTTP_TOKEN="+token), 5*time.Minute)
	if err != nil {
		return "", nil, 0, err
	}
	defer p.Close()
	hc := upstreamClient()
	if err := waitHealthy(hc, "http://"+addr, p); err != nil {
		return "", nil, 0, err
	}
	c := slices.Max(concurrencies)
	sessions := make([]*mcpSession, c)
	for i := range sessions {
		sessions[i] = &mcpSession{url: "http://" + addr + "/mcp", token: token}
		if err := sessions[i].initialize(hc); err != nil {
			return "", nil, 0, err
		}
	}
	s := load(c, e.opt.segment, func(w, seq int) (int, error) { return sessions[w].getModel(hc, 2+seq) })
	fake.ResetRequests()
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	if err := p.Close(); err != nil {
		return "", nil, 0, fmt.Errorf("profserve: %v; stderr: %s", err, lastLines(p.Stderr(), 3))
	}
	if s.calls == 0 {
		return "", nil, 0, fmt.Errorf("no call answered: %s", s.firstErr)
	}
	tbl, top, err := profileBreakdown(e, e.prof, prof, s.calls)
	return tbl, top, s.calls, err
}

func (e *env) machineCores() int { return runtime.NumCPU() }
